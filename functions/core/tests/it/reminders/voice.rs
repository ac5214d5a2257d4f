//! A voice reminder: at its due time the job places a call through Twilio's Calls API (the
//! stand-in checks what it gets), once; Twilio then asks what the callee hears and gets the
//! appointment in words inside a `<Gather>`; the callee's 2 cancels the appointment through the
//! booking engine (the slot freed, `appointment.cancelled` queued), 1 confirms it, another key
//! hears the reminder again.

use bytes::Bytes;
use frontdesk::config::PublicBaseUrl;
use frontdesk::domain::{
    ApiKey, AppointmentStatus, Channel, ConfirmationChannel, ReminderAnswer, ReminderState,
};
use frontdesk::http::{FormParams, InboundRequest};
use frontdesk::queue::Disposition;
use frontdesk::Route;
use frontdesk_testkit::follow_ups::{day_after_tomorrow_at, CUSTOMER};
use frontdesk_testkit::signing::sign_form;
use frontdesk_testkit::TEST_TOKEN;
use http::{HeaderMap, HeaderValue, Method};
use time::OffsetDateTime;

use super::{reminders, tick, world_configured, World};

const PUBLIC: &str = "https://voice.acme.example";
const BY_CALL: &str = r#"{"offsets_minutes": [1440], "channel": "voice",
    "window": {"from": "09:00", "to": "20:00"}}"#;

async fn voice_world() -> World {
    world_configured(
        |config| config.public_base_url = Some(PublicBaseUrl::parse(PUBLIC).unwrap()),
        BY_CALL,
        |_| {},
    )
    .await
}

/// The Calls API requests Twilio's stand-in received, as forms.
fn calls(world: &World) -> Vec<std::collections::BTreeMap<String, String>> {
    world
        .providers
        .twilio_sent()
        .iter()
        .filter(|r| r.path.ends_with("/Calls.json"))
        .map(|r| r.form())
        .collect()
}

