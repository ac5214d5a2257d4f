//! Per-business API keys: `fdk_` + 43 base64url characters (32 random bytes).
//!
//! A key is shown once, when generated; the store keeps only its SHA-256, so a leaked table
//! leaks no key. Looking a key up by its hash needs no constant-time compare: the hash of a
//! guess says nothing useful about the stored hashes.

use std::fmt;

use super::token;

const PREFIX: &str = "fdk_";

/// An API key in the clear: exists only while it is generated and shown, or presented.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

/// The SHA-256 of an API key in lowercase hex: what the store keeps.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApiKeyHash(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a Frontdesk API key")]
pub struct MalformedKey;

impl ApiKey {
    /// A new random key from the operating system's generator.
    pub fn generate() -> Result<Self, getrandom::Error> {
        Ok(Self(format!("{PREFIX}{}", token::random()?)))
    }

    /// A key as presented; only its shape is checked here, the store says whether it exists.
    pub fn parse(value: &str) -> Result<Self, MalformedKey> {
        let body = value.strip_prefix(PREFIX).ok_or(MalformedKey)?;
        token::is_random(body)
            .then(|| Self(value.to_string()))
            .ok_or(MalformedKey)
    }

    /// The key itself, to show once to the operator who created it.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> ApiKeyHash {
        ApiKeyHash(token::sha256_hex(&self.0))
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl ApiKeyHash {
    /// A stored hash read back: 64 lowercase hex digits.
    pub fn parse(value: &str) -> Option<Self> {
        token::is_lower_hex(value, 64).then(|| Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApiKeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_differ() {
        let a = ApiKey::generate().unwrap();
        let b = ApiKey::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(ApiKey::parse(a.reveal()).unwrap(), a);
        assert_eq!(a.reveal().len(), PREFIX.len() + token::ENCODED_LEN);
    }

    #[test]
    fn the_hash_is_sha256_hex_of_the_whole_key() {
        let key = ApiKey::parse(&format!("fdk_{}", "A".repeat(43))).unwrap();
        let expected = {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(format!("fdk_{}", "A".repeat(43))))
        };
        assert_eq!(key.hash().as_str(), expected);
        assert_eq!(ApiKeyHash::parse(&expected), Some(key.hash()));
        assert_eq!(ApiKeyHash::parse("ABC"), None);
    }

    #[test]
    fn malformed_keys_are_refused() {
        for bad in [
            "",
            "fdk_",
            "sk_live_whatever",
            &format!("fdk_{}", "A".repeat(42)),
            &format!("fdk_{}=", "A".repeat(42)),
        ] {
            assert_eq!(ApiKey::parse(bad), Err(MalformedKey), "{bad}");
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = ApiKey::generate().unwrap();
        assert!(!format!("{key:?}").contains(key.reveal()));
    }
}
