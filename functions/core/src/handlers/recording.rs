//! `POST /webhook/handle_recording` (the `<Record>` action) and
//! `POST /webhook/recording_status` (the recording status callback).
//!
//! Durable before acknowledged: the recording is written onto the call and its transcription
//! job is sent before Twilio hears back. If the store is down, the job alone carries
//! everything; if the queue is down, the call stays `pending` and the reconciler sends it.

use time::OffsetDateTime;
use tracing::{error, info, warn};

use super::voice::{self, VOICE_DEADLINE};
use crate::app::App;
use crate::domain::business::{DEFAULT_LANGUAGE, DEFAULT_THANKS_TEXT};
use crate::domain::Recording;
use crate::domain::{CallSid, Direction, RecordingSid, TranscriptionState};
use crate::http::{response, FormParams, InboundRequest, Response};
use crate::jobs::TranscriptionJob;
use crate::store::RecordingAttach;

pub async fn handle_recording(app: &App, request: &InboundRequest) -> Response {
    let (form, call_sid) = match voice::verify_call(app, request) {
        Ok(verified) => verified,
        Err(rejected) => return rejected.into_response(),
    };
    let (thanks, language) =
        match tokio::time::timeout(VOICE_DEADLINE, keep_recording(app, &form, &call_sid)).await {
            Ok(words) => words,
            Err(_) => {
                error!(
                    metric = "recording_at_risk",
                    recording_url = form.get("RecordingUrl").unwrap_or_default(),
                    "store and queue too slow; recording not yet kept: data at risk"
                );
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
    match recording_from(form) {
        Some(recording) => {
            let job = job_for(form, call_sid, &recording, business_id);
            keep(app, call_sid, &recording, transcribe, job).await;
        }
        None => info!("record action without a recording; nothing to keep"),
    }
    (thanks, language)
}

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
            "completed" => match recording_from(&form) {
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
    if tokio::time::timeout(VOICE_DEADLINE, work).await.is_err() {
        error!(
            metric = "recording_at_risk",
            status, "store and queue too slow; recording status not kept"
        );
    }
    response::no_content()
}

/// The recording in a callback: `RecordingSid`, or the SID at the end of `RecordingUrl`.
fn recording_from(form: &FormParams) -> Option<Recording> {
    let url = form.non_empty("RecordingUrl")?.to_string();
    let sid = form
        .non_empty("RecordingSid")
        .and_then(|s| RecordingSid::parse(s).ok())
        .or_else(|| {
            url.rsplit('/')
                .next()
                .and_then(|last| RecordingSid::parse(last).ok())
        })?;
    Some(Recording {
        sid,
        url,
        duration_seconds: form
            .non_empty("RecordingDuration")
            .and_then(|d| d.parse().ok()),
        digits: form.non_empty("Digits").map(str::to_string),
    })
}

fn job_for(
    form: &FormParams,
    call_sid: &CallSid,
    recording: &Recording,
    business_id: Option<crate::domain::BusinessId>,
) -> TranscriptionJob {
    TranscriptionJob {
        call_sid: call_sid.clone(),
        recording_sid: recording.sid.clone(),
        recording_url: recording.url.clone(),
        recording_duration_seconds: recording.duration_seconds,
        business_id,
        from: form.non_empty("From").map(str::to_string),
        to: form.non_empty("To").map(str::to_string),
        direction: Direction::parse(form.get("Direction").unwrap_or_default()),
        enqueued_at: OffsetDateTime::now_utc(),
    }
}

/// Writes the recording onto the call, then sends its job once.
async fn keep(
    app: &App,
    call_sid: &CallSid,
    recording: &Recording,
    transcribe: bool,
    job: TranscriptionJob,
) {
    let now = OffsetDateTime::now_utc();
    match app
        .store()
        .attach_recording(call_sid, recording, transcribe, now)
        .await
    {
        Ok(RecordingAttach::Attached) if transcribe => {
            info!(recording_sid = %recording.sid, "recording kept");
            send_job(app, &job).await;
        }
        Ok(RecordingAttach::Attached) => {
            info!(recording_sid = %recording.sid, "recording kept; transcription off for this business")
        }
        Ok(RecordingAttach::AlreadyAttached(Some(TranscriptionState::Pending))) => {
            info!(recording_sid = %recording.sid, "recording already kept; its job is still to send");
            send_job(app, &job).await;
        }
        Ok(RecordingAttach::AlreadyAttached(state)) => {
            info!(recording_sid = %recording.sid, transcription = ?state, "duplicate recording callback; nothing to do");
        }
        Err(store_err) => {
            // The job carries everything the transcriber needs to write the call itself.
            match app.queue().send(&job.message()).await {
                Ok(()) => {
                    warn!(error = %store_err, "store unavailable; the recording travels in its job alone")
                }
                Err(queue_err) => error!(
                    metric = "recording_at_risk",
                    store_error = %store_err,
                    queue_error = %queue_err,
                    recording_url = %recording.url,
                    recording_sid = %recording.sid,
                    "store and queue both unavailable: data at risk"
                ),
            }
        }
    }
}

/// Sends a transcription job exactly once: claim (`pending` → `queued`), send, and give the
/// claim back if the send fails so the reconciler retries.
pub async fn send_job(app: &App, job: &TranscriptionJob) -> bool {
    match app
        .store()
        .claim_transcription_job(&job.call_sid, OffsetDateTime::now_utc())
        .await
    {
        Ok(true) => match app.queue().send(&job.message()).await {
            Ok(()) => {
                info!(recording_sid = %job.recording_sid, "transcription job queued");
                true
            }
            Err(err) => {
                warn!(metric = "transcription_pending", error = %err, "queue unavailable; call left pending for the reconciler");
                if let Err(release) = app.store().release_transcription_job(&job.call_sid).await {
                    error!(error = %release, "could not release the claim; the reconciler will find it stale");
                }
                false
            }
        },
        Ok(false) => {
            info!("transcription job already claimed");
            false
        }
        Err(err) => {
            warn!(error = %err, "claim failed; sending the job anyway (the transcriber is idempotent)");
            app.queue().send(&job.message()).await.is_ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormParams {
        FormParams::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn recording_sid_comes_from_the_field_or_the_url() {
        let with_sid = form(&[
            ("RecordingUrl", "https://api.twilio.com/x/Recordings/RE1"),
            ("RecordingSid", "RE2"),
        ]);
        assert_eq!(recording_from(&with_sid).unwrap().sid.as_str(), "RE2");
        let url_only = form(&[
            ("RecordingUrl", "https://api.twilio.com/.../RExxx"),
            ("RecordingDuration", "7"),
        ]);
        let recording = recording_from(&url_only).unwrap();
        assert_eq!(recording.sid.as_str(), "RExxx");
        assert_eq!(recording.duration_seconds, Some(7));
        assert!(recording_from(&form(&[("RecordingUrl", "https://x/not-a-sid")])).is_none());
        assert!(recording_from(&form(&[])).is_none());
    }
}
