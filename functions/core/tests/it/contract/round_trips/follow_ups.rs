//! Follow-ups: what became of a booking's confirmation and its calendar event — the
//! provider's message id and status, its error code and error text, the calendar's action,
//! version and error, the attempt counts — read back through the appointment's follow-ups
//! and a listing's batch.

use std::sync::Arc;

use frontdesk::domain::{
    AppointmentId, BusinessId, CalendarAction, CalendarSync, Confirmation, ConfirmationChannel,
    FollowUpState, MessageId, MessageStatus, Provider,
};
use frontdesk::store::{FollowUp, Store};
use proptest::prelude::*;

use super::calls::FORM_FIELD;
use super::{check, fresh, instant, text, Outcome, Stored};
use crate::contract::Backends;

fn state() -> impl Strategy<Value = FollowUpState> {
    prop::sample::select(vec![
        FollowUpState::Retrying,
        FollowUpState::Done,
        FollowUpState::Failed,
        FollowUpState::Skipped,
    ])
}

/// A message id as a send answers it: a Twilio SID, a wamid, or a local id for a refused send.
fn message_id() -> impl Strategy<Value = MessageId> {
    prop_oneof![
        "(SM|MM)[A-Za-z0-9_-]{1,62}",
        "wamid\\.[A-Za-z0-9_.+/=:-]{1,250}",
        "local\\.[A-Za-z0-9_-]{1,64}",
    ]
    .prop_filter_map("an id MessageId::parse takes", |id| {
        MessageId::parse(&id).ok()
    })
}

/// A provider's error text: what its answer said, any Unicode, short or long.
pub fn error_text() -> impl Strategy<Value = String> {
    prop_oneof![4 => text(512), 1 => text(FORM_FIELD)]
}

/// A confirmation's (or a reminder's send's) record as a send leaves it.
pub fn confirmation() -> impl Strategy<Value = Confirmation> {
    let how = (
        prop::sample::select(vec![
            ConfirmationChannel::WhatsappTemplate,
            ConfirmationChannel::Sms,
            ConfirmationChannel::Voice,
        ]),
        prop::sample::select(vec![Provider::Twilio, Provider::Meta]),
        state(),
    );
    let answer = (
        prop::option::of(message_id()),
        prop::option::of(prop::sample::select(MessageStatus::ALL.to_vec())),
        prop::option::of(prop_oneof!["[0-9]{1,6}", "http_[1-9][0-9]{2}", text(256)]),
        prop::option::of(error_text()),
    );
    (how, answer, any::<u32>(), instant()).prop_map(
        |(
            (channel, provider, state),
            (message_id, message_status, error_code, error),
            attempts,
            at,
        )| {
            Confirmation {
                channel,
                provider,
                state,
                message_id,
                message_status,
                error_code,
                error,
                attempts,
                at,
            }
        },
    )
}

fn calendar(appointment: &AppointmentId) -> impl Strategy<Value = CalendarSync> {
    let event_id = appointment.to_string();
    (
        prop::sample::select(vec![
            CalendarAction::Insert,
            CalendarAction::Patch,
            CalendarAction::Delete,
        ]),
        state(),
        any::<u32>(),
        prop::option::of(error_text()),
        any::<u32>(),
        instant(),
    )
        .prop_map(
            move |(action, state, version, error, attempts, at)| CalendarSync {
                event_id: event_id.clone(),
                action,
                state,
                version,
                error,
                attempts,
                at,
            },
        )
}

#[derive(Clone, Debug)]
pub struct Records {
    /// Each kind's records in the order they are written (the last one stands).
    confirmations: Vec<Confirmation>,
    calendars: Vec<CalendarSync>,
    /// The calendar's writes come first.
    calendar_first: bool,
}

fn records() -> impl Strategy<Value = Records> {
    // The event id is the appointment's, which each case makes fresh: a stand-in here.
    let id = AppointmentId::generate();
    (
        prop::collection::vec(confirmation(), 0..3),
        prop::collection::vec(calendar(&id), 0..3),
        any::<bool>(),
    )
        .prop_map(|(confirmations, calendars, calendar_first)| Records {
            confirmations,
            calendars,
            calendar_first,
        })
}

pub async fn every_follow_up_record_reads_back_with_its_appointment_and_in_a_batch(b: &Backends) {
    check(b, records(), follow_ups_round_trip).await;
}

async fn follow_ups_round_trip(store: Arc<dyn Store>, records: Records) -> Outcome {
    let business = BusinessId::parse(&format!("rt-fu-{}", fresh())).unwrap();
    let id = AppointmentId::generate();
    let confirmations = records
        .confirmations
        .iter()
        .cloned()
        .map(FollowUp::Confirmation);
    let calendars = records.calendars.iter().map(|c| {
        FollowUp::Calendar(CalendarSync {
            event_id: id.to_string(),
            ..c.clone()
        })
    });
    let writes: Vec<FollowUp> = if records.calendar_first {
        calendars.chain(confirmations).collect()
    } else {
        confirmations.chain(calendars).collect()
    };
    for record in &writes {
        store
            .put_follow_up(&id, &business, record)
            .await
            .stored("follow-up")?;
    }
    let confirmation = records.confirmations.last().cloned();
    let calendar = records.calendars.last().map(|c| CalendarSync {
        event_id: id.to_string(),
        ..c.clone()
    });

    let read = store.follow_ups(&id).await.stored("follow-ups")?;
    prop_assert_eq!(&read.confirmation, &confirmation);
    prop_assert_eq!(&read.calendar, &calendar);

    // A listing's batch: this appointment's (if any was written), never one never written.
    let never = AppointmentId::generate();
    let batch = store
        .follow_ups_of(&[never.clone(), id.clone()])
        .await
        .stored("follow-ups of a listing")?;
    prop_assert!(
        !batch.contains_key(&never),
        "nothing for an appointment never followed up"
    );
    match batch.get(&id) {
        Some(listed) => prop_assert_eq!(listed, &read),
        None => prop_assert!(read.is_empty(), "a written follow-up is in the batch"),
    }
    Ok(())
}
