//! The calendar sync consumer (a `calendar_sync` job on the `notify` queue): the business's
//! Google Calendar brought in step with one change of an appointment. The event's id is the
//! appointment's, so a retried insert answers 409 and never makes a second event; a reschedule
//! patches it (inserting it if its insert has not happened yet); a cancellation deletes it
//! (404 or 410: already gone). The appointment is read again first, so a job that arrives
//! after a later change never undoes it.
//!
//! Google down, slow, rate-limiting or refusing a token: retried through the queue with the
//! notify consumer's backoff, every attempt recorded on the appointment's `calendar` record;
//! after the last receive the record says `failed` and the job goes to the dead-letter queue.
//! A refusal (not shared, no such calendar, a bad key) fails at once: retrying cannot help,
//! and `frontdesk doctor` names the fix.

use jiff::Timestamp;
use tracing::{error, info, warn, Instrument};

use super::notify::{FIRST_BACKOFF, MAX_RECEIVES};
use super::{backoff, Disposition, Worker};
use crate::booking::confirmation::Confirmation as Words;
use crate::domain::{
    Appointment, AppointmentStatus, Business, CalendarAction, CalendarSync, FollowUpState,
    GoogleCalendar,
};
use crate::google::{Deleted, Event, GoogleError, Inserted, Patched};
use crate::jobs::{AppointmentEvent, AppointmentSnapshot, CalendarJob};
use crate::store::FollowUp;

pub async fn process(worker: &Worker, job: &CalendarJob, receive_count: u32) -> Disposition {
    let span = tracing::info_span!(
        "calendar_sync",
        appointment_id = %job.appointment.id,
        change = job.change.as_str(),
        version = job.appointment.version,
        receive_count,
    );
    async {
        match sync(worker, job, receive_count).await {
            Ok(disposition) => disposition,
            Err(reason) => {
                warn!(reason, "store unavailable; calendar sync retried later");
                Disposition::Retry {
                    after: backoff(FIRST_BACKOFF, receive_count),
                }
            }
        }
    }
    .instrument(span)
    .await
}

/// What the calendar must do for the appointment as it now stands, if anything.
fn plan(job: &CalendarJob, current: Option<&Appointment>) -> Option<CalendarAction> {
    let cancelled = current.is_some_and(|a| a.status != AppointmentStatus::Booked);
    let newer = current.is_some_and(|a| a.version > job.appointment.version);
    match job.change {
        // Cancelled since: its own job deletes the event; inserting now would revive it.
        AppointmentEvent::Booked if cancelled => None,
        AppointmentEvent::Booked => Some(CalendarAction::Insert),
        // A later change has its own job, which patches to the newer times.
        AppointmentEvent::Rescheduled if cancelled || newer => None,
        AppointmentEvent::Rescheduled => Some(CalendarAction::Patch),
        AppointmentEvent::Cancelled => Some(CalendarAction::Delete),
    }
}

async fn sync(
    worker: &Worker,
    job: &CalendarJob,
    receive_count: u32,
) -> Result<Disposition, String> {
    let app = &worker.app;
    let store = app.store();
    let snapshot = &job.appointment;
    let Some(business) = store
        .business(&snapshot.business_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        info!("the appointment's business is not known; nothing to sync");
        return Ok(Disposition::Done);
    };
    let event_id = GoogleCalendar::event_id(&snapshot.id);
    let record = |action, state, error: Option<String>| CalendarSync {
        event_id: event_id.clone(),
        action,
        state,
        version: snapshot.version,
        error,
        attempts: receive_count,
        at: Timestamp::now(),
    };
    let default_action = match job.change {
        AppointmentEvent::Booked => CalendarAction::Insert,
        AppointmentEvent::Rescheduled => CalendarAction::Patch,
        AppointmentEvent::Cancelled => CalendarAction::Delete,
    };
    let Some(calendar) = business.google_calendar.clone() else {
        info!("the business has no calendar connected any more; nothing to sync");
        let skipped = record(
            default_action,
            FollowUpState::Skipped,
            Some("no calendar connected".into()),
        );
        keep(worker, &business, snapshot, skipped).await?;
        return Ok(Disposition::Done);
    };
    let current = store
        .appointment(&snapshot.id)
        .await
        .map_err(|e| e.to_string())?;
    let Some(action) = plan(job, current.as_ref()) else {
        info!("a later change of the appointment syncs the calendar; nothing to do");
        return Ok(Disposition::Done);
    };
    let event = event(&business, current.as_ref(), snapshot, &event_id);
    // One job's calls (a token, a patch, an insert) end within one request's time, so a batch
    // of jobs fits the function's timeout.
    let budget = app.google().settings().request_timeout;
    let outcome = tokio::time::timeout(budget, call(worker, &business, &calendar, action, &event))
        .await
        .unwrap_or_else(|_| Err(GoogleError::Unreachable("timed out".into())));
    let (disposition, synced) = match outcome {
        Ok(done) => {
            info!(event_id, calendar = %calendar.calendar_id, "calendar in step: {done}");
            (Disposition::Done, record(action, FollowUpState::Done, None))
        }
        Err(err) if err.is_retryable() && receive_count < MAX_RECEIVES => {
            let after = backoff(FIRST_BACKOFF, receive_count);
            warn!(error = %err, retry_in_s = after.as_secs(), "calendar sync failed; will retry");
            (
                Disposition::Retry { after },
                record(action, FollowUpState::Retrying, Some(err.to_string())),
            )
        }
        Err(err) => {
            error!(metric = "calendar_sync_failed", error = %err, "calendar sync failed for good");
            let disposition = if err.is_retryable() {
                // Every receive used: the job goes to the dead-letter queue.
                Disposition::Retry {
                    after: backoff(FIRST_BACKOFF, receive_count),
                }
            } else {
                Disposition::Done
            };
            (
                disposition,
                record(action, FollowUpState::Failed, Some(err.to_string())),
            )
        }
    };
    keep(worker, &business, snapshot, synced).await?;
    Ok(disposition)
}

