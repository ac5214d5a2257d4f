//! The calls API's JSON: a call as a CRM sees it; `POST /api/calls`'s body, and its answers.

use http::{HeaderName, HeaderValue, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use super::appointments::REPLAYED;
use crate::dial::calls_api::CallsApiError;
use crate::dial::{DialError, Dialled, Script};
use crate::domain::time::format_time;
use crate::domain::{AppointmentId, Call, Direction, Hears, PhoneNumber, Purpose};
use crate::http::response::{json as json_response, json_error};
use crate::http::Response;

/// Largest JSON body `POST /api/calls` reads; a call request is a few hundred bytes.
const MAX_BODY: usize = 16 * 1024;

/// A call's summary, as listed and as the start of its detail.
pub fn summary(call: &Call) -> Value {
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
        "purpose": call.purpose,
        "requested_by": call.requested_by,
        "answered_by": call.answered_by,
        "handled": call.handled,
    })
}

/// What `POST /api/calls` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceCall {
    pub to: PhoneNumber,
    pub purpose: Purpose,
    pub callee: Callee,
}

/// What the callee hears, as the request names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callee {
    Script(Script),
    /// The reminder of this appointment (its words are read from the store).
    Reminder(AppointmentId),
}

#[derive(Deserialize)]
struct PlaceBody {
    to: Option<String>,
    purpose: Option<String>,
    say: Option<String>,
    bridge: Option<bool>,
    appointment_id: Option<String>,
}

/// `{"to", "purpose"?, "say"? | "bridge"? | "appointment_id"?}`, or the one-line reason it is
/// not a call to place.
pub fn parse_place(body: &[u8]) -> Result<PlaceCall, String> {
    if body.len() > MAX_BODY {
        return Err(format!("body is over {MAX_BODY} bytes"));
    }
    let body: PlaceBody = serde_json::from_slice(body)
        .map_err(|e| format!("body is not a JSON call request: {e}"))?;
    let to = body.to.ok_or("`to` is required")?;
    let to = PhoneNumber::parse(&to).map_err(|_| {
        format!(
            "`to` `{}` is not an E.164 number such as +972501234567",
            clip(&to)
        )
    })?;
    let bridge = body.bridge.unwrap_or(false);
    let asked = [body.say.is_some(), bridge, body.appointment_id.is_some()];
    let callee = match (body.say, body.appointment_id) {
        _ if asked.iter().filter(|a| **a).count() > 1 => {
            return Err("give one of `say`, `bridge` and `appointment_id`".into())
        }
        (Some(text), _) => Callee::Script(Script::Say(text)),
        (_, Some(id)) => {
            Callee::Reminder(AppointmentId::parse(&id).map_err(|_| {
                format!("`appointment_id` `{}` is not an appointment id", clip(&id))
            })?)
        }
        _ if bridge => Callee::Script(Script::Bridge),
        _ => {
            return Err(
                "give `say` (what the callee hears), `\"bridge\": true` or `appointment_id`".into(),
            )
        }
    };
    let purpose = match (body.purpose, &callee) {
        (Some(p), _) => Purpose::parse(&p).map_err(|e| format!("`purpose` {}", e.reason))?,
        (None, Callee::Reminder(_)) => Purpose::reminder(),
        (None, Callee::Script(_)) => Purpose::callback(),
    };
    Ok(PlaceCall {
        to,
        purpose,
        callee,
    })
}

fn clip(value: &str) -> String {
    value.chars().take(40).collect()
}

/// A placed call as the API and `frontdesk call --json` show it.
pub fn placed_json(dialled: &Dialled) -> Value {
    let placement = &dialled.placement;
    json!({
            "call_sid": dialled.call_sid.as_str(),
            "status": dialled.status.as_str(),
            "direction": Direction::OutboundApi.as_str(),
            "to": placement.to.as_str(),
            "from": placement.from.as_str(),
            "started_at": format_time(placement.created_at),
            "purpose": placement.purpose.as_str(),
            "requested_by": placement.requested_by.as_str(),
        "hears": match &placement.hears {
            Hears::Say { .. } => "say",
            Hears::Bridge { .. } => "bridge",
            Hears::Reminder { .. } => "reminder",
        },
    })
}

