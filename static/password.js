/* dosiport: live password criteria and a show-password toggle.
   Progressive enhancement only: the form works without it, and the server
   checks everything again. Written for old browsers (ES5). */
(function () {
  "use strict";
  var field = document.getElementById("password");
  var confirmation = document.getElementById("confirmation");
  var criteria = document.getElementById("criteria");
  if (!field || !criteria || !document.querySelector) { return; }

  var min = parseInt(field.getAttribute("data-min"), 10) || 12;
  var max = parseInt(field.getAttribute("data-max"), 10) || 128;
  var local = (field.getAttribute("data-email-local") || "").toLowerCase();
  var lab = (field.getAttribute("data-lab") || "").toLowerCase();
  var words = {
    met: criteria.getAttribute("data-met") || "",
    unmet: criteria.getAttribute("data-unmet") || "",
    show: criteria.getAttribute("data-show") || "",
    hide: criteria.getAttribute("data-hide") || ""
  };

  function length(text) {
    if (text.normalize) { text = text.normalize("NFKC"); }
    var count = 0;
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      if (code < 0xDC00 || code > 0xDFFF) { count++; }
    }
    return count;
  }

  function mark(id, ok, pending) {
    var item = document.getElementById(id);
    if (!item) { return; }
    item.className = pending ? "" : (ok ? "met" : "unmet");
    var state = item.querySelector(".state");
    if (state) { state.textContent = pending ? "" : " – " + (ok ? words.met : words.unmet); }
  }

  function update() {
    var value = field.value;
    var n = length(value);
    mark("crit-length", n >= min && n <= max, value === "");
    var lower = value.toLowerCase();
    var hasLocal = local.length >= 3 && lower.indexOf(local) !== -1;
    var hasLab = lab.length >= 3 && lower.indexOf(lab) !== -1;
    mark("crit-personal", !hasLocal && !hasLab, value === "");
    if (confirmation) {
      mark("crit-match", confirmation.value === value, confirmation.value === "");
    }
  }

  field.addEventListener("input", update);
  if (confirmation) { confirmation.addEventListener("input", update); }

  var toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "secondary toggle";
  toggle.setAttribute("aria-pressed", "false");
  toggle.textContent = words.show;
  toggle.addEventListener("click", function () {
    var show = field.type === "password";
    field.type = show ? "text" : "password";
    if (confirmation) { confirmation.type = field.type; }
    toggle.setAttribute("aria-pressed", show ? "true" : "false");
    toggle.textContent = show ? words.hide : words.show;
  });
  field.parentNode.appendChild(toggle);
  update();
}());
