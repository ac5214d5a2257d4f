//! The `notify` consumer's deferred writes ([`DeferredWrite`]): a webhook's write the store
//! could not take, applied now. The store down still → retried with the queue's backoff; a
//! message stored without its business (the lookup failed too) finds it by its `To` number.

use std::time::Duration;

use tracing::{info, warn};

use super::{backoff, Disposition, Worker};
use crate::domain::WhatsAppAddress;
use crate::jobs::DeferredWrite;
use crate::store::StoreError;
use crate::voice;

/// The first wait while the store is still down; doubled on each receive.
const FIRST_BACKOFF: Duration = Duration::from_secs(15);

pub async fn process(worker: &Worker, write: DeferredWrite, receive_count: u32) -> Disposition {
    let kind = write.kind();
    match apply(worker, write).await {
        Ok(()) => {
            info!(write = kind, "deferred write applied");
            Disposition::Done
        }
        Err(err) => {
            let after = backoff(FIRST_BACKOFF, receive_count);
            warn!(write = kind, error = %err, retry_in = ?after, "deferred write not applied; retried");
            Disposition::Retry { after }
        }
    }
}

async fn apply(worker: &Worker, write: DeferredWrite) -> Result<(), StoreError> {
    let app = &worker.app;
    match write {
        DeferredWrite::CallStatus(mut update) => {
            if update.business_id.is_none() {
                let (from, to) = (update.from.as_deref(), update.to.as_deref());
                let business = voice::business_of_call(app, update.direction, from, to).await?;
                update.business_id = business.map(|b| b.id);
            }
            voice::status::apply(app, &update, true).await.map(drop)
        }
        DeferredWrite::Message(mut message) => {
            let to = message.to.as_deref().map(WhatsAppAddress::parse);
            if let (None, Some(Ok(to))) = (&message.business_id, to) {
                message.business_id = app.business_by_number(to.number()).await?.map(|b| b.id);
            }
            app.store().insert_message(&message).await.map(drop)
        }
        DeferredWrite::MessageStatus(update) => {
            app.store().apply_message_status(&update).await.map(drop)
        }
    }
}
