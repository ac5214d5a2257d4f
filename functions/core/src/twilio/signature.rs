//! X-Twilio-Signature: computed and validated the way Twilio's own helper libraries do it.
//!
//! The signed string is the exact URL Twilio requested, followed by every distinct form key
//! in byte order, each with its distinct values sorted, concatenated as `key + value`.
//! The signature is `base64(HMAC-SHA1(auth token, that string))`.
//! Twilio's signing is inconsistent about ports, so the URL with its port toggled
//! (removed if present, the scheme default added if absent) is accepted too.

use std::collections::{BTreeMap, BTreeSet};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Secret;

type HmacSha1 = Hmac<Sha1>;

/// What was signed besides the URL.
#[derive(Clone, Copy, Debug)]
pub enum SignedPayload<'a> {
    /// A form-encoded body: its decoded pairs, every pair kept.
    Form(&'a [(String, String)]),
    /// A JSON (or other non-form) body: its raw bytes, bound to the URL through `bodySHA256`.
    Body(&'a [u8]),
}

/// Why a request's signature did not validate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    MissingHeader,
    NoAuthTokenConfigured,
    /// A non-form body whose URL carries no `bodySHA256` parameter.
    BodyHashMissing,
    /// `bodySHA256` does not match the body received.
    BodyHashMismatch,
    Mismatch,
}

impl Rejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingHeader => "missing or empty X-Twilio-Signature header",
            Self::NoAuthTokenConfigured => "TWILIO_AUTH_TOKEN is not configured",
            Self::BodyHashMissing => "body is not form-encoded and the URL has no bodySHA256",
            Self::BodyHashMismatch => "bodySHA256 does not match the body",
            Self::Mismatch => "signature does not match",
        }
    }
}

/// Which token and URL form matched, for the shadow-mode log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    /// True when the previous auth token (during rotation) matched.
    pub previous_token: bool,
    /// True when the port-toggled URL matched rather than the URL as rebuilt.
    pub port_toggled: bool,
}

/// Computes the signature Twilio sends for `url` and `params`.
pub fn compute(token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut mac =
        HmacSha1::new_from_slice(token.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(url.as_bytes());
    for (key, values) in sorted_distinct(params) {
        for value in values {
            mac.update(key.as_bytes());
            mac.update(value.as_bytes());
        }
    }
    BASE64.encode(mac.finalize().into_bytes())
}

/// Keys in byte order, each with its distinct values in byte order (as Python, Node and PHP do).
fn sorted_distinct(params: &[(String, String)]) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut sorted: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (key, value) in params {
        sorted
            .entry(key.as_str())
            .or_default()
            .insert(value.as_str());
    }
    sorted
}

/// The URL with its port toggled: an explicit port removed, or the scheme's default port
/// (`:443` for https, `:80` for http) inserted. Only the authority is touched, so the path
/// and query keep their exact bytes. `None` when the URL has no recognisable scheme.
pub fn port_toggled(url: &str) -> Option<String> {
    let scheme_end = url.find("://")?;
    let scheme = &url[..scheme_end];
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        "443"
    } else if scheme.eq_ignore_ascii_case("http") {
        "80"
    } else {
        return None;
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];
    // The host begins after any userinfo; an IPv6 literal's colons are inside brackets.
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_port = &authority[host_start..];
    let port_colon = match host_port.rfind(']') {
        Some(bracket) => host_port[bracket..].find(':').map(|i| bracket + i),
        None => host_port.rfind(':'),
    };
    let mut toggled = String::with_capacity(url.len() + 4);
    toggled.push_str(&url[..authority_start + host_start]);
    match port_colon {
        Some(colon) => toggled.push_str(&host_port[..colon]),
        None => {
            toggled.push_str(host_port);
            toggled.push(':');
            toggled.push_str(default_port);
        }
    }
    toggled.push_str(&url[authority_end..]);
    Some(toggled)
}

/// The URLs a signature is checked against: as given, then port-toggled.
pub fn url_candidates(url: &str) -> Vec<String> {
    let mut candidates = vec![url.to_string()];
    candidates.extend(port_toggled(url));
    candidates
}

