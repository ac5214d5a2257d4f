//! Blobs in a local folder, for `frontdesk serve`.
//!
//! An object is the file `root/<key>`; beside it, `root/<key>.meta.json` holds its content type
//! and entity tag. Both are written to a temporary file in the same folder and renamed into
//! place, so a reader sees the old or the new file, never a partial one.
//!
//! A link to an object is the local stand-in for an S3 presigned GET:
//! `{base}/blobs/<key>?expires=<unix seconds>&signature=<hex>`, signed with HMAC-SHA256 under a
//! key drawn at random when the store is made, so a link is good until it expires or the
//! process that made it stops. `frontdesk serve` answers it ([`BlobStore::follow_link`]) and
//! gives the store its own address as `base`, so a business's webhook gets a link it can fetch
//! and the inbox plays a recording from it; without a base the link is a path.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{Blob, BlobError, BlobMeta, BlobStore};
use crate::http::form;

const META_SUFFIX: &str = ".meta.json";

/// Where `frontdesk serve` answers the links this store hands out: the key follows.
pub const LINK_PATH: &str = "/blobs/";

pub struct FolderBlobs {
    root: PathBuf,
    /// Signs the links: random per store, never written anywhere.
    link_key: [u8; 32],
    /// `scheme://host[/path]` the links start with; none: a link is a path.
    link_base: Option<String>,
}

/// The sidecar file's content.
#[derive(Serialize, Deserialize)]
struct Sidecar {
    content_type: String,
    etag: String,
}

/// `"` + the first 32 hex digits of the body's SHA-256 + `"`: a content hash, so the same
/// body always has the same tag.
fn etag(body: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(body));
    format!("\"{}\"", &digest[..32])
}

/// For a file put in the folder by hand, without a sidecar.
fn guess_content_type(key: &str) -> &'static str {
    match key
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
    {
        Some(ext) if ext == "mp3" => "audio/mpeg",
        Some(ext) if ext == "wav" => "audio/wav",
        Some(ext) if ext == "json" => "application/json",
        Some(ext) if ext == "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn failed(action: &str, path: &Path, err: impl std::fmt::Display) -> BlobError {
    BlobError(format!("{action} {}: {err}", path.display()))
}

/// Reads a file; `None` when it does not exist.
async fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, BlobError> {
    match tokio::fs::read(path).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
        Err(err) => Err(failed("reading", path, err)),
    }
}

/// Writes `contents` to `path` through a synced temporary file in the same folder and a rename.
async fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), BlobError> {
    let folder = path
        .parent()
        .ok_or_else(|| failed("writing", path, "no parent folder"))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("blob");
    let temporary = folder.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let written = async {
        let mut file = tokio::fs::File::create(&temporary).await?;
        file.write_all(contents).await?;
        // Synced before the rename, so a crash cannot leave the new name on an empty file.
        file.sync_all().await?;
        tokio::fs::rename(&temporary, path).await
    }
    .await;
    if let Err(err) = written {
        // Best effort: the write already failed, and a stray temporary file is harmless.
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err(failed("writing", path, err));
    }
    Ok(())
}

impl FolderBlobs {
    pub fn new(root: PathBuf) -> Self {
        let mut link_key = [0u8; 32];
        getrandom::fill(&mut link_key).expect("the operating system's random generator");
        Self {
            root,
            link_key,
            link_base: None,
        }
    }

    /// This store's links start with `base` (where `frontdesk serve` is reached).
    pub fn with_link_base(mut self, base: &str) -> Self {
        self.link_base = Some(base.trim_end_matches('/').to_string());
        self
    }

