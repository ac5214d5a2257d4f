//! The table's key design (the table in the `dynamodb` module's doc) and every attribute name.

use std::collections::HashMap;

use super::item::{s, Item};
use crate::domain::{
    ApiKeyHash, AppointmentId, BusinessId, CallSid, CallStatus, ConversationKey, MessageId,
    PhoneNumber, RequestKey, Subject,
};

pub const PARTITION_KEY: &str = "pk";
pub const SORT_KEY: &str = "sk";
pub const GSI1: &str = "gsi1";
pub const GSI1_PARTITION_KEY: &str = "gsi1pk";
pub const GSI1_SORT_KEY: &str = "gsi1sk";
pub const TTL_ATTRIBUTE: &str = "expires_at";

// Call attributes.
pub(super) const STATUS: &str = "status";
pub(super) const STATUS_RANK: &str = "status_rank";
pub(super) const STATUS_SEQ: &str = "status_seq";
pub(super) const BUSINESS_ID: &str = "business_id";
pub(super) const FROM: &str = "from";
pub(super) const TO: &str = "to";
pub(super) const DIRECTION: &str = "direction";
pub(super) const CALLER_NAME: &str = "caller_name";
pub(super) const STARTED_AT: &str = "started_at";
pub(super) const ENDED_AT: &str = "ended_at";
pub(super) const DURATION_SECONDS: &str = "duration_seconds";
pub(super) const RECORDING_SID: &str = "recording_sid";
pub(super) const RECORDING_URL: &str = "recording_url";
pub(super) const RECORDING_DURATION: &str = "recording_duration";
pub(super) const RECORDING_DIGITS: &str = "recording_digits";
pub(super) const RECORDING_STATUS: &str = "recording_status";
pub(super) const TRANSCRIPTION: &str = "transcription";
pub(super) const TRANSCRIPTION_QUEUED_AT: &str = "transcription_queued_at";
pub(super) const GATHERED_DIGITS: &str = "gathered_digits";
pub(super) const PURPOSE: &str = "purpose";
pub(super) const REQUESTED_BY: &str = "requested_by";
pub(super) const ANSWERED_BY: &str = "answered_by";
pub(super) const HANDLED: &str = "handled";
pub(super) const REVISION: &str = "revision";
// Other records' attributes.
pub(super) const DATA: &str = "data";
pub(super) const SEQUENCE: &str = "sequence";
pub(super) const AT: &str = "at";
pub(super) const SIP_RESPONSE_CODE: &str = "sip_response_code";
pub(super) const SINCE: &str = "since";
pub(super) const COUNT: &str = "n";

