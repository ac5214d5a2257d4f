//! `GET /api/availability?service=ID&from=YYYY-MM-DD&days=N`: a service's free slots on `days`
//! local dates (7 by default, at most 60) from `from` (today in the business's zone by
//! default), as the booking engine offers them. Behind a business API key, JSON, CORS.

use http::StatusCode;
use jiff::Timestamp;
use serde_json::json;

use crate::api::{self, appointments};
use crate::app::App;
use crate::booking::{self, BookingError};
use crate::domain::BusinessId;
use crate::http::response::json as json_response;
use crate::http::{InboundRequest, Response};

pub async fn availability(app: &App, request: &InboundRequest) -> Response {
    api::handle(app, request, |business| free_slots(app, request, business)).await
}

async fn free_slots(app: &App, request: &InboundRequest, business: BusinessId) -> Response {
    let query = match appointments::parse_availability(&request.raw_query) {
        Ok(query) => query,
        Err(reason) => return api::bad_request(&reason),
    };
    let business = match appointments::business(app, &business).await {
        Ok(business) => business,
        Err(answer) => return answer,
    };
    let zone = appointments::business_zone(&business);
    let now = Timestamp::now();
    let from = query
        .from
        .unwrap_or_else(|| now.to_zoned(zone.clone()).date());
    match booking::availability(app, &business, &query.service, from, query.days, now).await {
        Ok(slots) => json_response(
            StatusCode::OK,
            &json!({
                "slots": appointments::slots_json(&slots, &zone),
                "timezone": zone.iana_name(),
            }),
        ),
        Err(BookingError::NotConfigured) => appointments::not_configured(),
        Err(BookingError::UnknownService(service)) => appointments::unknown_service(&service),
        Err(BookingError::Store(err)) => api::store_unavailable(err),
    }
}
