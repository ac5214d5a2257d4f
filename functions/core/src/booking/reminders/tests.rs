use jiff::Timestamp;

use super::answer::{read, Said};
use super::wanted;
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, Business, BusinessId, ReminderAnswer,
    ReminderSettings,
};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn appointment(start: &str, status: &str) -> Appointment {
    serde_json::from_value(serde_json::json!({
        "id": "0192f0c1a2b34c5d8e9f0a1b2c3d4e5f", "business_id": "acme",
        "service": "checkup",
        "slot": {"start": start, "end": start},
        "block": {"start": start, "end": start},
        "timezone": "Asia/Jerusalem", "phone": "+972501234567", "name": null,
        "channel": "api", "source": "api:k1", "status": status,
        "version": 1, "created_at": "2026-11-20T08:00:00Z",
        "updated_at": "2026-11-20T08:00:00Z"
    }))
    .unwrap()
}

fn business(settings: Option<&str>) -> Business {
    let mut business = Business::new(BusinessId::parse("acme").unwrap(), "Acme Dental");
    business.reminders = settings.map(|s| ReminderSettings::parse_json(s).unwrap());
    business
}

const DAY_AND_TWO_HOURS: &str = r#"{"offsets_minutes": [1440, 120], "channel": "sms",
    "window": {"from": "09:00", "to": "20:00"}}"#;

#[test]
fn a_booked_appointment_wants_one_reminder_per_offset_at_its_local_time() {
    // 10:00 Jerusalem on 24 Nov: 10:00 on the 23rd, and 08:00 on the 24th moved to 20:00 on
    // the 23rd (before the window opens).
    let reminders = wanted(
        &business(Some(DAY_AND_TWO_HOURS)),
        &appointment("2026-11-24T08:00:00Z", "booked"),
        at("2026-11-20T08:00:00Z"),
    );
    let due: Vec<_> = reminders
        .iter()
        .map(|r| (r.offset_minutes, r.due))
        .collect();
    assert_eq!(
        due,
        [
            (1440, at("2026-11-23T08:00:00Z")),
            (120, at("2026-11-23T18:00:00Z"))
        ]
    );
    assert!(reminders
        .iter()
        .all(|r| r.start == at("2026-11-24T08:00:00Z")));
    assert_eq!(
        reminders[0].appointment_id,
        AppointmentId::parse("0192f0c1a2b34c5d8e9f0a1b2c3d4e5f").unwrap()
    );
}

#[test]
fn a_cancelled_appointment_or_a_business_without_reminders_wants_none() {
    let cancelled = appointment("2026-11-24T08:00:00Z", "cancelled");
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert!(wanted(
        &business(Some(DAY_AND_TWO_HOURS)),
        &cancelled,
        at("2026-11-20T08:00:00Z")
    )
    .is_empty());
    let booked = appointment("2026-11-24T08:00:00Z", "booked");
    assert!(wanted(&business(None), &booked, at("2026-11-20T08:00:00Z")).is_empty());
}

#[test]
fn answers_are_read_from_buttons_numbers_and_words_in_both_languages() {
    let confirm = |appointment| Said {
        answer: ReminderAnswer::Confirmed,
        appointment,
    };
    let cancel = |appointment| Said {
        answer: ReminderAnswer::Cancelled,
        appointment,
    };
    for text in ["1", " 2 ", "ביטול", "Cancel", "cancel!", "אישור", "CONFIRM"] {
        assert!(read(text, None).is_some(), "{text}");
    }
    assert_eq!(read("2", None), Some(cancel(None)));
    assert_eq!(read("ביטול", None), Some(cancel(None)));
    assert_eq!(read("אישור", None), Some(confirm(None)));
    assert_eq!(read("Confirm", Some("CONFIRM")), Some(confirm(None)));
    let id = "0192f0c1a2b34c5d8e9f0a1b2c3d4e5f";
    assert_eq!(
        read("Cancel", Some(&format!("reminder:cancel:{id}"))),
        Some(cancel(Some(AppointmentId::parse(id).unwrap())))
    );
    for text in ["3", "12", "מחר בשלוש", "cancel my 3pm", ""] {
        assert_eq!(read(text, None), None, "{text}");
    }
    assert_eq!(read("x", Some("reminder:cancel:not-an-id")), None);
}
