//! WhatsApp messages: provider ids, addresses, and the one delivery-status ranking both
//! providers (Twilio and Meta's Cloud API) share.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{ParseError, PhoneNumber};

pub mod content;
pub use content::{
    Media, MessageContent, MessageEvent, MessageStatusUpdate, NewMessage, StoredMessage,
};

fn invalid(what: &'static str, value: &str, reason: &'static str) -> ParseError {
    ParseError {
        what,
        value: value.chars().take(80).collect(),
        reason,
    }
}

/// Characters an id may hold: none of them is the `#` store keys are split on, nor white space.
fn id_chars_ok(value: &str, extra: &[u8]) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || extra.contains(&b))
}

/// A Twilio message SID: `SM…` (or `MM…` for a message that carried media).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageSid(String);

impl MessageSid {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let value = value.trim();
        if !(value.starts_with("SM") || value.starts_with("MM")) {
            return Err(invalid("MessageSid", value, "must start with SM or MM"));
        }
        if value.len() < 3 || value.len() > 64 {
            return Err(invalid("MessageSid", value, "must be 3 to 64 characters"));
        }
        if !id_chars_ok(value, &[]) {
            return Err(invalid(
                "MessageSid",
                value,
                "must contain only letters, digits, _ and -",
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A WhatsApp Cloud API message id: `wamid.` and Meta's base64-like text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Wamid(String);

impl Wamid {
    pub const PREFIX: &'static str = "wamid.";

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let value = value.trim();
        let Some(rest) = value.strip_prefix(Self::PREFIX) else {
            return Err(invalid("wamid", value, "must start with wamid."));
        };
        if rest.is_empty() || value.len() > 256 {
            return Err(invalid("wamid", value, "must be 7 to 256 characters"));
        }
        if !id_chars_ok(rest, b".+/=:") {
            return Err(invalid(
                "wamid",
                value,
                "must contain only letters, digits and _-.+/=:",
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who carried a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    #[default]
    Twilio,
    Meta,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Twilio => "twilio",
            Self::Meta => "meta",
        }
    }
}

/// A message's id at its provider: the key every copy of a webhook about it shares.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum MessageId {
    Twilio(MessageSid),
    Meta(Wamid),
    /// `local.<uuid>`: an outbound message no provider accepted, kept with its error.
    Local(String),
}

impl MessageId {
    pub const LOCAL_PREFIX: &'static str = "local.";

    /// A Twilio SID, a wamid or a local id, told apart by prefix.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let value = value.trim();
        if value.starts_with(Wamid::PREFIX) {
            Wamid::parse(value).map(Self::Meta)
        } else if let Some(rest) = value.strip_prefix(Self::LOCAL_PREFIX) {
            if rest.is_empty() || rest.len() > 64 || !id_chars_ok(rest, &[]) {
                return Err(invalid("message id", value, "is not a local id"));
            }
            Ok(Self::Local(value.to_string()))
        } else {
            MessageSid::parse(value).map(Self::Twilio)
        }
    }

    /// A fresh local id.
    pub fn new_local() -> Self {
        Self::Local(format!(
            "{}{}",
            Self::LOCAL_PREFIX,
            uuid::Uuid::new_v4().simple()
        ))
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Twilio(sid) => sid.as_str(),
            Self::Meta(wamid) => wamid.as_str(),
            Self::Local(id) => id,
        }
    }

    /// The provider that named the message; `None` for a local id.
    pub fn provider(&self) -> Option<Provider> {
        match self {
            Self::Twilio(_) => Some(Provider::Twilio),
            Self::Meta(_) => Some(Provider::Meta),
            Self::Local(_) => None,
        }
    }
}

impl TryFrom<String> for MessageId {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MessageId> for String {
    fn from(value: MessageId) -> Self {
        value.as_str().to_string()
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A WhatsApp address: an E.164 number written with exactly one `whatsapp:` prefix.
///
/// Parses `whatsapp:+972…`, `whatsapp:whatsapp:+972…`, `+972…`, and the bare international
/// digits Meta and Twilio's `WaId` use (`972…`), all to the same address.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WhatsAppAddress(PhoneNumber);

impl WhatsAppAddress {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let mut rest = value.trim();
        while let Some(stripped) = rest
            .get(..9)
            .filter(|p| p.eq_ignore_ascii_case("whatsapp:"))
            .map(|_| &rest[9..])
        {
            rest = stripped.trim_start();
        }
        // WhatsApp numbers are always international: bare digits are E.164 without the `+`.
        let number = if rest.starts_with(|c: char| c.is_ascii_digit()) {
            PhoneNumber::parse(&format!("+{rest}"))
        } else {
            PhoneNumber::parse(rest)
        };
        number
            .map(Self)
            .map_err(|_| invalid("WhatsApp address", value, "is not an E.164 number"))
    }

    pub fn number(&self) -> &PhoneNumber {
        &self.0
    }

    /// `whatsapp:+E164`, as Twilio's Messages API takes it.
    pub fn address(&self) -> String {
        self.0.whatsapp()
    }

    /// The international digits without `+`, as Meta's Graph API takes them.
    pub fn digits(&self) -> &str {
        &self.0.as_str()[1..]
    }
}

impl From<PhoneNumber> for WhatsAppAddress {
    fn from(number: PhoneNumber) -> Self {
        Self(number)
    }
}

impl fmt::Display for WhatsAppAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address())
    }
}

/// Which way a message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageDirection {
    Inbound,
    Outbound,
}

