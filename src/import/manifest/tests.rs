//! The corpus of shared/: the valid batches match their expected.json, and
//! each bad batch is refused on exactly the rows and fields its README names.

use std::fs;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;
use crate::domain::{EmailError, Lang};

fn corpus(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")).join(path)
}

fn refused(case: &str) -> Vec<Problem> {
    let manifest = corpus(&format!("bad/{case}/manifest.csv"));
    match read_batch(&manifest) {
        Ok(rows) => panic!("{case}: accepted {} rows", rows.len()),
        Err(problems) => problems,
    }
}

/// (row, field) of each problem, in order.
fn places(problems: &[Problem]) -> Vec<(Option<usize>, Option<&'static str>)> {
    problems.iter().map(|p| (p.row, p.field)).collect()
}

fn row_as_json(row: &BatchRow, folder: &Path) -> Value {
    let file = row.file.strip_prefix(folder).unwrap();
    json!({
        "report_number": row.report_number.as_str(),
        "recipient_code": row.recipient_code.as_str(),
        "recipient_name": row.recipient_name,
        "recipient_email": row.recipient_email.original(),
        "period_start": row.period_start.to_string(),
        "period_end": row.period_end.to_string(),
        "kind": row.kind.as_str(),
        "issued_on": row.issued_on.to_string(),
        "file": file.to_str().unwrap(),
        "sha256": row.sha256,
        "size": row.size,
        "pages": row.pages.unwrap(),
    })
}

fn assert_matches_expected(manifest: &str, expected: &str) {
    let manifest = corpus(manifest);
    let batch = read_batch(&manifest).unwrap();
    let expected: Value =
        serde_json::from_str(&fs::read_to_string(corpus(expected)).unwrap()).unwrap();
    let expected = expected["reports"].as_array().unwrap();

    let folder = fs::canonicalize(manifest.parent().unwrap()).unwrap();
    assert_eq!(batch.len(), expected.len());
    for (index, (row, want)) in batch.iter().zip(expected).enumerate() {
        assert_eq!(row.row, index + 1);
        assert_eq!(&row_as_json(row, &folder), want, "row {}", row.row);
        assert_eq!(
            row.file_name,
            row.file.file_name().unwrap().to_str().unwrap()
        );
    }
}

#[test]
fn basic_matches_expected_json() {
    assert_matches_expected("basic/manifest.csv", "basic/expected.json");
}

#[test]
fn excel_fr_utf8_bom_matches_expected_json() {
    assert_matches_expected("excel-fr/utf8-bom.csv", "excel-fr/expected.json");
}

#[test]
fn excel_fr_windows_1252_matches_expected_json() {
    assert_matches_expected("excel-fr/manifest.csv", "excel-fr/expected.json");
}

#[test]
fn png_renamed_pdf_is_refused_on_row_2_file() {
    let problems = refused("png-renamed-pdf");
    assert_eq!(places(&problems), [(Some(2), Some("file"))]);
    assert_eq!(problems[0].kind, ProblemKind::NotPdf);
}

#[test]
fn truncated_pdf_is_refused_on_row_3_file() {
    let problems = refused("truncated-pdf");
    assert_eq!(places(&problems), [(Some(3), Some("file"))]);
    assert_eq!(problems[0].kind, ProblemKind::IncompletePdf);
}

#[test]
fn empty_file_is_refused_on_row_1_file() {
    let problems = refused("empty-file");
    assert_eq!(places(&problems), [(Some(1), Some("file"))]);
    assert_eq!(problems[0].kind, ProblemKind::EmptyFile);
}

#[test]
fn missing_file_is_refused_on_row_4_file() {
    let problems = refused("missing-file");
    assert_eq!(places(&problems), [(Some(4), Some("file"))]);
    let path = "pdf/RDC-2026-009016_D0090004.pdf".to_owned();
    assert_eq!(problems[0].kind, ProblemKind::FileNotFound(path));
}

#[test]
fn path_traversal_is_refused_on_rows_2_and_3_file() {
    let problems = refused("path-traversal-relative");
    assert_eq!(
        places(&problems),
        [(Some(2), Some("file")), (Some(3), Some("file"))]
    );
    assert!(
        problems
            .iter()
            .all(|p| matches!(p.kind, ProblemKind::LeavesFolder(_)))
    );
}

#[test]
fn absolute_paths_are_refused_on_rows_1_and_3_file() {
    let problems = refused("path-absolute");
    assert_eq!(
        places(&problems),
        [(Some(1), Some("file")), (Some(3), Some("file"))]
    );
    assert!(
        problems
            .iter()
            .all(|p| matches!(p.kind, ProblemKind::AbsolutePath(_)))
    );
}

#[test]
fn duplicate_report_number_is_refused_on_rows_1_and_3() {
    let problems = refused("duplicate-report-number");
    assert_eq!(
        places(&problems),
        [
            (Some(1), Some("report_number")),
            (Some(3), Some("report_number"))
        ]
    );
    let number = "RDC-2026-009025".to_owned();
    assert_eq!(
        problems[0].kind,
        ProblemKind::DuplicateNumber {
            number,
            other_rows: vec![3]
        }
    );
}

