//! The calls API for CRMs (note 001: the transcript is shown in the CRM), behind a business
//! API key, JSON, CORS for the configured origins:
//!
//! - `GET /api/calls?status=&direction=&since=&cursor=&limit=` — newest first, paged with an
//!   opaque cursor;
//! - `GET /api/calls/{CallSid}` — the call, its status history, transcript and a fresh link to
//!   its recording copy.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::StatusCode;
use serde_json::{json, Value};
use tracing::warn;

use crate::api;
use crate::app::App;
use crate::domain::time::format_time;
use crate::domain::Call;
use crate::domain::{BusinessId, CallSid, CallStatus, Direction};
use crate::http::response::{json as json_response, json_error};
use crate::http::{form, InboundRequest, Response};
use crate::store::CallQuery;

pub const LIST_PATH: &str = "/api/calls";
pub const CALL_PATH: &str = "/api/calls/{call_sid}";
pub const DEFAULT_LIMIT: usize = 25;
pub const MAX_LIMIT: usize = 100;
/// How long the recording link in an answer stays valid.
const LINK_LIFETIME: std::time::Duration = std::time::Duration::from_secs(3600);

pub async fn list_calls(app: &App, request: &InboundRequest) -> Response {
    api::handle(app, request, |business| list(app, request, business)).await
}

pub async fn get_call(app: &App, request: &InboundRequest) -> Response {
    api::handle(app, request, |business| detail(app, request, business)).await
}

fn bad(reason: &str) -> Response {
    json_error(StatusCode::BAD_REQUEST, reason)
}

fn unavailable(err: impl std::fmt::Display) -> Response {
    warn!(error = %err, "calls API: store unavailable");
    json_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "store unavailable; try again",
    )
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
    let after = params
        .non_empty("cursor")
        .map(|c| {
            URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .filter(|position| position.contains('#'))
                .ok_or_else(|| "cursor is not one this API gave".to_string())
        })
        .transpose()?;
    let limit = match params.non_empty("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or(format!("limit must be 1 to {MAX_LIMIT}"))?,
    };
    Ok(CallQuery {
        status,
        direction,
        since,
        after,
        limit,
    })
}

fn summary(call: &Call) -> Value {
    json!({
        "call_sid": call.sid.as_str(),
        "direction": call.direction.as_str(),
        "from": call.from,
        "to": call.to,
        "caller_name": call.caller_name,
        "status": call.status.as_str(),
        "started_at": call.started_at.map(format_time),
        "ended_at": call.ended_at.map(format_time),
        "duration_seconds": call.duration_seconds,
        "has_recording": call.recording.is_some(),
        "transcription": call.transcription.map(|t| t.as_str()),
    })
}

async fn list(app: &App, request: &InboundRequest, business: BusinessId) -> Response {
    let query = match parse_query(&request.raw_query) {
        Ok(query) => query,
        Err(reason) => return bad(&reason),
    };
    match app.store().list_calls(&business, &query).await {
        Ok(page) => json_response(
            StatusCode::OK,
            &json!({
                "calls": page.calls.iter().map(summary).collect::<Vec<_>>(),
                "next_cursor": page.next.map(|n| URL_SAFE_NO_PAD.encode(n)),
            }),
        ),
        Err(err) => unavailable(err),
    }
}

async fn detail(app: &App, request: &InboundRequest, business: BusinessId) -> Response {
    let raw = request
        .route_path
        .strip_prefix("/api/calls/")
        .unwrap_or_default();
    let Ok(sid) = CallSid::parse(raw) else {
        return bad("not a CallSid");
    };
    let store = app.store();
    let call = match store.call(&sid).await {
        Ok(Some(call)) if call.business_id.as_ref() == Some(&business) => call,
        // Another business's call is as unknown as a missing one.
        Ok(_) => return json_error(StatusCode::NOT_FOUND, "no such call"),
        Err(err) => return unavailable(err),
    };
    let (events, media) = match (store.call_events(&sid).await, store.call_media(&sid).await) {
        (Ok(events), Ok(media)) => (events, media.unwrap_or_default()),
        (Err(err), _) | (_, Err(err)) => return unavailable(err),
    };
    let link =
        match (&media.recording_key, app.recordings()) {
            (Some(key), Some(recordings)) => recordings
                .link(key, LINK_LIFETIME)
                .await
                .unwrap_or_else(|err| {
                    warn!(error = %err, "no recording link");
                    None
                }),
            _ => None,
        };
    let mut body = summary(&call);
    body["status_history"] = events
        .iter()
        .map(|e| {
            json!({
                "status": e.status.as_str(),
                "sequence": e.sequence,
                "at": format_time(e.at),
                "duration_seconds": e.duration_seconds,
            })
        })
        .collect();
    body["recording"] = match &call.recording {
        Some(r) => json!({
            "recording_sid": r.sid.as_str(),
            "duration_seconds": r.duration_seconds,
            "url": link,
            "url_expires_in_seconds": link.as_ref().map(|_| LINK_LIFETIME.as_secs()),
        }),
        None => Value::Null,
    };
    body["transcript"] = json!({
        "status": call.transcription.map(|t| t.as_str()),
        "text": media.transcript,
        "language": media.language,
        "reason": media.reason,
    });
    body["verification_code"] = json!(call.gathered_digits);
    json_response(StatusCode::OK, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

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
