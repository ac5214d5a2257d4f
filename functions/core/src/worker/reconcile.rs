//! The reconciler: sends the transcription jobs that could not be sent when their recording
//! arrived (queue down), and re-sends jobs queued long ago and never finished; sends the
//! messages parked in the store while their queue was down ([`crate::app::App::send_or_park`]);
//! and queues the reminders that are due ([`super::reminder_scan`]) and the daily digests
//! ([`crate::alerts::digest::scan`]).
//! Runs on a schedule (Lambda) or as a background task in `frontdesk serve`.

use time::{Duration, OffsetDateTime};
use tracing::{error, info, warn};

use super::reminder_scan::{self, ScanReport as ReminderScan};
use crate::app::App;
use crate::domain::time::instant;
use crate::domain::TranscriptionState;
use crate::jobs::TranscriptionJob;
use crate::queue::{OutboundMessage, QueueName};
use crate::voice::recordings::send_job;

/// A job queued this long ago without a transcript is sent again.
pub const STALE_AFTER: Duration = Duration::minutes(15);
const BATCH: usize = 100;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    pub examined: usize,
    pub sent: usize,
    pub failed: usize,
    /// The reminders' tick.
    pub reminders: ReminderScan,
    /// Digest jobs queued ([`crate::alerts::digest::scan`]).
    pub digests: usize,
    /// Parked messages sent to their queue at last.
    pub unparked: usize,
}

pub async fn reconcile(app: &App, now: OffsetDateTime) -> ReconcileReport {
    let at = instant(now).unwrap_or_else(jiff::Timestamp::now);
    let mut report = ReconcileReport {
        reminders: reminder_scan::scan(app, at).await,
        digests: crate::alerts::digest::scan(app, at).await,
        unparked: unpark(app).await,
        ..ReconcileReport::default()
    };
    let backlog = match app
        .store()
        .transcription_backlog(now - STALE_AFTER, BATCH)
        .await
    {
        Ok(backlog) => backlog,
        Err(err) => {
            warn!(error = %err, "reconciler could not read the backlog");
            return report;
        }
    };
    for call in backlog {
        report.examined += 1;
        let Some(recording) = call.recording.clone() else {
            continue;
        };
        if call.transcription == Some(TranscriptionState::Queued) {
            // Stale: give the claim back so the normal path claims and sends it again.
            if let Err(err) = app.store().release_transcription_job(&call.sid).await {
                warn!(error = %err, call_sid = %call.sid, "could not release a stale job");
                report.failed += 1;
                continue;
            }
        }
        let job = TranscriptionJob {
            call_sid: call.sid.clone(),
            recording_sid: recording.sid,
            recording_url: recording.url,
            recording_duration_seconds: recording.duration_seconds,
            business_id: call.business_id.clone(),
            from: call.from.clone(),
            to: call.to.clone(),
            direction: call.direction,
            enqueued_at: now,
        };
        if send_job(app, &job).await {
            report.sent += 1;
        } else {
            report.failed += 1;
        }
    }
    info!(
        examined = report.examined,
        sent = report.sent,
        failed = report.failed,
        "reconciler pass"
    );
    report
}

/// Sends the parked messages, oldest first, forgetting each once its queue took it. Stops at the
/// first the queue refuses: it is still down.
async fn unpark(app: &App) -> usize {
    let parked = match app.store().parked(BATCH).await {
        Ok(parked) => parked,
        Err(err) => {
            warn!(error = %err, "reconciler could not read the parked messages");
            return 0;
        }
    };
    let mut sent = 0;
    for message in parked {
        let Some(queue) = QueueName::parse(&message.queue) else {
            error!(
                queue = message.queue,
                dedup_id = message.dedup_id,
                "parked message for an unknown queue; left parked"
            );
            continue;
        };
        let outbound = OutboundMessage {
            queue,
            dedup_id: message.dedup_id.clone(),
            body: message.body.clone(),
        };
        if let Err(err) = app.queue().send(&outbound).await {
            warn!(error = %err, "queue still unavailable; parked messages wait");
            break;
        }
        // Sent and not forgotten: the next pass sends it again, and its consumer drops the repeat.
        if let Err(err) = app.store().unpark(&message.queue, &message.dedup_id).await {
            warn!(error = %err, dedup_id = message.dedup_id, "parked message sent but not forgotten");
        }
        sent += 1;
    }
    if sent > 0 {
        info!(sent, "parked messages sent");
    }
    sent
}
