//! Receiving a batch: the parts of a `multipart/form-data` body are written
//! to a temporary folder as they arrive, never held whole in memory. The
//! `manifest` part is the CSV; each `files` part is a PDF whose file name
//! is its path as the manifest writes it.

use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use axum::http::StatusCode;
use tokio::io::AsyncWriteExt;

use super::ApiError;

/// Where the manifest is written, in the batch's folder: a name no `files`
/// part may take.
const MANIFEST_NAME: &str = ".dosiport-manifest.csv";
/// Most `files` parts in one batch.
const MAX_FILES: usize = 100_000;
/// Longest path of a `files` part, in bytes.
const MAX_PATH: usize = 1024;
/// Bytes gathered before each write to disk.
const WRITE_BUFFER: usize = 1024 * 1024;
/// Uploads left by a process that stopped are removed after this.
const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// A batch on disk, deleted when dropped.
pub struct Upload {
    /// The folder holding the batch, deleted with it.
    _folder: tempfile::TempDir,
    /// The manifest, inside the folder.
    pub manifest: PathBuf,
}

/// Writes the parts of `multipart` into a new folder under `uploads`; at
/// most `limit_mib` MiB of files.
pub async fn receive(
    mut multipart: Multipart,
    uploads: &Path,
    limit_mib: u64,
) -> Result<Upload, ApiError> {
    tokio::fs::create_dir_all(uploads).await?;
    let folder = tempfile::Builder::new()
        .prefix("batch-")
        .tempdir_in(uploads)?;
    let limit = limit_mib.saturating_mul(1024 * 1024);
    let mut written = 0_u64;
    let (mut manifest, mut files) = (None, 0_usize);

    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| body_error(&e, limit_mib))?
    {
        match field.name() {
            Some("manifest") if manifest.is_none() => {
                let path = folder.path().join(MANIFEST_NAME);
                let room = limit - written.min(limit);
                written += save(field, &path, room, limit_mib).await?;
                manifest = Some(path);
            }
            Some("manifest") => {
                return Err(ApiError::BadRequest(
                    "Send one manifest part only.".to_owned(),
                ));
            }
            Some("files") => {
                files += 1;
                if files > MAX_FILES {
                    return Err(ApiError::BadRequest(format!(
                        "A batch holds {MAX_FILES} files at most; split it."
                    )));
                }
                let room = limit - written.min(limit);
                written += save_file(field, folder.path(), room, limit_mib).await?;
            }
            other => {
                let name = other.map(shown).unwrap_or_default();
                return Err(ApiError::BadRequest(format!(
                    "Unknown part {name:?}: send `manifest` and `files` parts only."
                )));
            }
        }
    }
    let Some(manifest) = manifest else {
        return Err(ApiError::BadRequest(
            "The manifest part is missing.".to_owned(),
        ));
    };
    Ok(Upload {
        _folder: folder,
        manifest,
    })
}

/// Streams a `files` part to its path in the batch's folder; its size.
async fn save_file(
    field: Field<'_>,
    folder: &Path,
    room: u64,
    limit_mib: u64,
) -> Result<u64, ApiError> {
    let path = folder.join(file_path(field.file_name())?);
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|_| clash(field.file_name()))?;
    }
    save(field, &path, room, limit_mib).await
}

/// Streams one part to a new file; its size. Refused beyond `room` bytes.
async fn save(
    mut field: Field<'_>,
    path: &Path,
    room: u64,
    limit_mib: u64,
) -> Result<u64, ApiError> {
    let name = field.file_name().map(str::to_owned);
    let file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => ApiError::BadRequest(format!(
                "The file {:?} is sent twice.",
                name.as_deref().map(shown).unwrap_or_default()
            )),
            _ => clash(name.as_deref()),
        })?;
    // Chunks arrive a few KiB at a time: written in larger blocks.
    let mut file = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut size = 0_u64;
    while let Some(chunk) = field.chunk().await.map_err(|e| body_error(&e, limit_mib))? {
        size += chunk.len() as u64;
        if size > room {
            return Err(ApiError::TooLarge { limit_mib });
        }
        file.write_all(&chunk).await?;
    }
    file.flush().await?;
    Ok(size)
}

