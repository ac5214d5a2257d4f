//! API keys, resolved by hash.

use frontdesk::store::StoreError;

use super::{business, Backends, T0};

pub async fn an_api_key_resolves_to_its_business_by_hash_only(b: &Backends) {
    use frontdesk::domain::ApiKey;
    let owner = business(vec![]);
    let other = business(vec![]);
    let key = ApiKey::generate().unwrap();
    let second = ApiKey::generate().unwrap();
    b.store
        .put_api_key(&owner.id, &key.hash(), T0)
        .await
        .unwrap();
    b.store
        .put_api_key(&owner.id, &second.hash(), T0)
        .await
        .unwrap();
    b.store
        .put_api_key(&owner.id, &key.hash(), T0)
        .await
        .expect("storing the same key again is harmless");
    assert_eq!(
        b.store.business_by_api_key(&key.hash()).await.unwrap(),
        Some(owner.id.clone())
    );
    assert_eq!(
        b.store.business_by_api_key(&second.hash()).await.unwrap(),
        Some(owner.id.clone()),
        "a business may hold two keys while rotating"
    );
    assert!(matches!(
        b.store.put_api_key(&other.id, &key.hash(), T0).await,
        Err(StoreError::ApiKeyTaken)
    ));
    let unknown = ApiKey::generate().unwrap();
    assert_eq!(
        b.store.business_by_api_key(&unknown.hash()).await.unwrap(),
        None
    );
}
