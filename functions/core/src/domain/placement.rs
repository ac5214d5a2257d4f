//! An outbound call a business asked Frontdesk to place: why (its purpose), what the callee
//! hears, who asked, and what became of it. The placement is written before Twilio is asked,
//! under an id derived from the business and the request key, so a retried request finds it
//! and never places a second call.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::ids::{BusinessId, CallSid, ParseError, PhoneNumber};
use super::{AppointmentId, CallStatus};

/// Why a business calls: a callback, a reminder, or a label of its own.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Purpose(String);

impl Purpose {
    pub const CALLBACK: &'static str = "callback";
    pub const REMINDER: &'static str = "reminder";
    const MAX_CHARS: usize = 40;

    /// A label of 1 to 40 characters from `a-z`, `0-9`, `-` and `_` (`callback`, `reminder`,
    /// `follow-up`, …).
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let value = value.trim();
        let ok = !value.is_empty()
            && value.chars().count() <= Self::MAX_CHARS
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if ok {
            Ok(Self(value.to_string()))
        } else {
            Err(ParseError {
                what: "purpose",
                value: value.chars().take(80).collect(),
                reason: "must be 1-40 characters of a-z, 0-9, `-` and `_`",
            })
        }
    }

    pub fn callback() -> Self {
        Self(Self::CALLBACK.into())
    }

    pub fn reminder() -> Self {
        Self(Self::REMINDER.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A message for this purpose is worth leaving on an answering machine, after its beep.
    pub fn leaves_a_message(&self) -> bool {
        self.0 == Self::REMINDER
    }
}

impl TryFrom<String> for Purpose {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Purpose> for String {
    fn from(purpose: Purpose) -> Self {
        purpose.0
    }
}

/// What the callee hears when the call is answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Hears {
    /// A spoken message, in the business's language (a BCP 47 tag such as `he-IL`).
    Say { text: String, language: String },
    /// Click-to-call: Twilio rings the business's owner first and, when the owner answers,
    /// dials the customer from the business's number.
    Bridge { owner: PhoneNumber },
    /// An appointment's reminder, in the business's language inside a `<Gather>` that takes 1
    /// to confirm and 2 to cancel. Its words are composed when the callee answers, from the
    /// appointment as it then is.
    Reminder {
        language: String,
        appointment: AppointmentId,
    },
}

/// The longest spoken message taken, in characters (Twilio's `<Say>` takes 4,096).
pub const MAX_SAY_CHARS: usize = 1000;

/// Who asked for a call: `api-key:{first 12 hex of the key's hash}`, `cli`, or a component of
/// Frontdesk (`reminders`). Never a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Requester(String);

impl Requester {
    pub fn api_key(hash: &str) -> Self {
        Self(format!("api-key:{}", &hash[..hash.len().min(12)]))
    }

    pub fn cli() -> Self {
        Self("cli".into())
    }

    /// A component of Frontdesk that places calls itself (`reminders`).
    pub fn component(name: &str) -> Self {
        Self(name.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A placement's id: 32 lower-case hex digits of SHA-256 over the business and the request
/// key, so the same request from the same business always names the same placement.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlacementId(String);

impl PlacementId {
    pub fn derive(business: &BusinessId, request_key: &str) -> Self {
        let digest = Sha256::digest(format!("{business}\n{request_key}").as_bytes());
        Self(hex::encode(&digest[..16]))
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        if value.len() == 32
            && value
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            Ok(Self(value.to_string()))
        } else {
            Err(ParseError {
                what: "placement id",
                value: value.chars().take(80).collect(),
                reason: "must be 32 lower-case hex digits",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PlacementId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PlacementId {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PlacementId> for String {
    fn from(id: PlacementId) -> Self {
        id.0
    }
}

/// What became of a placement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum PlacementState {
    /// Written; Twilio has been (or is being) asked. A crash here leaves it pending: a retry
    /// then answers that the outcome is unknown instead of placing again.
    Pending,
    /// Twilio took the call: its CallSid and the status Twilio answered.
    Placed {
        call_sid: CallSid,
        status: CallStatus,
    },
    /// Twilio refused it for good (a 4xx other than 429): the answer a retry gets again.
    Refused {
        http_status: u16,
        code: Option<String>,
        message: String,
    },
}

/// An outbound call as Frontdesk placed it (or is placing it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub id: PlacementId,
    pub business_id: BusinessId,
    /// The customer: who the call is for (in a bridge, the second leg).
    pub to: PhoneNumber,
    /// The business's number the call comes from (the caller ID).
    pub from: PhoneNumber,
    pub hears: Hears,
    pub purpose: Purpose,
    pub requested_by: Requester,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(flatten)]
    pub state: PlacementState,
}

impl Placement {
    /// The number Twilio rings first: the customer, or the owner in a bridge.
    pub fn dialled(&self) -> &PhoneNumber {
        match &self.hears {
            Hears::Bridge { owner } => owner,
            Hears::Say { .. } | Hears::Reminder { .. } => &self.to,
        }
    }

    /// Whether `other` asks for the same call (same callee, message, purpose): a retry.
    pub fn same_request(&self, other: &Placement) -> bool {
        self.business_id == other.business_id
            && self.to == other.to
            && self.hears == other.hears
            && self.purpose == other.purpose
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_are_short_lower_case_labels() {
        assert_eq!(Purpose::parse("callback").unwrap(), Purpose::callback());
        assert!(Purpose::parse("follow-up_2").is_ok());
        for bad in ["", "Callback", "call back", "x#y", &"a".repeat(41)] {
            assert!(Purpose::parse(bad).is_err(), "{bad}");
        }
        assert!(Purpose::reminder().leaves_a_message());
        assert!(!Purpose::callback().leaves_a_message());
    }

    #[test]
    fn a_placement_id_is_the_same_for_the_same_business_and_key_only() {
        let acme = BusinessId::parse("acme").unwrap();
        let other = BusinessId::parse("other").unwrap();
        let id = PlacementId::derive(&acme, "api:k1");
        assert_eq!(id, PlacementId::derive(&acme, "api:k1"));
        assert_ne!(id, PlacementId::derive(&acme, "api:k2"));
        assert_ne!(id, PlacementId::derive(&other, "api:k1"));
        assert_eq!(PlacementId::parse(id.as_str()).unwrap(), id);
        assert!(PlacementId::parse("ABC").is_err());
    }

    #[test]
    fn a_placement_round_trips_through_json_with_its_state() {
        let placement = Placement {
            id: PlacementId::derive(&BusinessId::parse("acme").unwrap(), "api:k"),
            business_id: BusinessId::parse("acme").unwrap(),
            to: PhoneNumber::parse("+972501234567").unwrap(),
            from: PhoneNumber::parse("+15550001111").unwrap(),
            hears: Hears::Bridge {
                owner: PhoneNumber::parse("+972541111111").unwrap(),
            },
            purpose: Purpose::callback(),
            requested_by: Requester::api_key("0123456789abcdef"),
            created_at: OffsetDateTime::UNIX_EPOCH,
            state: PlacementState::Placed {
                call_sid: CallSid::parse("CA0123456789abcdef0123456789abcdef").unwrap(),
                status: CallStatus::Queued,
            },
        };
        let json = serde_json::to_string(&placement).unwrap();
        assert!(json.contains("\"state\":\"placed\""), "{json}");
        assert_eq!(serde_json::from_str::<Placement>(&json).unwrap(), placement);
        assert_eq!(placement.dialled().as_str(), "+972541111111");
        assert_eq!(placement.requested_by.as_str(), "api-key:0123456789ab");
    }
}
