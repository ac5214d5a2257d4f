//! A call's status callback applied: monotonically in the store, then, when it ended the call,
//! its `call.completed` queued (or parked while the queue is down). The webhook applies it; a
//! callback the store could not take in time is applied later by the `notify` consumer, the
//! same way.

use crate::app::App;
use crate::domain::StatusUpdate;
use crate::jobs::{NotifyJob, Trigger};
use crate::store::StoreError;

/// Applies `update`; whether it advanced the call. A `replayed` update (a deferred write) may
/// have landed before its webhook's deadline without anyone seeing it: its `call.completed`
/// is queued even when nothing advanced now, and the notify consumer drops a repeat.
pub async fn apply(app: &App, update: &StatusUpdate, replayed: bool) -> Result<bool, StoreError> {
    let advanced = app.store().apply_call_status(update).await?;
    if (advanced || replayed) && update.status.is_final() {
        // Every ended call gets its call.completed (one with a recording after its
        // transcript); the notify consumer drops repeats.
        let job = NotifyJob::call_completed(
            update.sid.clone(),
            update.business_id.clone(),
            Trigger::CallEnded,
        );
        app.send_or_park(&job.message()).await;
    }
    Ok(advanced)
}