    /// The signature of a link to `key` good until `expires` (Unix seconds).
    fn link_mac(&self, key: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.link_key).expect("any key length");
        mac.update(key.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    /// The object's path, for keys that stay inside the root and cannot be mistaken for a
    /// sidecar.
    fn object_path(&self, key: &str) -> Result<PathBuf, BlobError> {
        let refuse = |reason: &str| Err(BlobError(format!("blob key `{key}` refused: {reason}")));
        if key.is_empty() || key.ends_with('/') {
            return refuse("it names no file");
        }
        if key.contains("..") || key.starts_with('/') || key.contains('\\') || key.contains('\0') {
            return refuse("it could leave the blob folder");
        }
        if key.ends_with(META_SUFFIX) {
            return refuse("the suffix is reserved for metadata");
        }
        Ok(self.root.join(key))
    }

    fn sidecar_path(object: &Path) -> PathBuf {
        let mut name = object.as_os_str().to_owned();
        name.push(META_SUFFIX);
        PathBuf::from(name)
    }

    async fn sidecar(object: &Path) -> Result<Option<Sidecar>, BlobError> {
        let path = Self::sidecar_path(object);
        read_if_exists(&path)
            .await?
            .map(|bytes| serde_json::from_slice(&bytes).map_err(|e| failed("parsing", &path, e)))
            .transpose()
    }
}

#[async_trait]
impl BlobStore for FolderBlobs {
    /// A signed link under [`LINK_PATH`] that `frontdesk serve` answers until it expires.
    async fn link(
        &self,
        key: &str,
        expires_in: std::time::Duration,
    ) -> Result<Option<String>, BlobError> {
        self.object_path(key)?;
        let lifetime = i64::try_from(expires_in.as_secs()).unwrap_or(i64::MAX / 2);
        let expires = jiff::Timestamp::now().as_second().saturating_add(lifetime);
        let signature = hex::encode(self.link_mac(key, expires).finalize().into_bytes());
        // The key as the path's end (a player sees `….mp3`), escaped as the form codec does
        // (`follow_link` reads it back with the same codec), its folders kept as they are.
        let path = form::escape(key).replace("%2F", "/");
        let base = self.link_base.as_deref().unwrap_or_default();
        Ok(Some(format!(
            "{base}{LINK_PATH}{path}?expires={expires}&signature={signature}"
        )))
    }

