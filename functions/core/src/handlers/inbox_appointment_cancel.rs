//! `POST /inbox/appointments/{id}/cancel` (form: `csrf`, `key`, `from`): cancels one of the
//! signed-in owner's booked appointments, freeing its slot, through the same booking path as
//! the API (its event, calendar and confirmation follow-ups), then shows that week again. The
//! form's one-time `key` makes the request key, so a form sent twice cancels once. A missing or
//! wrong CSRF token is 403; another business's appointment is 404; one already started is 409.

use jiff::Timestamp;

use crate::app::App;
use crate::booking::{self, BookingError, CancelOutcome};
use crate::domain::{AppointmentId, FormKey, RequestKey};
use crate::handlers::inbox_appointments;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::InboundRequest;
use crate::inbox;
use crate::inbox::appointments::Week;
use crate::inbox::words::Words;

pub async fn cancel(app: &App, request: &InboundRequest) -> Response {
    let now = Timestamp::now();
    let (owner, form) = match inbox::posted_form(app, request).await {
        Ok(posted) => posted,
        Err(answer) => return answer,
    };
    // A malformed id names no appointment: as unknown as a missing one.
    let Some(id) = Route::InboxAppointmentCancel
        .param(&request.route_path, "id")
        .and_then(|raw| AppointmentId::parse(raw).ok())
    else {
        return response::not_found();
    };
    let Some(key) = form
        .get("key")
        .and_then(FormKey::parse)
        .and_then(|key| RequestKey::new("inbox", &[key.as_str()]).ok())
    else {
        return response::bad_request("`key` must be the form's one-time key");
    };
    let first = match form.non_empty("from").map(str::parse::<jiff::civil::Date>) {
        Some(Ok(first)) => Some(first),
        Some(Err(_)) => return response::bad_request("`from` is not a date (YYYY-MM-DD)"),
        None => None,
    };
    let words = Words::of(&owner.business);
    let notice = match booking::cancel(app, &owner.business, &id, &key, now).await {
        Ok(CancelOutcome::Cancelled(_) | CancelOutcome::Repeat(_)) => None,
        // Cancelled meanwhile (another tab, the API): the page shows it as it stands.
        Ok(CancelOutcome::NotBooked(_)) => None,
        Ok(CancelOutcome::Past(_)) => Some(words.already_started),
        Ok(CancelOutcome::NotFound) => return response::not_found(),
        Err(BookingError::NotConfigured | BookingError::UnknownService(_)) => {
            Some(words.booking_not_set_up)
        }
        Err(BookingError::Store(err)) => return inbox::refused(app, request, &err.into()),
    };
    let zone = Week::zone_of(&owner.business);
    let week = match first {
        Some(first) => Week::starting(first, zone),
        None => Week::from_today(zone, now),
    };
    if notice.is_some() {
        return inbox_appointments::page(app, request, &owner, &week, None, notice, now).await;
    }
    let back = Route::InboxAppointments.path().to_string() + &format!("?from={}", week.first);
    response::see_other(&inbox::url_of(app, request, &back))
}
