//! A phone booking's confirmation: the business's WhatsApp template (Twilio Content Template or
//! Meta template) or else an SMS, sent once, stored as an outbound message and named on the
//! appointment; none after a WhatsApp or API booking; a refusal (a rejected template, an SMS
//! refused) keeps the booking and records the failure; Twilio down is retried.

use frontdesk::config::PublicBaseUrl;
use frontdesk::domain::{
    AppointmentStatus, Channel, ConfirmationChannel, ConfirmationTemplate, FollowUpState,
    MessageStatus, Provider,
};
use frontdesk::queue::Disposition;
use frontdesk_testkit::follow_ups::{
    day_after_tomorrow_at, CONTENT_SID, CUSTOMER, EXPIRED_TEMPLATE, REFUSED_NUMBER,
    REJECTED_CONTENT_SID,
};
use time::OffsetDateTime;

use super::{World, LATER};

const PUBLIC: &str = "https://voice.acme.example";

fn twilio_template(sid: &str) -> impl FnOnce(&mut frontdesk::domain::Business) + '_ {
    move |business| {
        business.confirmation_template = Some(ConfirmationTemplate::twilio(sid).unwrap());
    }
}

#[tokio::test]
async fn a_phone_booking_is_confirmed_with_the_twilio_template_once() {
    let world = World::start(
        |config| config.public_base_url = Some(PublicBaseUrl::parse(PUBLIC).unwrap()),
        twilio_template(CONTENT_SID),
    )
    .await;
    let booked = world
        .book(Channel::Voice, day_after_tomorrow_at(10, 0))
        .await;
    assert_eq!(
        world.queued(),
        ["appointment.booked", "calendar_sync", "confirmation"]
    );
    assert!(world
        .pump(OffsetDateTime::now_utc())
        .await
        .iter()
        .all(|d| *d == Disposition::Done));

    let sent = world.providers.twilio_sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].path,
        "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
    );
    let form = sent[0].form();
    let from = world.business.phone_numbers[0].as_str();
    assert_eq!(form["From"], format!("whatsapp:{from}"));
    assert_eq!(form["To"], format!("whatsapp:{CUSTOMER}"));
    assert_eq!(form["ContentSid"], CONTENT_SID);
    assert!(!form.contains_key("Body"));
    assert_eq!(
        form["StatusCallback"],
        format!("{PUBLIC}/webhook/whatsapp/status")
    );
    let variables: serde_json::Value = serde_json::from_str(&form["ContentVariables"]).unwrap();
    let day = frontdesk_testkit::follow_ups::zone()
        .to_datetime(booked.slot.start)
        .date();
    let words = frontdesk::booking::dialogue::words::Words {
        lang: frontdesk::booking::dialogue::state::Lang::He,
        zone: &frontdesk_testkit::follow_ups::zone(),
        settings: world.business.booking.as_ref().unwrap(),
    };
    assert_eq!(
        variables,
        serde_json::json!({"1": "בדיקה", "2": words.day(day), "3": "10:00"})
    );

    let store = world.app().store();
    let confirmation = store
        .follow_ups(&booked.id)
        .await
        .unwrap()
        .confirmation
        .unwrap();
    assert_eq!(confirmation.channel, ConfirmationChannel::WhatsappTemplate);
    assert_eq!(confirmation.state, FollowUpState::Done);
    let message_id = confirmation.message_id.unwrap();
    assert!(message_id.as_str().starts_with("SM"));
    let message = store.message(&message_id).await.unwrap().unwrap();
    assert_eq!(message.status, Some(MessageStatus::Queued));
    assert_eq!(message.content.unwrap().kind, "template");
    assert_eq!(message.contact.unwrap().as_str(), CUSTOMER);

    // Redelivered: already sent, not sent again.
    assert_eq!(
        world.process(&world.job("confirmation"), 2).await,
        Disposition::Done
    );
    assert_eq!(world.providers.twilio_sent().len(), 1);
}

