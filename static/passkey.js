/* dosiport: lets a passkey answer the portal's question, then posts the
   answer with its form. Forms marked data-passkey="create" make a new
   passkey, data-passkey="get" sign in with one. The portal's question is in
   data-options, as JSON with binary values in base64url. Written for old
   browsers (ES5): where passkeys cannot work, the form says so and the
   other ways in stay on the page. */
(function () {
  "use strict";
  if (!document.querySelectorAll) { return; }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var raw = window.atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) { return null; }
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return window.btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeList(list) {
    if (!list) { return list; }
    for (var i = 0; i < list.length; i++) { list[i].id = toBytes(list[i].id); }
    return list;
  }

  function creationOptions(json) {
    var options = json.publicKey;
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = decodeList(options.excludeCredentials);
    return { publicKey: options };
  }

  function requestOptions(json) {
    var options = json.publicKey;
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = decodeList(options.allowCredentials);
    return { publicKey: options };
  }

  function extensions(credential) {
    try { return credential.getClientExtensionResults() || {}; } catch (e) { return {}; }
  }

  function created(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      extensions: extensions(credential),
      response: {
        attestationObject: toText(response.attestationObject),
        clientDataJSON: toText(response.clientDataJSON),
        transports: response.getTransports ? response.getTransports() : undefined
      }
    };
  }

  function asserted(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      extensions: extensions(credential),
      response: {
        authenticatorData: toText(response.authenticatorData),
        clientDataJSON: toText(response.clientDataJSON),
        signature: toText(response.signature),
        userHandle: toText(response.userHandle)
      }
    };
  }

  function setUp(form) {
    var status = form.querySelector(".passkey-status");
    var button = form.querySelector(".passkey-go");
    var field = form.querySelector("input[name=credential]");
    var mode = form.getAttribute("data-passkey");
    function say(text) { if (status) { status.textContent = text; } }
    if (!button || !field) { return; }
    if (!window.PublicKeyCredential || !navigator.credentials || !window.JSON) {
      button.disabled = true;
      say(form.getAttribute("data-unsupported") || "");
      return;
    }
    button.addEventListener("click", function () {
      var json = JSON.parse(form.getAttribute("data-options"));
      var asked = mode === "create"
        ? navigator.credentials.create(creationOptions(json))
        : navigator.credentials.get(requestOptions(json));
      button.disabled = true;
      say("");
      asked.then(function (credential) {
        field.value = JSON.stringify(mode === "create" ? created(credential) : asserted(credential));
        form.submit();
      }, function () {
        button.disabled = false;
        say(form.getAttribute("data-failed") || "");
      });
    });
  }

  var forms = document.querySelectorAll("form[data-passkey]");
  for (var i = 0; i < forms.length; i++) { setUp(forms[i]); }
})();