impl MessageDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::Outbound => "outbound",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "inbound" => Some(Self::Inbound),
            "outbound" => Some(Self::Outbound),
            _ => None,
        }
    }
}

/// A message's delivery status, from Twilio's `MessageStatus` or Meta's `statuses[].status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// An inbound message as it arrived.
    Received,
    Accepted,
    Scheduled,
    Queued,
    Sending,
    Sent,
    Delivered,
    Read,
    Undelivered,
    Failed,
    Canceled,
}

/// Which per-status time a status sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusTime {
    SentAt,
    DeliveredAt,
    ReadAt,
    FailedAt,
}

impl StatusTime {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SentAt => "sent_at",
            Self::DeliveredAt => "delivered_at",
            Self::ReadAt => "read_at",
            Self::FailedAt => "failed_at",
        }
    }
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 11] = [
        Self::Received,
        Self::Accepted,
        Self::Scheduled,
        Self::Queued,
        Self::Sending,
        Self::Sent,
        Self::Delivered,
        Self::Read,
        Self::Undelivered,
        Self::Failed,
        Self::Canceled,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(value))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Scheduled => "scheduled",
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Undelivered => "undelivered",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    /// The one ranking: received | accepted | scheduled < queued < sending < sent < delivered
    /// < read < the terminal failures (failed, undelivered, canceled, equal rank). A status
    /// only ever replaces a lower-ranked one, so callbacks in any order end in the same state
    /// and a late `delivered` never overwrites `read`.
    pub fn rank(self) -> u8 {
        match self {
            Self::Received | Self::Accepted | Self::Scheduled => 0,
            Self::Queued => 1,
            Self::Sending => 2,
            Self::Sent => 3,
            Self::Delivered => 4,
            Self::Read => 5,
            Self::Undelivered | Self::Failed | Self::Canceled => Self::TERMINAL_RANK,
        }
    }

    pub const TERMINAL_RANK: u8 = 6;

    pub fn is_terminal(self) -> bool {
        self.rank() == Self::TERMINAL_RANK
    }

    /// The per-status time this status sets, if it has one.
    pub fn time_field(self) -> Option<StatusTime> {
        match self {
            Self::Sent => Some(StatusTime::SentAt),
            Self::Delivered => Some(StatusTime::DeliveredAt),
            Self::Read => Some(StatusTime::ReadAt),
            Self::Failed | Self::Undelivered => Some(StatusTime::FailedAt),
            _ => None,
        }
    }
}

