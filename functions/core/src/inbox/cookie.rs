//! The inbox's session cookie and CSRF tokens, both keyed by the inbox key
//! ([`crate::app::App::inbox_key`]).
//!
//! The cookie holds the session's id and an HMAC-SHA256 of it (`{id}.{mac}`, base64url), so a
//! forged or altered cookie is refused before the store is asked. A page's CSRF token is an
//! HMAC of the session's id under another label: one per session, never stored, checked in
//! constant time on every POST.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use http::HeaderValue;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::config::Secret;
use crate::domain::InboxSecret;
use crate::http::InboundRequest;

/// The cookie's name.
pub const COOKIE_NAME: &str = "frontdesk_inbox";

fn mac(key: &Secret, label: &str, id: &InboxSecret) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.expose().as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(label.as_bytes());
    mac.update(b":");
    mac.update(id.reveal().as_bytes());
    mac.finalize().into_bytes().into()
}

/// The cookie's value for session `id`.
pub fn seal(key: &Secret, id: &InboxSecret) -> String {
    format!(
        "{}.{}",
        id.reveal(),
        URL_SAFE_NO_PAD.encode(mac(key, "session", id))
    )
}

/// The session id in a cookie value, when its MAC is this key's.
pub fn open(key: &Secret, value: &str) -> Option<InboxSecret> {
    let (id, given) = value.split_once('.')?;
    let id = InboxSecret::parse(id).ok()?;
    let given = URL_SAFE_NO_PAD.decode(given).ok()?;
    bool::from(mac(key, "session", &id).as_slice().ct_eq(&given)).then_some(id)
}

/// The CSRF token of session `id`: the hidden field of every form its pages show.
pub fn csrf_token(key: &Secret, id: &InboxSecret) -> String {
    URL_SAFE_NO_PAD.encode(mac(key, "csrf", id))
}

/// Whether `presented` is session `id`'s CSRF token.
pub fn csrf_matches(key: &Secret, id: &InboxSecret, presented: &str) -> bool {
    bool::from(csrf_token(key, id).as_bytes().ct_eq(presented.as_bytes()))
}

/// The value of the inbox cookie the request carries (the first, if several).
pub fn read(request: &InboundRequest) -> Option<&str> {
    request
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|header| header.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim())
}

/// Where and how the cookie is set: the inbox's path on this deployment (stage prefix
/// included), and `Secure` everywhere but a local or test stage served over plain HTTP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub path: String,
    pub secure: bool,
}

/// `Set-Cookie` for a session that lasts `max_age_seconds`.
pub fn set(scope: &Scope, value: &str, max_age_seconds: i64) -> HeaderValue {
    header(scope, value, max_age_seconds)
}

/// `Set-Cookie` that makes the browser forget the session.
pub fn clear(scope: &Scope) -> HeaderValue {
    header(scope, "", 0)
}

fn header(scope: &Scope, value: &str, max_age_seconds: i64) -> HeaderValue {
    let secure = if scope.secure { "; Secure" } else { "" };
    let text = format!(
        "{COOKIE_NAME}={value}; Path={}; Max-Age={max_age_seconds}; HttpOnly; SameSite=Strict{secure}",
        scope.path
    );
    // The value is base64url and the path a route path: always a valid header.
    HeaderValue::from_str(&text).expect("a cookie of header-safe characters")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::{HeaderMap, Method};

    fn key(text: &str) -> Secret {
        Secret::new(text).unwrap()
    }

    #[test]
    fn a_sealed_cookie_opens_with_its_key_only() {
        let id = InboxSecret::generate().unwrap();
        let sealed = seal(&key("k1"), &id);
        assert_eq!(open(&key("k1"), &sealed), Some(id.clone()));
        assert_eq!(open(&key("k2"), &sealed), None, "another deployment's key");
        let other = InboxSecret::generate().unwrap();
        let (_, mac) = sealed.split_once('.').unwrap();
        let swapped = format!("{}.{mac}", other.reveal());
        assert_eq!(
            open(&key("k1"), &swapped),
            None,
            "a MAC moved to another id"
        );
        for forged in [
            "",
            ".",
            "abc.def",
            id.reveal(),
            &format!("{}.", id.reveal()),
        ] {
            assert_eq!(open(&key("k1"), forged), None, "{forged}");
        }
    }

    #[test]
    fn the_csrf_token_is_the_sessions_own() {
        let (a, b) = (
            InboxSecret::generate().unwrap(),
            InboxSecret::generate().unwrap(),
        );
        let token = csrf_token(&key("k"), &a);
        assert!(csrf_matches(&key("k"), &a, &token));
        assert!(!csrf_matches(&key("k"), &b, &token));
        assert!(!csrf_matches(&key("k"), &a, ""));
        assert_ne!(token, seal(&key("k"), &a).split_once('.').unwrap().1);
    }

    #[test]
    fn the_cookie_is_read_among_others_and_set_strictly() {
        let mut headers = HeaderMap::new();
        headers.append(
            "cookie",
            HeaderValue::from_static("a=1; frontdesk_inbox=v.m"),
        );
        let request =
            InboundRequest::local(Method::GET, "/inbox", headers, Bytes::new(), "r".into());
        assert_eq!(read(&request), Some("v.m"));
        let scope = Scope {
            path: "/prod/inbox".into(),
            secure: true,
        };
        assert_eq!(
            set(&scope, "v.m", 60).to_str().unwrap(),
            "frontdesk_inbox=v.m; Path=/prod/inbox; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
        let local = Scope {
            path: "/inbox".into(),
            secure: false,
        };
        assert!(!clear(&local).to_str().unwrap().contains("Secure"));
        assert!(clear(&local).to_str().unwrap().contains("Max-Age=0"));
    }
}