pub(super) const PROFILE_SK: &str = "PROFILE";
pub(super) const PHONE_SK: &str = "PHONE";
pub(super) const CALL_SK: &str = "CALL";
pub(super) const RATE_SK: &str = "RATE";
pub(super) const PACE_SK: &str = "PACE";
pub(super) const PLACEMENT_SK: &str = "PLACEMENT";
pub(super) const API_KEY_SK: &str = "APIKEY";
pub(super) const MEDIA_SK: &str = "MEDIA";
pub(super) const WEBHOOK_SECRET_SK: &str = "WEBHOOK_SECRET";
pub(super) const DELIVERY_PREFIX: &str = "DELIVERY#";
pub(super) const RECORDING_KEY: &str = "recording_key";
pub(super) const TRANSCRIPT: &str = "transcript";
pub(super) const LANGUAGE: &str = "language";
pub(super) const REASON: &str = "reason";
pub(super) const FINISHED_AT: &str = "finished_at";
pub(super) const SECRET: &str = "secret";
pub(super) const CREATED_AT: &str = "created_at";
pub(super) const RECON_PK: &str = "RECON";
pub(super) const BUSINESSES_GSI1PK: &str = "BIZ";
pub(super) const EVENT_PREFIX: &str = "EVENT#";
// Message attributes (a message shares `status`, `status_rank`, `business_id`, `from`, `to`,
// `direction`, `created_at` and `at` with the records above).
pub(super) const CONTACT: &str = "contact";
pub(super) const CONTENT: &str = "content";
pub(super) const STATUS_AT: &str = "status_at";
pub(super) const ERROR_CODE: &str = "error_code";
pub(super) const ERROR_MESSAGE: &str = "error_message";
pub(super) const MESSAGE_SK: &str = "MSG";
// Appointment attributes (an appointment shares `business_id`, `status` and `created_at`).
pub(super) const SERVICE: &str = "service";
pub(super) const SLOT_START: &str = "slot_start";
pub(super) const SLOT_END: &str = "slot_end";
pub(super) const BLOCK_START: &str = "block_start";
pub(super) const BLOCK_END: &str = "block_end";
pub(super) const TIMEZONE: &str = "timezone";
pub(super) const PHONE: &str = "phone";
pub(super) const NAME: &str = "name";
pub(super) const CHANNEL: &str = "channel";
pub(super) const SOURCE: &str = "source";
pub(super) const VERSION: &str = "version";
pub(super) const UPDATED_AT: &str = "updated_at";
pub(super) const APPOINTMENT_ID: &str = "appointment_id";
pub(super) const OPERATION: &str = "operation";
pub(super) const APPOINTMENT_SK: &str = "APPT";
pub(super) const CELL_SK: &str = "CELL";
pub(super) const REQUEST_SK: &str = "REQ";
// Conversation attributes (a conversation shares `business_id`, `version`, `updated_at`).
pub(super) const STATE: &str = "state";
/// The exact expiry, RFC 3339; `expires_at` holds it in whole seconds for the TTL.
pub(super) const EXPIRY: &str = "expiry";
pub(super) const CONVERSATION_SK: &str = "CONV";
// Follow-up attributes (the record shares `business_id` and `updated_at`).
pub(super) const FOLLOW_UPS_SK: &str = "FOLLOWUPS";
pub(super) const CALENDAR_KEY_SK: &str = "CALENDAR_KEY";
// Inbox sign-in (links and sessions share `business_id`, `created_at`, `expiry`).
pub(super) const INBOX_LINK_SK: &str = "INBOXLINK";
pub(super) const INBOX_SESSION_SK: &str = "INBOXSESSION";
pub(super) const INBOX_REVOKED_SK: &str = "INBOX_REVOKED";
pub(super) const INBOX_KEY_PK: &str = "INBOX";
pub(super) const INBOX_KEY_SK: &str = "KEY";
// The find indexes (`find.rs`): contacts and search entries share `business_id`.
pub(super) const CONTACT_SK: &str = "CONTACT";
pub(super) const SEARCH_SK: &str = "SEARCH";
pub(super) const LAST_NS: &str = "last_ns";
pub(super) const LAST_KIND: &str = "last_kind";
pub(super) const LAST_ID: &str = "last_id";
pub(super) const INBOUND_NS: &str = "inbound_ns";
pub(super) const REPLIED_NS: &str = "replied_ns";
pub(super) const KIND: &str = "kind";
pub(super) const ITEM_ID: &str = "item_id";
pub(super) const CALLER_TEXT: &str = "caller_text";
pub(super) const BODY_TEXT: &str = "body_text";
pub(super) const INBOX_FORM_SK: &str = "INBOXFORM";
// A customer's timeline records (`timeline_pk`): a call's and an appointment's.
pub(super) const CALL_SID: &str = "call_sid";
pub(super) const TIMELINE_CALL_PREFIX: &str = "CALL#";
pub(super) const TIMELINE_APPOINTMENT_PREFIX: &str = "APPT#";

pub(super) fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        (PARTITION_KEY.to_string(), s(pk)),
        (SORT_KEY.to_string(), s(sk)),
    ])
}

/// The partition of everything that belongs to one business.
pub(super) fn business_partition(id: &BusinessId) -> String {
    format!("BIZ#{id}")
}

pub(super) fn business_key(id: &BusinessId) -> Item {
    key(business_partition(id), PROFILE_SK)
}

pub(super) fn phone_key(number: &PhoneNumber) -> Item {
    key(format!("PHONE#{number}"), PHONE_SK)
}

pub(super) fn call_pk(sid: &CallSid) -> String {
    format!("CALL#{sid}")
}

pub(super) fn call_key(sid: &CallSid) -> Item {
    key(call_pk(sid), CALL_SK)
}

pub(super) fn event_sk(status: CallStatus, sequence: Option<u32>) -> String {
    match sequence {
        Some(sequence) => format!(
            "{EVENT_PREFIX}{sequence:010}#{status}",
            status = status.as_str()
        ),
        None => format!("{EVENT_PREFIX}-#{status}", status = status.as_str()),
    }
}

