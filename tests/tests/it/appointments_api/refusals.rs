//! Bad input is a 4xx with a one-line reason, never a 5xx; a time the engine does not offer is
//! a 422 saying why, with the nearest free slots.

use frontdesk::Route;
use jiff::Span;
use serde_json::json;

use super::{local, World, SERVICE};

pub async fn bad_inputs_are_400_with_a_one_line_reason(world: &World) {
    let appointments = Route::ApiAppointments.path();
    let start = local(world.at(world.day, 10, 0));
    let booking = |field: &str, value: serde_json::Value| {
        let mut body = json!({"service": SERVICE, "start": start, "phone": "+972501234567"});
        match value {
            serde_json::Value::Null => body.as_object_mut().unwrap().remove(field),
            value => body.as_object_mut().unwrap().insert(field.into(), value),
        };
        body.to_string()
    };
    let posts = [
        ("{".to_string(), "not the JSON expected"),
        ("".to_string(), "JSON body is required"),
        ("[1, 2]".to_string(), "not the JSON expected"),
        (booking("service", json!(null)), "service is required"),
        (booking("start", json!(null)), "start is required"),
        (booking("phone", json!(null)), "phone is required"),
        (booking("start", json!("2026-12-07T10:00:00")), "offset"),
        (booking("start", json!("07/12/2026 10:00")), "RFC 3339"),
        (
            booking("start", json!("2027-02-31T10:00:00+02:00")),
            "RFC 3339",
        ),
        (booking("start", json!(1795255200)), "not the JSON expected"),
        (booking("phone", json!("0501234567")), "E.164"),
        (booking("phone", json!("+972-50-abc")), "E.164"),
        (
            booking("service", json!("massage")),
            "unknown service `massage`",
        ),
        (booking("service", json!("Bad Service!")), "unknown service"),
        (booking("name", json!("x".repeat(101))), "name is over"),
    ];
    for (body, reason) in posts {
        let reply = world
            .post(appointments, Some(&world.key), &body, None)
            .await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert!(reply.error().contains(reason), "{body}: {}", reply.error());
    }
    let good = booking("name", json!("Dana"));
    for key in ["a#b", &"k".repeat(197)] {
        let reply = world
            .post(appointments, Some(&world.key), &good, Some(key))
            .await;
        assert_eq!(reply.status, 400, "{key}: {}", reply.body);
        assert!(reply.error().contains("Idempotency-Key"));
    }

    let availability = Route::ApiAvailability.path();
    for (query, reason) in [
        ("".to_string(), "service is required"),
        ("service=massage".to_string(), "unknown service `massage`"),
        (
            format!("service={SERVICE}&from=2027-02-31"),
            "from `2027-02-31`",
        ),
        (
            format!("service={SERVICE}&from=31/02/2027"),
            "is not a date",
        ),
        (
            format!("service={SERVICE}&from=2027-13-01"),
            "is not a date",
        ),
        (format!("service={SERVICE}&days=0"), "days must be 1 to 60"),
        (format!("service={SERVICE}&days=61"), "days must be 1 to 60"),
        (format!("service={SERVICE}&days=-1"), "days must be 1 to 60"),
        (
            format!("service={SERVICE}&days=week"),
            "days must be 1 to 60",
        ),
        (format!("service={SERVICE}&days=%zz"), "percent-encoding"),
    ] {
        let reply = world
            .get(&format!("{availability}?{query}"), Some(&world.key))
            .await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert!(reply.error().contains(reason), "{query}: {}", reply.error());
    }

    for (query, reason) in [
        ("from=2027-02-31", "from `2027-02-31`"),
        ("to=31/02/2027", "to `31/02/2027`"),
        ("from=2026-12-07T10:00:00", "offset"),
        ("status=pending", "status `pending`"),
        ("limit=0", "limit must be 1 to 200"),
        ("limit=201", "limit must be 1 to 200"),
        ("cursor=bm9wZQ", "cursor"),
        ("cursor=MjAyNi0xMS0yMyNub3QtYW4taWQ", "cursor"),
        ("from=2027-01-02&to=2027-01-01", "from must be before to"),
    ] {
        let reply = world
            .get(&format!("{appointments}?{query}"), Some(&world.key))
            .await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert!(reply.error().contains(reason), "{query}: {}", reply.error());
    }

    let booked = world
        .book(world.at(world.day, 10, 0), "+972501234567", None)
        .await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    let path = Route::ApiAppointmentReschedule.path_with(&[("id", booked.id())]);
    for (body, reason) in [
        ("{", "not the JSON expected"),
        ("{}", "start is required"),
        (r#"{"start": "tomorrow at ten"}"#, "RFC 3339"),
        (r#"{"start": "2027-01-05T10:00"}"#, "offset"),
    ] {
        let reply = world.post(&path, Some(&world.key), body, None).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert!(reply.error().contains(reason), "{body}: {}", reply.error());
    }
}

pub async fn a_business_without_booking_settings_is_409(world: &World) {
    let availability = format!("{}?service={SERVICE}", Route::ApiAvailability.path());
    let reply = world.get(&availability, Some(&world.bare_key)).await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.body["reason"], "not_configured");
    assert_eq!(reply.error(), "booking is not set up for this business");
    let body = json!({
        "service": SERVICE, "start": local(world.at(world.day, 10, 0)), "phone": "+972501234567",
    });
    let reply = world
        .post(
            Route::ApiAppointments.path(),
            Some(&world.bare_key),
            &body.to_string(),
            None,
        )
        .await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.body["reason"], "not_configured");
    // Its (empty) listing needs no settings.
    let listed = world
        .get(Route::ApiAppointments.path(), Some(&world.bare_key))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(listed.body["appointments"].as_array().unwrap().is_empty());
}

