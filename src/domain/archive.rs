//! Names of the files in a ZIP of reports: clear to a reader, unique in the
//! archive, and safe to unpack on any system.

use std::collections::HashSet;

/// The name of a report in an archive: its number, its recipient's code and
/// its period, as `RDC-2025-001001_D0012004_2025-01-01_2025-03-31.pdf`.
pub fn entry_name(number: &str, recipient_code: &str, start: &str, end: &str) -> String {
    format!(
        "{}_{}_{}_{}.pdf",
        safe(number),
        safe(recipient_code),
        safe(start),
        safe(end)
    )
}

/// Keeps letters, digits, `-` and `.` of ASCII; anything else, which could
/// name a folder or mean something to a shell or a file system, becomes `_`.
/// A leading dot would hide the file on some systems and is replaced too.
pub fn safe(part: &str) -> String {
    let cleaned: String = part
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.strip_prefix('.') {
        Some(rest) => format!("_{rest}"),
        None if cleaned.is_empty() => "_".to_owned(),
        None => cleaned,
    }
}

/// Hands out names, adding `_2`, `_3`… before the extension to a name
/// already given, so that no file of an archive hides another.
#[derive(Debug, Default)]
pub struct UniqueNames {
    given: HashSet<String>,
}

impl UniqueNames {
    /// `wanted`, or the first free variant of it.
    pub fn give(&mut self, wanted: String) -> String {
        let (stem, extension) = match wanted.rsplit_once('.') {
            Some((stem, extension)) => (stem.to_owned(), format!(".{extension}")),
            None => (wanted.clone(), String::new()),
        };
        let mut name = wanted;
        let mut n = 1;
        while !self.given.insert(name.clone()) {
            n += 1;
            name = format!("{stem}_{n}{extension}");
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_number_recipient_and_period() {
        let name = entry_name("RDC-2025-001001", "D0012004", "2025-01-01", "2025-03-31");
        assert_eq!(name, "RDC-2025-001001_D0012004_2025-01-01_2025-03-31.pdf");
    }

    #[test]
    fn nothing_in_a_name_can_leave_the_folder_or_hide() {
        assert_eq!(safe("../../etc/passwd"), "_._.._etc_passwd");
        assert_eq!(safe("C:\\x y"), "C__x_y");
        assert_eq!(safe(".hidden"), "_hidden");
        assert_eq!(safe("Chênevières"), "Ch_nevi_res");
        assert_eq!(safe(""), "_");
        let name = entry_name("a/b", "..", "x\0", "é");
        assert!(!name.contains('/') && !name.contains('\0') && !name.starts_with('.'));
    }

    #[test]
    fn a_name_given_twice_gets_a_suffix() {
        let mut names = UniqueNames::default();
        assert_eq!(names.give("a.pdf".to_owned()), "a.pdf");
        assert_eq!(names.give("a.pdf".to_owned()), "a_2.pdf");
        assert_eq!(names.give("a.pdf".to_owned()), "a_3.pdf");
        assert_eq!(names.give("a_2.pdf".to_owned()), "a_2_2.pdf");
        assert_eq!(names.give("plain".to_owned()), "plain");
        assert_eq!(names.give("plain".to_owned()), "plain_2");
    }
}
