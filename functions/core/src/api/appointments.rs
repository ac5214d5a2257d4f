//! The appointments API's JSON: what the four booking routes read (query strings, bodies, the
//! `Idempotency-Key` header) and what they answer (an appointment, slots, refusals). Times go
//! out as RFC 3339 with the business's UTC offset at that instant, so a CRM shows them as the
//! business sees them; times come in as RFC 3339 with an offset, never a bare local time.

use http::{HeaderName, HeaderValue, StatusCode};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

use super::paging;
use crate::app::App;
use crate::domain::booking::engine::{Reason, Slot};
use crate::domain::booking::settings::{ServiceId, DEFAULT_TIMEZONE};
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, Business, BusinessId, PhoneNumber, RequestKey,
};
use crate::http::response::{json as json_response, json_error};
use crate::http::{form, InboundRequest, Response};
use crate::store::{AppointmentQuery, MAX_APPOINTMENT_PAGE};

/// `GET /api/availability`'s `days` when not given, and the most it takes.
pub const DEFAULT_DAYS: u32 = 7;
pub const MAX_DAYS: u32 = 60;
/// `GET /api/appointments`: the page size when not given, and the dates listed by default
/// (today through today + this many days).
pub const DEFAULT_LIMIT: usize = 50;
pub const DEFAULT_LIST_DAYS: i64 = 30;
/// Largest JSON body a booking route reads; a booking is a few hundred bytes.
const MAX_BODY: usize = 16 * 1024;
const MAX_NAME_CHARS: usize = 100;
/// The header a client sets to make a POST safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set (`true`) on an answer replayed for a spent `Idempotency-Key`.
pub const REPLAYED: &str = "idempotent-replayed";

/// The business's zone: its booking settings' (the default zone without settings).
pub fn business_zone(business: &Business) -> TimeZone {
    let name = business
        .booking
        .as_ref()
        .map_or(DEFAULT_TIMEZONE, |s| s.timezone.as_str());
    zone(name)
}

/// A zone by name; validated settings always name one, so UTC only guards a lost name.
fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// RFC 3339 with `zone`'s offset at `at`: `2026-11-23T10:00:00+02:00`.
pub fn local_time(at: Timestamp, zone: &TimeZone) -> String {
    at.display_with_offset(zone.to_offset(at)).to_string()
}

pub fn slot_json(slot: &Slot, zone: &TimeZone) -> Value {
    json!({ "start": local_time(slot.start, zone), "end": local_time(slot.end, zone) })
}

pub fn slots_json(slots: &[Slot], zone: &TimeZone) -> Vec<Value> {
    slots.iter().map(|slot| slot_json(slot, zone)).collect()
}

/// An appointment as the API shows it: its times in the zone it was booked in; `created_at`
/// and `updated_at` in UTC, as every other record time in the API. `confirmation` and
/// `calendar` are `null` until a follow-up has run, `reminders` empty; a listing fills them in
/// ([`super::follow_ups::add_to`]).
pub fn appointment_json(a: &Appointment) -> Value {
    let zone = zone(&a.timezone);
    json!({
        "id": a.id.as_str(),
        "status": a.status.as_str(),
        "start": local_time(a.slot.start, &zone),
        "end": local_time(a.slot.end, &zone),
        "timezone": a.timezone,
        "service": a.service.as_str(),
        "phone": a.phone.as_str(),
        "name": a.name,
        "channel": a.channel.as_str(),
        "version": a.version,
        "created_at": a.created_at.to_string(),
        "updated_at": a.updated_at.to_string(),
        "confirmation": null,
        "calendar": null,
        "reminders": [],
    })
}

// ---- reading requests ------------------------------------------------------------------------

/// A strict `YYYY-MM-DD` that names a real day (`2026-02-31` is not one).
pub fn parse_date(what: &str, value: &str) -> Result<Date, String> {
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shaped
        .then(|| value.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| format!("{what} `{}` is not a date (YYYY-MM-DD)", clip(value)))
}

