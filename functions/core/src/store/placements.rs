//! Outbound call placements: written before Twilio is asked, so a retried request finds the
//! first and never places a second call; settled with Twilio's answer.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{Placement, PlacementId};

#[async_trait]
pub trait PlacementStore: Send + Sync {
    /// Writes `placement` unless one with its id exists, atomically. `Ok(None)`: written, the
    /// caller places the call; `Ok(Some(existing))`: the id was taken, nothing written.
    async fn claim_placement(&self, placement: &Placement)
        -> Result<Option<Placement>, StoreError>;

    async fn placement(&self, id: &PlacementId) -> Result<Option<Placement>, StoreError>;

    /// Replaces the placement's document (its state settled: placed or refused).
    async fn save_placement(&self, placement: &Placement) -> Result<(), StoreError>;

    /// Forgets a placement Twilio certainly did not take (it answered 429 or 5xx, or could not
    /// be reached at all), so a retry with the same key may place the call.
    async fn release_placement(&self, id: &PlacementId) -> Result<(), StoreError>;
}
