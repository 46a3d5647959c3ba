//! The outbox over SMTP (INV-5): emails wait while the relay is down, then
//! leave once each; links never come from the request's Host header.

use std::io;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use dosiport::mail::transport::SMTP_CONNECTIONS;

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
    // Like a real relay, it serves more connections at once than the outbox
    // of two instances opens (a thread each here).
    server
        .with_name("relay.test")
        .with_num_threads(4 * SMTP_CONNECTIONS)
        .with_tcp_listener(listener);
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

/// A relay that keeps each message's answer until another message is being
/// sent beside it (or two seconds have passed), and notes the most messages
/// it held at once.
async fn start_waiting_relay() -> (u16, Arc<Mutex<usize>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let most = Arc::new(Mutex::new(0));
    let held = Arc::new(tokio::sync::Semaphore::new(0));
    let in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let record = most.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (most, held, in_flight) = (record.clone(), held.clone(), in_flight.clone());
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut read = BufReader::new(read);
                write.write_all(b"220 relay\r\n").await?;
                let mut line = String::new();
                while read.read_line(&mut line).await? > 0 {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    line.clear();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-relay\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                        "QUIT" => b"221 bye\r\n",
                        "DATA" => b"354 go on\r\n",
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(answer).await?;
                    if verb != "DATA" {
                        continue;
                    }
                    while read.read_line(&mut line).await? > 0 && line != ".\r\n" {
                        line.clear();
                    }
                    line.clear();
                    let now = in_flight.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                    {
                        let mut most = most.lock().unwrap();
                        *most = (*most).max(now);
                    }
                    held.add_permits(now - 1);
                    let wait =
                        tokio::time::timeout(std::time::Duration::from_secs(2), held.acquire());
                    if let Ok(Ok(permit)) = wait.await {
                        permit.forget();
                    }
                    in_flight.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    write.write_all(b"250 queued\r\n").await?;
                }
                Ok::<_, io::Error>(())
            });
        }
    });
    (port, most)
}

#[tokio::test]
async fn the_outbox_sends_several_emails_at_once() {
    let (port, most) = start_waiting_relay().await;
    let app = TestApp::spawn_with(|c| c.mail = format!("smtp://127.0.0.1:{port}")).await;
    app.import_ok("basic/manifest.csv").await;

    let pass = app.app.mailer.deliver_due().await.unwrap();

    assert_eq!((pass.sent, pass.deferred), (10, 0));
    let most = *most.lock().unwrap();
    assert!(most >= 2, "one email at a time ({most} at most)");
}
