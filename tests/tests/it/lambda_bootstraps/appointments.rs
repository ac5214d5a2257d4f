//! The appointments API's functions, on their sample events, for a business with booking
//! settings that holds the samples' API key: availability, then a booking made at a slot it
//! offered, listed, replayed, moved and cancelled, each change's event on the notify queue.

use base64::Engine;
use frontdesk::config::AwsResources;
use frontdesk::domain::booking::settings::BookingSettings;
use frontdesk::domain::{ApiKey, Business, BusinessId};
use frontdesk::lambda::aws::AwsClients;
use frontdesk::Route;
use frontdesk_testkit::{aws, fixtures};
use serde_json::{json, Value};

use super::function::Function;
use super::{header, resources, status};

/// The key every `/api/*` sample event carries (events/README.md).
const SAMPLE_API_KEY: &str = "fdk_SAMPLEsampleSAMPLEsampleSAMPLEsampleSAMPLEs";
const ORIGIN: &str = "https://crm.example.com";

/// A clinic open every day, 08:00–20:00 in Jerusalem, offering `checkup`, holding the samples'
/// API key: whenever the test runs, the next seven days have free slots.
async fn seed_clinic(resources: &AwsResources) {
    let app = aws::app(&[], resources).await;
    let mut clinic = Business::new(BusinessId::parse("clinic").unwrap(), "Clinic");
    let day = r#"[["08:00","20:00"]]"#;
    clinic.booking = Some(
        BookingSettings::parse_json(&format!(
            r#"{{"timezone": "Asia/Jerusalem",
                "hours": {{"sun": {day}, "mon": {day}, "tue": {day}, "wed": {day}, "thu": {day},
                          "fri": {day}, "sat": {day}}},
                "services": [{{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup",
                              "duration_minutes": 30, "buffer_after_minutes": 10}}],
                "slot_step_minutes": 15, "min_notice_minutes": 60, "max_days_ahead": 366}}"#
        ))
        .unwrap(),
    );
    app.store().put_business(&clinic).await.unwrap();
    let key = ApiKey::parse(SAMPLE_API_KEY).unwrap();
    app.store()
        .put_api_key(&clinic.id, &key.hash(), time::OffsetDateTime::now_utc())
        .await
        .unwrap();
}

/// The sample event `file` sent to `path` (when given) with a JSON `body` and `headers` set.
fn event(file: &str, path: Option<&str>, body: Option<Value>, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(&fixtures::event(file)).unwrap();
    if let Some(path) = path {
        let method = event["requestContext"]["http"]["method"].clone();
        let route_key = format!("{} {path}", method.as_str().unwrap());
        event["rawPath"] = path.into();
        event["requestContext"]["http"]["path"] = path.into();
        event["routeKey"] = route_key.clone().into();
        event["requestContext"]["routeKey"] = route_key.into();
    }
    if let Some(body) = body {
        let encoded = base64::engine::general_purpose::STANDARD.encode(body.to_string());
        event["body"] = encoded.into();
        event["isBase64Encoded"] = true.into();
    }
    for (name, value) in headers {
        event["headers"][*name] = (*value).into();
    }
    serde_json::to_vec(&event).unwrap()
}

fn json_body(response: &Value) -> Value {
    serde_json::from_slice(&super::body(response)).unwrap_or_else(|e| panic!("{response}: {e}"))
}

/// The `event` of every job on the notify queue (received once, then hidden).
async fn notify_events(resources: &AwsResources, clients: &AwsClients) -> Vec<String> {
    let mut events = Vec::new();
    loop {
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
        let batch = received.messages.unwrap_or_default();
        if batch.is_empty() {
            return events;
        }
        for message in batch {
            let job: Value = serde_json::from_str(message.body().unwrap()).unwrap();
            events.push(job["event"].as_str().unwrap_or_default().to_string());
        }
    }
}

