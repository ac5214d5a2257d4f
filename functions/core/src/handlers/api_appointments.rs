//! `/api/appointments`:
//! - `GET ?from=&to=&status=&cursor=&limit=`: the business's appointments by start (today
//!   through today + 30 days by default), paged with an opaque cursor, each with what its
//!   follow-ups did (`confirmation`, `calendar`).
//! - `POST {"service", "start", "phone", "name"?}` with an optional `Idempotency-Key`: books
//!   through the booking front door (channel `api`). 201 with the appointment; a spent key
//!   answers 201 again with the appointment it made, marked `Idempotent-Replayed: true`; 409
//!   taken and 422 not offered, both with the nearest free slots.
//!
//! Behind a business API key, JSON, CORS for the configured origins.

use http::{Method, StatusCode};
use jiff::Timestamp;
use serde_json::json;

use crate::api::{self, appointments, follow_ups};
use crate::app::App;
use crate::booking::{self, BookingError, BookingRequest, Outcome};
use crate::domain::{BusinessId, Channel};
use crate::http::response::json as json_response;
use crate::http::{InboundRequest, Response};
use crate::store::StoreError;

pub async fn appointments(app: &App, request: &InboundRequest) -> Response {
    api::handle(app, request, |business| async move {
        if request.method == Method::GET {
            list(app, request, &business).await
        } else {
            book(app, request, &business).await
        }
    })
    .await
}

async fn list(app: &App, request: &InboundRequest, business: &BusinessId) -> Response {
    let query = match appointments::parse_list(&request.raw_query) {
        Ok(query) => query,
        Err(reason) => return api::bad_request(&reason),
    };
    let business = match appointments::business(app, business).await {
        Ok(business) => business,
        Err(answer) => return answer,
    };
    let zone = appointments::business_zone(&business);
    let today = Timestamp::now().to_zoned(zone.clone()).date();
    let query = match query.resolve(&zone, today) {
        Ok(query) => query,
        Err(reason) => return api::bad_request(&reason),
    };
    let page = match app.store().list_appointments(&business.id, &query).await {
        Ok(page) => page,
        Err(StoreError::BadCursor(_)) => {
            return api::bad_request("cursor is not one this API gave")
        }
        Err(err) => return api::store_unavailable(err),
    };
    let ids: Vec<_> = page.appointments.iter().map(|a| a.id.clone()).collect();
    let known = match follow_ups::of(app.store(), &ids).await {
        Ok(known) => known,
        Err(err) => return api::store_unavailable(err),
    };
    let listed: Vec<_> = page
        .appointments
        .iter()
        .map(|a| {
            let mut json = appointments::appointment_json(a);
            follow_ups::add_to(&mut json, known.get(&a.id));
            json
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({
            "appointments": listed,
            "next_cursor": appointments::cursor(page.next),
        }),
    )
}

async fn book(app: &App, request: &InboundRequest, business: &BusinessId) -> Response {
    let booking = match appointments::parse_booking(&request.body) {
        Ok(booking) => booking,
        Err(reason) => return api::bad_request(&reason),
    };
    let (key, key_given) = match appointments::request_key(request) {
        Ok(key) => key,
        Err(reason) => return api::bad_request(&reason),
    };
    let business = match appointments::business(app, business).await {
        Ok(business) => business,
        Err(answer) => return answer,
    };
    let zone = appointments::business_zone(&business);
    let ask = BookingRequest {
        service: booking.service.clone(),
        start: booking.start,
        phone: booking.phone.clone(),
        name: booking.name.clone(),
        channel: Channel::Api,
        request: key.clone(),
    };
    let replay = |appointment| {
        if appointments::is_booking_retry(&appointment, &key, &booking) {
            appointments::replayed(StatusCode::CREATED, &appointment)
        } else {
            appointments::key_reused()
        }
    };
    match booking::book(app, &business, &ask, Timestamp::now()).await {
        Ok(Outcome::Done(appointment)) => {
            appointments::appointment(StatusCode::CREATED, &appointment)
        }
        Ok(Outcome::Repeat(appointment)) => replay(appointment),
        Ok(Outcome::Taken { alternatives }) => {
            // A retry racing its own first attempt finds the slot taken by that attempt.
            if key_given {
                if let Ok(Some(earlier)) = app
                    .store()
                    .appointment_for_request(&business.id, &key)
                    .await
                {
                    return replay(earlier);
                }
            }
            appointments::taken(&alternatives, &zone)
        }
        Ok(Outcome::NotOffered {
            reason,
            alternatives,
        }) => appointments::not_offered(reason, &alternatives, &zone),
        Err(BookingError::NotConfigured) => appointments::not_configured(),
        Err(BookingError::UnknownService(service)) => appointments::unknown_service(&service),
        Err(BookingError::Store(err)) => api::store_unavailable(err),
    }
}
