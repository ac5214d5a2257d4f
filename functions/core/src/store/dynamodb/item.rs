//! Attribute values: building them, reading them back with the stored type checked, and
//! whole items back to domain records.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use time::OffsetDateTime;

use super::keys::{
    ANSWERED_BY, APPOINTMENT_ID, AT, BLOCK_END, BLOCK_START, BUSINESS_ID, CALLER_NAME, CHANNEL,
    CONTACT, CONTENT, CREATED_AT, DATA, DIRECTION, DURATION_SECONDS, ENDED_AT, ERROR_CODE,
    ERROR_MESSAGE, EXPIRY, FROM, GATHERED_DIGITS, HANDLED, NAME, PARTITION_KEY, PHONE, PURPOSE,
    RECORDING_DIGITS, RECORDING_DURATION, RECORDING_SID, RECORDING_STATUS, RECORDING_URL,
    REQUESTED_BY, SEQUENCE, SERVICE, SLOT_END, SLOT_START, SOURCE, STARTED_AT, STATE, STATUS,
    STATUS_AT, STATUS_SEQ, TIMEZONE, TO, TRANSCRIPTION, TRANSCRIPTION_QUEUED_AT, UPDATED_AT,
    VERSION,
};
use crate::domain::booking::engine::{Busy, Slot};
use crate::domain::booking::settings::ServiceId;
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, Business, BusinessId, Call, CallEvent, CallSid,
    CallStatus, Channel, Conversation, ConversationKey, Direction, MessageContent,
    MessageDirection, MessageEvent, MessageId, MessageStatus, PhoneNumber, Recording, RecordingSid,
    StoredMessage, TranscriptionState,
};
use crate::store::{parse_time, parse_timestamp, StoreError};

pub(super) type Item = HashMap<String, AttributeValue>;

/// How a call known only from its recording or gathered digits reads: it was answered. No
/// status is stored for it, so the first lifecycle callback sets one whatever it is.
const UNKNOWN_STATUS_READS_AS: CallStatus = CallStatus::InProgress;

pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(super) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(super) fn get_s<'a>(item: &'a Item, name: &str) -> Result<Option<&'a str>, StoreError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::S(value)) => Ok(Some(value)),
        Some(other) => Err(StoreError::Corrupt(format!(
            "attribute `{name}` is not a string: {other:?}"
        ))),
    }
}

pub(super) fn get_n<T: std::str::FromStr>(
    item: &Item,
    name: &str,
) -> Result<Option<T>, StoreError> {
    match item.get(name) {
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(AttributeValue::N(value)) => value.parse().map(Some).map_err(|_| {
            StoreError::Corrupt(format!(
                "attribute `{name}` is not a fitting number: {value}"
            ))
        }),
        Some(other) => Err(StoreError::Corrupt(format!(
            "attribute `{name}` is not a number: {other:?}"
        ))),
    }
}

pub(super) fn get_time(item: &Item, name: &str) -> Result<Option<OffsetDateTime>, StoreError> {
    get_s(item, name)?.map(parse_time).transpose()
}

pub(super) fn required<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    get_s(item, name)?.ok_or_else(|| StoreError::Corrupt(format!("attribute `{name}` is missing")))
}

pub(super) fn corrupt(what: &str) -> impl Fn(crate::domain::ParseError) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

pub(super) fn business_from_item(item: &Item) -> Result<Business, StoreError> {
    serde_json::from_str(required(item, DATA)?)
        .map_err(|e| StoreError::Corrupt(format!("business document: {e}")))
}

