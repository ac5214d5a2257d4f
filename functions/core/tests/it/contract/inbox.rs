//! The inbox's sign-in: links taken once, sessions read back and deleted, revocation per
//! business; and the handled flag on a call.

use frontdesk::domain::{InboxSecret, InboxSession, SignInLink};
use jiff::{SignedDuration, Timestamp};

use frontdesk::store::CallQuery;

use super::{business, call_sid, start, Backends};

/// An instant with nanoseconds, so a round trip that dropped them would show.
fn now() -> Timestamp {
    "2026-11-29T10:00:00.123456789Z".parse().unwrap()
}

pub async fn a_sign_in_link_is_taken_once_with_every_field(b: &Backends) {
    let owner = business(vec![]);
    let (token, link) = SignInLink::issue(owner.id.clone(), now(), 15).unwrap();
    b.store.put_sign_in_link(&link).await.unwrap();
    let taken = b.store.take_sign_in_link(&token.hash()).await.unwrap();
    assert_eq!(taken.as_ref(), Some(&link));
    assert_eq!(
        link.expires_at.duration_since(link.created_at),
        SignedDuration::from_mins(15)
    );
    assert_eq!(
        b.store.take_sign_in_link(&token.hash()).await.unwrap(),
        None,
        "a link opens one session only"
    );
    let never_issued = InboxSecret::generate().unwrap();
    assert_eq!(
        b.store
            .take_sign_in_link(&never_issued.hash())
            .await
            .unwrap(),
        None
    );
}

pub async fn racing_takes_of_one_link_take_it_once(b: &Backends) {
    let owner = business(vec![]);
    let (token, link) = SignInLink::issue(owner.id.clone(), now(), 5).unwrap();
    b.store.put_sign_in_link(&link).await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = b.store.clone();
            let hash = token.hash();
            tokio::spawn(async move { store.take_sign_in_link(&hash).await.unwrap() })
        })
        .collect();
    let mut taken = 0;
    for task in tasks {
        if let Some(got) = task.await.unwrap() {
            assert_eq!(got, link);
            taken += 1;
        }
    }
    assert_eq!(taken, 1);
}

pub async fn a_session_is_read_back_deleted_and_revoked_per_business(b: &Backends) {
    let (owner, other) = (business(vec![]), business(vec![]));
    let (id, session) = InboxSession::open(owner.id.clone(), now()).unwrap();
    let (other_id, other_session) = InboxSession::open(other.id.clone(), now()).unwrap();
    b.store.put_inbox_session(&session).await.unwrap();
    b.store.put_inbox_session(&other_session).await.unwrap();
    assert_eq!(
        b.store.inbox_session(&id.hash()).await.unwrap().as_ref(),
        Some(&session)
    );
    assert_eq!(b.store.inbox_revoked_at(&owner.id).await.unwrap(), None);

    let revoked = now() + SignedDuration::from_secs(60);
    b.store.revoke_inbox(&owner.id, revoked).await.unwrap();
    assert_eq!(
        b.store.inbox_revoked_at(&owner.id).await.unwrap(),
        Some(revoked)
    );
    assert_eq!(
        b.store.inbox_revoked_at(&other.id).await.unwrap(),
        None,
        "revoking one business leaves the others alone"
    );
    let later = revoked + SignedDuration::from_secs(1);
    b.store.revoke_inbox(&owner.id, later).await.unwrap();
    assert_eq!(
        b.store.inbox_revoked_at(&owner.id).await.unwrap(),
        Some(later),
        "the latest revocation counts"
    );

    b.store.delete_inbox_session(&id.hash()).await.unwrap();
    assert_eq!(b.store.inbox_session(&id.hash()).await.unwrap(), None);
    assert_eq!(
        b.store.inbox_session(&other_id.hash()).await.unwrap(),
        Some(other_session)
    );
}

pub async fn a_call_is_marked_handled_and_back_and_an_unknown_one_is_not_created(b: &Backends) {
    let owner = business(vec![]);
    let sid = call_sid();
    b.store
        .record_call_start(&start(&sid, &owner.id))
        .await
        .unwrap();
    assert!(!b.store.call(&sid).await.unwrap().unwrap().handled);
    assert!(b.store.set_call_handled(&sid, true).await.unwrap());
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert!(call.handled);
    assert_eq!(call.caller_name.as_deref(), Some("<Dana & \"Co\">"));
    assert!(b.store.set_call_handled(&sid, false).await.unwrap());
    assert!(!b.store.call(&sid).await.unwrap().unwrap().handled);

    let unknown = call_sid();
    assert!(!b.store.set_call_handled(&unknown, true).await.unwrap());
    assert_eq!(b.store.call(&unknown).await.unwrap(), None);
}

pub async fn calls_are_listed_by_whether_they_still_need_a_call_back(b: &Backends) {
    let owner = business(vec![]);
    let (done, open) = (call_sid(), call_sid());
    for sid in [&done, &open] {
        b.store
            .record_call_start(&start(sid, &owner.id))
            .await
            .unwrap();
    }
    b.store.set_call_handled(&done, true).await.unwrap();
    let listed = |handled| {
        let store = b.store.clone();
        let owner = owner.id.clone();
        async move {
            let query = CallQuery {
                handled,
                limit: 10,
                ..CallQuery::default()
            };
            let page = store.list_calls(&owner, &query).await.unwrap();
            page.calls.into_iter().map(|c| c.sid).collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(Some(true)).await, vec![done.clone()]);
    assert_eq!(
        listed(Some(false)).await,
        vec![open.clone()],
        "a call never marked needs a call back"
    );
    assert_eq!(listed(None).await.len(), 2);
}

pub async fn the_inbox_key_is_made_once_and_kept(b: &Backends) {
    fn key(value: &str) -> frontdesk::config::Secret {
        frontdesk::config::Secret::new(value).unwrap()
    }
    // Racing first uses (cold starts of several Lambdas) all end up with the one key stored.
    let tasks: Vec<_> = (0..6)
        .map(|n| {
            let store = b.store.clone();
            tokio::spawn(async move { store.inbox_key(&key(&format!("first-{n}"))).await.unwrap() })
        })
        .collect();
    let mut firsts = Vec::new();
    for task in tasks {
        firsts.push(task.await.unwrap());
    }
    assert!(
        firsts.iter().all(|k| k == &firsts[0]),
        "one key for all: {:?}",
        firsts
            .iter()
            .map(|k| k.expose().to_string())
            .collect::<Vec<_>>()
    );
    assert!(firsts[0].expose().starts_with("first-"));
    let later = b.store.inbox_key(&key("a later fresh key")).await.unwrap();
    assert_eq!(later, firsts[0], "a later use reads the stored key");
}

pub async fn a_call_keeps_the_appointment_booked_on_it(b: &Backends) {
    let owner = business(vec![]);
    let sid = call_sid();
    b.store
        .record_call_start(&start(&sid, &owner.id))
        .await
        .unwrap();
    let appointment = frontdesk::domain::AppointmentId::generate();
    assert!(b
        .store
        .set_call_appointment(&sid, &appointment)
        .await
        .unwrap());
    let call = b.store.call(&sid).await.unwrap().unwrap();
    assert_eq!(call.appointment_id, Some(appointment.clone()));
    let unknown = call_sid();
    assert!(!b
        .store
        .set_call_appointment(&unknown, &appointment)
        .await
        .unwrap());
    assert_eq!(
        b.store.call(&unknown).await.unwrap(),
        None,
        "no call is created"
    );
}
