//! An appointment's follow-ups as the API and the CLI show them: `confirmation` (how the
//! customer of a phone booking was confirmed, and the message's latest status) and `calendar`
//! (where its Google Calendar event stands), each `null` when there is none; and `reminders`
//! (each reminder's due time in the appointment's zone, state, channel, outcome and the
//! customer's answer), empty when there are none.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::domain::{
    AppointmentId, CalendarSync, Confirmation, FollowUpState, FollowUps, MessageStatus, Reminder,
    StoredMessage,
};
use crate::store::{Store, StoreError};

/// What is known of one appointment's follow-ups: the records, and the confirmation's message
/// as the store now holds it (its status callbacks applied).
#[derive(Clone, Debug, Default)]
pub struct Known {
    pub follow_ups: FollowUps,
    pub message: Option<StoredMessage>,
    pub reminders: Vec<Reminder>,
}

/// The follow-ups of `appointments` (those with none are left out), in one batch read plus one
/// read per confirmation message.
pub async fn of(
    store: &dyn Store,
    appointments: &[AppointmentId],
) -> Result<HashMap<AppointmentId, Known>, StoreError> {
    let mut known = HashMap::new();
    for (id, follow_ups) in store.follow_ups_of(appointments).await? {
        let message = match follow_ups
            .confirmation
            .as_ref()
            .and_then(|c| c.message_id.as_ref())
        {
            Some(message_id) => store.message(message_id).await?,
            None => None,
        };
        known.insert(
            id,
            Known {
                follow_ups,
                message,
                reminders: Vec::new(),
            },
        );
    }
    for (id, reminders) in store.reminders_of(appointments).await? {
        known.entry(id).or_default().reminders = reminders;
    }
    Ok(known)
}

/// The confirmation as it now stands: the message's status once it was accepted (so a
/// template rejected after the send, Twilio 63016 or Meta 131047 by status callback, shows as
/// `failed` with that code), else the record's own state.
pub fn confirmation_status(
    confirmation: &Confirmation,
    message: Option<&StoredMessage>,
) -> (String, Option<String>, Option<String>) {
    let sent = confirmation.state == FollowUpState::Done;
    let latest = message.and_then(|m| m.status.map(|status| (m, status)));
    match latest {
        Some((message, status)) if sent => {
            let failed = matches!(status, MessageStatus::Failed | MessageStatus::Undelivered);
            (
                status.as_str().to_string(),
                message
                    .error_code
                    .clone()
                    .or_else(|| failed.then(|| confirmation.error_code.clone()).flatten()),
                message.error_message.clone(),
            )
        }
        _ => {
            let status = match (confirmation.state, confirmation.message_status) {
                (FollowUpState::Done, Some(status)) => status.as_str(),
                (state, _) => state.as_str(),
            };
            (
                status.to_string(),
                confirmation.error_code.clone(),
                confirmation.error.clone(),
            )
        }
    }
}

/// Whether the confirmation did not reach the customer (refused, or failed since).
pub fn confirmation_failed(confirmation: &Confirmation, message: Option<&StoredMessage>) -> bool {
    let (status, _, _) = confirmation_status(confirmation, message);
    matches!(status.as_str(), "failed" | "undelivered")
}

pub fn confirmation_json(confirmation: &Confirmation, message: Option<&StoredMessage>) -> Value {
    let (status, error_code, error) = confirmation_status(confirmation, message);
    json!({
        "channel": confirmation.channel.as_str(),
        "provider": confirmation.provider.as_str(),
        "message_id": confirmation.message_id.as_ref().map(|id| id.as_str()),
        "status": status,
        "error_code": error_code,
        "error": error,
        "attempts": confirmation.attempts,
        "updated_at": confirmation.at.to_string(),
    })
}

pub fn calendar_json(calendar: &CalendarSync) -> Value {
    json!({
        "event_id": calendar.event_id,
        "state": calendar.state.as_str(),
        "action": calendar.action.as_str(),
        "version": calendar.version,
        "error": calendar.error,
        "attempts": calendar.attempts,
        "updated_at": calendar.at.to_string(),
    })
}

