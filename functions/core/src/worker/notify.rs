//! The `notify` consumer: business events about calls and appointments (each first turned
//! into the owner's alerts, [`crate::alerts`]), signed per Standard Webhooks, delivered to the URL the routing rules choose, with a delivery log per event kept
//! with its subject.
//!
//! Routing (note 002): an inbound call goes to `inbound_webhook_url`, an outbound one
//! (`outbound-api`, `outbound-dial`) to `outbound_webhook_url`, each falling back to
//! `generic_webhook_url`. An appointment's event goes to `generic_webhook_url`. With none set
//! the event is logged and recorded as skipped.
//!
//! Retries: 5xx, 408, 429, timeouts and connection errors are retried with backoff through the
//! queue (one attempt per receive, each logged); any other answer ends the delivery. The same
//! event is never delivered twice once it has succeeded, and every attempt carries the same
//! `webhook-id`, so receivers can drop repeats too.

use std::time::{Duration, Instant};

use serde_json::json;
use time::OffsetDateTime;
use tracing::field::Empty;
use tracing::{error, info, warn, Instrument};

use super::media::describe;
use super::signing;
use super::{backoff, Disposition, Received, Worker};
use crate::domain::time::format_time;
use crate::domain::{Business, BusinessId, Channel, Direction, TranscriptionState};
use crate::domain::{Call, DeliveryAttempt, DeliveryLog, DeliveryState, Subject};
use crate::jobs::{
    AppointmentEvent, AppointmentJob, CallJob, EventType, FollowUpJob, NotifyJob, NotifyMessage,
    Trigger,
};

mod payload;

pub use payload::{appointment_data, call_completed_data, recording_link};

/// Receives before the dead-letter queue (template.yaml `NotifyQueue` redrive policy).
pub const MAX_RECEIVES: u32 = 8;
/// The first wait after a retryable answer; doubled on each receive.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(30);

/// Where an event goes, and why there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    pub url: String,
    /// The setting used, with the fallback noted: `outbound_webhook_url`,
    /// `generic_webhook_url (fallback: outbound_webhook_url not set)`.
    pub why: String,
}

fn set(url: &Option<String>) -> Option<&str> {
    url.as_deref().map(str::trim).filter(|u| !u.is_empty())
}

/// Note 002's routing. `Err` says which settings are missing.
pub fn route(business: &Business, direction: Direction) -> Result<Destination, String> {
    let (specific, name) = if direction.is_outbound() {
        (&business.outbound_webhook_url, "outbound")
    } else {
        (&business.inbound_webhook_url, "inbound")
    };
    if let Some(url) = set(specific) {
        return Ok(Destination {
            url: url.to_string(),
            why: format!("{name}_webhook_url"),
        });
    }
    if let Some(url) = set(&business.generic_webhook_url) {
        return Ok(Destination {
            url: url.to_string(),
            why: format!("generic_webhook_url (fallback: {name}_webhook_url not set)"),
        });
    }
    Err(format!("no {name}/generic webhook URL set"))
}

/// An appointment's events go to `generic_webhook_url`: the inbound/outbound split is a call's.
pub fn route_appointment(business: &Business) -> Result<Destination, String> {
    match set(&business.generic_webhook_url) {
        Some(url) => Ok(Destination {
            url: url.to_string(),
            why: "generic_webhook_url".into(),
        }),
        None => Err("no generic webhook URL set".into()),
    }
}

/// A Standard Webhooks POST of `body` (JSON) to `url`, signed with the business's secret:
/// `webhook-id`, `webhook-timestamp` and `webhook-signature`.
pub fn signed_event(
    client: &reqwest::Client,
    url: &str,
    secret: &crate::config::Secret,
    event_id: &str,
    at: OffsetDateTime,
    body: Vec<u8>,
) -> Result<reqwest::RequestBuilder, signing::BadSecret> {
    let timestamp = at.unix_timestamp();
    let signature = signing::sign(secret, event_id, timestamp, &body)?;
    Ok(client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body))
}

