//! Parameter tricks on the forms: repeated fields, arrays, other encodings,
//! oversized bodies, NUL bytes, invalid UTF-8, very long values and SQL in
//! values. Each would, if obeyed, sign someone in or change something; none
//! does. (Every form also gets the generic hostile bodies of `hostile.rs`.)

use std::collections::BTreeSet;

use super::{OWNER, PASSWORD, csrf_of, fingerprint, owner, post_routes};
use crate::harness::TestApp;

#[test]
fn every_form_gets_the_hostile_bodies() {
    let hostile: BTreeSet<String> = crate::hostile::FORMS
        .iter()
        .map(|f| f.to_string())
        .collect();
    let routes: BTreeSet<String> = post_routes().into_iter().collect();
    assert_eq!(hostile, routes);
}

/// Posts a raw body with this content type from the test's browser.
async fn raw(app: &TestApp, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
    let r = app
        .client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        body.append_pair(name, value);
    }
    body.finish().into_bytes()
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn sign_in_with_right_credentials_but_a_trick_opens_no_session() {
    let app = owner().await;
    app.post("/deconnexion", &[]).await;
    let csrf = csrf_of(&app, &app.client, &app.jar).await;
    let c = csrf.as_str();
    let tricks: Vec<(&str, Vec<u8>)> = vec![
        // Two values for one field, the right one first or last.
        (FORM, form(&[("csrf", c), ("email", OWNER), ("email", "x@example.org"), ("password", PASSWORD)])),
        (FORM, form(&[("csrf", c), ("email", "x@example.org"), ("email", OWNER), ("password", PASSWORD)])),
        (FORM, form(&[("csrf", c), ("email", OWNER), ("password", "wrong"), ("password", PASSWORD)])),
        (FORM, form(&[("csrf", c), ("csrf", c), ("email", OWNER), ("password", PASSWORD)])),
        // Arrays and objects.
        (FORM, form(&[("csrf", c), ("email[]", OWNER), ("password[]", PASSWORD)])),
        (FORM, form(&[("csrf", c), ("email[0]", OWNER), ("password[a]", PASSWORD)])),
        // Other encodings of the same fields.
        ("application/json", format!("{{\"csrf\":\"{c}\",\"email\":\"{OWNER}\",\"password\":\"{PASSWORD}\"}}").into_bytes()),
        ("text/plain", format!("csrf={c}&email={OWNER}&password={PASSWORD}").into_bytes()),
        (
            "multipart/form-data; boundary=b",
            format!(
                "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{c}\r\n\
                 --b\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n{OWNER}\r\n\
                 --b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n{PASSWORD}\r\n--b--\r\n"
            )
            .into_bytes(),
        ),
        // The right values, with a NUL byte or invalid UTF-8 added.
        (FORM, form(&[("csrf", c), ("email", &format!("{OWNER}\0")), ("password", PASSWORD)])),
        (FORM, form(&[("csrf", c), ("email", OWNER), ("password", &format!("{PASSWORD}\0"))])),
        (FORM, [form(&[("csrf", c), ("email", OWNER), ("password", PASSWORD)]), b"%FF".to_vec()].concat()),
        (FORM, format!("csrf={c}&email=pcr%C0%40example.org&password={}", PASSWORD.replace(' ', "+")).into_bytes()),
        // SQL in the values.
        (FORM, form(&[("csrf", c), ("email", "' OR '1'='1' --@example.org"), ("password", "' OR '1'='1")])),
        (FORM, form(&[("csrf", c), ("email", "pcr@example.org' --"), ("password", "x")])),
        (FORM, form(&[("csrf", c), ("email", "\"pcr\"@example.org"), ("password", PASSWORD)])),
    ];
    for (content_type, body) in tricks {
        let shown = String::from_utf8_lossy(&body).into_owned();
        let (status, page) = raw(&app, "/connexion", content_type, body).await;
        assert!(
            (400..500).contains(&status),
            "{content_type} {shown}: {status}"
        );
        assert!(page.contains("<html"), "{shown}");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM sessions").await,
            0,
            "{shown}"
        );
    }
}

