//! `X-Hub-Signature-256`: `sha256=` and the lower-hex HMAC-SHA256 of the raw body bytes with the
//! app secret. Computed over the bytes as received: Meta serialises with escaped unicode
//! (`\u05e9`), so a body parsed and re-serialised no longer matches.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Why a signature was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// No header, or an empty one: 401.
    Missing,
    /// Present but not `sha256=<64 hex digits>`, or not the body's: 403.
    Invalid,
}

impl SignatureError {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing X-Hub-Signature-256",
            Self::Invalid => "X-Hub-Signature-256 does not match the body",
        }
    }
}

/// `sha256=<hex>` for `body`, as Meta sends it (used to sign test requests and samples).
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(mac(app_secret, body)))
}

fn mac(app_secret: &str, body: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(app_secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Checks `header` against the body bytes in constant time.
pub fn verify(app_secret: &str, body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    let header = header.map(str::trim).filter(|h| !h.is_empty());
    let Some(header) = header else {
        return Err(SignatureError::Missing);
    };
    let hex_digits = header
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("sha256="))
        .map(|_| &header[7..])
        .ok_or(SignatureError::Invalid)?;
    let mut given = [0u8; 32];
    hex::decode_to_slice(hex_digits, &mut given).map_err(|_| SignatureError::Invalid)?;
    let expected = mac(app_secret, body);
    if bool::from(expected.ct_eq(&given)) {
        Ok(())
    } else {
        Err(SignatureError::Invalid)
    }
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    // Comparing digests keeps the time independent of the lengths too.
    let digest = |v: &str| -> [u8; 32] {
        use sha2::Digest;
        Sha256::digest(v.as_bytes()).into()
    };
    bool::from(digest(expected).ct_eq(&digest(given)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "meta-sample-app-secret";

    #[test]
    fn a_signature_over_the_raw_bytes_verifies() {
        let body = br#"{"text":{"body":"\u05e9\u05dc\u05d5\u05dd \ud83d\udc4b"}}"#;
        let header = sign(SECRET, body);
        assert!(header.starts_with("sha256=") && header.len() == 71);
        assert_eq!(verify(SECRET, body, Some(&header)), Ok(()));
        assert_eq!(
            verify(
                SECRET,
                body,
                Some(&header.to_uppercase().replacen("SHA256", "sha256", 1))
            ),
            Ok(()),
            "hex digits in either case"
        );
    }

    #[test]
    fn a_reserialised_body_is_rejected() {
        let raw = r#"{"text":{"body":"\u05e9\u05dc\u05d5\u05dd \ud83d\udc4b"}}"#;
        let header = sign(SECRET, raw.as_bytes());
        let value: serde_json::Value = serde_json::from_str(raw).unwrap();
        let reserialised = serde_json::to_vec(&value).unwrap();
        assert_ne!(
            reserialised,
            raw.as_bytes(),
            "serde writes the characters, not escapes"
        );
        assert_eq!(
            verify(SECRET, &reserialised, Some(&header)),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn missing_malformed_and_wrong_signatures_are_refused() {
        let body = b"{}";
        assert_eq!(verify(SECRET, body, None), Err(SignatureError::Missing));
        assert_eq!(
            verify(SECRET, body, Some(" ")),
            Err(SignatureError::Missing)
        );
        for bad in ["sha1=abc", "sha256=zz", "sha256=", &sign("other", body)] {
            assert_eq!(
                verify(SECRET, body, Some(bad)),
                Err(SignatureError::Invalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn tokens_match_only_when_equal() {
        assert!(tokens_match("verify-me", "verify-me"));
        assert!(!tokens_match("verify-me", "verify-mE"));
        assert!(!tokens_match("verify-me", ""));
    }
}
