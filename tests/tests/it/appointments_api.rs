//! The appointments API over HTTP on `frontdesk serve`, run on each backend
//! (`appointments_api_embedded`: SQLite; `appointments_api_aws`: DynamoDB and SQS on moto):
//! API keys and CORS, availability in the business's offset across a DST change, booking and
//! listing, racing bookings against capacity, Idempotency-Key replays (`booking`); every bad
//! input a 4xx with a one-line reason and every time the engine does not offer a 422 with why
//! and alternatives (`refusals`); cancelling and rescheduling (`changes`). Here: the world the
//! three share, and the macro that runs them on a backend.
//!
//! Times are chosen from today (the handlers book against the real clock): an open Monday at
//! least three days ahead, the Tuesday after it closed by date.

pub mod booking;
pub mod changes;
pub mod refusals;

use frontdesk::domain::booking::settings::BookingSettings;
use frontdesk::domain::{ApiKey, Business, BusinessId};
use frontdesk::queue::QueueName;
use frontdesk::Route;
use frontdesk_testkit::{JobProbe, TestServer};
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const ORIGIN: &str = "https://crm.example.com";
pub const ZONE: &str = "Asia/Jerusalem";
/// The service every test business offers: 30 minutes and 10 after, on a 15-minute grid.
pub const SERVICE: &str = "checkup";

pub fn zone() -> TimeZone {
    TimeZone::get(ZONE).unwrap()
}

/// Sunday to Thursday 09:00–17:00, Friday 09:00–13:00, Saturday closed; two hours' notice,
/// bookable a year ahead (so the next DST change is always in reach).
fn settings(capacity: u32, closed: Date) -> BookingSettings {
    BookingSettings::parse_json(&format!(
        r#"{{"timezone": "{ZONE}",
            "hours": {{"sun": [["09:00","17:00"]], "mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]],
                      "wed": [["09:00","17:00"]], "thu": [["09:00","17:00"]], "fri": [["09:00","13:00"]]}},
            "closed_dates": ["{closed}"],
            "services": [{{"id": "{SERVICE}", "name_he": "בדיקה", "name_en": "Checkup",
                          "duration_minutes": 30, "buffer_after_minutes": 10}}],
            "slot_step_minutes": 15, "min_notice_minutes": 120, "max_days_ahead": 366,
            "capacity": {capacity}}}"#
    ))
    .unwrap()
}

/// What a request got back.
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The one-line `error`, checked to be one.
    pub fn error(&self) -> &str {
        let error = self.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error in {}", self.body));
        assert!(
            !error.is_empty() && !error.contains('\n'),
            "one line: {error:?}"
        );
        error
    }

    /// The refusal's alternatives, each a slot in the business's offset.
    pub fn alternatives(&self) -> Vec<(Timestamp, Timestamp)> {
        self.body["alternatives"]
            .as_array()
            .unwrap_or_else(|| panic!("no alternatives in {}", self.body))
            .iter()
            .map(|slot| (offset_time(&slot["start"]), offset_time(&slot["end"])))
            .collect()
    }

    pub fn id(&self) -> &str {
        self.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {}", self.body))
    }
}

/// An answer's time: RFC 3339 carrying the business's offset at that instant.
pub fn offset_time(value: &Value) -> Timestamp {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is a time"));
    let at: Timestamp = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(text, local(at), "in the business's offset");
    at
}

/// `at` as the API writes it.
pub fn local(at: Timestamp) -> String {
    at.display_with_offset(zone().to_offset(at)).to_string()
}

/// A running server with three businesses: `acme` (booking at `capacity`), `other` (booking,
/// capacity 1) and `bare` (no booking settings), each with an API key.
pub struct World {
    pub server: TestServer,
    pub key: String,
    pub other_key: String,
    pub bare_key: String,
    /// An open Monday at least three days ahead.
    pub day: Date,
    /// The Tuesday after it: a closed date.
    pub closed: Date,
}

pub fn today() -> Date {
    Timestamp::now().to_zoned(zone()).date()
}

impl World {
    pub async fn on(server: TestServer, capacity: u32) -> Self {
        let mut day = today().checked_add(jiff::Span::new().days(3)).unwrap();
        while day.weekday() != Weekday::Monday {
            day = day.tomorrow().unwrap();
        }
        let closed = day.tomorrow().unwrap();
        let mut keys = Vec::new();
        for (id, booking) in [
            ("acme", Some(settings(capacity, closed))),
            ("other", Some(settings(1, closed))),
            ("bare", None),
        ] {
            let mut business = Business::new(BusinessId::parse(id).unwrap(), id);
            business.booking = booking;
            let store = server.app.store();
            store.put_business(&business).await.unwrap();
            let key = ApiKey::generate().unwrap();
            store
                .put_api_key(&business.id, &key.hash(), time::OffsetDateTime::now_utc())
                .await
                .unwrap();
            keys.push(key.reveal().to_string());
        }
        let [key, other_key, bare_key] = <[String; 3]>::try_from(keys).unwrap();
        Self {
            server,
            key,
            other_key,
            bare_key,
            day,
            closed,
        }
    }

