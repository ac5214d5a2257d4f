//! Keys and CORS, availability, booking, listing, replays and races.

use frontdesk::Route;
use jiff::civil::Date;
use jiff::{SignedDuration, Span, Timestamp};
use serde_json::Value;

use super::{local, offset_time, today, zone, World, ORIGIN, SERVICE};

pub async fn keys_are_required_and_a_preflight_allows_an_idempotency_key(world: &World) {
    let id = "0192f0c1a2b34c5d8e9f0a1b2c3d4e5f";
    let availability = format!("{}?service={SERVICE}", Route::ApiAvailability.path());
    for reply in [
        world.get(&availability, None).await,
        world.get(Route::ApiAppointments.path(), None).await,
        world
            .post(Route::ApiAppointments.path(), None, "{}", None)
            .await,
        world
            .post(
                &Route::ApiAppointmentCancel.path_with(&[("id", id)]),
                None,
                "",
                None,
            )
            .await,
        world
            .post(
                &Route::ApiAppointmentReschedule.path_with(&[("id", id)]),
                Some("fdk_not-a-real-key"),
                "{}",
                None,
            )
            .await,
    ] {
        assert_eq!(reply.status, 401, "{}", reply.body);
        assert!(reply.error().contains("key") || reply.error().contains("Authorization"));
    }

    let client = frontdesk_testkit::http_client();
    for route in [
        Route::ApiAvailability,
        Route::ApiAppointments,
        Route::ApiAppointmentCancel,
        Route::ApiAppointmentReschedule,
    ] {
        let path = route.path_with(&[("id", id)]);
        let preflight = client
            .request(reqwest::Method::OPTIONS, world.server.url(&path))
            .header("origin", ORIGIN)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type, idempotency-key",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 204, "{path}");
        let headers = preflight.headers();
        assert_eq!(headers["access-control-allow-origin"], ORIGIN);
        let allowed = headers["access-control-allow-headers"].to_str().unwrap();
        assert!(allowed.contains("idempotency-key"), "{allowed}");
        let foreign = client
            .request(reqwest::Method::OPTIONS, world.server.url(&path))
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), 403, "{path}");
    }
}

/// The first date from `from` whose offset differs from the day before's: a DST change.
fn next_offset_change(from: Date) -> Date {
    let noon =
        |date: Date| zone().to_offset(date.at(12, 0, 0, 0).to_zoned(zone()).unwrap().timestamp());
    let mut date = from;
    loop {
        let next = date.tomorrow().unwrap();
        if noon(next) != noon(date) {
            return next;
        }
        date = next;
    }
}

