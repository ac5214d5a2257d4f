//! The `voice-booking` function on its sample event (the caller saying "מחר בשלוש" on the
//! booking menu's first turn) and on the turn after it, re-signed as Twilio signs its next
//! callback: for a clinic on the samples' number that books by phone, the offer, then 1,
//! booked in the table and queued on the notify queue, Twilio's retry answered the same; for
//! the seed's demo clinic, which does not book by phone, its voicemail.

use base64::Engine;
use frontdesk::config::AwsResources;
use frontdesk::domain::booking::settings::BookingSettings;
use frontdesk::domain::{Business, BusinessId, CallGoal, Channel, PhoneNumber};
use frontdesk::http::{form, FormParams};
use frontdesk::lambda::aws::AwsClients;
use frontdesk::twilio::signature;
use frontdesk_testkit::{aws, fixtures};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::Value;

use super::function::Function;
use super::{body_text, header, resources, status};

const HOST: &str = "https://abc123.execute-api.eu-west-1.amazonaws.com";
const SAMPLE_NUMBER: &str = "+97233334444";
const SAMPLE_CALLER: &str = "+972501234567";

/// A clinic on the samples' number, open every day 08:00–20:00 in Jerusalem, that books by
/// phone: whenever the test runs, tomorrow at 15:00 is free.
async fn seed_phone_clinic(resources: &AwsResources) {
    let app = aws::app(&[], resources).await;
    let mut clinic = Business::new(BusinessId::parse("clinic").unwrap(), "Clinic");
    clinic.phone_numbers = vec![PhoneNumber::parse(SAMPLE_NUMBER).unwrap()];
    clinic.call_goal = CallGoal::Appointment;
    clinic.enable_calendar_scheduling = true;
    let day = r#"[["08:00","20:00"]]"#;
    clinic.booking = Some(
        BookingSettings::parse_json(&format!(
            r#"{{"timezone": "Asia/Jerusalem",
                "hours": {{"sun": {day}, "mon": {day}, "tue": {day}, "wed": {day}, "thu": {day},
                          "fri": {day}, "sat": {day}}},
                "services": [{{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup",
                              "duration_minutes": 30}}],
                "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 30}}"#
        ))
        .unwrap(),
    );
    app.store().put_business(&clinic).await.unwrap();
}

/// The sample event as Twilio's callback of `step` with `heard` instead of the speech,
/// signed with the sample token for its URL.
fn turn(step: u32, heard: &[(&str, &str)]) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(&fixtures::event("voice-booking.json")).unwrap();
    let body = base64::engine::general_purpose::STANDARD
        .decode(event["body"].as_str().unwrap())
        .unwrap();
    let mut params: Vec<(String, String)> = form::parse(&body)
        .unwrap()
        .pairs()
        .iter()
        .filter(|(k, _)| k != "SpeechResult" && k != "Confidence")
        .cloned()
        .collect();
    params.extend(heard.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let query = format!("step={step}");
    let url = format!("{HOST}/webhook/voice_booking?{query}");
    event["rawQueryString"] = query.into();
    event["queryStringParameters"] = serde_json::json!({ "step": step.to_string() });
    event["headers"]["x-twilio-signature"] =
        signature::compute(fixtures::SAMPLE_AUTH_TOKEN, &url, &params).into();
    let encoded = FormParams::from_pairs(params).encode();
    event["body"] = base64::engine::general_purpose::STANDARD
        .encode(encoded)
        .into();
    serde_json::to_vec(&event).unwrap()
}

/// The `event` of every job on the notify queue (received once, then hidden).
async fn notify_events(resources: &AwsResources, clients: &AwsClients) -> Vec<Value> {
    let received = clients
        .sqs
        .receive_message()
        .queue_url(&resources.notify_queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(0)
        .visibility_timeout(300)
        .send()
        .await
        .unwrap();
    received
        .messages
        .unwrap_or_default()
        .iter()
        .map(|m| serde_json::from_str(m.body().unwrap()).unwrap())
        .collect()
}

#[tokio::test]
async fn voice_booking_offers_the_samples_time_and_books_it_once_on_the_next_turn() {
    let (resources, clients) = resources(false).await;
    seed_phone_clinic(&resources).await;
    let mut function = Function::start("voice-booking", &resources, &[]).await;

    let offer = function.invoke("voice-booking.json").await;
    assert_eq!(status(&offer), 200, "{offer}");
    assert!(
        header(&offer, "content-type").is_some_and(|t| t.starts_with("text/xml")),
        "{offer}"
    );
    let offer = body_text(&offer);
    assert!(offer.contains("יש תור פנוי מחר"), "{offer}");
    assert!(
        offer.contains(&format!("action=\"{HOST}/webhook/voice_booking?step=2\"")),
        "{offer}"
    );

    let confirm = turn(2, &[("Digits", "1")]);
    let booked = function.invoke_bytes("step 2, 1", confirm.clone()).await;
    assert_eq!(status(&booked), 200, "{booked}");
    let booked = body_text(&booked);
    assert!(booked.contains("התור נקבע: בדיקה, מחר"), "{booked}");
    assert!(booked.ends_with("<Hangup/></Response>"), "{booked}");
    let again = function.invoke_bytes("step 2 again", confirm).await;
    assert_eq!(
        body_text(&again),
        booked,
        "Twilio's retry gets the same answer"
    );

    let app = aws::app(&[], &resources).await;
    let appointments = app
        .store()
        .customer_appointments(
            &BusinessId::parse("clinic").unwrap(),
            &PhoneNumber::parse(SAMPLE_CALLER).unwrap(),
            Timestamp::now(),
        )
        .await
        .unwrap();
    assert_eq!(appointments.len(), 1, "{appointments:?}");
    let zone = TimeZone::get("Asia/Jerusalem").unwrap();
    let local = zone.to_datetime(appointments[0].slot.start);
    let tomorrow = Timestamp::now().to_zoned(zone).date().tomorrow().unwrap();
    assert_eq!(
        (local.date(), local.hour(), local.minute()),
        (tomorrow, 15, 0)
    );
    assert_eq!(appointments[0].channel, Channel::Voice);
    assert_eq!(
        appointments[0].source,
        "voice:CA0123456789abcdef0123456789abcdef:2"
    );
    let events = notify_events(&resources, &clients).await;
    let names: Vec<&str> = events.iter().filter_map(|e| e["event"].as_str()).collect();
    assert_eq!(names, ["appointment.booked"], "{events:?}");
}

#[tokio::test]
async fn voice_booking_answers_a_business_that_does_not_book_by_phone_with_its_voicemail() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start("voice-booking", &resources, &[]).await;
    let response = function.invoke("voice-booking.json").await;
    assert_eq!(status(&response), 200, "{response}");
    let twiml = body_text(&response);
    assert!(
        twiml.contains(&format!(
            "<Record action=\"{HOST}/webhook/handle_recording\""
        )),
        "{twiml}"
    );
    assert!(!twiml.contains("<Gather"), "{twiml}");
}
