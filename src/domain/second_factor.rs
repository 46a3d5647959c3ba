//! Second factors with no I/O: authenticator-app codes (RFC 6238, the
//! settings every app understands), their enrolment QR code, and recovery
//! codes.

use totp_rs::{Builder, Secret, Totp};

use super::secret::SecurityCode;

/// Recovery codes made at a time.
pub const RECOVERY_CODES: usize = 10;

/// A new shared secret for an authenticator app, base32 (160 bits).
pub fn new_app_secret() -> String {
    Secret::generate().to_base32()
}

/// The app's generator for a stored secret; `label` names the account in
/// the app, `issuer` the portal.
fn generator(secret: &str, label: &str, issuer: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    // An issuer or a label with a colon cannot go in an otpauth URI.
    let clean = |text: &str| text.replace(':', " ");
    Builder::new()
        .with_secret(secret)
        .with_account_name(clean(label))
        .with_issuer(Some(clean(issuer)))
        .build()
        .ok()
}

/// What a person types as the app's code: six digits, spaces allowed.
pub fn app_code(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == 6 && code.chars().all(|c| c.is_ascii_digit())).then_some(code)
}

/// The time step whose code `typed` is, for the secret at Unix time `now`
/// (the step before and after are accepted too, for clocks that drift).
pub fn check_app_code(secret: &str, typed: &str, now: i64) -> Option<i64> {
    let code = app_code(typed)?;
    let generator = generator(secret, "account", "portal")?;
    let step = generator.check(&code, u64::try_from(now).ok()?)?;
    i64::try_from(step).ok()
}

/// The code an app shows for `secret` at Unix time `now` (for tests and
/// the lab's own checks).
pub fn app_code_at(secret: &str, now: i64) -> Option<String> {
    let generator = generator(secret, "account", "portal")?;
    Some(generator.generate(u64::try_from(now).ok()?).to_string())
}

/// The `otpauth://` address an app scans.
pub fn app_uri(secret: &str, label: &str, issuer: &str) -> Option<String> {
    generator(secret, label, issuer)?.to_url().ok()
}

/// The secret grouped by four characters, for typing it by hand.
pub fn grouped(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A QR code of `text` as an SVG element, to put inline in a page.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let start = svg.find("<svg ")?;
    Some(svg[start..].to_owned())
}

/// A new set of recovery codes, as shown once, and the hashes to store.
pub fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    (0..RECOVERY_CODES)
        .map(|_| {
            let code = SecurityCode::generate();
            (code.display(), code.hash())
        })
        .unzip()
}

/// The hash of a typed recovery code, if it has the shape of one.
pub fn recovery_hash(typed: &str) -> Option<String> {
    SecurityCode::parse(typed).map(|code| code.hash())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_codes_follow_rfc_6238() {
        // RFC 6238's SHA-1 test secret and its 8-digit values, of which an
        // app shows the last six.
        let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assert_eq!(app_code_at(secret, 59).unwrap(), "287082");
        assert_eq!(app_code_at(secret, 1_111_111_109).unwrap(), "081804");
        assert_eq!(app_code_at(secret, 2_000_000_000).unwrap(), "279037");
    }

    #[test]
    fn a_code_is_accepted_one_step_early_or_late_only() {
        let secret = new_app_secret();
        let now = 1_800_000_000;
        let code = app_code_at(&secret, now).unwrap();
        let step = now / 30;
        assert_eq!(check_app_code(&secret, &code, now), Some(step));
        assert_eq!(check_app_code(&secret, &code, now + 30), Some(step));
        assert_eq!(check_app_code(&secret, &code, now - 30), Some(step));
        assert_eq!(check_app_code(&secret, &code, now + 90), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(check_app_code(&secret, &spaced, now), Some(step));
        for wrong in ["", "12345", "1234567", "abcdef", "+12345", "١٢٣٤٥٦"] {
            assert_eq!(check_app_code(&secret, wrong, now), None, "{wrong}");
        }
    }

    #[test]
    fn the_enrolment_uri_names_the_portal_and_account() {
        let secret = new_app_secret();
        let uri = app_uri(&secret, "pcr@example.org", "ATLAS: Dosimétrie").unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains(&format!("secret={secret}")), "{uri}");
        assert!(uri.contains("pcr%40example.org") || uri.contains("pcr@example.org"));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "{svg}");
    }

    #[test]
    fn recovery_codes_are_random_and_read_loosely() {
        let (codes, hashes) = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = hashes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for (code, hash) in codes.iter().zip(&hashes) {
            assert_eq!(recovery_hash(code).as_ref(), Some(hash));
            let loose = code.to_lowercase().replace('-', " ");
            assert_eq!(recovery_hash(&loose).as_ref(), Some(hash));
        }
        assert_eq!(recovery_hash("123456"), None);
    }
}
