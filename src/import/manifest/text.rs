//! From the manifest's bytes to text that can be trusted: its encoding, its
//! separator, and a quote that never closes.

use encoding_rs::WINDOWS_1252;

use super::header;
use super::problem::{Encoding, ProblemKind};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes the manifest: UTF-8 (with or without BOM), else Windows-1252,
/// which is what a French spreadsheet saves. Anything that does not start
/// with a manifest header is refused before decoding, so no binary content
/// ever reaches a message.
pub(super) fn decode(bytes: &[u8]) -> Result<String, ProblemKind> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ProblemKind::BadEncoding(Encoding::Utf16));
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ProblemKind::EmptyManifest);
    }
    if !header::looks_like_header(first_line(bytes)) {
        return Err(ProblemKind::NotCsvText);
    }

    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => decode_windows_1252(bytes),
    }
}

/// Windows-1252 is only believed when nothing says otherwise: no NUL byte
/// (binary), no UTF-8 sequence (a file edited in two tools), and none of the
/// five bytes Windows-1252 leaves undefined.
fn decode_windows_1252(bytes: &[u8]) -> Result<String, ProblemKind> {
    if bytes.contains(&0) {
        return Err(ProblemKind::NotCsvText);
    }
    if has_utf8_sequences(bytes) {
        return Err(ProblemKind::BadEncoding(Encoding::Mixed));
    }

    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    if text.chars().any(|c| ('\u{80}'..='\u{9F}').contains(&c)) {
        return Err(ProblemKind::BadEncoding(Encoding::Unknown));
    }
    Ok(text.into_owned())
}

/// Whether some non-ASCII character is validly encoded in UTF-8.
fn has_utf8_sequences(bytes: &[u8]) -> bool {
    bytes.utf8_chunks().any(|chunk| !chunk.valid().is_ascii())
}

fn first_line(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == b'\n').next().unwrap_or(bytes)
}

/// The separator, read from the header: `;` if it has more of them than
/// commas (what a French spreadsheet writes), else `,`.
pub(super) fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// Where a quoted field opens without ever closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OpenQuote {
    /// 1-based line of the opening quote.
    pub line: usize,
    /// 0-based record (the header is record 0, so this is the data row).
    pub record: usize,
    /// 0-based position of the field in its record.
    pub field: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Finds a quoted field left open at the end of the text. A CSV reader
/// silently takes everything up to the end of the file into such a field;
/// this scan follows the same rules (quotes open a field only at its start,
/// `""` inside quotes is a quote, empty lines are skipped) to say where the
/// quote opened.
pub(super) fn unterminated_quote(text: &str, delimiter: u8) -> Option<OpenQuote> {
    let mut state = State::RecordStart;
    let mut open = OpenQuote {
        line: 1,
        record: 0,
        field: 0,
    };
    let (mut line, mut records, mut field) = (1, 0_usize, 0);

    for &byte in text.as_bytes() {
        if state == State::RecordStart && !matches!(byte, b'\r' | b'\n') {
            (records, field, state) = (records + 1, 0, State::FieldStart);
        }
        state = match (state, byte) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => {
                open = OpenQuote {
                    line,
                    record: records.saturating_sub(1),
                    field,
                };
                State::Quoted
            }
            (_, b'\r' | b'\n') => State::RecordStart,
            (_, b) if b == delimiter => {
                field += 1;
                State::FieldStart
            }
            _ => State::Unquoted,
        };
        if byte == b'\n' {
            line += 1;
        }
    }
    (state == State::Quoted).then_some(open)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_accents_and_punctuation_come_out_right() {
        let bytes =
            b"report_number;x\r\nC\x9cur \x96 l\x92\xc9t\xe9 \xab\xa0Les \x8cillets\xa0\xbb\r\n";
        let text = decode(bytes).unwrap();
        assert!(text.contains("Cœur – l’Été «\u{a0}Les Œillets\u{a0}»"));
    }

    #[test]
    fn bom_is_dropped_and_utf8_kept() {
        let text = decode("\u{feff}report_number,file\né\n".as_bytes()).unwrap();
        assert_eq!(text, "report_number,file\né\n");
    }

    #[test]
    fn utf8_mixed_with_latin_bytes_is_refused() {
        let bytes = b"report_number,file\n\xc3\xa9t\xe9\n";
        assert_eq!(
            decode(bytes),
            Err(ProblemKind::BadEncoding(Encoding::Mixed))
        );
    }

    #[test]
    fn utf16_is_refused_with_its_name() {
        let bytes = b"\xFF\xFEr\0e\0p\0";
        assert_eq!(
            decode(bytes),
            Err(ProblemKind::BadEncoding(Encoding::Utf16))
        );
    }

    #[test]
    fn separator_is_read_from_the_header() {
        assert_eq!(delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(delimiter("a,b,c\n1;2;3"), b',');
    }

    #[test]
    fn closed_quotes_are_fine_even_across_lines() {
        let text = "a,b\n1,\"x,\"\"y\"\"\"\n2,\"multi\nline\"\n3,z\"\n";
        assert_eq!(unterminated_quote(text, b','), None);
    }

    #[test]
    fn an_open_quote_is_found_on_its_line_and_field() {
        let text = "a,b,c\r\n\r\n1,2,3\r\n4,\"5,6\r\n7,8,9\r\n";
        let open = unterminated_quote(text, b',').unwrap();
        assert_eq!(
            open,
            OpenQuote {
                line: 4,
                record: 2,
                field: 1
            }
        );
    }
}
