//! The inputs kept under `fuzz/seeds/` (the fuzzers' starting points and
//! every crash they found) hold the fuzz targets' properties in every
//! `cargo test`, without the fuzzing toolchain.

use std::path::{Path, PathBuf};

use dosiport::db::DelegateKey;
use dosiport::domain::report::ReportNumber;
use dosiport::domain::second_factor;
use dosiport::domain::secret::{SecurityCode, Token};
use dosiport::domain::{Email, Lang};
use dosiport::import::read_batch_bytes;

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut found: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    found.sort();
    assert!(found.len() >= 3, "{target}: seeds missing");
    found
}

#[test]
fn email_seeds_give_stable_logins_on_host_names() {
    for (path, bytes) in seeds("email") {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let Ok(email) = Email::parse(text) else {
            continue;
        };
        let login = email.normalized();
        let (_, domain) = login.rsplit_once('@').unwrap();
        assert!(
            domain
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b)),
            "{path:?}: {login:?}"
        );
        let again = Email::parse(login).unwrap();
        assert_eq!(again.normalized(), login, "{path:?}");
    }
}

#[test]
fn token_seeds_read_back_as_themselves() {
    for (path, bytes) in seeds("tokens") {
        let text = String::from_utf8(bytes).unwrap();
        let mut accepted = 0;
        if let Some(token) = Token::from_received(&text) {
            assert_eq!(token.expose(), text);
            accepted += 1;
        }
        if let Some(code) = SecurityCode::parse(&text) {
            assert!(
                SecurityCode::parse(&code.display())
                    .unwrap()
                    .matches(&code.hash())
            );
            accepted += 1;
        }
        if let Some(number) = ReportNumber::parse(&text) {
            assert_eq!(ReportNumber::parse(number.as_str()), Some(number));
            accepted += 1;
        }
        if let Some(key) = DelegateKey::decode(&text) {
            assert_eq!(DelegateKey::decode(&key.encode()), Some(key));
            accepted += 1;
        }
        if let Some(code) = second_factor::app_code(&text) {
            assert_eq!(code.len(), 6);
            accepted += 1;
        }
        assert!(accepted > 0, "{path:?} is no seed of anything");
    }
}

#[test]
fn manifest_seeds_get_printable_problems() {
    let folder = tempfile::tempdir().unwrap();
    for (path, bytes) in seeds("manifest") {
        let Err(problems) = read_batch_bytes(&bytes, &folder.path().join("manifest.csv")) else {
            continue;
        };
        for problem in problems {
            for lang in [Lang::Fr, Lang::En] {
                let message = problem.message(lang);
                assert!(
                    !message.chars().any(char::is_control),
                    "{path:?}: {message:?}"
                );
            }
        }
    }
}
