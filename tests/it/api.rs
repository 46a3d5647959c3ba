//! The ingest API (OPS-1): batches sent over HTTP land exactly as with
//! `dosiport import`, broken ones get the same problems and change nothing,
//! keys are checked and refused keys throttled, bad uploads get JSON 4xx.

use std::path::Path;

use chrono::Duration;
use dosiport::admin;
use dosiport::domain::Lang;
use dosiport::import::commit::ImportError;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::harness::{TestApp, corpus};
use crate::import::{BROKEN, assert_matches_expected, counts};

/// A key made as the lab makes one: `dosiport admin api-key create`.
pub async fn api_key(app: &TestApp, name: &str) -> String {
    let args = admin::parse(["api-key", "create", name, "--json"]).unwrap();
    let mut out = Vec::new();
    admin::run(&app.app, args, &mut out).await.unwrap();
    let created: Value = serde_json::from_slice(&out).unwrap();
    created["key"].as_str().unwrap().to_owned()
}

/// A batch as a form: the manifest, and every other file of its folder
/// named by its path in the folder.
pub fn batch_form(manifest: &Path) -> Form {
    let folder = manifest.parent().unwrap();
    let mut form = Form::new()
        .percent_encode_noop()
        .part("manifest", file_part(manifest, "manifest.csv"));
    let mut files = Vec::new();
    collect(folder, folder, &mut files);
    files.sort();
    for (path, name) in files {
        if path != manifest {
            form = form.part("files", file_part(&path, &name));
        }
    }
    form
}

fn file_part(path: &Path, name: &str) -> Part {
    Part::bytes(std::fs::read(path).unwrap()).file_name(name.to_owned())
}

fn collect(root: &Path, folder: &Path, out: &mut Vec<(std::path::PathBuf, String)>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((path, name));
        }
    }
}

/// Posts a form to the batches endpoint; the status and the JSON answer.
async fn post_batch(app: &TestApp, key: Option<&str>, form: Form) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(app.url("/api/v1/batches"))
        .multipart(form);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/json", "{status}");
    (status, response.json().await.unwrap())
}

async fn upload(app: &TestApp, key: &str, manifest: &str) -> (u16, Value) {
    post_batch(app, Some(key), batch_form(&corpus(manifest))).await
}

fn uploads_left(app: &TestApp) -> usize {
    std::fs::read_dir(app.dir.path().join("uploads"))
        .map(Iterator::count)
        .unwrap_or(0)
}

#[tokio::test]
async fn good_batches_land_exactly_as_with_the_command_and_only_once() {
    let app = TestApp::spawn().await;
    let key = api_key(&app, "erp").await;

    let (status, body) = upload(&app, &key, "basic/manifest.csv").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "published");
    assert_eq!(body["reports_added"], 41);
    assert_eq!(body["recipients_invited"], 10);
    assert_matches_expected(&app, "basic/expected.json").await;
    assert_eq!(app.emails().await.len(), 10);
    assert_eq!(app.text("SELECT source FROM batches").await, "api:erp");

    let (status, body) = upload(&app, &key, "basic/manifest.csv").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("nothing_new"))
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM batches").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 10);

    // Both encodings of the French spreadsheet, as the command reads them.
    let (status, body) = upload(&app, &key, "excel-fr/manifest.csv").await;
    assert_eq!((status, body["reports_added"].as_i64()), (201, Some(10)));
    assert_matches_expected(&app, "excel-fr/expected.json").await;
    let (status, _) = upload(&app, &key, "excel-fr/utf8-bom.csv").await;
    assert_eq!(status, 200);
    let audit = "SELECT COUNT(*) FROM audit WHERE event = 'batch_imported'";
    assert_eq!(app.count(audit).await, 2);
    assert_eq!(uploads_left(&app), 0, "an upload left on disk");
}

#[tokio::test]
async fn broken_batches_get_the_commands_problems_and_change_nothing() {
    for (case, _) in BROKEN {
        let app = TestApp::spawn().await;
        let key = api_key(&app, "erp").await;
        if case == "conflict-with-basic" {
            app.import_ok("basic/manifest.csv").await;
        }
        let before = counts(&app).await;
        let manifest = format!("bad/{case}/manifest.csv");

        let Err(ImportError::Refused(expected)) = app.import(&corpus(&manifest)).await else {
            panic!("{case}: the command accepted it");
        };
        let (status, body) = upload(&app, &key, &manifest).await;
        assert_eq!(status, 422, "{case}: {body}");
        assert_eq!(body["error"], "batch_refused");
        let problems = body["problems"].as_array().unwrap();
        let messages: Vec<&str> = problems
            .iter()
            .map(|p| p["message"].as_str().unwrap())
            .collect();
        let wanted: Vec<String> = expected.iter().map(|p| p.message(Lang::Fr)).collect();
        assert_eq!(messages, wanted, "{case}");
        for (problem, wanted) in problems.iter().zip(&expected) {
            assert_eq!(problem["code"], wanted.code(), "{case}");
            assert_eq!(
                problem["row"].as_u64(),
                wanted.row.map(|r| r as u64),
                "{case}"
            );
            assert_eq!(problem["field"].as_str(), wanted.field, "{case}");
        }
        assert_eq!(counts(&app).await, before, "{case}: rows changed");
        assert_eq!(uploads_left(&app), 0, "{case}: upload left on disk");
    }
}

#[tokio::test]
async fn problems_are_in_english_when_the_client_prefers_it() {
    let app = TestApp::spawn().await;
    let key = api_key(&app, "erp").await;
    let form = batch_form(&corpus("bad/png-renamed-pdf/manifest.csv"));
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/batches"))
        .bearer_auth(&key)
        .header("accept-language", "en-GB,en;q=0.9,fr;q=0.5")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["problems"][0]["message"],
        "line 3 (row 2), field \"file\": this file is not a PDF"
    );
    assert_eq!(body["problems"][0]["code"], "not_pdf");
}

