//! The one contract both backends pass: the embedded default (SQLite, SQLite queue, folder)
//! and AWS (DynamoDB, SQS, S3 on a local moto server). Each backend's test file invokes
//! `contract_tests!` with a function that builds fresh backends.
//!
//! Tests may share one table, so every id is made unique per test.

#![allow(dead_code)]

pub mod messages;
pub use messages::*;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use frontdesk::blob::BlobStore;
use frontdesk::domain::{
    Business, BusinessId, CallSid, CallStatus, Direction, PhoneNumber, RecordingSid,
    TranscriptionState,
};
use frontdesk::domain::{CallStart, Recording, StatusUpdate};
use frontdesk::queue::{OutboundMessage, Queue, QueueName};
use frontdesk::store::{RecordingAttach, Store, StoreError};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

pub struct Backends {
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    pub blobs: Arc<dyn BlobStore>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A suffix unique to this process and call.
pub fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}{n}", std::process::id() % 100_000)
}

/// A unique E.164 number.
pub fn number() -> PhoneNumber {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    PhoneNumber::parse(&format!(
        "+1555{:05}{:03}",
        std::process::id() % 100_000,
        n % 1000
    ))
    .unwrap()
}

pub fn business(numbers: Vec<PhoneNumber>) -> Business {
    let mut b = Business::new(
        BusinessId::parse(&format!("biz-{}", unique())).unwrap(),
        "Acme Dental",
    );
    b.phone_numbers = numbers;
    b
}

pub fn call_sid() -> CallSid {
    CallSid::parse(&format!("CAtest{}", unique())).unwrap()
}

const T0: OffsetDateTime = datetime!(2026-11-21 10:00:00 UTC);

fn start(sid: &CallSid, business: &BusinessId) -> CallStart {
    CallStart {
        sid: sid.clone(),
        business_id: business.clone(),
        from: "+972501234567".into(),
        to: "+97233334444".into(),
        direction: Direction::Inbound,
        caller_name: Some("<Dana & \"Co\">".into()),
        status: CallStatus::Ringing,
        started_at: T0,
    }
}

fn update(sid: &CallSid, status: CallStatus, sequence: Option<u32>) -> StatusUpdate {
    StatusUpdate {
        sid: sid.clone(),
        status,
        sequence,
        business_id: None,
        from: Some("+972501234567".into()),
        to: Some("+97233334444".into()),
        direction: Direction::Inbound,
        duration_seconds: status.is_final().then_some(42),
        at: T0 + Duration::seconds(i64::from(sequence.unwrap_or(0))),
        sip_response_code: None,
    }
}

fn recording(sid: &str) -> Recording {
    Recording {
        sid: RecordingSid::parse(sid).unwrap(),
        url: format!("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/{sid}"),
        duration_seconds: Some(12),
        digits: Some("*".into()),
    }
}

pub async fn business_is_found_by_id_and_by_each_number(b: &Backends) {
    let (n1, n2) = (number(), number());
    let biz = business(vec![n1.clone(), n2.clone()]);
    b.store.put_business(&biz).await.unwrap();
    assert_eq!(
        b.store.business(&biz.id).await.unwrap().as_ref(),
        Some(&biz)
    );
    assert_eq!(
        b.store.business_by_number(&n1).await.unwrap().as_ref(),
        Some(&biz)
    );
    assert_eq!(
        b.store.business_by_number(&n2).await.unwrap().as_ref(),
        Some(&biz)
    );
    assert_eq!(b.store.business_by_number(&number()).await.unwrap(), None);
    let missing = BusinessId::parse(&format!("nobody-{}", unique())).unwrap();
    assert_eq!(b.store.business(&missing).await.unwrap(), None);
}

pub async fn a_number_held_by_another_business_is_refused(b: &Backends) {
    let shared = number();
    let first = business(vec![shared.clone()]);
    b.store.put_business(&first).await.unwrap();
    let second = business(vec![number(), shared.clone()]);
    match b.store.put_business(&second).await {
        Err(StoreError::NumberTaken { number, owner }) => {
            assert_eq!(number, shared);
            assert_eq!(owner, first.id);
        }
        other => panic!("expected NumberTaken, got {other:?}"),
    }
    assert_eq!(
        b.store.business(&second.id).await.unwrap(),
        None,
        "nothing of the refused business was stored"
    );
    assert_eq!(
        b.store
            .business_by_number(&second.phone_numbers[0])
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        b.store
            .business_by_number(&shared)
            .await
            .unwrap()
            .unwrap()
            .id,
        first.id
    );
}

