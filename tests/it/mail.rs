//! The outbox over SMTP (INV-5): emails wait while the relay is down, then
//! leave once each; links never come from the request's Host header.

use std::io;
use std::sync::{Arc, Mutex};

use chrono::Duration;

use crate::harness::TestApp;

/// Messages received: envelope recipients and raw data.
pub type Received = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// Records every message a real SMTP server on 127.0.0.1 receives.
#[derive(Clone, Default)]
struct Recorder {
    messages: Received,
    current: Option<(Vec<String>, String)>,
}

impl mailin_embedded::Handler for Recorder {
    fn data_start(
        &mut self,
        _: &str,
        _: &str,
        _: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.current = Some((to.to_vec(), String::new()));
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some((_, data)) = self.current.as_mut() {
            data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        if let Some(message) = self.current.take() {
            self.messages.lock().unwrap().push(message);
        }
        mailin_embedded::response::OK
    }
}

pub fn start_smtp_server(listener: std::net::TcpListener) -> Received {
    let recorder = Recorder::default();
    let messages = recorder.messages.clone();
    let mut server = mailin_embedded::Server::new(recorder);
    server.with_name("relay.test").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    messages
}

#[tokio::test]
async fn emails_wait_for_a_relay_that_is_down_then_leave_once() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let app = TestApp::spawn_with(|c| c.mail = format!("smtp://127.0.0.1:{port}")).await;
    app.import_ok("basic/manifest.csv").await;

    // The relay is down: every invitation stays queued for later.
    let pass = app.app.mailer.deliver_due().await.unwrap();
    assert_eq!((pass.sent, pass.deferred), (0, 10));
    let waiting = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND attempts = 1";
    assert_eq!(app.count(waiting).await, 10);
    let pass = app.app.mailer.deliver_due().await.unwrap();
    assert_eq!(pass.sent + pass.deferred, 0, "retried before its time");

    // The relay comes back; after the backoff everything leaves.
    let messages = start_smtp_server(std::net::TcpListener::bind(("127.0.0.1", port)).unwrap());
    app.clock.advance(Duration::seconds(31));
    app.app.mailer.deliver_due().await.unwrap();
    app.clock.advance(Duration::hours(2));
    app.app.mailer.deliver_due().await.unwrap();

    let received = messages.lock().unwrap().clone();
    // The non-ASCII address needs an SMTPUTF8 relay, which this one is not:
    // it is set aside as failed rather than retried for ever.
    assert_eq!(received.len(), 9);
    let mut recipients: Vec<String> = received.iter().flat_map(|(to, _)| to.clone()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 9, "an email was sent twice");
    assert!(
        received
            .iter()
            .all(|(_, data)| data.contains("multipart/alternative"))
    );
    let failed = "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL AND to_addr = 'Jean-Marc.Dupré@example.com'";
    assert_eq!(app.count(failed).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL")
            .await,
        9
    );
    let emptied = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND params <> '{}'";
    assert_eq!(
        app.count(emptied).await,
        0,
        "sent emails keep their codes in the database"
    );
}

#[tokio::test]
async fn links_in_emails_ignore_the_requests_host_header() {
    let app = TestApp::spawn().await;
    app.import_ok("basic/manifest.csv").await;
    let invite = app.emails_to("pcr.radiologie@example.org").await.remove(0);
    let code = invite.value_after("Code de sécurité :");
    let number = invite.value_after("Numéro de rapport :");

    app.get("/").await;
    let csrf = crate::harness::cookie(&app.jar, &app.base, "dosiport_csrf").unwrap();
    for (path, fields) in [
        (
            "/inscription",
            vec![("code", code.as_str()), ("number", number.as_str())],
        ),
        ("/inscription/email", vec![("email", "pcr@example.org")]),
        ("/inscription/certification", vec![("certify", "oui")]),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        app.client
            .post(app.url(path))
            .header("host", "evil.example.com")
            .header("x-forwarded-host", "evil.example.com")
            .header("forwarded", "host=evil.example.com")
            .form(&form)
            .send()
            .await
            .unwrap();
    }
    let confirm = app.emails_to("pcr@example.org").await.pop().unwrap();
    assert!(!confirm.text.contains("evil") && !confirm.html.contains("evil"));
    assert!(
        confirm
            .text
            .contains(&format!("{}/inscription/confirmer?jeton=", app.base))
    );
}
