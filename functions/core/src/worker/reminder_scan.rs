//! The reminders' minute tick, run by the reconciler (every minute on Lambda and in
//! `frontdesk serve`): every pending reminder due by `now` is claimed (pending → queued, a
//! conditional write, so two ticks never queue one twice) and its job put on the `notify`
//! queue; a job the queue refuses gives its claim back for the next tick. `send-now` claims an
//! appointment's next reminder the same way, whenever it is due.

use jiff::Timestamp;
use tokio::task::JoinSet;
use tracing::{error, info, warn};

use crate::app::App;
use crate::domain::{AppointmentId, Business, Reminder, ReminderState};
use crate::jobs::{FollowUpJob, ReminderJob};
use crate::store::StoreError;

/// Due reminders read per round; a tick reads rounds until one comes back short.
const BATCH: usize = 500;
/// Rounds per tick at most (the rest is the next tick's).
const ROUNDS: usize = 10;
/// Claims and sends in flight at once.
const PARALLEL: usize = 16;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// Due reminders read.
    pub due: usize,
    /// Claimed and queued.
    pub queued: usize,
    /// Claimed elsewhere first (another tick), or moved meanwhile.
    pub lost_claims: usize,
    /// Claimed but not queued (given back for the next tick), or not claimable (store down).
    pub failed: usize,
}

enum Claimed {
    Queued,
    Lost,
    Failed,
}

/// Claims `reminder` and queues its job; gives the claim back when the queue refuses it.
async fn claim_and_queue(app: &App, reminder: Reminder) -> Claimed {
    match app
        .store()
        .claim_reminder(&reminder.key(), reminder.start)
        .await
    {
        Ok(true) => {}
        Ok(false) => return Claimed::Lost,
        Err(err) => {
            warn!(appointment_id = %reminder.appointment_id, error = %err, "reminder not claimed");
            return Claimed::Failed;
        }
    }
    let job = FollowUpJob::Reminder(ReminderJob::new(&reminder));
    match app.queue().send(&job.message()).await {
        Ok(()) => Claimed::Queued,
        Err(err) => {
            error!(metric = "reminder_at_risk", appointment_id = %reminder.appointment_id, error = %err, "reminder claimed but not queued; given back");
            if let Err(err) = app.store().save_reminder(&reminder).await {
                error!(appointment_id = %reminder.appointment_id, error = %err, "claim not given back; the reminder stays queued");
            }
            Claimed::Failed
        }
    }
}

/// Claims and queues every reminder due by `now`.
pub async fn scan(app: &App, now: Timestamp) -> ScanReport {
    let mut report = ScanReport::default();
    for _ in 0..ROUNDS {
        let due = match app.store().due_reminders(now, BATCH).await {
            Ok(due) => due,
            Err(err) => {
                warn!(error = %err, "due reminders not readable");
                break;
            }
        };
        let short = due.len() < BATCH;
        report.due += due.len();
        let mut pending = due.into_iter();
        let mut running = JoinSet::new();
        loop {
            while running.len() < PARALLEL {
                let Some(reminder) = pending.next() else {
                    break;
                };
                let app = app.clone();
                running.spawn(async move { claim_and_queue(&app, reminder).await });
            }
            let Some(done) = running.join_next().await else {
                break;
            };
            match done {
                Ok(Claimed::Queued) => report.queued += 1,
                Ok(Claimed::Lost) => report.lost_claims += 1,
                Ok(Claimed::Failed) | Err(_) => report.failed += 1,
            }
        }
        if short || report.queued == 0 {
            break;
        }
    }
    if report.due > 0 {
        info!(
            due = report.due,
            queued = report.queued,
            lost_claims = report.lost_claims,
            failed = report.failed,
            "reminders queued"
        );
    }
    report
}

/// Queues `appointment`'s next reminder now (the pending one due soonest), through the same
/// claim and job as the tick; `None` when it has no pending reminder.
pub async fn send_now(
    app: &App,
    business: &Business,
    appointment: &AppointmentId,
) -> Result<Option<Reminder>, StoreError> {
    let next = app
        .store()
        .reminders(appointment)
        .await?
        .into_iter()
        .filter(|r| r.business_id == business.id && r.state == ReminderState::Pending)
        .min_by_key(|r| r.due);
    let Some(reminder) = next else {
        return Ok(None);
    };
    match claim_and_queue(app, reminder.clone()).await {
        Claimed::Queued => Ok(Some(reminder)),
        Claimed::Lost => Ok(None),
        Claimed::Failed => Err(StoreError::Unavailable(
            "the reminder could not be queued".into(),
        )),
    }
}
