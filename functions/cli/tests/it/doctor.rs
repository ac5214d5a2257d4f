//! `frontdesk doctor`: a business set up as the README says passes every check, and each
//! misconfiguration the doctor knows is seeded here and seen as a FAIL with its fix.

use frontdesk::domain::{
    BusinessId, CallGoal, CallSid, CallStatus, Direction, PhoneNumber, RecordingSid, VoiceMode,
};
use frontdesk::domain::{CallStart, Recording, TranscriptionOutcome};
use frontdesk::queue::Disposition;
use frontdesk::queue::{OutboundMessage, QueueName};
use frontdesk_cli::doctor::{Doctor, Level, Report};
use time::OffsetDateTime;

use crate::operator::{Fixture, NUMBER};

async fn diagnose(fixture: &Fixture, ping: bool) -> Report {
    Doctor::new(&fixture.deployment, ping)
        .unwrap()
        .diagnose(None)
        .await
        .unwrap()
}

/// Asserts the check failed, with a fix, and returns its detail.
fn failed(report: &Report, business: Option<&str>, check: &str) -> String {
    let found = report
        .find(business, check)
        .unwrap_or_else(|| panic!("no `{check}` check in {report:#?}"));
    assert_eq!(found.level, Level::Fail, "{found:#?}");
    assert!(found.fix.is_some(), "a FAIL says how to fix it: {found:#?}");
    found.detail.clone()
}

#[tokio::test]
async fn a_business_set_up_as_the_readme_says_passes_every_check() {
    let fixture = Fixture::healthy().await;
    let report = diagnose(&fixture, true).await;
    let not_passed: Vec<_> = report
        .sections
        .iter()
        .flat_map(|s| &s.checks)
        .filter(|c| c.level != Level::Pass)
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
    let ping = report.find(Some("acme"), "webhook ping").unwrap();
    assert!(ping.detail.contains(&fixture.receiver.url), "{ping:?}");
    let received = fixture.receiver.received();
    assert_eq!(received.len(), 1);
    assert!(received[0]["webhook-id"].starts_with("evt_ping_"));
    assert!(received[0]["webhook-signature"].starts_with("v1,"));
    assert!(report
        .find(Some("acme"), "Twilio numbers")
        .unwrap()
        .detail
        .contains(NUMBER));
}

#[tokio::test]
async fn a_deployment_that_does_not_answer_fails() {
    let mut fixture = Fixture::healthy().await;
    fixture.deployment.base_url =
        frontdesk::config::PublicBaseUrl::parse("http://127.0.0.1:9").unwrap();
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, None, "answers").contains("does not answer"));
    failed(&report, Some("acme"), "greeting URL");
}

#[tokio::test]
async fn a_missing_twilio_auth_token_fails() {
    let mut fixture = Fixture::healthy().await;
    fixture.set_environment(|env| {
        env.remove("TWILIO_AUTH_TOKEN");
    });
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, None, "Twilio auth token").contains("403"));
}

#[tokio::test]
async fn a_job_in_the_dead_letter_queue_fails() {
    let fixture = Fixture::healthy().await;
    let queue = frontdesk::queue::embedded::EmbeddedQueue::open(
        &fixture.dir.path().join("frontdesk.sqlite3"),
    )
    .unwrap();
    use frontdesk::queue::Queue;
    queue
        .send(&OutboundMessage {
            queue: QueueName::Notify,
            dedup_id: "dead-one".into(),
            body: "{}".into(),
        })
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let received = queue
        .receive(QueueName::Notify, 1, std::time::Duration::from_secs(1), now)
        .unwrap();
    let retry = Disposition::Retry {
        after: std::time::Duration::from_secs(1),
    };
    queue.settle(&received[0], retry, 1, now).unwrap();
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, None, "dead letters").contains("1 in notify"));
}

#[tokio::test]
async fn a_deployment_without_businesses_fails() {
    let fixture = Fixture::healthy().await;
    fixture
        .deployment
        .store
        .delete_business(&fixture.business)
        .await
        .unwrap();
    let report = diagnose(&fixture, false).await;
    failed(&report, None, "businesses");
}

#[tokio::test]
async fn a_business_without_numbers_fails() {
    let fixture = Fixture::healthy().await;
    fixture.edit(|b| b.phone_numbers.clear()).await;
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, Some("acme"), "numbers").contains("no phone number"));
}