pub async fn deleting_a_business_frees_its_numbers_and_revokes_its_keys(b: &Backends) {
    let (first, second) = (number(), number());
    let biz = business(vec![first.clone(), second.clone()]);
    b.store.put_business(&biz).await.unwrap();
    let key = frontdesk::domain::ApiKey::generate().unwrap().hash();
    b.store.put_api_key(&biz.id, &key, T0).await.unwrap();
    let secret = frontdesk::config::Secret::new("whsec_dGVzdA==").unwrap();
    b.store.put_webhook_secret(&biz.id, &secret).await.unwrap();
    assert!(b.store.delete_business(&biz.id).await.unwrap());
    assert_eq!(b.store.business(&biz.id).await.unwrap(), None);
    assert_eq!(b.store.business_by_api_key(&key).await.unwrap(), None);
    assert!(b.store.webhook_secret(&biz.id).await.unwrap().is_none());
    assert_eq!(b.store.business_by_number(&first).await.unwrap(), None);
    assert!(!b.store.delete_business(&biz.id).await.unwrap());
    let successor = business(vec![first.clone(), second.clone()]);
    b.store.put_business(&successor).await.unwrap();
    assert_eq!(
        b.store
            .business_by_number(&second)
            .await
            .unwrap()
            .unwrap()
            .id,
        successor.id
    );
}

pub async fn updating_a_business_frees_the_numbers_it_dropped(b: &Backends) {
    let (kept, dropped) = (number(), number());
    let mut biz = business(vec![kept.clone(), dropped.clone()]);
    b.store.put_business(&biz).await.unwrap();
    biz.phone_numbers = vec![kept.clone()];
    biz.name = "Acme Dental (renamed)".into();
    b.store.put_business(&biz).await.unwrap();
    assert_eq!(b.store.business_by_number(&dropped).await.unwrap(), None);
    assert_eq!(
        b.store
            .business_by_number(&kept)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Acme Dental (renamed)"
    );
    let other = business(vec![dropped.clone()]);
    b.store.put_business(&other).await.unwrap();
    assert_eq!(
        b.store
            .business_by_number(&dropped)
            .await
            .unwrap()
            .unwrap()
            .id,
        other.id
    );
}

pub async fn businesses_are_listed_by_id(b: &Backends) {
    let (x, y) = (business(vec![number()]), business(vec![number()]));
    b.store.put_business(&y).await.unwrap();
    b.store.put_business(&x).await.unwrap();
    let listed = b.store.list_businesses().await.unwrap();
    let ids: Vec<&BusinessId> = listed.iter().map(|b| &b.id).collect();
    assert!(ids.contains(&&x.id) && ids.contains(&&y.id));
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

pub async fn a_repeated_call_start_changes_nothing(b: &Backends) {
    let sid = call_sid();
    let biz = BusinessId::parse("acme").unwrap();
    b.store.record_call_start(&start(&sid, &biz)).await.unwrap();
    let first = b.store.call(&sid).await.unwrap().unwrap();
    let mut retry = start(&sid, &biz);
    retry.started_at = T0 + Duration::seconds(5);
    b.store.record_call_start(&retry).await.unwrap();
    let second = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(first, second);
    assert_eq!(second.caller_name.as_deref(), Some("<Dana & \"Co\">"));
    assert_eq!(second.status, CallStatus::Ringing);
    assert_eq!(second.business_id, Some(biz));
    assert_eq!(second.started_at, Some(T0));
    assert_eq!(b.store.call(&call_sid()).await.unwrap(), None);
}

pub async fn a_status_callback_before_the_start_creates_the_call(b: &Backends) {
    let sid = call_sid();
    let mut first = update(&sid, CallStatus::Completed, Some(3));
    first.business_id = Some(BusinessId::parse("acme").unwrap());
    first.direction = Direction::OutboundApi;
    assert!(b.store.apply_call_status(&first).await.unwrap());
    b.store
        .record_call_start(&start(&sid, &BusinessId::parse("acme").unwrap()))
        .await
        .unwrap();
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(
        call.status,
        CallStatus::Completed,
        "the start's ringing never moves a completed call back"
    );
    assert_eq!(call.duration_seconds, Some(42));
    assert_eq!(call.direction, Direction::OutboundApi);
    assert_eq!(
        call.caller_name.as_deref(),
        Some("<Dana & \"Co\">"),
        "the start fills what the callback lacked"
    );
    assert_eq!(call.started_at, Some(T0));
}

fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let head = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, head.clone());
            out.push(tail);
        }
    }
    out
}

