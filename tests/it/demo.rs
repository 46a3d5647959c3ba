//! `serve --demo`: a batch made on the spot, loaded once.

use dosiport::db::Store;

use crate::harness::TestApp;

#[tokio::test]
async fn demo_batch_is_not_added_to_a_portal_with_reports() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    dosiport::demo::load(&app.app).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 41);
}

#[tokio::test]
async fn demo_batch_loads_once_and_invites_its_recipients() {
    let app = TestApp::spawn().await;
    dosiport::demo::load(&app.app).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 6);
    let invites = app.emails().await;
    assert_eq!(invites.len(), 3);
    assert!(
        invites
            .iter()
            .all(|e| e.text.contains("Code de sécurité :"))
    );

    dosiport::demo::load(&app.app).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM reports").await, 6);
    assert_eq!(app.emails().await.len(), 3);

    let store: &dyn Store = app.app.state.store.as_ref();
    let found = store.recipient_for_report("RDC-2026-990001").await.unwrap();
    assert!(found.is_some_and(|r| r.recipient_name.contains("Démonstration")));
}

#[tokio::test]
async fn the_production_example_opens_its_mail_relay_and_storage_settings() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/dosiport.toml");
    let config = dosiport::config::Config::load(Some(&path)).unwrap();
    dosiport::mail::transport::Transport::from_setting(&config.mail).unwrap();
    dosiport::storage::FileStore::open(&config.storage).unwrap();
}