pub(super) fn call_from_item(item: &Item) -> Result<Call, StoreError> {
    let pk = required(item, PARTITION_KEY)?;
    let sid =
        CallSid::parse(pk.strip_prefix("CALL#").unwrap_or(pk)).map_err(corrupt("call key"))?;
    let status = match get_s(item, STATUS)? {
        Some(status) => CallStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("call status `{status}`")))?,
        None => UNKNOWN_STATUS_READS_AS,
    };
    let recording = match get_s(item, RECORDING_SID)? {
        Some(recording_sid) => Some(Recording {
            sid: RecordingSid::parse(recording_sid).map_err(corrupt("recording sid"))?,
            url: required(item, RECORDING_URL)?.to_string(),
            duration_seconds: get_n(item, RECORDING_DURATION)?,
            digits: get_s(item, RECORDING_DIGITS)?.map(str::to_string),
        }),
        None => None,
    };
    let transcription = match get_s(item, TRANSCRIPTION)? {
        Some(state) => Some(
            TranscriptionState::parse(state)
                .ok_or_else(|| StoreError::Corrupt(format!("transcription state `{state}`")))?,
        ),
        None => None,
    };
    Ok(Call {
        sid,
        business_id: get_s(item, BUSINESS_ID)?
            .map(BusinessId::parse)
            .transpose()
            .map_err(corrupt("call business"))?,
        from: get_s(item, FROM)?.map(str::to_string),
        to: get_s(item, TO)?.map(str::to_string),
        direction: get_s(item, DIRECTION)?
            .map(Direction::parse)
            .unwrap_or(Direction::Inbound),
        caller_name: get_s(item, CALLER_NAME)?.map(str::to_string),
        status,
        status_sequence: get_n(item, STATUS_SEQ)?,
        started_at: get_time(item, STARTED_AT)?,
        ended_at: get_time(item, ENDED_AT)?,
        duration_seconds: get_n(item, DURATION_SECONDS)?,
        recording,
        recording_status: get_s(item, RECORDING_STATUS)?.map(str::to_string),
        transcription,
        transcription_queued_at: get_time(item, TRANSCRIPTION_QUEUED_AT)?,
        gathered_digits: get_s(item, GATHERED_DIGITS)?.map(str::to_string),
        purpose: get_s(item, PURPOSE)?.map(str::to_string),
        requested_by: get_s(item, REQUESTED_BY)?.map(str::to_string),
        answered_by: get_s(item, ANSWERED_BY)?.map(str::to_string),
        handled: match item.get(HANDLED) {
            None => false,
            Some(value) => *value
                .as_bool()
                .map_err(|_| StoreError::Corrupt("call `handled` is not a boolean".into()))?,
        },
        appointment_id: get_s(item, APPOINTMENT_ID)?
            .map(AppointmentId::parse)
            .transpose()
            .map_err(corrupt("call appointment"))?,
    })
}

pub(super) fn call_event_from_item(item: &Item) -> Result<CallEvent, StoreError> {
    let status = required(item, STATUS)?;
    Ok(CallEvent {
        status: CallStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("event status `{status}`")))?,
        sequence: get_n(item, SEQUENCE)?,
        at: parse_time(required(item, AT)?)?,
        duration_seconds: get_n(item, DURATION_SECONDS)?,
    })
}

pub(super) fn message_from_item(item: &Item) -> Result<StoredMessage, StoreError> {
    let pk = required(item, PARTITION_KEY)?;
    let id = MessageId::parse(pk.strip_prefix("MSG#").unwrap_or(pk))
        .map_err(|e| StoreError::Corrupt(format!("message key: {e}")))?;
    let status = get_s(item, STATUS)?
        .map(|v| {
            MessageStatus::parse(v)
                .ok_or_else(|| StoreError::Corrupt(format!("message status `{v}`")))
        })
        .transpose()?;
    let direction = get_s(item, DIRECTION)?
        .map(|v| {
            MessageDirection::parse(v)
                .ok_or_else(|| StoreError::Corrupt(format!("message direction `{v}`")))
        })
        .transpose()?;
    let content = get_s(item, CONTENT)?
        .map(serde_json::from_str::<MessageContent>)
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("message content: {e}")))?;
    Ok(StoredMessage {
        id,
        business_id: get_s(item, BUSINESS_ID)?
            .map(BusinessId::parse)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("message business: {e}")))?,
        direction,
        contact: get_s(item, CONTACT)?
            .map(PhoneNumber::parse)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("message contact: {e}")))?,
        from: get_s(item, FROM)?.map(str::to_string),
        to: get_s(item, TO)?.map(str::to_string),
        content,
        created_at: get_time(item, CREATED_AT)?,
        status,
        status_at: get_time(item, STATUS_AT)?,
        sent_at: get_time(item, "sent_at")?,
        delivered_at: get_time(item, "delivered_at")?,
        read_at: get_time(item, "read_at")?,
        failed_at: get_time(item, "failed_at")?,
        error_code: get_s(item, ERROR_CODE)?.map(str::to_string),
        error_message: get_s(item, ERROR_MESSAGE)?.map(str::to_string),
    })
}

