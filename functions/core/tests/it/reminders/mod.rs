//! Appointment reminders on the embedded backends: a booking's reminders written at the right
//! local times, moved by a reschedule and dropped by a cancellation; the minute tick (driven
//! by the `now` it is given) claiming due ones onto the notify queue; the notify consumer
//! sending each once through the Twilio and Meta stand-ins (`sending`); the customer's answer
//! over WhatsApp confirming or cancelling (`answers`). Here: what they share.

mod answers;
mod scheduling;
mod sending;
mod voice;

use frontdesk::domain::{
    Appointment, Business, Channel, Reminder, ReminderSettings, ReminderState,
};
use frontdesk::worker::reminder_scan::{self, ScanReport};
use frontdesk::Config;
use jiff::Timestamp;
use time::OffsetDateTime;

use crate::outbox::World;

/// 24 hours and 2 hours before, 09:00 to 20:00, by SMS.
pub const BY_SMS: &str = r#"{"offsets_minutes": [1440, 120], "channel": "sms",
    "window": {"from": "09:00", "to": "20:00"}}"#;

/// A world whose business reminds with `settings` (and has no calendar, so the queue holds
/// only events and reminders).
pub async fn world(settings: &str, adjust: impl FnOnce(&mut Business)) -> World {
    world_configured(|_| {}, settings, adjust).await
}

/// [`world`] on a configuration changed by `configure`.
pub async fn world_configured(
    configure: impl FnOnce(&mut Config),
    settings: &str,
    adjust: impl FnOnce(&mut Business),
) -> World {
    let settings = ReminderSettings::parse_json(settings).unwrap();
    World::start(configure, move |business| {
        business.google_calendar = None;
        business.reminders = Some(settings);
        adjust(business);
    })
    .await
}

pub async fn reminders(world: &World, appointment: &Appointment) -> Vec<Reminder> {
    world
        .app()
        .store()
        .reminders(&appointment.id)
        .await
        .unwrap()
}

/// The minute tick at `now`.
pub async fn tick(world: &World, now: Timestamp) -> ScanReport {
    reminder_scan::scan(world.app(), now).await
}

/// Books a checkup at `start` through the API and runs its reminder's tick at the due time of
/// the reminder `offset` minutes before, then the notify consumer: the reminder as stored.
pub async fn book_and_remind(
    world: &World,
    start: Timestamp,
    offset: u32,
) -> (Appointment, Reminder) {
    let booked = world.book(Channel::Api, start).await;
    let due = reminders(world, &booked)
        .await
        .into_iter()
        .find(|r| r.offset_minutes == offset)
        .expect("the reminder is scheduled")
        .due;
    assert_eq!(tick(world, due).await.queued, 1);
    world.pump(OffsetDateTime::now_utc()).await;
    let reminder = reminders(world, &booked)
        .await
        .into_iter()
        .find(|r| r.offset_minutes == offset)
        .unwrap();
    assert_eq!(reminder.state, ReminderState::Sent, "{reminder:?}");
    (booked, reminder)
}

/// The SMS bodies Twilio's stand-in received.
pub fn sms_bodies(world: &World) -> Vec<String> {
    world
        .providers
        .twilio_sent()
        .iter()
        .filter_map(|r| r.form().get("Body").cloned())
        .collect()
}
