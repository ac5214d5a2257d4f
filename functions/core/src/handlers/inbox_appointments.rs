//! `GET /inbox/appointments?from=YYYY-MM-DD&cursor=…`: the signed-in owner's appointments for
//! seven days from `from` (today where the business is, when absent), by start, with a cancel
//! button on each that is booked and has not started, and links to the weeks before and after.

use http::StatusCode;
use jiff::Timestamp;

use crate::api::paging::{self, encode_cursor};
use crate::app::App;
use crate::domain::FormKey;
use crate::http::response::{self, Response};
use crate::http::routes::Route;
use crate::http::{form, InboundRequest};
use crate::inbox::appointments::{self, AppointmentView, Notice, Week, WeekLinks};
use crate::inbox::pages::Section;
use crate::inbox::{self, session, SignedIn};
use crate::store::{AppointmentQuery, MAX_APPOINTMENT_PAGE};

pub async fn week(app: &App, request: &InboundRequest) -> Response {
    let now = Timestamp::now();
    let owner = match session::signed_in(app, request, now).await {
        Ok(owner) => owner,
        Err(refusal) => return inbox::refused(app, request, &refusal),
    };
    let query = form::parse(request.raw_query.as_bytes())
        .map_err(|e| e.to_string())
        .and_then(|params| Ok((appointments::week_start(&params)?, paging::cursor(&params)?)));
    let (first, cursor) = match query {
        Ok(query) => query,
        Err(reason) => return response::bad_request(&reason),
    };
    let zone = Week::zone_of(&owner.business);
    let week = match first {
        Some(first) => Week::starting(first, zone),
        None => Week::from_today(zone, now),
    };
    page(app, request, &owner, &week, cursor, None, now).await
}

/// The week's page (also the answer to a cancel that could not be done, with its `notice`).
pub async fn page(
    app: &App,
    request: &InboundRequest,
    owner: &SignedIn,
    week: &Week,
    cursor: Option<String>,
    notice: Notice,
    now: Timestamp,
) -> Response {
    let Ok((from, to)) = week.range() else {
        return response::bad_request("that week is outside the calendar");
    };
    let query = AppointmentQuery {
        from,
        to,
        status: None,
        after: cursor,
        limit: MAX_APPOINTMENT_PAGE,
    };
    let listed = match app
        .store()
        .list_appointments(&owner.business.id, &query)
        .await
    {
        Ok(listed) => listed,
        Err(err) => return inbox::refused(app, request, &err.into()),
    };
    let views: Vec<AppointmentView> = listed
        .appointments
        .into_iter()
        .map(|appointment| {
            let cancel =
                Route::InboxAppointmentCancel.path_with(&[("id", appointment.id.as_str())]);
            let cancel_url = inbox::url_of(app, request, &cancel);
            AppointmentView::new(&owner.business, appointment, cancel_url, now)
        })
        .collect();
    let nav = inbox::nav(app, request, Section::Appointments);
    let week_of = |first: jiff::civil::Date| format!("{}?from={first}", nav.appointments);
    let links = WeekLinks {
        previous: week.previous().map(week_of),
        this_week: nav.appointments.clone(),
        next: week.next().map(week_of),
        more: encode_cursor(listed.next)
            .map(|cursor| format!("{}&cursor={cursor}", week_of(week.first))),
    };
    let status = if notice.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    response::html(
        status,
        appointments::week_page(
            &owner.business,
            week,
            &views,
            &nav,
            &links,
            &owner.csrf,
            &FormKey::generate(),
            notice,
        )
        .into_string(),
    )
}
