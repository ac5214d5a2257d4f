use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use http::{HeaderMap, Method};
use jiff::civil::date;

use super::*;

fn jerusalem() -> TimeZone {
    TimeZone::get("Asia/Jerusalem").unwrap()
}

#[test]
fn times_carry_the_offset_of_their_own_instant() {
    let winter: Timestamp = "2026-11-23T08:00:00Z".parse().unwrap();
    let summer: Timestamp = "2026-07-23T07:00:00Z".parse().unwrap();
    assert_eq!(
        local_time(winter, &jerusalem()),
        "2026-11-23T10:00:00+02:00"
    );
    assert_eq!(
        local_time(summer, &jerusalem()),
        "2026-07-23T10:00:00+03:00"
    );
}

#[test]
fn dates_are_strict_and_real() {
    assert_eq!(
        parse_date("from", "2026-11-23").unwrap(),
        date(2026, 11, 23)
    );
    for bad in [
        "2026-02-31",
        "31/02/2026",
        "2026-2-3",
        "2026-11-23T10:00",
        "tomorrow",
        "",
    ] {
        let err = parse_date("from", bad).unwrap_err();
        assert!(err.starts_with("from `"), "{bad}: {err}");
    }
}

#[test]
fn a_start_needs_rfc_3339_with_an_offset() {
    let at = parse_start("start", "2026-11-23T10:00:00+02:00").unwrap();
    assert_eq!(at, "2026-11-23T08:00:00Z".parse::<Timestamp>().unwrap());
    assert!(parse_start("start", "2026-11-23T08:00:00Z").is_ok());
    for bad in [
        "2026-11-23T10:00:00",
        "2026-11-23 10:00",
        "2026-02-31T10:00:00Z",
        "10:00",
        "2026-11-23T10:00:00+02:00[Asia/Jerusalem]",
    ] {
        assert!(parse_start("start", bad).is_err(), "{bad}");
    }
}

#[test]
fn availability_queries_parse_or_say_why_not() {
    let q = parse_availability("service=checkup&from=2026-11-23&days=3").unwrap();
    assert_eq!(q.service.as_str(), "checkup");
    assert_eq!(q.from, Some(date(2026, 11, 23)));
    assert_eq!(q.days, 3);
    let q = parse_availability("service=checkup").unwrap();
    assert_eq!((q.from, q.days), (None, DEFAULT_DAYS));
    for (bad, reason) in [
        ("", "service is required"),
        ("service=Check%20Up", "unknown service"),
        ("service=checkup&from=2026-02-31", "from"),
        ("service=checkup&days=0", "days"),
        ("service=checkup&days=61", "days"),
        ("service=checkup&days=x", "days"),
        ("service=checkup&days=%zz", "percent"),
    ] {
        let err = parse_availability(bad).unwrap_err();
        assert!(err.contains(reason), "{bad}: {err}");
    }
}