/// One message of the `notify` queue: a business event, or a follow-up handed to its own
/// consumer module with the same retries and dead-letter queue.
pub async fn process(worker: &Worker, message: &Received) -> Disposition {
    let job: NotifyJob = match serde_json::from_str(&message.body) {
        Ok(NotifyMessage::Event(job)) => job,
        Ok(NotifyMessage::FollowUp(FollowUpJob::CalendarSync(job))) => {
            return super::calendar::process(worker, &job, message.receive_count).await
        }
        Ok(NotifyMessage::FollowUp(FollowUpJob::Confirmation(job))) => {
            return super::confirmation::process(worker, &job, message.receive_count).await
        }
        Ok(NotifyMessage::FollowUp(FollowUpJob::Reminder(job))) => {
            return super::reminder::process(worker, &job, message.receive_count).await
        }
        Ok(NotifyMessage::Alert(job)) => {
            return super::alert::process(worker, &job, message.receive_count).await
        }
        Ok(NotifyMessage::Deferred(write)) => {
            return super::deferred::process(worker, write, message.receive_count).await
        }
        Err(err) => {
            error!(metric = "job_malformed", error = %err, "notify job is not a job; dropped");
            return Disposition::Done;
        }
    };
    let span = tracing::info_span!(
        "notify_job",
        call_sid = Empty,
        appointment_id = Empty,
        event = job.event_type(),
        event_id = %job.event_id(),
        receive_count = message.receive_count,
    );
    // Each subject under its own field, so a call's lines keep the `call_sid` they had.
    match job.subject() {
        Subject::Call(sid) => span.record("call_sid", sid.as_str()),
        Subject::Appointment(id) => span.record("appointment_id", id.as_str()),
    };
    async {
        if let NotifyJob::Appointment(booked) = &job {
            if let Err(reason) = note_booked_call(worker, booked).await {
                warn!(reason, "store unavailable; event retried later");
                return Disposition::Retry {
                    after: backoff(FIRST_BACKOFF, message.receive_count),
                };
            }
        }
        match deliver(worker, &job, message.receive_count).await {
            Ok(disposition) => disposition,
            Err(reason) => {
                warn!(reason, "store unavailable; event retried later");
                Disposition::Retry {
                    after: backoff(FIRST_BACKOFF, message.receive_count),
                }
            }
        }
    }
    .instrument(span)
    .await
}

