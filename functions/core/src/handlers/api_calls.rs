//! `GET /api/calls?status=&direction=&since=&handled=&cursor=&limit=`: a business's calls for CRMs (note
//! 001: the transcript is shown in the CRM), newest first, paged with an opaque cursor.
//! `POST /api/calls` (`Idempotency-Key` makes it safe to retry): places an outbound call
//! through [`crate::dial`]: a spoken message, a bridge to the owner, or an appointment's
//! reminder (the appointment in words, 1 to confirm, 2 to cancel). Behind a business API key,
//! JSON, CORS for the configured origins.

use http::StatusCode;
use serde_json::json;

use crate::api::calls::Callee;
use crate::api::{self, calls::summary};
use crate::app::App;
use crate::booking;
use crate::dial::{self, pacing, DialRequest, Origin, Script};
use crate::domain::{
    AppointmentId, AppointmentStatus, Business, BusinessId, CallStatus, Direction, PhoneNumber,
    Requester,
};
use crate::http::response::json as json_response;
use crate::http::{form, InboundRequest, Response};
use crate::store::CallQuery;

pub const DEFAULT_LIMIT: usize = 25;
pub const MAX_LIMIT: usize = 100;

pub async fn list_calls(app: &App, request: &InboundRequest) -> Response {
    api::handle(app, request, |business| list(app, request, business)).await
}

pub async fn place_call(app: &App, request: &InboundRequest) -> Response {
    api::handle(app, request, |business| place(app, request, business)).await
}

async fn place(app: &App, request: &InboundRequest, business: BusinessId) -> Response {
    let call = match api::calls::parse_place(&request.body) {
        Ok(call) => call,
        Err(reason) => return api::bad_request(&reason),
    };
    let (key, _) = match api::appointments::request_key(request) {
        Ok(key) => key,
        Err(reason) => return api::bad_request(&reason),
    };
    let business = match api::appointments::business(app, &business).await {
        Ok(business) => business,
        Err(answer) => return answer,
    };
    let requested_by = api::key_hash(request)
        .map(|hash| Requester::api_key(hash.as_str()))
        .unwrap_or_else(|| Requester::component("api"));
    let script = match call.callee {
        Callee::Script(script) => script,
        Callee::Reminder(id) => match reminder(app, &business, &call.to, &id).await {
            Ok(script) => script,
            Err(answer) => return answer,
        },
    };
    let dial_request = DialRequest {
        to: call.to,
        purpose: call.purpose,
        script,
        requested_by,
        request_key: Some(key.as_str().to_string()),
        max_wait: pacing::API_MAX_WAIT,
    };
    match dial::place(app, &business, Origin::Request(request), dial_request).await {
        Ok(dialled) => api::calls::placed(&dialled),
        Err(err) => api::calls::not_placed(&err),
    }
}

/// The reminder call of appointment `id`: the business's, booked, ahead, and for `to`.
async fn reminder(
    app: &App,
    business: &Business,
    to: &PhoneNumber,
    id: &AppointmentId,
) -> Result<Script, Response> {
    let appointment = match booking::owned(app, business, id).await {
        Ok(Some(appointment)) => appointment,
        Ok(None) => return Err(api::appointments::not_found()),
        Err(err) => return Err(api::store_unavailable(err)),
    };
    let now = jiff::Timestamp::now();
    if appointment.status != AppointmentStatus::Booked {
        return Err(api::appointments::not_booked(&appointment));
    }
    if appointment.slot.start <= now {
        return Err(api::appointments::started());
    }
    if &appointment.phone != to {
        return Err(api::bad_request(&format!(
            "`to` {to} is not the appointment's customer ({})",
            appointment.phone
        )));
    }
    Ok(Script::Reminder {
        appointment: appointment.id,
    })
}

/// The query string as a [`CallQuery`], or the one-line reason it is not one.
pub fn parse_query(raw_query: &str) -> Result<CallQuery, String> {
    let params = form::parse(raw_query.as_bytes()).map_err(|e| e.to_string())?;
    let status = params
        .non_empty("status")
        .map(|s| CallStatus::parse(s).ok_or(format!("status `{s}` is not a call status")))
        .transpose()?;
    let direction = params
        .non_empty("direction")
        .map(|d| match d {
            "inbound" | "outbound-api" | "outbound-dial" => Ok(Direction::parse(d)),
            _ => Err(format!(
                "direction `{d}` is not inbound, outbound-api or outbound-dial"
            )),
        })
        .transpose()?;
    let since = params
        .non_empty("since")
        .map(|s| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .map_err(|_| format!("since `{s}` is not an RFC 3339 time"))
        })
        .transpose()?;
    let handled = params
        .non_empty("handled")
        .map(|h| match h {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("handled `{h}` is not true or false")),
        })
        .transpose()?;
    let after = api::paging::cursor(&params)?;
    let limit = api::paging::limit(&params, DEFAULT_LIMIT, MAX_LIMIT)?;
    Ok(CallQuery {
        status,
        direction,
        since,
        handled,
        after,
        limit,
    })
}

async fn list(app: &App, request: &InboundRequest, business: BusinessId) -> Response {
    let query = match parse_query(&request.raw_query) {
        Ok(query) => query,
        Err(reason) => return api::bad_request(&reason),
    };
    match app.store().list_calls(&business, &query).await {
        Ok(page) => json_response(
            StatusCode::OK,
            &json!({
                "calls": page.calls.iter().map(summary).collect::<Vec<_>>(),
                "next_cursor": api::paging::encode_cursor(page.next),
            }),
        ),
        Err(err) => api::store_unavailable(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    #[test]
    fn queries_parse_or_say_why_not() {
        let q = parse_query(
            "status=completed&direction=outbound-api&since=2026-11-21T10:00:00Z&limit=5",
        )
        .unwrap();
        assert_eq!(q.status, Some(CallStatus::Completed));
        assert_eq!(q.direction, Some(Direction::OutboundApi));
        assert_eq!(q.limit, 5);
        assert!(q.since.is_some());
        assert_eq!(parse_query("").unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(parse_query("handled=false").unwrap().handled, Some(false));
        let cursor = URL_SAFE_NO_PAD.encode("2026-11-21T10:00:00Z#CA1");
        assert_eq!(
            parse_query(&format!("cursor={cursor}"))
                .unwrap()
                .after
                .as_deref(),
            Some("2026-11-21T10:00:00Z#CA1")
        );
        for (bad, reason) in [
            ("status=answered", "status"),
            ("direction=sideways", "direction"),
            ("since=yesterday", "since"),
            ("handled=yes", "handled"),
            ("cursor=%%%", ""),
            ("cursor=bm9wZQ", "cursor"),
            ("limit=0", "limit"),
            ("limit=1000", "limit"),
        ] {
            let err = parse_query(bad).unwrap_err();
            assert!(err.contains(reason), "{bad}: {err}");
        }
    }
}
