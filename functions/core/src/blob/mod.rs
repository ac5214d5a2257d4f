//! Blobs: greeting MP3s (and, later, recording copies).
//!
//! [`s3::S3Blobs`] on AWS; [`folder::FolderBlobs`] (a local folder) for `frontdesk serve`.

pub mod folder;
pub mod s3;

use async_trait::async_trait;
use bytes::Bytes;

/// What is known about a stored object without reading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobMeta {
    pub content_length: u64,
    pub content_type: String,
    /// The entity tag, with its quotes, as HTTP sends it.
    pub etag: String,
}

/// Told the number of bytes sent so far.
pub type Progress = std::sync::Arc<dyn Fn(u64) + Send + Sync>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    pub meta: BlobMeta,
    pub body: Bytes,
}

#[derive(Debug, thiserror::Error)]
#[error("blob store unavailable: {0}")]
pub struct BlobError(pub String);

#[async_trait]
pub trait BlobStore: Send + Sync + 'static {
    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, BlobError>;
    async fn get(&self, key: &str) -> Result<Option<Blob>, BlobError>;
    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<BlobMeta, BlobError>;

    /// [`BlobStore::put`], calling `progress` with the bytes sent so far as the upload goes
    /// (the CLI's progress bar). Stores that write at once report the whole length when done.
    async fn put_with_progress(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        progress: Progress,
    ) -> Result<BlobMeta, BlobError> {
        let length = body.len() as u64;
        let stored = self.put(key, body, content_type).await?;
        progress(length);
        Ok(stored)
    }

    /// A link that lets its holder read `key` for `expires_in` without credentials (an S3
    /// presigned GET), or `None` where the store has no such thing.
    async fn link(
        &self,
        _key: &str,
        _expires_in: std::time::Duration,
    ) -> Result<Option<String>, BlobError> {
        Ok(None)
    }

    /// The object a link from [`BlobStore::link`] names, when this store answers its own links
    /// (the local folder, served by `frontdesk serve` under [`folder::LINK_PATH`]); `path` is
    /// the link's path after that prefix, `query` its query. `None` for a link that is not one
    /// of this store's, is forged or has expired, and for stores whose links go elsewhere (S3).
    async fn follow_link(
        &self,
        _path: &str,
        _query: &str,
        _now: jiff::Timestamp,
    ) -> Result<Option<Blob>, BlobError> {
        Ok(None)
    }
}
