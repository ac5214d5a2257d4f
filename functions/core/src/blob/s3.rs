//! Blob store: S3. Objects are written with SSE-S3 (AES-256) encryption.

use async_trait::async_trait;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use bytes::Bytes;

use super::{Blob, BlobError, BlobMeta, BlobStore};

pub struct S3Blobs {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Blobs {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    fn error(&self, operation: &str, key: &str, error: impl std::error::Error) -> BlobError {
        BlobError(format!(
            "s3 {operation} s3://{}/{key}: {}",
            self.bucket,
            DisplayErrorContext(error)
        ))
    }
}

/// The entity tag as HTTP sends it, quotes included (some S3-compatible stores drop them).
fn quoted(etag: Option<String>) -> String {
    match etag {
        Some(etag) if etag.starts_with('"') || etag.starts_with("W/\"") => etag,
        Some(etag) => format!("\"{etag}\""),
        None => String::new(),
    }
}

fn length(content_length: Option<i64>) -> u64 {
    content_length
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0)
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, BlobError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(Some(BlobMeta {
                content_length: length(out.content_length),
                content_type: out.content_type.unwrap_or_default(),
                etag: quoted(out.e_tag),
            })),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(e) => Err(self.error("HeadObject", key, e)),
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Blob>, BlobError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(self.error("GetObject", key, e)),
        };
        let meta = BlobMeta {
            content_length: length(out.content_length),
            content_type: out.content_type.unwrap_or_default(),
            etag: quoted(out.e_tag),
        };
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| self.error("GetObject body", key, e))?
            .into_bytes();
        Ok(Some(Blob { meta, body }))
    }

    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<BlobMeta, BlobError> {
        let content_length = body.len() as u64;
        let out = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| self.error("PutObject", key, e))?;
        Ok(BlobMeta {
            content_length,
            content_type: content_type.to_string(),
            etag: quoted(out.e_tag),
        })
    }

    /// A presigned GetObject URL (SigV4 query parameters), valid for at most 7 days.
    async fn link(
        &self,
        key: &str,
        expires_in: std::time::Duration,
    ) -> Result<Option<String>, BlobError> {
        let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(expires_in)
            .map_err(|e| BlobError(format!("presigning s3://{}/{key}: {e}", self.bucket)))?;
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| self.error("GetObject presign", key, e))?;
        Ok(Some(presigned.uri().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_keep_or_gain_their_quotes() {
        assert_eq!(quoted(Some("\"abc\"".into())), "\"abc\"");
        assert_eq!(quoted(Some("abc".into())), "\"abc\"");
        assert_eq!(quoted(Some("W/\"abc\"".into())), "W/\"abc\"");
    }
}
