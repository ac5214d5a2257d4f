//! Calls: status ranking, direction, transcription state, and a call as Frontdesk knows it.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::ids::{BusinessId, CallSid, PhoneNumber, RecordingSid};

/// A Twilio call status, ranked so a late callback never moves a call backwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallStatus {
    Queued,
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Busy,
    Failed,
    NoAnswer,
    Canceled,
}

impl CallStatus {
    pub const ALL: [CallStatus; 9] = [
        Self::Queued,
        Self::Initiated,
        Self::Ringing,
        Self::InProgress,
        Self::Completed,
        Self::Busy,
        Self::Failed,
        Self::NoAnswer,
        Self::Canceled,
    ];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Initiated => "initiated",
            Self::Ringing => "ringing",
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
            Self::Busy => "busy",
            Self::Failed => "failed",
            Self::NoAnswer => "no-answer",
            Self::Canceled => "canceled",
        }
    }

    /// queued < initiated < ringing < in-progress < every final status (equal rank).
    pub fn rank(self) -> u8 {
        match self {
            Self::Queued => 0,
            Self::Initiated => 1,
            Self::Ringing => 2,
            Self::InProgress => 3,
            _ => Self::FINAL_RANK,
        }
    }

    pub const FINAL_RANK: u8 = 4;

    pub fn is_final(self) -> bool {
        self.rank() == Self::FINAL_RANK
    }
}

/// Whether an incoming status update may replace the current one.
///
/// With sequence numbers on both sides (Twilio numbers callbacks per call from 0), the later
/// sequence wins, except that nothing moves a final call back to a live status. Otherwise
/// the higher rank wins; equal ranks keep what is stored (the first final status stays).
pub fn status_advances(
    current: Option<(CallStatus, Option<u32>)>,
    incoming: CallStatus,
    incoming_sequence: Option<u32>,
) -> bool {
    let Some((current, current_sequence)) = current else {
        return true;
    };
    if current.is_final() && !incoming.is_final() {
        return false;
    }
    match (current_sequence, incoming_sequence) {
        (Some(cur), Some(new)) => new > cur,
        _ => incoming.rank() > current.rank(),
    }
}

/// Who started the call. Outbound calls' business is their `From`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    Inbound,
    OutboundApi,
    OutboundDial,
}

impl Direction {
    pub fn parse(value: &str) -> Self {
        match value.trim() {
            "outbound-api" => Self::OutboundApi,
            "outbound-dial" => Self::OutboundDial,
            _ => Self::Inbound,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::OutboundApi => "outbound-api",
            Self::OutboundDial => "outbound-dial",
        }
    }

    pub fn is_outbound(self) -> bool {
        !matches!(self, Self::Inbound)
    }

    /// The customer's side of a call between `from` and `to`: the caller of an inbound call,
    /// the callee of an outbound one (a bridge's `to` is the customer too). `None` when that
    /// party is not a phone number (`anonymous`, a SIP or client address).
    pub fn contact(self, from: &str, to: &str) -> Option<PhoneNumber> {
        let party = if self.is_outbound() { to } else { from };
        PhoneNumber::parse(party)
            .ok()
            .filter(|number| number.as_str() == party)
    }
}

/// Where a call's recording is on its way to a transcript.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TranscriptionState {
    /// Recorded; the job is not yet on the queue (the queue was down, or it is being sent).
    Pending,
    /// The job is on the queue.
    Queued,
    Ready,
    Failed,
    /// The business has transcription off.
    Skipped,
}

impl TranscriptionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Queued => "queued",
            Self::Ready => "ready",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Queued,
            Self::Ready,
            Self::Failed,
            Self::Skipped,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }
}

/// What `incoming_call` learns about a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallStart {
    pub sid: CallSid,
    pub business_id: BusinessId,
    pub from: String,
    pub to: String,
    pub direction: Direction,
    pub caller_name: Option<String>,
    pub status: CallStatus,
    pub started_at: OffsetDateTime,
    /// Set on a call Frontdesk placed ([`super::Placement`]): why, and who asked. Such a start
    /// is authoritative: its parties, direction, purpose and requester replace what a status
    /// callback that arrived first wrote (a bridge's `To` is the owner's phone, its customer
    /// is the call's `to`).
    pub placed: Option<PlacedBy>,
}

/// Why Frontdesk placed a call, and for whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedBy {
    pub purpose: String,
    pub requested_by: String,
}

/// A recording Twilio made of a call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    pub sid: RecordingSid,
    pub url: String,
    pub duration_seconds: Option<u32>,
    /// The key that ended the recording, or `hangup`.
    pub digits: Option<String>,
}

/// One status callback, as received (and as a deferred write carries it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusUpdate {
    pub sid: CallSid,
    pub status: CallStatus,
    pub sequence: Option<u32>,
    /// Set when the call is first seen here (an outbound call): its business, parties, direction.
    pub business_id: Option<BusinessId>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub direction: Direction,
    pub duration_seconds: Option<u32>,
    /// Twilio's `Timestamp`, or the time received.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub sip_response_code: Option<String>,
    /// `AnsweredBy` with answering-machine detection: `human`, `machine_end_beep`, `fax`, …
    pub answered_by: Option<String>,
}

