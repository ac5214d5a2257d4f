//! Keeping what a caller left. Durable before acknowledged: the recording is written onto the
//! call and its transcription job is sent before Twilio hears back. If the store is down, the
//! job alone carries everything; if the queue is down, the call stays `pending` and the
//! reconciler sends it.

use std::time::Duration;

use time::OffsetDateTime;
use tracing::{error, info, warn};

use crate::app::App;
use crate::domain::{BusinessId, CallSid, Direction, Recording, TranscriptionState};
use crate::http::FormParams;
use crate::jobs::TranscriptionJob;
use crate::store::RecordingAttach;

/// The transcription job for a recording callback.
pub fn job_for(
    form: &FormParams,
    call_sid: &CallSid,
    recording: &Recording,
    business_id: Option<BusinessId>,
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
pub async fn keep(
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
        Err(store_err) => send_alone(app, &job, &store_err.to_string()).await,
    }
}

/// How long a webhook past its deadline still gives the queue: the answer stays within 2 s.
const QUEUE_GRACE: Duration = Duration::from_millis(400);

/// A recording callback whose store work ran past the deadline (a slow store): its job is sent
/// alone, as when the store is down. It may follow a job the slow work did send; the
/// transcriber does each recording once.
pub async fn send_alone_past_deadline(app: &App, form: &FormParams, call_sid: &CallSid) {
    if let Some(recording) = crate::twilio::params::recording(form) {
        let job = job_for(form, call_sid, &recording, None);
        send_alone(app, &job, "store too slow").await;
    }
}

/// Sends `job` without the store's claim (the store failed: `why`): the job carries everything
/// the transcriber needs to write the call itself.
async fn send_alone(app: &App, job: &TranscriptionJob, why: &str) {
    let (url, sid) = (&job.recording_url, &job.recording_sid);
    match tokio::time::timeout(QUEUE_GRACE, app.queue().send(&job.message())).await {
        Ok(Ok(())) => warn!(
            recording_sid = %sid,
            error = why,
            "store unavailable; the recording travels in its job alone"
        ),
        Ok(Err(queue_err)) => error!(
            metric = "recording_at_risk",
            store_error = why,
            queue_error = %queue_err,
            recording_url = %url,
            recording_sid = %sid,
            "store and queue both unavailable: data at risk"
        ),
        Err(_) => error!(
            metric = "recording_at_risk",
            store_error = why,
            recording_url = %url,
            recording_sid = %sid,
            "store unavailable and queue too slow: data at risk"
        ),
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
