//! Email addresses as the portal understands them: parsed once, compared by
//! their normalised form.

use std::fmt;

use email_address::{EmailAddress, Options};
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use unicode_normalization::UnicodeNormalization;

/// Longest address accepted, in characters (RFC 5321 path limit less brackets).
const MAX_LEN: usize = 254;
/// Longest local part, in bytes (RFC 5321).
const MAX_LOCAL_LEN: usize = 64;

/// Why a text is not an acceptable email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing was typed.
    #[error("empty")]
    Empty,
    /// Longer than an address may be.
    #[error("too long")]
    TooLong,
    /// A name and an address (`Jean <jean@example.com>`) instead of an address.
    #[error("display name")]
    DisplayName,
    /// Not of the form `local@domain`.
    #[error("invalid syntax")]
    Syntax,
}

/// A valid email address, kept both as typed and in normalised form.
///
/// The normalised form (Unicode NFC, lower case, domain in its ASCII form) is
/// the one to compare and to store as a login.
#[derive(Clone)]
pub struct Email {
    original: String,
    normalized: String,
}

impl Email {
    /// Parses a typed address: surrounding white space is ignored.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let original = typed_text(input)?;
        let parsed = EmailAddress::parse_with_options(&original, options())
            .map_err(|_| EmailError::Syntax)?;
        if parsed.local_part().len() > MAX_LOCAL_LEN {
            return Err(EmailError::TooLong);
        }
        let domain = mail_domain(parsed.domain())?;
        let normalized = login(parsed.local_part(), &domain)?;
        Ok(Self {
            original,
            normalized,
        })
    }

    /// The address as it was typed (NFC, trimmed).
    pub fn original(&self) -> &str {
        &self.original
    }

    /// The normalised address: the login and the key of every comparison.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// The part before the `@`, normalised, for password checks.
    pub fn local_part(&self) -> &str {
        self.normalized
            .rsplit_once('@')
            .map_or(self.normalized.as_str(), |(local, _)| local)
    }
}

fn options() -> Options {
    Options::default().without_display_text()
}

/// The typed text, trimmed and in NFC, if it may be an address at all.
fn typed_text(input: &str) -> Result<String, EmailError> {
    let text: String = input.trim().nfc().collect();
    if text.is_empty() {
        return Err(EmailError::Empty);
    }
    if text.chars().count() > MAX_LEN {
        return Err(EmailError::TooLong);
    }
    if text.contains('<') || text.contains('>') {
        return Err(EmailError::DisplayName);
    }
    // Control and formatting characters (such as a right-to-left
    // override) would make an address display as another one.
    let unusable = |c: char| {
        c.is_control()
            || c.is_whitespace()
            || matches!(c, '\u{FFFD}' | '\u{FEFF}')
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}')
            || matches!(c, '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}')
    };
    if text.chars().any(unusable) {
        return Err(EmailError::Syntax);
    }
    Ok(text)
}

/// A mail domain as the host name it is: IDNA-mapped to ASCII, where only
/// letters, digits and inner hyphens may remain (a mapped character such as
/// U+00B4 would otherwise leave a space, U+FF61 a label starting with `-`).
fn mail_domain(domain: &str) -> Result<String, EmailError> {
    if domain.starts_with('[') {
        // An address literal: valid in RFC 5321, never a real recipient.
        return Err(EmailError::Syntax);
    }
    let ascii = Uts46::new()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::CheckFirstLast,
            DnsLength::Verify,
        )
        .map_err(|_| EmailError::Syntax)?;
    if !ascii.contains('.') || ascii.split('.').any(str::is_empty) {
        return Err(EmailError::Syntax);
    }
    Ok(ascii.into_owned())
}

/// The login of a local part at a mail domain: lower case, then NFC again,
/// as lower case can undo it (İ becomes i and a combining dot, to be ordered
/// among other marks) and lengthen it. The login must itself be a valid
/// address, so that typing it back gives the same login.
fn login(local: &str, domain: &str) -> Result<String, EmailError> {
    let local: String = local.to_lowercase().nfc().collect();
    let login = format!("{local}@{domain}");
    if local.len() > MAX_LOCAL_LEN || login.chars().count() > MAX_LEN {
        return Err(EmailError::TooLong);
    }
    EmailAddress::parse_with_options(&login, options()).map_err(|_| EmailError::Syntax)?;
    Ok(login)
}

