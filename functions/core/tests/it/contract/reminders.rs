//! Reminders: one per appointment and offset, replaced as the booking's follow-ups ask (kept
//! when unchanged, moved with a reschedule, dropped unless sent when cancelled), read when due
//! through the due index, claimed once however many ticks race, saved only over the same start.
//!
//! The due index is the whole store's, and tests may share one table: every case looks only
//! at its own business's reminders.

use frontdesk::domain::{AppointmentId, BusinessId, Reminder, ReminderAnswer, ReminderState};
use jiff::{SignedDuration, Timestamp};

use super::{business, Backends};

fn at(rfc3339: &str) -> Timestamp {
    rfc3339.parse().unwrap()
}

fn minutes(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

fn pending(id: &AppointmentId, owner: &BusinessId, offset: u32, start: Timestamp) -> Reminder {
    let due = start - minutes(i64::from(offset));
    Reminder::pending(id, owner, offset, start, due)
}

async fn due_of(b: &Backends, owner: &BusinessId, now: Timestamp) -> Vec<(AppointmentId, u32)> {
    b.store
        .due_reminders(now, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| &r.business_id == owner)
        .map(|r| (r.appointment_id, r.offset_minutes))
        .collect()
}

pub async fn reminders_are_kept_moved_and_dropped_unless_sent(b: &Backends) {
    let owner = business(vec![]).id;
    let id = AppointmentId::generate();
    let start = at("2026-12-07T08:00:00Z");
    let wanted = [
        pending(&id, &owner, 1440, start),
        pending(&id, &owner, 120, start),
    ];
    b.store.replace_reminders(&id, &wanted).await.unwrap();
    let stored = b.store.reminders(&id).await.unwrap();
    assert_eq!(stored, wanted.to_vec(), "largest offset first");

    // The day-before one went out; the same request again changes nothing.
    let mut sent = stored[0].clone();
    sent.state = ReminderState::Sent;
    assert!(b.store.save_reminder(&sent).await.unwrap());
    b.store.replace_reminders(&id, &wanted).await.unwrap();
    assert_eq!(
        b.store.reminders(&id).await.unwrap()[0].state,
        ReminderState::Sent
    );

    // A reschedule: both move to the new start, pending again.
    let later = at("2026-12-08T08:00:00Z");
    let moved = [
        pending(&id, &owner, 1440, later),
        pending(&id, &owner, 120, later),
    ];
    b.store.replace_reminders(&id, &moved).await.unwrap();
    assert_eq!(b.store.reminders(&id).await.unwrap(), moved.to_vec());

    // The 24-hour one goes out, then a cancellation: the sent one stays, the other goes.
    let mut sent = moved[0].clone();
    sent.state = ReminderState::Sent;
    sent.answer = Some(ReminderAnswer::Cancelled);
    assert!(b.store.save_reminder(&sent).await.unwrap());
    b.store.replace_reminders(&id, &[]).await.unwrap();
    assert_eq!(b.store.reminders(&id).await.unwrap(), vec![sent]);
    assert!(due_of(b, &owner, later).await.is_empty());
}

pub async fn only_pending_reminders_due_by_now_are_read_and_each_is_claimed_once(b: &Backends) {
    let owner = business(vec![]).id;
    let (first, second) = (AppointmentId::generate(), AppointmentId::generate());
    let start = at("2026-12-09T10:00:00Z");
    b.store
        .replace_reminders(&first, &[pending(&first, &owner, 60, start)])
        .await
        .unwrap();
    b.store
        .replace_reminders(&second, &[pending(&second, &owner, 30, start)])
        .await
        .unwrap();

    assert!(due_of(b, &owner, at("2026-12-09T08:59:59Z"))
        .await
        .is_empty());
    assert_eq!(
        due_of(b, &owner, at("2026-12-09T09:00:00Z")).await,
        [(first.clone(), 60)]
    );
    let both = due_of(b, &owner, at("2026-12-09T09:45:00Z")).await;
    assert_eq!(
        both,
        [(first.clone(), 60), (second.clone(), 30)],
        "soonest first"
    );
    // A day late is past the index's look-back: left for the listing to show.
    assert!(due_of(b, &owner, at("2026-12-10T09:30:01Z"))
        .await
        .is_empty());

    let reminder = b.store.reminders(&first).await.unwrap().remove(0);
    let key = reminder.key();
    let (one, two) = tokio::join!(
        b.store.claim_reminder(&key, start),
        b.store.claim_reminder(&key, start)
    );
    assert!(one.unwrap() ^ two.unwrap(), "exactly one claim wins");
    assert_eq!(
        b.store.reminders(&first).await.unwrap()[0].state,
        ReminderState::Queued
    );
    assert_eq!(
        due_of(b, &owner, at("2026-12-09T09:45:00Z")).await,
        [(second.clone(), 30)],
        "a claimed reminder leaves the due index"
    );
    // A claim for another start (the appointment moved) wins nothing.
    let other = b.store.reminders(&second).await.unwrap().remove(0).key();
    assert!(!b
        .store
        .claim_reminder(&other, at("2026-12-09T11:00:00Z"))
        .await
        .unwrap());

    // Given back (the queue refused its job): due again.
    assert!(b.store.save_reminder(&reminder).await.unwrap());
    assert_eq!(due_of(b, &owner, at("2026-12-09T09:45:00Z")).await.len(), 2);
}

pub async fn a_save_for_a_moved_or_dropped_reminder_changes_nothing(b: &Backends) {
    let owner = business(vec![]).id;
    let id = AppointmentId::generate();
    let start = at("2026-12-11T10:00:00Z");
    let old = pending(&id, &owner, 60, start);
    let mut late = old.clone();
    late.state = ReminderState::Sent;
    assert!(!b.store.save_reminder(&late).await.unwrap(), "never stored");

    b.store
        .replace_reminders(&id, std::slice::from_ref(&old))
        .await
        .unwrap();
    let moved = pending(&id, &owner, 60, at("2026-12-12T10:00:00Z"));
    b.store
        .replace_reminders(&id, std::slice::from_ref(&moved))
        .await
        .unwrap();
    assert!(
        !b.store.save_reminder(&late).await.unwrap(),
        "moved meanwhile"
    );
    assert_eq!(b.store.reminders(&id).await.unwrap(), vec![moved]);
}
