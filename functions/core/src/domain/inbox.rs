//! The owner's inbox sign-in: one-time sign-in links and the sessions they open.
//!
//! A link's token and a session's id are 32 random bytes (base64url), shown once (the link
//! printed by `frontdesk inbox link`, the id inside the session cookie) and stored only as their
//! SHA-256 ([`SecretHash`]), so a leaked table opens no inbox. A link is taken once and lives
//! minutes; a session lives days, and every session and link of a business issued before its
//! revocation (`frontdesk inbox revoke`) is dead.

use std::fmt;

use jiff::{SignedDuration, Timestamp};

use super::ids::BusinessId;
use super::token;

/// How long a sign-in link is good for unless the operator says otherwise.
pub const DEFAULT_LINK_MINUTES: u32 = 15;
/// The longest a sign-in link may live: it is a password while it does.
pub const MAX_LINK_MINUTES: u32 = 60;
/// How long a session lasts from sign-in.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(7 * 24);

/// A random secret in the clear (a link's token or a session's id): exists only while it is
/// generated and handed out, or presented. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct InboxSecret(String);

/// The SHA-256 of an [`InboxSecret`] in lowercase hex: what the store keeps.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SecretHash(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not an inbox token")]
pub struct MalformedSecret;

impl InboxSecret {
    /// A new random secret from the operating system's generator.
    pub fn generate() -> Result<Self, getrandom::Error> {
        token::random().map(Self)
    }

    /// A secret as presented; only its shape is checked, the store says whether it exists.
    pub fn parse(value: &str) -> Result<Self, MalformedSecret> {
        token::is_random(value)
            .then(|| Self(value.to_string()))
            .ok_or(MalformedSecret)
    }

    /// The secret itself, to put in the link or the cookie.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> SecretHash {
        SecretHash(token::sha256_hex(&self.0))
    }
}

impl fmt::Debug for InboxSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InboxSecret(<redacted>)")
    }
}

impl SecretHash {
    /// A stored hash read back: 64 lowercase hex digits.
    pub fn parse(value: &str) -> Option<Self> {
        token::is_lower_hex(value, 64).then(|| Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A one-time sign-in link as stored (by its token's hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInLink {
    pub token: SecretHash,
    pub business: BusinessId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl SignInLink {
    /// A new link for `business`, good for `minutes` from `now`, with the token to hand out.
    pub fn issue(
        business: BusinessId,
        now: Timestamp,
        minutes: u32,
    ) -> Result<(InboxSecret, Self), getrandom::Error> {
        let token = InboxSecret::generate()?;
        let link = Self {
            token: token.hash(),
            business,
            created_at: now,
            expires_at: now + SignedDuration::from_mins(i64::from(minutes)),
        };
        Ok((token, link))
    }

    /// Whether the link still opens a session at `now`, given the business's last revocation.
    pub fn opens_at(&self, now: Timestamp, revoked_at: Option<Timestamp>) -> bool {
        now < self.expires_at && revoked_at.is_none_or(|revoked| self.created_at > revoked)
    }
}

/// A signed-in owner's session as stored (by its id's hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxSession {
    pub id: SecretHash,
    pub business: BusinessId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl InboxSession {
    /// A new session for `business` from `now`, with the id to put in the cookie.
    pub fn open(
        business: BusinessId,
        now: Timestamp,
    ) -> Result<(InboxSecret, Self), getrandom::Error> {
        let id = InboxSecret::generate()?;
        let session = Self {
            id: id.hash(),
            business,
            created_at: now,
            expires_at: now + SESSION_LIFETIME,
        };
        Ok((id, session))
    }

    /// Whether the session is good at `now`, given the business's last revocation.
    pub fn live_at(&self, now: Timestamp, revoked_at: Option<Timestamp>) -> bool {
        now < self.expires_at && revoked_at.is_none_or(|revoked| self.created_at > revoked)
    }
}

/// The one-time key of an inbox form whose double submit must act once (a WhatsApp reply, a
/// call back): 32 lowercase hex digits, random per page shown. The store claims a reply's key
/// once; a call back's key is its placement's request key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FormKey(String);

impl FormKey {
    /// How long a claimed key is remembered: far longer than a page stays open.
    pub const KEPT: SignedDuration = SignedDuration::from_hours(30 * 24);

    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn parse(value: &str) -> Option<Self> {
        token::is_lower_hex(value, 32).then(|| Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FormKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn business() -> BusinessId {
        BusinessId::parse("demo").unwrap()
    }

    #[test]
    fn generated_secrets_parse_differ_and_hash_to_hex() {
        let a = InboxSecret::generate().unwrap();
        let b = InboxSecret::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(InboxSecret::parse(a.reveal()).unwrap(), a);
        assert_eq!(SecretHash::parse(a.hash().as_str()), Some(a.hash()));
        assert!(!format!("{a:?}").contains(a.reveal()));
        for bad in [
            "",
            "short",
            &"A".repeat(44),
            &format!("{}=", "A".repeat(42)),
        ] {
            assert_eq!(InboxSecret::parse(bad), Err(MalformedSecret), "{bad}");
        }
    }

    #[test]
    fn a_link_opens_until_it_expires_and_not_after_a_revocation() {
        let now: Timestamp = "2026-11-29T10:00:00Z".parse().unwrap();
        let (_, link) = SignInLink::issue(business(), now, 10).unwrap();
        assert!(link.opens_at(now + SignedDuration::from_mins(9), None));
        assert!(!link.opens_at(now + SignedDuration::from_mins(10), None));
        assert!(!link.opens_at(now, Some(now)), "revoked the same instant");
        assert!(link.opens_at(now, Some(now - SignedDuration::from_secs(1))));
    }

    #[test]
    fn form_keys_are_fresh_hex_and_nothing_else_parses() {
        let (a, b) = (FormKey::generate(), FormKey::generate());
        assert_ne!(a, b);
        assert_eq!(FormKey::parse(a.as_str()), Some(a));
        for bad in [
            "",
            "abc",
            &"A".repeat(32),
            &"0".repeat(33),
            "0192f0c1-a2b3-4c5d-8e9f-0a1b2c3d",
        ] {
            assert_eq!(FormKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_session_lives_a_week_unless_revoked() {
        let now: Timestamp = "2026-11-29T10:00:00Z".parse().unwrap();
        let (_, session) = InboxSession::open(business(), now).unwrap();
        assert!(session.live_at(now + SignedDuration::from_hours(24 * 7 - 1), None));
        assert!(!session.live_at(now + SESSION_LIFETIME, None));
        assert!(!session.live_at(now, Some(now + SignedDuration::from_secs(1))));
    }
}