pub async fn five_statuses_in_every_order_end_in_the_same_state(b: &Backends) {
    use CallStatus::*;
    let lifecycle = [
        (Queued, 0),
        (Initiated, 1),
        (Ringing, 2),
        (InProgress, 3),
        (Completed, 4),
    ];
    for (with_sequence, orders) in [
        (true, permutations(&lifecycle)),
        (false, permutations(&lifecycle)),
    ] {
        for order in orders {
            let sid = call_sid();
            for (status, seq) in &order {
                let sequence = with_sequence.then_some(*seq);
                b.store
                    .apply_call_status(&update(&sid, *status, sequence))
                    .await
                    .unwrap();
            }
            let call = b.store.call(&sid).await.unwrap().unwrap();
            assert_eq!(
                call.status, Completed,
                "order {order:?} (sequence numbers: {with_sequence})"
            );
            assert_eq!(call.duration_seconds, Some(42));
            assert!(call.ended_at.is_some(), "a final status sets ended_at");
            assert_eq!(
                b.store.call_events(&sid).await.unwrap().len(),
                5,
                "every callback is kept"
            );
        }
    }
}

pub async fn a_duplicate_status_callback_stores_one_event(b: &Backends) {
    let sid = call_sid();
    let completed = update(&sid, CallStatus::Completed, Some(4));
    assert!(b.store.apply_call_status(&completed).await.unwrap());
    assert!(!b.store.apply_call_status(&completed).await.unwrap());
    let events = b.store.call_events(&sid).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status, CallStatus::Completed);
    assert_eq!(events[0].sequence, Some(4));
    assert_eq!(events[0].duration_seconds, Some(42));
}

pub async fn events_come_back_in_sequence_order(b: &Backends) {
    let sid = call_sid();
    for (status, seq) in [
        (CallStatus::Completed, 3),
        (CallStatus::Ringing, 1),
        (CallStatus::InProgress, 2),
    ] {
        b.store
            .apply_call_status(&update(&sid, status, Some(seq)))
            .await
            .unwrap();
    }
    let sequences: Vec<_> = b
        .store
        .call_events(&sid)
        .await
        .unwrap()
        .iter()
        .map(|e| e.sequence)
        .collect();
    assert_eq!(sequences, vec![Some(1), Some(2), Some(3)]);
}

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

pub async fn recording_status_and_digits_are_kept(b: &Backends) {
    let sid = call_sid();
    b.store
        .record_call_start(&start(&sid, &BusinessId::parse("acme").unwrap()))
        .await
        .unwrap();
    b.store
        .set_recording_status(&sid, "completed")
        .await
        .unwrap();
    b.store.store_gathered_digits(&sid, "123456").await.unwrap();
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.recording_status.as_deref(), Some("completed"));
    assert_eq!(call.gathered_digits.as_deref(), Some("123456"));
    assert_eq!(call.status, CallStatus::Ringing);
}

pub async fn call_attempts_are_counted_atomically_per_minute(b: &Backends) {
    let biz = BusinessId::parse(&format!("rate-{}", unique())).unwrap();
    let minute = T0.unix_timestamp();
    let counts = (0..10).map(|_| {
        let store = b.store.clone();
        let biz = biz.clone();
        tokio::spawn(async move {
            store
                .count_call_attempt(&biz, "+972501234567", minute)
                .await
                .unwrap()
        })
    });
    let mut seen = Vec::new();
    for count in counts {
        seen.push(count.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=10).collect::<Vec<u64>>());
    assert_eq!(
        b.store
            .count_call_attempt(&biz, "+972501234567", minute + 60)
            .await
            .unwrap(),
        1,
        "a new minute starts at 1"
    );
    assert_eq!(
        b.store
            .count_call_attempt(&biz, "+972509999999", minute)
            .await
            .unwrap(),
        1,
        "counted per caller"
    );
}

