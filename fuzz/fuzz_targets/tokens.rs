//! Parsing of what browsers send back (link tokens, session ids, security
//! codes, report numbers, delegate keys, second-step codes) on arbitrary text: no panic, and
//! whatever is accepted reads back as itself.

#![no_main]

use dosiport::db::DelegateKey;
use dosiport::domain::report::ReportNumber;
use dosiport::domain::second_factor;
use dosiport::domain::secret::{SecurityCode, Token};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(token) = Token::from_received(text) {
        assert_eq!(token.expose(), text);
        assert_eq!(token.hash().len(), 64);
        assert_eq!(text.len(), 43);
    }
    if let Some(code) = SecurityCode::parse(text) {
        let shown = code.display();
        let again = SecurityCode::parse(&shown).expect("a shown code parses");
        assert!(again.matches(&code.hash()));
        assert_eq!(shown.len(), 19);
    }
    if let Some(number) = ReportNumber::parse(text) {
        let again = ReportNumber::parse(number.as_str()).expect("a stored number parses");
        assert_eq!(again, number);
        assert!(number.as_str().is_ascii());
    }
    if let Some(key) = DelegateKey::decode(text) {
        assert_eq!(DelegateKey::decode(&key.encode()), Some(key));
    }
    // A second step's code: six ASCII digits, or the shape of a recovery
    // code; checked against a fixed secret at a fixed time.
    if let Some(code) = second_factor::app_code(text) {
        assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    }
    let _ = second_factor::check_app_code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", text, 1_800_000_000);
    if let Some(hash) = second_factor::recovery_hash(text) {
        assert_eq!(hash.len(), 64);
    }
});
