//! The `transcribe` consumer: a recording job → a copy in the recordings store → a transcript
//! → a `call.completed` event.
//!
//! Idempotent: the copy is kept on the call, so a redelivered job does not download again, and
//! a call whose transcription has ended is not transcribed again nor announced twice (the
//! `notify` consumer drops an event already delivered).

use std::time::Duration;

use time::OffsetDateTime;
use tracing::{error, info, warn};

use super::media::{self, DownloadError};
use super::transcriber::{self, TranscribeError};
use super::{backoff, Disposition, Received, Worker};
use crate::domain::{Business, TranscriptionState};
use crate::domain::{Recording, TranscriptionOutcome};
use crate::jobs::TranscriptionJob;
use crate::jobs::{NotifyJob, Trigger};
use crate::voice;

/// Receives before the dead-letter queue (template.yaml `RecordingsQueue` redrive policy).
pub const MAX_RECEIVES: u32 = 5;
/// The first wait after a 404 or a transient failure; doubled on each receive.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(15);

pub const RECORDING_CONTENT_TYPE: &str = "audio/mpeg";

/// The copy's key: `recordings/{business}/{CallSid}/{RecordingSid}.mp3`.
pub fn recording_key(job: &TranscriptionJob, business: &Business) -> String {
    format!(
        "recordings/{}/{}/{}.mp3",
        business.id, job.call_sid, job.recording_sid
    )
}

pub async fn process(worker: &Worker, message: &Received) -> Disposition {
    let job: TranscriptionJob = match serde_json::from_str(&message.body) {
        Ok(job) => job,
        Err(err) => {
            error!(metric = "job_malformed", error = %err, "transcription job is not a job; dropped");
            return Disposition::Done;
        }
    };
    let span = tracing::info_span!(
        "transcription_job",
        call_sid = %job.call_sid,
        recording_sid = %job.recording_sid,
        receive_count = message.receive_count,
    );
    tracing::Instrument::instrument(run(worker, &job, message.receive_count), span).await
}

/// What went wrong on this receive, if anything is left to do.
enum Step {
    /// The call's transcription has ended (now or earlier).
    Finished,
    Retry(String),
    NotReady,
}

async fn run(worker: &Worker, job: &TranscriptionJob, receive_count: u32) -> Disposition {
    let step = attempt(worker, job).await;
    let (reason, after) = match step {
        Ok(Step::Finished) => return Disposition::Done,
        Ok(Step::NotReady) => (
            "recording not ready at Twilio (404)".to_string(),
            backoff(FIRST_BACKOFF, receive_count),
        ),
        Ok(Step::Retry(reason)) | Err(reason) => (reason, backoff(FIRST_BACKOFF, receive_count)),
    };
    if receive_count >= MAX_RECEIVES {
        // The last receive: the message goes to the dead-letter queue; the call says why.
        let reason = format!("gave up after {receive_count} attempts: {reason}");
        error!(
            metric = "transcription_failed",
            reason, "transcription failed for good"
        );
        finish(worker, job, TranscriptionOutcome::Failed { reason }).await;
    } else {
        warn!(
            reason,
            retry_in_s = after.as_secs(),
            "transcription will be retried"
        );
    }
    Disposition::Retry { after }
}

/// One pass over the job. `Err`: a backend failed (retry).
async fn attempt(worker: &Worker, job: &TranscriptionJob) -> Result<Step, String> {
    let store = worker.app.store();
    let call = store.call(&job.call_sid).await.map_err(|e| e.to_string())?;
    let business_id = job
        .business_id
        .clone()
        .or_else(|| call.as_ref().and_then(|c| c.business_id.clone()));
    let business = match &business_id {
        Some(id) => store.business(id).await.map_err(|e| e.to_string())?,
        // Sent alone by a webhook that could not look it up: the business owns the number.
        None => voice::business_of_call(
            &worker.app,
            job.direction,
            job.from.as_deref(),
            job.to.as_deref(),
        )
        .await
        .map_err(|e| e.to_string())?,
    }
    .unwrap_or_else(|| worker.app.config().default_business());

    match call.as_ref().and_then(|c| c.transcription) {
        Some(
            TranscriptionState::Ready | TranscriptionState::Failed | TranscriptionState::Skipped,
        ) => {
            info!("transcription already ended; nothing to do");
            // Its event may not have been queued if the last run stopped in between.
            announce(worker, job).await;
            return Ok(Step::Finished);
        }
        Some(TranscriptionState::Pending | TranscriptionState::Queued) => {}
        None => {
            // The store was down when the recording arrived: the job alone carries it.
            let recording = Recording {
                sid: job.recording_sid.clone(),
                url: job.recording_url.clone(),
                duration_seconds: job.recording_duration_seconds,
                digits: None,
            };
            store
                .attach_recording(&job.call_sid, &recording, true, OffsetDateTime::now_utc())
                .await
                .map_err(|e| e.to_string())?;
        }
    }

    let audio = match copy(worker, job, &business).await? {
        Ok(audio) => audio,
        Err(step) => return Ok(step),
    };

    if !business.transcription_enabled {
        finish(
            worker,
            job,
            TranscriptionOutcome::Skipped {
                reason: "transcription is off for this business".into(),
            },
        )
        .await;
        return Ok(Step::Finished);
    }
    let Some(base) = worker.settings().transcribe_api_base.clone() else {
        finish(
            worker,
            job,
            TranscriptionOutcome::Skipped {
                reason: "no transcription service configured (TRANSCRIBE_API_BASE)".into(),
            },
        )
        .await;
        return Ok(Step::Finished);
    };
    let language = transcriber::language_hint(&business.language);
    let file_name = format!("{}.mp3", job.recording_sid);
    let outcome = match transcriber::transcribe(
        worker,
        &base,
        audio,
        &file_name,
        language.as_deref(),
    )
    .await
    {
        Ok(transcript) => TranscriptionOutcome::Ready {
            transcript: transcript.text,
            language: transcript.language,
        },
        Err(TranscribeError::Rejected(reason)) => TranscriptionOutcome::Failed { reason },
        Err(TranscribeError::Transient(reason)) => return Ok(Step::Retry(reason)),
    };
    finish(worker, job, outcome).await;
    Ok(Step::Finished)
}

