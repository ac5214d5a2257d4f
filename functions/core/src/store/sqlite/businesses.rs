//! Businesses as JSON documents, and the phone-number index rewritten with each one.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Transaction};

use super::row::{corrupt, db};
use super::SqliteStore;
use crate::domain::{Business, BusinessId, PhoneNumber};
use crate::store::businesses::with_number_blocked;
use crate::store::{BusinessStore, StoreError};

fn parse_business(document: &str) -> Result<Business, StoreError> {
    serde_json::from_str(document).map_err(|e| corrupt("business document", e))
}

fn put_business(tx: &Transaction<'_>, business: &Business) -> Result<(), StoreError> {
    for number in &business.phone_numbers {
        let owner: Option<String> = tx
            .prepare_cached("SELECT business_id FROM business_numbers WHERE number = ?1")
            .and_then(|mut statement| statement.query_row([number.as_str()], |row| row.get(0)))
            .optional()
            .map_err(db)?;
        if let Some(owner) = owner.filter(|owner| owner != business.id.as_str()) {
            return Err(StoreError::NumberTaken {
                number: number.clone(),
                owner: BusinessId::parse(&owner).map_err(|e| corrupt("phone number owner", e))?,
            });
        }
    }
    let document = serde_json::to_string(business).map_err(|e| corrupt("business document", e))?;
    tx.prepare_cached(
        "INSERT INTO businesses (id, document) VALUES (?1, ?2)
         ON CONFLICT (id) DO UPDATE SET document = excluded.document",
    )
    .and_then(|mut statement| statement.execute(params![business.id.as_str(), document]))
    .map_err(db)?;
    // Rewriting the whole index frees the numbers the business dropped.
    tx.prepare_cached("DELETE FROM business_numbers WHERE business_id = ?1")
        .and_then(|mut statement| statement.execute([business.id.as_str()]))
        .map_err(db)?;
    for number in &business.phone_numbers {
        // OR IGNORE: a number listed twice is still one index entry.
        tx.prepare_cached(
            "INSERT OR IGNORE INTO business_numbers (number, business_id) VALUES (?1, ?2)",
        )
        .and_then(|mut statement| statement.execute(params![number.as_str(), business.id.as_str()]))
        .map_err(db)?;
    }
    Ok(())
}

#[async_trait]
impl BusinessStore for SqliteStore {
    async fn put_business(&self, business: &Business) -> Result<(), StoreError> {
        self.write(|tx| put_business(tx, business))
    }

    async fn business(&self, id: &BusinessId) -> Result<Option<Business>, StoreError> {
        let document: Option<String> = self
            .conn()
            .prepare_cached("SELECT document FROM businesses WHERE id = ?1")
            .and_then(|mut statement| statement.query_row([id.as_str()], |row| row.get(0)))
            .optional()
            .map_err(db)?;
        document.as_deref().map(parse_business).transpose()
    }

    async fn delete_business(&self, id: &BusinessId) -> Result<bool, StoreError> {
        self.write(|tx| {
            for table in [
                "business_numbers",
                "webhook_secrets",
                "calendar_keys",
                "api_keys",
            ] {
                tx.prepare_cached(&format!("DELETE FROM {table} WHERE business_id = ?1"))
                    .and_then(|mut statement| statement.execute([id.as_str()]))
                    .map_err(db)?;
            }
            tx.prepare_cached("DELETE FROM businesses WHERE id = ?1")
                .and_then(|mut statement| statement.execute([id.as_str()]))
                .map(|deleted| deleted > 0)
                .map_err(db)
        })
    }

    async fn business_by_number(
        &self,
        number: &PhoneNumber,
    ) -> Result<Option<Business>, StoreError> {
        let document: Option<String> = self
            .conn()
            .prepare_cached("SELECT b.document FROM business_numbers n JOIN businesses b ON b.id = n.business_id
                 WHERE n.number = ?1").and_then(|mut statement| statement.query_row([number.as_str()],
                |row| row.get(0)))
            .optional()
            .map_err(db)?;
        document.as_deref().map(parse_business).transpose()
    }

    async fn list_businesses(&self) -> Result<Vec<Business>, StoreError> {
        let conn = self.conn();
        // BINARY collation orders ids byte by byte, as `BusinessId`'s `Ord` does.
        let mut statement = conn
            .prepare_cached("SELECT document FROM businesses ORDER BY id")
            .map_err(db)?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(db)?;
        rows.map(|row| {
            row.map_err(db)
                .and_then(|document| parse_business(&document))
        })
        .collect()
    }

    async fn set_number_blocked(
        &self,
        business: &BusinessId,
        number: &PhoneNumber,
        blocked: bool,
    ) -> Result<Option<Business>, StoreError> {
        // Read and written in one IMMEDIATE transaction: no other write lands in between.
        self.write(|tx| {
            let document: Option<String> = tx
                .prepare_cached("SELECT document FROM businesses WHERE id = ?1")
                .and_then(|mut statement| {
                    statement.query_row([business.as_str()], |row| row.get(0))
                })
                .optional()
                .map_err(db)?;
            let Some(current) = document.as_deref().map(parse_business).transpose()? else {
                return Ok(None);
            };
            let Some(changed) = with_number_blocked(&current, number, blocked) else {
                return Ok(Some(current));
            };
            let document =
                serde_json::to_string(&changed).map_err(|e| corrupt("business document", e))?;
            tx.prepare_cached("UPDATE businesses SET document = ?2 WHERE id = ?1")
                .and_then(|mut statement| statement.execute(params![business.as_str(), document]))
                .map_err(db)?;
            Ok(Some(changed))
        })
    }
}
