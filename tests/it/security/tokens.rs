//! Emailed links: each token works once, for its one purpose; a newer link,
//! a password change, a reset or a login change kills the older ones;
//! truncated or altered tokens open nothing; parallel clicks use a token
//! once; and a token leaves the address bar before any page is shown.

use reqwest::Client;

use super::{
    CONTACT, NEW_PASSWORD, OWNER, PASSWORD, fingerprint, last_link, no_redirect, owner, tokens_in,
};
use crate::harness::{TestApp, post_with};

/// The kinds of emailed links that carry a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Confirmation,
    FirstConnection,
    Reset,
    Invitation,
    EmailChange,
}

const KINDS: [Kind; 5] = [
    Kind::Confirmation,
    Kind::FirstConnection,
    Kind::Reset,
    Kind::Invitation,
    Kind::EmailChange,
];

/// The address without a password that gets a first-connection link.
const NO_PASSWORD: &str = "imagerie@example.net";

impl Kind {
    /// The page the link opens and its button posts to.
    fn path(self) -> &'static str {
        match self {
            Kind::Confirmation => "/inscription/confirmer",
            Kind::FirstConnection => "/premiere-connexion",
            Kind::Reset => "/mot-de-passe-oublie/nouveau",
            Kind::Invitation => "/invitation",
            Kind::EmailChange => "/compte/email/confirmer",
        }
    }

    /// What the button posts.
    fn fields(self) -> Vec<(&'static str, &'static str)> {
        match self {
            Kind::Confirmation | Kind::EmailChange => Vec::new(),
            _ => vec![("password", NEW_PASSWORD), ("confirmation", NEW_PASSWORD)],
        }
    }

    /// A portal where a live link of this kind waits, and the link.
    async fn portal(self) -> (TestApp, String) {
        let app = match self {
            Kind::Confirmation | Kind::FirstConnection => {
                let app = TestApp::spawn().await;
                app.import_ok("basic/manifest.csv").await;
                app
            }
            _ => owner().await,
        };
        let link = self.issue(&app).await;
        (app, link)
    }

    /// Asks for a (new) link of this kind; its text.
    async fn issue(self, app: &TestApp) -> String {
        match self {
            Kind::Confirmation => {
                if app.count("SELECT COUNT(*) FROM registration_drafts").await == 0 {
                    return app.register_until_confirmation(CONTACT, OWNER).await;
                }
                app.post("/inscription/en-cours", &[]).await;
                last_link(app, OWNER, self.path()).await
            }
            Kind::FirstConnection => {
                if app.count("SELECT COUNT(*) FROM accounts").await == 0 {
                    let contact = "Secretariat.Imagerie@Example.NET";
                    let link = app.register_until_confirmation(contact, NO_PASSWORD).await;
                    app.get(&link).await;
                    app.post("/inscription/confirmer", &[]).await;
                    app.post("/deconnexion", &[]).await;
                    app.import_ok("excel-fr/utf8-bom.csv").await;
                }
                last_link(app, NO_PASSWORD, self.path()).await
            }
            Kind::Reset => {
                let (browser, jar) = app.new_browser();
                let url = app.url("/mot-de-passe-oublie");
                post_with(&browser, &jar, &url, &[("email", OWNER)]).await;
                last_link(app, OWNER, self.path()).await
            }
            Kind::Invitation => {
                app.post("/compte/delegues", &[("email", "assistant@example.org")])
                    .await;
                last_link(app, "assistant@example.org", self.path()).await
            }
            Kind::EmailChange => ask_login_change(app, "nouvelle@example.org", PASSWORD).await,
        }
    }
}

/// Asks, signed in with the test's browser, to change the login to `new`;
/// the link sent there.
async fn ask_login_change(app: &TestApp, new: &str, password: &str) -> String {
    let fields = [
        ("email", new),
        ("confirmation", new),
        ("password", password),
    ];
    let r = app.post("/compte/email", &fields).await;
    assert_eq!(r.url().path(), "/compte", "login change refused");
    last_link(app, new, Kind::EmailChange.path()).await
}

