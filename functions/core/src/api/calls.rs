//! The calls API's JSON: a call as a CRM sees it.

use serde_json::{json, Value};

use crate::domain::time::format_time;
use crate::domain::Call;

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
    })
}