/// Two addresses are the same when their normalised forms are.
impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        self.normalized == other.normalized
    }
}

impl Eq for Email {}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalized)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.normalized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_address_of_the_basic_corpus() {
        for input in [
            "Jean-Marc.Dupré@example.com",
            "Secretariat.Imagerie@Example.NET",
            "radioprotection@xn--exmple-cua.example.com",
            "accueil+dosimetrie@example.org",
            "n.d'hervilly@example.com",
        ] {
            assert!(Email::parse(input).is_ok(), "{input} refused");
        }
    }

    #[test]
    fn normalises_case_spaces_and_idn_domains() {
        let a = Email::parse("  Secretariat.Imagerie@Example.NET ").unwrap();
        assert_eq!(a.normalized(), "secretariat.imagerie@example.net");
        assert_eq!(a.original(), "Secretariat.Imagerie@Example.NET");

        let unicode = Email::parse("radioprotection@exämple.example.com").unwrap();
        let ascii = Email::parse("radioprotection@xn--exmple-cua.example.com").unwrap();
        assert_eq!(unicode, ascii);
    }

    #[test]
    fn a_login_parses_back_to_itself() {
        // Found by fuzzing: lower case puts a combining dot out of order.
        for typed in [
            "\u{130}\u{651}a@example.com",
            "\"\u{130}\u{611}\u{651}b\"@example.com",
        ] {
            let login = Email::parse(typed).unwrap();
            let again = Email::parse(login.normalized()).unwrap();
            assert_eq!(again.normalized(), login.normalized(), "{typed}");
        }
        // Found by fuzzing: a local part that lower case makes too long, a
        // domain label that IDNA makes start with a hyphen.
        let dotted = format!("{}@example.com", "\u{130}".repeat(32));
        assert_eq!(Email::parse(&dotted), Err(EmailError::TooLong));
        assert_eq!(Email::parse("i@x\u{FF61}-rg"), Err(EmailError::Syntax));
    }

    #[test]
    fn refuses_broken_addresses() {
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
        assert_eq!(Email::parse("jean.dupont@"), Err(EmailError::Syntax));
        assert_eq!(Email::parse("jean.dupont"), Err(EmailError::Syntax));
        assert_eq!(
            Email::parse("\u{FFFD}@example.com"),
            Err(EmailError::Syntax)
        );
        assert_eq!(Email::parse("jean\0@example.com"), Err(EmailError::Syntax));
        assert_eq!(
            Email::parse("jean dupont@example.com"),
            Err(EmailError::Syntax)
        );
        assert_eq!(
            Email::parse("\u{202E}bob@example.org"),
            Err(EmailError::Syntax)
        );
        assert_eq!(Email::parse("bob@[127.0.0.1]"), Err(EmailError::Syntax));
        // Found by fuzzing: U+00B4 maps to a space in IDNA.
        assert_eq!(
            Email::parse("r@ra`ex\u{B4}Yexe.com"),
            Err(EmailError::Syntax)
        );
        for domain in ["a_b.com", "a b.com", "ex\u{FF01}.com", "-x-.example.com"] {
            let typed = format!("bob@{domain}");
            let parsed = Email::parse(&typed).map(|e| e.normalized().to_owned());
            assert!(
                parsed
                    .as_ref()
                    .map_or(true, |n| n.bytes().all(|b| b.is_ascii_graphic())),
                "{typed}: {parsed:?}"
            );
        }
        assert_eq!(
            Email::parse("Jean <jean@example.com>"),
            Err(EmailError::DisplayName)
        );
        let long = format!(
            "{}@{}.{}.{}.{}.com",
            "a".repeat(64),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63),
            "e".repeat(50)
        );
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }
}
