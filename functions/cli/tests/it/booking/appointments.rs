//! Free slots, and booking, moving and cancelling through the binary on a local store.

use serde_json::Value;

use super::{in_days, starts_on, zone, Local, PHONE, SETTINGS_JSON};

#[test]
fn availability_lists_local_slots_and_skips_a_closed_date() {
    let local = Local::new();
    let json = local.file("booking.json", SETTINGS_JSON);
    let (day, closed) = (in_days(3), in_days(4));
    let closed_flag = closed.to_string();
    local.ok(&[
        "booking",
        "set",
        "acme",
        "--file",
        &json,
        "--closed",
        &closed_flag,
    ]);
    let from = day.to_string();
    let args = [
        "availability",
        "acme",
        "--service",
        "checkup",
        "--from",
        &from,
        "--days",
        "2",
    ];
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let free = local.json(&with_json);
    assert_eq!(free["timezone"], "Asia/Jerusalem");
    let starts = starts_on(&free, day);
    assert!(starts.contains(&"10:00".to_string()), "{free:#}");
    assert!(starts_on(&free, closed).is_empty(), "{free:#}");
    let first = &free["slots"][0];
    let start: jiff::Timestamp = first["start"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        start.to_zoned(zone()).strftime("%H:%M").to_string(),
        first["time"].as_str().unwrap()
    );
    // Israel is at +02:00 in winter and +03:00 in summer: never UTC's `Z`.
    let rfc3339 = first["start"].as_str().unwrap();
    let offset = zone().to_offset(start).seconds() / 3600;
    assert!(
        rfc3339.ends_with(&format!("+{offset:02}:00")),
        "RFC 3339 with the business's offset: {first}"
    );
    let text = local.ok(&args);
    let label = day.strftime("%a %Y-%m-%d").to_string();
    assert!(text.contains(&label), "{text}");
    assert!(
        !text.contains(&closed.strftime("%a %Y-%m-%d").to_string()),
        "{text}"
    );
}

