//! Receiving a batch: the parts of a `multipart/form-data` body are written
//! to a temporary folder as they arrive, never held whole in memory. The
//! `manifest` part is the CSV; each `files` part is a PDF whose file name
//! is its path as the manifest writes it.

use std::path::{Component, Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use bytes::Bytes;
use futures::Stream;
use futures::task::AtomicWaker;
use multer::{Constraints, Field, Multipart, SizeLimit};
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
/// Most bytes of the body read and not yet written, at any time.
const READ_AHEAD: u64 = 8 * 1024 * 1024;
/// Room for the parts' headers and boundaries beyond the files' bytes.
const FRAMING: u64 = 64 * 1024 * 1024;
/// A client that sends nothing for this long is given up.
const STALL: Duration = Duration::from_secs(120);
/// Uploads left by a process that stopped are removed after this.
const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// A batch on disk, deleted when dropped.
pub struct Upload {
    /// The folder holding the batch, deleted with it.
    _folder: tempfile::TempDir,
    /// The manifest, inside the folder.
    pub manifest: PathBuf,
}

/// Writes the parts of a body of this content type into a new folder under
/// `uploads`; at most `limit_mib` MiB of files.
pub async fn receive(
    content_type: &str,
    body: Body,
    uploads: &Path,
    limit_mib: u64,
) -> Result<Upload, ApiError> {
    let mut parts = Parts::new(content_type, body, limit_mib)?;
    tokio::fs::create_dir_all(uploads).await?;
    let folder = tempfile::Builder::new()
        .prefix("batch-")
        .tempdir_in(uploads)?;
    let limit = limit_mib.saturating_mul(1024 * 1024);
    let mut written = 0_u64;
    let (mut manifest, mut files) = (None, 0_usize);

    while let Some(field) = parts.next_field().await? {
        match field.name() {
            Some("manifest") if manifest.is_none() => {
                let path = folder.path().join(MANIFEST_NAME);
                let room = limit - written.min(limit);
                written += parts.save(field, &path, room).await?;
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
                let path = folder.path().join(file_path(field.file_name())?);
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent)
                        .await
                        .map_err(|_| clash(field.file_name()))?;
                }
                let room = limit - written.min(limit);
                written += parts.save(field, &path, room).await?;
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

/// The parts of the body, read no further ahead than [`READ_AHEAD`].
struct Parts {
    multipart: Multipart<'static>,
    read_ahead: Arc<ReadAhead>,
    /// `--boundary` and its line break, before each part.
    boundary_line: u64,
    limit_mib: u64,
}

impl Parts {
    fn new(content_type: &str, body: Body, limit_mib: u64) -> Result<Self, ApiError> {
        let boundary =
            multer::parse_boundary(content_type).map_err(|e| body_error(&e, limit_mib))?;
        let whole = limit_mib
            .saturating_mul(1024 * 1024)
            .saturating_add(FRAMING);
        let constraints = Constraints::new().size_limit(SizeLimit::new().whole_stream(whole));
        let read_ahead = Arc::new(ReadAhead::default());
        let gated = Gated {
            inner: body.into_data_stream(),
            read_ahead: read_ahead.clone(),
        };
        Ok(Self {
            boundary_line: boundary.len() as u64 + 6,
            multipart: Multipart::with_constraints(gated, boundary, constraints),
            read_ahead,
            limit_mib,
        })
    }

    /// The next part, its headers counted as read.
    async fn next_field(&mut self) -> Result<Option<Field<'static>>, ApiError> {
        let next = tokio::time::timeout(STALL, self.multipart.next_field())
            .await
            .map_err(|_| ApiError::TimedOut)?
            .map_err(|e| body_error(&e, self.limit_mib))?;
        if let Some(field) = &next {
            // The headers as a client writes them: `Name: value` lines and
            // an empty line. Fewer bytes than that are never counted, so
            // what is counted read ahead is never less than what is.
            let headers: usize = field
                .headers()
                .iter()
                .map(|(name, value)| name.as_str().len() + value.len() + 4)
                .sum();
            self.read_ahead
                .took(self.boundary_line + headers as u64 + 2);
        }
        Ok(next)
    }

    /// Streams one part to a new file; its size. Refused beyond `room`.
    async fn save(
        &self,
        mut field: Field<'static>,
        path: &Path,
        room: u64,
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
        loop {
            let chunk = tokio::time::timeout(STALL, field.chunk())
                .await
                .map_err(|_| ApiError::TimedOut)?
                .map_err(|e| body_error(&e, self.limit_mib))?;
            let Some(chunk) = chunk else {
                break;
            };
            size += chunk.len() as u64;
            if size > room {
                return Err(ApiError::TooLarge {
                    limit_mib: self.limit_mib,
                });
            }
            file.write_all(&chunk).await?;
            self.read_ahead.took(chunk.len() as u64);
        }
        file.flush().await?;
        Ok(size)
    }
}

/// How far the multipart parser has read the body ahead of the parts it
/// gave back. The parser takes whatever the body has ready, at every turn:
/// from a client faster than the disk, that would be the whole batch in
/// memory.
#[derive(Default)]
struct ReadAhead {
    given: AtomicU64,
    taken: AtomicU64,
    waker: AtomicWaker,
}

impl ReadAhead {
    fn ahead(&self) -> u64 {
        let taken = self.taken.load(Ordering::Acquire);
        self.given.load(Ordering::Acquire).saturating_sub(taken)
    }

    /// Bytes the parser gave back (parts' data, headers and boundaries).
    fn took(&self, bytes: u64) {
        self.taken.fetch_add(bytes, Ordering::AcqRel);
        self.waker.wake();
    }
}

/// The body, held back while [`READ_AHEAD`] bytes wait in the parser.
struct Gated<S> {
    inner: S,
    read_ahead: Arc<ReadAhead>,
}

impl<S, E> Stream for Gated<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    type Item = Result<Bytes, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.read_ahead.ahead() >= READ_AHEAD {
            self.read_ahead.waker.register(cx.waker());
            // Given back meanwhile? Then read on; else wait to be woken.
            if self.read_ahead.ahead() >= READ_AHEAD {
                return Poll::Pending;
            }
        }
        let next = Pin::new(&mut self.inner).poll_next(cx);
        if let Poll::Ready(Some(Ok(bytes))) = &next {
            self.read_ahead
                .given
                .fetch_add(bytes.len() as u64, Ordering::AcqRel);
        }
        next
    }
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
fn body_error(error: &multer::Error, limit_mib: u64) -> ApiError {
    match error {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            ApiError::TooLarge { limit_mib }
        }
        other => {
            let reason: String = other.to_string().chars().take(200).collect();
            ApiError::BadRequest(format!(
                "The body is not valid multipart/form-data: {reason}"
            ))
        }
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
    fn the_body_is_read_no_further_ahead_than_allowed() {
        use futures::{FutureExt, StreamExt};

        let chunk = Bytes::from(vec![0u8; 1024 * 1024]);
        let body =
            futures::stream::iter(std::iter::repeat_n(chunk, 100).map(Ok::<_, std::io::Error>));
        let read_ahead = Arc::new(ReadAhead::default());
        let mut gated = Gated {
            inner: body,
            read_ahead: read_ahead.clone(),
        };
        let mut read = 0;
        while let Some(Some(_)) = gated.next().now_or_never() {
            read += 1;
        }
        assert_eq!(read, 8, "read while nothing was given back");

        read_ahead.took(3 * 1024 * 1024);
        while let Some(Some(_)) = gated.next().now_or_never() {
            read += 1;
        }
        assert_eq!(read, 11);
    }

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
