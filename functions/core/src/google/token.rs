//! Access tokens: a service account's JWT exchanged at its token endpoint
//! (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`), each kept until shortly before
//! it expires, per key, so a busy calendar lookup costs one API call, not two.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::key::ServiceAccountKey;
use super::{unreachable, GoogleError, SCOPE};
use crate::config::Secret;
use crate::http::FormParams;

/// A token is used until this long before Google says it expires.
const EXPIRY_MARGIN: Duration = Duration::from_secs(120);

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The tokens this process holds, by key (account, key id and endpoint).
#[derive(Default)]
pub struct Tokens {
    cache: Mutex<HashMap<String, (Secret, Instant)>>,
}

impl Tokens {
    fn cache_key(key: &ServiceAccountKey, endpoint: &str) -> String {
        format!(
            "{}|{}|{endpoint}",
            key.client_email,
            key.private_key_id.as_deref().unwrap_or_default()
        )
    }

    /// A token for `key`, from the cache or freshly issued at `endpoint`.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        key: &ServiceAccountKey,
        endpoint: &str,
    ) -> Result<Secret, GoogleError> {
        let cache_key = Self::cache_key(key, endpoint);
        let cached = self
            .cache
            .lock()
            .ok()
            .and_then(|cache| cache.get(&cache_key).cloned());
        if let Some((token, good_until)) = cached {
            if Instant::now() < good_until {
                return Ok(token);
            }
        }
        let (token, lifetime) = issue(http, key, endpoint).await?;
        let good_until = Instant::now() + lifetime.saturating_sub(EXPIRY_MARGIN);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(cache_key, (token.clone(), good_until));
        }
        Ok(token)
    }

    /// Drops `key`'s token (the API answered 401: revoked or expired early).
    pub fn forget(&self, key: &ServiceAccountKey, endpoint: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(&Self::cache_key(key, endpoint));
        }
    }
}

/// One exchange: the JWT for a token and how long it lasts.
async fn issue(
    http: &reqwest::Client,
    key: &ServiceAccountKey,
    endpoint: &str,
) -> Result<(Secret, Duration), GoogleError> {
    let now = jiff::Timestamp::now().as_second();
    // The audience is the endpoint the JWT is sent to, as Google requires.
    let assertion = key.assertion(SCOPE, endpoint, now)?;
    let form = FormParams::from_pairs(vec![
        (
            "grant_type".to_string(),
            "urn:ietf:params:oauth:grant-type:jwt-bearer".to_string(),
        ),
        ("assertion".to_string(), assertion),
    ]);
    let response = http
        .post(endpoint)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.encode())
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let answer: TokenAnswer = response.json().await.map_err(unreachable)?;
    if !status.is_success() {
        return Err(GoogleError::TokenRefused {
            status: status.as_u16(),
            error: answer.error.unwrap_or_else(|| "unknown".into()),
            description: answer.error_description.unwrap_or_default(),
        });
    }
    let token = answer
        .access_token
        .and_then(Secret::new)
        .ok_or_else(|| GoogleError::Unreachable("the token answer has no access_token".into()))?;
    Ok((
        token,
        Duration::from_secs(answer.expires_in.unwrap_or(3600)),
    ))
}