#[tokio::test]
async fn repeated_fields_on_the_account_forms_change_nothing() {
    let app = owner().await;
    let csrf = csrf_of(&app, &app.client, &app.jar).await;
    let c = csrf.as_str();
    let before = fingerprint(&app).await;
    let tricks: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "/compte/delegues",
            vec![("email", "a@example.org"), ("email", "b@example.org")],
        ),
        (
            "/compte/email",
            vec![
                ("email", "a@example.org"),
                ("confirmation", "a@example.org"),
                ("email", "b@example.org"),
                ("password", PASSWORD),
            ],
        ),
        (
            "/compte/mot-de-passe",
            vec![
                ("current", PASSWORD),
                ("password", "un secret tout neuf et long"),
                ("confirmation", "un secret tout neuf et long"),
                ("password", "un autre secret neuf et long"),
            ],
        ),
        (
            "/compte/delegues/retirer",
            vec![("cle", "a1"), ("cle", "a2")],
        ),
        (
            "/mot-de-passe-oublie",
            vec![("email", OWNER), ("email", "attaquant@example.net")],
        ),
    ];
    for (path, fields) in tricks {
        let mut pairs = vec![("csrf", c)];
        pairs.extend(fields);
        let (status, _) = raw(&app, path, FORM, form(&pairs)).await;
        assert_eq!(status, 400, "{path}");
    }
    assert_eq!(fingerprint(&app).await, before);
}

#[tokio::test]
async fn oversized_bodies_are_refused_whatever_their_type() {
    let app = owner().await;
    let csrf = csrf_of(&app, &app.client, &app.jar).await;
    let before = fingerprint(&app).await;
    let huge = "a".repeat(1024 * 1024);
    for (content_type, body) in [
        (FORM, format!("csrf={csrf}&email={huge}@example.org")),
        ("application/json", format!("{{\"email\":\"{huge}\"}}")),
        ("multipart/form-data; boundary=b", format!("--b\r\n{huge}")),
    ] {
        for path in ["/connexion", "/compte/delegues", "/mot-de-passe-oublie"] {
            let (status, page) = raw(&app, path, content_type, body.clone().into_bytes()).await;
            assert!(
                status == 413 || status == 400,
                "{path} {content_type}: {status}"
            );
            assert!(page.contains("<html") && page.len() < 20_000, "{path}");
        }
    }
    assert_eq!(fingerprint(&app).await, before);
}

#[tokio::test]
async fn long_values_are_shown_back_cut_and_never_stored() {
    let app = owner().await;
    let before = fingerprint(&app).await;
    let long = format!("{}@example.org", "x".repeat(30_000));
    for (path, fields) in [
        ("/compte/delegues", vec![("email", long.as_str())]),
        (
            "/compte/email",
            vec![
                ("email", long.as_str()),
                ("confirmation", long.as_str()),
                ("password", PASSWORD),
            ],
        ),
        ("/mot-de-passe-oublie", vec![("email", long.as_str())]),
    ] {
        let (status, page) = app.post_text(path, &fields).await;
        assert_eq!(status, 422, "{path}");
        assert!(page.len() < 30_000, "{path}: the value is echoed whole");
    }
    assert_eq!(fingerprint(&app).await, before);
}

#[tokio::test]
async fn odd_query_values_on_the_reports_list_show_only_the_accounts_reports() {
    let app = owner().await;
    let (_, all) = app.get_text("/rapports").await;
    let mine = all.matches("/telecharger").count();
    assert!(mine > 0);
    for query in [
        "?destinataire=1%20OR%201=1",
        "?destinataire=0x2",
        "?destinataire=-1",
        "?annee=2025'--",
        "?page=99999999999999999999",
        "?page=-3",
        "?page=0",
        "?destinataire[]=2",
        "?annee=%00",
    ] {
        let (status, page) = app.get_text(&format!("/rapports{query}")).await;
        assert!(status < 500, "{query}: {status}");
        assert!(page.matches("/telecharger").count() <= mine, "{query}");
    }
    let total = app.count("SELECT COUNT(*) FROM reports").await;
    assert!(total as usize > mine);
}
