//! The functions without an HTTP route: the reconciler on its schedule, and the two queue
//! consumers on their SQS batches.

use frontdesk_testkit::{fixtures, JobProbe};
use serde_json::Value;

use super::function::Function;
use super::{resources, status, SAMPLE_CALL_SID};

#[tokio::test]
async fn reconciler_sends_the_job_a_failed_queue_left_pending() {
    let (resources, clients) = resources(true).await;
    // The recording arrives while the queue is unreachable: the call is kept, the job stays
    // pending, and the log line carries metric=transcription_pending at the top level.
    let missing_queue = format!("{}-missing", resources.recordings_queue_url);
    let mut recording = Function::start(
        "handle-recording",
        &resources,
        &[("FRONTDESK_RECORDINGS_QUEUE_URL", &missing_queue)],
    )
    .await;
    let response = recording.invoke("handle-recording.json").await;
    assert_eq!(status(&response), 200, "{response}");
    let log = recording.json_log();
    assert!(
        log.iter()
            .any(|line| line["metric"] == "transcription_pending"),
        "a top-level `metric` field: {log:?}"
    );
    drop(recording);

    let mut reconciler = Function::start("reconciler", &resources, &[]).await;
    let report = reconciler.invoke("reconciler-schedule.json").await;
    assert_eq!(
        report,
        serde_json::json!({"examined": 1, "sent": 1, "failed": 0,
                           "reminders_due": 0, "reminders_queued": 0}),
        "the reconciler's report (no reminder due)"
    );
    let jobs = JobProbe::Sqs {
        client: clients.sqs.clone(),
        url: resources.recordings_queue_url.clone(),
    }
    .transcription_jobs()
    .await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    assert_eq!(jobs[0].call_sid.as_str(), SAMPLE_CALL_SID);

    // Run again: nothing left to send.
    let again = reconciler.invoke("reconciler-schedule.json").await;
    assert_eq!(again["sent"], 0, "{again}");
}

/// The sample SQS event's message id (infra/make_events.py).
const SAMPLE_MESSAGE_ID: &str = "059f36b4-87a3-44ab-83d2-661975830a7d";

#[tokio::test]
async fn transcribe_reports_a_recording_it_cannot_fetch_yet_as_a_batch_item_failure() {
    let (resources, _) = resources(true).await;
    let mut function = Function::start(
        "transcribe",
        &resources,
        &[
            ("FRONTDESK_RECORDINGS_BUCKET", &resources.greetings_bucket),
            ("TWILIO_ACCOUNT_SID", "ACtest"),
        ],
    )
    .await;
    // The sample job names Twilio's media host; a closed local port stands in for an
    // unreachable one, so the test needs no network.
    let mut sqs = serde_json::from_slice::<Value>(&fixtures::event("transcribe.json")).unwrap();
    let mut job: Value = serde_json::from_str(sqs["Records"][0]["body"].as_str().unwrap()).unwrap();
    job["recording_url"] =
        "http://127.0.0.1:9/2010-04-01/Accounts/ACtest/Recordings/RE0123456789abcdef0123456789abcdef"
            .into();
    sqs["Records"][0]["body"] = job.to_string().into();
    let response = function
        .invoke_bytes("transcribe.json", serde_json::to_vec(&sqs).unwrap())
        .await;
    assert_eq!(
        response,
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": SAMPLE_MESSAGE_ID}]}),
        "{}",
        function.log_text()
    );
    let log = function.json_log();
    assert!(
        log.iter().any(|line| line["message"]
            .as_str()
            .is_some_and(|m| m.contains("transcription will be retried"))),
        "{log:?}"
    );
}

/// The notify function takes `event` (about a call no store holds) and settles it: no retry.
async fn notify_settles_without_retry(event: &str) {
    let (resources, _) = resources(true).await;
    let mut function = Function::start(
        "notify",
        &resources,
        &[("FRONTDESK_RECORDINGS_BUCKET", &resources.greetings_bucket)],
    )
    .await;
    let response = function.invoke(event).await;
    assert_eq!(
        response,
        serde_json::json!({"batchItemFailures": []}),
        "{}",
        function.log_text()
    );
}

#[tokio::test]
async fn notify_settles_an_event_for_an_unknown_call_without_retry() {
    notify_settles_without_retry("notify.json").await;
}

#[tokio::test]
async fn notify_settles_an_alert_about_an_unknown_call_without_retry() {
    notify_settles_without_retry("notify-alert.json").await;
}