    /// `hour:minute` on `date`, in the business's zone.
    pub fn at(&self, date: Date, hour: i8, minute: i8) -> Timestamp {
        date.at(hour, minute, 0, 0)
            .to_zoned(zone())
            .unwrap()
            .timestamp()
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> Reply {
        let mut request = frontdesk_testkit::http_client()
            .get(self.server.url(path))
            .header("origin", ORIGIN);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        reply(request).await
    }

    /// POSTs `body` (sent as it is) with `key` and an optional `Idempotency-Key`.
    pub async fn post(
        &self,
        path: &str,
        key: Option<&str>,
        body: &str,
        idempotency_key: Option<&str>,
    ) -> Reply {
        let mut request = frontdesk_testkit::http_client()
            .post(self.server.url(path))
            .header("origin", ORIGIN)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(idempotency_key) = idempotency_key {
            request = request.header("idempotency-key", idempotency_key);
        }
        reply(request).await
    }

    /// Books `start` for `phone` with acme's key.
    pub async fn book(
        &self,
        start: Timestamp,
        phone: &str,
        idempotency_key: Option<&str>,
    ) -> Reply {
        let body = serde_json::json!({
            "service": SERVICE, "start": local(start), "phone": phone, "name": "Dana Levi",
        });
        self.post(
            Route::ApiAppointments.path(),
            Some(&self.key),
            &body.to_string(),
            idempotency_key,
        )
        .await
    }

    pub async fn cancel(&self, id: &str, key: &str, idempotency_key: Option<&str>) -> Reply {
        let path = Route::ApiAppointmentCancel.path_with(&[("id", id)]);
        self.post(&path, Some(key), "", idempotency_key).await
    }

    pub async fn reschedule(
        &self,
        id: &str,
        key: &str,
        start: Timestamp,
        idempotency_key: Option<&str>,
    ) -> Reply {
        let path = Route::ApiAppointmentReschedule.path_with(&[("id", id)]);
        let body = serde_json::json!({ "start": local(start) }).to_string();
        self.post(&path, Some(key), &body, idempotency_key).await
    }

    /// Acme's appointments starting on `date`.
    pub async fn listed_on(&self, date: Date) -> Vec<Value> {
        let path = format!("{}?from={date}&to={date}", Route::ApiAppointments.path());
        let listed = self.get(&path, Some(&self.key)).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        listed.body["appointments"].as_array().unwrap().clone()
    }

    /// The business events queued so far, when the backend lets the test read them (the
    /// embedded queue; SQS hides what it hands out).
    pub fn events(&self) -> Option<Vec<String>> {
        let JobProbe::Embedded(queue) = &self.server.jobs else {
            return None;
        };
        Some(
            queue
                .messages(QueueName::Notify)
                .unwrap()
                .iter()
                .map(|m| {
                    let job: Value = serde_json::from_str(&m.body).unwrap();
                    job["event"].as_str().unwrap_or_default().to_string()
                })
                .collect(),
        )
    }
}

/// Now plus `minutes`, to the whole minute.
pub fn minutes_from_now(minutes: i64) -> Timestamp {
    let at = Timestamp::now()
        .checked_add(SignedDuration::from_mins(minutes))
        .unwrap();
    Timestamp::from_second(at.as_second() - at.as_second().rem_euclid(60)).unwrap()
}

async fn reply(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {text:?}: {e}"))
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// One `#[tokio::test]` per case of `booking`, `refusals` and `changes`; `$make(vars)` builds
/// the server, `capacity` is acme's.
#[macro_export]
macro_rules! appointments_tests {
    ($make:path) => {
        $crate::appointments_tests!(@each $make;
            booking: [
                keys_are_required_and_a_preflight_allows_an_idempotency_key,
                availability_is_in_the_business_offset_across_a_dst_change,
                a_booking_is_listed_and_its_idempotency_key_replays_it,
                twenty_racing_bookings_at_capacity_one_make_one_appointment
            ],
            refusals: [
                bad_inputs_are_400_with_a_one_line_reason,
                a_business_without_booking_settings_is_409,
                times_the_engine_does_not_offer_are_422_with_why_and_alternatives
            ],
            changes: [
                cancel_frees_the_slot_and_a_second_cancel_is_409,
                an_appointment_that_has_started_cannot_be_cancelled,
                reschedule_moves_or_says_taken_not_offered_or_unknown,
                another_business_cannot_see_or_change_an_appointment
            ]
        );

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn twenty_racing_bookings_at_capacity_two_make_two_appointments() {
            let server = $make(&[("FRONTDESK_ALLOWED_ORIGINS", $crate::appointments_api::ORIGIN)]).await;
            let world = $crate::appointments_api::World::on(server, 2).await;
            $crate::appointments_api::booking::racing_bookings_fill_capacity(&world, 2).await;
        }
    };
    (@each $make:path; $($module:ident: [$($name:ident),*]),*) => {
        $($(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let server = $make(&[("FRONTDESK_ALLOWED_ORIGINS", $crate::appointments_api::ORIGIN)]).await;
                let world = $crate::appointments_api::World::on(server, 1).await;
                $crate::appointments_api::$module::$name(&world).await;
            }
        )*)*
    };
}