/// The path a `files` part's file name gives, inside the batch's folder:
/// relative, each folder named, no `.` or `..`; `\` separates folders too.
fn file_path(name: Option<&str>) -> Result<PathBuf, ApiError> {
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return Err(ApiError::BadRequest(
            "Each files part needs a file name: the file's path as the manifest writes it."
                .to_owned(),
        ));
    };
    let refused = || {
        ApiError::BadRequest(format!(
            "The file name {:?} is not a relative path inside the batch.",
            shown(name)
        ))
    };
    let normalised = name.replace('\\', "/");
    if normalised.len() > MAX_PATH
        || normalised.starts_with('/')
        || normalised.contains(':')
        || normalised.chars().any(char::is_control)
    {
        return Err(refused());
    }
    let path = PathBuf::from(&normalised);
    let plain = path
        .components()
        .all(|c| matches!(c, Component::Normal(part) if part.len() <= 255));
    let whole = normalised
        .split('/')
        .all(|part| !part.is_empty() && part != ".");
    if !plain || !whole || normalised == MANIFEST_NAME {
        return Err(refused());
    }
    Ok(path)
}

/// A file name that cannot be a file next to those already written.
fn clash(name: Option<&str>) -> ApiError {
    ApiError::BadRequest(format!(
        "The file {:?} clashes with another file of the batch.",
        name.map(shown).unwrap_or_default()
    ))
}

/// A received name as it may be repeated: short and printable.
fn shown(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(120).collect()
}

/// A body that is too large, or not multipart at all.
fn body_error(error: &MultipartError, limit_mib: u64) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge { limit_mib }
    } else {
        ApiError::BadRequest(format!(
            "The body is not valid multipart/form-data: {}",
            error.body_text()
        ))
    }
}

/// Removes the batches a stopped process left in `uploads`, once they are
/// a day old (a live import is never that slow).
pub fn remove_stale_uploads(uploads: &Path) {
    let Ok(entries) = std::fs::read_dir(uploads) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok());
        if age.is_some_and(|age| age > STALE_AFTER) {
            let path = entry.path();
            if let Err(e) = std::fs::remove_dir_all(&path) {
                tracing::warn!(error = %e, path = %path.display(), "stale upload not removed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_uploads_older_than_a_day_are_removed() {
        let uploads = tempfile::tempdir().unwrap();
        let (old, fresh) = (
            uploads.path().join("batch-old"),
            uploads.path().join("batch-new"),
        );
        std::fs::create_dir_all(old.join("pdf")).unwrap();
        std::fs::create_dir(&fresh).unwrap();
        let two_days_ago = SystemTime::now() - 2 * STALE_AFTER;
        std::fs::File::open(&old)
            .unwrap()
            .set_modified(two_days_ago)
            .unwrap();

        remove_stale_uploads(uploads.path());
        assert!(!old.exists());
        assert!(fresh.exists());
    }

    #[test]
    fn file_names_must_stay_inside_the_batch() {
        assert_eq!(
            file_path(Some("pdf/a.pdf")).unwrap(),
            PathBuf::from("pdf/a.pdf")
        );
        assert_eq!(
            file_path(Some("pdf\\a.pdf")).unwrap(),
            PathBuf::from("pdf/a.pdf")
        );
        for bad in [
            "",
            "/etc/passwd",
            "../x.pdf",
            "pdf/../../x.pdf",
            "./x.pdf",
            "pdf//x.pdf",
            "C:\\win.ini",
            "a\0b.pdf",
            "pdf/",
            MANIFEST_NAME,
        ] {
            assert!(file_path(Some(bad)).is_err(), "{bad:?}");
        }
        assert!(file_path(None).is_err());
        assert!(file_path(Some(&"a/".repeat(600))).is_err());
    }
}