/// The recording's audio: from the copy if one is kept, else downloaded from Twilio and
/// copied. `Ok(Err(step))`: the download did not give the file.
async fn copy(
    worker: &Worker,
    job: &TranscriptionJob,
    business: &Business,
) -> Result<Result<bytes::Bytes, Step>, String> {
    let store = worker.app.store();
    let media = store
        .call_media(&job.call_sid)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(key) = media.and_then(|m| m.recording_key) {
        if let Some(blob) = worker
            .recordings
            .get(&key)
            .await
            .map_err(|e| e.to_string())?
        {
            info!(key, "recording copy already kept");
            return Ok(Ok(blob.body));
        }
    }
    let audio = match media::download(worker, &job.recording_url).await {
        Ok(audio) => audio,
        Err(DownloadError::NotReady) => return Ok(Err(Step::NotReady)),
        Err(DownloadError::Transient(reason)) => return Ok(Err(Step::Retry(reason))),
        Err(DownloadError::Refused(reason)) => {
            error!(
                metric = "recording_download_refused",
                reason, "recording cannot be fetched"
            );
            finish(worker, job, TranscriptionOutcome::Failed { reason }).await;
            return Ok(Err(Step::Finished));
        }
    };
    let key = recording_key(job, business);
    worker
        .recordings
        .put(&key, audio.clone(), RECORDING_CONTENT_TYPE)
        .await
        .map_err(|e| e.to_string())?;
    store
        .set_recording_copy(&job.call_sid, &key)
        .await
        .map_err(|e| e.to_string())?;
    info!(key, bytes = audio.len(), "recording copied");
    if business.delete_from_twilio_after_copy {
        match media::delete(worker, &job.recording_url).await {
            Ok(()) => info!("recording deleted from Twilio after the copy"),
            Err(reason) => warn!(
                reason,
                "recording not deleted from Twilio; the copy is kept"
            ),
        }
    }
    Ok(Ok(audio))
}

/// Stores the outcome (once) and queues the call's `call.completed`.
async fn finish(worker: &Worker, job: &TranscriptionJob, outcome: TranscriptionOutcome) {
    let state = outcome.state().as_str();
    match worker
        .app
        .store()
        .finish_transcription(&job.call_sid, &outcome, OffsetDateTime::now_utc())
        .await
    {
        Ok(true) => info!(transcription = state, "transcription stored"),
        Ok(false) => info!(transcription = state, "transcription had already ended"),
        Err(err) => {
            // The reconciler finds the call still pending and sends the job again.
            error!(error = %err, transcription = state, "transcription outcome not stored");
            return;
        }
    }
    announce(worker, job).await;
}

async fn announce(worker: &Worker, job: &TranscriptionJob) {
    let event = NotifyJob::call_completed(
        job.call_sid.clone(),
        job.business_id.clone(),
        Trigger::Transcription,
    );
    worker.app.send_or_park(&event.message()).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{BusinessId, CallSid, Direction, RecordingSid};

    #[test]
    fn the_copy_key_names_business_call_and_recording() {
        let job = TranscriptionJob {
            call_sid: CallSid::parse("CA1").unwrap(),
            recording_sid: RecordingSid::parse("RE2").unwrap(),
            recording_url: "https://api.twilio.com/x/RE2".into(),
            recording_duration_seconds: None,
            business_id: None,
            from: None,
            to: None,
            direction: Direction::Inbound,
            enqueued_at: OffsetDateTime::UNIX_EPOCH,
        };
        let business = Business::new(BusinessId::parse("acme").unwrap(), "Acme");
        assert_eq!(
            recording_key(&job, &business),
            "recordings/acme/CA1/RE2.mp3"
        );
    }
}
