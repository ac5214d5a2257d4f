//! The `notify` consumer: business events, signed per Standard Webhooks, delivered to the URL
//! the routing rules choose, with a delivery log per event.
//!
//! Routing (note 002): an inbound call goes to `inbound_webhook_url`, an outbound one
//! (`outbound-api`, `outbound-dial`) to `outbound_webhook_url`, each falling back to
//! `generic_webhook_url`; with none set the event is logged and recorded as skipped.
//!
//! Retries: 5xx, 408, 429, timeouts and connection errors are retried with backoff through the
//! queue (one attempt per receive, each logged); any other answer ends the delivery. The same
//! event is never delivered twice once it has succeeded, and every attempt carries the same
//! `webhook-id`, so receivers can drop repeats too.

use std::time::{Duration, Instant};

use serde_json::json;
use time::OffsetDateTime;
use tracing::{error, info, warn, Instrument};

use super::media::describe;
use super::signing;
use super::{backoff, Disposition, Received, Worker};
use crate::domain::time::format_time;
use crate::domain::{Business, Direction, TranscriptionState};
use crate::domain::{Call, DeliveryAttempt, DeliveryLog, DeliveryState, Subject};
use crate::jobs::{EventType, NotifyJob, Trigger};

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

pub async fn process(worker: &Worker, message: &Received) -> Disposition {
    let job: NotifyJob = match serde_json::from_str(&message.body) {
        Ok(job) => job,
        Err(err) => {
            error!(metric = "job_malformed", error = %err, "notify job is not a job; dropped");
            return Disposition::Done;
        }
    };
    let span = tracing::info_span!(
        "notify_job",
        call_sid = %job.call_sid,
        event = job.event.as_str(),
        event_id = %job.event_id(),
        receive_count = message.receive_count,
    );
    async {
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

async fn deliver(
    worker: &Worker,
    job: &NotifyJob,
    receive_count: u32,
) -> Result<Disposition, String> {
    let store = worker.app.store();
    let subject = Subject::Call(job.call_sid.clone());
    let event_id = job.event_id();
    let previous = store
        .delivery(&subject, &event_id)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(log) = previous.as_ref().filter(|log| log.state.is_final()) {
        info!(state = ?log.state, "event already settled; not sent again");
        return Ok(Disposition::Done);
    }
    let Some(call) = store.call(&job.call_sid).await.map_err(|e| e.to_string())? else {
        error!("event for a call the store does not know; dropped");
        return Ok(Disposition::Done);
    };
    if job.event == EventType::CallCompleted
        && job.trigger == Trigger::CallEnded
        && call.recording.is_some()
        && matches!(
            call.transcription,
            Some(TranscriptionState::Pending | TranscriptionState::Queued)
        )
    {
        info!("call ended with a recording; call.completed follows its transcript");
        return Ok(Disposition::Done);
    }

    let mut log = previous.unwrap_or_else(|| DeliveryLog {
        event_id: event_id.clone(),
        event_type: job.event.as_str().to_string(),
        subject,
        business_id: None,
        url: None,
        route: String::new(),
        state: DeliveryState::Retrying,
        attempts: Vec::new(),
    });
    let business_id = job.business_id.clone().or_else(|| call.business_id.clone());
    log.business_id = business_id.clone();
    let business = match &business_id {
        Some(id) => store.business(id).await.map_err(|e| e.to_string())?,
        None => None,
    };
    let Some(business) = business else {
        return skip(worker, log, "the call has no known business".into()).await;
    };
    let destination = match route(&business, call.direction) {
        Ok(destination) => destination,
        Err(why) => {
            warn!(
                direction = call.direction.as_str(),
                business = %business.id,
                "{why}: {} not sent",
                job.event.as_str()
            );
            return skip(worker, log, why).await;
        }
    };
    info!(
        url = %destination.url,
        direction = call.direction.as_str(),
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
    let data = match job.event {
        EventType::CallCompleted => call_completed_data(worker, &call, &business).await?,
        EventType::VerificationCode => json!({
            "call_sid": call.sid.as_str(),
            "business_id": business.id.as_str(),
            "from": call.from,
            "to": call.to,
            "digits": job.digits.clone().or(call.gathered_digits.clone()),
        }),
    };
    let body = serde_json::to_vec(&json!({
        "type": job.event.as_str(),
        "timestamp": format_time(now),
        "data": data,
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
            job.event.as_str(),
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
    store.put_delivery(&log).await.map_err(|e| e.to_string())?;
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

/// `call.completed`'s `data` (the README's Events section documents it).
pub async fn call_completed_data(
    worker: &Worker,
    call: &Call,
    business: &Business,
) -> Result<serde_json::Value, String> {
    let media = worker
        .app
        .store()
        .call_media(&call.sid)
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let link = match &media.recording_key {
        Some(key) => match worker
            .recordings
            .link(key, worker.settings().link_lifetime)
            .await
        {
            Ok(link) => link,
            Err(err) => {
                warn!(error = %err, "no recording link for the event");
                None
            }
        },
        None => None,
    };
    let expires_at = link
        .as_ref()
        .map(|_| format_time(OffsetDateTime::now_utc() + worker.settings().link_lifetime));
    Ok(json!({
        "call_sid": call.sid.as_str(),
        "business_id": business.id.as_str(),
        "direction": call.direction.as_str(),
        "from": call.from,
        "to": call.to,
        "status": call.status.as_str(),
        "started_at": call.started_at.map(format_time),
        "ended_at": call.ended_at.map(format_time),
        "duration_seconds": call.duration_seconds,
        "recording": call.recording.as_ref().map(|r| json!({
            "recording_sid": r.sid.as_str(),
            "duration_seconds": r.duration_seconds,
            "url": link,
            "url_expires_at": expires_at,
        })),
        "transcript": call.transcription.map(|state| json!({
            "status": state.as_str(),
            "text": media.transcript,
            "language": media.language,
            "reason": media.reason,
        })),
    }))
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
