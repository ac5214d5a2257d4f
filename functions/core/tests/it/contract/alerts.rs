//! Owner alerts: a record claimed once and updated, a business's newest records, a call's
//! triage beside its transcript, and Lookup answers per number.

use frontdesk::domain::{
    AlertAttempt, AlertKind, AlertRecord, AlertState, Intent, Triage, TriageSource, Urgency,
};
use jiff::{SignedDuration, Timestamp};

use super::{business, call_sid, number, start, Backends};

fn record(business: &frontdesk::domain::BusinessId, key: &str, at: Timestamp) -> AlertRecord {
    AlertRecord {
        business_id: business.clone(),
        key: key.into(),
        kind: AlertKind::Voicemail,
        recipient: "sms:+972501234567".into(),
        state: AlertState::Retrying,
        urgency: Urgency::High,
        note: None,
        attempts: Vec::new(),
        created_at: at,
        updated_at: at,
    }
}

pub async fn an_alert_is_claimed_once_and_its_attempts_kept(b: &Backends) {
    let owner = business(vec![]);
    let t0: Timestamp = "2026-11-29T10:00:00.5Z".parse().unwrap();
    let first = record(&owner.id, "CA1:alert:sms:+972501234567", t0);
    assert!(b.store.claim_alert(&first).await.unwrap());
    assert!(
        !b.store.claim_alert(&first).await.unwrap(),
        "a second delivery of the same alert finds it claimed"
    );
    let mut sent = first.clone();
    sent.state = AlertState::Sent;
    sent.attempts.push(AlertAttempt {
        at: t0,
        id: Some("SM1".into()),
        error: None,
    });
    b.store.put_alert(&sent).await.unwrap();
    assert_eq!(
        b.store.alert(&owner.id, &first.key).await.unwrap(),
        Some(sent)
    );
    assert_eq!(b.store.alert(&owner.id, "CA2:alert:x").await.unwrap(), None);
    let other = business(vec![]);
    assert_eq!(
        b.store.alert(&other.id, &first.key).await.unwrap(),
        None,
        "records are the business's own"
    );
}

pub async fn a_businesss_newest_alerts_come_first(b: &Backends) {
    let owner = business(vec![]);
    let t0: Timestamp = "2026-11-29T10:00:00Z".parse().unwrap();
    for i in 0..5i64 {
        let at = t0 + SignedDuration::from_mins(i);
        assert!(b
            .store
            .claim_alert(&record(&owner.id, &format!("CA{i}:alert:sms"), at))
            .await
            .unwrap());
    }
    let recent = b.store.recent_alerts(&owner.id, 3).await.unwrap();
    let keys: Vec<&str> = recent.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["CA4:alert:sms", "CA3:alert:sms", "CA2:alert:sms"]);
    assert!(b
        .store
        .recent_alerts(&business(vec![]).id, 10)
        .await
        .unwrap()
        .is_empty());
}

pub async fn a_calls_triage_is_kept_with_its_transcript(b: &Backends) {
    let owner = business(vec![]);
    let sid = call_sid();
    b.store
        .record_call_start(&start(&sid, &owner.id))
        .await
        .unwrap();
    let triage = Triage {
        summary: Some("דנה מבקשת תור".into()),
        intent: Some(Intent::Booking),
        urgency: Urgency::High,
        callback: Some(number()),
        source: TriageSource::Model,
        reasons: vec!["keyword: דחוף".into()],
        spam: None,
        caller_name: Some("DANA".into()),
        line_type: Some("mobile".into()),
    };
    b.store.set_call_triage(&sid, &triage).await.unwrap();
    b.store
        .set_recording_copy(&sid, "recordings/x.mp3")
        .await
        .unwrap();
    let media = b.store.call_media(&sid).await.unwrap().unwrap();
    assert_eq!(media.triage, Some(triage));
    assert_eq!(media.recording_key.as_deref(), Some("recordings/x.mp3"));
    let plain = call_sid();
    b.store
        .record_call_start(&start(&plain, &owner.id))
        .await
        .unwrap();
    b.store
        .set_recording_copy(&plain, "recordings/y.mp3")
        .await
        .unwrap();
    assert_eq!(
        b.store.call_media(&plain).await.unwrap().unwrap().triage,
        None
    );
}

pub async fn a_lookup_is_kept_per_number(b: &Backends) {
    let caller = number();
    assert_eq!(b.store.caller_lookup(&caller).await.unwrap(), None);
    let lookup = frontdesk::domain::CallerLookup {
        number: caller.clone(),
        caller_name: Some("ACME ROBO".into()),
        line_type: Some("nonFixedVoip".into()),
        at: "2026-11-29T10:00:00Z".parse().unwrap(),
    };
    b.store.put_caller_lookup(&lookup).await.unwrap();
    assert_eq!(b.store.caller_lookup(&caller).await.unwrap(), Some(lookup));
}
