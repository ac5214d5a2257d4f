//! Reminders: an appointment's one to four reminders (offsets of a minute to a week before a
//! start anywhere in two centuries, to the nanosecond) read back through the appointment, the
//! reconciler's due list at each one's due time, and its claim; then what a send did (its
//! record with the provider's error text, the reason it was skipped, the customer's answer,
//! the call it placed) read back through the appointment and, given back pending, the due
//! list again.

use std::collections::BTreeSet;
use std::sync::Arc;

use frontdesk::domain::{
    AppointmentId, BusinessId, CallSid, Confirmation, Reminder, ReminderAnswer, ReminderState,
};
use frontdesk::store::reminders::DUE_LOOKBACK;
use frontdesk::store::Store;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::follow_ups::{confirmation, error_text};
use super::{check, fresh, instant, Outcome, Stored};
use crate::contract::Backends;

/// What a send (or a skip, or the customer) made of one reminder.
#[derive(Clone, Debug)]
pub struct Afterwards {
    state: ReminderState,
    outcome: Option<Confirmation>,
    fell_back_to_sms: bool,
    reason: Option<String>,
    answer: Option<ReminderAnswer>,
    answered_at: Option<Timestamp>,
    call_sid: Option<CallSid>,
}

fn afterwards() -> impl Strategy<Value = Afterwards> {
    let state = prop::sample::select(vec![
        ReminderState::Pending,
        ReminderState::Queued,
        ReminderState::Retrying,
        ReminderState::Sent,
        ReminderState::Failed,
        ReminderState::Skipped,
    ]);
    let answer = prop::option::of(prop::sample::select(vec![
        ReminderAnswer::Confirmed,
        ReminderAnswer::Cancelled,
    ]));
    let call_sid = prop::option::of(
        "CA[0-9a-f]{32}".prop_filter_map("a CallSid", |sid| CallSid::parse(&sid).ok()),
    );
    (
        state,
        prop::option::of(confirmation()),
        any::<bool>(),
        prop::option::of(error_text()),
        answer,
        prop::option::of(instant()),
        call_sid,
    )
        .prop_map(
            |(state, outcome, fell_back_to_sms, reason, answer, answered_at, call_sid)| {
                Afterwards {
                    state,
                    outcome,
                    fell_back_to_sms,
                    reason,
                    answer,
                    answered_at,
                    call_sid,
                }
            },
        )
}

#[derive(Clone, Debug)]
pub struct Booked {
    start: Timestamp,
    /// Each offset and what became of its reminder.
    reminders: Vec<(u32, Afterwards)>,
}

fn booked() -> impl Strategy<Value = Booked> {
    let offset = prop_oneof![Just(1u32), Just(10_080u32), Just(1440u32), 1u32..=10_080,];
    (
        instant(),
        prop::collection::btree_map(offset, afterwards(), 1..=4),
    )
        .prop_map(|(start, reminders)| Booked {
            start,
            reminders: reminders.into_iter().collect(),
        })
}

pub async fn every_reminder_reads_back_through_the_due_list_its_claim_and_its_appointment(
    b: &Backends,
) {
    check(b, booked(), reminders_round_trip).await;
}

/// The appointment's pending reminders the due list at `now` holds: due within the look-back.
fn due_by(reminders: &[Reminder], now: Timestamp) -> Vec<Reminder> {
    let mut due: Vec<Reminder> = reminders
        .iter()
        .filter(|r| r.state == ReminderState::Pending)
        .filter(|r| {
            r.due <= now
                && now
                    .checked_sub(DUE_LOOKBACK)
                    .is_ok_and(|since| r.due > since)
        })
        .cloned()
        .collect();
    due.sort_by_key(|r| (r.due, r.key()));
    due
}

async fn due_list(
    store: &Arc<dyn Store>,
    id: &AppointmentId,
    now: Timestamp,
) -> Result<Vec<Reminder>, proptest::test_runner::TestCaseError> {
    Ok(store
        .due_reminders(now, 100_000)
        .await
        .stored("due reminders")?
        .into_iter()
        .filter(|r| &r.appointment_id == id)
        .collect())
}

async fn reminders_round_trip(store: Arc<dyn Store>, booked: Booked) -> Outcome {
    let business = BusinessId::parse(&format!("rt-rem-{}", fresh())).unwrap();
    let id = AppointmentId::generate();
    let mut wanted: Vec<Reminder> = booked
        .reminders
        .iter()
        .map(|(offset, _)| {
            let due = booked.start - SignedDuration::from_mins(i64::from(*offset));
            Reminder::pending(&id, &business, *offset, booked.start, due)
        })
        .collect();
    // Largest offset (earliest reminder) first, as the store reads them.
    wanted.reverse();
    store
        .replace_reminders(&id, &wanted)
        .await
        .stored("reminders")?;
    prop_assert_eq!(
        &store
            .reminders(&id)
            .await
            .stored("appointment's reminders")?,
        &wanted
    );
    let batch = store
        .reminders_of(std::slice::from_ref(&id))
        .await
        .stored("listing's reminders")?;
    prop_assert_eq!(batch.get(&id), Some(&wanted));

    // The reconciler's tick at each one's due time reads what is due, soonest first.
    let ticks: BTreeSet<Timestamp> = wanted.iter().map(|r| r.due).collect();
    for &now in &ticks {
        prop_assert_eq!(
            due_list(&store, &id, now).await?,
            due_by(&wanted, now),
            "due at {}",
            now
        );
    }
    // Each is claimed once, and leaves the due list.
    for reminder in &wanted {
        let key = reminder.key();
        prop_assert!(
            store
                .claim_reminder(&key, booked.start)
                .await
                .stored("claim")?,
            "a pending reminder is claimed"
        );
        prop_assert!(
            !store
                .claim_reminder(&key, booked.start)
                .await
                .stored("claim again")?,
            "a claimed reminder is not claimed twice"
        );
    }
    let queued: Vec<Reminder> = wanted
        .iter()
        .map(|r| Reminder {
            state: ReminderState::Queued,
            ..r.clone()
        })
        .collect();
    prop_assert_eq!(
        &store.reminders(&id).await.stored("claimed reminders")?,
        &queued
    );
    for &now in &ticks {
        prop_assert_eq!(due_list(&store, &id, now).await?, vec![]);
    }

    // What each send did, saved over its claim.
    let saved: Vec<Reminder> = queued
        .iter()
        .map(|r| {
            let (_, after) = booked
                .reminders
                .iter()
                .find(|(offset, _)| *offset == r.offset_minutes)
                .expect("each reminder has its afterwards")
                .clone();
            Reminder {
                state: after.state,
                outcome: after.outcome,
                fell_back_to_sms: after.fell_back_to_sms,
                reason: after.reason,
                answer: after.answer,
                answered_at: after.answered_at,
                call_sid: after.call_sid,
                ..r.clone()
            }
        })
        .collect();
    for reminder in &saved {
        prop_assert!(
            store.save_reminder(reminder).await.stored("save")?,
            "a save over the same start is kept"
        );
    }
    prop_assert_eq!(
        &store.reminders(&id).await.stored("saved reminders")?,
        &saved
    );
    // One given back pending is due again; the rest stay out of the list.
    for &now in &ticks {
        prop_assert_eq!(
            due_list(&store, &id, now).await?,
            due_by(&saved, now),
            "due again at {}",
            now
        );
    }
    Ok(())
}
