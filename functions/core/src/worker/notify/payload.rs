//! Each event's `data` (the README's Events section documents them).

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::{json, Value};
use time::OffsetDateTime;
use tracing::warn;

use super::Worker;
use crate::domain::time::format_time;
use crate::domain::{Business, Call, CallMedia};
use crate::jobs::{AppointmentEvent, AppointmentJob, CallJob};

/// `call.completed`'s `data`: the call as it now stands, with a fresh recording link.
pub async fn call_completed_data(
    worker: &Worker,
    call: &Call,
    business: &Business,
) -> Result<Value, String> {
    let media = worker
        .app
        .store()
        .call_media(&call.sid)
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let link = recording_link(worker, &media).await;
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
        "triage": media.triage.as_ref().map(|t| json!({
            "summary": t.summary,
            "intent": t.intent.map(|i| i.as_str()),
            "urgency": t.urgency.as_str(),
            "callback_number": t.callback.as_ref().map(|n| n.as_str()),
            "source": t.source,
            "spam": t.spam,
        })),
    }))
}

/// A fresh link to the call's recording copy, valid for the worker's link lifetime; `None`
/// without a copy or when the blob store cannot sign one.
pub async fn recording_link(worker: &Worker, media: &CallMedia) -> Option<String> {
    let key = media.recording_key.as_ref()?;
    match worker
        .recordings
        .link(key, worker.settings().link_lifetime)
        .await
    {
        Ok(link) => link,
        Err(err) => {
            warn!(error = %err, "no recording link");
            None
        }
    }
}

/// `call.verification_code`'s `data`: the digits the job carries, else the call's.
pub fn verification_code_data(job: &CallJob, call: &Call, business: &Business) -> Value {
    json!({
        "call_sid": call.sid.as_str(),
        "business_id": business.id.as_str(),
        "from": call.from,
        "to": call.to,
        "digits": job.digits.clone().or(call.gathered_digits.clone()),
    })
}

/// An appointment event's `data`, from the snapshot the job carries. Times are RFC 3339 with
/// the business's offset at that instant, so a receiver can show them as they are.
pub fn appointment_data(job: &AppointmentJob) -> Value {
    let a = &job.appointment;
    let zone = TimeZone::get(&a.timezone).unwrap_or_else(|err| {
        // Stored zones were valid when booked; a name the bundled database lost reads as UTC
        // rather than holding the event back.
        warn!(timezone = %a.timezone, error = %err, "unknown zone; times sent in UTC");
        TimeZone::UTC
    });
    let local = |t: Timestamp| t.display_with_offset(zone.to_offset(t)).to_string();
    let mut data = json!({
        "appointment_id": a.id.as_str(),
        "business_id": a.business_id.as_str(),
        "status": a.status.as_str(),
        "service": a.service.as_str(),
        "start": local(a.slot.start),
        "end": local(a.slot.end),
        "timezone": a.timezone,
        "phone": a.phone.as_str(),
        "name": a.name,
        "channel": a.channel.as_str(),
        "version": a.version,
    });
    if job.event == AppointmentEvent::Rescheduled {
        let previous = job.previous;
        data["previous_start"] = json!(previous.map(|slot| local(slot.start)));
        data["previous_end"] = json!(previous.map(|slot| local(slot.end)));
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::booking::engine::{Busy, Slot};
    use crate::domain::booking::settings::ServiceId;
    use crate::domain::{
        Appointment, AppointmentId, AppointmentStatus, BusinessId, Channel, PhoneNumber,
    };
    use crate::jobs::NotifyJob;

    fn at(rfc3339: &str) -> Timestamp {
        rfc3339.parse().unwrap()
    }

    fn slot(start: &str, end: &str) -> Slot {
        Slot {
            start: at(start),
            end: at(end),
        }
    }

    fn appointment(slot: Slot, timezone: &str, version: u32) -> Appointment {
        Appointment {
            id: AppointmentId::parse("0192f0c1a2b34c5d8e9f0a1b2c3d4e5f").unwrap(),
            business_id: BusinessId::parse("acme").unwrap(),
            service: ServiceId::parse("cleaning").unwrap(),
            slot,
            block: Busy {
                start: slot.start,
                end: slot.end,
            },
            timezone: timezone.into(),
            phone: PhoneNumber::parse("+972501234567").unwrap(),
            name: None,
            channel: Channel::Voice,
            source: "voice:CA1:confirm".into(),
            status: AppointmentStatus::Booked,
            version,
            created_at: at("2026-10-01T08:00:00Z"),
            updated_at: at("2026-10-01T08:00:00Z"),
        }
    }

    fn data(job: NotifyJob) -> Value {
        match job {
            NotifyJob::Appointment(job) => appointment_data(&job),
            NotifyJob::Call(_) => unreachable!(),
        }
    }

    #[test]
    fn times_carry_the_business_offset_of_their_own_instant() {
        // Israel leaves summer time on 25 October 2026: +03:00 before, +02:00 after.
        let before = slot("2026-10-20T07:00:00Z", "2026-10-20T07:30:00Z");
        let after = slot("2026-11-22T08:00:00Z", "2026-11-22T08:45:00Z");
        let moved = appointment(after, "Asia/Jerusalem", 2);
        let d = data(NotifyJob::rescheduled(&moved, before));
        assert_eq!(d["start"], "2026-11-22T10:00:00+02:00");
        assert_eq!(d["end"], "2026-11-22T10:45:00+02:00");
        assert_eq!(d["previous_start"], "2026-10-20T10:00:00+03:00");
        assert_eq!(d["previous_end"], "2026-10-20T10:30:00+03:00");
        assert_eq!(d["timezone"], "Asia/Jerusalem");
        assert_eq!(d["channel"], "voice");
        assert_eq!(d["status"], "booked");
        assert_eq!(d["version"], 2);
        assert!(d["name"].is_null());
    }

    #[test]
    fn only_a_reschedule_has_a_previous_slot_and_an_unknown_zone_reads_as_utc() {
        let booked = appointment(
            slot("2026-11-22T08:00:00Z", "2026-11-22T08:45:00Z"),
            "Mars/Olympus",
            1,
        );
        let d = data(NotifyJob::booked(&booked));
        assert_eq!(d["start"], "2026-11-22T08:00:00+00:00");
        assert!(d.get("previous_start").is_none());
        assert!(d.get("previous_end").is_none());
        assert_eq!(d["appointment_id"], booked.id.as_str());
        assert_eq!(d["service"], "cleaning");
        assert_eq!(d["phone"], "+972501234567");
    }
}