/// RFC 3339 with an offset (`Z` or `±HH:MM`): a time without one names no instant.
pub fn parse_start(what: &str, value: &str) -> Result<Timestamp, String> {
    time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(crate::domain::time::instant)
        .ok_or_else(|| {
            format!(
                "{what} `{}` is not an RFC 3339 time with an offset (2026-11-23T10:00:00+02:00)",
                clip(value)
            )
        })
}

fn clip(value: &str) -> String {
    value.chars().take(60).collect()
}

/// `GET /api/availability`'s query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvailabilityQuery {
    pub service: ServiceId,
    /// `None`: today in the business's zone.
    pub from: Option<Date>,
    pub days: u32,
}

pub fn parse_availability(raw_query: &str) -> Result<AvailabilityQuery, String> {
    let params = form::parse(raw_query.as_bytes()).map_err(|e| e.to_string())?;
    let service = params
        .non_empty("service")
        .ok_or("service is required (a service id)")?;
    let service = ServiceId::parse(service).map_err(|_| unknown_service_reason(service))?;
    let from = params
        .non_empty("from")
        .map(|v| parse_date("from", v))
        .transpose()?;
    let days = match params.non_empty("days") {
        None => DEFAULT_DAYS,
        Some(d) => d
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_DAYS).contains(n))
            .ok_or(format!("days must be 1 to {MAX_DAYS}"))?,
    };
    Ok(AvailabilityQuery {
        service,
        from,
        days,
    })
}

/// One end of a listing's range: a whole local date, or an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    Date(Date),
    Instant(Timestamp),
}

fn parse_bound(what: &str, value: &str) -> Result<Bound, String> {
    if value.len() == 10 {
        return parse_date(what, value).map(Bound::Date);
    }
    // A `+` offset sent unescaped in a query string arrives as a space; RFC 3339 has none.
    parse_start(what, &value.replace(' ', "+")).map(Bound::Instant)
}

/// `GET /api/appointments`'s query, before its dates are placed in the business's zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub from: Option<Bound>,
    pub to: Option<Bound>,
    pub status: Option<AppointmentStatus>,
    pub after: Option<String>,
    pub limit: usize,
}

pub fn parse_list(raw_query: &str) -> Result<ListQuery, String> {
    let params = form::parse(raw_query.as_bytes()).map_err(|e| e.to_string())?;
    let bound = |name: &str| {
        params
            .non_empty(name)
            .map(|v| parse_bound(name, v))
            .transpose()
    };
    let status = params
        .non_empty("status")
        .map(|s| {
            AppointmentStatus::parse(s).ok_or(format!(
                "status `{}` is not booked, cancelled, completed or no_show",
                clip(s)
            ))
        })
        .transpose()?;
    let after = paging::cursor(&params)?;
    let limit = paging::limit(&params, DEFAULT_LIMIT, MAX_APPOINTMENT_PAGE)?;
    Ok(ListQuery {
        from: bound("from")?,
        to: bound("to")?,
        status,
        after,
        limit,
    })
}

impl ListQuery {
    /// The store's query: a `from` date starts at that day's first instant in `zone`, a `to`
    /// date ends with its last (dates are inclusive); by default today through today + 30.
    pub fn resolve(&self, zone: &TimeZone, today: Date) -> Result<AppointmentQuery, String> {
        let day_start = |date: Date| -> Result<Timestamp, String> {
            date.to_zoned(zone.clone())
                .map(|z| z.timestamp())
                .map_err(|_| format!("{date} is out of range"))
        };
        let days_after = |date: Date, days: i64| {
            date.checked_add(Span::new().days(days))
                .map_err(|_| format!("{date} is out of range"))
        };
        let from = match self.from {
            Some(Bound::Instant(at)) => at,
            Some(Bound::Date(date)) => day_start(date)?,
            None => day_start(today)?,
        };
        let to = match self.to {
            Some(Bound::Instant(at)) => at,
            Some(Bound::Date(date)) => day_start(days_after(date, 1)?)?,
            None => day_start(days_after(today, DEFAULT_LIST_DAYS + 1)?)?,
        };
        if from >= to {
            return Err("from must be before to".into());
        }
        Ok(AppointmentQuery {
            from,
            to,
            status: self.status,
            after: self.after.clone(),
            limit: self.limit,
        })
    }
}

