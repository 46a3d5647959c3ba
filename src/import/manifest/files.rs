//! The PDF each row names: a path that stays inside the manifest's folder,
//! a file that is there, and a whole PDF. Files are checked in parallel.

use std::fs;
use std::io;
use std::num::NonZero;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use super::problem::{ProblemKind, excerpt};
use super::{FileEvent, Listeners};
use crate::import::pdf::{self, PdfInfo};

/// Most threads checking files at once: reading is I/O, so a few more than
/// the cores keeps the disk busy.
const MAX_WORKERS: usize = 16;

/// The manifest's folder, resolved once: every file must be inside it.
#[derive(Debug, Clone)]
pub(super) struct Folder {
    canonical: PathBuf,
}

impl Folder {
    /// The folder holding the manifest, with every link resolved.
    pub(super) fn of_manifest(manifest: &Path) -> io::Result<Self> {
        let parent = manifest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Ok(Self {
            canonical: fs::canonicalize(parent)?,
        })
    }
}

/// A file that passed every check.
#[derive(Debug, Clone)]
pub(super) struct CheckedFile {
    /// Absolute path, links resolved, inside the manifest's folder.
    pub path: PathBuf,
    /// The name the manifest gives the file, without its folders.
    pub file_name: String,
    /// Size, hash and pages.
    pub info: PdfInfo,
}

/// The outcome for each `file` cell, in order; `None` where there was no
/// usable cell.
pub(super) type FileResults = Vec<Option<Result<CheckedFile, ProblemKind>>>;

/// Checks every file named in `cells`, each read once, several at a time;
/// `report` hears of each file checked.
pub(super) fn check_all(
    folder: &Folder,
    cells: &[Option<&str>],
    listeners: Listeners<'_>,
) -> FileResults {
    let next = AtomicUsize::new(0);
    let mut results: FileResults = cells.iter().map(|_| None).collect();

    thread::scope(|scope| {
        let workers: Vec<_> = (0..worker_count(cells.len()))
            .map(|_| scope.spawn(|| work(folder, cells, &next, listeners)))
            .collect();
        for worker in workers {
            for (index, result) in worker.join().unwrap_or_default() {
                results[index] = Some(result);
            }
        }
    });

    // A worker that died leaves its files unchecked: they must not pass.
    for (result, cell) in results.iter_mut().zip(cells) {
        if cell.is_some() && result.is_none() {
            *result = Some(Err(ProblemKind::FileUnreadable(io::ErrorKind::Other)));
        }
    }
    results
}

fn worker_count(files: usize) -> usize {
    let cores = thread::available_parallelism().map_or(1, NonZero::get);
    (cores * 2).min(MAX_WORKERS).min(files).max(1)
}

/// Takes the next unchecked file until none is left.
fn work(
    folder: &Folder,
    cells: &[Option<&str>],
    next: &AtomicUsize,
    listeners: Listeners<'_>,
) -> Vec<(usize, Result<CheckedFile, ProblemKind>)> {
    let mut done = Vec::new();
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(cell) = cells.get(index) else {
            return done;
        };
        if let Some(cell) = cell {
            let checked = check_file(folder, cell, listeners.keep);
            (listeners.report)(FileEvent::Checked(
                checked.as_ref().map_or(0, |file| file.info.size),
            ));
            done.push((index, checked));
        }
    }
}

/// Checks one `file` cell: the path, then the file, then its content;
/// `keep` is given the file's bytes if it passes while they are in memory.
pub(super) fn check_file(
    folder: &Folder,
    cell: &str,
    keep: &(dyn Fn(&PdfInfo, &[u8]) + Sync),
) -> Result<CheckedFile, ProblemKind> {
    let relative = relative_path(cell)?;
    let path = resolve_inside(folder, &relative, cell)?;
    let file = open_resolved(&path, cell)?;
    let info = pdf::check_opened_pdf(file, keep)?;

    let file_name = relative
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(CheckedFile {
        path,
        file_name,
        info,
    })
}

/// The cell as a path below the folder, worked out on the text alone:
/// absolute paths, and `..` that climbs above the folder, are refused
/// without touching the disk. `\` separates folders too, as on Windows.
fn relative_path(cell: &str) -> Result<PathBuf, ProblemKind> {
    if is_absolute(cell) {
        return Err(ProblemKind::AbsolutePath(excerpt(cell)));
    }
    let mut parts = Vec::new();
    for part in cell.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if parts.pop().is_none() => {
                return Err(ProblemKind::LeavesFolder(excerpt(cell)));
            }
            ".." => {}
            name => parts.push(name),
        }
    }
    if parts.is_empty() {
        return Err(ProblemKind::NotAFile(excerpt(cell)));
    }
    Ok(parts.into_iter().collect())
}

/// `/etc/passwd`, `\\server\share`, `C:\Windows` or `C:file`.
fn is_absolute(cell: &str) -> bool {
    let bytes = cell.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    drive || cell.starts_with(['/', '\\']) || Path::new(cell).is_absolute()
}

