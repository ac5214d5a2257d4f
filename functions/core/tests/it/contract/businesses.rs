//! Businesses and the phone-number index; deleting a business revokes its keys and secret.

use frontdesk::domain::BusinessId;
use frontdesk::store::StoreError;

use super::{business, number, unique, Backends, T0};

pub async fn business_is_found_by_id_and_by_each_number(b: &Backends) {
    let (n1, n2) = (number(), number());
    let biz = business(vec![n1.clone(), n2.clone()]);
    b.store.put_business(&biz).await.unwrap();
    assert_eq!(
        b.store.business(&biz.id).await.unwrap().as_ref(),
        Some(&biz)
    );
    assert_eq!(
        b.store.business_by_number(&n1).await.unwrap().as_ref(),
        Some(&biz)
    );
    assert_eq!(
        b.store.business_by_number(&n2).await.unwrap().as_ref(),
        Some(&biz)
    );
    assert_eq!(b.store.business_by_number(&number()).await.unwrap(), None);
    let missing = BusinessId::parse(&format!("nobody-{}", unique())).unwrap();
    assert_eq!(b.store.business(&missing).await.unwrap(), None);
}

pub async fn a_number_held_by_another_business_is_refused(b: &Backends) {
    let shared = number();
    let first = business(vec![shared.clone()]);
    b.store.put_business(&first).await.unwrap();
    let second = business(vec![number(), shared.clone()]);
    match b.store.put_business(&second).await {
        Err(StoreError::NumberTaken { number, owner }) => {
            assert_eq!(number, shared);
            assert_eq!(owner, first.id);
        }
        other => panic!("expected NumberTaken, got {other:?}"),
    }
    assert_eq!(
        b.store.business(&second.id).await.unwrap(),
        None,
        "nothing of the refused business was stored"
    );
    assert_eq!(
        b.store
            .business_by_number(&second.phone_numbers[0])
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        b.store
            .business_by_number(&shared)
            .await
            .unwrap()
            .unwrap()
            .id,
        first.id
    );
}

pub async fn updating_a_business_frees_the_numbers_it_dropped(b: &Backends) {
    let (kept, dropped) = (number(), number());
    let mut biz = business(vec![kept.clone(), dropped.clone()]);
    b.store.put_business(&biz).await.unwrap();
    biz.phone_numbers = vec![kept.clone()];
    biz.name = "Acme Dental (renamed)".into();
    b.store.put_business(&biz).await.unwrap();
    assert_eq!(b.store.business_by_number(&dropped).await.unwrap(), None);
    assert_eq!(
        b.store
            .business_by_number(&kept)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Acme Dental (renamed)"
    );
    let other = business(vec![dropped.clone()]);
    b.store.put_business(&other).await.unwrap();
    assert_eq!(
        b.store
            .business_by_number(&dropped)
            .await
            .unwrap()
            .unwrap()
            .id,
        other.id
    );
}

pub async fn deleting_a_business_frees_its_numbers_and_revokes_its_keys(b: &Backends) {
    let (first, second) = (number(), number());
    let biz = business(vec![first.clone(), second.clone()]);
    b.store.put_business(&biz).await.unwrap();
    let key = frontdesk::domain::ApiKey::generate().unwrap().hash();
    b.store.put_api_key(&biz.id, &key, T0).await.unwrap();
    let secret = frontdesk::config::Secret::new("whsec_dGVzdA==").unwrap();
    b.store.put_webhook_secret(&biz.id, &secret).await.unwrap();
    assert!(b.store.delete_business(&biz.id).await.unwrap());
    assert_eq!(b.store.business(&biz.id).await.unwrap(), None);
    assert_eq!(b.store.business_by_api_key(&key).await.unwrap(), None);
    assert!(b.store.webhook_secret(&biz.id).await.unwrap().is_none());
    assert_eq!(b.store.business_by_number(&first).await.unwrap(), None);
    assert!(!b.store.delete_business(&biz.id).await.unwrap());
    let successor = business(vec![first.clone(), second.clone()]);
    b.store.put_business(&successor).await.unwrap();
    assert_eq!(
        b.store
            .business_by_number(&second)
            .await
            .unwrap()
            .unwrap()
            .id,
        successor.id
    );
}

pub async fn businesses_are_listed_by_id(b: &Backends) {
    let (x, y) = (business(vec![number()]), business(vec![number()]));
    b.store.put_business(&y).await.unwrap();
    b.store.put_business(&x).await.unwrap();
    let listed = b.store.list_businesses().await.unwrap();
    let ids: Vec<&BusinessId> = listed.iter().map(|b| &b.id).collect();
    assert!(ids.contains(&&x.id) && ids.contains(&&y.id));
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}