#[test]
fn conflict_with_basic_is_a_valid_batch_on_its_own() {
    let batch = read_batch(&corpus("bad/conflict-with-basic/manifest.csv")).unwrap();
    assert_eq!(batch.len(), 3);
    assert_eq!(batch[0].report_number.as_str(), "RDC-2025-001007");
}

#[test]
fn period_end_before_start_is_refused_on_row_2_period_end() {
    let problems = refused("period-end-before-start");
    assert_eq!(places(&problems), [(Some(2), Some("period_end"))]);
    assert!(matches!(
        problems[0].kind,
        ProblemKind::EndBeforeStart { .. }
    ));
}

#[test]
fn impossible_date_is_refused_on_row_2_period_end() {
    let problems = refused("impossible-date");
    assert_eq!(places(&problems), [(Some(2), Some("period_end"))]);
    assert_eq!(
        problems[0].kind,
        ProblemKind::NoSuchDate("31/02/2026".into())
    );
}

#[test]
fn missing_column_kind_is_refused_before_reading_rows() {
    let problems = refused("missing-column");
    assert_eq!(places(&problems), [(None, None)]);
    assert_eq!(problems[0].kind, ProblemKind::MissingColumns(vec!["kind"]));
    assert_eq!(problems[0].line, Some(1));
}

#[test]
fn extra_column_commentaire_is_refused() {
    let problems = refused("extra-column");
    assert_eq!(places(&problems), [(None, None)]);
    let unknown = vec!["commentaire".to_owned()];
    assert_eq!(problems[0].kind, ProblemKind::UnknownColumns(unknown));
}

#[test]
fn empty_required_cells_are_refused_on_rows_2_and_4() {
    let problems = refused("empty-required-cell");
    assert_eq!(
        places(&problems),
        [
            (Some(2), Some("recipient_code")),
            (Some(4), Some("issued_on"))
        ]
    );
    assert!(problems.iter().all(|p| p.kind == ProblemKind::EmptyCell));
}

#[test]
fn invalid_emails_are_all_refused_on_rows_1_3_and_4() {
    let problems = refused("invalid-email");
    let field = Some("recipient_email");
    assert_eq!(
        places(&problems),
        [(Some(1), field), (Some(3), field), (Some(4), field)]
    );
    let errors: Vec<_> = problems
        .iter()
        .map(|p| match &p.kind {
            ProblemKind::InvalidEmail { error, .. } => *error,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        errors,
        [
            EmailError::Syntax,
            EmailError::DisplayName,
            EmailError::TooLong
        ]
    );
}

#[test]
fn formula_injection_is_accepted_verbatim() {
    let batch = read_batch(&corpus("bad/formula-injection/manifest.csv")).unwrap();
    let names: Vec<_> = batch.iter().map(|r| r.recipient_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "=HYPERLINK(\"http://example.com/hameconnage\",\"Cliquez ici\")",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "+33 Cabinet <script>alert(1)</script>",
            "-2+3 Clinique & Cie",
        ]
    );
}

#[test]
fn long_recipient_name_is_refused_on_row_2_without_echo() {
    let problems = refused("long-recipient-name");
    assert_eq!(places(&problems), [(Some(2), Some("recipient_name"))]);
    let ProblemKind::TooLong { max: 255, found } = problems[0].kind else {
        panic!("{:?}", problems[0].kind);
    };
    assert!(found >= 10_000);
    assert!(problems[0].message(Lang::Fr).len() < 120);
}

#[test]
fn unbalanced_quote_is_refused_at_line_4_row_3_and_nothing_else() {
    let problems = refused("unbalanced-quote");
    assert_eq!(places(&problems), [(Some(3), Some("recipient_name"))]);
    assert_eq!(problems[0].line, Some(4));
    assert_eq!(problems[0].kind, ProblemKind::UnterminatedQuote);
}

#[test]
fn nul_byte_is_refused_on_row_2_recipient_name() {
    let problems = refused("nul-byte");
    assert_eq!(places(&problems), [(Some(2), Some("recipient_name"))]);
    assert!(matches!(
        problems[0].kind,
        ProblemKind::ControlCharacter { code: 0, .. }
    ));
}

#[test]
fn manifest_that_is_a_pdf_is_not_csv_text() {
    let problems = refused("manifest-is-pdf");
    assert_eq!(places(&problems), [(None, None)]);
    assert_eq!(problems[0].kind, ProblemKind::NotCsvText);
}

#[test]
fn every_message_is_one_short_printable_line() {
    let cases = fs::read_dir(corpus("bad")).unwrap();
    for case in cases.map(|c| c.unwrap().path()).filter(|c| c.is_dir()) {
        let Err(problems) = read_batch(&case.join("manifest.csv")) else {
            continue;
        };
        for problem in problems {
            for lang in [Lang::Fr, Lang::En] {
                let message = problem.message(lang);
                assert!(message.chars().count() < 200, "{message}");
                assert!(!message.chars().any(char::is_control), "{message:?}");
            }
        }
    }
}

