//! Follow-ups on the single table: one record per appointment on its partition, each kind an
//! attribute of its own, and the business's calendar key on the business's partition.
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | follow-ups | `APPT#{id}` | `FOLLOWUPS` | `business_id`, `confirmation` (JSON), `calendar` (JSON), `updated_at`; `gsi1pk` = `BIZ#{business}#FOLLOWUPS`, `gsi1sk` = `{updated_at, fixed width}#{id}` |
//! | calendar key | `BIZ#{id}` | `CALENDAR_KEY` | `secret` (the service account's key JSON) |
//!
//! Each kind is written by an UpdateItem that sets only its own attribute, so the
//! confirmation's consumer and the calendar's never overwrite each other's record.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use jiff::Timestamp;

use super::expr::{Changes, Placeholders};
use super::item::{corrupt, get_s, required, s, Item};
use super::keys::{
    calendar_key_key, follow_ups_gsi1pk, follow_ups_key, BUSINESS_ID, GSI1, GSI1_PARTITION_KEY,
    GSI1_SORT_KEY, PARTITION_KEY, UPDATED_AT,
};
use super::{unavailable, DynamoStore};
use crate::config::Secret;
use crate::domain::{AppointmentId, BusinessId, FollowUps};
use crate::store::appointments::sortable_time;
use crate::store::follow_ups::follow_ups_from;
use crate::store::{FollowUp, FollowUpStore, StoreError};

/// BatchGetItem's limit per request.
const BATCH_GET: usize = 100;
/// Rounds of unprocessed keys retried before the store is called unavailable.
const BATCH_ROUNDS: usize = 5;

fn record_from_item(item: &Item) -> Result<(AppointmentId, FollowUps), StoreError> {
    let pk = required(item, PARTITION_KEY)?;
    let id = pk
        .strip_prefix("APPT#")
        .ok_or_else(|| StoreError::Corrupt(format!("follow-ups under `{pk}`")))
        .and_then(|id| AppointmentId::parse(id).map_err(corrupt("follow-ups appointment")))?;
    let follow_ups = follow_ups_from(get_s(item, "confirmation")?, get_s(item, "calendar")?)?;
    Ok((id, follow_ups))
}

#[async_trait]
impl FollowUpStore for DynamoStore {
    async fn put_follow_up(
        &self,
        appointment: &AppointmentId,
        business: &BusinessId,
        record: &FollowUp,
    ) -> Result<(), StoreError> {
        let at = record.at();
        let mut changes = Changes::blind();
        changes.set(record.kind(), s(record.json()?));
        changes.set(BUSINESS_ID, s(business.as_str()));
        changes.set(UPDATED_AT, s(at.to_string()));
        changes.set(GSI1_PARTITION_KEY, s(follow_ups_gsi1pk(business)));
        changes.set(
            GSI1_SORT_KEY,
            s(format!("{}#{appointment}", sortable_time(at))),
        );
        self.update_request(follow_ups_key(appointment), changes)
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem", e))?;
        Ok(())
    }

    async fn follow_ups(&self, appointment: &AppointmentId) -> Result<FollowUps, StoreError> {
        match self.get(follow_ups_key(appointment)).await? {
            Some(item) => Ok(record_from_item(&item)?.1),
            None => Ok(FollowUps::default()),
        }
    }

    async fn follow_ups_of(
        &self,
        appointments: &[AppointmentId],
    ) -> Result<HashMap<AppointmentId, FollowUps>, StoreError> {
        let mut found = HashMap::new();
        let mut unique: Vec<&AppointmentId> = appointments.iter().collect();
        unique.sort();
        unique.dedup();
        for chunk in unique.chunks(BATCH_GET) {
            let mut keys: Vec<Item> = chunk.iter().map(|id| follow_ups_key(id)).collect();
            for _ in 0..BATCH_ROUNDS {
                if keys.is_empty() {
                    break;
                }
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .consistent_read(true)
                    .build()
                    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| unavailable("BatchGetItem", e))?;
                for item in out
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    let (id, follow_ups) = record_from_item(&item)?;
                    found.insert(id, follow_ups);
                }
                keys = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
            }
            if !keys.is_empty() {
                return Err(StoreError::Unavailable(
                    "BatchGetItem left keys unprocessed".into(),
                ));
            }
        }
        Ok(found)
    }

    async fn recent_follow_ups(
        &self,
        business: &BusinessId,
        since: Timestamp,
    ) -> Result<Vec<(AppointmentId, FollowUps)>, StoreError> {
        let mut placeholders = Placeholders::default();
        let condition = format!(
            "{} = {} AND {} >= {}",
            placeholders.name(GSI1_PARTITION_KEY),
            placeholders.value(s(follow_ups_gsi1pk(business))),
            placeholders.name(GSI1_SORT_KEY),
            placeholders.value(s(sortable_time(since))),
        );
        let mut records = self
            .query_all(Some(GSI1), &condition, placeholders)
            .await?
            .iter()
            .map(|item| {
                let sort: String = get_s(item, GSI1_SORT_KEY)?.unwrap_or_default().into();
                record_from_item(item).map(|record| (sort, record))
            })
            .collect::<Result<Vec<_>, _>>()?;
        records.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(records.into_iter().map(|(_, record)| record).collect())
    }

    async fn put_calendar_key(
        &self,
        business: &BusinessId,
        key: &Secret,
    ) -> Result<(), StoreError> {
        self.put_secret(calendar_key_key(business), key).await
    }

    async fn calendar_key(&self, business: &BusinessId) -> Result<Option<Secret>, StoreError> {
        self.secret(calendar_key_key(business)).await
    }

    async fn delete_calendar_key(&self, business: &BusinessId) -> Result<bool, StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(calendar_key_key(business)))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem", e))?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }
}
