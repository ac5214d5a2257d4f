//! Outbound call placements: one row each, the document as JSON.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::row::{corrupt, db};
use super::SqliteStore;
use crate::domain::{Placement, PlacementId, PlacementState};
use crate::store::{PlacementStore, StoreError};

fn document(placement: &Placement) -> Result<String, StoreError> {
    serde_json::to_string(placement).map_err(|e| corrupt("placement", e))
}

fn call_sid(placement: &Placement) -> Option<&str> {
    match &placement.state {
        PlacementState::Placed { call_sid, .. } => Some(call_sid.as_str()),
        _ => None,
    }
}

fn read(conn: &rusqlite::Connection, id: &PlacementId) -> Result<Option<Placement>, StoreError> {
    let document: Option<String> = conn
        .prepare_cached("SELECT document FROM call_placements WHERE id = ?1")
        .and_then(|mut statement| statement.query_row([id.as_str()], |row| row.get(0)))
        .optional()
        .map_err(db)?;
    document
        .map(|d| serde_json::from_str(&d).map_err(|e| corrupt("placement", e)))
        .transpose()
}

#[async_trait]
impl PlacementStore for SqliteStore {
    async fn claim_placement(
        &self,
        placement: &Placement,
    ) -> Result<Option<Placement>, StoreError> {
        let document = document(placement)?;
        self.write(|tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO call_placements (id, business_id, call_sid, document)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut statement| {
                    statement.execute(params![
                        placement.id.as_str(),
                        placement.business_id.as_str(),
                        call_sid(placement),
                        document,
                    ])
                })
                .map_err(db)?;
            if inserted == 1 {
                Ok(None)
            } else {
                read(tx, &placement.id)
            }
        })
    }

    async fn placement(&self, id: &PlacementId) -> Result<Option<Placement>, StoreError> {
        read(&self.conn(), id)
    }

    async fn save_placement(&self, placement: &Placement) -> Result<(), StoreError> {
        let document = document(placement)?;
        self.conn()
            .prepare_cached(
                "INSERT INTO call_placements (id, business_id, call_sid, document)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET call_sid = excluded.call_sid,
                     document = excluded.document",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    placement.id.as_str(),
                    placement.business_id.as_str(),
                    call_sid(placement),
                    document,
                ])
            })
            .map_err(db)?;
        Ok(())
    }

    async fn release_placement(&self, id: &PlacementId) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("DELETE FROM call_placements WHERE id = ?1")
            .and_then(|mut statement| statement.execute([id.as_str()]))
            .map_err(db)?;
        Ok(())
    }
}
