//! Attacks on the portal, one module per way portals with the same flows
//! were broken. Each test names the protection it proves and fails when that
//! protection goes: it checks what an attacker would get (status, headers,
//! database rows, emails), not the wording of pages.

mod access;
mod brute_force;
mod csrf;
mod email_links;
mod enumeration;
mod fuzz_seeds;
mod headers;
mod identity;
mod import;
mod logs;
mod parameters;
mod redirects;
mod sessions;
mod tokens;

use std::sync::Arc;

use reqwest::cookie::Jar;
use reqwest::{Client, Url};

use crate::harness::{TestApp, cookie, post_with};

/// The invited contact of the first recipient of `basic/`.
pub const CONTACT: &str = "pcr.radiologie@example.org";
/// The login its owner registers with.
pub const OWNER: &str = "pcr@example.org";
/// The contact of another recipient of `basic/`.
pub const OTHER_CONTACT: &str = "hse.cnd@example.com";
/// A password the policy accepts.
pub const PASSWORD: &str = "une phrase de passe solide";
/// Another password the policy accepts.
pub const NEW_PASSWORD: &str = "un tout autre secret bien long";

/// A portal with `basic/` imported and its first recipient's owner signed
/// in with the test's browser.
pub async fn owner() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, OWNER, PASSWORD).await;
    app
}

/// A browser with its own cookies, already signed in as `email`.
pub async fn signed_in(app: &TestApp, email: &str, password: &str) -> (Client, Arc<Jar>) {
    let (browser, jar) = app.new_browser();
    let fields = [("email", email), ("password", password)];
    let r = post_with(&browser, &jar, &app.url("/connexion"), &fields).await;
    assert_eq!(r.url().path(), "/rapports", "{email} could not sign in");
    (browser, jar)
}

/// A client sharing `jar` that shows redirects instead of following them.
pub fn no_redirect(jar: &Arc<Jar>) -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_provider(jar.clone())
        .build()
        .unwrap()
}

/// Every path the router answers POST on, read from the router's source,
/// so that a form added later cannot escape the tests that use this list.
pub fn post_routes() -> Vec<String> {
    let source = include_str!("../../../src/web/mod.rs");
    let mut routes = Vec::new();
    for (start, _) in source.match_indices(".route(") {
        let call = &source[start + ".route(".len()..];
        let mut depth = 1;
        let end = call
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map(|(i, _)| i)
            .unwrap();
        let call = &call[..end];
        if call.contains("post(") {
            routes.push(call.split('"').nth(1).unwrap().to_owned());
        }
    }
    routes.sort();
    routes
}

/// Everything a request could change, row by row: accounts with their
/// login and password hash, sessions, emailed tokens and their state,
/// registrations in progress, delegations, owners, and the number of
/// emails, downloads, audit entries and throttling counters.
pub async fn fingerprint(app: &TestApp) -> Vec<String> {
    let queries = [
        "SELECT CAST(id AS TEXT) || ' ' || email || ' ' || COALESCE(password_hash, '-')
             || ' ' || lang
         FROM accounts ORDER BY id",
        "SELECT id_hash || ' ' || CAST(account_id AS TEXT) || ' ' || kind
             || ' ' || COALESCE(pending, '-')
         FROM sessions ORDER BY id_hash",
        "SELECT CAST(account_id AS TEXT) || ' ' || secret || ' ' || CAST(last_step AS TEXT)
         FROM totp_factors ORDER BY account_id",
        "SELECT credential_id || ' ' || passkey || ' ' || COALESCE(CAST(last_used_at AS TEXT), '-')
         FROM passkeys ORDER BY id",
        "SELECT code_hash || CASE WHEN used_at IS NULL THEN '' ELSE ' used' END
         FROM recovery_codes ORDER BY code_hash",
        "SELECT CAST(id AS TEXT) || ' ' || purpose
             || CASE WHEN used_at IS NULL THEN '' ELSE ' used' END
             || CASE WHEN revoked_at IS NULL THEN '' ELSE ' revoked' END
         FROM tokens ORDER BY id",
        "SELECT id_hash || ' ' || COALESCE(email, '-') FROM registration_drafts ORDER BY id_hash",
        "SELECT CAST(owner_account_id AS TEXT) || ' ' || CAST(delegate_account_id AS TEXT)
         FROM delegations ORDER BY owner_account_id, delegate_account_id",
        "SELECT CAST(id AS TEXT) || ' ' || COALESCE(CAST(owner_account_id AS TEXT), '-')
         FROM recipients ORDER BY id",
        "SELECT 'outbox ' || CAST(COUNT(*) AS TEXT) FROM outbox",
        "SELECT 'downloads ' || CAST(COUNT(*) AS TEXT) FROM downloads",
        "SELECT 'audit ' || CAST(COUNT(*) AS TEXT) FROM audit",
        "SELECT 'throttle ' || CAST(COALESCE(SUM(count), 0) AS TEXT) FROM throttle",
    ];
    let pool = app.db().await;
    let mut rows = Vec::new();
    for sql in queries {
        let found: Vec<String> = sqlx::query_scalar(sql).fetch_all(&pool).await.unwrap();
        rows.extend(found);
    }
    pool.close().await;
    rows
}

/// The tokens of the emailed links in a text.
pub fn tokens_in(text: &str) -> Vec<String> {
    text.split("jeton=")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .collect()
}

/// The last email sent to `to` whose link leads to `path`.
pub async fn last_link(app: &TestApp, to: &str, path: &str) -> String {
    let prefix = format!("{}?jeton=", app.url(path));
    app.emails_to(to)
        .await
        .iter()
        .rev()
        .find(|e| e.text.contains(&prefix))
        .unwrap_or_else(|| panic!("no link to {path} sent to {to}"))
        .link(&prefix)
}

/// Whether a `Location` stays on the portal's own origin.
pub fn same_origin(app: &TestApp, location: &str) -> bool {
    let base = Url::parse(&app.base).unwrap();
    base.join(location)
        .is_ok_and(|target| target.origin() == base.origin())
}

/// The names of the cookies a response sets.
pub fn cookies_set(response: &reqwest::Response) -> Vec<String> {
    let mut names: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// The value of this browser's anti-forgery cookie, getting a page first
/// if it has none yet.
pub async fn csrf_of(app: &TestApp, browser: &Client, jar: &Jar) -> String {
    if cookie(jar, &app.base, "dosiport_csrf").is_none() {
        browser.get(app.url("/")).send().await.unwrap();
    }
    cookie(jar, &app.base, "dosiport_csrf").unwrap()
}
