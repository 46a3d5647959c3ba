//! The reports list and downloads (RPT-1, RPT-2, RPT-4).

use crate::harness::{TestApp, corpus};
use crate::journey::report_id;

/// The report numbers of a list page, in order.
fn listed_numbers(page: &str) -> Vec<String> {
    const CELL: &str = "class=\"number\">";
    page.match_indices(CELL)
        .map(|(i, _)| page[i + CELL.len()..][..15].to_owned())
        .collect()
}

const CONTACT: &str = "Secretariat.Imagerie@Example.NET";
const PASSWORD: &str = "une phrase de passe solide";

async fn owner() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "imagerie@example.net", PASSWORD)
        .await;
    app
}

#[tokio::test]
async fn list_shows_the_reports_newest_first_with_their_details() {
    let app = owner().await;
    let (_, list) = app.get_text("/rapports").await;
    let listed = listed_numbers(&list);
    let expected = [
        "RDC-2026-001036",
        "RDC-2026-001028",
        "RDC-2025-001019",
        "RDC-2025-001011",
        "RDC-2025-001009",
        "RDC-2025-001003",
    ];
    assert_eq!(listed, expected);
    assert!(list.contains("Complémentaire"));
    assert!(
        list.contains("Centre d&#39;imagerie médicale des Hauts-de-Chênevières")
            || list.contains("Centre d'imagerie médicale des Hauts-de-Chênevières")
    );
    assert!(list.contains("Disponible jusqu"));
    assert!(
        list.contains("1 déc. 2028"),
        "end of availability: 24 months after publication"
    );
    assert!(list.contains("Nouveau"));
    assert!(list.contains("24 mois"));
}

#[tokio::test]
async fn list_filters_by_year_and_paginates() {
    let app = owner().await;
    let (_, all) = app.get_text("/rapports").await;
    let (_, year) = app.get_text("/rapports?annee=2025").await;
    assert!(year.contains("RDC-2025-"));
    assert!(
        !year.contains("RDC-2026-0"),
        "2026 reports listed under 2025"
    );
    assert!(all.contains("RDC-2026-"));
    let (status, _) = app
        .get_text("/rapports?annee=abc&page=-4&destinataire=%27")
        .await;
    assert_eq!(status, 200, "nonsense filters are ignored");
    let (_, other) = app.get_text("/rapports?destinataire=999").await;
    assert!(other.contains("Aucun rapport"));
}

#[tokio::test]
async fn download_supports_ranges_and_etags_and_is_recorded() {
    let app = owner().await;
    let (_, list) = app.get_text("/rapports").await;
    let id = report_id(&list, "RDC-2025-001003");
    let url = format!("/rapports/{id}/telecharger");
    let source = std::fs::read(corpus("basic/pdf/RDC-2025-001003_D0012004.pdf")).unwrap();

    let r = app.get(&url).await;
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"RDC-2025-001003_D0012004.pdf\"")
    );
    assert_eq!(h["cache-control"], "private, no-store");
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["content-length"], source.len().to_string().as_str());
    let etag = h["etag"].to_str().unwrap().to_owned();
    assert_eq!(r.bytes().await.unwrap().as_ref(), source.as_slice());

    let r = app
        .client
        .get(app.url(&url))
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(
        r.headers()["content-range"],
        format!("bytes 100-199/{}", source.len()).as_str()
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), &source[100..200]);

    let r = app
        .client
        .get(app.url(&url))
        .header("range", "bytes=-10")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        &source[source.len() - 10..]
    );

    let r = app
        .client
        .get(app.url(&url))
        .header("range", "bytes=999999-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416);

    let r = app
        .client
        .get(app.url(&url))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);

    let r = app
        .client
        .get(app.url(&url))
        .header("range", "bytes=0-9")
        .header("if-range", "\"other\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a stale If-Range gets the whole file");

    let recorded = "SELECT COUNT(*) FROM downloads d JOIN accounts a ON a.id = d.account_id
                    WHERE a.email = 'imagerie@example.net' AND d.client_addr = '127.0.0.1'";
    assert_eq!(
        app.count(recorded).await,
        2,
        "whole downloads are recorded, not resumed parts or 304s"
    );
    let (_, list) = app.get_text("/rapports?annee=2025").await;
    let row = &list[list.find("RDC-2025-001003").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        !row.contains("Nouveau"),
        "a downloaded report is no longer marked new"
    );
}