#[test]
fn book_list_reschedule_cancel_frees_the_slot_and_queues_each_event() {
    let local = Local::new();
    let json = local.file("booking.json", SETTINGS_JSON);
    local.ok(&["booking", "set", "acme", "--file", &json]);
    let day = in_days(3);
    let from = day.to_string();
    let free = || {
        local.json(&[
            "availability",
            "acme",
            "--service",
            "checkup",
            "--from",
            &from,
            "--days",
            "1",
            "--json",
        ])
    };
    assert!(starts_on(&free(), day).contains(&"10:00".to_string()));

    let start = format!("{day} 10:00");
    let booked = local.ok(&[
        "appointments",
        "book",
        "acme",
        "--service",
        "checkup",
        "--start",
        &start,
        "--phone",
        PHONE,
        "--name",
        "Dana",
    ]);
    let id = booked
        .split_whitespace()
        .nth(1)
        .expect("booked ID …")
        .to_string();
    assert!(
        booked.contains(&format!("{} 10:00-10:30", day.strftime("%a %Y-%m-%d"))),
        "{booked}"
    );
    let starts = starts_on(&free(), day);
    assert!(!starts.contains(&"10:00".to_string()), "{starts:?}");
    assert!(
        !starts.contains(&"09:45".to_string()),
        "its block reaches 10:00"
    );

    let listed = local.json(&["appointments", "list", "acme", "--json"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["appointment_id"], id.as_str());
    assert_eq!(listed[0]["status"], "booked");
    assert_eq!(listed[0]["name"], "Dana");
    assert_eq!(listed[0]["channel"], "api");
    assert!(listed[0]["start"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{day}T10:00:00+0")));
    let table = local.ok(&["appointments", "list", "acme"]);
    assert!(table.contains(&id) && table.contains(PHONE), "{table}");

    // The same time again is taken, with other times offered.
    let (taken, _) = local.fails(&[
        "appointments",
        "book",
        "acme",
        "--service",
        "checkup",
        "--start",
        &start,
        "--phone",
        "+972501111111",
    ]);
    assert!(taken.contains("already taken"), "{taken}");
    assert!(taken.contains("nearest free times"), "{taken}");

    assert_eq!(local.events(), [("appointment.booked".into(), id.clone())]);

    // Moved an hour later: the old time is free again, the new one taken.
    let later = format!("{day} 11:00");
    let moved = local.ok(&["appointments", "reschedule", "acme", &id, "--start", &later]);
    assert!(moved.starts_with(&format!("rescheduled {id}")), "{moved}");
    let starts = starts_on(&free(), day);
    assert!(starts.contains(&"10:00".to_string()), "{starts:?}");
    assert!(!starts.contains(&"11:00".to_string()), "{starts:?}");
    let closing = format!("{day} 16:45");
    let (refused, _) = local.fails(&[
        "appointments",
        "reschedule",
        "acme",
        &id,
        "--start",
        &closing,
    ]);
    assert!(
        refused.contains("not rescheduled: the appointment would run past closing time"),
        "{refused}"
    );

    let cancelled = local.ok(&["appointments", "cancel", "acme", &id]);
    assert!(cancelled.starts_with("cancelled"), "{cancelled}");
    assert!(starts_on(&free(), day).contains(&"11:00".to_string()));
    let by_status = local.json(&[
        "appointments",
        "list",
        "acme",
        "--status",
        "cancelled",
        "--json",
    ]);
    assert_eq!(by_status[0]["appointment_id"], id.as_str());
    assert_eq!(by_status[0]["status"], "cancelled");
    let booked_only = local.json(&[
        "appointments",
        "list",
        "acme",
        "--status",
        "booked",
        "--json",
    ]);
    assert_eq!(booked_only, serde_json::json!([]));
    assert_eq!(
        local.events(),
        [
            ("appointment.booked".into(), id.clone()),
            ("appointment.rescheduled".into(), id.clone()),
            ("appointment.cancelled".into(), id.clone())
        ]
    );
    let (again, _) = local.fails(&["appointments", "cancel", "acme", &id]);
    assert!(again.contains("not booked"), "{again}");
}

#[test]
fn a_refused_time_prints_the_reason_and_the_nearest_free_times() {
    let local = Local::new();
    let json = local.file("booking.json", SETTINGS_JSON);
    local.ok(&["booking", "set", "acme", "--file", &json]);
    let day = in_days(3);
    let late = format!("{day} 20:00");
    let book = [
        "appointments",
        "book",
        "acme",
        "--service",
        "checkup",
        "--start",
        &late,
        "--phone",
        PHONE,
    ];
    let (refused, _) = local.fails(&book);
    assert!(
        refused.contains("not booked: that is outside our opening hours"),
        "{refused}"
    );
    assert!(refused.contains("nearest free times:"), "{refused}");
    assert!(
        refused.contains(&day.strftime("%a %Y-%m-%d").to_string()),
        "{refused}"
    );
    let mut with_json = book.to_vec();
    with_json.push("--json");
    let output = local.run(&with_json);
    assert_eq!(output.status.code(), Some(1));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["booked"], false);
    assert_eq!(answer["reason"], "outside_hours");
    assert_eq!(
        answer["alternatives"].as_array().unwrap().len(),
        3,
        "{answer:#}"
    );
    assert!(local.events().is_empty(), "a refusal raises no event");

    let (_, stderr) = local.fails(&[
        "appointments",
        "book",
        "acme",
        "--service",
        "massage",
        "--start",
        &late,
        "--phone",
        PHONE,
    ]);
    assert!(
        stderr.contains("no service `massage` (it has: checkup, cleaning)"),
        "{stderr}"
    );
}

#[test]
fn commands_on_a_business_without_booking_say_how_to_set_it_up() {
    let local = Local::new();
    for args in [
        vec!["availability", "acme"],
        vec!["booking", "show", "acme"],
    ] {
        let (_, stderr) = local.fails(&args);
        assert!(
            stderr.contains("frontdesk booking set acme"),
            "{args:?}: {stderr}"
        );
    }
    let shown = local.ok(&["business", "show", "acme"]);
    assert!(shown.contains("booking  (not set"), "{shown}");
}