/// A reminder, its due time in `zone` (the appointment's).
pub fn reminder_json(reminder: &Reminder, zone: &jiff::tz::TimeZone) -> Value {
    let outcome = reminder.outcome.as_ref();
    json!({
        "offset_minutes": reminder.offset_minutes,
        "due": reminder.due.display_with_offset(zone.to_offset(reminder.due)).to_string(),
        "state": reminder.state.as_str(),
        "channel": outcome.map(|o| o.channel.as_str()),
        "fell_back_to_sms": reminder.fell_back_to_sms,
        "message_id": outcome.and_then(|o| o.message_id.as_ref()).map(|id| id.as_str()),
        "error_code": outcome.and_then(|o| o.error_code.clone()),
        "error": outcome.and_then(|o| o.error.clone()),
        "reason": reminder.reason,
        "answer": reminder.answer.map(|a| a.as_str()),
        "answered_at": reminder.answered_at.map(|t| t.to_string()),
    })
}

/// Adds `confirmation`, `calendar` and `reminders` to an appointment's JSON object.
pub fn add_to(appointment: &mut Value, known: Option<&Known>) {
    let zone = appointment["timezone"]
        .as_str()
        .and_then(|name| jiff::tz::TimeZone::get(name).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let reminders: Vec<Value> = known
        .map(|k| {
            k.reminders
                .iter()
                .map(|r| reminder_json(r, &zone))
                .collect()
        })
        .unwrap_or_default();
    let confirmation = known
        .and_then(|k| {
            k.follow_ups
                .confirmation
                .as_ref()
                .map(|c| confirmation_json(c, k.message.as_ref()))
        })
        .unwrap_or(Value::Null);
    let calendar = known
        .and_then(|k| k.follow_ups.calendar.as_ref().map(calendar_json))
        .unwrap_or(Value::Null);
    if let Some(object) = appointment.as_object_mut() {
        object.insert("confirmation".into(), confirmation);
        object.insert("calendar".into(), calendar);
        object.insert("reminders".into(), Value::Array(reminders));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ConfirmationChannel, MessageId, Provider};

    fn confirmation(state: FollowUpState, status: Option<MessageStatus>) -> Confirmation {
        Confirmation {
            channel: ConfirmationChannel::WhatsappTemplate,
            provider: Provider::Twilio,
            state,
            message_id: Some(MessageId::parse("SM0123").unwrap()),
            message_status: status,
            error_code: None,
            error: None,
            attempts: 1,
            at: "2026-11-21T10:00:00Z".parse().unwrap(),
        }
    }

    fn message(status: MessageStatus, code: Option<&str>) -> StoredMessage {
        StoredMessage {
            id: MessageId::parse("SM0123").unwrap(),
            business_id: None,
            direction: None,
            contact: None,
            from: None,
            to: None,
            content: None,
            created_at: None,
            status: Some(status),
            status_at: None,
            sent_at: None,
            delivered_at: None,
            read_at: None,
            failed_at: None,
            error_code: code.map(str::to_string),
            error_message: None,
        }
    }

    #[test]
    fn a_sent_confirmation_shows_its_messages_latest_status() {
        let sent = confirmation(FollowUpState::Done, Some(MessageStatus::Queued));
        assert_eq!(confirmation_status(&sent, None).0, "queued");
        let delivered = message(MessageStatus::Delivered, None);
        assert_eq!(confirmation_status(&sent, Some(&delivered)).0, "delivered");
        let rejected = message(MessageStatus::Failed, Some("63016"));
        assert_eq!(
            confirmation_status(&sent, Some(&rejected)),
            ("failed".into(), Some("63016".into()), None)
        );
        assert!(confirmation_failed(&sent, Some(&rejected)));
        let retrying = confirmation(FollowUpState::Retrying, None);
        assert_eq!(confirmation_status(&retrying, None).0, "retrying");
        assert!(!confirmation_failed(&retrying, None));
    }
}
