//! Outbound calls placed from the CRM, end to end: `POST /api/calls` on `frontdesk serve`
//! places the call at Twilio's Calls API stand-in (which checks Basic auth, every parameter
//! name and the callback URLs); the test then plays Twilio — what the callee hears, the signed
//! status callbacks (in order, out of order, all but `completed` lost), the recording callback
//! — the transcription stand-in answers, and the business's outbound webhook receives
//! `call.completed` with the direction, the phone number and the transcript. The same cases
//! run on the embedded default (`outbound_embedded`) and on moto through the consumers' Lambda
//! adapter (`outbound_aws`).

pub mod world;

pub use world::{World, BUSINESS_NUMBER, CUSTOMER, OWNER};

use frontdesk::Route;
use frontdesk_testkit::standins::scripted::{verify_with_python, TRANSCRIPT};
use frontdesk_testkit::workers::WEBHOOK_SECRET;
use serde_json::{json, Value};

/// The cases every backend runs; `$make` is an async fn giving a fresh [`World`].
#[macro_export]
macro_rules! outbound_tests {
    ($make:path) => {
        $crate::outbound_tests!(@each $make;
            a_call_placed_from_the_api_reaches_the_outbound_webhook_with_its_transcript,
            callbacks_out_of_order_end_in_the_same_completed_call,
            a_call_whose_callbacks_were_lost_but_completed_still_completes,
            a_retried_idempotency_key_places_one_call,
            a_machine_answering_a_reminder_is_kept_on_the_call
        );
    };
    (@each $make:path; $($case:ident),+) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                $crate::outbound::$case($make().await).await;
            }
        )+
    };
}

pub(crate) fn say(text: &str) -> Value {
    json!({ "to": CUSTOMER, "purpose": "callback", "say": text })
}

pub async fn a_call_placed_from_the_api_reaches_the_outbound_webhook_with_its_transcript(
    world: World,
) {
    let (status, placed) = world.place(&say("We called you back"), Some("crm-1")).await;
    assert_eq!(status, 201, "{placed}");
    assert_eq!(placed["direction"], "outbound-api");
    assert_eq!(
        (placed["to"].as_str(), placed["from"].as_str()),
        (Some(CUSTOMER), Some(BUSINESS_NUMBER))
    );
    assert_eq!(placed["status"], "queued");
    assert!(placed["requested_by"]
        .as_str()
        .unwrap()
        .starts_with("api-key:"));
    let sid = placed["call_sid"].as_str().unwrap().to_string();

    // In the list at once, before any callback.
    let listed = world.calls().await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["call_sid"], sid.as_str());
    assert_eq!(listed[0]["status"], "queued");
    assert_eq!(listed[0]["purpose"], "callback");
    assert!(listed[0]["started_at"].is_string());

    // What Twilio was asked, every parameter checked by the stand-in.
    let created = world.twilio.created_calls();
    assert_eq!(created.len(), 1);
    let call = &created[0];
    assert_eq!(call.sid.as_deref(), Some(sid.as_str()));
    assert_eq!(call.field("To"), Some(CUSTOMER));
    assert_eq!(call.field("From"), Some(BUSINESS_NUMBER));
    assert_eq!(
        call.field("StatusCallback"),
        Some(world.server.url(Route::CallStatus.path()).as_str())
    );
    assert_eq!(
        call.values("StatusCallbackEvent"),
        ["initiated", "ringing", "answered", "completed"]
    );
    assert_eq!(call.field("Record"), Some("true"));
    assert_eq!(
        call.field("RecordingStatusCallback"),
        Some(world.server.url(Route::RecordingStatus.path()).as_str())
    );
    assert_eq!(call.field("Timeout"), Some("30"));
    assert_eq!(
        call.field("MachineDetection"),
        None,
        "a callback needs no AMD"
    );
    let url = call.field("Url").unwrap();
    assert!(
        url.starts_with(&world.server.url("/webhook/outbound_call?placement=")),
        "{url}"
    );

    let twiml = world.answer(url, &sid, "human").await;
    assert!(
        twiml.contains("<Say language=\"he-IL\">We called you back</Say><Hangup/>"),
        "{twiml}"
    );
    for (sequence, status) in ["initiated", "ringing", "in-progress", "completed"]
        .iter()
        .enumerate()
    {
        world.status(&sid, status, sequence as u32, None).await;
    }
    world.recorded(&sid).await;
    world.run_consumers().await;

    let event = world.one_event().await;
    assert_eq!(event["type"], "call.completed");
    assert_eq!(event["data"]["call_sid"], sid.as_str());
    assert_eq!(event["data"]["business_id"], world.business.id.as_str());
    assert_eq!(event["data"]["direction"], "outbound-api");
    assert_eq!(event["data"]["to"], CUSTOMER);
    assert_eq!(event["data"]["transcript"]["text"], TRANSCRIPT);
    assert_eq!(
        world.transcription.hits(),
        1,
        "the recording transcribed once"
    );
    let stored = world.call(&sid).await;
    assert_eq!(stored["status"], "completed");
    assert_eq!(stored["transcription"], "ready");
}

