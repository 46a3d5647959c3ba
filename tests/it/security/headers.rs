//! Response headers on every page, download, redirect and error, over HTTP
//! and behind HTTPS: a CSP without inline script that forbids framing,
//! `nosniff`, no referrer, nothing personal cached, HSTS when the portal is
//! public over HTTPS, and cookies `HttpOnly`, `SameSite`, host-only, and
//! `Secure` with the `__Host-` prefix over HTTPS.

use std::collections::BTreeMap;

use reqwest::header::HeaderMap;
use reqwest::{Client, Method, StatusCode};

use super::{CONTACT, OWNER, PASSWORD};
use crate::harness::TestApp;

/// One answer, as recorded.
struct Seen {
    what: String,
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// A browser that keeps its cookies by hand, so that `Secure` cookies come
/// back even though the test server speaks plain HTTP, and that records
/// every answer.
struct Browser<'a> {
    app: &'a TestApp,
    client: Client,
    cookies: BTreeMap<String, String>,
    seen: Vec<Seen>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            app,
            client,
            cookies: BTreeMap::new(),
            seen: Vec::new(),
        }
    }

    fn csrf(&self) -> String {
        self.cookies
            .iter()
            .find(|(name, _)| name.ends_with("dosiport_csrf"))
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
        extra: &[(&str, &str)],
    ) -> &Seen {
        let mut request = self.client.request(method.clone(), self.app.url(path));
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !jar.is_empty() {
            request = request.header("cookie", jar.join("; "));
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        if let Some(fields) = form {
            let csrf = self.csrf();
            let mut all = vec![("csrf", csrf.as_str())];
            all.extend_from_slice(fields);
            request = request.form(&all);
        }
        let r = request.send().await.unwrap();
        for set in r.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || set.to_str().unwrap().contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let seen = Seen {
            what: format!("{method} {path}"),
            status: r.status(),
            headers: r.headers().clone(),
            body: r.bytes().await.unwrap().to_vec(),
        };
        self.seen.push(seen);
        self.seen.last().unwrap()
    }

    async fn get(&mut self, path: &str) -> &Seen {
        self.send(Method::GET, path, None, &[]).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> &Seen {
        self.send(Method::POST, path, Some(fields), &[]).await
    }
}

/// The path and query of an emailed link.
fn local(link: &str) -> String {
    let url = reqwest::Url::parse(link).unwrap();
    format!("{}?{}", url.path(), url.query().unwrap_or_default())
}

/// Walks every page, form, download and error of the portal.
async fn walk(app: &TestApp) -> Vec<Seen> {
    let mut b = Browser::new(app);
    for path in [
        "/",
        "/connexion",
        "/inscription",
        "/inscription/email",
        "/mot-de-passe-oublie",
        "/premiere-connexion",
        "/invitation",
        "/static/style.css",
        "/static/password.js",
        "/nulle-part",
        "/rapports",
    ] {
        b.get(path).await;
    }
    b.send(Method::DELETE, "/connexion", None, &[]).await;
    b.send(
        Method::POST,
        "/connexion",
        Some(&[("email", &"x".repeat(100_000))]),
        &[],
    )
    .await;
    b.post(
        "/connexion",
        &[("email", "x@example.org"), ("password", "faux")],
    )
    .await;
    let form = [("content-type", "application/x-www-form-urlencoded")];
    b.send(Method::POST, "/deconnexion", None, &form).await;

    // Registration, with its cookies.
    let invite = app.emails_to(CONTACT).await.remove(0);
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    b.post("/inscription", &[("code", &code), ("number", &number)])
        .await;
    b.get("/inscription/email").await;
    b.post("/inscription/email", &[("email", OWNER)]).await;
    b.get("/inscription/certification").await;
    b.post("/inscription/certification", &[("certify", "oui")])
        .await;
    b.get("/inscription/envoyee").await;
    b.get("/inscription/en-cours").await;
    let mail = app.emails_to(OWNER).await.pop().unwrap();
    let link = local(&mail.link("http"));
    b.get(&link).await;
    b.get("/inscription/confirmer").await;
    b.post("/inscription/confirmer", &[]).await;
    b.get("/premiere-connexion").await;
    b.post(
        "/premiere-connexion",
        &[("password", PASSWORD), ("confirmation", PASSWORD)],
    )
    .await;

    // Signed in: lists, downloads in every form, account pages.
    let list = String::from_utf8(b.get("/rapports").await.body.clone()).unwrap();
    let id = crate::journey::report_id(&list, "RDC-2025-001001");
    let download = format!("/rapports/{id}/telecharger");
    let etag = b.get(&download).await.headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    b.send(Method::HEAD, &download, None, &[]).await;
    b.send(Method::GET, &download, None, &[("range", "bytes=0-99")])
        .await;
    b.send(
        Method::GET,
        &download,
        None,
        &[("range", "bytes=99999999-")],
    )
    .await;
    b.send(Method::GET, &download, None, &[("if-none-match", &etag)])
        .await;
    b.get("/rapports/999999/telecharger").await;
    for path in [
        "/rapports?annee=2025&page=1",
        "/compte",
        "/compte/mot-de-passe",
        "/compte/email",
        "/connexion",
    ] {
        b.get(path).await;
    }
    b.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    let page = String::from_utf8(b.get("/compte").await.body.clone()).unwrap();
    let at = page.find("/compte/delegues/retirer?cle=").unwrap();
    let remove = page[at..].split('"').next().unwrap().to_owned();
    b.get(&remove).await;
    for (path, query) in [
        ("/mot-de-passe-oublie/nouveau", "?jeton=x"),
        ("/compte/email/confirmer", "?jeton=x"),
        ("/invitation", "?jeton=x"),
    ] {
        b.get(&format!("{path}{query}")).await;
        b.get(path).await;
    }
    b.post("/deconnexion", &[]).await;
    b.seen
}

fn check(seen: &[Seen], https: bool) {
    for s in seen {
        let what = &s.what;
        let header = |name: &str| {
            s.headers
                .get(name)
                .unwrap_or_else(|| panic!("{what} ({}): no {name}", s.status))
                .to_str()
                .unwrap()
                .to_owned()
        };
        let csp = header("content-security-policy");
        for needed in [
            "default-src 'none'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(needed), "{what}: {csp}");
        }
        for forbidden in ["unsafe-inline", "unsafe-eval", "*", "data:", "http:"] {
            assert!(!csp.contains(forbidden), "{what}: {csp}");
        }
        assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header("x-frame-options"), "DENY", "{what}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
        if !what.contains("/static/") {
            assert!(header("cache-control").contains("no-store"), "{what}");
        }
        match s.headers.get("strict-transport-security") {
            Some(hsts) => {
                assert!(https, "{what}: HSTS over plain HTTP");
                let age: u64 = hsts.to_str().unwrap()["max-age=".len()..]
                    .split(';')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(age >= 31_536_000, "{what}");
            }
            None => assert!(!https, "{what}: no HSTS"),
        }
        for set in s.headers.get_all("set-cookie") {
            let set = set.to_str().unwrap();
            assert!(set.contains("HttpOnly"), "{what}: {set}");
            assert!(set.contains("SameSite=Lax") || set.contains("SameSite=Strict"));
            assert!(
                set.contains("Path=/") && !set.contains("Domain="),
                "{what}: {set}"
            );
            assert_eq!(set.starts_with("__Host-"), https, "{what}: {set}");
            assert_eq!(set.contains("Secure"), https, "{what}: {set}");
        }
        let html = s
            .headers
            .get("content-type")
            .is_some_and(|t| t.to_str().unwrap().starts_with("text/html"));
        if html {
            let page = String::from_utf8_lossy(&s.body).to_lowercase();
            for script in page.split("<script").skip(1) {
                let tag = script.split('>').next().unwrap();
                assert!(tag.contains("src=\"/static/"), "{what}: inline script");
            }
            for attribute in [
                " onclick=",
                " onload=",
                " onerror=",
                " style=",
                "javascript:",
            ] {
                assert!(!page.contains(attribute), "{what}: {attribute}");
            }
        }
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_safe_cookies() {
    for https in [false, true] {
        let app = TestApp::spawn_with(|c| {
            if https {
                c.public_url = "https://portail.example.com".parse().unwrap();
            }
        })
        .await;
        app.import_ok("basic/manifest.csv").await;
        let seen = walk(&app).await;
        let statuses: Vec<u16> = seen.iter().map(|s| s.status.as_u16()).collect();
        for expected in [200, 206, 303, 304, 400, 403, 404, 405, 416, 422] {
            assert!(
                statuses.contains(&expected),
                "no {expected} seen: {statuses:?}"
            );
        }
        let pdf = seen.iter().filter(|s| {
            s.headers
                .get("content-type")
                .is_some_and(|t| t == "application/pdf")
        });
        assert!(pdf.count() >= 2, "no download seen");
        check(&seen, https);
    }
}
