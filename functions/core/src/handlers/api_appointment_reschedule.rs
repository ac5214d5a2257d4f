//! `POST /api/appointments/{id}/reschedule` `{"start"}` (optional `Idempotency-Key`): moves a
//! booked appointment of the key's business to `start` in one transaction (the new slot is
//! claimed and the old one freed, or nothing changes). 200 with the appointment; 409 taken
//! (with the nearest free slots) or not booked any more; 422 not offered (why, and
//! alternatives); 404 for an id that is not one of the business's appointments. Behind a
//! business API key, JSON, CORS.

use http::StatusCode;
use jiff::Timestamp;

use crate::api::{self, appointments};
use crate::app::App;
use crate::booking::{self, BookingError, Outcome};
use crate::domain::{AppointmentId, AppointmentStatus, BusinessId};
use crate::http::response::json_error;
use crate::http::routes::Route;
use crate::http::{InboundRequest, Response};

pub async fn reschedule(app: &App, request: &InboundRequest) -> Response {
    api::handle(app, request, |business| {
        move_appointment(app, request, business)
    })
    .await
}

async fn move_appointment(app: &App, request: &InboundRequest, business: BusinessId) -> Response {
    // A malformed id names no appointment: as unknown as a missing one.
    let Some(id) = Route::ApiAppointmentReschedule
        .param(&request.route_path, "id")
        .and_then(|raw| AppointmentId::parse(raw).ok())
    else {
        return appointments::not_found();
    };
    let start = match appointments::parse_reschedule(&request.body) {
        Ok(start) => start,
        Err(reason) => return api::bad_request(&reason),
    };
    let (key, key_given) = match appointments::request_key(request) {
        Ok(key) => key,
        Err(reason) => return api::bad_request(&reason),
    };
    let business = match appointments::business(app, &business).await {
        Ok(business) => business,
        Err(answer) => return answer,
    };
    let zone = appointments::business_zone(&business);
    let replay = |appointment| {
        if appointments::is_reschedule_retry(&appointment, &id, &key, start) {
            appointments::replayed(StatusCode::OK, &appointment)
        } else {
            appointments::key_reused()
        }
    };
    let now = Timestamp::now();
    let outcome = booking::reschedule(app, &business, &id, start, &key, now).await;
    match outcome {
        Ok(Some(Outcome::Done(appointment))) => {
            appointments::appointment(StatusCode::OK, &appointment)
        }
        Ok(Some(Outcome::Repeat(appointment))) => replay(appointment),
        Ok(Some(Outcome::Taken { alternatives })) => {
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
        Ok(Some(Outcome::NotOffered {
            reason,
            alternatives,
        })) => appointments::not_offered(reason, &alternatives, &zone),
        // Unknown, or the store refused the change: say which.
        Ok(None) => match booking::owned(app, &business, &id).await {
            Ok(None) => appointments::not_found(),
            Ok(Some(current)) if current.status != AppointmentStatus::Booked => {
                appointments::not_booked(&current)
            }
            Ok(Some(current)) if current.slot.start <= now => appointments::started(),
            Ok(Some(_)) => json_error(
                StatusCode::CONFLICT,
                "the appointment changed meanwhile; read it and try again",
            ),
            Err(err) => failure(err),
        },
        Err(err) => failure(err),
    }
}

fn failure(err: BookingError) -> Response {
    match err {
        BookingError::NotConfigured => appointments::not_configured(),
        BookingError::UnknownService(service) => appointments::unknown_service(&service),
        BookingError::Store(err) => api::store_unavailable(err),
    }
}