/// The event for the appointment as it now stands (the job's copy when the store has none).
fn event(
    business: &Business,
    current: Option<&Appointment>,
    snapshot: &AppointmentSnapshot,
    event_id: &str,
) -> Event {
    let now: AppointmentSnapshot = current.map_or_else(|| snapshot.clone(), Into::into);
    let service = Words::of(business, &now).service;
    let who = now.name.clone().unwrap_or_else(|| now.phone.to_string());
    Event {
        id: event_id.to_string(),
        summary: format!("{service} — {who}"),
        description: format!(
            "Phone: {}\nBooked by {} through Frontdesk (appointment {}).",
            now.phone,
            now.channel.as_str(),
            now.id
        ),
        start: now.slot.start,
        end: now.slot.end,
        time_zone: now.timezone.clone(),
    }
}

/// The calls one action takes; what it did, in words.
async fn call(
    worker: &Worker,
    business: &Business,
    calendar: &GoogleCalendar,
    action: CalendarAction,
    event: &Event,
) -> Result<&'static str, GoogleError> {
    let app = &worker.app;
    let key = crate::booking::calendar::key(app, business).await?;
    let google = app.google();
    let api = google.calendar(&key, &calendar.calendar_id).await?;
    let done = async {
        Ok(match action {
            CalendarAction::Insert => match api.insert(event).await? {
                Inserted::Created => "event inserted",
                Inserted::AlreadyThere => "event already there (409)",
            },
            CalendarAction::Patch => match api.patch(event).await? {
                Patched::Patched => "event patched",
                // Its insert has not happened yet (still retrying): make it now, as it is.
                Patched::Missing => match api.insert(event).await? {
                    Inserted::Created => "event inserted (none to patch)",
                    Inserted::AlreadyThere => {
                        return Err(GoogleError::Unreachable(
                            "the event appeared between the patch and the insert".into(),
                        ))
                    }
                },
            },
            CalendarAction::Delete => match api.delete(&event.id).await? {
                Deleted::Deleted => "event deleted",
                Deleted::AlreadyGone => "event already gone",
            },
        })
    }
    .await;
    if done.as_ref().is_err_and(GoogleError::is_unauthorized) {
        google.forget_token(&key);
    }
    done
}

async fn keep(
    worker: &Worker,
    business: &Business,
    snapshot: &AppointmentSnapshot,
    record: CalendarSync,
) -> Result<(), String> {
    worker
        .app
        .store()
        .put_follow_up(&snapshot.id, &business.id, &FollowUp::Calendar(record))
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appointment(status: AppointmentStatus, version: u32) -> Appointment {
        serde_json::from_value(serde_json::json!({
            "id": "0192f0c1a2b34c5d8e9f0a1b2c3d4e5f", "business_id": "acme",
            "service": "checkup",
            "slot": {"start": "2026-11-22T08:00:00Z", "end": "2026-11-22T08:30:00Z"},
            "block": {"start": "2026-11-22T08:00:00Z", "end": "2026-11-22T08:30:00Z"},
            "timezone": "Asia/Jerusalem", "phone": "+972501234567", "name": null,
            "channel": "voice", "source": "voice:CA1", "status": status,
            "version": version, "created_at": "2026-11-20T08:00:00Z",
            "updated_at": "2026-11-20T08:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn a_job_never_undoes_a_later_change() {
        let booked = appointment(AppointmentStatus::Booked, 1);
        let job = |change, version| CalendarJob {
            change,
            appointment: (&appointment(AppointmentStatus::Booked, version)).into(),
        };
        let moved = appointment(AppointmentStatus::Booked, 2);
        let cancelled = appointment(AppointmentStatus::Cancelled, 3);
        use AppointmentEvent::*;
        assert_eq!(
            plan(&job(Booked, 1), Some(&booked)),
            Some(CalendarAction::Insert)
        );
        assert_eq!(
            plan(&job(Booked, 1), Some(&moved)),
            Some(CalendarAction::Insert)
        );
        assert_eq!(plan(&job(Booked, 1), Some(&cancelled)), None);
        assert_eq!(plan(&job(Booked, 1), None), Some(CalendarAction::Insert));
        assert_eq!(
            plan(&job(Rescheduled, 2), Some(&moved)),
            Some(CalendarAction::Patch)
        );
        assert_eq!(
            plan(
                &job(Rescheduled, 2),
                Some(&appointment(AppointmentStatus::Booked, 3))
            ),
            None
        );
        assert_eq!(plan(&job(Rescheduled, 2), Some(&cancelled)), None);
        assert_eq!(
            plan(&job(Cancelled, 3), Some(&cancelled)),
            Some(CalendarAction::Delete)
        );
    }
}