/// Resolves links and checks the result is still inside the folder, before
/// anything is read from it.
fn resolve_inside(folder: &Folder, relative: &Path, cell: &str) -> Result<PathBuf, ProblemKind> {
    let path =
        fs::canonicalize(folder.canonical.join(relative)).map_err(|error| match error.kind() {
            io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => {
                ProblemKind::FileNotFound(excerpt(cell))
            }
            kind => ProblemKind::FileUnreadable(kind),
        })?;
    if !path.starts_with(&folder.canonical) {
        return Err(ProblemKind::LeavesFolder(excerpt(cell)));
    }

    let metadata = fs::metadata(&path).map_err(|e| ProblemKind::FileUnreadable(e.kind()))?;
    if !metadata.is_file() {
        return Err(ProblemKind::NotAFile(excerpt(cell)));
    }
    Ok(path)
}

/// Opens the file `path` resolved to, and makes sure the file opened is
/// that one: a folder on the way swapped for a link since it was resolved
/// would lead the read out of the batch's folder.
fn open_resolved(path: &Path, cell: &str) -> Result<fs::File, ProblemKind> {
    let file = fs::File::open(path).map_err(|e| ProblemKind::FileUnreadable(e.kind()))?;
    if let Some(opened) = opened_path(&file)
        && opened != path
    {
        return Err(ProblemKind::LeavesFolder(excerpt(cell)));
    }
    Ok(file)
}

/// Where an open file is, as the kernel found it when opening it; `None`
/// where the system does not say.
#[cfg(target_os = "linux")]
fn opened_path(file: &fs::File) -> Option<PathBuf> {
    use std::os::fd::AsRawFd;
    fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()
}

#[cfg(not(target_os = "linux"))]
fn opened_path(_file: &fs::File) -> Option<PathBuf> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_read_as_text_first() {
        assert_eq!(relative_path("pdf/a.pdf"), Ok(PathBuf::from("pdf/a.pdf")));
        assert_eq!(relative_path("pdf\\a.pdf"), Ok(PathBuf::from("pdf/a.pdf")));
        assert_eq!(relative_path("./pdf/../a.pdf"), Ok(PathBuf::from("a.pdf")));
        for absolute in [
            "/etc/passwd",
            "C:\\Windows\\win.ini",
            "\\\\server\\x",
            "c:a.pdf",
        ] {
            assert!(matches!(
                relative_path(absolute),
                Err(ProblemKind::AbsolutePath(_))
            ));
        }
        for climbing in ["../../etc/passwd", "pdf/../../x.pdf", "..\\x.pdf"] {
            assert!(matches!(
                relative_path(climbing),
                Err(ProblemKind::LeavesFolder(_))
            ));
        }
        assert!(matches!(
            relative_path("pdf/.."),
            Err(ProblemKind::NotAFile(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_folder_is_refused_without_reading_it() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.pdf");
        std::fs::write(&secret, b"%PDF-1.4 not for import").unwrap();
        let batch = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(&secret, batch.path().join("link.pdf")).unwrap();
        std::os::unix::fs::symlink(outside.path(), batch.path().join("dir")).unwrap();

        let folder = Folder::of_manifest(&batch.path().join("manifest.csv")).unwrap();
        for cell in ["link.pdf", "dir/secret.pdf"] {
            let refused = check_file(&folder, cell, &|_, _| {}).unwrap_err();
            assert_eq!(refused, ProblemKind::LeavesFolder(cell.into()));
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_reached_through_a_link_swapped_in_after_resolving_is_refused() {
        let batch = tempfile::tempdir().unwrap();
        let real = batch.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("a.pdf"), b"%PDF-1.4").unwrap();
        std::os::unix::fs::symlink(&real, batch.path().join("pdf")).unwrap();
        let canonical = std::fs::canonicalize(batch.path()).unwrap();

        // What was resolved earlier: `pdf/a.pdf`, a plain path then. What
        // is opened now goes through a link to another folder.
        let resolved = canonical.join("pdf/a.pdf");
        assert_eq!(
            open_resolved(&resolved, "pdf/a.pdf").unwrap_err(),
            ProblemKind::LeavesFolder("pdf/a.pdf".into())
        );
        assert!(open_resolved(&canonical.join("real/a.pdf"), "real/a.pdf").is_ok());
    }

    #[test]
    fn a_folder_is_not_a_file() {
        let batch = tempfile::tempdir().unwrap();
        std::fs::create_dir(batch.path().join("pdf")).unwrap();
        let folder = Folder::of_manifest(&batch.path().join("manifest.csv")).unwrap();
        assert_eq!(
            check_file(&folder, "pdf", &|_, _| {}).unwrap_err(),
            ProblemKind::NotAFile("pdf".into())
        );
    }
}
