//! `POST /webhook/handle_recording`, the `<Record>` action: keeps the recording and sends its
//! transcription job before thanking the caller (see [`crate::voice::recordings`]).

use tracing::{info, warn};

use crate::app::App;
use crate::domain::business::{DEFAULT_LANGUAGE, DEFAULT_THANKS_TEXT};
use crate::domain::CallSid;
use crate::http::{FormParams, InboundRequest, Response};
use crate::twilio::params;
use crate::voice::recordings::{job_for, keep, send_alone_past_deadline};
use crate::voice::{self, VOICE_DEADLINE};

pub async fn handle_recording(app: &App, request: &InboundRequest) -> Response {
    let (form, call_sid) = match voice::verify_call(app, request) {
        Ok(verified) => verified,
        Err(rejected) => return rejected.into_response(),
    };
    let (thanks, language) =
        match tokio::time::timeout(VOICE_DEADLINE, keep_recording(app, &form, &call_sid)).await {
            Ok(words) => words,
            Err(_) => {
                send_alone_past_deadline(app, &form, &call_sid).await;
                (
                    DEFAULT_THANKS_TEXT.to_string(),
                    DEFAULT_LANGUAGE.to_string(),
                )
            }
        };
    voice::thanks(&thanks, &language)
}

/// Keeps the recording and sends its job; returns the thanks text and language to answer with.
async fn keep_recording(app: &App, form: &FormParams, call_sid: &CallSid) -> (String, String) {
    let business = voice::find_business(app, form).await.unwrap_or_else(|err| {
        warn!(error = %err, "business lookup failed; thanking in the default words");
        None
    });
    let (thanks, language, transcribe, business_id) = match &business {
        Some(b) => (
            b.thanks_text.clone(),
            b.language.clone(),
            b.transcription_enabled,
            Some(b.id.clone()),
        ),
        None => (
            DEFAULT_THANKS_TEXT.to_string(),
            DEFAULT_LANGUAGE.to_string(),
            true,
            None,
        ),
    };
    match params::recording(form) {
        Some(recording) => {
            let job = job_for(form, call_sid, &recording, business_id);
            keep(app, call_sid, &recording, transcribe, job).await;
        }
        None => info!("record action without a recording; nothing to keep"),
    }
    (thanks, language)
}
