//! The customer's answer to a reminder over WhatsApp, through the booking dialogue's entry.

use frontdesk::booking::dialogue::{self, Conversed, Inbound};
use frontdesk::booking::{self};
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{
    AppointmentStatus, Channel, MessageId, PhoneNumber, Provider, ReminderAnswer, WhatsAppAddress,
};
use frontdesk_testkit::follow_ups::{day_after_tomorrow_at, zone, CUSTOMER};
use jiff::Timestamp;

use super::{book_and_remind, reminders, world, BY_SMS};
use crate::outbox::World;

fn inbound(from: &str, text: &str, reply: Option<&str>, provider: Provider) -> Inbound {
    Inbound {
        id: MessageId::parse(&format!("SM{:032x}", frontdesk_testkit::unique::next())).unwrap(),
        from: WhatsAppAddress::from(PhoneNumber::parse(from).unwrap()),
        kind: if reply.is_some() { "button" } else { "text" }.into(),
        text: text.into(),
        reply_id: reply.map(str::to_string),
        profile_name: None,
        provider,
    }
}

async fn answer(world: &World, from: &str, text: &str, reply: Option<&str>) -> Conversed {
    let message = inbound(from, text, reply, Provider::Twilio);
    dialogue::converse(
        world.app(),
        &world.business,
        &message,
        None,
        Timestamp::now(),
    )
    .await
}

pub(super) async fn slot_is_free(world: &World, start: Timestamp) -> bool {
    let date = zone().to_datetime(start).date();
    booking::availability(
        world.app(),
        &world.business,
        &ServiceId::parse("checkup").unwrap(),
        date,
        1,
        Timestamp::now(),
    )
    .await
    .unwrap()
    .iter()
    .any(|slot| slot.start == start)
}

async fn status(world: &World, id: &frontdesk::domain::AppointmentId) -> AppointmentStatus {
    world
        .app()
        .store()
        .appointment(id)
        .await
        .unwrap()
        .unwrap()
        .status
}

#[tokio::test]
async fn the_customers_2_cancels_the_reminded_appointment_and_frees_its_slot() {
    for text in ["2", "ביטול", "cancel"] {
        let world = world(BY_SMS, |_| {}).await;
        let start = day_after_tomorrow_at(10, 0);
        let (booked, _) = book_and_remind(&world, start, 1440).await;
        assert!(!slot_is_free(&world, start).await);
        assert_eq!(
            answer(&world, CUSTOMER, text, None).await,
            Conversed::Answered
        );
        assert_eq!(
            status(&world, &booked.id).await,
            AppointmentStatus::Cancelled,
            "{text}"
        );
        assert!(slot_is_free(&world, start).await, "{text}");
        assert!(
            world
                .queued()
                .contains(&"appointment.cancelled".to_string()),
            "{text}"
        );
        let reminded = &reminders(&world, &booked).await[0];
        assert_eq!(reminded.answer, Some(ReminderAnswer::Cancelled));
        let reply = world.providers.twilio_sent().last().unwrap().form()["Body"].clone();
        assert!(
            reply.contains("בוטל") || reply.contains("cancelled"),
            "{reply}"
        );
    }
}

#[tokio::test]
async fn a_button_naming_the_appointment_cancels_it_and_a_1_confirms_without_a_change() {
    let world = world(BY_SMS, |_| {}).await;
    let (first, _) = book_and_remind(&world, day_after_tomorrow_at(10, 0), 1440).await;
    assert_eq!(
        answer(&world, CUSTOMER, "1", None).await,
        Conversed::Answered
    );
    assert_eq!(status(&world, &first.id).await, AppointmentStatus::Booked);
    assert_eq!(
        reminders(&world, &first).await[0].answer,
        Some(ReminderAnswer::Confirmed)
    );
    assert!(!world
        .queued()
        .contains(&"appointment.cancelled".to_string()));

    let payload = format!("reminder:cancel:{}", first.id);
    assert_eq!(
        answer(&world, CUSTOMER, "Cancel", Some(&payload)).await,
        Conversed::Answered
    );
    assert_eq!(
        status(&world, &first.id).await,
        AppointmentStatus::Cancelled
    );
}

#[tokio::test]
async fn only_the_customers_own_reminded_appointment_is_answered() {
    let world = world(BY_SMS, |_| {}).await;
    let (booked, _) = book_and_remind(&world, day_after_tomorrow_at(10, 0), 1440).await;
    // Someone else's "2", and their button naming this appointment, change nothing.
    let stranger = "+972507654321";
    answer(&world, stranger, "2", None).await;
    answer(
        &world,
        stranger,
        "Cancel",
        Some(&format!("reminder:cancel:{}", booked.id)),
    )
    .await;
    assert_eq!(status(&world, &booked.id).await, AppointmentStatus::Booked);

    // A customer with an appointment that was never reminded: "2" is not a reminder's answer.
    let other = world
        .book_for(Channel::Api, day_after_tomorrow_at(13, 0), stranger)
        .await;
    answer(&world, stranger, "2", None).await;
    assert_eq!(status(&world, &other.id).await, AppointmentStatus::Booked);
}
