//! A dialogue's state between messages: which conversation, with whom, the state itself (what
//! the dialogue module keeps, as JSON), and when it lapses.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::ids::{BusinessId, CallSid, ParseError, PhoneNumber};

/// Whose conversation: `wa:{business}:{e164}` for a WhatsApp contact, `voice:{CallSid}` for a
/// call.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConversationKey(String);

impl ConversationKey {
    pub fn whatsapp(business: &BusinessId, contact: &PhoneNumber) -> Self {
        Self(format!("wa:{business}:{}", contact.as_str()))
    }

    pub fn voice(call: &CallSid) -> Self {
        Self(format!("voice:{call}"))
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let ok = (value.starts_with("wa:") || value.starts_with("voice:"))
            && value.len() <= 200
            && !value.contains('#')
            && !value.chars().any(char::is_whitespace);
        if ok {
            Ok(Self(value.to_string()))
        } else {
            Err(ParseError {
                what: "conversation key",
                value: value.chars().take(80).collect(),
                reason: "must be wa:{business}:{number} or voice:{CallSid}",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ConversationKey {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ConversationKey> for String {
    fn from(key: ConversationKey) -> String {
        key.0
    }
}

/// A conversation as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub key: ConversationKey,
    pub business_id: BusinessId,
    /// The dialogue's own state.
    pub state: serde_json::Value,
    /// Starts at 1; each write names the version it read and stores one more.
    pub version: u32,
    pub updated_at: Timestamp,
    /// After this the dialogue starts over; the store may delete it some time later.
    pub expires_at: Timestamp,
}

impl Conversation {
    pub fn is_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_channel_and_refuse_the_separator() {
        let business = BusinessId::parse("acme").unwrap();
        let contact = PhoneNumber::parse("+972501234567").unwrap();
        assert_eq!(
            ConversationKey::whatsapp(&business, &contact).as_str(),
            "wa:acme:+972501234567"
        );
        assert_eq!(
            ConversationKey::voice(&CallSid::parse("CA1").unwrap()).as_str(),
            "voice:CA1"
        );
        assert!(ConversationKey::parse("sms:x").is_err());
        assert!(ConversationKey::parse("wa:a#b").is_err());
    }
}