pub(super) fn recon_key(sid: &CallSid) -> Item {
    key(RECON_PK.to_string(), &format!("CALL#{sid}"))
}

pub(super) fn rate_key(business: &BusinessId, from: &str, minute_start: i64) -> Item {
    key(format!("RATE#{business}#{from}#{minute_start}"), RATE_SK)
}

/// An outbound pacing counter: one per Twilio account and second.
pub(super) fn pacing_key(account: &str, second: i64) -> Item {
    key(format!("PACE#{account}#{second}"), PACE_SK)
}

pub(super) fn placement_key(id: &crate::domain::PlacementId) -> Item {
    key(format!("PLACEMENT#{id}"), PLACEMENT_SK)
}

pub(super) fn api_key_key(hash: &ApiKeyHash) -> Item {
    key(format!("APIKEY#{hash}"), API_KEY_SK)
}

pub(super) fn media_key(sid: &CallSid) -> Item {
    key(call_pk(sid), MEDIA_SK)
}

/// A delivery log sits on its subject's partition: a call's logs keep the `CALL#{sid}` key
/// they had before appointments had events.
pub(super) fn delivery_key(subject: &Subject, event_id: &str) -> Item {
    let pk = match subject {
        Subject::Call(sid) => call_pk(sid),
        Subject::Appointment(id) => format!("APPT#{id}"),
    };
    key(pk, &format!("{DELIVERY_PREFIX}{event_id}"))
}

pub(super) fn business_api_key_key(business: &BusinessId, hash: &ApiKeyHash) -> Item {
    key(
        business_partition(business),
        &format!("{API_KEY_SK}#{hash}"),
    )
}

pub(super) fn webhook_secret_key(business: &BusinessId) -> Item {
    key(business_partition(business), WEBHOOK_SECRET_SK)
}

pub(super) fn calls_gsi1pk(business: &BusinessId) -> String {
    format!("BIZ#{business}#CALLS")
}

pub(super) fn message_pk(id: &MessageId) -> String {
    format!("MSG#{id}")
}

pub(super) fn message_key(id: &MessageId) -> Item {
    key(message_pk(id), MESSAGE_SK)
}

pub(super) fn conversation_gsi1pk(business: &BusinessId, contact: &PhoneNumber) -> String {
    format!("BIZ#{business}#WA#{contact}")
}

pub(super) fn appointment_pk(id: &AppointmentId) -> String {
    format!("APPT#{id}")
}

pub(super) fn appointment_key(id: &AppointmentId) -> Item {
    key(appointment_pk(id), APPOINTMENT_SK)
}

pub(super) fn appointments_gsi1pk(business: &BusinessId) -> String {
    format!("BIZ#{business}#APPTS")
}

/// The counted lock of one 5-minute cell of a business's calendar.
pub(super) fn cell_key(business: &BusinessId, cell: i64) -> Item {
    key(format!("BIZ#{business}#CELL#{cell}"), CELL_SK)
}

/// A spent request key, per business (keys come from outside: message and call ids, an API
/// client's Idempotency-Key).
pub(super) fn request_key(business: &BusinessId, request: &RequestKey) -> Item {
    key(format!("REQ#{business}#{}", request.as_str()), REQUEST_SK)
}

pub(super) fn conversation_pk(key: &ConversationKey) -> String {
    format!("CONV#{}", key.as_str())
}

pub(super) fn conversation_key(conversation: &ConversationKey) -> Item {
    key(conversation_pk(conversation), CONVERSATION_SK)
}

/// An appointment's follow-ups, beside it on its partition.
pub(super) fn follow_ups_key(id: &AppointmentId) -> Item {
    key(appointment_pk(id), FOLLOW_UPS_SK)
}

pub(super) fn follow_ups_gsi1pk(business: &BusinessId) -> String {
    format!("BIZ#{business}#FOLLOWUPS")
}

/// On the business's partition, so deleting the business deletes it.
pub(super) fn calendar_key_key(business: &BusinessId) -> Item {
    key(business_partition(business), CALENDAR_KEY_SK)
}