/// Opens `link` in a fresh browser and presses the page's button: whether
/// anything changed in the portal.
async fn press(app: &TestApp, link: &str, kind: Kind) -> (bool, Client) {
    let (browser, jar) = app.new_browser();
    let before = fingerprint(app).await;
    let r = browser.get(link).send().await.unwrap();
    assert!(r.status().as_u16() < 500, "{link}: {}", r.status());
    assert_eq!(
        fingerprint(app).await,
        before,
        "opening {link} changed something"
    );
    let r = post_with(&browser, &jar, &app.url(kind.path()), &kind.fields()).await;
    assert!(r.status().as_u16() < 500, "{link}: {}", r.status());
    (fingerprint(app).await != before, browser)
}

/// The same link with another token.
fn with_token(link: &str, token: &str) -> String {
    let (base, _) = link.split_once("jeton=").unwrap();
    format!("{base}jeton={token}")
}

#[tokio::test]
async fn every_kind_of_link_works_once_then_is_dead() {
    for kind in KINDS {
        let (app, link) = kind.portal().await;
        let (used, _) = press(&app, &link, kind).await;
        assert!(used, "{kind:?}: the link did nothing");
        let (reused, _) = press(&app, &link, kind).await;
        assert!(!reused, "{kind:?}: the link worked twice");
    }
}

#[tokio::test]
async fn a_newer_link_of_the_same_kind_kills_the_older_one() {
    for kind in [Kind::Confirmation, Kind::Reset, Kind::EmailChange] {
        let (app, old) = kind.portal().await;
        let new = kind.issue(&app).await;
        assert_ne!(old, new);
        let (used, _) = press(&app, &old, kind).await;
        assert!(!used, "{kind:?}: the older link still works");
        let (used, _) = press(&app, &new, kind).await;
        assert!(used, "{kind:?}: the newer link does nothing");
    }
}

#[tokio::test]
async fn a_password_change_a_reset_or_a_login_change_kills_the_accounts_other_links() {
    let app = owner().await;

    // A password change.
    let reset = Kind::Reset.issue(&app).await;
    let change = Kind::EmailChange.issue(&app).await;
    let fields = [
        ("current", PASSWORD),
        ("password", NEW_PASSWORD),
        ("confirmation", NEW_PASSWORD),
    ];
    let r = app.post("/compte/mot-de-passe", &fields).await;
    assert_eq!(r.url().path(), "/compte");
    for (kind, link) in [(Kind::Reset, &reset), (Kind::EmailChange, &change)] {
        assert!(
            !press(&app, link, kind).await.0,
            "{kind:?} after a password change"
        );
    }

    // A login change.
    let reset = Kind::Reset.issue(&app).await;
    let change = ask_login_change(&app, "nouvelle@example.org", NEW_PASSWORD).await;
    assert!(press(&app, &change, Kind::EmailChange).await.0);
    assert!(
        !press(&app, &reset, Kind::Reset).await.0,
        "reset after a login change"
    );

    // A reset, asked for the new login.
    let change = ask_login_change(&app, "troisieme@example.org", NEW_PASSWORD).await;
    let (browser, jar) = app.new_browser();
    let url = app.url("/mot-de-passe-oublie");
    post_with(&browser, &jar, &url, &[("email", "nouvelle@example.org")]).await;
    let reset = last_link(&app, "nouvelle@example.org", Kind::Reset.path()).await;
    assert!(press(&app, &reset, Kind::Reset).await.0);
    let (used, _) = press(&app, &change, Kind::EmailChange).await;
    assert!(!used, "login change after a reset");
}