#[tokio::test]
async fn stream_mode_without_a_stream_url_fails() {
    let fixture = Fixture::healthy().await;
    fixture.edit(|b| b.voice_mode = VoiceMode::Stream).await;
    let report = diagnose(&fixture, false).await;
    failed(&report, Some("acme"), "voice mode");
}

#[tokio::test]
async fn a_greeting_object_that_is_gone_fails() {
    let fixture = Fixture::healthy().await;
    fixture
        .edit(|b| b.greeting_key = Some("greetings/gone.mp3".into()))
        .await;
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, Some("acme"), "greeting").contains("missing"));
}

#[tokio::test]
async fn a_greeting_that_is_not_audio_mpeg_fails() {
    let fixture = Fixture::healthy().await;
    fixture
        .deployment
        .greetings
        .put(
            "greetings/acme.mp3",
            bytes::Bytes::from_static(b"hello"),
            "text/plain",
        )
        .await
        .unwrap();
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, Some("acme"), "greeting").contains("text/plain"));
}

#[tokio::test]
async fn a_greeting_url_that_does_not_serve_the_mp3_fails() {
    let mut fixture = Fixture::healthy().await;
    // A base URL that answers, but is not this deployment: its greeting route is elsewhere.
    let other = tempfile::tempdir().unwrap();
    let other_base = crate::operator::serve(other.path()).await;
    fixture.deployment.base_url = frontdesk::config::PublicBaseUrl::parse(&other_base).unwrap();
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, Some("acme"), "greeting URL").contains("404"));
}

#[tokio::test]
async fn outbound_calls_with_no_webhook_url_fail_as_in_note_002() {
    let fixture = Fixture::healthy().await;
    let url = fixture.receiver.url.clone();
    fixture
        .edit(|b| {
            b.generic_webhook_url = None;
            b.inbound_webhook_url = Some(url);
        })
        .await;
    let report = diagnose(&fixture, false).await;
    let detail = failed(&report, Some("acme"), "webhook URLs");
    assert!(
        detail.contains("no outbound/generic webhook URL set"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_plain_http_webhook_url_fails() {
    let fixture = Fixture::healthy().await;
    fixture
        .edit(|b| b.generic_webhook_url = Some("http://hooks.example.com/frontdesk".into()))
        .await;
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, Some("acme"), "webhook URLs").contains("https"));
}

#[tokio::test]
async fn a_webhook_url_without_a_signing_secret_fails() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Fixture::healthy().await;
    // The same business in a store that never got a secret.
    let base = crate::operator::serve(dir.path()).await;
    let mut bare = crate::operator::target(dir.path(), &base)
        .open()
        .await
        .unwrap();
    bare.settings = fixture.deployment.settings.clone();
    bare.store
        .put_business(&fixture.business().await)
        .await
        .unwrap();
    let report = Doctor::new(&bare, false)
        .unwrap()
        .diagnose(None)
        .await
        .unwrap();
    failed(&report, Some("acme"), "webhook secret");
}

#[tokio::test]
async fn a_webhook_receiver_refusing_the_signed_ping_fails() {
    let fixture = Fixture::healthy().await;
    fixture.receiver.answer_with(401);
    let report = diagnose(&fixture, true).await;
    assert!(failed(&report, Some("acme"), "webhook ping").contains("401"));
}

#[tokio::test]
async fn appointment_calls_without_calendar_scheduling_fail() {
    let fixture = Fixture::healthy().await;
    fixture.edit(|b| b.call_goal = CallGoal::Appointment).await;
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, Some("acme"), "call goal").contains("cannot book"));
}

#[tokio::test]
async fn transcription_on_without_a_server_fails() {
    let mut fixture = Fixture::healthy().await;
    fixture.set_environment(|env| {
        env.remove("TRANSCRIBE_API_BASE");
    });
    let report = diagnose(&fixture, false).await;
    failed(&report, Some("acme"), "transcription");
    fixture.set_environment(|env| {
        env.remove("TRANSCRIBE_API_KEY");
    });
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, Some("acme"), "transcription").contains("no API key"));
}

