//! Outbound call placements: one item each (`PLACEMENT#{id}`), the document as JSON, claimed
//! with a conditional put and kept for a week (the table's TTL).

use async_trait::async_trait;

use super::item::{n, required, s, Item};
use super::keys::{placement_key, BUSINESS_ID, DATA, TTL_ATTRIBUTE};
use super::{unavailable, DynamoStore};
use crate::domain::{Placement, PlacementId};
use crate::store::{PlacementStore, StoreError};

/// How long a placement (and so its `Idempotency-Key`) is kept.
const PLACEMENT_TTL_SECONDS: i64 = 7 * 24 * 3600;

fn placement_item(placement: &Placement) -> Result<Item, StoreError> {
    let data = serde_json::to_string(placement)
        .map_err(|e| StoreError::Corrupt(format!("placement: {e}")))?;
    let mut item = placement_key(&placement.id);
    item.insert(BUSINESS_ID.into(), s(placement.business_id.as_str()));
    item.insert(DATA.into(), s(data));
    item.insert(
        TTL_ATTRIBUTE.into(),
        n(placement.created_at.unix_timestamp() + PLACEMENT_TTL_SECONDS),
    );
    Ok(item)
}

fn placement_from_item(item: &Item) -> Result<Placement, StoreError> {
    serde_json::from_str(required(item, DATA)?)
        .map_err(|e| StoreError::Corrupt(format!("placement document: {e}")))
}

#[async_trait]
impl PlacementStore for DynamoStore {
    async fn claim_placement(
        &self,
        placement: &Placement,
    ) -> Result<Option<Placement>, StoreError> {
        if self.put_if_absent(placement_item(placement)?).await? {
            return Ok(None);
        }
        match self.placement(&placement.id).await? {
            Some(existing) => Ok(Some(existing)),
            // Released between the two requests: the id is free again.
            None => self.claim_placement(placement).await,
        }
    }

    async fn placement(&self, id: &PlacementId) -> Result<Option<Placement>, StoreError> {
        self.get(placement_key(id))
            .await?
            .map(|item| placement_from_item(&item))
            .transpose()
    }

    async fn save_placement(&self, placement: &Placement) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(placement_item(placement)?))
            .send()
            .await
            .map_err(|e| unavailable("PutItem", e))?;
        Ok(())
    }

    async fn release_placement(&self, id: &PlacementId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(placement_key(id)))
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem", e))?;
        Ok(())
    }
}