/// A page's `next_cursor`: the store's position, opaque to the client.
pub fn cursor(position: Option<String>) -> Value {
    json!(paging::encode_cursor(position))
}

#[derive(Deserialize)]
struct BookBody {
    service: Option<String>,
    start: Option<String>,
    phone: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct RescheduleBody {
    start: Option<String>,
}

/// `POST /api/appointments`'s body, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBooking {
    pub service: ServiceId,
    pub start: Timestamp,
    pub phone: PhoneNumber,
    pub name: Option<String>,
}

fn json_body<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, String> {
    if body.len() > MAX_BODY {
        return Err(format!("body is over the {MAX_BODY} byte limit"));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("a JSON body is required".into());
    }
    serde_json::from_slice(body).map_err(|e| format!("body is not the JSON expected: {e}"))
}

fn required(what: &str, value: Option<String>) -> Result<String, String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .ok_or(format!("{what} is required"))
}

pub fn parse_booking(body: &[u8]) -> Result<NewBooking, String> {
    let body: BookBody = json_body(body)?;
    let service = required("service", body.service)?;
    let service = ServiceId::parse(&service).map_err(|_| unknown_service_reason(&service))?;
    let start = parse_start("start", &required("start", body.start)?)?;
    let phone = required("phone", body.phone)?;
    let phone = PhoneNumber::parse(&phone).map_err(|_| {
        format!(
            "phone `{}` is not an E.164 number (+ and 7 to 15 digits)",
            clip(&phone)
        )
    })?;
    let name = match body.name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) if name.chars().count() > MAX_NAME_CHARS => {
            return Err(format!("name is over {MAX_NAME_CHARS} characters"))
        }
        Some(name) if name.chars().any(char::is_control) => {
            return Err("name must not contain control characters".into())
        }
        Some(name) => Some(name.to_string()),
    };
    Ok(NewBooking {
        service,
        start,
        phone,
        name,
    })
}

/// `POST /api/appointments/{id}/reschedule`'s body: the new start.
pub fn parse_reschedule(body: &[u8]) -> Result<Timestamp, String> {
    let body: RescheduleBody = json_body(body)?;
    parse_start("start", &required("start", body.start)?)
}

/// The request key of a POST: `api:{Idempotency-Key}`, or a fresh one when the client sent
/// none (that request is then simply not safe to retry). `true` when the client gave it.
pub fn request_key(request: &InboundRequest) -> Result<(RequestKey, bool), String> {
    let bad =
        || "Idempotency-Key must be 1 to 196 visible ASCII characters, without `#`".to_string();
    let Some(value) = request.headers.get(IDEMPOTENCY_KEY) else {
        let fresh = uuid::Uuid::new_v4().simple().to_string();
        return RequestKey::new("api", &[&fresh])
            .map(|key| (key, false))
            .map_err(|_| bad());
    };
    let value = value.to_str().map_err(|_| bad())?;
    if value.is_empty() || value.len() > 196 {
        return Err(bad());
    }
    RequestKey::new("api", &[value])
        .map(|key| (key, true))
        .map_err(|_| bad())
}

/// The business behind an API key, or the answer when it cannot be read.
pub async fn business(app: &App, id: &BusinessId) -> Result<Business, Response> {
    match app.store().business(id).await {
        Ok(Some(business)) => Ok(business),
        Ok(None) => Err(json_error(
            StatusCode::NOT_FOUND,
            "the key's business is gone",
        )),
        Err(err) => Err(super::store_unavailable(err)),
    }
}

// ---- replays ----------------------------------------------------------------------------------
// A spent key answers with the appointment it produced, as it stands now. The store keeps which
// appointment a key touched, not the request, so these tell a retry from a key reused on another
// request by what that request must have left behind.