/// 201 with the placed call; a replayed key's answer is the first one's, marked
/// `Idempotent-Replayed: true`.
pub fn placed(dialled: &Dialled) -> Response {
    let mut response = json_response(StatusCode::CREATED, &placed_json(dialled));
    if dialled.replayed {
        response.headers_mut().insert(
            HeaderName::from_static(REPLAYED),
            HeaderValue::from_static("true"),
        );
    }
    response
}

/// The answer for a call that was not placed.
pub fn not_placed(err: &DialError) -> Response {
    let reason = err.to_string();
    let status = match err {
        DialError::Invalid(_) | DialError::NoOwnerPhone => StatusCode::BAD_REQUEST,
        DialError::NoNumber | DialError::Pending => StatusCode::CONFLICT,
        DialError::KeyReused => StatusCode::UNPROCESSABLE_ENTITY,
        DialError::Twilio(CallsApiError::Refused { .. }) => StatusCode::BAD_GATEWAY,
        DialError::Twilio(CallsApiError::Unavailable {
            status: Some(status),
            ..
        }) if *status >= 500 => StatusCode::BAD_GATEWAY,
        DialError::Twilio(CallsApiError::Unknown { .. }) => StatusCode::GATEWAY_TIMEOUT,
        DialError::Twilio(CallsApiError::Unavailable { .. })
        | DialError::Busy(_)
        | DialError::NotConfigured(_)
        | DialError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    let mut response = json_error(status, &reason);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_request_parses_or_says_why_not() {
        let call = parse_place(br#"{"to":"+972501234567","say":"Hi"}"#).unwrap();
        assert_eq!(call.purpose, Purpose::callback());
        assert_eq!(call.callee, Callee::Script(Script::Say("Hi".into())));
        let bridge =
            parse_place(br#"{"to":"+972501234567","purpose":"follow-up","bridge":true}"#).unwrap();
        assert_eq!(bridge.callee, Callee::Script(Script::Bridge));
        assert_eq!(bridge.purpose.as_str(), "follow-up");
        let id = AppointmentId::generate();
        let reminder =
            parse_place(format!(r#"{{"to":"+972501234567","appointment_id":"{id}"}}"#).as_bytes())
                .unwrap();
        assert_eq!(reminder.callee, Callee::Reminder(id));
        assert_eq!(
            reminder.purpose,
            Purpose::reminder(),
            "a reminder by default"
        );
        for (body, reason) in [
            (&b"{"[..], "not a JSON call request"),
            (br#"{"say":"Hi"}"#, "`to` is required"),
            (br#"{"to":"0501234567","say":"Hi"}"#, "not an E.164 number"),
            (br#"{"to":"+972501234567"}"#, "give `say`"),
            (br#"{"to":"+972501234567","bridge":false}"#, "give `say`"),
            (
                br#"{"to":"+972501234567","say":"Hi","bridge":true}"#,
                "give one of",
            ),
            (
                br#"{"to":"+972501234567","say":"Hi","appointment_id":"01a2"}"#,
                "give one of",
            ),
            (
                br#"{"to":"+972501234567","appointment_id":"tomorrow"}"#,
                "not an appointment id",
            ),
            (
                br#"{"to":"+972501234567","say":"Hi","purpose":"Call Back"}"#,
                "`purpose`",
            ),
        ] {
            let err = parse_place(body).unwrap_err();
            assert!(
                err.contains(reason),
                "{}: {err}",
                String::from_utf8_lossy(body)
            );
            assert!(!err.contains('\n'), "one line: {err}");
        }
    }

    #[test]
    fn refusals_map_to_their_statuses() {
        let refused = DialError::Twilio(CallsApiError::Refused {
            status: 400,
            code: Some("21211".into()),
            message: "Invalid 'To' Phone Number".into(),
        });
        assert_eq!(not_placed(&refused).status(), 502);
        let overloaded = DialError::Twilio(CallsApiError::Unavailable {
            status: Some(429),
            reason: "HTTP 429".into(),
        });
        let response = not_placed(&overloaded);
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "1");
        assert_eq!(not_placed(&DialError::NoNumber).status(), 409);
        assert_eq!(not_placed(&DialError::NoOwnerPhone).status(), 400);
        assert_eq!(not_placed(&DialError::KeyReused).status(), 422);
    }
}
