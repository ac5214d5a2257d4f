//! `POST /webhook/recording_status`, the recording status callback: `completed` (the reliable
//! signal that the file can be downloaded) makes sure the transcription job exists; `absent`
//! and `failed` are recorded.

use tracing::{info, warn};

use crate::app::App;
use crate::http::{response, InboundRequest, Response};
use crate::twilio::params;
use crate::voice::recordings::{job_for, keep, send_alone_past_deadline};
use crate::voice::{self, VOICE_DEADLINE};

pub async fn recording_status(app: &App, request: &InboundRequest) -> Response {
    let (form, call_sid) = match voice::verify_call(app, request) {
        Ok(verified) => verified,
        Err(rejected) => return rejected.into_response(),
    };
    let Some(status) = form.non_empty("RecordingStatus") else {
        return response::bad_request("RecordingStatus is required");
    };
    let status = status.to_string();
    let work = async {
        if let Err(err) = app.store().set_recording_status(&call_sid, &status).await {
            warn!(error = %err, status, "recording status not stored");
        }
        match status.as_str() {
            // The reliable signal that the file can be downloaded: make sure a job exists.
            "completed" => match params::recording(&form) {
                Some(recording) => {
                    let business = voice::find_business(app, &form).await.ok().flatten();
                    let transcribe = business.as_ref().is_none_or(|b| b.transcription_enabled);
                    let job = job_for(&form, &call_sid, &recording, business.map(|b| b.id));
                    keep(app, &call_sid, &recording, transcribe, job).await;
                }
                None => warn!("completed recording status without a RecordingSid or RecordingUrl"),
            },
            "absent" | "failed" => warn!(
                status,
                error_code = form.get("ErrorCode").unwrap_or_default(),
                "no recording for this call"
            ),
            _ => info!(status, "recording status noted"),
        }
    };
    if tokio::time::timeout(VOICE_DEADLINE, work).await.is_err() && status == "completed" {
        send_alone_past_deadline(app, &form, &call_sid).await;
    }
    response::no_content()
}
