//! Report files, kept by content (SHA-256) in a folder or an object store.
//! Files are only ever reached through the hash stored on a report row.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{
    GetOptions, GetRange, GetResultPayload, ObjectStore, PutPayload, WriteMultipart,
};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

/// Files larger than this are uploaded in parts rather than read whole.
const WHOLE_PUT_LIMIT: u64 = 8 * 1024 * 1024;
/// Size of the parts of a large upload (S3 refuses parts under 5 MiB but
/// the last), and of reads from disk.
const CHUNK: usize = 8 * 1024 * 1024;
/// Size of the reads that stream a file from a folder. Each read is one
/// trip to a blocking thread: the store's own 8 KiB reads made a download
/// cost a trip per 8 KiB. 128 KiB keeps 64 parallel downloads within a few
/// MiB of buffers.
const STREAM_CHUNK: usize = 128 * 1024;

/// Why a file could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The storage setting cannot be used.
    #[error("invalid storage setting {0:?}")]
    Setting(String),
    /// The object store failed.
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    /// A local file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A file could not be written into the storage folder.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The key is not a SHA-256 hex digest.
    #[error("invalid content key")]
    InvalidKey,
    /// The file changed between its check and its copy.
    #[error("{0} changed while it was being imported")]
    Changed(String),
}

/// What storing a file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// The file was written.
    Written,
    /// The same content was already stored (another report shares it).
    AlreadyThere,
}

/// Where report files live.
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
    /// The folder, when files are kept in one. Files are copied into it
    /// directly, in one trip to a blocking thread each: the object store's
    /// look-up, read and write made three, and an import copies thousands.
    folder: Option<Arc<PathBuf>>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileStore({})", self.inner)
    }
}

impl FileStore {
    /// Opens the storage named by the setting: `s3://bucket/prefix` (with
    /// the usual `AWS_*` variables: keys, region, `AWS_ENDPOINT`,
    /// `AWS_ALLOW_HTTP`), or a folder, created if missing.
    pub fn open(setting: &str) -> Result<Self, StorageError> {
        if let Some(location) = setting.strip_prefix("s3://") {
            return Self::open_s3(location);
        }
        if setting.contains("://") {
            return Err(StorageError::Setting(setting.to_owned()));
        }
        std::fs::create_dir_all(setting).map_err(|source| StorageError::Read {
            path: setting.to_owned(),
            source,
        })?;
        let folder = std::fs::canonicalize(setting).map_err(|source| StorageError::Read {
            path: setting.to_owned(),
            source,
        })?;
        let local = LocalFileSystem::new_with_prefix(&folder)?;
        Ok(Self {
            inner: Arc::new(local),
            folder: Some(Arc::new(folder)),
        })
    }

