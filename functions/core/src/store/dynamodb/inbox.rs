//! The inbox's sign-in links and sessions on the single table, by their secret's SHA-256.
//!
//! | record | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | sign-in link | `INBOXLINK#{sha256 hex}` | `INBOXLINK` | `business_id`, `created_at`, `expiry` (RFC 3339), `expires_at` (the expiry in Unix seconds, rounded up: the TTL) |
//! | session | `INBOXSESSION#{sha256 hex}` | `INBOXSESSION` | the same |
//! | revocation | `BIZ#{id}` | `INBOX_REVOKED` | `at` (RFC 3339) |
//! | inbox key | `INBOX` | `KEY` | `secret`: put once, if absent |
//! | claimed form key | `INBOXFORM#{business}#{key}` | `INBOXFORM` | `business_id`, `created_at`, `expiry` (30 days on), `expires_at` (the TTL) |
//!
//! A link is taken by one DeleteItem returning the old item: of two takes, only the one that
//! deleted it gets it back. A form key is claimed by one conditional PutItem: of two claims,
//! only the one that wrote it wins.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;
use jiff::Timestamp;

use super::expr::Placeholders;
use super::item::{corrupt, get_timestamp, n, required, s, Item};
use super::keys::{
    inbox_form_key, inbox_key_key, inbox_link_key, inbox_revoked_key, inbox_session_key, AT,
    BUSINESS_ID, CREATED_AT, EXPIRY, PARTITION_KEY, SECRET, TTL_ATTRIBUTE,
};
use super::{unavailable, DynamoStore};
use crate::config::Secret;
use crate::domain::{BusinessId, FormKey, InboxSession, SecretHash, SignInLink};
use crate::store::{InboxStore, StoreError};

/// A link's or session's item: `key` plus who, when, and the TTL.
fn item(mut key: Item, business: &BusinessId, created_at: Timestamp, expires: Timestamp) -> Item {
    // The TTL must not fire before the expiry itself: whole seconds, rounded up.
    let ttl = expires.as_second() + i64::from(expires.subsec_nanosecond() > 0);
    key.insert(BUSINESS_ID.into(), s(business.as_str()));
    key.insert(CREATED_AT.into(), s(created_at.to_string()));
    key.insert(EXPIRY.into(), s(expires.to_string()));
    key.insert(TTL_ATTRIBUTE.into(), n(ttl));
    key
}

fn parts(item: &Item) -> Result<(BusinessId, Timestamp, Timestamp), StoreError> {
    Ok((
        BusinessId::parse(required(item, BUSINESS_ID)?).map_err(corrupt("inbox business"))?,
        get_timestamp(item, CREATED_AT)?,
        get_timestamp(item, EXPIRY)?,
    ))
}

impl DynamoStore {
    /// Deletes the item under `key`, returning it when this delete removed it.
    async fn delete_returning(&self, key: Item) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| unavailable("DeleteItem", e))?;
        Ok(out.attributes.filter(|item| !item.is_empty()))
    }
}

#[async_trait]
impl InboxStore for DynamoStore {
    async fn put_sign_in_link(&self, link: &SignInLink) -> Result<(), StoreError> {
        self.put_item(item(
            inbox_link_key(&link.token),
            &link.business,
            link.created_at,
            link.expires_at,
        ))
        .await
    }

    async fn take_sign_in_link(
        &self,
        token: &SecretHash,
    ) -> Result<Option<SignInLink>, StoreError> {
        let Some(taken) = self.delete_returning(inbox_link_key(token)).await? else {
            return Ok(None);
        };
        let (business, created_at, expires_at) = parts(&taken)?;
        Ok(Some(SignInLink {
            token: token.clone(),
            business,
            created_at,
            expires_at,
        }))
    }

    async fn put_inbox_session(&self, session: &InboxSession) -> Result<(), StoreError> {
        self.put_item(item(
            inbox_session_key(&session.id),
            &session.business,
            session.created_at,
            session.expires_at,
        ))
        .await
    }

    async fn inbox_session(&self, id: &SecretHash) -> Result<Option<InboxSession>, StoreError> {
        let Some(found) = self.get(inbox_session_key(id)).await? else {
            return Ok(None);
        };
        let (business, created_at, expires_at) = parts(&found)?;
        Ok(Some(InboxSession {
            id: id.clone(),
            business,
            created_at,
            expires_at,
        }))
    }

    async fn delete_inbox_session(&self, id: &SecretHash) -> Result<(), StoreError> {
        self.delete_returning(inbox_session_key(id)).await?;
        Ok(())
    }

    async fn revoke_inbox(&self, business: &BusinessId, at: Timestamp) -> Result<(), StoreError> {
        let mut revoked = inbox_revoked_key(business);
        revoked.insert(AT.into(), s(at.to_string()));
        self.put_item(revoked).await
    }

    async fn inbox_key(&self, fresh: &Secret) -> Result<Secret, StoreError> {
        let mut item = inbox_key_key();
        item.insert(SECRET.into(), s(fresh.expose()));
        let mut placeholders = Placeholders::default();
        let condition = format!("attribute_not_exists({})", placeholders.name(PARTITION_KEY));
        if self.put_when(item, condition, placeholders).await? {
            return Ok(fresh.clone());
        }
        self.secret(inbox_key_key())
            .await?
            .ok_or_else(|| StoreError::Corrupt("the inbox key has no secret".into()))
    }

    async fn inbox_revoked_at(
        &self,
        business: &BusinessId,
    ) -> Result<Option<Timestamp>, StoreError> {
        match self.get(inbox_revoked_key(business)).await? {
            Some(found) => get_timestamp(&found, AT).map(Some),
            None => Ok(None),
        }
    }

    async fn claim_form_key(
        &self,
        business: &BusinessId,
        key: &FormKey,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.put_if_absent(item(
            inbox_form_key(business, key),
            business,
            at,
            at + FormKey::KEPT,
        ))
        .await
    }
}