#[tokio::test]
async fn the_appointments_functions_book_list_move_and_cancel() {
    let (resources, clients) = resources(false).await;
    seed_clinic(&resources).await;
    let cors = [("FRONTDESK_ALLOWED_ORIGINS", ORIGIN)];

    let mut availability = Function::start("api-availability", &resources, &cors).await;
    let response = availability.invoke("api-availability.json").await;
    assert_eq!(status(&response), 200, "{response}");
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some(ORIGIN)
    );
    let slots = json_body(&response)["slots"].as_array().unwrap().clone();
    assert!(slots.len() > 10, "{slots:?}");
    let (first, later) = (&slots[0]["start"], &slots[8]["start"]);

    let mut appointments = Function::start("api-appointments", &resources, &cors).await;
    // The sample as it is: its fixed date books, or (once it has passed) is refused with 422.
    let sample = appointments.invoke("api-appointments.json").await;
    assert!(matches!(status(&sample), 201 | 422), "{sample}");
    let booking = json!({"service": "checkup", "start": first, "phone": "+972501234567"});
    let post = event(
        "api-appointments.json",
        None,
        Some(booking),
        &[("idempotency-key", "bootstrap-1")],
    );
    let booked = appointments.invoke_bytes("a booking", post.clone()).await;
    assert_eq!(status(&booked), 201, "{booked}");
    let appointment = json_body(&booked);
    assert_eq!(appointment["start"], *first);
    assert_eq!(appointment["channel"], "api");
    let id = appointment["id"].as_str().unwrap().to_string();
    let replayed = appointments.invoke_bytes("the booking again", post).await;
    assert_eq!(status(&replayed), 201, "{replayed}");
    assert_eq!(header(&replayed, "idempotent-replayed"), Some("true"));
    assert_eq!(json_body(&replayed)["id"], id.as_str());
    let listed = appointments.invoke("api-appointments-list.json").await;
    assert_eq!(status(&listed), 200, "{listed}");
    let listed = json_body(&listed)["appointments"]
        .as_array()
        .unwrap()
        .clone();
    assert!(listed.iter().any(|a| a["id"] == id.as_str()), "{listed:?}");

    let mut reschedule = Function::start("api-appointment-reschedule", &resources, &cors).await;
    let unknown = reschedule.invoke("api-appointment-reschedule.json").await;
    assert_eq!(status(&unknown), 404, "{unknown}");
    let path = Route::ApiAppointmentReschedule.path_with(&[("id", &id)]);
    let moved = reschedule
        .invoke_bytes(
            "a reschedule",
            event(
                "api-appointment-reschedule.json",
                Some(&path),
                Some(json!({ "start": later })),
                &[],
            ),
        )
        .await;
    assert_eq!(status(&moved), 200, "{moved}");
    assert_eq!(json_body(&moved)["start"], *later);
    assert_eq!(json_body(&moved)["version"], 2);

    let mut cancel = Function::start("api-appointment-cancel", &resources, &cors).await;
    let unknown = cancel.invoke("api-appointment-cancel.json").await;
    assert_eq!(status(&unknown), 404, "{unknown}");
    let path = Route::ApiAppointmentCancel.path_with(&[("id", &id)]);
    let cancelled = cancel
        .invoke_bytes(
            "a cancellation",
            event("api-appointment-cancel.json", Some(&path), None, &[]),
        )
        .await;
    assert_eq!(status(&cancelled), 200, "{cancelled}");
    assert_eq!(json_body(&cancelled)["status"], "cancelled");

    let events = notify_events(&resources, &clients).await;
    for expected in [
        "appointment.booked",
        "appointment.rescheduled",
        "appointment.cancelled",
    ] {
        assert!(
            events.iter().any(|e| e == expected),
            "{expected}: {events:?}"
        );
    }
    // Logs are JSON lines on Lambda.
    assert!(!appointments.json_log().is_empty());
}

#[tokio::test]
async fn availability_without_the_key_stored_is_a_json_401() {
    let (resources, _) = resources(false).await;
    let mut function = Function::start("api-availability", &resources, &[]).await;
    let response = function.invoke("api-availability.json").await;
    assert_eq!(status(&response), 401, "{response}");
    assert_eq!(header(&response, "content-type"), Some("application/json"));
}
