//! A service account's key, as Google issues it (the JSON file with a PKCS#8 PEM private key),
//! and the signed JWT (RS256) it is exchanged for an access token with.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde::Deserialize;
use serde_json::json;

use super::GoogleError;

/// Google's token endpoint, where a key without `token_uri` exchanges its JWT.
pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// How long a JWT asks its token to last: Google's maximum.
const ASSERTION_LIFETIME_SECONDS: i64 = 3600;

/// The key file's fields Frontdesk reads; the rest (`project_id`, `client_id`, URLs) is not
/// needed.
#[derive(Deserialize)]
struct KeyFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    client_email: Option<String>,
    private_key: Option<String>,
    private_key_id: Option<String>,
    token_uri: Option<String>,
}

/// A parsed, usable key. Its `Debug` shows the account, never the key.
#[derive(Clone)]
pub struct ServiceAccountKey {
    pub client_email: String,
    pub private_key_id: Option<String>,
    pub token_uri: String,
    key_pair: Arc<RsaKeyPair>,
}

impl fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

fn key_error(reason: impl Into<String>) -> GoogleError {
    GoogleError::Key(reason.into())
}

impl ServiceAccountKey {
    /// Reads a key file's JSON. Every refusal says what is wrong without quoting the key.
    pub fn parse(json: &str) -> Result<Self, GoogleError> {
        let file: KeyFile = serde_json::from_str(json)
            .map_err(|e| key_error(format!("not a service account key file (JSON: {e})")))?;
        if file.kind.as_deref() != Some("service_account") {
            return Err(key_error(
                "not a service account key: `type` must be `service_account` (IAM → Service accounts → Keys → Add key → JSON)",
            ));
        }
        let client_email = file
            .client_email
            .filter(|e| e.contains('@') && !e.chars().any(char::is_whitespace))
            .ok_or_else(|| key_error("the key has no `client_email`"))?;
        let pem = file
            .private_key
            .ok_or_else(|| key_error("the key has no `private_key`"))?;
        let der = pem_body(&pem, "PRIVATE KEY")?;
        let key_pair = RsaKeyPair::from_pkcs8(&der).map_err(|e| {
            key_error(format!(
                "`private_key` is not an RSA PKCS#8 key Google issues ({e})"
            ))
        })?;
        let token_uri = file
            .token_uri
            .unwrap_or_else(|| DEFAULT_TOKEN_URI.to_string());
        if !is_token_uri(&token_uri) {
            return Err(key_error(format!(
                "`token_uri` must be https:// (or http:// to this machine): {token_uri}"
            )));
        }
        Ok(Self {
            client_email,
            private_key_id: file.private_key_id.filter(|id| !id.is_empty()),
            token_uri,
            key_pair: Arc::new(key_pair),
        })
    }

    /// The JWT that asks `audience` (the token endpoint) for a token with `scope`, issued at
    /// `now` (Unix seconds): header and claims in base64url, signed RS256 with the key.
    pub fn assertion(&self, scope: &str, audience: &str, now: i64) -> Result<String, GoogleError> {
        let mut header = json!({ "alg": "RS256", "typ": "JWT" });
        if let Some(kid) = &self.private_key_id {
            header["kid"] = kid.as_str().into();
        }
        let claims = json!({
            "iss": self.client_email,
            "scope": scope,
            "aud": audience,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
        });
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let signing_input = format!(
            "{}.{}",
            b64.encode(header.to_string()),
            b64.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key_pair.public().modulus_len()];
        self.key_pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| key_error("the key could not sign"))?;
        Ok(format!("{signing_input}.{}", b64.encode(signature)))
    }
}

/// A token endpoint Frontdesk will send a key's JWT to: Google's is https; a local stand-in
/// may be plain http on the loopback.
fn is_token_uri(uri: &str) -> bool {
    if uri.starts_with("https://") {
        return true;
    }
    uri.strip_prefix("http://").is_some_and(|rest| {
        rest.starts_with("127.0.0.1:")
            || rest.starts_with("localhost:")
            || rest.starts_with("[::1]:")
    })
}

/// The DER inside a PEM block labelled `label` (line breaks as `\n` or real ones).
fn pem_body(pem: &str, label: &str) -> Result<Vec<u8>, GoogleError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let pem = pem.replace("\\n", "\n");
    let body = pem
        .split_once(&begin)
        .and_then(|(_, rest)| rest.split_once(&end))
        .map(|(body, _)| body)
        .ok_or_else(|| {
            key_error(format!(
                "`private_key` is not a PEM `{label}` (PKCS#8, as Google issues keys)"
            ))
        })?;
    let base64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|e| key_error(format!("`private_key` is not valid base64 ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = include_str!("../../../testkit/fixtures/google/test-service-account.pem");
    const PUBLIC_DER: &[u8] =
        include_bytes!("../../../testkit/fixtures/google/test-service-account.pub.der");

    fn key_json(fields: serde_json::Value) -> String {
        let mut key = json!({
            "type": "service_account",
            "project_id": "frontdesk-test",
            "private_key_id": "k1",
            "private_key": PEM,
            "client_email": "frontdesk@frontdesk-test.iam.gserviceaccount.com",
            "token_uri": "https://oauth2.googleapis.com/token",
        });
        for (name, value) in fields.as_object().unwrap() {
            key[name] = value.clone();
        }
        key.to_string()
    }

    #[test]
    fn a_key_signs_a_jwt_its_public_half_verifies() {
        let key = ServiceAccountKey::parse(&key_json(json!({}))).unwrap();
        let jwt = key
            .assertion(
                "scope-x",
                "https://oauth2.googleapis.com/token",
                1_800_000_000,
            )
            .unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header: serde_json::Value =
            serde_json::from_slice(&b64.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header, json!({"alg": "RS256", "typ": "JWT", "kid": "k1"}));
        let claims: serde_json::Value =
            serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["iss"], key.client_email);
        assert_eq!(claims["exp"], 1_800_003_600);
        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            PUBLIC_DER,
        );
        public
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &b64.decode(parts[2]).unwrap(),
            )
            .expect("the signature verifies with the public half");
        assert!(!format!("{key:?}").contains("PRIVATE"));
    }

    #[test]
    fn keys_are_refused_with_what_is_wrong() {
        let refused = |fields: serde_json::Value| {
            ServiceAccountKey::parse(&key_json(fields))
                .unwrap_err()
                .to_string()
        };
        assert!(refused(json!({"type": "authorized_user"})).contains("service_account"));
        assert!(refused(json!({"client_email": null})).contains("client_email"));
        assert!(refused(
            json!({"private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"})
        )
        .contains("PKCS#8"));
        assert!(refused(json!({"private_key": "secret"})).contains("PEM"));
        assert!(refused(json!({"token_uri": "http://evil.example/token"})).contains("token_uri"));
        assert!(ServiceAccountKey::parse("{not json").is_err());
        // Escaped line breaks, as a key pasted into a single-line value has them.
        let escaped = key_json(json!({"private_key": PEM.replace('\n', "\\n")}));
        assert!(ServiceAccountKey::parse(&escaped).is_ok());
        let without_uri = key_json(json!({"token_uri": null}));
        assert_eq!(
            ServiceAccountKey::parse(&without_uri).unwrap().token_uri,
            DEFAULT_TOKEN_URI
        );
    }
}
