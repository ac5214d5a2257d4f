//! The notify consumer: a receiver's failures and refusals, note 002's outbound routing, an
//! event with nowhere to go, and a call that ends without a recording.

use frontdesk::domain::{DeliveryState, Direction, Subject};
use frontdesk::jobs::{NotifyJob, Trigger};
use frontdesk::queue::Disposition;
use frontdesk::worker::Consumer;
use frontdesk_testkit::standins::scripted::Answer;
use frontdesk_testkit::workers::{Scripts, LATER};
use time::OffsetDateTime;

use super::{inbound_only, local};

#[tokio::test]
async fn a_receiver_answering_500_500_200_gets_the_event_once_after_three_logged_attempts() {
    let scripts = Scripts {
        receiver: vec![
            Answer::Status(500),
            Answer::Status(500),
            Answer::Status(200),
        ],
        ..Scripts::default()
    };
    let l = local(scripts, inbound_only).await;
    let job = l.env.recorded_call(Direction::Inbound).await;
    let mut now = OffsetDateTime::now_utc();
    l.pump(Consumer::Transcribe, now).await;
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        outcomes.extend(l.pump(Consumer::Notify, now).await);
        now += LATER;
    }
    assert_eq!(outcomes.len(), 3, "one event, retried twice: {outcomes:?}");
    assert_eq!(l.env.receiver.hits(), 3);
    let log = l
        .env
        .app()
        .store()
        .delivery(
            &Subject::Call(job.call_sid.clone()),
            &format!("evt_{}_completed", job.call_sid),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.state, DeliveryState::Delivered);
    let codes: Vec<_> = log.attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(500), Some(200)]);
    let ids: Vec<_> = l
        .env
        .receiver
        .requests()
        .iter()
        .map(|r| r.headers["webhook-id"].to_str().unwrap().to_string())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one webhook-id: {ids:?}"
    );
}

#[tokio::test]
async fn a_receiver_answering_410_is_not_retried() {
    let scripts = Scripts {
        receiver: vec![Answer::Status(410)],
        ..Scripts::default()
    };
    let l = local(scripts, inbound_only).await;
    let job = l.env.recorded_call(Direction::Inbound).await;
    let event =
        NotifyJob::call_completed(job.call_sid.clone(), None, Trigger::Transcription).message();
    l.env
        .process(
            Consumer::Transcribe,
            &serde_json::to_string(&job).unwrap(),
            1,
        )
        .await;
    assert_eq!(
        l.env.process(Consumer::Notify, &event.body, 1).await,
        Disposition::Done
    );
    assert_eq!(
        l.env.process(Consumer::Notify, &event.body, 2).await,
        Disposition::Done
    );
    assert_eq!(l.env.receiver.hits(), 1);
    let log = l
        .env
        .app()
        .store()
        .delivery(
            &Subject::Call(job.call_sid.clone()),
            &format!("evt_{}_completed", job.call_sid),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.state, DeliveryState::Failed);
    assert_eq!(log.attempts.len(), 1);
}

/// Note 002's bug: outbound calls never reached the business when only the generic URL was set.
#[tokio::test]
async fn an_outbound_call_with_only_the_generic_url_is_delivered_to_the_generic_url() {
    let l = local(Scripts::default(), |business, base| {
        business.inbound_webhook_url = Some(format!("{base}/hooks/inbound"));
        business.generic_webhook_url = Some(format!("{base}/hooks/generic"));
    })
    .await;
    let job = l.env.recorded_call(Direction::OutboundApi).await;
    let now = OffsetDateTime::now_utc();
    l.pump(Consumer::Transcribe, now).await;
    l.pump(Consumer::Notify, now).await;
    let requests = l.env.receiver.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/hooks/generic");
    let event: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(event["data"]["direction"], "outbound-api");
    let log = l
        .env
        .app()
        .store()
        .delivery(
            &Subject::Call(job.call_sid.clone()),
            &format!("evt_{}_completed", job.call_sid),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        log.route,
        "generic_webhook_url (fallback: outbound_webhook_url not set)"
    );
}

#[tokio::test]
async fn an_event_with_no_url_is_recorded_as_skipped() {
    let l = local(Scripts::default(), inbound_only).await;
    let job = l.env.recorded_call(Direction::OutboundDial).await;
    let now = OffsetDateTime::now_utc();
    l.pump(Consumer::Transcribe, now).await;
    l.pump(Consumer::Notify, now).await;
    assert_eq!(l.env.receiver.hits(), 0);
    let log = l
        .env
        .app()
        .store()
        .delivery(
            &Subject::Call(job.call_sid.clone()),
            &format!("evt_{}_completed", job.call_sid),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(log.state, DeliveryState::Skipped);
    assert_eq!(log.route, "no outbound/generic webhook URL set");
}

#[tokio::test]
async fn a_call_ending_without_a_recording_still_gets_call_completed() {
    let l = local(Scripts::default(), |business, base| {
        business.generic_webhook_url = Some(format!("{base}/hooks/generic"));
    })
    .await;
    let sid = format!("CA{:032x}", frontdesk_testkit::unique::number());
    let form = format!(
        "CallSid={sid}&CallStatus=completed&Direction=outbound-api&From={}&To=%2B972501234567&CallDuration=12",
        "%2B97233334444"
    );
    let mut business = l.env.business.clone();
    business.phone_numbers = vec![frontdesk::domain::PhoneNumber::parse("+97233334444").unwrap()];
    l.env.app().store().put_business(&business).await.unwrap();
    let request = frontdesk::http::InboundRequest::local(
        http::Method::POST,
        frontdesk::Route::CallStatus.path(),
        http::HeaderMap::new(),
        bytes::Bytes::from(form),
        "req-1".into(),
    );
    let response = frontdesk::handlers::call_status::call_status(l.env.app(), &request).await;
    assert_eq!(response.status(), 204);
    // A repeated final callback queues nothing new.
    frontdesk::handlers::call_status::call_status(l.env.app(), &request).await;
    l.pump(Consumer::Notify, OffsetDateTime::now_utc()).await;
    let requests = l.env.receiver.requests();
    assert_eq!(requests.len(), 1);
    let event: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(event["type"], "call.completed");
    assert_eq!(event["data"]["call_sid"], sid.as_str());
    assert_eq!(event["data"]["duration_seconds"], 12);
    assert!(event["data"]["recording"].is_null());
}
