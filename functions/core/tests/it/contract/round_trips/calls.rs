//! Calls: what the voice webhooks accept (parties, caller names, statuses, durations, Twilio's
//! timestamps, recordings, digits) and the transcript the transcription API returns, read
//! back through the call list, a customer's calls, the call itself, its events, its media
//! and the inbox's search.

use std::sync::Arc;

use frontdesk::domain::call::status_advances;
use frontdesk::domain::{
    BusinessId, CallSid, CallStart, CallStatus, Direction, RecordingSid, StatusUpdate,
    TranscriptionOutcome, TranscriptionState,
};
use frontdesk::http::{FormParams, MAX_FORM_BODY};
use frontdesk::store::find::{Activity, SearchQuery, SearchTerm};
use frontdesk::store::{CallQuery, Store};
use frontdesk::twilio::params;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use time::format_description::well_known::Rfc2822;
use time::{OffsetDateTime, UtcOffset};

use super::{check, e164, fresh, text, Outcome, Stored};
use crate::contract::Backends;

/// The longest value one form field can carry: the whole body is at most
/// [`MAX_FORM_BODY`], and the CallSid and the field's name take a little of it.
pub const FORM_FIELD: usize = MAX_FORM_BODY - 256;

/// A party as Twilio writes `From` or `To`: mostly E.164, else what a SIP or client leg or
/// a withheld number gives, or anything else.
fn party() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => e164(),
        1 => Just("anonymous".to_string()),
        1 => "(sip|client):[a-z0-9._@-]{1,40}",
        1 => text(FORM_FIELD),
    ]
}

/// A number as a client or provider may send it: digits of any size, signs, words.
fn count() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u32>().prop_map(|n| n.to_string()),
        Just("0".to_string()),
        Just(u32::MAX.to_string()),
        Just("-1".to_string()),
        Just("1000000000000".to_string()),
        Just("4294967296".to_string()),
        text(24),
    ]
}

/// Twilio's `Timestamp` (RFC 2822) at any instant it can write, any offset, or garbage; the
/// edge reads it as `callback_time` does.
pub fn callback_timestamp() -> impl Strategy<Value = String> {
    let written = (
        OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT).unix_timestamp()
            ..=OffsetDateTime::new_utc(time::Date::MAX, time::Time::MIDNIGHT).unix_timestamp(),
        -(25 * 60 + 59)..=25 * 60 + 59,
    )
        .prop_filter_map("an instant RFC 2822 can write", |(seconds, minutes)| {
            let offset = UtcOffset::from_whole_seconds(minutes * 60).ok()?;
            OffsetDateTime::from_unix_timestamp(seconds)
                .ok()?
                .checked_to_offset(offset)?
                .format(&Rfc2822)
                .ok()
        });
    prop_oneof![
        6 => written,
        1 => Just("Sat, 01 Jan 1900 00:00:00 +0000".to_string()),
        1 => Just("Fri, 31 Dec 9999 23:59:59 -2359".to_string()),
        1 => text(40),
    ]
}

fn status() -> impl Strategy<Value = CallStatus> {
    prop::sample::select(CallStatus::ALL.to_vec())
}

fn direction() -> impl Strategy<Value = Direction> {
    prop::sample::select(vec![
        Direction::Inbound,
        Direction::OutboundApi,
        Direction::OutboundDial,
    ])
}

/// The form fields of one call's webhooks, as Twilio could send them.
#[derive(Clone, Debug)]
pub struct CallFields {
    from: String,
    to: String,
    direction: Direction,
    caller_name: Option<String>,
    first_status: CallStatus,
    last_status: CallStatus,
    sequence: String,
    call_duration: String,
    timestamp: String,
    sip_response_code: Option<String>,
    answered_by: Option<String>,
    recording_url: String,
    recording_sid: String,
    recording_duration: String,
    recording_digits: Option<String>,
    recording_status: String,
    gathered_digits: String,
    transcript: String,
    language: Option<String>,
}

