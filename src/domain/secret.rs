//! Secrets handed to people: emailed tokens, session ids and security codes.
//! Only their SHA-256 hashes are stored; the hashes are what lookups use.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Alphabet of security codes: Crockford's base 32, without look-alikes.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters in a security code (80 bits).
const CODE_LEN: usize = 16;

/// A random token of 256 bits, as put in links and cookies.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// A new random token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Takes a token received from a browser, if it has the right shape.
    pub fn from_received(text: &str) -> Option<Self> {
        let valid = text.len() == 43
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        valid.then(|| Self(text.to_owned()))
    }

    /// The text to send.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash under which it is stored.
    pub fn hash(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

/// Prefix of every API key, so that a key pasted in the wrong place is
/// recognised for what it is.
const API_KEY_PREFIX: &str = "dpk_";

/// A key the lab's systems present to the ingest API: `dpk_` and a random
/// token of 256 bits. Shown once when made; only its hash is stored.
#[derive(Clone)]
pub struct ApiKey(Token);

impl ApiKey {
    /// A new random key.
    pub fn generate() -> Self {
        Self(Token::generate())
    }

    /// Takes a key received in a request, if it has the right shape.
    pub fn from_received(text: &str) -> Option<Self> {
        let token = text.strip_prefix(API_KEY_PREFIX)?;
        Token::from_received(token).map(Self)
    }

    /// The key to hand to the lab's system, once.
    pub fn expose(&self) -> String {
        format!("{API_KEY_PREFIX}{}", self.0.expose())
    }

    /// The hash under which it is stored.
    pub fn hash(&self) -> String {
        self.0.hash()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

/// A recipient's security code, typed by people: `XXXX-XXXX-XXXX-XXXX`.
#[derive(Clone)]
pub struct SecurityCode(String);

impl SecurityCode {
    /// A new random code.
    pub fn generate() -> Self {
        let mut bytes = [0u8; CODE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let chars = bytes
            .iter()
            .map(|b| char::from(CODE_ALPHABET[usize::from(b % 32)]))
            .collect();
        Self(chars)
    }

    /// Reads a typed code: case, spaces and dashes do not matter, and the
    /// letters O, I and L count as the digits they look like.
    pub fn parse(input: &str) -> Option<Self> {
        let mut code = String::with_capacity(CODE_LEN);
        for c in input.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !CODE_ALPHABET.contains(&(c as u8)) {
                return None;
            }
            code.push(c);
        }
        (code.len() == CODE_LEN).then_some(Self(code))
    }

    /// The code grouped by four, as shown in emails.
    pub fn display(&self) -> String {
        let groups: Vec<&str> = (0..CODE_LEN)
            .step_by(4)
            .filter_map(|i| self.0.get(i..i + 4))
            .collect();
        groups.join("-")
    }

    /// The hash under which it is stored.
    pub fn hash(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }

    /// Whether this code is the one stored as `stored_hash`, in constant time.
    pub fn matches(&self, stored_hash: &str) -> bool {
        self.hash().as_bytes().ct_eq(stored_hash.as_bytes()).into()
    }
}

impl fmt::Debug for SecurityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecurityCode(…)")
    }
}

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = Token::generate();
        let b = Token::generate();
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.expose().len(), 43);
        assert_ne!(a.hash(), a.expose());
        assert!(Token::from_received(a.expose()).is_some());
        assert!(Token::from_received(&a.expose()[..42]).is_none());
        assert!(Token::from_received("../../etc/passwd").is_none());
    }

    #[test]
    fn api_keys_are_prefixed_and_checked_by_shape() {
        let key = ApiKey::generate();
        let shown = key.expose();
        assert!(shown.starts_with("dpk_"));
        let received = ApiKey::from_received(&shown).unwrap();
        assert_eq!(received.hash(), key.hash());
        assert!(ApiKey::from_received(&shown[4..]).is_none());
        assert!(ApiKey::from_received("dpk_short").is_none());
        assert!(!format!("{key:?}").contains(&shown[4..]));
    }

    #[test]
    fn security_codes_forgive_typing_differences() {
        let code = SecurityCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 19);
        let typed = shown.to_lowercase().replace('-', " ");
        let parsed = SecurityCode::parse(&typed).unwrap();
        assert!(parsed.matches(&code.hash()));
        assert!(!SecurityCode::generate().matches(&code.hash()));
        assert!(SecurityCode::parse("ABC").is_none());
        assert!(SecurityCode::parse("ÀBCD-EFGH-JKMN-PQRS").is_none());
    }
}
