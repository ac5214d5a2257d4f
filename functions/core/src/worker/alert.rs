//! The alert consumer (an `alert` job on the `notify` queue): writes one alert for one
//! recipient from what it is about as it now stands, and sends it once.
//!
//! Once: the first delivery of a job claims the alert's record; a copy of the job (SQS
//! delivers at least once; an event retried for its webhook queues its alerts again) finds
//! the record and sends nothing. A provider that is down is retried with the notify
//! consumer's backoff, the record keeping every attempt; a refusal (an invalid number, an
//! unverified sender) fails at once. Through the business's quiet hours a non-urgent alert is
//! held on the queue until they end.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use tracing::{error, info, warn, Instrument};

use super::notify::{recording_link, FIRST_BACKOFF, MAX_RECEIVES};
use super::{backoff, Disposition, Worker};
use crate::alerts::compose::{compose, local_time, Composed, Facts};
use crate::alerts::rules::first_sentence;
use crate::alerts::{call_alert_kind, digest, send};
use crate::domain::time::instant;
use crate::domain::{
    AlertAttempt, AlertKind, AlertRecord, AlertSettings, AlertState, Business,
    ConfirmationTemplate, QuietHours, Urgency,
};
use crate::jobs::{AlertAbout, AlertJob, AppointmentEvent};

pub async fn process(worker: &Worker, job: &AlertJob, receive_count: u32) -> Disposition {
    let span = tracing::info_span!(
        "alert",
        key = %job.key(),
        business = %job.business_id,
        channel = job.recipient.channel(),
        receive_count,
    );
    async {
        match run(worker, job, receive_count).await {
            Ok(disposition) => disposition,
            Err(reason) => {
                warn!(reason, "store unavailable; alert retried later");
                Disposition::Retry {
                    after: backoff(FIRST_BACKOFF, receive_count),
                }
            }
        }
    }
    .instrument(span)
    .await
}

/// An alert written and ready to go.
pub struct Prepared {
    pub kind: AlertKind,
    pub urgency: Urgency,
    pub alert: Composed,
}

/// The alert `about` makes for `business`, written now; `None` when there is nothing to say
/// (a call the store no longer knows, one that turned out not to need an alert).
pub async fn prepare(
    worker: &Worker,
    business: &Business,
    about: &AlertAbout,
) -> Result<Option<Prepared>, String> {
    let store = worker.app.store();
    match about {
        AlertAbout::Call { call_sid } => {
            let Some(call) = store.call(call_sid).await.map_err(|e| e.to_string())? else {
                return Ok(None);
            };
            let Some(kind) = call_alert_kind(&call) else {
                return Ok(None);
            };
            let media = store
                .call_media(call_sid)
                .await
                .map_err(|e| e.to_string())?
                .unwrap_or_default();
            let triage = media.triage.clone();
            let urgency = triage.as_ref().map(|t| t.urgency).unwrap_or_default();
            let contact = call.contact();
            let number = contact.as_ref().map_or_else(
                || call.from.clone().unwrap_or_else(|| "anonymous".into()),
                |c| c.to_string(),
            );
            let name = triage
                .as_ref()
                .and_then(|t| t.caller_name.clone())
                .or(call.caller_name.clone());
            let who = match name {
                Some(name) => format!("{name} ({number})"),
                None => number,
            };
            let what = triage
                .as_ref()
                .and_then(|t| t.summary.clone())
                .or_else(|| media.transcript.as_deref().and_then(first_sentence))
                .or_else(|| {
                    media
                        .reason
                        .clone()
                        .filter(|_| kind == AlertKind::VoicemailUntranscribed)
                });
            let callback = triage
                .as_ref()
                .and_then(|t| t.callback.as_ref())
                .or(contact.as_ref())
                .map(ToString::to_string);
            let facts = Facts {
                kind,
                business_name: business.name.clone(),
                who,
                at: call
                    .started_at
                    .and_then(instant)
                    .unwrap_or_else(Timestamp::now),
                timezone: business.timezone.clone(),
                what,
                urgency,
                callback,
                inbox_link: worker.link(&format!("/inbox/calls/{call_sid}")),
                recording_link: recording_link(worker, &media).await,
            };
            Ok(Some(Prepared {
                kind,
                urgency,
                alert: compose(&business.language, &facts),
            }))
        }
        AlertAbout::Appointment { event, appointment } => {
            let kind = match event {
                AppointmentEvent::Booked => AlertKind::AppointmentBooked,
                AppointmentEvent::Cancelled => AlertKind::AppointmentCancelled,
                AppointmentEvent::Rescheduled => return Ok(None),
            };
            let who = match &appointment.name {
                Some(name) => format!("{name} ({})", appointment.phone),
                None => appointment.phone.to_string(),
            };
            let when = local_time(appointment.slot.start, &appointment.timezone);
            let facts = Facts {
                kind,
                business_name: business.name.clone(),
                who,
                at: Timestamp::now(),
                timezone: business.timezone.clone(),
                what: Some(format!("{} · {when}", appointment.service)),
                urgency: Urgency::Normal,
                callback: None,
                inbox_link: worker.link(&format!("/inbox/customers/{}", appointment.phone)),
                recording_link: None,
            };
            Ok(Some(Prepared {
                kind,
                urgency: Urgency::Normal,
                alert: compose(&business.language, &facts),
            }))
        }
        AlertAbout::Digest { date } => {
            let built =
                digest::build(&worker.app, worker.link_base.as_deref(), business, *date).await?;
            Ok(Some(Prepared {
                kind: AlertKind::Digest,
                urgency: Urgency::Normal,
                alert: built,
            }))
        }
    }
}

