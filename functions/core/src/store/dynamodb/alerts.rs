//! Owner alerts on the single table.
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | alert | `ALERTS#{business}` | `ALERT#{key}` | `data` (the `AlertRecord` as JSON), `gsi1pk` = `ALERTS#{business}`, `gsi1sk` = `{created_at as 20-digit Unix nanoseconds}#{key}`, `expires_at` (created + 35 days) |
//! | call triage | `CALL#{sid}` | `MEDIA` | `triage` (the `Triage` as JSON) beside the transcript |
//! | Lookup answer | `LOOKUP#{e164}` | `LOOKUP` | `data` (the `CallerLookup` as JSON), `expires_at` (looked up + 90 days) |
//!
//! An alert is claimed by one conditional PutItem: of two deliveries of one event, only the
//! one that wrote the record sends. Records expire after the digest and `doctor` are done with
//! them, so reading a business's newest ones stays one short GSI query.

use async_trait::async_trait;
use jiff::Timestamp;

use super::expr::{Changes, Placeholders};
use super::item::{n, required, s, Item};
use super::keys::{key, media_key, DATA, GSI1, GSI1_PARTITION_KEY, GSI1_SORT_KEY, TTL_ATTRIBUTE};
use super::{unavailable, DynamoStore};
use crate::domain::{AlertRecord, BusinessId, CallSid, CallerLookup, PhoneNumber, Triage};
use crate::store::{AlertStore, StoreError};

const TRIAGE: &str = "triage";
const ALERT_DAYS: i64 = 35;
const LOOKUP_DAYS: i64 = 90;

fn alerts_partition(business: &BusinessId) -> String {
    format!("ALERTS#{business}")
}

fn alert_key(business: &BusinessId, key_: &str) -> Item {
    key(alerts_partition(business), &format!("ALERT#{key_}"))
}

fn lookup_key(number: &PhoneNumber) -> Item {
    key(format!("LOOKUP#{number}"), "LOOKUP")
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("a record always serialises")
}

fn read<T: serde::de::DeserializeOwned>(what: &str, item: &Item) -> Result<T, StoreError> {
    serde_json::from_str(required(item, DATA)?)
        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn expires(at: Timestamp, days: i64) -> i64 {
    at.as_second() + days * 86_400
}

fn alert_item(record: &AlertRecord) -> Item {
    let mut item = alert_key(&record.business_id, &record.key);
    item.insert(DATA.into(), s(json(record)));
    item.insert(
        GSI1_PARTITION_KEY.into(),
        s(alerts_partition(&record.business_id)),
    );
    item.insert(
        GSI1_SORT_KEY.into(),
        // Zero-padded nanoseconds sort as time; RFC 3339 text with optional fractions does not.
        s(format!(
            "{:020}#{}",
            record.created_at.as_nanosecond(),
            record.key
        )),
    );
    item.insert(
        TTL_ATTRIBUTE.into(),
        n(expires(record.created_at, ALERT_DAYS)),
    );
    item
}

#[async_trait]
impl AlertStore for DynamoStore {
    async fn claim_alert(&self, record: &AlertRecord) -> Result<bool, StoreError> {
        self.put_if_absent(alert_item(record)).await
    }

    async fn put_alert(&self, record: &AlertRecord) -> Result<(), StoreError> {
        self.put_item(alert_item(record)).await
    }

    async fn alert(
        &self,
        business: &BusinessId,
        key: &str,
    ) -> Result<Option<AlertRecord>, StoreError> {
        self.get(alert_key(business, key))
            .await?
            .map(|item| read("alert", &item))
            .transpose()
    }

    async fn recent_alerts(
        &self,
        business: &BusinessId,
        limit: usize,
    ) -> Result<Vec<AlertRecord>, StoreError> {
        let mut p = Placeholders::default();
        let condition = format!(
            "{} = {}",
            p.name(GSI1_PARTITION_KEY),
            p.value(s(alerts_partition(business)))
        );
        let (names, values) = p.into_maps();
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .scan_index_forward(false)
            .key_condition_expression(condition)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .limit(i32::try_from(limit.clamp(1, 1000)).unwrap_or(1000))
            .send()
            .await
            .map_err(|e| unavailable("Query", e))?;
        out.items
            .unwrap_or_default()
            .iter()
            .map(|item| read("alert", item))
            .collect()
    }

    async fn set_call_triage(&self, sid: &CallSid, triage: &Triage) -> Result<(), StoreError> {
        let mut changes = Changes::blind();
        changes.set(TRIAGE, s(json(triage)));
        self.update_request(media_key(sid), changes)
            .send()
            .await
            .map_err(|e| unavailable("UpdateItem", e))?;
        Ok(())
    }

    async fn caller_lookup(
        &self,
        number: &PhoneNumber,
    ) -> Result<Option<CallerLookup>, StoreError> {
        self.get(lookup_key(number))
            .await?
            .map(|item| read("caller lookup", &item))
            .transpose()
    }

    async fn put_caller_lookup(&self, lookup: &CallerLookup) -> Result<(), StoreError> {
        let mut item = lookup_key(&lookup.number);
        item.insert(DATA.into(), s(json(lookup)));
        item.insert(TTL_ATTRIBUTE.into(), n(expires(lookup.at, LOOKUP_DAYS)));
        self.put_item(item).await
    }
}

/// A stored triage back from the media record.
pub(super) fn triage_from_item(item: &Item) -> Result<Option<Triage>, StoreError> {
    super::item::get_s(item, TRIAGE)?
        .map(|t| {
            serde_json::from_str(t).map_err(|e| StoreError::Corrupt(format!("call triage: {e}")))
        })
        .transpose()
}
