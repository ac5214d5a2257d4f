//! The shapes every random secret and its stored hash share: 32 random bytes in unpadded
//! base64url shown once (an API key's body, an inbox link's token, a session's id), the store
//! keeping only their SHA-256 in lowercase hex; and lowercase hex ids of a fixed length.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// 32 random bytes in unpadded base64url: 43 characters.
pub const ENCODED_LEN: usize = 43;

/// 32 random bytes from the operating system's generator, in unpadded base64url.
pub fn random() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `value` has the shape [`random`] gives.
pub fn is_random(value: &str) -> bool {
    value.len() == ENCODED_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The SHA-256 of `value` in lowercase hex: what the store keeps of a secret.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Whether `value` is `len` lowercase hex digits (a stored SHA-256 is 64).
pub fn is_lower_hex(value: &str, len: usize) -> bool {
    value.len() == len
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_token_has_its_shape_and_a_stable_hash() {
        let token = random().unwrap();
        assert!(is_random(&token), "{token}");
        assert_ne!(token, random().unwrap());
        assert!(!is_random(&format!("{token}=")) && !is_random(&token.replace(&token[..1], "+")));
        let hash = sha256_hex(&token);
        assert!(is_lower_hex(&hash, 64));
        assert_eq!(hash, sha256_hex(&token));
        assert!(!is_lower_hex(&hash.to_uppercase(), 64) && !is_lower_hex("abc", 64));
    }
}