    fn open_s3(location: &str) -> Result<Self, StorageError> {
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        if bucket.is_empty() {
            return Err(StorageError::Setting(format!("s3://{location}")));
        }
        let s3 = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()?;
        let prefix = prefix.trim_matches('/');
        let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix))
        };
        Ok(Self {
            inner,
            folder: None,
        })
    }

    /// Whether the storage answers: a key that cannot exist must come back
    /// as not found, not as an error.
    pub async fn check(&self) -> Result<(), StorageError> {
        match self.inner.head(&Path::from("readiness-check")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores a local file under its SHA-256, unless it is already there.
    /// The bytes copied are hashed again: a file changed since it was
    /// checked is refused, never stored under a hash it does not have.
    pub async fn put_file(
        &self,
        sha256: &str,
        file: &FsPath,
        size: u64,
    ) -> Result<Stored, StorageError> {
        let key = key(sha256)?;
        if let Some(folder) = &self.folder {
            let target = folder.join(key.as_ref());
            let (file, sha256) = (file.to_path_buf(), sha256.to_owned());
            let copied =
                tokio::task::spawn_blocking(move || copy_checked(&file, &target, &sha256)).await;
            return copied.map_err(|e| StorageError::Write {
                path: key.to_string(),
                source: io::Error::other(e),
            })?;
        }
        if self.inner.head(&key).await.is_ok() {
            return Ok(Stored::AlreadyThere);
        }
        let read_error = |source| StorageError::Read {
            path: file.display().to_string(),
            source,
        };
        let changed = || StorageError::Changed(file.display().to_string());
        if size <= WHOLE_PUT_LIMIT {
            let bytes = tokio::fs::read(file).await.map_err(read_error)?;
            if hex::encode(Sha256::digest(&bytes)) != sha256 {
                return Err(changed());
            }
            self.inner.put(&key, PutPayload::from(bytes)).await?;
            return Ok(Stored::Written);
        }

        let upload = self.inner.put_multipart(&key).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, CHUNK);
        let mut source = tokio::fs::File::open(file).await.map_err(read_error)?;
        let mut buffer = vec![0u8; CHUNK];
        let mut hasher = Sha256::new();
        loop {
            let read = source.read(&mut buffer).await.map_err(read_error)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            writer.wait_for_capacity(2).await?;
            writer.write(&buffer[..read]);
        }
        if hex::encode(hasher.finalize()) != sha256 {
            writer.abort().await?;
            return Err(changed());
        }
        writer.finish().await?;
        Ok(Stored::Written)
    }

    /// Somewhere for one import to keep copies of its files as they are
    /// checked: only when files are kept in a folder.
    pub fn staging(&self) -> Option<Arc<Staging>> {
        Some(Arc::new(Staging {
            folder: self.folder.clone()?,
            number: rand::random(),
            staged: Mutex::default(),
        }))
    }

    /// Streams a stored file, or the given byte range of it.
    pub async fn stream(
        &self,
        sha256: &str,
        range: Option<Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, std::io::Error>>, StorageError> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let result = self.inner.get_opts(&key(sha256)?, options).await?;
        let range = result.range.clone();
        match result.payload {
            GetResultPayload::File(file, path) => {
                let read_error = |source| StorageError::Read {
                    path: path.display().to_string(),
                    source,
                };
                let mut file = tokio::fs::File::from_std(file);
                file.seek(SeekFrom::Start(range.start))
                    .await
                    .map_err(read_error)?;
                let part = file.take(range.end - range.start);
                Ok(ReaderStream::with_capacity(part, STREAM_CHUNK).boxed())
            }
            GetResultPayload::Stream(stream) => Ok(stream.map_err(std::io::Error::other).boxed()),
        }
    }

    /// Deletes a stored file; deleting one already gone is not an error.
    pub async fn delete(&self, sha256: &str) -> Result<(), StorageError> {
        match self.inner.delete(&key(sha256)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether a file is stored.
    pub async fn exists(&self, sha256: &str) -> Result<bool, StorageError> {
        match self.inner.head(&key(sha256)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Every stored key, for tests and checks.
    pub async fn keys(&self) -> Result<Vec<String>, StorageError> {
        let listed: Vec<_> = self.inner.list(None).try_collect().await?;
        Ok(listed.into_iter().map(|m| m.location.to_string()).collect())
    }
}

/// Copies `source` to `target` in the storage folder, unless it is there,
/// through a file beside it renamed into place once whole and checked: a
/// reader sees the whole file or none. The bytes copied are hashed on the
/// way; a file that no longer has the hash `sha256` is refused.
fn copy_checked(source: &FsPath, target: &FsPath, sha256: &str) -> Result<Stored, StorageError> {
    if target.exists() {
        return Ok(Stored::AlreadyThere);
    }
    let (output, staged) = create_staged(target).map_err(|e| write_error(target, e))?;
    fill(source, output, &staged, sha256)?;
    if let Err(e) = std::fs::rename(&staged, target) {
        let _ = std::fs::remove_file(&staged);
        return Err(write_error(target, e));
    }
    Ok(Stored::Written)
}

/// Copies `source` to the new file `staged`, which an import moves into
/// place later, unless `target` is stored already.
fn copy_held(
    source: &FsPath,
    target: &FsPath,
    staged: &FsPath,
    sha256: &str,
) -> Result<Stored, StorageError> {
    if target.exists() {
        return Ok(Stored::AlreadyThere);
    }
    let output = create_new(staged).map_err(|e| write_error(staged, e))?;
    fill(source, output, staged, sha256)?;
    Ok(Stored::Written)
}

/// Copies `source` into `output`, the new file at `staged`, hashing the
/// bytes on the way; removes it unless it is whole and of hash `sha256`.
fn fill(
    source: &FsPath,
    mut output: File,
    staged: &FsPath,
    sha256: &str,
) -> Result<(), StorageError> {
    let read_error = |e| StorageError::Read {
        path: source.display().to_string(),
        source: e,
    };
    let copied = File::open(source)
        .map_err(read_error)
        .and_then(|mut input| match copy_hashing(&mut input, &mut output) {
            Ok(digest) if digest == sha256 => Ok(()),
            Ok(_) => Err(StorageError::Changed(source.display().to_string())),
            Err(Copy::Read(e)) => Err(read_error(e)),
            Err(Copy::Write(e)) => Err(write_error(staged, e)),
        });
    drop(output);
    if copied.is_err() {
        let _ = std::fs::remove_file(staged);
    }
    copied
}

fn write_error(path: &FsPath, source: io::Error) -> StorageError {
    StorageError::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Creates a new file named `{target}#{digits}` beside `target`, and its
/// folder if missing. The object store leaves such names out of listings,
/// as they are its own uploads in progress.
// Limitation: a crash between creating and renaming leaves the partial
// file behind; nothing removes it, though no report ever points to it.
fn create_staged(target: &FsPath) -> io::Result<(File, PathBuf)> {
    loop {
        let staged = staged_path(target, rand::random());
        match create_new(&staged) {
            Ok(file) => return Ok((file, staged)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
}

/// `{target}#{number}`: a name the object store's listings skip.
fn staged_path(target: &FsPath, number: u32) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(format!("#{number}"));
    PathBuf::from(name)
}

/// Creates the file `path`, which must not exist, and its folder if missing.
fn create_new(path: &FsPath) -> io::Result<File> {
    let open = || OpenOptions::new().write(true).create_new(true).open(path);
    match open() {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(path.parent().ok_or(e)?)?;
            open()
        }
        opened => opened,
    }
}

/// Copies of one import's files in the storage folder, under names
/// listings skip, moved into place together once every file of the batch
/// is copied and checked: a batch refused or failed halfway leaves no file
/// behind. Most copies are written while the batch is checked, from the
/// bytes the check read, so each file is read once. Copies not moved are
/// removed at the end.
// Limitation: an import killed before its end leaves its copies behind, up
// to one per file of the batch, under names nothing lists or removes; they
// cost disk space only. A sweep of old `#digits` names would reclaim it.
pub struct Staging {
    folder: Arc<PathBuf>,
    number: u32,
    staged: Mutex<HashSet<String>>,
}

impl Staging {
    /// Writes `bytes`, whose SHA-256 is `sha256`, as this import's copy,
    /// unless the file is stored already. A failure only leaves the storing
    /// step to copy the file from the batch, as without a copy.
    pub fn keep(&self, sha256: &str, bytes: &[u8]) {
        let Ok(target) = self.target(sha256) else {
            return;
        };
        if target.exists() {
            return;
        }
        let staged = staged_path(&target, self.number);
        let Ok(mut file) = create_new(&staged) else {
            return;
        };
        if file.write_all(bytes).is_ok() {
            self.staged().insert(sha256.to_owned());
        } else {
            let _ = std::fs::remove_file(&staged);
        }
    }

    /// Makes sure this import holds a copy of the file `source`, of hash
    /// `sha256`, unless it is stored already: copies it, hashing what it
    /// copies, if the check kept none. A file that no longer has that hash
    /// is refused.
    pub async fn hold(&self, sha256: &str, source: &FsPath) -> Result<Stored, StorageError> {
        let target = self.target(sha256)?;
        // Held already, or being copied for another row with this content.
        if !self.staged().insert(sha256.to_owned()) {
            return Ok(Stored::Written);
        }
        let staged = staged_path(&target, self.number);
        let source = source.to_path_buf();
        let sha = sha256.to_owned();
        let copied =
            tokio::task::spawn_blocking(move || copy_held(&source, &target, &staged, &sha))
                .await
                .unwrap_or_else(|e| {
                    Err(StorageError::Write {
                        path: sha256.to_owned(),
                        source: io::Error::other(e),
                    })
                });
        if !matches!(copied, Ok(Stored::Written)) {
            self.staged().remove(sha256);
        }
        copied
    }

    /// Moves every copy this import holds into place.
    pub async fn promote_all(&self) -> Result<(), StorageError> {
        let moves: Vec<(PathBuf, PathBuf)> = self
            .staged()
            .iter()
            .filter_map(|sha256| self.target(sha256).ok())
            .map(|target| (staged_path(&target, self.number), target))
            .collect();
        let moved = tokio::task::spawn_blocking(move || {
            for (staged, target) in moves {
                std::fs::rename(&staged, &target).map_err(|e| write_error(&target, e))?;
            }
            Ok(())
        })
        .await
        .unwrap_or_else(|e| Err(write_error(&self.folder, io::Error::other(e))));
        if moved.is_ok() {
            self.staged().clear();
        }
        moved
    }

    /// Removes the copies that were not moved into place.
    pub async fn discard_rest(&self) {
        let left: Vec<PathBuf> = self
            .staged()
            .drain()
            .filter_map(|sha256| self.target(&sha256).ok())
            .map(|target| staged_path(&target, self.number))
            .collect();
        if left.is_empty() {
            return;
        }
        let _ = tokio::task::spawn_blocking(move || {
            for staged in left {
                let _ = std::fs::remove_file(staged);
            }
        })
        .await;
    }

    fn target(&self, sha256: &str) -> Result<PathBuf, StorageError> {
        Ok(self.folder.join(key(sha256)?.as_ref()))
    }

    fn staged(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.staged.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Which side of a copy failed.
enum Copy {
    Read(io::Error),
    Write(io::Error),
}

/// Copies `input` to `output`; returns the SHA-256 hex of what it copied.
fn copy_hashing(input: &mut File, output: &mut File) -> Result<String, Copy> {
    let mut buffer = vec![0u8; STREAM_CHUNK];
    let mut hasher = Sha256::new();
    loop {
        let read = match input.read(&mut buffer) {
            Ok(0) => return Ok(hex::encode(hasher.finalize())),
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Copy::Read(e)),
        };
        hasher.update(&buffer[..read]);
        output.write_all(&buffer[..read]).map_err(Copy::Write)?;
    }
}

/// The storage key of a hash: `ab/abcdef….pdf`.
fn key(sha256: &str) -> Result<Path, StorageError> {
    let valid = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !valid {
        return Err(StorageError::InvalidKey);
    }
    Ok(Path::from(format!("{}/{sha256}.pdf", &sha256[..2])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_once_and_streams_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path().join("reports").to_str().unwrap()).unwrap();
        let source = dir.path().join("a.pdf");
        std::fs::write(&source, b"0123456789").unwrap();
        let sha = crate::domain::secret::sha256_hex(b"0123456789");

        store.put_file(&sha, &source, 10).await.unwrap();
        store.put_file(&sha, &source, 10).await.unwrap();
        assert_eq!(store.keys().await.unwrap().len(), 1);

        let parts: Vec<_> = store
            .stream(&sha, Some(2..5))
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(parts.concat(), b"234");
    }

    #[tokio::test]
    async fn a_folder_streams_large_reads_whole_or_by_range() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path().join("reports").to_str().unwrap()).unwrap();
        let source = dir.path().join("big.pdf");
        let content: Vec<u8> = (0..3 * STREAM_CHUNK + 5).map(|i| (i % 251) as u8).collect();
        std::fs::write(&source, &content).unwrap();
        let sha = crate::domain::secret::sha256_hex(&content);
        store
            .put_file(&sha, &source, content.len() as u64)
            .await
            .unwrap();

        let whole: Vec<Bytes> = store
            .stream(&sha, None)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(whole.concat(), content);
        assert_eq!(whole.len(), 4, "one read per {STREAM_CHUNK} bytes");

        let start = STREAM_CHUNK as u64 - 3;
        let end = 2 * STREAM_CHUNK as u64 + 7;
        let part: Vec<Bytes> = store
            .stream(&sha, Some(start..end))
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(part.concat(), &content[start as usize..end as usize]);
    }

    #[tokio::test]
    async fn refuses_a_file_whose_content_is_not_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path().join("reports").to_str().unwrap()).unwrap();
        let source = dir.path().join("a.pdf");
        std::fs::write(&source, b"changed after the check").unwrap();
        let sha = crate::domain::secret::sha256_hex(b"as checked");

        let result = store.put_file(&sha, &source, 23).await;
        assert!(matches!(result, Err(StorageError::Changed(_))));
        assert!(store.keys().await.unwrap().is_empty());
        let left: Vec<_> = std::fs::read_dir(dir.path().join("reports").join(&sha[..2]))
            .unwrap()
            .collect();
        assert!(left.is_empty(), "nothing is left behind: {left:?}");
    }

    #[tokio::test]
    async fn a_copy_in_progress_is_not_listed_and_a_missing_folder_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::open(dir.path().join("reports").to_str().unwrap()).unwrap();
        let sha = crate::domain::secret::sha256_hex(b"whole");
        let staged = dir.path().join("reports").join(&sha[..2]);
        std::fs::create_dir_all(&staged).unwrap();
        std::fs::write(staged.join(format!("{sha}.pdf#42")), b"who").unwrap();
        assert!(store.keys().await.unwrap().is_empty());
        assert!(!store.exists(&sha).await.unwrap());

        std::fs::remove_dir_all(&staged).unwrap();
        let source = dir.path().join("a.pdf");
        std::fs::write(&source, b"whole").unwrap();
        let stored = store.put_file(&sha, &source, 5).await.unwrap();
        assert_eq!(stored, Stored::Written);
        assert_eq!(
            store.keys().await.unwrap(),
            [format!("{}/{sha}.pdf", &sha[..2])]
        );
    }

    /// Every file under `folder`, as paths relative to it.
    fn files_under(folder: &FsPath) -> Vec<String> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                let below = files_under(&path);
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                found.extend(below.into_iter().map(|file| format!("{name}/{file}")));
            } else {
                found.push(path.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
        found.sort();
        found
    }

    #[tokio::test]
    async fn copies_are_unlisted_until_all_are_moved_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("reports");
        let store = FileStore::open(folder.to_str().unwrap()).unwrap();
        let staging = store.staging().expect("a folder keeps copies");
        let kept = crate::domain::secret::sha256_hex(b"kept");
        let copied = crate::domain::secret::sha256_hex(b"copied");
        let source = dir.path().join("copied.pdf");
        std::fs::write(&source, b"copied").unwrap();

        staging.keep(&kept, b"kept");
        assert_eq!(staging.hold(&kept, &source).await.unwrap(), Stored::Written);
        assert_eq!(
            staging.hold(&copied, &source).await.unwrap(),
            Stored::Written
        );
        assert!(store.keys().await.unwrap().is_empty());
        assert_eq!(files_under(&folder).len(), 2);

        staging.promote_all().await.unwrap();
        staging.discard_rest().await;
        let key = |sha: &str| format!("{}/{sha}.pdf", &sha[..2]);
        let mut expected = vec![key(&kept), key(&copied)];
        expected.sort();
        assert_eq!(files_under(&folder), expected);
        assert_eq!(std::fs::read(folder.join(key(&kept))).unwrap(), b"kept");
        assert_eq!(std::fs::read(folder.join(key(&copied))).unwrap(), b"copied");
    }

    #[tokio::test]
    async fn a_batch_stopped_by_a_changed_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("reports");
        let store = FileStore::open(folder.to_str().unwrap()).unwrap();
        let staging = store.staging().unwrap();
        let kept = crate::domain::secret::sha256_hex(b"kept");
        let source = dir.path().join("changed.pdf");
        std::fs::write(&source, b"changed since its check").unwrap();
        let checked = crate::domain::secret::sha256_hex(b"as checked");

        staging.keep(&kept, b"kept");
        let refused = staging.hold(&checked, &source).await;
        assert!(matches!(refused, Err(StorageError::Changed(_))));
        staging.discard_rest().await;
        assert!(files_under(&folder).is_empty());
    }

    #[tokio::test]
    async fn no_copy_is_kept_of_a_stored_file_nor_in_an_object_store() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("reports");
        let store = FileStore::open(folder.to_str().unwrap()).unwrap();
        let source = dir.path().join("a.pdf");
        std::fs::write(&source, b"stored").unwrap();
        let sha = crate::domain::secret::sha256_hex(b"stored");
        store.put_file(&sha, &source, 6).await.unwrap();

        let staging = store.staging().unwrap();
        staging.keep(&sha, b"stored");
        assert_eq!(
            staging.hold(&sha, &source).await.unwrap(),
            Stored::AlreadyThere
        );
        staging.promote_all().await.unwrap();
        assert_eq!(files_under(&folder).len(), 1);

        let s3 = FileStore {
            inner: Arc::new(object_store::memory::InMemory::new()),
            folder: None,
        };
        assert!(s3.staging().is_none());
    }

    #[test]
    fn refuses_keys_that_are_not_hashes() {
        assert!(key("../../etc/passwd").is_err());
        assert!(key(&"A".repeat(64)).is_err());
    }
}