pub async fn availability_is_in_the_business_offset_across_a_dst_change(world: &World) {
    // Two days either side, all of them bookable (past the two hours' notice).
    let change = next_offset_change(today().checked_add(Span::new().days(3)).unwrap());
    let from = change.checked_sub(Span::new().days(2)).unwrap();
    let path = format!(
        "{}?service={SERVICE}&from={from}&days=5",
        Route::ApiAvailability.path()
    );
    let reply = world.get(&path, Some(&world.key)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.headers["content-type"], "application/json");
    assert_eq!(reply.headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(reply.body["timezone"], super::ZONE);
    let slots = reply.body["slots"].as_array().unwrap();
    assert!(!slots.is_empty());
    let mut offsets = std::collections::BTreeSet::new();
    let mut first_of_day = std::collections::BTreeMap::new();
    for slot in slots {
        assert_eq!(slot.as_object().unwrap().len(), 2, "start and end: {slot}");
        let (start, end) = (offset_time(&slot["start"]), offset_time(&slot["end"]));
        assert_eq!(end.duration_since(start), SignedDuration::from_mins(30));
        let wall = start.to_zoned(zone());
        assert_eq!(wall.minute() % 15, 0, "on the grid: {slot}");
        assert!((9..17).contains(&wall.hour()), "within hours: {slot}");
        offsets.insert(zone().to_offset(start));
        first_of_day.entry(wall.date()).or_insert(wall.time());
    }
    assert_eq!(offsets.len(), 2, "both sides of {change}: {offsets:?}");
    for (date, first) in &first_of_day {
        assert!(*date >= from && *date <= change.checked_add(Span::new().days(2)).unwrap());
        assert_eq!(
            *first,
            jiff::civil::time(9, 0, 0, 0),
            "{date} opens at 09:00"
        );
    }

    // Defaults: from today, seven days; `days` narrows it.
    let default = world
        .get(
            &format!("{}?service={SERVICE}", Route::ApiAvailability.path()),
            Some(&world.key),
        )
        .await;
    assert_eq!(default.status, 200, "{}", default.body);
    let last = today().checked_add(Span::new().days(6)).unwrap();
    for slot in default.body["slots"].as_array().unwrap() {
        let date = offset_time(&slot["start"]).to_zoned(zone()).date();
        assert!(date >= today() && date <= last, "{slot}");
    }
    let one_day = world
        .get(
            &format!(
                "{}?service={SERVICE}&from={}&days=1",
                Route::ApiAvailability.path(),
                world.day
            ),
            Some(&world.key),
        )
        .await;
    let slots = one_day.body["slots"].as_array().unwrap();
    // 09:00 to 16:15 every quarter hour: the last one ends with its buffer at 16:55.
    assert_eq!(slots.len(), 30, "{}", one_day.body);
    assert_eq!(slots[0]["start"], local(world.at(world.day, 9, 0)).as_str());
}

pub async fn a_booking_is_listed_and_its_idempotency_key_replays_it(world: &World) {
    let start = world.at(world.day, 10, 0);
    let booked = world.book(start, "+972501234567", Some("order-1")).await;
    assert_eq!(booked.status, 201, "{}", booked.body);
    assert!(!booked.headers.contains_key("idempotent-replayed"));
    assert_eq!(booked.headers["access-control-allow-origin"], ORIGIN);
    let a = &booked.body;
    assert_eq!(a["id"].as_str().unwrap().len(), 32);
    assert_eq!(a["status"], "booked");
    assert_eq!(a["start"], local(start).as_str());
    assert_eq!(a["end"], local(world.at(world.day, 10, 30)).as_str());
    assert_eq!(a["service"], SERVICE);
    assert_eq!(a["phone"], "+972501234567");
    assert_eq!(a["name"], "Dana Levi");
    assert_eq!(a["channel"], "api");
    assert_eq!(a["version"], 1);
    assert!(a["created_at"]
        .as_str()
        .unwrap()
        .parse::<Timestamp>()
        .is_ok());

    let listed = world.listed_on(world.day).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(&listed[0], a, "listed as booked");

    // The same key again: the same appointment, said to be a replay, nothing booked twice.
    let again = world.book(start, "+972501234567", Some("order-1")).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body, *a);
    assert_eq!(world.listed_on(world.day).await.len(), 1);
    // The same key for another request is refused.
    let reused = world
        .book(world.at(world.day, 11, 0), "+972501234567", Some("order-1"))
        .await;
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert_eq!(reused.body["reason"], "idempotency_key_reused");
    // Without a key, the same slot is simply taken.
    let taken = world.book(start, "+972509999999", None).await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert_eq!(taken.error(), "that time is already taken");
    let alternatives = taken.alternatives();
    assert!(!alternatives.is_empty());
    assert!(alternatives.iter().all(|(s, _)| *s != start));

    // Listing: status filter, paging, a range with nothing in it.
    assert_eq!(
        world
            .book(world.at(world.day, 12, 0), "+972501111111", None)
            .await
            .status,
        201
    );
    assert_eq!(
        world
            .book(world.at(world.day, 13, 0), "+972502222222", None)
            .await
            .status,
        201
    );
    let page = |query: String| async move {
        let reply = world
            .get(
                &format!("{}?{query}", Route::ApiAppointments.path()),
                Some(&world.key),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body
    };
    let first: Value = page(format!("from={}&to={}&limit=2", world.day, world.day)).await;
    let starts = |body: &Value| -> Vec<String> {
        body["appointments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["start"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        starts(&first),
        [local(start), local(world.at(world.day, 12, 0))]
    );
    let cursor = first["next_cursor"].as_str().unwrap();
    let rest = page(format!(
        "from={}&to={}&limit=2&cursor={cursor}",
        world.day, world.day
    ))
    .await;
    assert_eq!(starts(&rest), [local(world.at(world.day, 13, 0))]);
    assert!(rest["next_cursor"].is_null());
    let cancelled = page(format!(
        "from={}&to={}&status=cancelled",
        world.day, world.day
    ))
    .await;
    assert!(cancelled["appointments"].as_array().unwrap().is_empty());
    // The default range (today to 30 days on) holds the day when it is that close.
    if world.day <= today().checked_add(Span::new().days(30)).unwrap() {
        let default = page(String::new()).await;
        assert_eq!(default["appointments"].as_array().unwrap().len(), 3);
    }
    // An instant range, its `+` sent unescaped.
    let instants = page(format!(
        "from={}&to={}",
        local(world.at(world.day, 11, 30)),
        local(world.at(world.day, 12, 30))
    ))
    .await;
    assert_eq!(starts(&instants), [local(world.at(world.day, 12, 0))]);

    if let Some(events) = world.events() {
        assert_eq!(
            events.iter().filter(|e| *e == "appointment.booked").count(),
            events.len()
        );
        assert!(events.len() >= 3, "{events:?}");
    }
}

pub async fn twenty_racing_bookings_at_capacity_one_make_one_appointment(world: &World) {
    racing_bookings_fill_capacity(world, 1).await;
}

/// Twenty bookings of one slot at once: exactly `capacity` are booked, every other one is
/// 409 with alternatives, and the listing holds exactly `capacity` appointments.
pub async fn racing_bookings_fill_capacity(world: &World, capacity: usize) {
    let start = world.at(world.day, 9, 30);
    let body = |i: usize| {
        serde_json::json!({
            "service": SERVICE, "start": local(start), "phone": format!("+9725000000{i:02}"),
        })
        .to_string()
    };
    let mut racing = tokio::task::JoinSet::new();
    for i in 0..20 {
        let request = frontdesk_testkit::http_client()
            .post(world.server.url(Route::ApiAppointments.path()))
            .bearer_auth(&world.key)
            .header("content-type", "application/json")
            .body(body(i));
        racing.spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        });
    }
    let answers = racing.join_all().await;
    let booked = answers.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(booked, capacity, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert_eq!(*status, 409, "{body}");
        let alternatives = body["alternatives"].as_array().unwrap();
        assert!(!alternatives.is_empty(), "{body}");
        assert!(alternatives
            .iter()
            .all(|slot| slot["start"] != local(start).as_str()));
    }
    let listed = world.listed_on(world.day).await;
    assert_eq!(listed.len(), capacity);
    assert!(listed.iter().all(|a| a["start"] == local(start).as_str()));
}