/// Twilio's signed request to `url` (the placement's `Url`, or a `<Gather>` action).
async fn twilio_asks(world: &World, url: &str, call_sid: &str, extra: &[(&str, &str)]) -> String {
    let path = url.strip_prefix(PUBLIC).expect("a URL of this deployment");
    let mut pairs = vec![
        ("CallSid".to_string(), call_sid.to_string()),
        ("AccountSid".to_string(), "AC123".to_string()),
        (
            "From".to_string(),
            world.business.phone_numbers[0].to_string(),
        ),
        ("To".to_string(), CUSTOMER.to_string()),
        ("CallStatus".to_string(), "in-progress".to_string()),
        ("Direction".to_string(), "outbound-api".to_string()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let form = FormParams::from_pairs(pairs);
    let signature = sign_form(TEST_TOKEN, url, &form);
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("voice.acme.example"));
    headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    headers.insert("x-twilio-signature", signature.parse().unwrap());
    let request = InboundRequest::local(
        Method::POST,
        path,
        headers,
        Bytes::from(form.encode()),
        format!("test-{call_sid}"),
    );
    let response = frontdesk::routes::dispatch(world.app(), request).await;
    assert_eq!(response.status(), 200);
    String::from_utf8(response.body().to_vec()).unwrap()
}

/// The `action` of the answer's `<Gather>`, unescaped.
fn action(twiml: &str) -> String {
    let start = twiml.find("action=\"").expect("a <Gather> action") + "action=\"".len();
    let end = start + twiml[start..].find('"').unwrap();
    twiml[start..end].replace("&amp;", "&")
}

#[tokio::test]
async fn a_voice_reminder_calls_once_says_the_appointment_and_a_2_cancels_it_and_frees_the_slot() {
    let world = voice_world().await;
    let start = day_after_tomorrow_at(10, 0);
    let booked = world.book(Channel::Api, start).await;
    let due = reminders(&world, &booked).await[0].due;
    assert_eq!(tick(&world, due).await.queued, 1);
    world.pump(OffsetDateTime::now_utc()).await;

    let placed = calls(&world);
    assert_eq!(placed.len(), 1, "one call placed");
    let call = &placed[0];
    assert_eq!(call["To"], CUSTOMER);
    assert_eq!(call["From"], world.business.phone_numbers[0].to_string());
    assert_eq!(call["MachineDetection"], "DetectMessageEnd");
    assert_eq!(
        call["StatusCallback"],
        format!("{PUBLIC}{}", Route::CallStatus.path())
    );
    let url = call["Url"].clone();
    assert!(
        url.starts_with(&format!(
            "{PUBLIC}{}?placement=",
            Route::OutboundCall.path()
        )),
        "{url}"
    );
    let reminder = reminders(&world, &booked).await.remove(0);
    assert_eq!(reminder.state, ReminderState::Sent);
    assert_eq!(
        reminder.outcome.as_ref().unwrap().channel,
        ConfirmationChannel::Voice
    );
    let call_sid = reminder
        .call_sid
        .clone()
        .expect("the call's sid")
        .to_string();

    // A redelivered job places no second call.
    assert_eq!(
        world.process(&world.job("reminder"), 2).await,
        Disposition::Done
    );
    assert_eq!(calls(&world).len(), 1, "not called twice");

    // Twilio connects the call and asks what the callee hears.
    let heard = twilio_asks(&world, &url, &call_sid, &[("AnsweredBy", "human")]).await;
    assert!(heard.contains("<Gather input=\"dtmf\""), "{heard}");
    assert!(
        heard.contains("שלום, כאן Acme Dental. תזכורת לתור לבדיקה מחרתיים"),
        "{heard}"
    );
    assert!(heard.contains("בעשר בבוקר"), "in words: {heard}");
    assert!(!heard.contains("10:00"), "never digits: {heard}");
    assert!(heard.contains("לאישור הקישו 1, לביטול הקישו 2."), "{heard}");
    let gather = action(&heard);

    // A key that is no answer hears the reminder again; 2 cancels.
    let again = twilio_asks(&world, &gather, &call_sid, &[("Digits", "7")]).await;
    assert_eq!(again, heard);
    let cancelled = twilio_asks(&world, &gather, &call_sid, &[("Digits", "2")]).await;
    assert!(cancelled.contains("בוטל"), "{cancelled}");
    assert!(cancelled.ends_with("<Hangup/></Response>"), "{cancelled}");

    let stored = world
        .app()
        .store()
        .appointment(&booked.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, AppointmentStatus::Cancelled);
    assert!(
        super::answers::slot_is_free(&world, start).await,
        "the slot is free again"
    );
    assert!(
        world
            .queued()
            .contains(&"appointment.cancelled".to_string()),
        "{:?}",
        world.queued()
    );
}

#[tokio::test]
async fn a_voice_reminder_answered_with_1_is_confirmed_and_the_appointment_stands() {
    let world = voice_world().await;
    let booked = world.book(Channel::Api, day_after_tomorrow_at(11, 0)).await;
    let due = reminders(&world, &booked).await[0].due;
    tick(&world, due).await;
    world.pump(OffsetDateTime::now_utc()).await;
    let url = calls(&world)[0]["Url"].clone();
    let call_sid = reminders(&world, &booked).await[0]
        .call_sid
        .clone()
        .unwrap()
        .to_string();
    let heard = twilio_asks(&world, &url, &call_sid, &[]).await;
    let confirmed = twilio_asks(&world, &action(&heard), &call_sid, &[("Digits", "1")]).await;
    assert!(confirmed.contains("מאושר"), "{confirmed}");
    let stored = world
        .app()
        .store()
        .appointment(&booked.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, AppointmentStatus::Booked);
    let reminder = reminders(&world, &booked).await.remove(0);
    assert_eq!(reminder.answer, Some(ReminderAnswer::Confirmed));
}

/// `POST /api/calls` with the business's API key and `body`: the status and the JSON answer.
async fn api_call(world: &World, body: serde_json::Value) -> (u16, serde_json::Value) {
    let key = ApiKey::generate().unwrap();
    world
        .app()
        .store()
        .put_api_key(&world.business.id, &key.hash(), OffsetDateTime::now_utc())
        .await
        .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("voice.acme.example"));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert(
        "authorization",
        format!("Bearer {}", key.reveal()).parse().unwrap(),
    );
    headers.insert(
        "idempotency-key",
        HeaderValue::from_static("crm-reminder-1"),
    );
    let request = InboundRequest::local(
        Method::POST,
        Route::ApiCalls.path(),
        headers,
        Bytes::from(body.to_string()),
        "test-api-call".into(),
    );
    let response = frontdesk::routes::dispatch(world.app(), request).await;
    let status = response.status().as_u16();
    (status, serde_json::from_slice(response.body()).unwrap())
}

#[tokio::test]
async fn a_crm_places_an_appointments_reminder_call_and_the_callees_2_cancels_it() {
    let world = voice_world().await;
    let start = day_after_tomorrow_at(12, 0);
    let booked = world.book(Channel::Api, start).await;

    let (status, refused) = api_call(
        &world,
        serde_json::json!({"to": "+972509876543", "appointment_id": booked.id.as_str()}),
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["error"]
        .as_str()
        .unwrap()
        .contains("not the appointment's customer"));

    let (status, placed) = api_call(
        &world,
        serde_json::json!({"to": CUSTOMER, "appointment_id": booked.id.as_str()}),
    )
    .await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["purpose"], "reminder");
    assert_eq!(placed["hears"], "reminder");
    let call = calls(&world).remove(0);
    assert_eq!(call["MachineDetection"], "DetectMessageEnd");
    let call_sid = placed["call_sid"].as_str().unwrap().to_string();

    let heard = twilio_asks(&world, &call["Url"], &call_sid, &[]).await;
    assert!(heard.contains("תזכורת לתור לבדיקה מחרתיים"), "{heard}");
    assert!(heard.contains("בשתים עשרה בצהריים"), "{heard}");
    let cancelled = twilio_asks(&world, &action(&heard), &call_sid, &[("Digits", "2")]).await;
    assert!(cancelled.contains("בוטל"), "{cancelled}");
    let stored = world
        .app()
        .store()
        .appointment(&booked.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, AppointmentStatus::Cancelled);
    assert!(super::answers::slot_is_free(&world, start).await);
}