/// The `bodySHA256` value in the URL's query, if any.
fn body_sha256_param(url: &str) -> Option<&str> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("bodySHA256="))
}

/// The lower-hex SHA-256 of a non-form body: the `bodySHA256` value Twilio adds to the URL.
pub fn body_sha256(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// `url` as Twilio signs it for a JSON `body`: carrying `bodySHA256=<hash of body>`. An existing
/// `bodySHA256` value is replaced where it stands; otherwise the parameter is appended to the
/// query, as Twilio appends it. Every other byte of the URL is kept.
pub fn url_with_body_sha256(url: &str, body: &[u8]) -> String {
    let hash = body_sha256(body);
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (url, None),
    };
    let mut signed = match before_fragment.split_once('?') {
        Some((base, query)) if body_sha256_param(before_fragment).is_some() => {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.strip_prefix("bodySHA256=") {
                    Some(_) => format!("bodySHA256={hash}"),
                    None => pair.to_string(),
                })
                .collect();
            format!("{base}?{}", pairs.join("&"))
        }
        Some((_, query)) => {
            let separator = if query.is_empty() || query.ends_with('&') {
                ""
            } else {
                "&"
            };
            format!("{before_fragment}{separator}bodySHA256={hash}")
        }
        None => format!("{before_fragment}?bodySHA256={hash}"),
    };
    if let Some(fragment) = fragment {
        signed.push('#');
        signed.push_str(fragment);
    }
    signed
}

/// Validates X-Twilio-Signature against the primary auth token and, during a rotation,
/// the previous one.
#[derive(Clone, Debug)]
pub struct Validator {
    primary: Option<Secret>,
    previous: Option<Secret>,
}

impl Validator {
    pub fn new(primary: Option<Secret>, previous: Option<Secret>) -> Self {
        Self { primary, previous }
    }