#[tokio::test]
async fn reports_of_others_and_odd_ids_are_not_found() {
    let app = owner().await;
    let other_id = app
        .count("SELECT id FROM reports WHERE number = 'RDC-2025-001001'")
        .await;
    for path in [
        format!("/rapports/{other_id}/telecharger"),
        "/rapports/999999/telecharger".to_owned(),
        "/rapports/..%2f..%2fetc%2fpasswd/telecharger".to_owned(),
        "/rapports/-1/telecharger".to_owned(),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status(), 404, "{path}");
        assert!(r.text().await.unwrap().contains("Page introuvable"));
    }
    let (anonymous, _) = app.new_browser();
    let r = anonymous
        .get(app.url(&format!("/rapports/{other_id}/telecharger")))
        .send()
        .await
        .unwrap();
    let back = format!("/connexion?retour=/rapports/{other_id}/telecharger");
    assert_eq!(
        r.url().as_str(),
        app.url(&back),
        "signing in returns to the file"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM downloads").await, 0);
}

#[tokio::test]
async fn long_lists_are_paginated_and_filtered_by_recipient() {
    let batch = crate::harness::generated_batch(&["--reports", "60", "--recipients", "1"]);
    let app = TestApp::spawn().await;
    app.import(&batch.path().join("batch/manifest.csv"))
        .await
        .unwrap();
    app.import_ok("basic/manifest.csv").await;
    let contact = "radioprotection.pre-des-eglantiers@example.org";
    app.register_owner(contact, "pcr@example.org", PASSWORD)
        .await;

    let rows = |page: &str| listed_numbers(page).len();
    let (_, first) = app.get_text("/rapports").await;
    assert_eq!(rows(&first), 25);
    assert!(first.contains("page 1 sur 3") && first.contains("href=\"/rapports?page=2\""));
    let (_, last) = app.get_text("/rapports?page=3").await;
    assert_eq!(rows(&last), 10);
    assert!(last.contains("href=\"/rapports?page=2\"") && !last.contains("page=4"));
    let first_number = listed_numbers(&first).remove(0);
    assert!(!last.contains(&first_number));

    // The same account also owns a basic/ recipient: the filter separates them.
    let invite = app.emails_to("hse.cnd@example.com").await.remove(0);
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");
    app.post("/inscription", &[("code", &code), ("number", &number)])
        .await;
    app.post("/inscription/email", &[("email", "pcr@example.org")])
        .await;
    app.post("/inscription/certification", &[("certify", "oui")])
        .await;
    let confirm = app.emails_to("pcr@example.org").await.pop().unwrap();
    app.get(&confirm.link(&format!("{}/inscription/confirmer", app.base)))
        .await;
    app.post("/inscription/confirmer", &[]).await;

    let id = app
        .count("SELECT id FROM recipients WHERE code = 'D0012005'")
        .await;
    let (_, filtered) = app.get_text(&format!("/rapports?destinataire={id}")).await;
    assert_eq!(rows(&filtered), 6);
    assert!(filtered.contains("RDC-2025-001002") && !filtered.contains("RDC-2025-1000"));
    let (_, all) = app.get_text("/rapports").await;
    assert!(all.contains("66 rapports"));
}

#[tokio::test]
async fn a_large_report_is_stored_in_parts_and_downloaded_intact() {
    let batch =
        crate::harness::generated_batch(&["--reports", "1", "--recipients", "1", "--big-mb", "12"]);
    let app = TestApp::spawn().await;
    let manifest = batch.path().join("batch/manifest.csv");
    app.import(&manifest).await.unwrap();
    let contact = "radioprotection.pre-des-eglantiers@example.org";
    app.register_owner(contact, "pcr@example.org", PASSWORD)
        .await;

    let big = std::fs::read_dir(batch.path().join("batch/pdf"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let source = std::fs::read(&big).unwrap();
    assert!(source.len() > 10 * 1024 * 1024);
    let number = big.file_name().unwrap().to_str().unwrap()[..15].to_owned();
    let (_, list) = app.get_text("/rapports").await;
    let id = report_id(&list, &number);
    let body = app
        .get(&format!("/rapports/{id}/telecharger"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(
        body.as_ref() == source.as_slice(),
        "downloaded bytes differ"
    );
    let r = app
        .client
        .get(app.url(&format!("/rapports/{id}/telecharger")))
        .header("range", "bytes=9000000-9000099")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        &source[9_000_000..9_000_100]
    );
}

#[tokio::test]
async fn weak_etags_unknown_units_and_heads_are_handled_and_not_recorded() {
    let app = owner().await;
    let (_, list) = app.get_text("/rapports").await;
    let url = app.url(&format!(
        "/rapports/{}/telecharger",
        report_id(&list, "RDC-2025-001003")
    ));
    let r = app.client.head(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();

    let weak = format!("W/{etag}");
    let r = app
        .client
        .get(&url)
        .header("if-none-match", weak)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304, "If-None-Match compares weakly");
    let r = app
        .client
        .get(&url)
        .header("range", "bytes=0-0")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM downloads").await,
        0,
        "HEAD, 304 and parts"
    );

    let r = app
        .client
        .get(&url)
        .header("range", "items=0-5")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "an unknown range unit is ignored");
    assert_eq!(app.count("SELECT COUNT(*) FROM downloads").await, 1);
}
