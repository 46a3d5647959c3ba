//! Report files, kept by content (SHA-256) in a folder or an object store.
//! Files are only ever reached through the hash stored on a report row.

use std::io::SeekFrom;
use std::ops::Range;
use std::path::Path as FsPath;
use std::sync::Arc;

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
        let local = LocalFileSystem::new_with_prefix(setting)?;
        Ok(Self {
            inner: Arc::new(local),
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
        Ok(Self { inner })
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
    }

    #[test]
    fn refuses_keys_that_are_not_hashes() {
        assert!(key("../../etc/passwd").is_err());
        assert!(key(&"A".repeat(64)).is_err());
    }
}