#[tokio::test]
async fn missing_wrong_malformed_or_revoked_keys_get_401_and_change_nothing() {
    let app = TestApp::spawn().await;
    let key = api_key(&app, "erp").await;
    let form = || batch_form(&corpus("basic/manifest.csv"));

    let (status, body) = post_batch(&app, None, form()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    let unknown = format!("dpk_{}", "A".repeat(43));
    for wrong in [unknown.as_str(), "dpk_short", &key[4..], ""] {
        let (status, _) = post_batch(&app, Some(wrong), form()).await;
        assert_eq!(status, 401, "{wrong:?}");
    }
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/batches"))
        .basic_auth("erp", Some(&key))
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "a key in the wrong scheme");
    assert_eq!(response.headers()["www-authenticate"], "Bearer");

    // A signed-in browser's cookies are no key.
    app.import_ok("excel-fr/manifest.csv").await;
    app.register_owner(
        "Jean-Marc.Dupré@example.com",
        "dupre@example.com",
        "une phrase de passe solide",
    )
    .await;
    let response = app
        .client
        .post(app.url("/api/v1/batches"))
        .multipart(form())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    let (status, _) = admin_revoke(&app, "erp").await;
    assert_eq!(status, admin::Status::Done);
    let (status, _) = post_batch(&app, Some(&key), form()).await;
    assert_eq!(status, 401, "a revoked key");
    assert_eq!(app.count("SELECT COUNT(*) FROM batches").await, 1);

    let fresh = api_key(&app, "erp").await;
    let (status, _) = post_batch(&app, Some(&fresh), form()).await;
    assert_eq!(status, 201);
    let used = "SELECT COUNT(*) FROM api_keys WHERE last_used_at IS NOT NULL";
    assert_eq!(app.count(used).await, 1);
}

async fn admin_revoke(app: &TestApp, name: &str) -> (admin::Status, String) {
    let args = admin::parse(["api-key", "revoke", name]).unwrap();
    let mut out = Vec::new();
    let status = admin::run(&app.app, args, &mut out).await.unwrap();
    (status, String::from_utf8(out).unwrap())
}

#[tokio::test]
async fn refused_keys_are_throttled_per_address_then_forgiven() {
    let app = TestApp::spawn().await;
    let key = api_key(&app, "erp").await;
    let tiny = || Form::new().text("manifest", "");
    for _ in 0..30 {
        let (status, _) = post_batch(&app, Some("dpk_guess"), tiny()).await;
        assert_eq!(status, 401);
    }
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/batches"))
        .bearer_auth(&key)
        .multipart(tiny())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429, "even a good key waits");
    let retry: i64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");

    app.clock.advance(Duration::minutes(16));
    let (status, body) = post_batch(&app, Some(&key), tiny()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["problems"][0]["code"], "empty_manifest");
}

#[tokio::test]
async fn uploads_that_cannot_be_a_batch_get_json_4xx_and_leave_nothing() {
    let app = TestApp::spawn_with(|c| c.api_batch_limit_mib = 1).await;
    let key = api_key(&app, "erp").await;
    let client = reqwest::Client::new();
    let url = app.url("/api/v1/batches");

    let response = client
        .post(&url)
        .bearer_auth(&key)
        .header("content-type", "text/csv")
        .body("report_number\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);

    let pdf = || Part::bytes(b"%PDF-1.4".to_vec());
    let cases: Vec<(Form, &str)> = vec![
        (
            Form::new().part("files", pdf().file_name("a.pdf")),
            "manifest part is missing",
        ),
        (
            Form::new().text("manifest", "x").text("comment", "x"),
            "Unknown part \"comment\"",
        ),
        (
            Form::new()
                .percent_encode_noop()
                .text("manifest", "x")
                .part("files", pdf().file_name("../outside.pdf")),
            "not a relative path",
        ),
        (
            Form::new()
                .percent_encode_noop()
                .text("manifest", "x")
                .part("files", pdf().file_name("/etc/passwd")),
            "not a relative path",
        ),
        (
            Form::new()
                .text("manifest", "x")
                .part("files", pdf().file_name("a.pdf"))
                .part("files", pdf().file_name("a.pdf")),
            "sent twice",
        ),
        (
            Form::new().text("manifest", "x").part("files", pdf()),
            "needs a file name",
        ),
        (
            Form::new().text("manifest", "x").text("manifest", "y"),
            "one manifest part",
        ),
    ];
    for (form, message) in cases {
        let (status, body) = post_batch(&app, Some(&key), form).await;
        assert_eq!(status, 400, "{message}: {body}");
        assert_eq!(body["error"], "bad_request");
        let said = body["message"].as_str().unwrap();
        assert!(said.contains(message), "{said}");
    }

    let big = Part::bytes(vec![b'%'; 1024 * 1024 + 1]).file_name("big.pdf");
    let form = Form::new().text("manifest", "x").part("files", big);
    let (status, body) = post_batch(&app, Some(&key), form).await;
    assert_eq!((status, body["error"].as_str()), (413, Some("too_large")));

    assert_eq!(counts(&app).await, [0, 0, 0, 0, 0]);
    assert_eq!(uploads_left(&app), 0);
}

#[tokio::test]
async fn the_openapi_document_is_served_and_unknown_routes_answer_json() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let document: Value = response.json().await.unwrap();
    assert_eq!(
        document["paths"]["/api/v1/batches"]["post"]["security"][0]["apiKey"],
        serde_json::json!([])
    );

    let response = app.get("/api/v1/reports").await;
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}