fn call_fields() -> impl Strategy<Value = CallFields> {
    let parties = (
        party(),
        party(),
        direction(),
        prop::option::of(text(FORM_FIELD)),
    );
    let statuses = (status(), status(), count(), count(), callback_timestamp());
    let answers = (
        prop::option::of(text(FORM_FIELD)),
        prop::option::of(text(FORM_FIELD)),
    );
    let recording = (
        text(FORM_FIELD),
        "RE[A-Za-z0-9_-]{1,62}",
        count(),
        prop::option::of(text(FORM_FIELD)),
        text(FORM_FIELD),
        text(FORM_FIELD),
    );
    let transcript = (text(FORM_FIELD), prop::option::of(text(40)));
    (parties, statuses, answers, recording, transcript).prop_map(
        |(
            (from, to, direction, caller_name),
            (first_status, last_status, sequence, call_duration, timestamp),
            (sip_response_code, answered_by),
            (
                recording_url,
                recording_sid,
                recording_duration,
                recording_digits,
                recording_status,
                gathered_digits,
            ),
            (transcript, language),
        )| CallFields {
            from,
            to,
            direction,
            caller_name,
            first_status,
            last_status,
            sequence,
            call_duration,
            timestamp,
            sip_response_code,
            answered_by,
            recording_url,
            recording_sid,
            recording_duration,
            recording_digits,
            recording_status,
            gathered_digits,
            transcript,
            language,
        },
    )
}

fn form(pairs: &[(&str, Option<&str>)]) -> FormParams {
    FormParams::from_pairs(
        pairs
            .iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v.to_string())))
            .collect(),
    )
}

/// A number field as the handlers read it: `parse().ok()` of the trimmed value.
fn number_field(raw: &str) -> Option<u32> {
    form(&[("N", Some(raw))])
        .non_empty("N")
        .and_then(|n| n.parse().ok())
}

pub async fn every_call_a_webhook_can_start_reads_back_through_the_call_list(b: &Backends) {
    check(b, call_fields(), call_round_trip).await;
}