/// How long until `quiet` ends, when `now` falls inside it in `timezone`.
pub fn quiet_for(quiet: &QuietHours, timezone: &str, now: Timestamp) -> Option<SignedDuration> {
    let zone = TimeZone::get(timezone).unwrap_or(TimeZone::UTC);
    let local = now.to_zoned(zone.clone());
    if !quiet.contains(local.time()) {
        return None;
    }
    let mut end = local.date().to_datetime(quiet.to.0);
    if end <= local.datetime() {
        end = end.checked_add(jiff::Span::new().days(1)).ok()?;
    }
    let end = end.to_zoned(zone).ok()?.timestamp();
    Some(end.duration_since(now))
}

/// The WhatsApp template an alert of `kind` goes out with.
fn template(settings: &AlertSettings, kind: AlertKind) -> Option<&ConfirmationTemplate> {
    match kind {
        AlertKind::Digest => settings.digest_template.as_ref(),
        _ => settings.whatsapp_template.as_ref(),
    }
}

async fn run(worker: &Worker, job: &AlertJob, receive_count: u32) -> Result<Disposition, String> {
    let store = worker.app.store();
    let key = job.key();
    let existing = store
        .alert(&job.business_id, &key)
        .await
        .map_err(|e| e.to_string())?;
    match &existing {
        Some(record) if record.state.is_final() => {
            info!(
                state = record.state.as_str(),
                "alert already settled; not sent again"
            );
            return Ok(Disposition::Done);
        }
        // A first delivery finding a record is a copy of a job another delivery holds.
        Some(_) if receive_count <= 1 => {
            info!("alert held by another delivery; this copy dropped");
            return Ok(Disposition::Done);
        }
        _ => {}
    }
    let Some(business) = store
        .business(&job.business_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        info!("business not known; no alert");
        return Ok(Disposition::Done);
    };
    let settings = business.alerts.clone().unwrap_or_default();
    let Some(prepared) = prepare(worker, &business, &job.about).await? else {
        info!("nothing to alert about");
        return Ok(Disposition::Done);
    };
    let now = Timestamp::now();
    let mut record = match existing {
        Some(record) => record,
        None => {
            let record = AlertRecord {
                business_id: business.id.clone(),
                key: key.clone(),
                kind: prepared.kind,
                recipient: job.recipient.key(),
                state: AlertState::Retrying,
                urgency: prepared.urgency,
                note: None,
                attempts: Vec::new(),
                created_at: now,
                updated_at: now,
            };
            if !store
                .claim_alert(&record)
                .await
                .map_err(|e| e.to_string())?
            {
                info!("alert claimed by another delivery; this copy dropped");
                return Ok(Disposition::Done);
            }
            record
        }
    };
    record.updated_at = now;
    if !settings.recipients.contains(&job.recipient) {
        record.state = AlertState::Skipped;
        record.note = Some("recipient removed before it went out".into());
        store.put_alert(&record).await.map_err(|e| e.to_string())?;
        return Ok(Disposition::Done);
    }
    let quiet = settings
        .quiet_hours
        .filter(|_| prepared.urgency < Urgency::High && prepared.kind != AlertKind::Digest)
        .and_then(|quiet| quiet_for(&quiet, &business.timezone, now).map(|wait| (quiet, wait)));
    if let Some((quiet, wait)) = quiet {
        record.state = AlertState::Held;
        record.note = Some(format!("quiet hours {quiet}"));
        store.put_alert(&record).await.map_err(|e| e.to_string())?;
        let after = std::time::Duration::try_from(wait)
            .unwrap_or_default()
            .min(std::time::Duration::from_secs(12 * 3600));
        info!(wait_s = after.as_secs(), "quiet hours; alert held");
        return Ok(Disposition::Retry { after });
    }

    let sent = send::send(
        &worker.app,
        worker.mailer.as_ref(),
        &business,
        &job.recipient,
        &prepared.alert,
        template(&settings, prepared.kind),
    )
    .await;
    let (disposition, attempt) = match sent {
        Ok(id) => {
            record.state = AlertState::Sent;
            record.note = None;
            info!(
                kind = prepared.kind.as_str(),
                urgency = prepared.urgency.as_str(),
                id,
                "alert sent"
            );
            (
                Disposition::Done,
                AlertAttempt {
                    at: now,
                    id: Some(id),
                    error: None,
                },
            )
        }
        Err(failure) => {
            let attempt = AlertAttempt {
                at: now,
                id: None,
                error: Some(failure.error.clone()),
            };
            if failure.retryable && receive_count < MAX_RECEIVES {
                record.state = AlertState::Retrying;
                let after = backoff(FIRST_BACKOFF, receive_count);
                warn!(
                    error = failure.error,
                    retry_in_s = after.as_secs(),
                    "alert not sent; will retry"
                );
                (Disposition::Retry { after }, attempt)
            } else {
                record.state = AlertState::Failed;
                error!(
                    metric = "alert_failed",
                    kind = prepared.kind.as_str(),
                    error = failure.error,
                    "alert not sent"
                );
                let disposition = if failure.retryable {
                    // Every receive used: the job goes to the dead-letter queue.
                    Disposition::Retry {
                        after: backoff(FIRST_BACKOFF, receive_count),
                    }
                } else {
                    Disposition::Done
                };
                (disposition, attempt)
            }
        }
    };
    record.attempts.push(attempt);
    store.put_alert(&record).await.map_err(|e| e.to_string())?;
    Ok(disposition)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_hold_until_their_end_in_the_business_zone() {
        let quiet = QuietHours::parse("21:00-07:00").unwrap();
        // 23:00 in Jerusalem (UTC+2 in November): eight hours to 07:00.
        let late: Timestamp = "2026-11-29T21:00:00Z".parse().unwrap();
        assert_eq!(
            quiet_for(&quiet, "Asia/Jerusalem", late),
            Some(SignedDuration::from_hours(8))
        );
        // 03:00 local: four hours.
        let night: Timestamp = "2026-11-30T01:00:00Z".parse().unwrap();
        assert_eq!(
            quiet_for(&quiet, "Asia/Jerusalem", night),
            Some(SignedDuration::from_hours(4))
        );
        let noon: Timestamp = "2026-11-30T10:00:00Z".parse().unwrap();
        assert_eq!(quiet_for(&quiet, "Asia/Jerusalem", noon), None);
    }
}
