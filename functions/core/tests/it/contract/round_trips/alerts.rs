//! Owner alerts: a business's alert records (to any recipient an operator can set — a number
//! or any address the email parser takes, Unicode included — with a note and each attempt's
//! provider id and error text) read back by key and through the business's recent alerts; a
//! Lookup answer's caller name and line type read back per number; and a call's triage (its
//! summary, reasons, callback number, spam note, caller name) read back through the call's
//! media.

use std::sync::Arc;

use frontdesk::domain::{
    AlertAttempt, AlertKind, AlertRecord, AlertState, BusinessId, CallerLookup, Intent,
    PhoneNumber, Recipient, Triage, TriageSource, Urgency,
};
use frontdesk::store::{Store, RECENT_ALERTS};
use proptest::prelude::*;

use super::follow_ups::error_text;
use super::{check, e164, fresh, instant, text, Outcome, Stored};
use crate::contract::{call_sid, number, start, Backends};

/// The longest summary the rules or a model's checked answer keep, in characters.
const SUMMARY_CHARS: usize = 300;

/// One character of an email address: anything but what the parser refuses there.
fn address_char() -> impl Strategy<Value = char> {
    super::character().prop_filter("a character an address may hold", |c| {
        !(c.is_whitespace() || c.is_control() || "<>,;\"()[]\\@.".contains(*c))
    })
}

fn email() -> impl Strategy<Value = String> {
    let part = |most| prop::collection::vec(address_char(), 1..most).prop_map(String::from_iter);
    (part(40), prop::collection::vec(part(12), 2..5))
        .prop_map(|(local, labels)| format!("{local}@{}", labels.join(".")))
}

/// A recipient as the alert settings' parser makes it.
fn recipient() -> impl Strategy<Value = Recipient> {
    prop_oneof![
        e164().prop_map(|n| ("whatsapp", n)),
        e164().prop_map(|n| ("sms", n)),
        email().prop_map(|e| ("email", e)),
    ]
    .prop_filter_map("a recipient the settings take", |(channel, to)| {
        Recipient::parse(channel, &to).ok()
    })
}

fn attempt() -> impl Strategy<Value = AlertAttempt> {
    (
        instant(),
        prop::option::of(prop_oneof!["(SM|MM)[A-Za-z0-9]{32}", text(256)]),
        prop::option::of(error_text()),
    )
        .prop_map(|(at, id, error)| AlertAttempt { at, id, error })
}

#[derive(Clone, Debug)]
pub struct Alert {
    what: String,
    /// `None`: a screened call's record, which has no recipient.
    recipient: Option<Recipient>,
    kind: AlertKind,
    state: AlertState,
    urgency: Urgency,
    note: Option<String>,
    attempts: Vec<AlertAttempt>,
    created_at: jiff::Timestamp,
    updated_at: jiff::Timestamp,
}

fn urgency() -> impl Strategy<Value = Urgency> {
    prop::sample::select(Urgency::ALL.to_vec())
}

fn alert() -> impl Strategy<Value = Alert> {
    let kind = prop::sample::select(vec![
        AlertKind::Voicemail,
        AlertKind::VoicemailUntranscribed,
        AlertKind::MissedCall,
        AlertKind::AppointmentBooked,
        AlertKind::AppointmentCancelled,
        AlertKind::Digest,
        AlertKind::Test,
    ]);
    let state = prop::sample::select(vec![
        AlertState::Held,
        AlertState::Retrying,
        AlertState::Sent,
        AlertState::Failed,
        AlertState::Screened,
        AlertState::Skipped,
    ]);
    let what = prop_oneof![
        "evt_CA[0-9a-f]{32}_(completed|no-answer|busy)",
        "digest:2[0-9]{3}-[01][0-9]-[0-3][0-9]",
        "CA[0-9a-f]{32}:alert",
    ];
    (
        (what, prop::option::of(recipient()), kind, state, urgency()),
        prop::option::of(text(1024)),
        prop::collection::vec(attempt(), 0..5),
        instant(),
        instant(),
    )
        .prop_map(
            |((what, recipient, kind, state, urgency), note, attempts, created_at, updated_at)| {
                Alert {
                    what,
                    recipient,
                    kind,
                    state,
                    urgency,
                    note,
                    attempts,
                    created_at,
                    updated_at,
                }
            },
        )
}

pub async fn every_alert_record_reads_back_by_key_and_in_the_businesss_recent_alerts(b: &Backends) {
    check(b, prop::collection::vec(alert(), 1..4), alerts_round_trip).await;
}

