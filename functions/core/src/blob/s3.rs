//! Blob store: S3. Objects are written with SSE-S3 (AES-256) encryption.

use async_trait::async_trait;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;

use super::{Blob, BlobError, BlobMeta, BlobStore, Progress};

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

impl S3Blobs {
    async fn put_object(
        &self,
        key: &str,
        body: ByteStream,
        content_length: u64,
        content_type: &str,
    ) -> Result<BlobMeta, BlobError> {
        let out = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(i64::try_from(content_length).unwrap_or(i64::MAX))
            .server_side_encryption(ServerSideEncryption::Aes256)
            .body(body)
            .send()
            .await
            .map_err(|e| self.error("PutObject", key, e))?;
        Ok(BlobMeta {
            content_length,
            content_type: content_type.to_string(),
            etag: quoted(out.e_tag),
        })
    }
}

/// Upload chunk size: small enough that a progress bar moves on a slow link.
const CHUNK: usize = 64 * 1024;

/// A body handed out in [`CHUNK`]s, reporting the running total.
struct Counted {
    body: Bytes,
    sent: usize,
    progress: Progress,
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.sent >= self.body.len() {
            return std::task::Poll::Ready(None);
        }
        let end = (self.sent + CHUNK).min(self.body.len());
        let chunk = self.body.slice(self.sent..end);
        self.sent = end;
        (self.progress)(end as u64);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.sent >= self.body.len()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact((self.body.len() - self.sent) as u64)
    }
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
        self.put_object(key, ByteStream::from(body), content_length, content_type)
            .await
    }

    /// Streams the body in chunks, counting each one as the SDK takes it; the body is rebuilt
    /// from the start if the SDK retries.
    async fn put_with_progress(
        &self,
        key: &str,
        body: Bytes,
        content_type: &str,
        progress: Progress,
    ) -> Result<BlobMeta, BlobError> {
        let content_length = body.len() as u64;
        let stream = ByteStream::new(SdkBody::retryable(move || {
            SdkBody::from_body_1_x(Counted {
                body: body.clone(),
                sent: 0,
                progress: progress.clone(),
            })
        }));
        self.put_object(key, stream, content_length, content_type)
            .await
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