/// Whether `incoming` may replace `current`: only a strictly higher rank does. Ties keep
/// what is stored, so the first terminal status stays.
pub fn message_status_advances(current: Option<MessageStatus>, incoming: MessageStatus) -> bool {
    current.is_none_or(|current| incoming.rank() > current.rank())
}

#[cfg(test)]
mod tests {
    use super::*;
    use MessageStatus::*;

    #[test]
    fn doubled_and_missing_whatsapp_prefixes_normalise_to_one() {
        for raw in [
            "whatsapp:+972501234567",
            "whatsapp:whatsapp:+972501234567",
            "WhatsApp:+972501234567",
            "+972501234567",
            "972501234567",
            "whatsapp:972501234567",
            " +972 50-123-4567 ",
        ] {
            let address = WhatsAppAddress::parse(raw).unwrap();
            assert_eq!(address.address(), "whatsapp:+972501234567", "{raw}");
            assert_eq!(address.digits(), "972501234567");
            assert_eq!(address.to_string(), "whatsapp:+972501234567");
        }
        for bad in ["whatsapp:", "whatsapp:abc", "0501234567", ""] {
            assert!(WhatsAppAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn message_ids_are_told_apart_by_prefix() {
        let sid = MessageId::parse("SM0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(sid.provider(), Some(Provider::Twilio));
        let wamid =
            MessageId::parse("wamid.HBgLOTcyNTAxMjM0NTY3FQIAEhgUM0VCMDZCMzlEQUE4OTJBMTE4RTUA")
                .unwrap();
        assert_eq!(wamid.provider(), Some(Provider::Meta));
        assert!(MessageId::parse("MM123").is_ok());
        let local = MessageId::new_local();
        assert_eq!(MessageId::parse(local.as_str()), Ok(local.clone()));
        assert_eq!(local.provider(), None);
        for bad in [
            "CA123",
            "SM#1",
            "wamid.",
            "wamid.a b",
            "wamid.a#b",
            "local.",
            "local.a#",
            "",
        ] {
            assert!(MessageId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in MessageStatus::ALL {
            assert_eq!(MessageStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(MessageStatus::parse("READ"), Some(Read));
        assert_eq!(MessageStatus::parse("seen"), None);
    }

    #[test]
    fn the_ranking_follows_the_delivery_path() {
        let path = [Accepted, Queued, Sending, Sent, Delivered, Read, Failed];
        for pair in path.windows(2) {
            assert!(pair[0].rank() < pair[1].rank(), "{pair:?}");
        }
        assert_eq!(Accepted.rank(), Scheduled.rank());
        assert_eq!(Failed.rank(), Undelivered.rank());
    }

    #[test]
    fn late_delivered_never_overwrites_read() {
        assert!(!message_status_advances(Some(Read), Delivered));
        assert!(!message_status_advances(Some(Read), Sent));
        assert!(message_status_advances(Some(Delivered), Read));
    }

    #[test]
    fn failures_are_terminal_and_the_first_one_stays() {
        assert!(message_status_advances(Some(Read), Failed));
        assert!(!message_status_advances(Some(Failed), Read));
        assert!(!message_status_advances(Some(Failed), Undelivered));
        assert!(message_status_advances(None, Queued));
    }

    #[test]
    fn each_reached_status_has_its_own_time() {
        assert_eq!(Sent.time_field(), Some(StatusTime::SentAt));
        assert_eq!(Delivered.time_field(), Some(StatusTime::DeliveredAt));
        assert_eq!(Read.time_field(), Some(StatusTime::ReadAt));
        assert_eq!(Undelivered.time_field(), Some(StatusTime::FailedAt));
        assert_eq!(Queued.time_field(), None);
    }
}