pub async fn callbacks_out_of_order_end_in_the_same_completed_call(world: World) {
    let (status, placed) = world.place(&say("Hello"), None).await;
    assert_eq!(status, 201, "{placed}");
    let sid = placed["call_sid"].as_str().unwrap().to_string();
    world.status(&sid, "completed", 3, None).await;
    world.status(&sid, "ringing", 1, None).await;
    world.status(&sid, "in-progress", 2, None).await;
    world.status(&sid, "initiated", 0, None).await;
    world.recorded(&sid).await;
    world.run_consumers().await;
    let stored = world.call(&sid).await;
    assert_eq!(stored["status"], "completed", "{stored}");
    assert_eq!(stored["duration_seconds"], 20);
    assert_eq!(stored["to"], CUSTOMER);
    let event = world.one_event().await;
    assert_eq!(event["data"]["direction"], "outbound-api");
    assert_eq!(event["data"]["transcript"]["text"], TRANSCRIPT);
}

pub async fn a_call_whose_callbacks_were_lost_but_completed_still_completes(world: World) {
    let (status, placed) = world.place(&say("Hello"), None).await;
    assert_eq!(status, 201, "{placed}");
    let sid = placed["call_sid"].as_str().unwrap().to_string();
    world.status(&sid, "completed", 3, None).await;
    world.recorded(&sid).await;
    world.run_consumers().await;
    let stored = world.call(&sid).await;
    assert_eq!(stored["status"], "completed");
    assert_eq!(stored["direction"], "outbound-api");
    assert_eq!(stored["purpose"], "callback");
    let event = world.one_event().await;
    assert_eq!(event["data"]["to"], CUSTOMER);
    assert_eq!(event["data"]["transcript"]["text"], TRANSCRIPT);
}

pub async fn a_retried_idempotency_key_places_one_call(world: World) {
    let body = say("Hello");
    let (first_status, first) = world.place(&body, Some("crm-retry")).await;
    let (second_status, second) = world.place(&body, Some("crm-retry")).await;
    assert_eq!((first_status, second_status), (201, 201));
    assert_eq!(first, second, "the same answer");
    assert_eq!(world.twilio.calls().len(), 1, "one placement at Twilio");
    assert_eq!(world.calls().await.len(), 1);
    let (reused, answer) = world.place(&say("Something else"), Some("crm-retry")).await;
    assert_eq!(reused, 422, "{answer}");
    assert_eq!(world.twilio.calls().len(), 1);
}

pub async fn a_machine_answering_a_reminder_is_kept_on_the_call(world: World) {
    let body = json!({ "to": CUSTOMER, "purpose": "reminder", "say": "Your appointment is tomorrow at ten" });
    let (status, placed) = world.place(&body, None).await;
    assert_eq!(status, 201, "{placed}");
    let sid = placed["call_sid"].as_str().unwrap().to_string();
    let created = world.twilio.created_calls();
    assert_eq!(
        created[0].field("MachineDetection"),
        Some("DetectMessageEnd")
    );
    let twiml = world
        .answer(created[0].field("Url").unwrap(), &sid, "machine_end_beep")
        .await;
    assert!(
        twiml.contains("Your appointment is tomorrow at ten"),
        "left after the beep: {twiml}"
    );
    world
        .status(&sid, "in-progress", 2, Some("machine_end_beep"))
        .await;
    world
        .status(&sid, "completed", 3, Some("machine_end_beep"))
        .await;
    let stored = world.call(&sid).await;
    assert_eq!(stored["answered_by"], "machine_end_beep");
    assert_eq!(stored["purpose"], "reminder");
    assert_eq!(stored["status"], "completed");
}

/// The business's receiver got exactly one delivery; it is signed, and this is its body.
async fn one_event(receiver: &frontdesk_testkit::standins::scripted::StandIn) -> Value {
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1, "one delivery");
    verify_with_python(WEBHOOK_SECRET, &requests[0]).unwrap();
    serde_json::from_slice(&requests[0].body).unwrap()
}
