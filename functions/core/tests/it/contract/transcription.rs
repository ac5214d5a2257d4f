//! Recordings and their transcription: attach once, one claim, the backlog, the outcome.

use frontdesk::domain::{BusinessId, CallSid, TranscriptionState};
use frontdesk::store::RecordingAttach;
use time::Duration;

use super::{call_sid, recording, start, unique, Backends, T0};

pub async fn a_recording_is_attached_once(b: &Backends) {
    let sid = call_sid();
    b.store
        .record_call_start(&start(&sid, &BusinessId::parse("acme").unwrap()))
        .await
        .unwrap();
    let rec = recording(&format!("RE{}", unique()));
    assert_eq!(
        b.store
            .attach_recording(&sid, &rec, true, T0)
            .await
            .unwrap(),
        RecordingAttach::Attached
    );
    for _ in 0..2 {
        assert_eq!(
            b.store
                .attach_recording(&sid, &rec, true, T0)
                .await
                .unwrap(),
            RecordingAttach::AlreadyAttached(Some(TranscriptionState::Pending))
        );
    }
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.recording, Some(rec));
    assert_eq!(call.transcription, Some(TranscriptionState::Pending));
    assert_eq!(
        call.caller_name.as_deref(),
        Some("<Dana & \"Co\">"),
        "attaching keeps the call's fields"
    );
}

pub async fn a_recording_for_an_unknown_call_creates_it(b: &Backends) {
    let sid = call_sid();
    let rec = recording(&format!("RE{}", unique()));
    assert_eq!(
        b.store
            .attach_recording(&sid, &rec, true, T0)
            .await
            .unwrap(),
        RecordingAttach::Attached
    );
    assert_eq!(
        b.store.call(&sid).await.unwrap().unwrap().recording,
        Some(rec)
    );
}

pub async fn transcription_off_marks_the_recording_skipped(b: &Backends) {
    let sid = call_sid();
    let rec = recording(&format!("RE{}", unique()));
    b.store
        .attach_recording(&sid, &rec, false, T0)
        .await
        .unwrap();
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Skipped));
    assert!(!b.store.claim_transcription_job(&sid, T0).await.unwrap());
    let backlog = b
        .store
        .transcription_backlog(T0 + Duration::hours(1), 1000)
        .await
        .unwrap();
    assert!(!backlog.iter().any(|c| c.sid == sid));
}

pub async fn only_one_concurrent_claim_wins(b: &Backends) {
    let sid = call_sid();
    b.store
        .attach_recording(&sid, &recording(&format!("RE{}", unique())), true, T0)
        .await
        .unwrap();
    let claims = (0..6).map(|_| {
        let store = b.store.clone();
        let sid = sid.clone();
        tokio::spawn(async move { store.claim_transcription_job(&sid, T0).await.unwrap() })
    });
    let mut wins = 0;
    for claim in claims {
        wins += usize::from(claim.await.unwrap());
    }
    assert_eq!(wins, 1);
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Queued));
    assert_eq!(call.transcription_queued_at, Some(T0));
}

pub async fn the_backlog_holds_pending_and_stale_queued_calls(b: &Backends) {
    let (pending, fresh, stale, released) = (call_sid(), call_sid(), call_sid(), call_sid());
    for sid in [&pending, &fresh, &stale, &released] {
        b.store
            .attach_recording(sid, &recording(&format!("RE{}", unique())), true, T0)
            .await
            .unwrap();
    }
    assert!(b.store.claim_transcription_job(&stale, T0).await.unwrap());
    assert!(b
        .store
        .claim_transcription_job(&fresh, T0 + Duration::minutes(30))
        .await
        .unwrap());
    assert!(b
        .store
        .claim_transcription_job(&released, T0)
        .await
        .unwrap());
    b.store.release_transcription_job(&released).await.unwrap();
    assert_eq!(
        b.store
            .call(&released)
            .await
            .unwrap()
            .unwrap()
            .transcription,
        Some(TranscriptionState::Pending)
    );
    let backlog = b
        .store
        .transcription_backlog(T0 + Duration::minutes(15), 10_000)
        .await
        .unwrap();
    let has = |sid: &CallSid| backlog.iter().any(|c| &c.sid == sid);
    assert!(has(&pending), "pending is in the backlog");
    assert!(has(&released), "a released claim is back in the backlog");
    assert!(
        has(&stale),
        "a job queued before the cut-off and never finished is in the backlog"
    );
    assert!(!has(&fresh), "a recently queued job is not");
    assert!(
        b.store
            .claim_transcription_job(&released, T0)
            .await
            .unwrap(),
        "a released claim can be claimed again"
    );
}

pub async fn a_transcription_finishes_once_and_leaves_the_backlog(b: &Backends) {
    use frontdesk::domain::TranscriptionOutcome;
    let sid = call_sid();
    b.store
        .attach_recording(&sid, &recording(&format!("RE{}", unique())), true, T0)
        .await
        .unwrap();
    assert!(b.store.claim_transcription_job(&sid, T0).await.unwrap());
    b.store
        .set_recording_copy(&sid, "recordings/acme/CA1/RE1.mp3")
        .await
        .unwrap();
    let ready = TranscriptionOutcome::Ready {
        transcript: "שלום, I'd like an appointment".into(),
        language: Some("he".into()),
    };
    assert!(b
        .store
        .finish_transcription(&sid, &ready, T0)
        .await
        .unwrap());
    let failed = TranscriptionOutcome::Failed {
        reason: "late".into(),
    };
    assert!(
        !b.store
            .finish_transcription(&sid, &failed, T0)
            .await
            .unwrap(),
        "a finished transcription is not finished again"
    );
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Ready));
    let media = b.store.call_media(&sid).await.unwrap().unwrap();
    assert_eq!(
        media.recording_key.as_deref(),
        Some("recordings/acme/CA1/RE1.mp3")
    );
    assert_eq!(
        media.transcript.as_deref(),
        Some("שלום, I'd like an appointment")
    );
    assert_eq!(media.language.as_deref(), Some("he"));
    assert_eq!(media.finished_at, Some(T0));
    let backlog = b
        .store
        .transcription_backlog(T0 + Duration::hours(2), 10_000)
        .await
        .unwrap();
    assert!(!backlog.iter().any(|c| c.sid == sid));

    let unknown = call_sid();
    assert!(!b
        .store
        .finish_transcription(&unknown, &failed, T0)
        .await
        .unwrap());
    assert_eq!(b.store.call_media(&unknown).await.unwrap(), None);
}

pub async fn a_failed_transcription_keeps_its_reason_and_the_copy(b: &Backends) {
    use frontdesk::domain::TranscriptionOutcome;
    let sid = call_sid();
    b.store
        .attach_recording(&sid, &recording(&format!("RE{}", unique())), true, T0)
        .await
        .unwrap();
    b.store
        .set_recording_copy(&sid, "recordings/k.mp3")
        .await
        .unwrap();
    let failed = TranscriptionOutcome::Failed {
        reason: "transcription API answered 500 six times".into(),
    };
    assert!(b
        .store
        .finish_transcription(&sid, &failed, T0)
        .await
        .unwrap());
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.transcription, Some(TranscriptionState::Failed));
    let media = b.store.call_media(&sid).await.unwrap().unwrap();
    assert_eq!(media.recording_key.as_deref(), Some("recordings/k.mp3"));
    assert_eq!(
        media.reason.as_deref(),
        Some("transcription API answered 500 six times")
    );
    assert_eq!(media.transcript, None);
}
