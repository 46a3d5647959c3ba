//! Email parsing on arbitrary text: an accepted address has a normalised
//! form that is short, printable, a host name after the `@`, and stable
//! (parsing it again gives itself), so one login never has two spellings.

#![no_main]

use dosiport::domain::Email;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(email) = Email::parse(text) else {
        return;
    };
    let login = email.normalized();
    assert!(login.chars().count() <= 254, "{login:?}");
    assert!(
        !login.chars().any(|c| c.is_control() || c.is_whitespace()),
        "{login:?}"
    );
    assert!(!login.contains(['<', '>']), "{login:?}");
    let (_, domain) = login.rsplit_once('@').expect("an @");
    let host = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.';
    assert!(domain.bytes().all(host), "{login:?}");

    let again = Email::parse(login).expect("a login parses again");
    assert_eq!(again.normalized(), login, "not stable: {text:?}");
    let spaced = Email::parse(&format!("  {text}\t")).expect("spaces around");
    assert_eq!(spaced.normalized(), login);
});