#[tokio::test]
async fn truncated_altered_and_misdirected_tokens_open_nothing() {
    for kind in KINDS {
        let (app, link) = kind.portal().await;
        let token = tokens_in(&link).remove(0);
        assert_eq!(token.len(), 43, "256 random bits");
        let swap = |c: char| if c == 'A' { 'B' } else { 'A' };
        let mut first = token.clone();
        first.replace_range(..1, &swap(token.chars().next().unwrap()).to_string());
        let mut last = token.clone();
        last.replace_range(42.., &swap(token.chars().last().unwrap()).to_string());
        let flipped: String = token
            .chars()
            .map(|c| {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        let variants = [
            token[..42].to_owned(),
            token[..21].to_owned(),
            format!("{token}A"),
            first,
            last,
            flipped,
            format!("{token}%00"),
            String::new(),
        ];
        for variant in &variants {
            let bad = with_token(&link, variant);
            assert!(!press(&app, &bad, kind).await.0, "{kind:?}: {variant}");
        }
        // The genuine token on the pages of the other purposes.
        for other in KINDS.into_iter().filter(|k| *k != kind) {
            let misdirected = format!("{}?jeton={token}", app.url(other.path()));
            let (used, _) = press(&app, &misdirected, other).await;
            assert!(!used, "a {kind:?} token used as {other:?}");
        }
        assert!(press(&app, &link, kind).await.0, "{kind:?}: the link died");
    }
}

#[tokio::test]
async fn parallel_presses_of_one_link_use_it_once() {
    for kind in KINDS {
        let (app, link) = kind.portal().await;
        let (browser, jar) = app.new_browser();
        browser.get(&link).send().await.unwrap();
        let used = "SELECT COUNT(*) FROM tokens WHERE used_at IS NOT NULL";
        let used_before = app.count(used).await;
        let mails = "SELECT COUNT(*) FROM outbox";
        let mails_before = app.count(mails).await;

        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (browser, jar) = (browser.clone(), jar.clone());
                let url = app.url(kind.path());
                tokio::spawn(async move {
                    let fields = kind.fields();
                    post_with(&browser, &jar, &url, &fields)
                        .await
                        .status()
                        .as_u16()
                })
            })
            .collect();
        for task in tasks {
            let status = task.await.unwrap();
            assert!(status < 500, "{kind:?}: {status}");
        }
        assert_eq!(app.count(used).await, used_before + 1, "{kind:?}");
        let expected_mails = match kind {
            // The password-changed notice; the notice to the old address.
            Kind::Reset | Kind::EmailChange => 1,
            _ => 0,
        };
        assert_eq!(
            app.count(mails).await,
            mails_before + expected_mails,
            "{kind:?}"
        );
        assert_eq!(
            app.count("SELECT COUNT(*) FROM recipients WHERE owner_account_id IS NOT NULL")
                .await,
            1,
            "{kind:?}"
        );
        let delegations = app.count("SELECT COUNT(*) FROM delegations").await;
        assert_eq!(delegations, i64::from(kind == Kind::Invitation), "{kind:?}");
    }
}

#[tokio::test]
async fn a_token_leaves_the_address_bar_before_any_page_and_no_referer_carries_it() {
    for kind in KINDS {
        let (app, link) = kind.portal().await;
        let token = tokens_in(&link).remove(0);
        let (_, jar) = app.new_browser();
        let browser = no_redirect(&jar);

        let r = browser.get(&link).send().await.unwrap();
        assert_eq!(r.status(), 303, "{kind:?}");
        assert_eq!(r.headers()["referrer-policy"], "no-referrer", "{kind:?}");
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, kind.path(), "{kind:?}");
        let kept = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.contains(&token))
            .unwrap_or_else(|| panic!("{kind:?}: the token is not kept"));
        assert!(
            kept.contains("HttpOnly") && kept.contains("Max-Age="),
            "{kept}"
        );
        assert!(!r.text().await.unwrap().contains(&token));

        let r = browser.get(app.url(&location)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{kind:?}");
        assert_eq!(r.headers()["referrer-policy"], "no-referrer", "{kind:?}");
        let page = r.text().await.unwrap();
        assert!(!page.contains(&token), "{kind:?}: the page shows its token");
        for attribute in ["href=\"", "src=\"", "action=\""] {
            for value in page.split(attribute).skip(1) {
                let target = value.split('"').next().unwrap();
                let local = target.starts_with('/') && !target.starts_with("//");
                let other = ["#", "mailto:", "tel:"]
                    .iter()
                    .any(|p| target.starts_with(p));
                assert!(local || other, "{kind:?}: {attribute}{target}");
            }
        }
    }
}
