//! The password policy (NIST SP 800-63B): length, no obvious content, not a
//! common password. Hashing lives in `crate::auth`.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

/// Fewest characters accepted.
pub const MIN_CHARS: usize = 12;
/// Most characters accepted (never truncated).
pub const MAX_CHARS: usize = 128;

/// A password as typed, normalised (NFKC); `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Takes a typed password, normalised to NFKC.
    pub fn new(typed: &str) -> Self {
        Self(typed.nfkc().collect())
    }

    /// The normalised text, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_CHARS`] characters.
    TooShort,
    /// More than [`MAX_CHARS`] characters.
    TooLong,
    /// Contains the local part of the account's email.
    ContainsEmail,
    /// Contains the lab's name.
    ContainsLabName,
    /// In the list of common passwords.
    Common,
    /// The confirmation differs.
    Mismatch,
    /// The new password is the current one.
    Unchanged,
}

/// Checks a new password against the policy.
pub fn check(
    password: &Password,
    email_local_part: &str,
    lab_name: &str,
) -> Result<(), PasswordProblem> {
    let text = password.expose();
    let chars = text.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }

    let lower = text.to_lowercase();
    if contains_word(&lower, email_local_part) {
        return Err(PasswordProblem::ContainsEmail);
    }
    if contains_word(&lower, lab_name) {
        return Err(PasswordProblem::ContainsLabName);
    }
    if passwords::analyzer::is_common_password(&lower)
        || passwords::analyzer::is_common_password(text)
    {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// Checks a new password typed twice; the password, ready to hash.
pub fn check_new(
    typed: &str,
    confirmation: &str,
    email_local_part: &str,
    lab_name: &str,
) -> Result<Password, PasswordProblem> {
    if typed != confirmation {
        return Err(PasswordProblem::Mismatch);
    }
    let password = Password::new(typed);
    check(&password, email_local_part, lab_name)?;
    Ok(password)
}

/// Whether `haystack` contains `word`, ignoring case; words shorter than
/// three characters are ignored as they would refuse too much.
fn contains_word(haystack: &str, word: &str) -> bool {
    let word: String = word.nfkc().collect::<String>().to_lowercase();
    word.chars().count() >= 3 && haystack.contains(word.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(text: &str) -> Result<(), PasswordProblem> {
        check(&Password::new(text), "jean.dupont", "ATLAS Dosimétrie")
    }

    #[test]
    fn accepts_a_long_passphrase_of_any_characters() {
        assert_eq!(checked("cheval agrafe pile 🐴 correcte"), Ok(()));
        assert_eq!(checked(&"é".repeat(128)), Ok(()));
    }

    #[test]
    fn refuses_short_long_personal_and_common_passwords() {
        assert_eq!(checked("short"), Err(PasswordProblem::TooShort));
        assert_eq!(checked(&"x".repeat(129)), Err(PasswordProblem::TooLong));
        assert_eq!(
            checked("my jean.dupont secret"),
            Err(PasswordProblem::ContainsEmail)
        );
        assert_eq!(
            checked("atlas dosimétrie 2026"),
            Err(PasswordProblem::ContainsLabName)
        );
        assert_eq!(checked("123456789012"), Err(PasswordProblem::Common));
        assert_eq!(checked("QwertyUiop1234"), Err(PasswordProblem::Common));
    }

    #[test]
    fn normalises_compatibility_forms() {
        assert_eq!(Password::new("ｐａｓｓ").expose(), "pass");
    }
}
