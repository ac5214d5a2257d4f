//! Queue messages parked while their queue was down: partition `PARKED`, sort key
//! `{queue}#{dedup id}`, the body in `data`, `at` the time parked. Few and short-lived (the
//! reconciler's next pass sends them), so one partition holds them all.

use async_trait::async_trait;

use super::expr::Placeholders;
use super::item::{get_time, required, s, Item};
use super::keys::{key, AT, DATA, PARTITION_KEY};
use super::{unavailable, DynamoStore};
use crate::domain::time::format_time;
use crate::store::{ParkedMessage, ParkedStore, StoreError};

const PARKED_PK: &str = "PARKED";
const QUEUE: &str = "queue";
const DEDUP_ID: &str = "dedup_id";

fn parked_key(queue: &str, dedup_id: &str) -> Item {
    key(PARKED_PK.to_string(), &format!("{queue}#{dedup_id}"))
}

fn parked_from_item(item: &Item) -> Result<ParkedMessage, StoreError> {
    Ok(ParkedMessage {
        queue: required(item, QUEUE)?.to_string(),
        dedup_id: required(item, DEDUP_ID)?.to_string(),
        body: required(item, DATA)?.to_string(),
        parked_at: get_time(item, AT)?
            .ok_or_else(|| StoreError::Corrupt("parked message without `at`".into()))?,
    })
}

#[async_trait]
impl ParkedStore for DynamoStore {
    async fn park(&self, message: &ParkedMessage) -> Result<(), StoreError> {
        let mut item = parked_key(&message.queue, &message.dedup_id);
        item.insert(QUEUE.into(), s(&message.queue));
        item.insert(DEDUP_ID.into(), s(&message.dedup_id));
        item.insert(DATA.into(), s(&message.body));
        item.insert(AT.into(), s(format_time(message.parked_at)));
        // Parked already: the first copy is as good, and keeps its place in line.
        self.put_if_absent(item).await.map(drop)
    }

    async fn parked(&self, limit: usize) -> Result<Vec<ParkedMessage>, StoreError> {
        let mut placeholders = Placeholders::default();
        let condition = format!(
            "{} = {}",
            placeholders.name(PARTITION_KEY),
            placeholders.value(s(PARKED_PK))
        );
        let mut parked = self
            .query_all(None, &condition, placeholders)
            .await?
            .iter()
            .map(parked_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        parked.sort_by(|a, b| {
            (a.parked_at, &a.queue, &a.dedup_id).cmp(&(b.parked_at, &b.queue, &b.dedup_id))
        });
        parked.truncate(limit);
        Ok(parked)
    }

    async fn unpark(&self, queue: &str, dedup_id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(parked_key(queue, dedup_id)))
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem", e))?;
        Ok(())
    }
}
