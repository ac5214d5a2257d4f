//! API keys: keys made as `frontdesk keys create` makes them, for any business id the
//! operator can give (1 to 64 of a-z, 0-9, - and _), read back as the business each resolves
//! to; a key is its first business's only.

use std::sync::Arc;

use frontdesk::domain::{ApiKey, BusinessId};
use frontdesk::store::{Store, StoreError};
use proptest::prelude::*;
use time::OffsetDateTime;

use super::{check, fresh, offset_instant, Outcome, Stored};
use crate::contract::Backends;

/// A business id as `BusinessId::parse` takes it, ending in the case's own suffix.
pub fn business_id() -> impl Strategy<Value = String> {
    "[a-z0-9_-]{0,63}"
}

pub fn owned(prefix: &str) -> BusinessId {
    let suffix = format!("-{}", fresh());
    let room = 64 - suffix.len();
    let prefix: String = prefix.chars().take(room).collect();
    BusinessId::parse(&format!("{prefix}{suffix}")).expect("a business id")
}

#[derive(Clone, Debug)]
pub struct Keys {
    owner: String,
    other: String,
    /// When each of the owner's keys was made.
    made: Vec<OffsetDateTime>,
}

fn keys() -> impl Strategy<Value = Keys> {
    (
        business_id(),
        business_id(),
        prop::collection::vec(offset_instant(), 1..4),
    )
        .prop_map(|(owner, other, made)| Keys { owner, other, made })
}

pub async fn every_api_key_reads_back_as_the_business_it_was_made_for(b: &Backends) {
    check(b, keys(), api_keys_round_trip).await;
}

async fn api_keys_round_trip(store: Arc<dyn Store>, keys: Keys) -> Outcome {
    let owner = owned(&keys.owner);
    let other = owned(&keys.other);
    let mut made = Vec::new();
    for at in &keys.made {
        let key = ApiKey::generate().expect("the system's random source");
        store
            .put_api_key(&owner, &key.hash(), *at)
            .await
            .stored("api key")?;
        made.push(key);
    }
    for key in &made {
        prop_assert_eq!(
            store
                .business_by_api_key(&key.hash())
                .await
                .stored("business by key")?,
            Some(owner.clone())
        );
        // Stored again for the same business (a retried command): harmless.
        store
            .put_api_key(&owner, &key.hash(), keys.made[0])
            .await
            .stored("the same key again")?;
        match store.put_api_key(&other, &key.hash(), keys.made[0]).await {
            Err(StoreError::ApiKeyTaken) => {}
            other => prop_assert!(false, "another business's key: {:?}", other),
        }
        prop_assert_eq!(
            store
                .business_by_api_key(&key.hash())
                .await
                .stored("business by key after")?,
            Some(owner.clone())
        );
    }
    let unknown = ApiKey::generate().expect("the system's random source");
    prop_assert_eq!(
        store
            .business_by_api_key(&unknown.hash())
            .await
            .stored("unknown key")?,
        None
    );
    Ok(())
}
