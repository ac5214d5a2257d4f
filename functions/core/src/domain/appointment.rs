//! Appointments: what a booking holds, who made it and through which channel, and where it
//! stands. The engine ([`super::booking::engine`]) decides what may be booked; the store holds
//! a booked appointment's cells so no two bookings can share a cell beyond capacity.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::booking::engine::{Busy, Slot};
use super::booking::settings::ServiceId;
use super::ids::{BusinessId, CallSid, ParseError, PhoneNumber};

/// An appointment's id: a UUIDv7 in 32 lowercase hex digits, so ids sort by creation time and
/// one is a valid Google Calendar event id as it is (base32hex allows `0-9a-v`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AppointmentId(String);

impl AppointmentId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().simple().to_string())
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let ok = value.len() == 32
            && value
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(Self(value.to_string()))
        } else {
            Err(ParseError {
                what: "appointment id",
                value: value.chars().take(80).collect(),
                reason: "must be 32 lowercase hex digits",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AppointmentId {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AppointmentId> for String {
    fn from(id: AppointmentId) -> String {
        id.0
    }
}

impl fmt::Display for AppointmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How the appointment was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Whatsapp,
    Voice,
    Api,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Whatsapp => "whatsapp",
            Self::Voice => "voice",
            Self::Api => "api",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Whatsapp, Self::Voice, Self::Api]
            .into_iter()
            .find(|c| c.as_str() == value)
    }
}

/// Where an appointment stands. Only `booked` holds its cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    Cancelled,
    Completed,
    NoShow,
}

impl AppointmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Cancelled => "cancelled",
            Self::Completed => "completed",
            Self::NoShow => "no_show",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Booked, Self::Cancelled, Self::Completed, Self::NoShow]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// What caused a booking, cancellation or reschedule, so a retried webhook or API call has no
/// second effect: `wa:{MessageSid or wamid}`, `voice:{CallSid}:{step}`, `api:{Idempotency-Key}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestKey(String);

impl RequestKey {
    /// A key made of `kind` and the caller's parts; `#` (the store's key separator) and white
    /// space are refused, and the whole is at most 200 characters.
    pub fn new(kind: &str, parts: &[&str]) -> Result<Self, ParseError> {
        let value = std::iter::once(kind)
            .chain(parts.iter().copied())
            .collect::<Vec<_>>()
            .join(":");
        Self::parse(&value)
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let ok = !value.is_empty()
            && value.len() <= 200
            && !value.contains('#')
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(value.to_string()))
        } else {
            Err(ParseError {
                what: "request key",
                value: value.chars().take(80).collect(),
                reason: "must be 1-200 characters without `#` or white space",
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RequestKey {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RequestKey> for String {
    fn from(key: RequestKey) -> String {
        key.0
    }
}

/// An appointment as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    pub id: AppointmentId,
    pub business_id: BusinessId,
    pub service: ServiceId,
    /// The appointment itself.
    pub slot: Slot,
    /// The slot with the service's buffers, as booked: the cells the appointment holds. Kept,
    /// so a later change to a service's buffers never changes which cells are released.
    pub block: Busy,
    /// The business's IANA zone when booked (times are UTC; this is how to show them).
    pub timezone: String,
    pub phone: PhoneNumber,
    pub name: Option<String>,
    pub channel: Channel,
    /// The request that created it ([`RequestKey`]).
    pub source: String,
    pub status: AppointmentStatus,
    /// Starts at 1; every change adds one, and a change names the version it read.
    pub version: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Appointment {
    /// The call it was booked on, when the phone booking dialogue booked it (its request key
    /// is `voice:{CallSid}:{step}`).
    pub fn booked_on_call(&self) -> Option<CallSid> {
        if self.channel != Channel::Voice {
            return None;
        }
        let mut parts = self.source.split(':');
        (parts.next() == Some("voice"))
            .then(|| parts.next())
            .flatten()
            .and_then(|sid| CallSid::parse(sid).ok())
    }
}

/// What a booking asks the store to write: a slot the engine produced, for a customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAppointment {
    pub business_id: BusinessId,
    pub service: ServiceId,
    pub slot: Slot,
    pub block: Busy,
    pub timezone: String,
    pub phone: PhoneNumber,
    pub name: Option<String>,
    pub channel: Channel,
    pub request: RequestKey,
    pub at: Timestamp,
}

impl NewAppointment {
    /// The appointment this becomes when first stored.
    pub fn into_appointment(self, id: AppointmentId) -> Appointment {
        Appointment {
            id,
            business_id: self.business_id,
            service: self.service,
            slot: self.slot,
            block: self.block,
            timezone: self.timezone,
            phone: self.phone,
            name: self.name,
            channel: self.channel,
            source: self.request.0,
            status: AppointmentStatus::Booked,
            version: 1,
            created_at: self.at,
            updated_at: self.at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booked(channel: Channel, source: &str) -> Appointment {
        let start: Timestamp = "2026-12-01T08:00:00Z".parse().unwrap();
        let slot = Slot {
            start,
            end: start + jiff::SignedDuration::from_mins(30),
        };
        Appointment {
            id: AppointmentId::generate(),
            business_id: BusinessId::parse("clinic").unwrap(),
            service: ServiceId::parse("checkup").unwrap(),
            slot,
            block: Busy {
                start: slot.start,
                end: slot.end,
            },
            timezone: "Asia/Jerusalem".into(),
            phone: PhoneNumber::parse("+972501234567").unwrap(),
            name: None,
            channel,
            source: source.into(),
            status: AppointmentStatus::Booked,
            version: 1,
            created_at: start,
            updated_at: start,
        }
    }

    #[test]
    fn a_phone_booking_names_the_call_it_was_booked_on() {
        let sid = "CA00000000000000000000000000000042";
        let by_phone = booked(Channel::Voice, &format!("voice:{sid}:3"));
        assert_eq!(
            by_phone.booked_on_call(),
            Some(CallSid::parse(sid).unwrap())
        );
        assert_eq!(
            booked(Channel::Api, &format!("voice:{sid}:3")).booked_on_call(),
            None
        );
        assert_eq!(booked(Channel::Whatsapp, "wa:SM1").booked_on_call(), None);
        assert_eq!(booked(Channel::Voice, "api:order-1").booked_on_call(), None);
    }

    #[test]
    fn ids_are_32_hex_digits_and_sort_by_creation() {
        let first = AppointmentId::generate();
        let second = AppointmentId::generate();
        assert_eq!(first.as_str().len(), 32);
        assert!(first < second, "{first} then {second}");
        assert_eq!(AppointmentId::parse(first.as_str()).unwrap(), first);
        for bad in ["", "ABCDEF0123456789abcdef0123456789", "xyz", "0123#"] {
            assert!(AppointmentId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn request_keys_refuse_the_store_separator_and_spaces() {
        assert_eq!(
            RequestKey::new("voice", &["CA1", "confirm"])
                .unwrap()
                .as_str(),
            "voice:CA1:confirm"
        );
        assert!(RequestKey::new("api", &["a#b"]).is_err());
        assert!(RequestKey::new("api", &["a b"]).is_err());
        assert!(RequestKey::parse(&"k".repeat(201)).is_err());
    }

    #[test]
    fn names_round_trip() {
        for status in [
            AppointmentStatus::Booked,
            AppointmentStatus::Cancelled,
            AppointmentStatus::Completed,
            AppointmentStatus::NoShow,
        ] {
            assert_eq!(AppointmentStatus::parse(status.as_str()), Some(status));
        }
        for channel in [Channel::Whatsapp, Channel::Voice, Channel::Api] {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
        }
    }
}
