//! Call-attempt counters, one row per business, caller and minute; the outbound pacing
//! counters share the table, one row per Twilio account and second (business `#pacing`).

use async_trait::async_trait;
use rusqlite::{params, Connection};

use super::row::{corrupt, db};
use super::SqliteStore;
use crate::domain::BusinessId;
use crate::store::{RateStore, StoreError};

/// A counter is read during its own minute; one more minute absorbs clock skew between
/// processes sharing the file.
const COUNTER_LIFETIME_SECONDS: i64 = 120;

/// The `business_id` of the pacing counters: no business id can contain `#`.
const PACING: &str = "#pacing";

fn count_call_attempt(
    conn: &Connection,
    business: &str,
    from: &str,
    minute_start: i64,
) -> Result<u64, StoreError> {
    // One statement, so concurrent callers each see their own increment.
    let count: i64 = conn
        .prepare_cached(
            "INSERT INTO call_attempts (business_id, caller, minute_start, count, expires_at)
             VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT (business_id, caller, minute_start) DO UPDATE SET count = count + 1
             RETURNING count",
        )
        .and_then(|mut statement| {
            statement.query_row(
                params![
                    business,
                    from,
                    minute_start,
                    minute_start.saturating_add(COUNTER_LIFETIME_SECONDS)
                ],
                |row| row.get(0),
            )
        })
        .map_err(db)?;
    if count == 1 {
        // A caller's first attempt in a minute is the occasion to drop expired counters. The
        // caller's minute, not the wall clock, marks expiry, so a counter in use is never dropped.
        conn.prepare_cached("DELETE FROM call_attempts WHERE expires_at <= ?1")
            .and_then(|mut statement| statement.execute([minute_start]))
            .map_err(db)?;
    }
    u64::try_from(count).map_err(|e| corrupt("call attempt count", e))
}

#[async_trait]
impl RateStore for SqliteStore {
    async fn count_call_attempt(
        &self,
        business: &BusinessId,
        from: &str,
        minute_start: i64,
    ) -> Result<u64, StoreError> {
        count_call_attempt(&self.conn(), business.as_str(), from, minute_start)
    }

    async fn count_placement(&self, account: &str, second: i64) -> Result<u64, StoreError> {
        count_call_attempt(&self.conn(), PACING, account, second)
    }
}