    /// Checks `signature` for a request to `url` carrying `payload`.
    pub fn validate(
        &self,
        url: &str,
        payload: SignedPayload<'_>,
        signature: Option<&str>,
    ) -> Result<Match, Rejection> {
        let signature = signature.map(str::trim).filter(|s| !s.is_empty());
        let signature = signature.ok_or(Rejection::MissingHeader)?;
        let primary = self
            .primary
            .as_ref()
            .ok_or(Rejection::NoAuthTokenConfigured)?;
        let params: &[(String, String)] = match payload {
            SignedPayload::Form(params) => params,
            SignedPayload::Body(body) => {
                let claimed = body_sha256_param(url).ok_or(Rejection::BodyHashMissing)?;
                let actual = body_sha256(body);
                if !bool::from(
                    claimed
                        .to_ascii_lowercase()
                        .as_bytes()
                        .ct_eq(actual.as_bytes()),
                ) {
                    return Err(Rejection::BodyHashMismatch);
                }
                &[]
            }
        };
        let tokens =
            std::iter::once((primary, false)).chain(self.previous.iter().map(|t| (t, true)));
        for (token, previous_token) in tokens {
            for (index, candidate) in url_candidates(url).iter().enumerate() {
                let expected = compute(token.expose(), candidate, params);
                if bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
                    return Ok(Match {
                        previous_token,
                        port_toggled: index > 0,
                    });
                }
            }
        }
        Err(Rejection::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn port_toggle_removes_an_explicit_port() {
        assert_eq!(
            port_toggled("https://example.com:1234/a?b=c:d").unwrap(),
            "https://example.com/a?b=c:d"
        );
    }

    #[test]
    fn port_toggle_adds_the_scheme_default() {
        assert_eq!(
            port_toggled("https://example.com/a").unwrap(),
            "https://example.com:443/a"
        );
        assert_eq!(
            port_toggled("HTTP://example.com?x=1").unwrap(),
            "HTTP://example.com:80?x=1"
        );
        assert_eq!(
            port_toggled("http://example.com").unwrap(),
            "http://example.com:80"
        );
    }

    #[test]
    fn port_toggle_leaves_userinfo_and_ipv6_intact() {
        assert_eq!(
            port_toggled("https://user:pw@example.com/p").unwrap(),
            "https://user:pw@example.com:443/p"
        );
        assert_eq!(
            port_toggled("http://[::1]:3000/p").unwrap(),
            "http://[::1]/p"
        );
        assert_eq!(port_toggled("http://[::1]/p").unwrap(), "http://[::1]:80/p");
    }

    #[test]
    fn port_toggle_needs_a_known_scheme() {
        assert_eq!(port_toggled("example.com/a"), None);
        assert_eq!(port_toggled("wss://example.com/a"), None);
    }

    #[test]
    fn previous_token_is_accepted_during_rotation() {
        let url = "https://example.com/webhook/incoming_call";
        let params = pairs(&[("CallSid", "CA1")]);
        let signature = compute("old-token", url, &params);
        let validator = Validator::new(Secret::new("new-token"), Secret::new("old-token"));
        let matched = validator
            .validate(url, SignedPayload::Form(&params), Some(&signature))
            .unwrap();
        assert!(matched.previous_token);
        let without_previous = Validator::new(Secret::new("new-token"), None);
        assert_eq!(
            without_previous.validate(url, SignedPayload::Form(&params), Some(&signature)),
            Err(Rejection::Mismatch)
        );
    }

    #[test]
    fn empty_and_missing_headers_are_rejected_before_any_work() {
        let validator = Validator::new(Secret::new("t"), None);
        for header in [None, Some(""), Some("   ")] {
            assert_eq!(
                validator.validate("https://x/", SignedPayload::Form(&[]), header),
                Err(Rejection::MissingHeader)
            );
        }
    }

    #[test]
    fn no_configured_token_rejects_every_signature() {
        let validator = Validator::new(None, None);
        assert_eq!(
            validator.validate("https://x/", SignedPayload::Form(&[]), Some("abc=")),
            Err(Rejection::NoAuthTokenConfigured)
        );
    }

    #[test]
    fn json_body_must_match_its_body_sha256() {
        let body = br#"{"a":1}"#;
        let hash = hex::encode(Sha256::digest(body));
        let url = format!("https://example.com/hook?bodySHA256={hash}");
        let signature = compute("t", &url, &[]);
        let validator = Validator::new(Secret::new("t"), None);
        assert!(validator
            .validate(&url, SignedPayload::Body(body), Some(&signature))
            .is_ok());
        assert_eq!(
            validator.validate(&url, SignedPayload::Body(br#"{"a":2}"#), Some(&signature)),
            Err(Rejection::BodyHashMismatch)
        );
    }

    #[test]
    fn body_sha256_is_appended_to_the_query_or_replaced_in_place() {
        let body = br#"{"a":1}"#;
        let hash = body_sha256(body);
        assert_eq!(
            url_with_body_sha256("https://x/hook", body),
            format!("https://x/hook?bodySHA256={hash}")
        );
        assert_eq!(
            url_with_body_sha256("https://x/hook?b=%27c%27", body),
            format!("https://x/hook?b=%27c%27&bodySHA256={hash}")
        );
        assert_eq!(
            url_with_body_sha256("https://x/hook?", body),
            format!("https://x/hook?bodySHA256={hash}")
        );
        assert_eq!(
            url_with_body_sha256("https://x/hook?bodySHA256=stale&z=1#frag", body),
            format!("https://x/hook?bodySHA256={hash}&z=1#frag")
        );
        let signed = url_with_body_sha256("https://x/hook?z=1", body);
        assert_eq!(
            url_with_body_sha256(&signed, body),
            signed,
            "already signed"
        );
    }

    #[test]
    fn keys_sort_before_their_longer_prefixed_twins() {
        // `Reason` < `ReasonConferenceEnded` by key, although "ReasonX..." sorts differently
        // once values are appended.
        let params = pairs(&[("ReasonConferenceEnded", "a"), ("Reason", "z")]);
        let by_key = compute("t", "https://x/", &params);
        let mut mac = HmacSha1::new_from_slice(b"t").unwrap();
        mac.update(b"https://x/ReasonzReasonConferenceEndeda");
        assert_eq!(by_key, BASE64.encode(mac.finalize().into_bytes()));
    }
}