/// A phone booking's call keeps the appointment booked on it (the inbox shows the call as
/// booked). Off the voice turn's path: the turn only booked and queued this event.
async fn note_booked_call(worker: &Worker, job: &AppointmentJob) -> Result<(), String> {
    if job.event != AppointmentEvent::Booked || job.appointment.channel != Channel::Voice {
        return Ok(());
    }
    let store = worker.app.store();
    let appointment = store
        .appointment(&job.appointment.id)
        .await
        .map_err(|e| e.to_string())?;
    if let Some((call, appointment)) =
        appointment.and_then(|a| a.booked_on_call().map(|call| (call, a)))
    {
        store
            .set_call_appointment(&call, &appointment.id)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// What an event is about, as its delivery needs it: a call as it now stands, or the snapshot
/// an appointment's job carries.
enum About<'a> {
    Call(&'a CallJob, Box<Call>),
    Appointment(&'a AppointmentJob),
}

impl About<'_> {
    fn business_id(&self) -> Option<BusinessId> {
        match self {
            Self::Call(job, call) => job.business_id.clone().or_else(|| call.business_id.clone()),
            Self::Appointment(job) => Some(job.appointment.business_id.clone()),
        }
    }

    fn route(&self, business: &Business) -> Result<Destination, String> {
        match self {
            Self::Call(_, call) => route(business, call.direction),
            Self::Appointment(_) => route_appointment(business),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Self::Call(_, call) => call.direction.as_str(),
            Self::Appointment(_) => "appointment",
        }
    }

    async fn data(
        &self,
        worker: &Worker,
        business: &Business,
    ) -> Result<serde_json::Value, String> {
        Ok(match self {
            Self::Call(job, call) => match job.event {
                EventType::CallCompleted => call_completed_data(worker, call, business).await?,
                EventType::VerificationCode => payload::verification_code_data(job, call, business),
            },
            Self::Appointment(job) => appointment_data(job),
        })
    }
}

async fn deliver(
    worker: &Worker,
    job: &NotifyJob,
    receive_count: u32,
) -> Result<Disposition, String> {
    let store = worker.app.store();
    let subject = job.subject();
    let event_id = job.event_id();
    let event_type = job.event_type();
    let previous = store
        .delivery(&subject, &event_id)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(log) = previous.as_ref().filter(|log| log.state.is_final()) {
        info!(state = ?log.state, "event already settled; not sent again");
        return Ok(Disposition::Done);
    }
    let about = match job {
        NotifyJob::Call(call_job) => {
            let Some(call) = store
                .call(&call_job.call_sid)
                .await
                .map_err(|e| e.to_string())?
            else {
                error!("event for a call the store does not know; dropped");
                return Ok(Disposition::Done);
            };
            if waits_for_transcript(call_job, &call) {
                info!("call ended with a recording; call.completed follows its transcript");
                return Ok(Disposition::Done);
            }
            About::Call(call_job, Box::new(call))
        }
        NotifyJob::Appointment(appointment_job) => About::Appointment(appointment_job),
    };

    let mut log = previous.unwrap_or_else(|| DeliveryLog {
        event_id: event_id.clone(),
        event_type: event_type.to_string(),
        subject,
        business_id: None,
        url: None,
        route: String::new(),
        state: DeliveryState::Retrying,
        attempts: Vec::new(),
    });
    let business_id = about.business_id();
    log.business_id = business_id.clone();
    let business = match &business_id {
        Some(id) => store.business(id).await.map_err(|e| e.to_string())?,
        None => None,
    };
    let Some(business) = business else {
        let why = match about {
            About::Call(..) => "the call has no known business",
            About::Appointment(_) => "the appointment's business is not known",
        };
        return skip(worker, log, why.into()).await;
    };
    // Before the webhook: the event's payload carries the call's triage, and the owner's
    // alerts must not wait on a route, a secret or a receiver that is down.
    alerts(worker, &about, &business).await?;
    let destination = match about.route(&business) {
        Ok(destination) => destination,
        Err(why) => {
            warn!(
                about = about.describe(),
                business = %business.id,
                "{why}: {event_type} not sent"
            );
            return skip(worker, log, why).await;
        }
    };
    info!(
        url = %destination.url,
        about = about.describe(),
        "using {}",
        destination.why
    );
    log.url = Some(destination.url.clone());
    log.route = destination.why.clone();
    let Some(secret) = store
        .webhook_secret(&business.id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return skip(
            worker,
            log,
            "no webhook signing secret set for the business".into(),
        )
        .await;
    };

    let now = OffsetDateTime::now_utc();
    let body = serde_json::to_vec(&json!({
        "type": event_type,
        "timestamp": format_time(now),
        "data": about.data(worker, &business).await?,
    }))
    .map_err(|e| e.to_string())?;
    let request = match signed_event(
        &worker.webhooks,
        &destination.url,
        &secret,
        &event_id,
        now,
        body,
    ) {
        Ok(request) => request,
        Err(err) => return skip(worker, log, err.to_string()).await,
    };
    attempt(worker, log, request, now, receive_count).await
}

/// The owner's alerts of an event, from the call and business its delivery read.
async fn alerts(worker: &Worker, about: &About<'_>, business: &Business) -> Result<(), String> {
    let queued = match about {
        About::Call(job, call) if job.event == EventType::CallCompleted => {
            crate::alerts::on_call_completed(&worker.app, &worker.http, business, call).await
        }
        About::Call(..) => Ok(()),
        About::Appointment(job) => crate::alerts::on_appointment(&worker.app, business, job).await,
    };
    queued.map_err(|reason| format!("alerts not queued: {reason}"))
}

/// A call that ended with a recording still being transcribed: its `call.completed` is queued
/// again when the transcript is in, so this one is dropped.
fn waits_for_transcript(job: &CallJob, call: &Call) -> bool {
    job.event == EventType::CallCompleted
        && job.trigger == Trigger::CallEnded
        && call.recording.is_some()
        && matches!(
            call.transcription,
            Some(TranscriptionState::Pending | TranscriptionState::Queued)
        )
}

/// Sends one attempt, logs it and says what the queue does next.
async fn attempt(
    worker: &Worker,
    mut log: DeliveryLog,
    request: reqwest::RequestBuilder,
    now: OffsetDateTime,
    receive_count: u32,
) -> Result<Disposition, String> {
    let started = Instant::now();
    let sent = request
        .timeout(worker.settings().webhook_timeout)
        .send()
        .await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (status_code, error, retryable) = match sent {
        Ok(response) => {
            let status = response.status();
            let retryable = status.is_server_error()
                || status == reqwest::StatusCode::REQUEST_TIMEOUT
                || status == reqwest::StatusCode::TOO_MANY_REQUESTS;
            (Some(status.as_u16()), None, retryable)
        }
        Err(err) => (None, Some(describe(err)), true),
    };
    log.attempts.push(DeliveryAttempt {
        at: now,
        status_code,
        error: error.clone(),
        latency_ms,
    });
    let attempts = log.attempts.len();
    let disposition = if status_code.is_some_and(|s| (200..300).contains(&s)) {
        log.state = DeliveryState::Delivered;
        info!(
            status = status_code,
            attempts,
            latency_ms,
            "successfully sent {} (status: {})",
            log.event_type,
            status_code.unwrap_or_default()
        );
        Disposition::Done
    } else if retryable && receive_count < MAX_RECEIVES {
        log.state = DeliveryState::Retrying;
        let after = backoff(FIRST_BACKOFF, receive_count);
        warn!(
            status = status_code,
            error,
            attempts,
            latency_ms,
            retry_in_s = after.as_secs(),
            "delivery failed; will retry"
        );
        Disposition::Retry { after }
    } else {
        log.state = DeliveryState::Failed;
        error!(
            metric = "event_undelivered",
            status = status_code,
            error,
            attempts,
            latency_ms,
            "delivery failed for good"
        );
        if retryable {
            // Every receive used: the message goes to the dead-letter queue.
            Disposition::Retry {
                after: backoff(FIRST_BACKOFF, receive_count),
            }
        } else {
            Disposition::Done
        }
    };
    worker
        .app
        .store()
        .put_delivery(&log)
        .await
        .map_err(|e| e.to_string())?;
    Ok(disposition)
}

async fn skip(worker: &Worker, mut log: DeliveryLog, why: String) -> Result<Disposition, String> {
    info!(reason = %why, "event recorded as skipped");
    log.state = DeliveryState::Skipped;
    if log.route.is_empty() {
        log.route = why;
    } else {
        log.route = format!("{}; skipped: {why}", log.route);
    }
    worker
        .app
        .store()
        .put_delivery(&log)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Disposition::Done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BusinessId, CallSid};

    fn business(inbound: Option<&str>, outbound: Option<&str>, generic: Option<&str>) -> Business {
        let mut b = Business::new(BusinessId::parse("acme").unwrap(), "Acme");
        b.inbound_webhook_url = inbound.map(str::to_string);
        b.outbound_webhook_url = outbound.map(str::to_string);
        b.generic_webhook_url = generic.map(str::to_string);
        b
    }

    #[test]
    fn each_direction_uses_its_url_then_the_generic_one() {
        let all = business(Some("https://in"), Some("https://out"), Some("https://any"));
        assert_eq!(route(&all, Direction::Inbound).unwrap().url, "https://in");
        assert_eq!(
            route(&all, Direction::OutboundApi).unwrap().url,
            "https://out"
        );
        assert_eq!(
            route(&all, Direction::OutboundDial).unwrap().url,
            "https://out"
        );

        let generic_only = business(None, Some("  "), Some("https://any"));
        let chosen = route(&generic_only, Direction::OutboundApi).unwrap();
        assert_eq!(chosen.url, "https://any");
        assert_eq!(
            chosen.why,
            "generic_webhook_url (fallback: outbound_webhook_url not set)"
        );
        assert_eq!(
            route(&generic_only, Direction::Inbound).unwrap().url,
            "https://any"
        );
    }

    #[test]
    fn an_appointment_goes_to_the_generic_url_only() {
        let all = business(Some("https://in"), Some("https://out"), Some("https://any"));
        let chosen = route_appointment(&all).unwrap();
        assert_eq!(chosen.url, "https://any");
        assert_eq!(chosen.why, "generic_webhook_url");
        let specific_only = business(Some("https://in"), Some("https://out"), Some(" "));
        assert_eq!(
            route_appointment(&specific_only).unwrap_err(),
            "no generic webhook URL set"
        );
    }

    #[test]
    fn no_url_says_which_are_missing() {
        let none = business(Some("https://in"), None, None);
        assert_eq!(
            route(&none, Direction::OutboundDial).unwrap_err(),
            "no outbound/generic webhook URL set"
        );
    }

    #[test]
    fn an_event_keeps_its_id_across_triggers_but_not_its_dedup_id() {
        let sid = CallSid::parse("CA9").unwrap();
        let ended = NotifyJob::call_completed(sid.clone(), None, Trigger::CallEnded);
        let transcribed = NotifyJob::call_completed(sid, None, Trigger::Transcription);
        assert_eq!(ended.event_id(), "evt_CA9_completed");
        assert_eq!(ended.event_id(), transcribed.event_id());
        assert_ne!(ended.message().dedup_id, transcribed.message().dedup_id);
        let parsed: NotifyJob = serde_json::from_str(&ended.message().body).unwrap();
        assert_eq!(parsed, ended);
    }
}
