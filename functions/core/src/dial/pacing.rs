//! Pacing: a Twilio account starts at most `TWILIO_CALLS_PER_SECOND` outbound calls a second
//! (Twilio's default CPS is 1), however many Lambdas or processes place them. Each placement
//! takes a second through an atomic per-second counter in the store ([`RateStore::
//! count_placement`]): the first `cps` placements counted in a second have it, the next go on
//! to the following second and wait for it. A burst is spread, never refused, within the wait
//! the caller allows.
//!
//! Part of the public API: anything that places calls (the calls API, the CLI, reminders)
//! waits its turn with [`wait_turn`] before asking Twilio.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tracing::{info, warn};

use crate::app::App;
use crate::store::RateStore;

/// The longest the calls API waits for a free second: it answers within a few seconds.
pub const API_MAX_WAIT: Duration = Duration::from_secs(3);

/// No free second within the wait allowed: the account is placing as fast as it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the Twilio account is placing calls as fast as its calls-per-second allows; try again")]
pub struct Busy;

/// Waits until `account` may start one more call, at most `max_wait`. Counting fails open: a
/// store that cannot count does not stop a call (logged).
pub async fn wait_turn(app: &App, account: &str, max_wait: Duration) -> Result<(), Busy> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let cps = app.config().twilio.calls_per_second.max(1);
    match take_second(app.store(), account, cps, now, max_wait).await {
        Ok(Some(wait)) => {
            if !wait.is_zero() {
                info!(
                    wait_ms = wait.as_millis() as u64,
                    "outbound call paced to a later second"
                );
                tokio::time::sleep(wait).await;
            }
            Ok(())
        }
        Ok(None) => Err(Busy),
        Err(err) => {
            warn!(error = %err, "pacing counter unavailable; placing without pacing");
            Ok(())
        }
    }
}

/// The wait until the first second, from `now` (since the Unix epoch) on, in which fewer than
/// `cps` placements were counted before this one, counting this one in it; `None` when every
/// second that starts within `max_wait` is full.
pub async fn take_second<S: RateStore + ?Sized>(
    counters: &S,
    account: &str,
    cps: u32,
    now: Duration,
    max_wait: Duration,
) -> Result<Option<Duration>, crate::store::StoreError> {
    let first = now.as_secs() as i64;
    let mut second = first;
    loop {
        let start = Duration::from_secs(second as u64);
        let wait = start.saturating_sub(now);
        if wait > max_wait {
            return Ok(None);
        }
        if counters.count_placement(account, second).await? <= u64::from(cps) {
            return Ok(Some(wait));
        }
        second += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::domain::BusinessId;
    use crate::store::StoreError;

    /// Counters in memory, as atomic as the store's.
    #[derive(Default)]
    struct Counters(Mutex<HashMap<(String, i64), u64>>);

    #[async_trait]
    impl RateStore for Counters {
        async fn count_call_attempt(
            &self,
            _: &BusinessId,
            _: &str,
            _: i64,
        ) -> Result<u64, StoreError> {
            unimplemented!("not used by pacing")
        }

        async fn count_placement(&self, account: &str, second: i64) -> Result<u64, StoreError> {
            let mut counters = self.0.lock().unwrap();
            let count = counters.entry((account.to_string(), second)).or_default();
            *count += 1;
            Ok(*count)
        }
    }

    #[tokio::test]
    async fn a_burst_is_spread_over_the_following_seconds_at_the_configured_rate() {
        let counters = Counters::default();
        let now = Duration::from_millis(1_000_400);
        let mut waits = Vec::new();
        for _ in 0..5 {
            let wait = take_second(&counters, "AC1", 2, now, Duration::from_secs(10))
                .await
                .unwrap();
            waits.push(wait.unwrap().as_millis());
        }
        // Two in the current second, then two in each of the next ones, from their start.
        assert_eq!(waits, [0, 0, 600, 600, 1600]);
    }

    #[tokio::test]
    async fn another_account_has_its_own_seconds() {
        let counters = Counters::default();
        let now = Duration::from_secs(50);
        let max = Duration::from_secs(10);
        let first = take_second(&counters, "AC1", 1, now, max).await.unwrap();
        let other = take_second(&counters, "AC2", 1, now, max).await.unwrap();
        assert_eq!((first, other), (Some(Duration::ZERO), Some(Duration::ZERO)));
    }

    #[tokio::test]
    async fn no_second_free_within_the_wait_allowed_is_busy() {
        let counters = Counters::default();
        let now = Duration::from_secs(50);
        let max = Duration::from_secs(1);
        let taken: Vec<_> = [
            take_second(&counters, "AC1", 1, now, max).await.unwrap(),
            take_second(&counters, "AC1", 1, now, max).await.unwrap(),
            take_second(&counters, "AC1", 1, now, max).await.unwrap(),
        ]
        .into();
        assert_eq!(
            taken,
            [Some(Duration::ZERO), Some(Duration::from_secs(1)), None]
        );
    }
}
