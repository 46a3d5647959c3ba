//! Bulk download: one ZIP of the chosen reports, streamed, each file
//! recorded as downloaded, only reports in the account's access.

use futures::StreamExt;

use crate::harness::{TestApp, corpus, generated_batch, post_with};
use crate::journey::report_id;

const CONTACT: &str = "Secretariat.Imagerie@Example.NET";
const PASSWORD: &str = "une phrase de passe solide";

async fn owner() -> TestApp {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    app.register_owner(CONTACT, "imagerie@example.net", PASSWORD)
        .await;
    app
}

/// The entries of a ZIP: names and contents, in order. The crate marks its
/// readers deprecated in favour of a module it does not publish yet.
#[allow(deprecated)]
async fn unzip(bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let source = futures::io::Cursor::new(bytes);
    let mut reader = async_zip::base::read::seek::ZipFileReader::new(source)
        .await
        .unwrap();
    let mut entries = Vec::new();
    for i in 0..reader.file().entries().len() {
        let entry = &reader.file().entries()[i];
        assert_eq!(entry.compression(), async_zip::Compression::Stored);
        let name = entry.filename().as_str().unwrap().to_owned();
        let mut content = Vec::new();
        let mut read = reader.reader_with_entry(i).await.unwrap();
        read.read_to_end_checked(&mut content).await.unwrap();
        entries.push((name, content));
    }
    entries
}

async fn downloads_of(app: &TestApp, number: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM downloads d JOIN reports r ON r.id = d.report_id
         WHERE r.number = '{number}'"
    ))
    .await
}

async fn id_of(app: &TestApp, number: &str) -> i64 {
    app.count(&format!("SELECT id FROM reports WHERE number = '{number}'"))
        .await
}

#[tokio::test]
async fn zip_holds_the_ticked_reports_byte_for_byte_and_records_each() {
    let app = owner().await;
    let (_, list) = app.get_text("/rapports").await;
    assert!(list.contains("action=\"/rapports/archive\""));
    assert!(list.contains("name=\"rapport\""));
    let a = report_id(&list, "RDC-2025-001003");
    let b = report_id(&list, "RDC-2026-001036");

    let r = app
        .get(&format!(
            "/rapports/archive?rapport={b}&rapport={a}&rapport={a}"
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"rapports.zip\""
    );
    let entries = unzip(r.bytes().await.unwrap().to_vec()).await;

    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "RDC-2025-001003_D0012004_2025-01-01_2025-01-31.pdf",
            "RDC-2026-001036_D0012004_2026-08-01_2026-08-31.pdf",
        ]
    );
    let first = std::fs::read(corpus("basic/pdf/RDC-2025-001003_D0012004.pdf")).unwrap();
    assert!(
        entries[0].1 == first,
        "first PDF differs from the stored one"
    );
    let single = app.get(&format!("/rapports/{b}/telecharger")).await;
    assert!(entries[1].1 == single.bytes().await.unwrap().to_vec());

    assert_eq!(downloads_of(&app, "RDC-2025-001003").await, 1);
    assert_eq!(
        downloads_of(&app, "RDC-2026-001036").await,
        2,
        "zip + single"
    );
    assert_eq!(downloads_of(&app, "RDC-2025-001009").await, 0);
    let (_, list) = app.get_text("/rapports").await;
    let row = &list[list.find("RDC-2025-001003</td>").unwrap_or(0)..];
    assert!(!row.starts_with("RDC-2025-001003 <span class=\"badge\""));
}

#[tokio::test]
async fn one_click_gives_every_report_of_a_recipient_for_a_year() {
    let app = owner().await;
    let (_, list) = app.get_text("/rapports").await;
    assert!(
        !list.contains("tout=1"),
        "offered only once both filters are set"
    );
    let recipient = app
        .count("SELECT id FROM recipients WHERE code = 'D0012004'")
        .await;
    let (_, filtered) = app
        .get_text(&format!("/rapports?destinataire={recipient}&annee=2025"))
        .await;
    let link = format!("/rapports/archive?destinataire={recipient}&#38;annee=2025&#38;tout=1");
    assert!(filtered.contains(&link), "no one-click link: {filtered}");
    assert!(filtered.contains("pour 2025"));

    let r = app.get(&link.replace("&#38;", "&")).await;
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"rapports_D0012004_2025.zip\""
    );
    let entries = unzip(r.bytes().await.unwrap().to_vec()).await;
    let numbers: Vec<&str> = entries.iter().map(|(n, _)| &n[..15]).collect();
    assert_eq!(
        numbers,
        [
            "RDC-2025-001003",
            "RDC-2025-001009",
            "RDC-2025-001011",
            "RDC-2025-001019"
        ]
    );
    for (name, content) in &entries {
        let stored = corpus(&format!("basic/pdf/{}_D0012004.pdf", &name[..15]));
        assert!(*content == std::fs::read(stored).unwrap(), "{name} differs");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM downloads").await, 4);
}