#[tokio::test]
async fn a_meta_business_is_confirmed_with_its_template_and_body_parameters() {
    let world = World::start(
        |_| {},
        |business| {
            business.whatsapp_provider = Provider::Meta;
            business.language = "en-US".into();
            business.confirmation_template =
                Some(ConfirmationTemplate::meta("booking_confirmed", "en_US").unwrap());
        },
    )
    .await;
    let booked = world
        .book(Channel::Voice, day_after_tomorrow_at(15, 30))
        .await;
    world.pump(OffsetDateTime::now_utc()).await;
    assert!(world.providers.twilio_sent().is_empty());
    let sent = world.providers.meta_sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].path,
        format!(
            "/v21.0/{}/messages",
            world.business.meta_phone_number_id.as_deref().unwrap()
        )
    );
    let body = sent[0].json();
    assert_eq!(body["type"], "template");
    assert_eq!(body["to"], CUSTOMER.trim_start_matches('+'));
    assert_eq!(body["template"]["name"], "booking_confirmed");
    assert_eq!(body["template"]["language"]["code"], "en_US");
    let parameters = &body["template"]["components"][0];
    assert_eq!(parameters["type"], "body");
    assert_eq!(parameters["parameters"][0]["text"], "Checkup");
    assert_eq!(parameters["parameters"][2]["text"], "15:30");
    let confirmation = world
        .app()
        .store()
        .follow_ups(&booked.id)
        .await
        .unwrap()
        .confirmation
        .unwrap();
    assert_eq!(confirmation.provider, Provider::Meta);
    assert!(confirmation
        .message_id
        .unwrap()
        .as_str()
        .starts_with("wamid."));
}

#[tokio::test]
async fn without_a_template_for_its_provider_the_confirmation_is_an_sms() {
    // A Meta template on a Twilio business cannot be sent: the SMS goes instead.
    let world = World::start(
        |_| {},
        |business| {
            business.confirmation_template =
                Some(ConfirmationTemplate::meta("booking_confirmed", "he").unwrap());
        },
    )
    .await;
    let booked = world
        .book(Channel::Voice, day_after_tomorrow_at(10, 0))
        .await;
    world.pump(OffsetDateTime::now_utc()).await;
    let sent = world.providers.twilio_sent();
    assert_eq!(sent.len(), 1);
    let form = sent[0].form();
    assert_eq!(
        form["From"],
        world.business.phone_numbers[0].as_str(),
        "no whatsapp: prefix"
    );
    assert_eq!(form["To"], CUSTOMER);
    assert!(
        form["Body"].starts_with("Acme Dental: נקבע לך תור לבדיקה ב"),
        "{}",
        form["Body"]
    );
    assert!(form["Body"].ends_with("בשעה 10:00."));
    assert!(
        !form.contains_key("StatusCallback"),
        "no PUBLIC_BASE_URL here"
    );
    let store = world.app().store();
    let confirmation = store
        .follow_ups(&booked.id)
        .await
        .unwrap()
        .confirmation
        .unwrap();
    assert_eq!(confirmation.channel, ConfirmationChannel::Sms);
    let message = store
        .message(confirmation.message_id.as_ref().unwrap())
        .await
        .unwrap()
        .unwrap();
    let content = message.content.unwrap();
    assert_eq!(content.kind, "sms");
    assert_eq!(content.body.as_deref(), Some(form["Body"].as_str()));
    assert_eq!(
        message.from.as_deref(),
        Some(world.business.phone_numbers[0].as_str())
    );
}

#[tokio::test]
async fn a_whatsapp_or_api_booking_gets_no_extra_confirmation() {
    let world = World::start(|_| {}, twilio_template(CONTENT_SID)).await;
    world
        .book(Channel::Whatsapp, day_after_tomorrow_at(10, 0))
        .await;
    world.book(Channel::Api, day_after_tomorrow_at(11, 0)).await;
    assert!(!world.queued().iter().any(|job| job == "confirmation"));
    world.pump(OffsetDateTime::now_utc()).await;
    assert!(world.providers.twilio_sent().is_empty());
    assert!(world.providers.meta_sent().is_empty());
}

