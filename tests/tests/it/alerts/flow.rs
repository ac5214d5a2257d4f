//! The "done when", on both backends: a voicemail on the demo clinic's number ends with
//! its transcript, a summary with urgency, one SMS and one email to the owner, and a line in
//! the next digest; a blocked number hears a reject and produces nothing.

use frontdesk::alerts::digest;
use frontdesk::domain::{AlertState, Intent, TranscriptionState, TriageSource, Urgency};
use frontdesk_testkit::standins::chat::Reply;
use jiff::{SignedDuration, Timestamp};

use super::{caller, Backend, World, CLINIC, OWNER};

/// The digest tick of the morning after `now`, in the clinic's zone, at 08:05.
fn next_morning(now: Timestamp) -> Timestamp {
    let zone = jiff::tz::TimeZone::get("Asia/Jerusalem").unwrap();
    let tomorrow = now.to_zoned(zone.clone()).date().tomorrow().unwrap();
    tomorrow.at(8, 5, 0, 0).to_zoned(zone).unwrap().timestamp()
}

pub async fn a_voicemail_alerts_the_owner_once_by_sms_and_email_and_is_in_the_next_digest(
    backend: Backend,
) {
    let world = World::start(backend, vec![Reply::hebrew("high")]).await;
    let from = caller();
    let sid = world.voicemail(&from).await;
    assert!(
        world.pump().await >= 3,
        "transcription, the event, two alerts"
    );

    let store = world.server.app.store();
    let call = store.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Ready));
    let media = store.call_media(&sid).await.unwrap().unwrap();
    assert!(media.transcript.is_some());
    let triage = media.triage.expect("the call is assessed");
    assert_eq!(triage.source, TriageSource::Model);
    assert_eq!(triage.urgency, Urgency::High);
    assert_eq!(triage.intent, Some(Intent::Booking));
    let summary = triage.summary.expect("a summary");
    let asked = world.chat.asked();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].problem, None, "the summary request is well-formed");

    let texts = world.texts();
    assert_eq!(texts.len(), 1, "one SMS: {texts:?}");
    let sms = &texts[0];
    assert_eq!(sms["To"], OWNER);
    assert_eq!(sms["From"], CLINIC);
    let body = &sms["Body"];
    assert!(body.starts_with("דחוף · הודעה קולית מ"), "{body}");
    assert!(body.contains(&from), "{body}");
    assert!(body.contains(&summary), "{body}");
    assert!(
        body.contains(&format!("{}/inbox/calls/{sid}", world.server.base_url)),
        "{body}"
    );
    assert!(body.contains("הקלטה: http"), "a recording link: {body}");

    let emails = world.emails().await;
    let about_this_call = World::owner_email_count(&emails, &sid.to_string());
    assert_eq!(about_this_call, 1, "one email about the call: {emails:?}");

    // Redelivering everything changes nothing.
    assert_eq!(world.pump().await, 0);
    // Read by key: a GetItem each, where a GSI query on a busy moto can overrun the budget.
    for recipient in [
        format!("sms:{OWNER}"),
        format!("email:{}", world.owner_email),
    ] {
        let record = store
            .alert(&world.business.id, &format!("{sid}:alert:{recipient}"))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("an alert to {recipient}"));
        assert_eq!(record.state, AlertState::Sent, "{record:?}");
        assert_eq!(record.attempts.len(), 1);
    }

    // The next morning's digest lists the call under urgent, and goes out once.
    let morning = next_morning(Timestamp::now());
    let built = digest::build(
        &world.server.app,
        world.worker.link_base.as_deref(),
        &world.business,
        morning
            .to_zoned(jiff::tz::TimeZone::get("Asia/Jerusalem").unwrap())
            .date(),
    )
    .await
    .unwrap();
    let text = built.text();
    // The demo seed's own calls are in it too; this call is the one urgent line.
    assert!(text.starts_with("סיכום יומי: Demo Dental Clinic"), "{text}");
    let urgent = text.split("דחוף (1):\n").nth(1).expect("an urgent group");
    let line = urgent.lines().next().unwrap();
    assert!(line.contains(&from) && line.contains(&summary), "{text}");
    assert_eq!(digest::scan(&world.server.app, morning).await, 2);
    assert_eq!(
        digest::scan(&world.server.app, morning + SignedDuration::from_mins(1)).await,
        0,
        "one digest a day"
    );
    world.pump().await;
    let texts = world.texts();
    assert_eq!(texts.len(), 2);
    assert!(texts[1]["Body"].starts_with("סיכום יומי"), "{:?}", texts[1]);
    assert!(texts[1]["Body"].contains(&from));
    let emails = world.emails().await;
    let digests: Vec<&String> = emails
        .iter()
        .filter(|e| e.contains("סיכום יומי") && e.contains(&from))
        .collect();
    assert_eq!(digests.len(), 1, "one digest email listing the call");
}

pub async fn a_blocked_number_hears_a_reject_and_produces_nothing(backend: Backend, calls: usize) {
    let world = World::start(backend, vec![Reply::hebrew("high")]).await;
    let from = caller();
    world
        .server
        .app
        .store()
        .set_number_blocked(
            &world.business.id,
            &frontdesk::domain::PhoneNumber::parse(&from).unwrap(),
            true,
        )
        .await
        .unwrap();
    let mut sids = Vec::new();
    for _ in 0..calls {
        let (sid, twiml) = world.call_without_message(&from, "busy").await;
        assert!(twiml.contains("<Reject"), "{twiml}");
        assert!(
            !twiml.contains("<Play") && !twiml.contains("<Record"),
            "{twiml}"
        );
        sids.push(sid);
    }
    world.pump().await;
    assert!(world.texts().is_empty(), "no SMS");
    assert!(world.emails().await.is_empty(), "no email");
    let store = world.server.app.store();
    let email = format!("email:{}", world.owner_email);
    for sid in &sids {
        for about in [format!("sms:{OWNER}"), email.clone(), "screened".into()] {
            let key = format!("{sid}:alert:{about}");
            let record = store.alert(&world.business.id, &key).await.unwrap();
            assert_eq!(record, None, "{key}");
        }
    }
    assert!(
        world.server.jobs.transcription_jobs().await.is_empty(),
        "no recording"
    );
    assert!(world.chat.asked().is_empty());
}

macro_rules! flow_tests {
    ($module:ident, $backend:expr, $blocked_calls:expr) => {
        mod $module {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_voicemail_alerts_the_owner_once_by_sms_and_email_and_is_in_the_next_digest(
            ) {
                super::a_voicemail_alerts_the_owner_once_by_sms_and_email_and_is_in_the_next_digest($backend).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_blocked_number_hears_a_reject_and_produces_nothing() {
                super::a_blocked_number_hears_a_reject_and_produces_nothing(
                    $backend,
                    $blocked_calls,
                )
                .await;
            }
        }
    };
}

flow_tests!(embedded, super::super::Backend::Embedded, 100);
flow_tests!(aws, super::super::Backend::Aws, 3);