async fn alerts_round_trip(store: Arc<dyn Store>, alerts: Vec<Alert>) -> Outcome {
    let business = BusinessId::parse(&format!("rt-alert-{}", fresh())).unwrap();
    let mut stored = Vec::new();
    for (i, alert) in alerts.into_iter().enumerate() {
        let recipient = alert
            .recipient
            .as_ref()
            .map(Recipient::key)
            .unwrap_or_default();
        // Each record's own `what` (one event): a key the business holds once.
        let key = format!("{}{i}/{recipient}", alert.what);
        let claimed = AlertRecord {
            business_id: business.clone(),
            key: key.clone(),
            kind: alert.kind,
            recipient,
            state: AlertState::Retrying,
            urgency: alert.urgency,
            note: None,
            attempts: Vec::new(),
            created_at: alert.created_at,
            updated_at: alert.created_at,
        };
        prop_assert!(store.claim_alert(&claimed).await.stored("claim")?);
        prop_assert!(
            !store.claim_alert(&claimed).await.stored("claim again")?,
            "a second delivery finds the alert claimed"
        );
        let attempted = AlertRecord {
            state: alert.state,
            note: alert.note,
            attempts: alert.attempts,
            updated_at: alert.updated_at,
            ..claimed
        };
        store.put_alert(&attempted).await.stored("attempt")?;
        let read = store.alert(&business, &key).await.stored("alert")?;
        prop_assert_eq!(read.as_ref(), Some(&attempted));
        stored.push(attempted);
    }
    // `doctor` and the inbox: newest first, ties by key, the newest kept.
    stored.sort_by(|a, b| (b.created_at, &b.key).cmp(&(a.created_at, &a.key)));
    prop_assert_eq!(
        store
            .recent_alerts(&business, RECENT_ALERTS)
            .await
            .stored("recent alerts")?,
        stored
    );
    Ok(())
}

/// What Twilio Lookup may answer for a caller's name or line type: any text, or none.
fn looked_up() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof!["[A-Z][A-Z ,.'-]{0,30}", text(1024)])
}

#[derive(Clone, Debug)]
pub struct Assessed {
    lookups: Vec<(Option<String>, Option<String>, jiff::Timestamp)>,
    triage: Triage,
}

/// A summary as the summariser keeps it: at most [`SUMMARY_CHARS`] characters.
fn summary() -> impl Strategy<Value = String> {
    text(4 * SUMMARY_CHARS).prop_map(|s| s.chars().take(SUMMARY_CHARS).collect())
}

fn triage() -> impl Strategy<Value = Triage> {
    let what = (
        prop::option::of(summary()),
        prop::option::of(prop::sample::select(Intent::ALL.to_vec())),
        urgency(),
        prop::option::of(e164().prop_map(|n| PhoneNumber::parse(&n).expect("E.164"))),
        prop::sample::select(vec![TriageSource::Model, TriageSource::Rules]),
    );
    let why = (
        prop::collection::vec(text(512), 0..4),
        prop::option::of(text(512)),
        looked_up(),
        looked_up(),
    );
    (what, why).prop_map(
        |(
            (summary, intent, urgency, callback, source),
            (reasons, spam, caller_name, line_type),
        )| {
            Triage {
                summary,
                intent,
                urgency,
                callback,
                source,
                reasons,
                spam,
                caller_name,
                line_type,
            }
        },
    )
}

fn assessed() -> impl Strategy<Value = Assessed> {
    (
        prop::collection::vec((looked_up(), looked_up(), instant()), 1..3),
        triage(),
    )
        .prop_map(|(lookups, triage)| Assessed { lookups, triage })
}

pub async fn every_lookup_and_triage_reads_back_per_number_and_with_its_call(b: &Backends) {
    check(b, assessed(), assessed_round_trip).await;
}

async fn assessed_round_trip(store: Arc<dyn Store>, assessed: Assessed) -> Outcome {
    // Lookup answers are the whole deployment's, per number: a number of the case's own, looked
    // up again (the answer replaced) as often as generated.
    let caller = number();
    for (caller_name, line_type, at) in &assessed.lookups {
        let lookup = CallerLookup {
            number: caller.clone(),
            caller_name: caller_name.clone(),
            line_type: line_type.clone(),
            at: *at,
        };
        store.put_caller_lookup(&lookup).await.stored("lookup")?;
        prop_assert_eq!(
            store.caller_lookup(&caller).await.stored("caller lookup")?,
            Some(lookup)
        );
    }

    let business = BusinessId::parse(&format!("rt-triage-{}", fresh())).unwrap();
    let sid = call_sid();
    store
        .record_call_start(&start(&sid, &business))
        .await
        .stored("call start")?;
    store
        .set_call_triage(&sid, &assessed.triage)
        .await
        .stored("triage")?;
    let media = store.call_media(&sid).await.stored("call media")?;
    prop_assert_eq!(
        media.and_then(|m| m.triage),
        Some(assessed.triage),
        "the call's page shows its triage"
    );
    Ok(())
}