#[test]
fn listings_take_dates_or_instants_and_default_to_thirty_days() {
    let zone = jerusalem();
    let today = date(2026, 11, 22);
    let q = parse_list("").unwrap().resolve(&zone, today).unwrap();
    assert_eq!(q.from, "2026-11-21T22:00:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(q.to, "2026-12-22T22:00:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(q.limit, DEFAULT_LIMIT);
    // A `to` date is inclusive; an instant is exclusive; an unescaped `+` reads as one.
    let q = parse_list("from=2026-11-23T10:00:00+02:00&to=2026-11-24&status=booked&limit=5")
        .unwrap()
        .resolve(&zone, today)
        .unwrap();
    assert_eq!(q.from, "2026-11-23T08:00:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(q.to, "2026-11-24T22:00:00Z".parse::<Timestamp>().unwrap());
    assert_eq!(q.status, Some(AppointmentStatus::Booked));
    assert_eq!(q.limit, 5);
    let cursor = URL_SAFE_NO_PAD.encode("2026-11-23T08:00:00.000000000Z#abc");
    let q = parse_list(&format!("cursor={cursor}")).unwrap();
    assert_eq!(
        q.after.as_deref(),
        Some("2026-11-23T08:00:00.000000000Z#abc")
    );
    for (bad, reason) in [
        ("from=2026-02-31", "from"),
        ("to=yesterday", "to"),
        ("status=maybe", "status"),
        ("cursor=bm9wZQ", "cursor"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
    ] {
        let err = parse_list(bad).unwrap_err();
        assert!(err.contains(reason), "{bad}: {err}");
    }
    let backwards = parse_list("from=2026-11-24&to=2026-11-23")
        .unwrap()
        .resolve(&zone, today)
        .unwrap_err();
    assert!(backwards.contains("before"), "{backwards}");
}

#[test]
fn bookings_parse_or_say_why_not() {
    let booking = parse_booking(
        br#"{"service": "checkup", "start": "2026-11-23T10:00:00+02:00",
             "phone": "+972501234567", "name": "  Dana "}"#,
    )
    .unwrap();
    assert_eq!(booking.service.as_str(), "checkup");
    assert_eq!(booking.phone.as_str(), "+972501234567");
    assert_eq!(booking.name.as_deref(), Some("Dana"));
    let anonymous = parse_booking(
        br#"{"service": "checkup", "start": "2026-11-23T08:00:00Z", "phone": "+972501234567", "name": null}"#,
    )
    .unwrap();
    assert_eq!(anonymous.name, None);
    let long_name = format!(
        r#"{{"service": "checkup", "start": "2026-11-23T08:00:00Z", "phone": "+972501234567", "name": "{}"}}"#,
        "x".repeat(101)
    );
    for (bad, reason) in [
        (&b"{"[..], "not the JSON expected"),
        (b"", "JSON body is required"),
        (b"[]", "not the JSON expected"),
        (
            br#"{"start": "2026-11-23T08:00:00Z", "phone": "+972501234567"}"#,
            "service is required",
        ),
        (
            br#"{"service": "checkup", "phone": "+972501234567"}"#,
            "start is required",
        ),
        (
            br#"{"service": "checkup", "start": "2026-11-23T08:00:00Z"}"#,
            "phone is required",
        ),
        (
            br#"{"service": "checkup", "start": "2026-11-23T10:00:00", "phone": "+972501234567"}"#,
            "offset",
        ),
        (
            br#"{"service": "checkup", "start": "2026-11-23T08:00:00Z", "phone": "0501234567"}"#,
            "E.164",
        ),
        (
            br#"{"service": "Check Up", "start": "2026-11-23T08:00:00Z", "phone": "+972501234567"}"#,
            "unknown service",
        ),
        (
            br#"{"service": 7, "start": "2026-11-23T08:00:00Z", "phone": "+972501234567"}"#,
            "not the JSON expected",
        ),
        (long_name.as_bytes(), "name is over"),
    ] {
        let err = parse_booking(bad).unwrap_err();
        assert!(err.contains(reason), "{}: {err}", String::from_utf8_lossy(bad));
        assert!(!err.contains('\n'), "one line: {err}");
    }
    assert!(parse_reschedule(br#"{"start": "2026-11-23T08:00:00Z"}"#).is_ok());
    assert!(parse_reschedule(br#"{}"#)
        .unwrap_err()
        .contains("start is required"));
}

fn with_key(key: Option<&str>) -> InboundRequest {
    let mut headers = HeaderMap::new();
    if let Some(key) = key {
        headers.insert(IDEMPOTENCY_KEY, HeaderValue::from_str(key).unwrap());
    }
    InboundRequest::local(
        Method::POST,
        "/api/appointments",
        headers,
        Bytes::new(),
        "r".into(),
    )
}

#[test]
fn idempotency_keys_become_api_request_keys() {
    let (key, given) = request_key(&with_key(Some("order-42"))).unwrap();
    assert_eq!((key.as_str(), given), ("api:order-42", true));
    let (first, given) = request_key(&with_key(None)).unwrap();
    let (second, _) = request_key(&with_key(None)).unwrap();
    assert!(!given);
    assert_ne!(first, second, "a fresh key per request without one");
    for bad in ["", "a#b", &"k".repeat(197)] {
        assert!(request_key(&with_key(Some(bad))).is_err(), "{bad}");
    }
}

#[test]
fn refusals_carry_a_reason_and_alternatives_in_the_business_offset() {
    let slot = Slot {
        start: "2026-11-23T08:00:00Z".parse().unwrap(),
        end: "2026-11-23T08:30:00Z".parse().unwrap(),
    };
    let response = not_offered(Reason::OutsideHours, &[slot], &jerusalem());
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["reason"], "outside_hours");
    assert_eq!(body["error"], "that is outside our opening hours");
    assert_eq!(
        body["alternatives"][0]["start"],
        "2026-11-23T10:00:00+02:00"
    );
    assert_eq!(body["alternatives"][0]["end"], "2026-11-23T10:30:00+02:00");
    let response = taken(&[], &jerusalem());
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(not_configured().status(), StatusCode::CONFLICT);
}

fn booked(key: &str) -> Appointment {
    use crate::domain::booking::engine::Busy;
    use crate::domain::Channel;
    let start: Timestamp = "2026-11-23T08:00:00Z".parse().unwrap();
    let end: Timestamp = "2026-11-23T08:30:00Z".parse().unwrap();
    Appointment {
        id: AppointmentId::parse("0192f0c1a2b34c5d8e9f0a1b2c3d4e5f").unwrap(),
        business_id: BusinessId::parse("acme").unwrap(),
        service: ServiceId::parse("checkup").unwrap(),
        slot: Slot { start, end },
        block: Busy { start, end },
        timezone: "Asia/Jerusalem".into(),
        phone: PhoneNumber::parse("+972501234567").unwrap(),
        name: None,
        channel: Channel::Api,
        source: key.into(),
        status: AppointmentStatus::Booked,
        version: 1,
        created_at: start,
        updated_at: start,
    }
}

#[test]
fn a_spent_key_replays_only_the_request_it_was_spent_on() {
    let key = RequestKey::parse("api:k1").unwrap();
    let other = RequestKey::parse("api:k2").unwrap();
    let mut a = booked("api:k1");
    let booking = NewBooking {
        service: a.service.clone(),
        start: a.slot.start,
        phone: a.phone.clone(),
        name: None,
    };
    assert!(is_booking_retry(&a, &key, &booking));
    assert!(!is_booking_retry(&a, &other, &booking), "spent on another");
    let elsewhere = NewBooking {
        start: a.slot.end,
        ..booking.clone()
    };
    assert!(!is_booking_retry(&a, &key, &elsewhere), "another start");
    a.version = 2;
    assert!(is_booking_retry(&a, &key, &elsewhere), "moved since");

    let id = a.id.clone();
    let unknown = AppointmentId::parse("0192f0c1a2b34c5d8e9f0a1b2c3d4e50").unwrap();
    assert!(!is_cancel_retry(&a, &id, &key), "the key booked it");
    assert!(!is_cancel_retry(&a, &id, &other), "still booked");
    a.status = AppointmentStatus::Cancelled;
    assert!(is_cancel_retry(&a, &id, &other));
    assert!(!is_cancel_retry(&a, &unknown, &other));

    let moved_to = a.slot.start;
    assert!(
        is_reschedule_retry(&a, &id, &other, moved_to),
        "then cancelled"
    );
    assert!(
        !is_reschedule_retry(&a, &id, &other, a.slot.end),
        "a key spent cancelling"
    );
    a.status = AppointmentStatus::Booked;
    assert!(is_reschedule_retry(&a, &id, &other, a.slot.end));
    assert!(!is_reschedule_retry(&a, &id, &key, moved_to));
    assert!(!is_reschedule_retry(&a, &unknown, &other, moved_to));
}
