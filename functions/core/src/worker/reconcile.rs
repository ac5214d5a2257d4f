//! The reconciler: sends the transcription jobs that could not be sent when their recording
//! arrived (queue down), and re-sends jobs queued long ago and never finished; and queues the
//! reminders that are due ([`super::reminder_scan`]) and the daily digests
//! ([`crate::alerts::digest::scan`]).
//! Runs on a schedule (Lambda) or as a background task in `frontdesk serve`.

use time::{Duration, OffsetDateTime};
use tracing::{info, warn};

use super::reminder_scan::{self, ScanReport as ReminderScan};
use crate::app::App;
use crate::domain::time::instant;
use crate::domain::TranscriptionState;
use crate::jobs::TranscriptionJob;
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
}

pub async fn reconcile(app: &App, now: OffsetDateTime) -> ReconcileReport {
    let at = instant(now).unwrap_or_else(jiff::Timestamp::now);
    let mut report = ReconcileReport {
        reminders: reminder_scan::scan(app, at).await,
        digests: crate::alerts::digest::scan(app, at).await,
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