/// A stored status callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallEvent {
    pub status: CallStatus,
    pub sequence: Option<u32>,
    pub at: OffsetDateTime,
    pub duration_seconds: Option<u32>,
}

/// A call as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub sid: CallSid,
    pub business_id: Option<BusinessId>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub direction: Direction,
    pub caller_name: Option<String>,
    pub status: CallStatus,
    pub status_sequence: Option<u32>,
    pub started_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
    pub duration_seconds: Option<u32>,
    pub recording: Option<Recording>,
    /// `RecordingStatus` from the recording status callback: completed, absent, failed.
    pub recording_status: Option<String>,
    pub transcription: Option<TranscriptionState>,
    pub transcription_queued_at: Option<OffsetDateTime>,
    /// Digits captured by `<Gather>` (verification code mode).
    pub gathered_digits: Option<String>,
    /// A call Frontdesk placed: why (`callback`, `reminder`, …) and who asked.
    pub purpose: Option<String>,
    pub requested_by: Option<String>,
    /// What answering-machine detection reported (`human`, `machine_end_beep`, …).
    pub answered_by: Option<String>,
    /// The owner marked the call handled in the inbox; until then it needs a call back.
    pub handled: bool,
    /// The appointment the caller booked on this call (the phone booking dialogue).
    pub appointment_id: Option<super::AppointmentId>,
}

/// How a call ended up, as the inbox, alerts and the digest tell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallOutcome {
    /// Frontdesk or the business called out.
    Outbound,
    /// The caller booked an appointment on it.
    Booked,
    /// The caller left a recording.
    Voicemail,
    /// Not over yet.
    InProgress,
    /// The caller went through a dialogue (entered digits) without leaving a message.
    Answered,
    /// Over without a message, a booking or an answer.
    Missed,
}

impl Call {
    pub fn outcome(&self) -> CallOutcome {
        if self.direction.is_outbound() {
            CallOutcome::Outbound
        } else if self.appointment_id.is_some() {
            CallOutcome::Booked
        } else if self.recording.is_some() {
            CallOutcome::Voicemail
        } else {
            match self.status {
                CallStatus::Queued
                | CallStatus::Initiated
                | CallStatus::Ringing
                | CallStatus::InProgress => CallOutcome::InProgress,
                CallStatus::Completed if self.gathered_digits.is_some() => CallOutcome::Answered,
                _ => CallOutcome::Missed,
            }
        }
    }

    /// The customer on the call ([`Direction::contact`]).
    pub fn contact(&self) -> Option<PhoneNumber> {
        self.direction.contact(
            self.from.as_deref().unwrap_or_default(),
            self.to.as_deref().unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CallStatus::*;

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in CallStatus::ALL {
            assert_eq!(CallStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(CallStatus::parse("answered"), None);
    }

    #[test]
    fn the_contact_is_the_caller_inbound_and_the_callee_outbound() {
        let (customer, business) = ("+972501234567", "+97233334444");
        let contact = |direction: Direction, from: &str, to: &str| {
            direction.contact(from, to).map(|n| n.as_str().to_string())
        };
        assert_eq!(
            contact(Direction::Inbound, customer, business).as_deref(),
            Some(customer)
        );
        assert_eq!(
            contact(Direction::OutboundApi, business, customer).as_deref(),
            Some(customer)
        );
        assert_eq!(contact(Direction::Inbound, "anonymous", business), None);
        assert_eq!(
            contact(Direction::Inbound, "+972-50-123-4567", business),
            None,
            "only a number stored as E.164 is one the store can match"
        );
    }

    #[test]
    fn rank_orders_the_lifecycle() {
        assert!(Queued.rank() < Initiated.rank());
        assert!(Ringing.rank() < InProgress.rank());
        assert!(InProgress.rank() < Completed.rank());
        assert_eq!(Busy.rank(), NoAnswer.rank());
    }

    #[test]
    fn a_late_live_status_never_reopens_a_final_call() {
        assert!(!status_advances(
            Some((Completed, Some(4))),
            Ringing,
            Some(9)
        ));
        assert!(!status_advances(Some((Completed, None)), InProgress, None));
    }

    #[test]
    fn sequence_numbers_win_over_rank_when_both_have_them() {
        assert!(status_advances(
            Some((InProgress, Some(2))),
            Completed,
            Some(3)
        ));
        assert!(!status_advances(
            Some((Ringing, Some(3))),
            InProgress,
            Some(2)
        ));
    }

    #[test]
    fn without_sequence_numbers_rank_decides_and_ties_keep_the_first() {
        assert!(status_advances(Some((Ringing, None)), InProgress, None));
        assert!(!status_advances(Some((InProgress, None)), Ringing, None));
        assert!(!status_advances(Some((Completed, None)), Failed, None));
        assert!(status_advances(None, Queued, None));
    }
}