async fn recorded_call(fixture: &Fixture, minutes_ago: i64) -> CallSid {
    let sid = CallSid::parse(&format!("CA{:032x}", minutes_ago + 7)).unwrap();
    let at = OffsetDateTime::now_utc() - time::Duration::minutes(minutes_ago);
    let store = &fixture.deployment.store;
    store
        .record_call_start(&CallStart {
            sid: sid.clone(),
            business_id: fixture.business.clone(),
            from: "+972501112222".into(),
            to: NUMBER.into(),
            direction: Direction::Inbound,
            caller_name: None,
            status: CallStatus::InProgress,
            started_at: at,
            placed: None,
        })
        .await
        .unwrap();
    let recording = Recording {
        sid: RecordingSid::parse(&format!("RE{:032x}", minutes_ago + 7)).unwrap(),
        url: "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1".into(),
        duration_seconds: Some(12),
        digits: None,
    };
    store
        .attach_recording(&sid, &recording, true, at)
        .await
        .unwrap();
    sid
}

#[tokio::test]
async fn a_transcription_pending_for_an_hour_fails() {
    let fixture = Fixture::healthy().await;
    let recent = recorded_call(&fixture, 1).await;
    let report = diagnose(&fixture, false).await;
    assert_eq!(
        report
            .find(Some("acme"), "stuck transcriptions")
            .unwrap()
            .level,
        Level::Pass,
        "a minute-old job is on its way: {recent}"
    );
    let stuck = recorded_call(&fixture, 60).await;
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, Some("acme"), "stuck transcriptions").contains(stuck.as_str()));
}

#[tokio::test]
async fn a_failed_transcription_fails() {
    let fixture = Fixture::healthy().await;
    let sid = recorded_call(&fixture, 2).await;
    fixture
        .deployment
        .store
        .finish_transcription(
            &sid,
            &TranscriptionOutcome::Failed {
                reason: "transcription server answered 401".into(),
            },
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, Some("acme"), "failed transcriptions").contains(sid.as_str()));
}

#[tokio::test]
async fn a_twilio_number_pointing_elsewhere_fails_with_the_configure_fix() {
    let fixture = Fixture::healthy().await;
    fixture.twilio.edit_number(NUMBER, |n| {
        n.voice_url = Some("https://old-provider.example.com/voice".into());
    });
    let report = diagnose(&fixture, false).await;
    let check = report.find(Some("acme"), "Twilio numbers").unwrap();
    assert_eq!(check.level, Level::Fail);
    assert!(check.detail.contains("old-provider"), "{check:?}");
    assert_eq!(
        check.fix.as_deref(),
        Some("frontdesk twilio configure acme --yes")
    );
}

#[tokio::test]
async fn a_number_the_twilio_account_does_not_hold_fails() {
    let fixture = Fixture::healthy().await;
    let other = PhoneNumber::parse("+972533339999").unwrap();
    fixture.edit(|b| b.phone_numbers.push(other)).await;
    let report = diagnose(&fixture, false).await;
    let failing: Vec<_> = report.sections[1]
        .checks
        .iter()
        .filter(|c| c.check == "Twilio numbers" && c.level == Level::Fail)
        .collect();
    assert_eq!(failing.len(), 1, "{failing:#?}");
    assert!(failing[0].detail.contains("+972533339999"));
}

#[tokio::test]
async fn a_meta_business_without_the_app_secret_fails() {
    let mut fixture = Fixture::healthy().await;
    fixture
        .edit(|b| b.meta_phone_number_id = Some("106540352242922".into()))
        .await;
    assert_eq!(
        diagnose(&fixture, false)
            .await
            .find(Some("acme"), "Meta WhatsApp")
            .unwrap()
            .level,
        Level::Pass
    );
    fixture.set_environment(|env| {
        env.remove("META_APP_SECRET");
    });
    let report = diagnose(&fixture, false).await;
    assert!(failed(&report, Some("acme"), "Meta WhatsApp").contains("META_APP_SECRET"));
}

#[tokio::test]
async fn doctor_for_one_business_checks_only_that_business() {
    let fixture = Fixture::healthy().await;
    let other = frontdesk::domain::Business::new(BusinessId::parse("other").unwrap(), "Other");
    fixture.deployment.store.put_business(&other).await.unwrap();
    let report = Doctor::new(&fixture.deployment, false)
        .unwrap()
        .diagnose(Some(&fixture.business))
        .await
        .unwrap();
    let sections: Vec<_> = report.sections.iter().map(|s| s.business.clone()).collect();
    assert_eq!(sections, vec![None, Some("acme".to_string())]);
}