pub async fn blobs_round_trip_with_type_length_and_etag(b: &Backends) {
    let key = format!("greetings/contract-{}.mp3", unique());
    assert_eq!(b.blobs.head(&key).await.unwrap(), None);
    assert_eq!(b.blobs.get(&key).await.unwrap(), None);
    let body = Bytes::from_static(b"\xff\xfb\x90\x64 fake mp3 frame");
    let meta = b.blobs.put(&key, body.clone(), "audio/mpeg").await.unwrap();
    assert_eq!(meta.content_length, body.len() as u64);
    assert!(
        meta.etag.starts_with('"') && meta.etag.ends_with('"'),
        "{}",
        meta.etag
    );
    let head = b.blobs.head(&key).await.unwrap().unwrap();
    assert_eq!(head, meta);
    assert_eq!(head.content_type, "audio/mpeg");
    let blob = b.blobs.get(&key).await.unwrap().unwrap();
    assert_eq!(blob.body, body);
    assert_eq!(blob.meta, meta);
    let changed = b
        .blobs
        .put(&key, Bytes::from_static(b"other"), "audio/mpeg")
        .await
        .unwrap();
    assert_ne!(changed.etag, meta.etag, "new content, new etag");
}

pub async fn queue_accepts_messages_and_repeats(b: &Backends) {
    let message = OutboundMessage {
        queue: QueueName::Recordings,
        dedup_id: format!("CA{}:RE1", unique()),
        body: r#"{"call_sid":"CA1"}"#.into(),
    };
    b.queue.send(&message).await.unwrap();
    b.queue.send(&message).await.unwrap();
}