pub async fn times_the_engine_does_not_offer_are_422_with_why_and_alternatives(world: &World) {
    let day = world.day;
    let saturday = day.checked_sub(Span::new().days(2)).unwrap();
    let far = super::today().checked_add(Span::new().days(400)).unwrap();
    let yesterday = super::today().yesterday().unwrap();
    let cases = [
        (world.at(day, 10, 5), "not_on_grid"),
        (world.at(day, 10, 7), "not_on_grid"),
        (world.at(day, 7, 0), "outside_hours"),
        (world.at(day, 17, 0), "outside_hours"),
        (world.at(day, 16, 45), "overruns_closing"),
        // 16:30 ends at 17:00, but its 10 minutes after do not fit.
        (world.at(day, 16, 30), "overruns_closing"),
        (world.at(world.closed, 10, 0), "closed"),
        (world.at(saturday, 10, 0), "closed"),
        (super::minutes_from_now(60), "too_soon"),
        (world.at(yesterday, 10, 0), "past"),
        (world.at(far, 10, 0), "too_far"),
    ];
    for (start, reason) in cases {
        let reply = world.book(start, "+972501234567", None).await;
        assert_eq!(
            reply.status,
            422,
            "{} {reason}: {}",
            local(start),
            reply.body
        );
        assert_eq!(reply.body["reason"], reason, "{}", local(start));
        let error = reply.error().to_string();
        assert!(!error.is_empty());
        let alternatives = reply.alternatives();
        assert!(!alternatives.is_empty(), "{reason}: {}", reply.body);
        assert!(alternatives.len() <= 3);
    }
    // The nearest offers for an off-grid time are the grid marks around it.
    let reply = world
        .book(world.at(day, 10, 5), "+972501234567", None)
        .await;
    let nearest: Vec<_> = reply.alternatives().iter().map(|(s, _)| *s).collect();
    assert_eq!(
        nearest,
        [
            world.at(day, 10, 0),
            world.at(day, 10, 15),
            world.at(day, 9, 45)
        ]
    );
    assert!(world.listed_on(day).await.is_empty(), "nothing was booked");
    let saturday_reply = world
        .book(world.at(saturday, 10, 0), "+972501234567", None)
        .await;
    assert_eq!(saturday_reply.error(), "we are closed that day");
}
