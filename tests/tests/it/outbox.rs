//! The booking outbox on `frontdesk serve` over HTTP: the business's Google Calendar hides its
//! busy times from WhatsApp and the appointments API alike; serve's own notify consumer takes a
//! phone booking's follow-ups to the calendar stand-in and Twilio's Messages API; the API's
//! listing shows what they did, including a template Twilio rejects afterwards by status
//! callback (error 63016).

use std::sync::Arc;

use frontdesk::blob::folder::FolderBlobs;
use frontdesk::booking::{self, Outcome};
use frontdesk::config::Secret;
use frontdesk::domain::{ApiKey, Channel, ConfirmationTemplate, GoogleCalendar, Provider};
use frontdesk::worker::{Consumer, Worker};
use frontdesk::Route;
use frontdesk_cli::consumers::drain_once;
use frontdesk_testkit::follow_ups::{self as outbox, CONTENT_SID};
use frontdesk_testkit::standins::google::{GoogleStandIn, CLIENT_EMAIL};
use frontdesk_testkit::{JobProbe, TestServer};
use jiff::Timestamp;
use serde_json::Value;

use crate::whatsapp_booking::{
    message_sid, stand_ins, tomorrow_at, twilio_says, vars, World, CUSTOMER, EMPTY,
};

const CALENDAR_ID: &str = "clinic-2@group.calendar.google.com";

/// The WhatsApp booking world of `whatsapp_booking`, its business's calendar connected to a
/// Google stand-in that shares it.
async fn world_with_calendar() -> (World, GoogleStandIn) {
    let google = GoogleStandIn::start().await;
    let (twilio, meta) = stand_ins().await;
    let calendar_base = google.calendar_base_url();
    let mut all = vars(&twilio, &meta);
    all.push(("GOOGLE_CALENDAR_BASE_URL", &calendar_base));
    let server = TestServer::start(&all).await;
    let mut world = World::with(server, twilio, meta, Provider::Twilio).await;
    world.business.google_calendar = Some(GoogleCalendar {
        calendar_id: CALENDAR_ID.into(),
        service_account: CLIENT_EMAIL.into(),
    });
    world.save().await;
    world
        .server
        .app
        .store()
        .put_calendar_key(&world.business.id, &Secret::new(google.key_json()).unwrap())
        .await
        .unwrap();
    google.share(CALENDAR_ID);
    (world, google)
}