pub async fn an_api_key_resolves_to_its_business_by_hash_only(b: &Backends) {
    use frontdesk::domain::ApiKey;
    let owner = business(vec![]);
    let other = business(vec![]);
    let key = ApiKey::generate().unwrap();
    let second = ApiKey::generate().unwrap();
    b.store
        .put_api_key(&owner.id, &key.hash(), T0)
        .await
        .unwrap();
    b.store
        .put_api_key(&owner.id, &second.hash(), T0)
        .await
        .unwrap();
    b.store
        .put_api_key(&owner.id, &key.hash(), T0)
        .await
        .expect("storing the same key again is harmless");
    assert_eq!(
        b.store.business_by_api_key(&key.hash()).await.unwrap(),
        Some(owner.id.clone())
    );
    assert_eq!(
        b.store.business_by_api_key(&second.hash()).await.unwrap(),
        Some(owner.id.clone()),
        "a business may hold two keys while rotating"
    );
    assert!(matches!(
        b.store.put_api_key(&other.id, &key.hash(), T0).await,
        Err(StoreError::ApiKeyTaken)
    ));
    let unknown = ApiKey::generate().unwrap();
    assert_eq!(
        b.store.business_by_api_key(&unknown.hash()).await.unwrap(),
        None
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

pub async fn delivery_logs_and_webhook_secrets_round_trip(b: &Backends) {
    use frontdesk::config::Secret;
    use frontdesk::domain::{DeliveryAttempt, DeliveryLog, DeliveryState};
    let owner = business(vec![]);
    assert!(b.store.webhook_secret(&owner.id).await.unwrap().is_none());
    let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    b.store
        .put_webhook_secret(&owner.id, &secret)
        .await
        .unwrap();
    assert_eq!(
        b.store.webhook_secret(&owner.id).await.unwrap(),
        Some(secret)
    );

    let sid = call_sid();
    let event_id = format!("evt_{sid}_completed");
    assert!(b.store.delivery(&sid, &event_id).await.unwrap().is_none());
    let mut log = DeliveryLog {
        event_id: event_id.clone(),
        event_type: "call.completed".into(),
        call_sid: sid.clone(),
        business_id: Some(owner.id.clone()),
        url: Some("https://crm.example.com/hooks".into()),
        route: "inbound_webhook_url".into(),
        state: DeliveryState::Retrying,
        attempts: vec![DeliveryAttempt {
            at: T0,
            status_code: Some(500),
            error: None,
            latency_ms: 12,
        }],
    };
    b.store.put_delivery(&log).await.unwrap();
    log.state = DeliveryState::Delivered;
    log.attempts.push(DeliveryAttempt {
        at: T0 + Duration::seconds(30),
        status_code: Some(200),
        error: None,
        latency_ms: 8,
    });
    b.store.put_delivery(&log).await.unwrap();
    assert_eq!(b.store.delivery(&sid, &event_id).await.unwrap(), Some(log));
    assert!(
        b.store.call_events(&sid).await.unwrap().is_empty(),
        "a delivery log is not a status event"
    );
}

pub async fn calls_are_listed_newest_first_filtered_and_paged(b: &Backends) {
    use frontdesk::store::CallQuery;
    let other = business(vec![]);
    let business = business(vec![]);
    let mut sids = Vec::new();
    for minute in 0..5 {
        let sid = call_sid();
        let mut s = start(&sid, &business.id);
        s.started_at = T0 + Duration::minutes(minute);
        s.direction = if minute == 2 {
            Direction::OutboundApi
        } else {
            Direction::Inbound
        };
        b.store.record_call_start(&s).await.unwrap();
        sids.push(sid);
    }
    b.store
        .apply_call_status(&update(&sids[4], CallStatus::Completed, None))
        .await
        .unwrap();
    b.store
        .record_call_start(&start(&call_sid(), &other.id))
        .await
        .unwrap();

    let query = |limit| CallQuery {
        limit,
        ..CallQuery::default()
    };
    let first = b.store.list_calls(&business.id, &query(2)).await.unwrap();
    let seen: Vec<_> = first.calls.iter().map(|c| c.sid.clone()).collect();
    assert_eq!(seen, vec![sids[4].clone(), sids[3].clone()], "newest first");
    let second = b
        .store
        .list_calls(
            &business.id,
            &CallQuery {
                after: first.next.clone(),
                ..query(2)
            },
        )
        .await
        .unwrap();
    let seen: Vec<_> = second.calls.iter().map(|c| c.sid.clone()).collect();
    assert_eq!(seen, vec![sids[2].clone(), sids[1].clone()]);
    let last = b
        .store
        .list_calls(
            &business.id,
            &CallQuery {
                after: second.next.clone(),
                ..query(2)
            },
        )
        .await
        .unwrap();
    assert_eq!(last.calls.len(), 1);
    assert_eq!(last.next, None, "no page after the last");

    let outbound = b
        .store
        .list_calls(
            &business.id,
            &CallQuery {
                direction: Some(Direction::OutboundApi),
                ..query(10)
            },
        )
        .await
        .unwrap();
    assert_eq!(outbound.calls.len(), 1);
    assert_eq!(outbound.calls[0].sid, sids[2]);
    let completed = b
        .store
        .list_calls(
            &business.id,
            &CallQuery {
                status: Some(CallStatus::Completed),
                ..query(10)
            },
        )
        .await
        .unwrap();
    assert_eq!(completed.calls.len(), 1);
    assert_eq!(completed.calls[0].sid, sids[4]);
    let recent = b
        .store
        .list_calls(
            &business.id,
            &CallQuery {
                since: Some(T0 + Duration::minutes(3)),
                ..query(10)
            },
        )
        .await
        .unwrap();
    assert_eq!(recent.calls.len(), 2);
}

/// One `#[tokio::test]` per contract function, for a backend built by `$make` (an async fn
/// returning `Backends`).
#[macro_export]
macro_rules! contract_tests {
    ($make:path) => {
        $crate::contract_tests!(@each $make;
            business_is_found_by_id_and_by_each_number,
            a_number_held_by_another_business_is_refused,
            updating_a_business_frees_the_numbers_it_dropped,
            deleting_a_business_frees_its_numbers_and_revokes_its_keys,
            businesses_are_listed_by_id,
            a_repeated_call_start_changes_nothing,
            a_status_callback_before_the_start_creates_the_call,
            five_statuses_in_every_order_end_in_the_same_state,
            a_duplicate_status_callback_stores_one_event,
            events_come_back_in_sequence_order,
            a_recording_is_attached_once,
            a_recording_for_an_unknown_call_creates_it,
            transcription_off_marks_the_recording_skipped,
            only_one_concurrent_claim_wins,
            the_backlog_holds_pending_and_stale_queued_calls,
            recording_status_and_digits_are_kept,
            call_attempts_are_counted_atomically_per_minute,
            blobs_round_trip_with_type_length_and_etag,
            queue_accepts_messages_and_repeats,
            an_inbound_message_delivered_three_times_is_stored_once,
            sent_delivered_and_read_in_every_order_end_read_with_every_time,
            late_delivered_never_overwrites_read,
            an_error_code_is_never_erased_by_a_later_callback,
            a_status_before_the_message_creates_it_and_the_message_fills_it,
            a_conversation_is_listed_newest_first_in_pages,
            racing_status_callbacks_never_move_a_status_backwards,
            an_api_key_resolves_to_its_business_by_hash_only,
            a_transcription_finishes_once_and_leaves_the_backlog,
            a_failed_transcription_keeps_its_reason_and_the_copy,
            delivery_logs_and_webhook_secrets_round_trip,
            calls_are_listed_newest_first_filtered_and_paged
        );
    };
    (@each $make:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let backends = $make().await;
                contract::$name(&backends).await;
            }
        )*
    };
}
