//! The reminder job: sent once through messaging by the business's channel, never for an
//! appointment cancelled or moved meanwhile; a refusal recorded, Twilio down retried.

use frontdesk::booking::{self, CancelOutcome};
use frontdesk::domain::{
    Channel, ConfirmationChannel, ConfirmationTemplate, MessageStatus, ReminderState, RequestKey,
};
use frontdesk::queue::Disposition;
use frontdesk_testkit::follow_ups::{day_after_tomorrow_at, CONTENT_SID, CUSTOMER, REFUSED_NUMBER};
use jiff::Timestamp;
use time::OffsetDateTime;

use super::{book_and_remind, reminders, sms_bodies, tick, world, BY_SMS};
use crate::outbox::LATER;

#[tokio::test]
async fn a_due_reminder_is_sent_once_by_sms_and_a_redelivered_job_sends_nothing() {
    let world = world(BY_SMS, |_| {}).await;
    let (_, reminder) = book_and_remind(&world, day_after_tomorrow_at(10, 0), 1440).await;
    let bodies = sms_bodies(&world);
    assert_eq!(bodies.len(), 1);
    assert!(
        bodies[0].starts_with("Acme Dental: תזכורת לתור לבדיקה"),
        "{}",
        bodies[0]
    );
    assert!(bodies[0].contains("בשעה 10:00") && bodies[0].contains("2 לביטול"));
    let form = &world.providers.twilio_sent()[0].form();
    assert_eq!(form["To"], CUSTOMER);
    let outcome = reminder.outcome.unwrap();
    assert_eq!(outcome.channel, ConfirmationChannel::Sms);
    let message = world
        .app()
        .store()
        .message(&outcome.message_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(message.status, Some(MessageStatus::Queued));

    assert_eq!(
        world.process(&world.job("reminder"), 2).await,
        Disposition::Done
    );
    assert_eq!(sms_bodies(&world).len(), 1, "not sent twice");
}

#[tokio::test]
async fn a_reminder_for_an_appointment_cancelled_a_second_before_it_fires_is_not_sent() {
    let world = world(BY_SMS, |_| {}).await;
    let booked = world.book(Channel::Api, day_after_tomorrow_at(10, 0)).await;
    let due = reminders(&world, &booked).await[0].due;
    assert_eq!(tick(&world, due).await.queued, 1);
    let request = RequestKey::new("test", &["cancel-late"]).unwrap();
    let cancelled = booking::cancel(
        world.app(),
        &world.business,
        &booked.id,
        &request,
        Timestamp::now(),
    )
    .await
    .unwrap();
    assert!(matches!(cancelled, CancelOutcome::Cancelled(_)));
    world.pump(OffsetDateTime::now_utc()).await;
    assert!(sms_bodies(&world).is_empty(), "no reminder sent");
    assert!(reminders(&world, &booked).await.is_empty());
}

#[tokio::test]
async fn a_reminder_queued_before_a_reschedule_is_not_sent_for_the_old_time() {
    let world = world(BY_SMS, |_| {}).await;
    let booked = world.book(Channel::Api, day_after_tomorrow_at(10, 0)).await;
    let due = reminders(&world, &booked).await[0].due;
    assert_eq!(tick(&world, due).await.queued, 1);
    let old_job = world.job("reminder");
    let request = RequestKey::new("test", &["move-late"]).unwrap();
    booking::reschedule(
        world.app(),
        &world.business,
        &booked.id,
        day_after_tomorrow_at(14, 0),
        &request,
        Timestamp::now(),
    )
    .await
    .unwrap();
    assert_eq!(world.process(&old_job, 1).await, Disposition::Done);
    assert!(sms_bodies(&world).is_empty());
    let stored = reminders(&world, &booked).await;
    assert!(stored
        .iter()
        .all(|r| r.state == ReminderState::Pending && r.start == day_after_tomorrow_at(14, 0)));
}

#[tokio::test]
async fn a_whatsapp_reminder_with_no_template_falls_back_to_sms_and_says_so() {
    let world = world(
        r#"{"offsets_minutes": [1440], "channel": "whatsapp"}"#,
        |_| {},
    )
    .await;
    let (_, reminder) = book_and_remind(&world, day_after_tomorrow_at(10, 0), 1440).await;
    assert!(reminder.fell_back_to_sms);
    assert_eq!(reminder.outcome.unwrap().channel, ConfirmationChannel::Sms);
    assert_eq!(sms_bodies(&world).len(), 1);
}

#[tokio::test]
async fn a_whatsapp_reminder_goes_with_the_twilio_content_template() {
    let template = ConfirmationTemplate::twilio(CONTENT_SID).unwrap();
    let settings = format!(
        r#"{{"offsets_minutes": [1440], "channel": "whatsapp", "template": {}}}"#,
        serde_json::to_string(&template).unwrap()
    );
    let world = world(&settings, |_| {}).await;
    let (_, reminder) = book_and_remind(&world, day_after_tomorrow_at(10, 0), 1440).await;
    assert!(!reminder.fell_back_to_sms);
    let sent = world.providers.twilio_sent();
    assert_eq!(sent.len(), 1);
    let form = sent[0].form();
    assert_eq!(form["ContentSid"], CONTENT_SID);
    assert_eq!(form["To"], format!("whatsapp:{CUSTOMER}"));
    let variables: serde_json::Value = serde_json::from_str(&form["ContentVariables"]).unwrap();
    assert_eq!(variables["1"], "בדיקה");
    assert_eq!(variables["3"], "10:00");
}

#[tokio::test]
async fn a_refused_sms_is_recorded_failed_with_its_code_and_twilio_down_is_retried() {
    let world = world(BY_SMS, |_| {}).await;
    let refused = world
        .book_for(Channel::Api, day_after_tomorrow_at(10, 0), REFUSED_NUMBER)
        .await;
    let due = reminders(&world, &refused).await[0].due;
    assert_eq!(tick(&world, due).await.queued, 1);
    world.pump(OffsetDateTime::now_utc()).await;
    let failed = &reminders(&world, &refused).await[0];
    assert_eq!(failed.state, ReminderState::Failed);
    assert_eq!(
        failed.outcome.as_ref().unwrap().error_code.as_deref(),
        Some("21610")
    );

    let booked = world.book(Channel::Api, day_after_tomorrow_at(11, 0)).await;
    world.providers.twilio_down.lock().unwrap().push_back(500);
    let due = reminders(&world, &booked).await[0].due;
    assert_eq!(tick(&world, due).await.queued, 1);
    let first = world.pump(OffsetDateTime::now_utc()).await;
    assert!(
        first.iter().any(|d| matches!(d, Disposition::Retry { .. })),
        "{first:?}"
    );
    assert_eq!(
        reminders(&world, &booked).await[0].state,
        ReminderState::Retrying
    );
    world.pump(OffsetDateTime::now_utc() + LATER).await;
    let sent = &reminders(&world, &booked).await[0];
    assert_eq!(sent.state, ReminderState::Sent);
    // Twilio saw it twice (a 500, then accepted it): sent on the second receive.
    assert_eq!(sent.outcome.as_ref().unwrap().attempts, 2);
    assert_eq!(
        sms_bodies(&world)
            .iter()
            .filter(|b| b.contains("11:00"))
            .count(),
        2
    );
}