/// A retried booking: the key made this appointment, for this service and phone (and, while
/// it is unchanged, this start).
pub fn is_booking_retry(a: &Appointment, key: &RequestKey, booking: &NewBooking) -> bool {
    a.source == key.as_str()
        && a.service == booking.service
        && a.phone == booking.phone
        && (a.version > 1 || a.slot.start == booking.start)
}

/// A retried cancellation: the key changed this appointment (not booked it), and it is no
/// longer booked.
pub fn is_cancel_retry(a: &Appointment, id: &AppointmentId, key: &RequestKey) -> bool {
    &a.id == id && a.source != key.as_str() && a.status != AppointmentStatus::Booked
}

/// A retried reschedule: the key changed this appointment (not booked it), and it is either
/// still booked or sits at the start asked for (a key spent cancelling it is neither).
pub fn is_reschedule_retry(
    a: &Appointment,
    id: &AppointmentId,
    key: &RequestKey,
    start: Timestamp,
) -> bool {
    &a.id == id
        && a.source != key.as_str()
        && (a.status == AppointmentStatus::Booked || a.slot.start == start)
}

// ---- answers ---------------------------------------------------------------------------------

/// The appointment with `status` (201 booked, 200 changed).
pub fn appointment(status: StatusCode, a: &Appointment) -> Response {
    json_response(status, &appointment_json(a))
}

/// The appointment a spent `Idempotency-Key` produced, answered as the first request was
/// (the appointment as it stands now), marked `Idempotent-Replayed: true`.
pub fn replayed(status: StatusCode, a: &Appointment) -> Response {
    let mut response = appointment(status, a);
    response.headers_mut().insert(
        HeaderName::from_static(REPLAYED),
        HeaderValue::from_static("true"),
    );
    response
}

/// 409: the time is offered but full; the nearest free slots instead.
pub fn taken(alternatives: &[Slot], zone: &TimeZone) -> Response {
    json_response(
        StatusCode::CONFLICT,
        &json!({
            "error": "that time is already taken",
            "alternatives": slots_json(alternatives, zone),
        }),
    )
}

/// 422: a time the business never offers, why (`outside_hours`, …) and what it offers near it.
pub fn not_offered(reason: Reason, alternatives: &[Slot], zone: &TimeZone) -> Response {
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({
            "error": reason.phrase_en(),
            "reason": reason,
            "alternatives": slots_json(alternatives, zone),
        }),
    )
}

/// 409: the business has no booking settings. The request is well formed and would succeed
/// once the business sets booking up: the business's state, not the request, is the problem.
pub fn not_configured() -> Response {
    json_response(
        StatusCode::CONFLICT,
        &json!({
            "error": "booking is not set up for this business",
            "reason": "not_configured",
        }),
    )
}

fn unknown_service_reason(service: &str) -> String {
    format!("unknown service `{}`", clip(service))
}

/// 400: the business books no such service.
pub fn unknown_service(service: &ServiceId) -> Response {
    super::bad_request(&unknown_service_reason(service.as_str()))
}

/// 404: no appointment of this business by that id (another business's is as unknown).
pub fn not_found() -> Response {
    json_error(StatusCode::NOT_FOUND, "no such appointment")
}

/// 409: the appointment is cancelled, completed or a no-show.
pub fn not_booked(a: &Appointment) -> Response {
    json_error(
        StatusCode::CONFLICT,
        &format!("the appointment is {}, not booked", a.status.as_str()),
    )
}

/// 409: too late to cancel.
pub fn started() -> Response {
    json_error(StatusCode::CONFLICT, "the appointment has already started")
}

/// 422: an `Idempotency-Key` spent on another request (another body, appointment or
/// operation); the IETF Idempotency-Key draft's answer to a reused key.
pub fn key_reused() -> Response {
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({
            "error": "this Idempotency-Key was already used for a different request",
            "reason": "idempotency_key_reused",
            "alternatives": [],
        }),
    )
}

#[cfg(test)]
mod tests;
