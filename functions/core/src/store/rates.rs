//! Per-minute call-attempt counters for rate limiting, and the per-second counters that pace
//! outbound calls per Twilio account.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::BusinessId;

#[async_trait]
pub trait RateStore: Send + Sync {
    /// Atomically counts one call attempt from `from` to `business` in the minute starting at
    /// `minute_start` (Unix seconds) and returns the count so far. Counters expire.
    async fn count_call_attempt(
        &self,
        business: &BusinessId,
        from: &str,
        minute_start: i64,
    ) -> Result<u64, StoreError>;

    /// Atomically counts one outbound call placed through Twilio account `account` in the
    /// second `second` (Unix seconds) and returns the count so far, this one included.
    /// Counters expire.
    async fn count_placement(&self, account: &str, second: i64) -> Result<u64, StoreError>;
}
