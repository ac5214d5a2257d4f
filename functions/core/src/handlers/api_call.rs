//! `GET /api/calls/{CallSid}`: one call for CRMs, with its status history, transcript and a
//! fresh link to its recording copy. Behind a business API key, JSON, CORS for the configured
//! origins.

use http::StatusCode;
use serde_json::{json, Value};
use tracing::warn;

use crate::api::{self, calls::summary};
use crate::app::App;
use crate::domain::time::format_time;
use crate::domain::{BusinessId, CallSid};
use crate::http::response::{json as json_response, json_error};
use crate::http::routes::Route;
use crate::http::{InboundRequest, Response};

/// How long the recording link in an answer stays valid.
const LINK_LIFETIME: std::time::Duration = std::time::Duration::from_secs(3600);

pub async fn get_call(app: &App, request: &InboundRequest) -> Response {
    api::handle(app, request, |business| detail(app, request, business)).await
}

async fn detail(app: &App, request: &InboundRequest, business: BusinessId) -> Response {
    let raw = Route::ApiCall
        .param(&request.route_path, "call_sid")
        .unwrap_or_default();
    let Ok(sid) = CallSid::parse(raw) else {
        return api::bad_request("not a CallSid");
    };
    let store = app.store();
    let call = match store.call(&sid).await {
        Ok(Some(call)) if call.business_id.as_ref() == Some(&business) => call,
        // Another business's call is as unknown as a missing one.
        Ok(_) => return json_error(StatusCode::NOT_FOUND, "no such call"),
        Err(err) => return api::store_unavailable(err),
    };
    let (events, media) = match (store.call_events(&sid).await, store.call_media(&sid).await) {
        (Ok(events), Ok(media)) => (events, media.unwrap_or_default()),
        (Err(err), _) | (_, Err(err)) => return api::store_unavailable(err),
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