pub(super) fn inbox_link_key(token: &crate::domain::SecretHash) -> Item {
    key(format!("{INBOX_LINK_SK}#{token}"), INBOX_LINK_SK)
}

pub(super) fn inbox_session_key(id: &crate::domain::SecretHash) -> Item {
    key(format!("{INBOX_SESSION_SK}#{id}"), INBOX_SESSION_SK)
}

/// On the business's partition, so deleting the business deletes it.
pub(super) fn inbox_revoked_key(business: &BusinessId) -> Item {
    key(business_partition(business), INBOX_REVOKED_SK)
}

pub(super) fn inbox_key_key() -> Item {
    key(INBOX_KEY_PK.to_string(), INBOX_KEY_SK)
}

/// One of a business's customers, on its own partition (a business's partition holds only
/// what deleting the business deletes in one transaction).
pub(super) fn contact_key(business: &BusinessId, number: &PhoneNumber) -> Item {
    key(format!("{CONTACT_SK}#{business}#{number}"), CONTACT_SK)
}

pub(super) fn contacts_gsi1pk(business: &BusinessId) -> String {
    format!("BIZ#{business}#CONTACTS")
}

/// The words of a call or message (`id` is its CallSid or message id).
pub(super) fn search_key(business: &BusinessId, id: &str) -> Item {
    key(format!("{SEARCH_SK}#{business}#{id}"), SEARCH_SK)
}

pub(super) fn search_gsi1pk(business: &BusinessId) -> String {
    format!("BIZ#{business}#SEARCH")
}

/// The partition of a business's records about one customer, beside each call with them and
/// each appointment they booked: what a customer's timeline reads instead of all the business's.
pub(super) fn timeline_pk(business: &str, contact: &PhoneNumber) -> String {
    format!("TIMELINE#{business}#{contact}")
}

/// A call's record in its customer's timeline: its list position after `CALL#`.
pub(super) fn timeline_call_key(business: &str, contact: &PhoneNumber, position: &str) -> Item {
    key(
        timeline_pk(business, contact),
        &format!("{TIMELINE_CALL_PREFIX}{position}"),
    )
}

/// An appointment's record in its customer's timeline: its id (UUIDv7, booking order) after
/// `APPT#`.
pub(super) fn timeline_appointment_key(
    business: &BusinessId,
    phone: &PhoneNumber,
    id: &AppointmentId,
) -> Item {
    key(
        timeline_pk(business.as_str(), phone),
        &format!("{TIMELINE_APPOINTMENT_PREFIX}{id}"),
    )
}

/// A claimed one-time form key of a business's inbox.
pub(super) fn inbox_form_key(business: &BusinessId, form: &crate::domain::FormKey) -> Item {
    key(format!("{INBOX_FORM_SK}#{business}#{form}"), INBOX_FORM_SK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_sort_by_sequence() {
        let mut keys = vec![
            event_sk(CallStatus::Completed, Some(10)),
            event_sk(CallStatus::Ringing, Some(2)),
            event_sk(CallStatus::InProgress, Some(9)),
        ];
        keys.sort();
        assert_eq!(
            keys,
            [
                "EVENT#0000000002#ringing",
                "EVENT#0000000009#in-progress",
                "EVENT#0000000010#completed"
            ]
        );
        assert_eq!(event_sk(CallStatus::NoAnswer, None), "EVENT#-#no-answer");
    }

    #[test]
    fn delivery_logs_keep_the_call_key_and_appointments_get_their_own() {
        let pk_sk = |item: Item| {
            (
                item[PARTITION_KEY].as_s().unwrap().clone(),
                item[SORT_KEY].as_s().unwrap().clone(),
            )
        };
        let call = Subject::Call(CallSid::parse("CA9").unwrap());
        assert_eq!(
            pk_sk(delivery_key(&call, "evt_CA9_completed")),
            ("CALL#CA9".into(), "DELIVERY#evt_CA9_completed".into())
        );
        let id = crate::domain::AppointmentId::parse("0192f0c1a2b34c5d8e9f0a1b2c3d4e5f").unwrap();
        assert_eq!(
            pk_sk(delivery_key(&Subject::Appointment(id), "evt_x_booked")),
            (
                "APPT#0192f0c1a2b34c5d8e9f0a1b2c3d4e5f".into(),
                "DELIVERY#evt_x_booked".into()
            )
        );
    }
}
