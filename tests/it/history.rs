//! Access history for owners: who downloaded which report and when, as a
//! page and a CSV file; never for delegates nor for others' recipients.

use crate::harness::{TestApp, post_with};

const CONTACT: &str = "Secretariat.Imagerie@Example.NET";
const PASSWORD: &str = "une phrase de passe solide";

/// An owner with a delegate; the delegate's browser.
async fn owner_and_delegate() -> (TestApp, reqwest::Client) {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "imagerie@example.net", PASSWORD)
        .await;
    app.post("/compte/delegues", &[("email", "assistant@example.org")])
        .await;
    let mail = app.emails_to("assistant@example.org").await.pop().unwrap();
    let link = mail.link(&format!("{}/invitation?jeton=", app.base));
    let (delegate, jar) = app.new_browser();
    delegate.get(&link).send().await.unwrap();
    let fields = [
        ("password", "le mot de passe du délégué"),
        ("confirmation", "le mot de passe du délégué"),
    ];
    post_with(&delegate, &jar, &app.url("/invitation"), &fields).await;
    (app, delegate)
}

async fn id_of(app: &TestApp, number: &str) -> i64 {
    app.count(&format!("SELECT id FROM reports WHERE number = '{number}'"))
        .await
}

#[tokio::test]
async fn an_owner_sees_who_downloaded_what_and_when() {
    let (app, delegate) = owner_and_delegate().await;
    let (_, account) = app.get_text("/compte").await;
    assert!(account.contains("href=\"/compte/historique\""));
    let (_, empty) = app.get_text("/compte/historique").await;
    assert!(
        empty.contains("Aucun de vos rapports n&#39;a encore été téléchargé")
            || empty.contains("Aucun de vos rapports n'a encore été téléchargé")
    );

    let mine = id_of(&app, "RDC-2025-001003").await;
    app.get(&format!("/rapports/{mine}/telecharger")).await;
    app.clock.advance(chrono::Duration::minutes(90));
    let theirs = id_of(&app, "RDC-2025-001009").await;
    let url = app.url(&format!("/rapports/archive?rapport={theirs}"));
    let r = delegate.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // Each file is recorded as the archive is written: read it to the end.
    r.bytes().await.unwrap();

    let (status, page) = app.get_text("/compte/historique").await;
    assert_eq!(status, 200);
    let newest = page.find("RDC-2025-001009").unwrap();
    let oldest = page.find("RDC-2025-001003").unwrap();
    assert!(newest < oldest, "newest first");
    assert!(page.contains("assistant@example.org") && page.contains("accès délégué"));
    assert!(page.contains("imagerie@example.net") && page.contains("titulaire"));
    // 08:00 UTC is 09:00 in Paris; 90 minutes later, 10:30.
    assert!(page.contains("1 déc. 2026 à 09:00"), "{page}");
    assert!(page.contains("1 déc. 2026 à 10:30"));
    assert!(page.contains("2 téléchargements"));

    app.post(
        "/langue",
        &[("langue", "en"), ("retour", "/compte/historique")],
    )
    .await;
    let (_, english) = app.get_text("/compte/historique").await;
    assert!(english.contains("Download history"));
    assert!(english.contains("1 Dec 2026 at 10:30"), "{english}");
    assert!(english.contains("delegated access") && english.contains("2 downloads"));
}

#[tokio::test]
async fn the_history_is_paginated() {
    let (app, _) = owner_and_delegate().await;
    let id = id_of(&app, "RDC-2025-001003").await;
    for _ in 0..27 {
        app.get(&format!("/rapports/{id}/telecharger")).await;
    }
    let (_, first) = app.get_text("/compte/historique").await;
    assert!(first.contains("page 1 sur 2"));
    assert_eq!(first.matches("class=\"number\">RDC-").count(), 25);
    assert!(first.contains("href=\"/compte/historique?page=2\""));
    let (_, second) = app.get_text("/compte/historique?page=2").await;
    assert_eq!(second.matches("class=\"number\">RDC-").count(), 2);
    let (status, _) = app.get_text("/compte/historique?page=-3").await;
    assert_eq!(status, 200, "a nonsense page number shows the first page");
}

#[tokio::test]
async fn a_delegate_or_a_stranger_sees_no_history() {
    let (app, delegate) = owner_and_delegate().await;
    let id = id_of(&app, "RDC-2025-001003").await;
    app.get(&format!("/rapports/{id}/telecharger")).await;

    let account = delegate
        .get(app.url("/compte"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!account.contains("/compte/historique"));
    for path in [
        "/compte/historique",
        "/compte/historique.csv",
        "/compte/historique?page=1",
    ] {
        let r = delegate.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body = r.text().await.unwrap();
        assert!(!body.contains("RDC-2025-001003"), "{path}");
    }

    let (anonymous, _) = app.new_browser();
    let r = anonymous
        .get(app.url("/compte/historique.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/connexion");

    // Another owner sees only its own recipients' downloads.
    app.post("/deconnexion", &[]).await;
    app.register_owner(
        "pcr.radiologie@example.org",
        "radiologie@example.org",
        PASSWORD,
    )
    .await;
    let (status, page) = app.get_text("/compte/historique").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("radiologie@example.org"),
        "signed in as the other owner"
    );
    assert!(!page.contains("RDC-2025-001003") && !page.contains("imagerie@example.net"));
    let csv = app
        .get("/compte/historique.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains("RDC-2025-001003"));
    assert_eq!(csv.lines().count(), 1, "only the header");
}

#[tokio::test]
async fn the_csv_export_reads_in_a_spreadsheet_and_holds_no_formula() {
    let (app, delegate) = owner_and_delegate().await;
    let pool = app.db().await;
    sqlx::query("UPDATE recipients SET name = '=HYPERLINK(\"http://x\")' WHERE code = 'D0012004'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE accounts SET email = '-assistant@example.org' WHERE email = 'assistant@example.org'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let id = id_of(&app, "RDC-2025-001003").await;
    app.get(&format!("/rapports/{id}/telecharger")).await;
    let url = app.url(&format!("/rapports/{id}/telecharger"));
    assert_eq!(delegate.get(&url).send().await.unwrap().status(), 200);

    let r = app.get("/compte/historique.csv").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"historique-telechargements.csv\"")
    );
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "a BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "Date");
    assert_eq!(header[5], "Destinataire");
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1], "'-assistant@example.org");
    assert_eq!(rows[0][2], "accès délégué");
    assert_eq!(rows[1][1], "imagerie@example.net");
    assert_eq!(rows[1][2], "titulaire");
    assert_eq!(rows[1][0], "2026-12-01 09:00");
    for row in &rows {
        assert_eq!(row[3], "RDC-2025-001003");
        assert_eq!(row[5], "'=HYPERLINK(\"http://x\")");
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell}"
            );
        }
    }
}
