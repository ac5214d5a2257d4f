//! The pieces of an appointment's transaction ([`super::appointments`] has the design): the
//! request record, a cell's claim and release, and running the transaction until DynamoDB
//! decides it.

use std::time::Duration;

use aws_sdk_dynamodb::types::TransactWriteItem;
use jiff::Timestamp;

use super::expr::{contended, Changes, Placeholders, Transaction, MAX_WRITE_ROUNDS};
use super::item::{n, s};
use super::keys::{
    cell_key, request_key, APPOINTMENT_ID, COUNT, OPERATION, PARTITION_KEY, TTL_ATTRIBUTE,
};
use super::DynamoStore;
use crate::domain::{AppointmentId, BusinessId, RequestKey};
use crate::store::appointments::{cell_expires_at, Operation, REQUEST_KEPT_SECONDS};
use crate::store::StoreError;

/// What a cancelled transaction's reasons come to.
enum Refusal {
    /// These items' conditions failed.
    Conditions(Vec<usize>),
    /// Another transaction held an item, or the table throttled: nothing was decided.
    Busy,
    Failed(String),
}

fn refusal(reasons: &[Option<String>]) -> Refusal {
    let failed: Vec<usize> = reasons
        .iter()
        .enumerate()
        .filter(|(_, code)| code.as_deref() == Some("ConditionalCheckFailed"))
        .map(|(i, _)| i)
        .collect();
    if !failed.is_empty() {
        return Refusal::Conditions(failed);
    }
    let transient = |code: &String| code == "TransactionConflict" || code == "ThrottlingError";
    if reasons.iter().flatten().next().is_some() && reasons.iter().flatten().all(transient) {
        Refusal::Busy
    } else {
        Refusal::Failed(format!("{reasons:?}"))
    }
}

/// A pause before trying a transaction again, growing with the round and jittered, so racing
/// writers do not collide again in step.
async fn back_off(round: usize) {
    let mut noise = [0u8; 2];
    // Without randomness the pause is just not jittered.
    let _ = getrandom::fill(&mut noise);
    let ceiling = 10u64 << round.min(5);
    let pause = ceiling / 2 + u64::from(u16::from_le_bytes(noise)) % (ceiling / 2);
    tokio::time::sleep(Duration::from_millis(pause)).await;
}

impl DynamoStore {
    pub(super) fn request_put(
        &self,
        business: &BusinessId,
        request: &RequestKey,
        id: &AppointmentId,
        operation: Operation,
        at: Timestamp,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = request_key(business, request);
        item.insert(APPOINTMENT_ID.into(), s(id.as_str()));
        item.insert(OPERATION.into(), s(operation.as_str()));
        item.insert(
            TTL_ATTRIBUTE.into(),
            n(at.as_second().saturating_add(REQUEST_KEPT_SECONDS)),
        );
        let mut p = Placeholders::default();
        let condition = format!("attribute_not_exists({})", p.name(PARTITION_KEY));
        self.transaction_put(item, Some((condition, p)))
    }

    pub(super) fn claim(
        &self,
        business: &BusinessId,
        cell: i64,
        capacity: u32,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut changes = Changes::blind();
        changes.add(COUNT, n(1));
        changes.set(TTL_ATTRIBUTE, n(cell_expires_at(cell)));
        changes.only_if(|p| {
            let count = p.name(COUNT);
            format!(
                "attribute_not_exists({count}) OR {count} < {}",
                p.value(n(capacity))
            )
        });
        self.transaction_update(cell_key(business, cell), changes)
    }

    pub(super) fn release(
        &self,
        business: &BusinessId,
        cell: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut changes = Changes::blind();
        changes.add(COUNT, n(-1));
        changes.only_if(|p| format!("{} > {}", p.name(COUNT), p.value(n(0))));
        self.transaction_update(cell_key(business, cell), changes)
    }

    /// Runs one change's transaction: `Ok(None)` once it committed, else the items whose
    /// condition failed. A transaction that only met another in flight is tried again.
    pub(super) async fn commit(
        &self,
        what: &str,
        items: Vec<TransactWriteItem>,
    ) -> Result<Option<Vec<usize>>, StoreError> {
        // No ClientRequestToken from the request key: a retried request carries a new id and
        // time, which DynamoDB would refuse as a mismatch for ten minutes instead of letting
        // the request item answer `Repeat`. The SDK's own token covers its own retries.
        for round in 0..MAX_WRITE_ROUNDS {
            if round > 0 {
                back_off(round).await;
            }
            let reasons = match self.transact(items.clone()).await? {
                Transaction::Committed => return Ok(None),
                Transaction::Cancelled(reasons) => reasons,
            };
            match refusal(&reasons) {
                Refusal::Conditions(failed) => return Ok(Some(failed)),
                Refusal::Busy => continue,
                Refusal::Failed(reasons) => {
                    return Err(StoreError::Unavailable(format!(
                        "{what}: transaction cancelled: {reasons}"
                    )))
                }
            }
        }
        Err(contended(what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(codes: &[Option<&str>]) -> Vec<Option<String>> {
        codes.iter().map(|c| c.map(str::to_string)).collect()
    }

    #[test]
    fn failed_conditions_decide_and_conflicts_are_tried_again() {
        let cell_full = codes(&[None, None, Some("ConditionalCheckFailed"), None]);
        assert!(matches!(refusal(&cell_full), Refusal::Conditions(f) if f == [2]));
        let mixed = codes(&[
            Some("ConditionalCheckFailed"),
            Some("TransactionConflict"),
            Some("ConditionalCheckFailed"),
        ]);
        assert!(matches!(refusal(&mixed), Refusal::Conditions(f) if f == [0, 2]));
        let held = codes(&[None, Some("TransactionConflict"), Some("ThrottlingError")]);
        assert!(matches!(refusal(&held), Refusal::Busy));
        for failed in [codes(&[]), codes(&[None, Some("ValidationError")])] {
            assert!(matches!(refusal(&failed), Refusal::Failed(_)), "{failed:?}");
        }
    }
}
