use jiff::Timestamp;

use super::*;
use crate::domain::booking::engine::Busy;

fn at(rfc3339: &str) -> Timestamp {
    rfc3339.parse().unwrap()
}

fn appointment(version: u32, start: &str, end: &str) -> Appointment {
    let slot = Slot {
        start: at(start),
        end: at(end),
    };
    Appointment {
        id: AppointmentId::parse("0192f0c1a2b34c5d8e9f0a1b2c3d4e5f").unwrap(),
        business_id: BusinessId::parse("acme").unwrap(),
        service: ServiceId::parse("cleaning").unwrap(),
        slot,
        block: Busy {
            start: slot.start,
            end: slot.end,
        },
        timezone: "Asia/Jerusalem".into(),
        phone: PhoneNumber::parse("+972501234567").unwrap(),
        name: Some("Dana".into()),
        channel: Channel::Whatsapp,
        source: "wa:wamid.1".into(),
        status: AppointmentStatus::Booked,
        version,
        created_at: at("2026-11-20T08:00:00Z"),
        updated_at: at("2026-11-20T08:00:00Z"),
    }
}

fn parse(body: &str) -> NotifyJob {
    serde_json::from_str(body).unwrap()
}

#[test]
fn a_call_job_queued_before_appointments_had_events_still_parses_and_reads_the_same() {
    let body = r#"{"event":"call.completed","call_sid":"CA9","business_id":"acme","trigger":"call_ended","digits":null}"#;
    let job = parse(body);
    assert_eq!(
        job,
        NotifyJob::call_completed(
            CallSid::parse("CA9").unwrap(),
            Some(BusinessId::parse("acme").unwrap()),
            Trigger::CallEnded
        )
    );
    assert_eq!(job.message().body, body, "a call job's JSON is unchanged");
    assert_eq!(job.message().dedup_id, "CA9:call.completed:ended");

    let code = parse(
        r#"{"event":"call.verification_code","call_sid":"CA9","business_id":null,"trigger":"gather","digits":"1234"}"#,
    );
    assert_eq!(
        code,
        NotifyJob::verification_code(CallSid::parse("CA9").unwrap(), None, "1234".into())
    );
    // `digits` came later than the others; older jobs lack it.
    let oldest = parse(
        r#"{"event":"call.completed","call_sid":"CA9","business_id":null,"trigger":"transcription"}"#,
    );
    assert_eq!(oldest.event_id(), "evt_CA9_completed");
    assert_eq!(
        oldest.subject(),
        Subject::Call(CallSid::parse("CA9").unwrap())
    );
}

#[test]
fn an_appointment_job_round_trips_with_its_snapshot() {
    let booked = appointment(1, "2026-11-22T08:00:00Z", "2026-11-22T08:30:00Z");
    let job = NotifyJob::booked(&booked);
    let body = job.message().body;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["event"], "appointment.booked");
    assert_eq!(json["appointment"]["id"], booked.id.as_str());
    assert_eq!(json["appointment"]["slot"]["start"], "2026-11-22T08:00:00Z");
    assert_eq!(json["appointment"]["timezone"], "Asia/Jerusalem");
    assert_eq!(json["appointment"]["channel"], "whatsapp");
    assert!(json.get("previous").is_none());
    assert!(
        json["appointment"].get("source").is_none(),
        "only what the event tells"
    );
    assert_eq!(parse(&body), job);
    assert_eq!(job.event_type(), "appointment.booked");
    assert_eq!(job.subject(), Subject::Appointment(booked.id.clone()));

    let moved = appointment(2, "2026-11-23T09:00:00Z", "2026-11-23T09:30:00Z");
    let job = NotifyJob::rescheduled(&moved, booked.slot);
    let body = job.message().body;
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["event"], "appointment.rescheduled");
    assert_eq!(json["previous"]["start"], "2026-11-22T08:00:00Z");
    assert_eq!(json["appointment"]["version"], 2);
    assert_eq!(parse(&body), job);
}

#[test]
fn a_change_has_one_event_id_and_two_changes_have_two() {
    let v1 = appointment(1, "2026-11-22T08:00:00Z", "2026-11-22T08:30:00Z");
    let v2 = appointment(2, "2026-11-23T09:00:00Z", "2026-11-23T09:30:00Z");
    let v3 = appointment(3, "2026-11-24T09:00:00Z", "2026-11-24T09:30:00Z");
    let id = v1.id.as_str();
    assert_eq!(
        NotifyJob::booked(&v1).event_id(),
        format!("evt_{id}_booked")
    );
    assert_eq!(
        NotifyJob::cancelled(&v3).event_id(),
        format!("evt_{id}_cancelled")
    );
    let first = NotifyJob::rescheduled(&v2, v1.slot);
    let again = NotifyJob::rescheduled(&v2, v1.slot);
    let second = NotifyJob::rescheduled(&v3, v2.slot);
    assert_eq!(first.event_id(), format!("evt_{id}_rescheduled_v2"));
    assert_eq!(first.event_id(), again.event_id());
    assert_eq!(first.message().dedup_id, again.message().dedup_id);
    assert_eq!(second.event_id(), format!("evt_{id}_rescheduled_v3"));
    assert_ne!(first.message().dedup_id, second.message().dedup_id);
    assert_eq!(
        first.message().dedup_id,
        format!("{id}:appointment.rescheduled:v2")
    );
}

#[test]
fn a_malformed_job_says_what_its_kind_lacks() {
    let err = serde_json::from_str::<NotifyJob>(r#"{"event":"appointment.booked"}"#).unwrap_err();
    assert!(err.to_string().contains("appointment"), "{err}");
    let err = serde_json::from_str::<NotifyJob>(r#"{"event":"call.completed"}"#).unwrap_err();
    assert!(err.to_string().contains("call_sid"), "{err}");
    assert!(serde_json::from_str::<NotifyJob>(r#"{"event":"appointment.moved"}"#).is_err());
}