pub(super) fn message_event_from_item(item: &Item) -> Result<MessageEvent, StoreError> {
    let status = required(item, STATUS)?;
    Ok(MessageEvent {
        status: MessageStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("message event status `{status}`")))?,
        at: parse_time(required(item, AT)?)?,
        error_code: get_s(item, ERROR_CODE)?.map(str::to_string),
    })
}

pub(super) fn get_timestamp(item: &Item, name: &str) -> Result<jiff::Timestamp, StoreError> {
    parse_timestamp(required(item, name)?)
}

fn required_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    get_n(item, name)?.ok_or_else(|| StoreError::Corrupt(format!("attribute `{name}` is missing")))
}

pub(super) fn appointment_from_item(item: &Item) -> Result<Appointment, StoreError> {
    let pk = required(item, PARTITION_KEY)?;
    let id = AppointmentId::parse(pk.strip_prefix("APPT#").unwrap_or(pk))
        .map_err(corrupt("appointment key"))?;
    let status = required(item, STATUS)?;
    let channel = required(item, CHANNEL)?;
    Ok(Appointment {
        id,
        business_id: BusinessId::parse(required(item, BUSINESS_ID)?)
            .map_err(corrupt("appointment business"))?,
        service: ServiceId::parse(required(item, SERVICE)?)
            .map_err(|e| StoreError::Corrupt(format!("appointment service: {e}")))?,
        slot: Slot {
            start: get_timestamp(item, SLOT_START)?,
            end: get_timestamp(item, SLOT_END)?,
        },
        block: Busy {
            start: get_timestamp(item, BLOCK_START)?,
            end: get_timestamp(item, BLOCK_END)?,
        },
        timezone: required(item, TIMEZONE)?.to_string(),
        phone: PhoneNumber::parse(required(item, PHONE)?).map_err(corrupt("appointment phone"))?,
        name: get_s(item, NAME)?.map(str::to_string),
        channel: Channel::parse(channel)
            .ok_or_else(|| StoreError::Corrupt(format!("appointment channel `{channel}`")))?,
        source: required(item, SOURCE)?.to_string(),
        status: AppointmentStatus::parse(status)
            .ok_or_else(|| StoreError::Corrupt(format!("appointment status `{status}`")))?,
        version: required_n(item, VERSION)?,
        created_at: get_timestamp(item, CREATED_AT)?,
        updated_at: get_timestamp(item, UPDATED_AT)?,
    })
}

pub(super) fn conversation_from_item(item: &Item) -> Result<Conversation, StoreError> {
    let pk = required(item, PARTITION_KEY)?;
    Ok(Conversation {
        key: ConversationKey::parse(pk.strip_prefix("CONV#").unwrap_or(pk))
            .map_err(corrupt("conversation key"))?,
        business_id: BusinessId::parse(required(item, BUSINESS_ID)?)
            .map_err(corrupt("conversation business"))?,
        state: serde_json::from_str(required(item, STATE)?)
            .map_err(|e| StoreError::Corrupt(format!("conversation state: {e}")))?,
        version: required_n(item, VERSION)?,
        updated_at: get_timestamp(item, UPDATED_AT)?,
        expires_at: get_timestamp(item, EXPIRY)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::dynamodb::keys::{CALL_SK, SORT_KEY};

    #[test]
    fn stored_calls_read_back_with_defaults_for_what_is_missing() {
        let item = HashMap::from([
            (PARTITION_KEY.to_string(), s("CALL#CA1")),
            (SORT_KEY.to_string(), s(CALL_SK)),
            (STATUS.to_string(), s("in-progress")),
            (TRANSCRIPTION.to_string(), s("pending")),
        ]);
        let call = call_from_item(&item).unwrap();
        assert_eq!(call.sid.as_str(), "CA1");
        assert_eq!(call.status, CallStatus::InProgress);
        assert_eq!(call.direction, Direction::Inbound);
        assert_eq!(call.transcription, Some(TranscriptionState::Pending));
        let mut unknown_status = item.clone();
        unknown_status.remove(STATUS);
        assert_eq!(
            call_from_item(&unknown_status).unwrap().status,
            UNKNOWN_STATUS_READS_AS
        );
        let mut bad = item.clone();
        bad.insert(STATUS.into(), s("answered"));
        assert!(matches!(call_from_item(&bad), Err(StoreError::Corrupt(_))));
    }
}