#[tokio::test]
async fn reports_out_of_the_access_are_refused_like_unknown_ones() {
    let app = owner().await;
    let (_, list) = app.get_text("/rapports").await;
    let mine = report_id(&list, "RDC-2025-001003");
    let theirs = id_of(&app, "RDC-2025-001001").await;

    for query in [
        format!("rapport={theirs}"),
        format!("rapport={mine}&rapport={theirs}"),
        "rapport=999999".to_owned(),
        "rapport=abc".to_owned(),
        format!("destinataire={}&annee=2025&tout=1", {
            app.count("SELECT id FROM recipients WHERE code = 'D0012001'")
                .await
        }),
    ] {
        let r = app.get(&format!("/rapports/archive?{query}")).await;
        let status = r.status().as_u16();
        let page = r.text().await.unwrap();
        if query.starts_with("destinataire") {
            // Another's recipient has no report in this account's access.
            assert_eq!(status, 422, "{query}");
            assert!(
                page.contains("Aucun rapport n&#39;a été coché")
                    || page.contains("Aucun rapport n'a été coché")
            );
        } else {
            assert_eq!(status, 404, "{query}");
        }
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM downloads").await, 0);

    let (anonymous, _) = app.new_browser();
    let r = anonymous
        .get(app.url(&format!("/rapports/archive?rapport={mine}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/connexion");
    assert_eq!(app.count("SELECT COUNT(*) FROM downloads").await, 0);
}

#[tokio::test]
async fn nothing_ticked_or_too_many_gets_a_clear_page() {
    let app = owner().await;
    let (status, page) = app.get_text("/rapports/archive").await;
    assert_eq!(status, 422);
    assert!(page.contains("Cochez au moins un rapport"));
    assert!(page.contains("href=\"/rapports\""));

    let many: Vec<String> = (1..=201).map(|i| format!("rapport={i}")).collect();
    let (status, page) = app
        .get_text(&format!("/rapports/archive?{}", many.join("&")))
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("au plus 200 rapports"), "{page}");
    assert_eq!(app.count("SELECT COUNT(*) FROM downloads").await, 0);
}

#[tokio::test]
async fn a_delegate_zips_the_owners_reports_until_removed() {
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

    let id = id_of(&app, "RDC-2025-001003").await;
    let url = app.url(&format!("/rapports/archive?rapport={id}"));
    let r = delegate.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let entries = unzip(r.bytes().await.unwrap().to_vec()).await;
    assert_eq!(entries.len(), 1);
    let by_delegate = "SELECT COUNT(*) FROM downloads d JOIN accounts a ON a.id = d.account_id
         WHERE a.email = 'assistant@example.org'";
    assert_eq!(app.count(by_delegate).await, 1);

    let account = app.get("/compte").await.text().await.unwrap();
    let at = account.find("/compte/delegues/retirer?cle=").unwrap();
    let key = account[at..]
        .split('"')
        .next()
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap();
    app.post("/compte/delegues/retirer", &[("cle", key)]).await;

    let r = delegate.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(app.count(by_delegate).await, 1);
}

/// Imports two generated batches for one recipient, so that its archive has
/// a file of many MiB followed by a small one, and registers its owner.
async fn owner_of_a_large_archive() -> (TestApp, Vec<tempfile::TempDir>) {
    let app = TestApp::spawn().await;
    let big = generated_batch(&["--reports", "1", "--recipients", "1", "--big-mb", "32"]);
    let small = generated_batch(&[
        "--reports",
        "2",
        "--recipients",
        "1",
        "--first-number",
        "200001",
    ]);
    for batch in [&big, &small] {
        app.import(&batch.path().join("batch/manifest.csv"))
            .await
            .unwrap();
    }
    let contact = "radioprotection.pre-des-eglantiers@example.org";
    app.register_owner(contact, "eglantiers@example.org", PASSWORD)
        .await;
    (app, vec![big, small])
}

const LARGE_ORDER: [&str; 4] = [
    "RDC-2026-200001",
    "RDC-2026-100001",
    "RDC-2026-100002",
    "RDC-2026-200002",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_zip_is_whole_and_sent_while_it_is_built() {
    let (app, _batches) = owner_of_a_large_archive().await;
    let recipient = app
        .count("SELECT id FROM recipients WHERE code = 'D1000001'")
        .await;
    let url = format!("/rapports/archive?destinataire={recipient}&annee=2026&tout=1");

    // Read whole, the archive holds every file exactly.
    let r = app.get(&url).await;
    assert!(
        r.headers().get("content-length").is_none(),
        "not built first"
    );
    let entries = unzip(r.bytes().await.unwrap().to_vec()).await;
    let names: Vec<&str> = entries.iter().map(|(n, _)| &n[..15]).collect();
    assert_eq!(names, LARGE_ORDER);
    let big = &entries[2].1;
    assert!(big.len() > 32 * 1_000_000, "the large report is large");
    for (name, content) in &entries {
        let sha = app
            .text(&format!(
                "SELECT file_sha256 FROM reports WHERE number = '{}'",
                &name[..15]
            ))
            .await;
        let stored: Vec<u8> = app
            .app
            .state
            .files
            .stream(&sha, None)
            .await
            .unwrap()
            .map(|chunk| chunk.unwrap().to_vec())
            .concat()
            .await;
        assert!(*content == stored, "{name} differs from its stored file");
    }

    // Again: once the first bytes are in, the last file is taken away. The
    // archive breaks off, so that file had not been read when those bytes
    // were sent: the server writes as it reads, and buffers no archive.
    let last = app
        .text(&format!(
            "SELECT file_sha256 FROM reports WHERE number = '{}'",
            LARGE_ORDER[3]
        ))
        .await;
    let r = app.get(&url).await;
    let mut body = r.bytes_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(first.starts_with(b"PK\x03\x04"), "a ZIP begins");
    app.app.state.files.delete(&last).await.unwrap();
    let mut received = first.len();
    let mut broken = false;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(bytes) => received += bytes.len(),
            Err(_) => {
                broken = true;
                break;
            }
        }
    }
    assert!(
        broken,
        "the archive ended as if whole after {received} bytes"
    );
    assert_eq!(downloads_of(&app, LARGE_ORDER[2]).await, 2);
    assert_eq!(
        downloads_of(&app, LARGE_ORDER[3]).await,
        1,
        "a file that could not be read is not recorded"
    );
}
