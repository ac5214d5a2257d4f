//! The inbox's sign-in links and sessions in the embedded store. A link is taken by one
//! `DELETE … RETURNING`, so of two takes exactly one gets the row.

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};

use super::row::timestamp_ns;
use super::row::{corrupt, db};
use super::SqliteStore;
use crate::config::Secret;
use crate::domain::{BusinessId, FormKey, InboxSession, SecretHash, SignInLink};
use crate::store::{parse_timestamp, InboxStore, StoreError};

/// `business_id, created_at, expires_at` as read back.
type Row = (String, String, String);

fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

fn parts(
    (business, created_at, expires_at): Row,
) -> Result<(BusinessId, Timestamp, Timestamp), StoreError> {
    Ok((
        BusinessId::parse(&business).map_err(|e| corrupt("inbox business", e))?,
        parse_timestamp(&created_at)?,
        parse_timestamp(&expires_at)?,
    ))
}

impl SqliteStore {
    fn insert_inbox_row(
        &self,
        table: &str,
        hash: &SecretHash,
        business: &BusinessId,
        created_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let key = if table == "inbox_links" {
            "token_hash"
        } else {
            "id_hash"
        };
        self.conn()
            .prepare_cached(&format!(
                "INSERT INTO {table} ({key}, business_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)"
            ))
            .and_then(|mut statement| {
                statement.execute(params![
                    hash.as_str(),
                    business.as_str(),
                    created_at.to_string(),
                    expires_at.to_string(),
                ])
            })
            .map_err(db)?;
        Ok(())
    }
}

#[async_trait]
impl InboxStore for SqliteStore {
    async fn put_sign_in_link(&self, link: &SignInLink) -> Result<(), StoreError> {
        self.insert_inbox_row(
            "inbox_links",
            &link.token,
            &link.business,
            link.created_at,
            link.expires_at,
        )
    }

    async fn take_sign_in_link(
        &self,
        token: &SecretHash,
    ) -> Result<Option<SignInLink>, StoreError> {
        let row = self
            .conn()
            .prepare_cached(
                "DELETE FROM inbox_links WHERE token_hash = ?1
                 RETURNING business_id, created_at, expires_at",
            )
            .and_then(|mut statement| statement.query_row([token.as_str()], read).optional())
            .map_err(db)?;
        row.map(parts).transpose().map(|found| {
            found.map(|(business, created_at, expires_at)| SignInLink {
                token: token.clone(),
                business,
                created_at,
                expires_at,
            })
        })
    }

    async fn put_inbox_session(&self, session: &InboxSession) -> Result<(), StoreError> {
        self.insert_inbox_row(
            "inbox_sessions",
            &session.id,
            &session.business,
            session.created_at,
            session.expires_at,
        )
    }

    async fn inbox_session(&self, id: &SecretHash) -> Result<Option<InboxSession>, StoreError> {
        let row = self
            .conn()
            .prepare_cached(
                "SELECT business_id, created_at, expires_at FROM inbox_sessions
                 WHERE id_hash = ?1",
            )
            .and_then(|mut statement| statement.query_row([id.as_str()], read).optional())
            .map_err(db)?;
        row.map(parts).transpose().map(|found| {
            found.map(|(business, created_at, expires_at)| InboxSession {
                id: id.clone(),
                business,
                created_at,
                expires_at,
            })
        })
    }

    async fn delete_inbox_session(&self, id: &SecretHash) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached("DELETE FROM inbox_sessions WHERE id_hash = ?1")
            .and_then(|mut statement| statement.execute([id.as_str()]))
            .map_err(db)?;
        Ok(())
    }

    async fn revoke_inbox(&self, business: &BusinessId, at: Timestamp) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.prepare_cached(
                "INSERT INTO inbox_revocations (business_id, revoked_at) VALUES (?1, ?2)
                 ON CONFLICT (business_id) DO UPDATE SET revoked_at = excluded.revoked_at",
            )
            .and_then(|mut statement| statement.execute(params![business.as_str(), at.to_string()]))
            .map_err(db)?;
            Ok(())
        })
    }

    async fn inbox_key(&self, fresh: &Secret) -> Result<Secret, StoreError> {
        let conn = self.conn();
        conn.prepare_cached("INSERT OR IGNORE INTO inbox_key (id, secret) VALUES (1, ?1)")
            .and_then(|mut statement| statement.execute([fresh.expose()]))
            .map_err(db)?;
        let stored: String = conn
            .prepare_cached("SELECT secret FROM inbox_key WHERE id = 1")
            .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
            .map_err(db)?;
        Secret::new(stored).ok_or_else(|| corrupt("inbox key", "empty"))
    }

    async fn inbox_revoked_at(
        &self,
        business: &BusinessId,
    ) -> Result<Option<Timestamp>, StoreError> {
        let at: Option<String> = self
            .conn()
            .prepare_cached("SELECT revoked_at FROM inbox_revocations WHERE business_id = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([business.as_str()], |row| row.get(0))
                    .optional()
            })
            .map_err(db)?;
        at.as_deref().map(parse_timestamp).transpose()
    }

    async fn claim_form_key(
        &self,
        business: &BusinessId,
        key: &FormKey,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            // Keys past their keeping go first, so the table holds a month of forms at most.
            tx.prepare_cached("DELETE FROM inbox_form_keys WHERE expires_ns <= ?1")
                .and_then(|mut statement| statement.execute([timestamp_ns(at)]))
                .map_err(db)?;
            let claimed = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO inbox_form_keys
                         (business_id, form_key, claimed_at, expires_ns)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .and_then(|mut statement| {
                    statement.execute(params![
                        business.as_str(),
                        key.as_str(),
                        at.to_string(),
                        timestamp_ns(at + FormKey::KEPT),
                    ])
                })
                .map_err(db)?;
            Ok(claimed == 1)
        })
    }
}