async fn api_key(world: &World) -> String {
    let key = ApiKey::generate().unwrap();
    world
        .server
        .app
        .store()
        .put_api_key(
            &world.business.id,
            &key.hash(),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    key.reveal().to_string()
}

async fn get(world: &World, key: &str, path: &str) -> Value {
    let response = frontdesk_testkit::http_client()
        .get(world.server.url(path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// The customer writes `text` over Twilio; the one reply's body.
async fn whatsapp(world: &World, text: &str) -> String {
    let before = world.twilio_sent().len();
    assert_eq!(twilio_says(world, &message_sid(), text).await, EMPTY);
    let sent = world.twilio_sent();
    assert_eq!(sent.len(), before + 1, "one reply to `{text}`");
    sent[before].form()["Body"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calendars_busy_time_is_offered_neither_over_whatsapp_nor_the_api() {
    let (world, google) = world_with_calendar().await;
    google.busy(CALENDAR_ID, tomorrow_at(10, 0), tomorrow_at(11, 0));

    let taken = whatsapp(&world, "tomorrow at 10:00").await;
    assert!(taken.contains("that time is already taken"), "{taken}");
    let free = whatsapp(&world, "tomorrow at 12:00").await;
    assert!(free.contains("is free — reply 1/yes to confirm"), "{free}");

    let key = api_key(&world).await;
    let day = tomorrow_at(9, 0).to_zoned(outbox::zone()).date();
    let slots = get(
        &world,
        &key,
        &format!(
            "{}?service=checkup&from={day}&days=1",
            Route::ApiAvailability.path()
        ),
    )
    .await;
    let starts: Vec<&str> = slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap())
        .collect();
    let local = |at: Timestamp| frontdesk::api::appointments::local_time(at, &outbox::zone());
    assert!(
        starts.contains(&local(tomorrow_at(9, 30)).as_str()),
        "{starts:?}"
    );
    assert!(
        starts.contains(&local(tomorrow_at(11, 0)).as_str()),
        "{starts:?}"
    );
    for (h, m) in [(9, 45), (10, 0), (10, 30), (10, 45)] {
        assert!(
            !starts.contains(&local(tomorrow_at(h, m)).as_str()),
            "{h}:{m} offered"
        );
    }
    assert!(world.booked().await.is_empty(), "nothing booked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_consumers_sync_the_calendar_and_confirm_a_phone_booking_and_the_api_lists_both() {
    let (mut world, google) = world_with_calendar().await;
    world.business.confirmation_template = Some(ConfirmationTemplate::twilio(CONTENT_SID).unwrap());
    world.save().await;
    let JobProbe::Embedded(queue) = world.server.jobs.clone() else {
        panic!("embedded server");
    };
    let app = world.server.app.clone();
    let request = outbox::booking(Channel::Voice, tomorrow_at(14, 0));
    let Outcome::Done(booked) = booking::book(&app, &world.business, &request, Timestamp::now())
        .await
        .unwrap()
    else {
        panic!("not booked");
    };
    assert_eq!(
        world.events(),
        ["appointment.booked", "", ""],
        "the event, then two follow-ups (no `event` field)"
    );

    let blobs = tempfile::tempdir().unwrap();
    let worker = Worker::new(app.clone(), Arc::new(FolderBlobs::new(blobs.path().into()))).unwrap();
    assert_eq!(drain_once(&worker, &queue, Consumer::Notify).await, 3);
    assert_eq!(drain_once(&worker, &queue, Consumer::Notify).await, 0);

    let events = google.events(CALENDAR_ID);
    assert_eq!(events.len(), 1);
    assert!(events.contains_key(booked.id.as_str()));
    let sent = world.twilio_sent();
    let confirmation = sent.last().unwrap().form();
    assert_eq!(confirmation["ContentSid"], CONTENT_SID);
    assert_eq!(confirmation["To"], format!("whatsapp:{CUSTOMER}"));

    let key = api_key(&world).await;
    let day = tomorrow_at(9, 0).to_zoned(outbox::zone()).date();
    let path = format!("{}?from={day}&to={day}", Route::ApiAppointments.path());
    let listed = get(&world, &key, &path).await;
    let listed = &listed["appointments"][0];
    assert_eq!(listed["id"], booked.id.as_str());
    assert_eq!(listed["channel"], "voice");
    assert_eq!(listed["calendar"]["state"], "done");
    assert_eq!(listed["calendar"]["event_id"], booked.id.as_str());
    assert_eq!(listed["confirmation"]["channel"], "whatsapp_template");
    assert_eq!(listed["confirmation"]["status"], "queued");
    let message_sid = listed["confirmation"]["message_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Twilio rejects the template afterwards: its status callback reaches the confirmation.
    let callback = world
        .server
        .post_signed(
            Route::WhatsAppStatus.path(),
            &[
                ("MessageSid", message_sid.as_str()),
                ("MessageStatus", "failed"),
                ("ErrorCode", "63016"),
            ],
        )
        .await;
    assert_eq!(callback.status(), 204);
    let listed = get(&world, &key, &path).await;
    let confirmation = &listed["appointments"][0]["confirmation"];
    assert_eq!(confirmation["status"], "failed", "{confirmation}");
    assert_eq!(confirmation["error_code"], "63016");
    assert_eq!(
        listed["appointments"][0]["status"], "booked",
        "the booking stands"
    );
}