/// The incoming call, its final status callback, the recording, its status, gathered digits
/// and the transcript, written as the handlers and the transcriber write them.
async fn call_round_trip(store: Arc<dyn Store>, fields: CallFields) -> Outcome {
    let business = BusinessId::parse(&format!("rt-call-{}", fresh())).unwrap();
    let sid = CallSid::parse(&format!("CArt{}", fresh())).unwrap();
    let start = CallStart {
        sid: sid.clone(),
        business_id: business.clone(),
        from: fields.from.clone(),
        to: fields.to.clone(),
        direction: fields.direction,
        caller_name: fields.caller_name.clone(),
        status: fields.first_status,
        started_at: OffsetDateTime::now_utc(),
        placed: None,
    };
    store.record_call_start(&start).await.stored("call start")?;
    let callback = form(&[("Timestamp", Some(&fields.timestamp))]);
    let update = StatusUpdate {
        sid: sid.clone(),
        status: fields.last_status,
        sequence: number_field(&fields.sequence),
        business_id: Some(business.clone()),
        from: Some(fields.from.clone()),
        to: Some(fields.to.clone()),
        direction: fields.direction,
        duration_seconds: number_field(&fields.call_duration),
        at: params::callback_time(&callback),
        sip_response_code: fields.sip_response_code.clone(),
        answered_by: fields.answered_by.clone(),
    };
    let advanced = store.apply_call_status(&update).await.stored("status")?;
    let recorded = form(&[
        ("RecordingUrl", Some(&fields.recording_url)),
        ("RecordingSid", Some(&fields.recording_sid)),
        ("RecordingDuration", Some(&fields.recording_duration)),
        ("Digits", fields.recording_digits.as_deref()),
    ]);
    let recording = params::recording(&recorded);
    prop_assert_eq!(
        recording.as_ref().map(|r| r.sid.clone()),
        RecordingSid::parse(&fields.recording_sid).ok(),
        "the RecordingSid field names the recording"
    );
    if let Some(recording) = &recording {
        store
            .attach_recording(&sid, recording, true, start.started_at)
            .await
            .stored("recording")?;
    }
    store
        .set_recording_status(&sid, &fields.recording_status)
        .await
        .stored("recording status")?;
    store
        .store_gathered_digits(&sid, &fields.gathered_digits)
        .await
        .stored("digits")?;
    let outcome = TranscriptionOutcome::Ready {
        transcript: fields.transcript.clone(),
        language: fields.language.clone(),
    };
    if recording.is_some() {
        let finished = store
            .finish_transcription(&sid, &outcome, start.started_at)
            .await
            .stored("transcript")?;
        prop_assert!(finished, "a pending transcription finishes");
    }

    // What the inbox and the calls API show: the business's list, then the call itself.
    let page = store
        .list_calls(
            &business,
            &CallQuery {
                limit: 10,
                ..CallQuery::default()
            },
        )
        .await
        .stored("call list")?;
    prop_assert_eq!(page.calls.len(), 1, "the business's one call is listed");
    let listed = &page.calls[0];
    let read = store.call(&sid).await.stored("call")?;
    prop_assert_eq!(
        read.as_ref(),
        Some(listed),
        "the list shows the call as stored"
    );

    // The start's status, then the callback's as the status ranking allows it.
    let moves = status_advances(
        Some((fields.first_status, None)),
        update.status,
        update.sequence,
    );
    prop_assert_eq!(advanced, moves && fields.first_status != update.status);
    prop_assert_eq!(&listed.from, &Some(fields.from.clone()));
    prop_assert_eq!(&listed.to, &Some(fields.to.clone()));
    prop_assert_eq!(listed.direction, fields.direction);
    prop_assert_eq!(&listed.caller_name, &fields.caller_name);
    prop_assert_eq!(listed.started_at, Some(start.started_at));
    let (status, sequence) = if moves {
        (update.status, update.sequence)
    } else {
        (fields.first_status, None)
    };
    prop_assert_eq!(listed.status, status);
    prop_assert_eq!(listed.status_sequence, sequence);
    let (ended_at, duration) = if moves && update.status.is_final() {
        (Some(update.at), update.duration_seconds)
    } else if fields.first_status.is_final() {
        (Some(start.started_at), None)
    } else {
        (None, None)
    };
    prop_assert_eq!(listed.ended_at, ended_at);
    prop_assert_eq!(listed.duration_seconds, duration);
    prop_assert_eq!(&listed.answered_by, &fields.answered_by);
    prop_assert_eq!(&listed.recording, &recording);
    prop_assert_eq!(
        listed.recording_status.as_deref(),
        Some(fields.recording_status.as_str())
    );
    prop_assert_eq!(
        listed.gathered_digits.as_deref(),
        Some(fields.gathered_digits.as_str())
    );
    prop_assert_eq!(
        listed.transcription,
        recording.as_ref().map(|_| TranscriptionState::Ready)
    );

    // The events the call's page lists: the one status callback, at Twilio's time.
    let events = store.call_events(&sid).await.stored("call events")?;
    prop_assert_eq!(events.len(), 1, "one callback, one event: {:?}", events);
    prop_assert_eq!(events[0].status, update.status);
    prop_assert_eq!(events[0].sequence, update.sequence);
    prop_assert_eq!(events[0].at, update.at);
    prop_assert_eq!(events[0].duration_seconds, update.duration_seconds);

    // The transcript the call's page plays beside the recording.
    let media = store.call_media(&sid).await.stored("call media")?;
    if recording.is_some() {
        let media = media.ok_or_else(|| TestCaseError::fail("no media for a transcribed call"))?;
        prop_assert_eq!(
            media.transcript.as_deref(),
            Some(fields.transcript.as_str())
        );
        prop_assert_eq!(&media.language, &fields.language);
    }

    // A customer's timeline, when the call has one (an E.164 party on the customer's side).
    if let Some(contact) = listed.contact() {
        let theirs = store
            .calls_with(&business, &contact, None, 10)
            .await
            .stored("customer's calls")?;
        prop_assert_eq!(
            &theirs.calls,
            &page.calls,
            "the customer's calls are the call"
        );
        let customers = store
            .list_contacts(&business, None, 10)
            .await
            .stored("customers")?;
        prop_assert_eq!(customers.contacts.len(), 1);
        prop_assert_eq!(&customers.contacts[0].number, &contact);
    }

    // The inbox's search finds the call by its caller's name and by its transcript.
    let words = [
        fields.caller_name.as_deref(),
        recording.as_ref().map(|_| fields.transcript.as_str()),
    ];
    for said in words.into_iter().flatten() {
        search_finds(store.as_ref(), &business, said, Activity::Call(sid.clone())).await?;
    }
    Ok(())
}

/// Searching the business for the start of `said`, as someone would type it, finds `activity`
/// and nothing else (nothing when `said` has no searchable start).
pub async fn search_finds(
    store: &dyn Store,
    business: &BusinessId,
    said: &str,
    activity: Activity,
) -> Outcome {
    let Some(term) = search_term(said) else {
        return Ok(());
    };
    let query = SearchQuery {
        term: term.clone(),
        after: None,
        limit: 10,
        budget: 100,
    };
    let found = store.search(business, &query).await.stored("search")?;
    prop_assert_eq!(
        found.hits.into_iter().map(|h| h.found).collect::<Vec<_>>(),
        vec![activity],
        "searching {:?} finds it",
        term
    );
    Ok(())
}

/// The start of `said` as someone would type it into the search: its first 100 characters.
pub fn search_term(said: &str) -> Option<SearchTerm> {
    let typed: String = said.trim().chars().take(SearchTerm::MAX_CHARS).collect();
    SearchTerm::parse(&typed).ok()
}