#[tokio::test]
async fn a_rejected_template_keeps_the_booking_and_records_the_failure() {
    let world = World::start(|_| {}, twilio_template(REJECTED_CONTENT_SID)).await;
    let booked = world
        .book(Channel::Voice, day_after_tomorrow_at(10, 0))
        .await;
    let done = world.pump(OffsetDateTime::now_utc()).await;
    assert!(
        done.iter().all(|d| *d == Disposition::Done),
        "a refusal is not retried: {done:?}"
    );
    let store = world.app().store();
    let appointment = store.appointment(&booked.id).await.unwrap().unwrap();
    assert_eq!(appointment.status, AppointmentStatus::Booked);
    let confirmation = store
        .follow_ups(&booked.id)
        .await
        .unwrap()
        .confirmation
        .unwrap();
    assert_eq!(confirmation.state, FollowUpState::Failed);
    assert_eq!(confirmation.error_code.as_deref(), Some("63016"));
    let message = store
        .message(confirmation.message_id.as_ref().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(message.status, Some(MessageStatus::Failed));
    assert_eq!(message.error_code.as_deref(), Some("63016"));
}

#[tokio::test]
async fn an_expired_meta_template_and_a_refused_sms_are_recorded_failed() {
    let world = World::start(
        |_| {},
        |business| {
            business.whatsapp_provider = Provider::Meta;
            business.confirmation_template =
                Some(ConfirmationTemplate::meta(EXPIRED_TEMPLATE, "he").unwrap());
        },
    )
    .await;
    let expired = world
        .book(Channel::Voice, day_after_tomorrow_at(10, 0))
        .await;
    world.pump(OffsetDateTime::now_utc()).await;
    let store = world.app().store();
    let failed = store
        .follow_ups(&expired.id)
        .await
        .unwrap()
        .confirmation
        .unwrap();
    assert_eq!(
        (failed.state, failed.error_code.as_deref()),
        (FollowUpState::Failed, Some("131047"))
    );

    let sms = World::start(|_| {}, |_| {}).await;
    let refused = sms
        .book_for(Channel::Voice, day_after_tomorrow_at(10, 0), REFUSED_NUMBER)
        .await;
    sms.pump(OffsetDateTime::now_utc()).await;
    let failed = sms
        .app()
        .store()
        .follow_ups(&refused.id)
        .await
        .unwrap()
        .confirmation
        .unwrap();
    assert_eq!(failed.channel, ConfirmationChannel::Sms);
    assert_eq!(
        (failed.state, failed.error_code.as_deref()),
        (FollowUpState::Failed, Some("21610"))
    );
    assert!(failed.error.unwrap().contains("unsubscribed"));
}

#[tokio::test]
async fn twilio_down_is_retried_and_the_confirmation_goes_out_once() {
    let world = World::start(|_| {}, |_| {}).await;
    world.providers.twilio_down.lock().unwrap().push_back(500);
    let booked = world
        .book(Channel::Voice, day_after_tomorrow_at(10, 0))
        .await;
    let mut now = OffsetDateTime::now_utc();
    let first = world.pump(now).await;
    assert!(
        first.iter().any(|d| matches!(d, Disposition::Retry { .. })),
        "{first:?}"
    );
    let store = world.app().store();
    let retrying = store
        .follow_ups(&booked.id)
        .await
        .unwrap()
        .confirmation
        .unwrap();
    assert_eq!(
        (retrying.state, retrying.attempts),
        (FollowUpState::Retrying, 1)
    );
    now += LATER;
    assert_eq!(world.pump(now).await, [Disposition::Done]);
    let sent = store
        .follow_ups(&booked.id)
        .await
        .unwrap()
        .confirmation
        .unwrap();
    assert_eq!((sent.state, sent.attempts), (FollowUpState::Done, 2));
    assert_eq!(
        world.providers.twilio_sent().len(),
        2,
        "one refused, one accepted"
    );
}