#[test]
fn messages_name_line_row_and_field_in_both_languages() {
    let problems = refused("png-renamed-pdf");
    assert_eq!(
        problems[0].message(Lang::Fr),
        "ligne 3 (rang 2), champ «\u{a0}file\u{a0}»\u{a0}: ce fichier n'est pas un PDF"
    );
    assert_eq!(
        problems[0].message(Lang::En),
        "line 3 (row 2), field \"file\": this file is not a PDF"
    );
}

/// A batch in a fresh folder: the manifest's text and some copied PDFs.
fn batch_in_tempdir(manifest: &str, pdfs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("pdf")).unwrap();
    for pdf in pdfs {
        let source = corpus(&format!("basic/pdf/{pdf}"));
        fs::copy(source, dir.path().join("pdf").join(pdf)).unwrap();
    }
    fs::write(dir.path().join("manifest.csv"), manifest).unwrap();
    dir
}

const HEADER: &str = "report_number,recipient_code,recipient_name,recipient_email,\
    period_start,period_end,kind,issued_on,file\n";

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_folder_is_refused_on_its_row() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("elsewhere.pdf");
    fs::copy(corpus("basic/pdf/RDC-2025-001001_D0012001.pdf"), &target).unwrap();
    let rows = "RDC-2026-1,D1,A,a@example.com,2026-01-01,2026-01-31,periodique,2026-02-05,pdf/RDC-2025-001002_D0012005.pdf\n\
                RDC-2026-2,D2,B,b@example.com,2026-01-01,2026-01-31,periodique,2026-02-05,pdf/link.pdf\n";
    let dir = batch_in_tempdir(
        &format!("{HEADER}{rows}"),
        &["RDC-2025-001002_D0012005.pdf"],
    );
    std::os::unix::fs::symlink(&target, dir.path().join("pdf/link.pdf")).unwrap();

    let problems = read_batch(&dir.path().join("manifest.csv")).unwrap_err();
    assert_eq!(places(&problems), [(Some(2), Some("file"))]);
    assert_eq!(
        problems[0].kind,
        ProblemKind::LeavesFolder("pdf/link.pdf".into())
    );
}

#[test]
fn one_recipient_code_with_two_names_is_refused() {
    let rows = "RDC-2026-1,D1,A,a@example.com,2026-01-01,2026-01-31,periodique,2026-02-05,pdf/RDC-2025-001002_D0012005.pdf\n\
                RDC-2026-2,D1,B,A@Example.com,2026-01-01,2026-01-31,periodique,2026-02-05,pdf/RDC-2025-001002_D0012005.pdf\n";
    let dir = batch_in_tempdir(
        &format!("{HEADER}{rows}"),
        &["RDC-2025-001002_D0012005.pdf"],
    );
    let problems = read_batch(&dir.path().join("manifest.csv")).unwrap_err();
    assert_eq!(places(&problems), [(Some(2), Some("recipient_name"))]);
}

#[test]
fn blank_lines_and_trailing_separators_rows_are_skipped() {
    let rows = "\nRDC-2026-1,D1,A,a@example.com,2026-01-01,2026-01-31,periodique,2026-02-05,pdf/RDC-2025-001002_D0012005.pdf\n\
                ,,,,,,,,\n";
    let dir = batch_in_tempdir(
        &format!("{HEADER}{rows}"),
        &["RDC-2025-001002_D0012005.pdf"],
    );
    let batch = read_batch(&dir.path().join("manifest.csv")).unwrap();
    assert_eq!((batch.len(), batch[0].row, batch[0].line), (1, 1, 3));
}

#[test]
fn a_header_alone_is_no_batch() {
    let dir = batch_in_tempdir(HEADER, &[]);
    let problems = read_batch(&dir.path().join("manifest.csv")).unwrap_err();
    assert_eq!(problems[0].kind, ProblemKind::NoRows);
}

#[test]
fn a_row_with_too_few_cells_is_named() {
    let rows = "RDC-2026-1,D1,A\n";
    let dir = batch_in_tempdir(&format!("{HEADER}{rows}"), &[]);
    let problems = read_batch(&dir.path().join("manifest.csv")).unwrap_err();
    assert_eq!(places(&problems), [(Some(1), None)]);
    let kind = ProblemKind::CellCount {
        expected: 9,
        found: 3,
    };
    assert_eq!(problems[0].kind, kind);
}

#[test]
fn a_report_issued_before_its_period_ends_is_refused() {
    let rows = "RDC-2026-1,D1,A,a@example.com,2026-01-01,2026-01-31,periodique,2026-01-15,pdf/RDC-2025-001002_D0012005.pdf\n";
    let dir = batch_in_tempdir(
        &format!("{HEADER}{rows}"),
        &["RDC-2025-001002_D0012005.pdf"],
    );
    let problems = read_batch(&dir.path().join("manifest.csv")).unwrap_err();
    assert_eq!(places(&problems), [(Some(1), Some("issued_on"))]);
    assert!(
        problems[0]
            .message(Lang::Fr)
            .contains("avant la fin de sa période")
    );
}