    async fn follow_link(
        &self,
        path: &str,
        query: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<Blob>, BlobError> {
        let Ok(key) = form::parse(format!("key={path}").as_bytes()) else {
            return Ok(None);
        };
        let key = key.get("key").unwrap_or_default();
        let Ok(query) = form::parse(query.as_bytes()) else {
            return Ok(None);
        };
        let expires = query.get("expires").and_then(|v| v.parse::<i64>().ok());
        let signature = query.get("signature").and_then(|v| hex::decode(v).ok());
        let (Some(expires), Some(signature)) = (expires, signature) else {
            return Ok(None);
        };
        if now.as_second() > expires || self.object_path(key).is_err() {
            return Ok(None);
        }
        if self
            .link_mac(key, expires)
            .verify_slice(&signature)
            .is_err()
        {
            return Ok(None);
        }
        self.get(key).await
    }

    async fn head(&self, key: &str) -> Result<Option<BlobMeta>, BlobError> {
        let object = self.object_path(key)?;
        let content_length = match tokio::fs::metadata(&object).await {
            Ok(metadata) if metadata.is_file() => metadata.len(),
            Ok(_) => return Ok(None),
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(failed("inspecting", &object, err)),
        };
        match Self::sidecar(&object).await? {
            Some(sidecar) => Ok(Some(BlobMeta {
                content_length,
                content_type: sidecar.content_type,
                etag: sidecar.etag,
            })),
            // No sidecar: the tag must come from the content itself.
            None => Ok(self.get(key).await?.map(|blob| blob.meta)),
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Blob>, BlobError> {
        let object = self.object_path(key)?;
        let body = match tokio::fs::read(&object).await {
            Ok(body) => Bytes::from(body),
            Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::IsADirectory) => {
                return Ok(None)
            }
            Err(err) => return Err(failed("reading", &object, err)),
        };
        let content_type = match Self::sidecar(&object).await? {
            Some(sidecar) => sidecar.content_type,
            None => guess_content_type(key).to_string(),
        };
        // Length and tag come from the bytes read, so they always describe this body even
        // while a put is between its two renames.
        Ok(Some(Blob {
            meta: BlobMeta {
                content_length: body.len() as u64,
                content_type,
                etag: etag(&body),
            },
            body,
        }))
    }

    async fn put(&self, key: &str, body: Bytes, content_type: &str) -> Result<BlobMeta, BlobError> {
        let object = self.object_path(key)?;
        if let Some(folder) = object.parent() {
            tokio::fs::create_dir_all(folder)
                .await
                .map_err(|e| failed("creating", folder, e))?;
        }
        let meta = BlobMeta {
            content_length: body.len() as u64,
            content_type: content_type.to_string(),
            etag: etag(&body),
        };
        let sidecar = serde_json::to_vec(&Sidecar {
            content_type: meta.content_type.clone(),
            etag: meta.etag.clone(),
        })
        .map_err(|e| failed("encoding metadata for", &object, e))?;
        write_atomically(&object, &body).await?;
        write_atomically(&Self::sidecar_path(&object), &sidecar).await?;
        Ok(meta)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A link's path after [`LINK_PATH`] and its query.
    fn parts(link: &str) -> (&str, &str) {
        link.split_once(LINK_PATH)
            .and_then(|(_, rest)| rest.split_once('?'))
            .expect("a link under LINK_PATH")
    }

    async fn store_with_recording() -> (tempfile::TempDir, FolderBlobs, String) {
        let dir = tempfile::tempdir().unwrap();
        let blobs = FolderBlobs::new(dir.path().to_path_buf());
        let key = "recordings/clinic/CA01 é.mp3".to_string();
        blobs
            .put(&key, Bytes::from_static(b"ID3"), "audio/mpeg")
            .await
            .unwrap();
        (dir, blobs, key)
    }

    #[tokio::test]
    async fn a_link_reads_its_object_until_it_expires() {
        let (_dir, blobs, key) = store_with_recording().await;
        let link = blobs
            .link(&key, Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert!(
            link.starts_with("/blobs/recordings/clinic/CA01+%C3%A9.mp3?expires="),
            "{link}"
        );
        let now = jiff::Timestamp::now();
        let (path, query) = parts(&link);
        let blob = blobs.follow_link(path, query, now).await.unwrap();
        assert_eq!(blob.unwrap().body.as_ref(), b"ID3");
        let later = now + jiff::SignedDuration::from_secs(120);
        assert_eq!(blobs.follow_link(path, query, later).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_changed_or_foreign_link_reads_nothing() {
        let (_dir, blobs, key) = store_with_recording().await;
        let link = blobs
            .link(&key, Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        let now = jiff::Timestamp::now();
        for changed in [
            link.replace("CA01", "CA02"),
            link.replace("expires=", "expires=9"),
            link.replace("signature=", "signature=00"),
        ] {
            let (path, query) = parts(&changed);
            assert_eq!(blobs.follow_link(path, query, now).await.unwrap(), None);
        }
        // Another process's store signs with another key.
        let other = FolderBlobs::new(blobs.root.clone());
        let (path, query) = parts(&link);
        assert_eq!(other.follow_link(path, query, now).await.unwrap(), None);
        assert_eq!(
            blobs.follow_link("x", "expires=1", now).await.unwrap(),
            None
        );
        assert_eq!(blobs.follow_link("%zz", query, now).await.unwrap(), None);
        assert_eq!(blobs.follow_link("../x", query, now).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_link_starts_with_the_servers_address_when_it_has_one() {
        let dir = tempfile::tempdir().unwrap();
        let blobs =
            FolderBlobs::new(dir.path().to_path_buf()).with_link_base("http://127.0.0.1:3000/");
        let link = blobs
            .link("recordings/a/CA1/RE1.mp3", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert!(
            link.starts_with("http://127.0.0.1:3000/blobs/recordings/a/CA1/RE1.mp3?expires="),
            "{link}"
        );
    }
}
