//! `POST /api/appointments/{id}/cancel` (optional `Idempotency-Key`): cancels a booked
//! appointment of the key's business and frees its slot. 200 with the appointment; 404 for an
//! id that is not one of the business's appointments; 409 when it is not booked any more or
//! has already started. Behind a business API key, JSON, CORS.

use http::StatusCode;
use jiff::Timestamp;

use crate::api::{self, appointments};
use crate::app::App;
use crate::booking::{self, BookingError, CancelOutcome};
use crate::domain::{AppointmentId, BusinessId};
use crate::http::routes::Route;
use crate::http::{InboundRequest, Response};

pub async fn cancel(app: &App, request: &InboundRequest) -> Response {
    api::handle(app, request, |business| {
        cancel_appointment(app, request, business)
    })
    .await
}

async fn cancel_appointment(app: &App, request: &InboundRequest, business: BusinessId) -> Response {
    // A malformed id names no appointment: as unknown as a missing one.
    let Some(id) = Route::ApiAppointmentCancel
        .param(&request.route_path, "id")
        .and_then(|raw| AppointmentId::parse(raw).ok())
    else {
        return appointments::not_found();
    };
    let (key, _) = match appointments::request_key(request) {
        Ok(key) => key,
        Err(reason) => return api::bad_request(&reason),
    };
    let business = match appointments::business(app, &business).await {
        Ok(business) => business,
        Err(answer) => return answer,
    };
    match booking::cancel(app, &business, &id, &key, Timestamp::now()).await {
        Ok(CancelOutcome::Cancelled(appointment)) => {
            appointments::appointment(StatusCode::OK, &appointment)
        }
        Ok(CancelOutcome::Repeat(appointment)) => {
            if appointments::is_cancel_retry(&appointment, &id, &key) {
                appointments::replayed(StatusCode::OK, &appointment)
            } else {
                appointments::key_reused()
            }
        }
        Ok(CancelOutcome::NotBooked(appointment)) => appointments::not_booked(&appointment),
        Ok(CancelOutcome::Past(_)) => appointments::started(),
        Ok(CancelOutcome::NotFound) => appointments::not_found(),
        Err(BookingError::NotConfigured) => appointments::not_configured(),
        Err(BookingError::UnknownService(service)) => appointments::unknown_service(&service),
        Err(BookingError::Store(err)) => api::store_unavailable(err),
    }
}
