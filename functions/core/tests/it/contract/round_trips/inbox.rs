//! The inbox's sign-in: links (good for 1 to 60 minutes) and sessions issued at any instant
//! for any business id, read back whole by their hash — a link taken exactly once, a session
//! until signed out — and a business's revocation time read back as given.

use std::sync::Arc;

use frontdesk::domain::inbox::MAX_LINK_MINUTES;
use frontdesk::domain::{InboxSession, SignInLink};
use frontdesk::store::Store;
use jiff::Timestamp;
use proptest::prelude::*;

use super::api_keys::{business_id, owned};
use super::{check, instant, Outcome, Stored};
use crate::contract::Backends;

#[derive(Clone, Debug)]
pub struct SignIns {
    business: String,
    /// Each link: when it was issued and for how many minutes.
    links: Vec<(Timestamp, u32)>,
    sessions: Vec<Timestamp>,
    revoked: Option<Timestamp>,
}

fn sign_ins() -> impl Strategy<Value = SignIns> {
    (
        business_id(),
        prop::collection::vec((instant(), 1..=MAX_LINK_MINUTES), 0..3),
        prop::collection::vec(instant(), 0..3),
        prop::option::of(instant()),
    )
        .prop_map(|(business, links, sessions, revoked)| SignIns {
            business,
            links,
            sessions,
            revoked,
        })
}

pub async fn every_sign_in_link_and_session_reads_back_by_its_hash(b: &Backends) {
    check(b, sign_ins(), sign_ins_round_trip).await;
}

async fn sign_ins_round_trip(store: Arc<dyn Store>, sign_ins: SignIns) -> Outcome {
    let business = owned(&sign_ins.business);
    for (now, minutes) in &sign_ins.links {
        let (_token, link) =
            SignInLink::issue(business.clone(), *now, *minutes).expect("a random token");
        store.put_sign_in_link(&link).await.stored("link")?;
        prop_assert_eq!(
            store.take_sign_in_link(&link.token).await.stored("take")?,
            Some(link.clone())
        );
        prop_assert_eq!(
            store
                .take_sign_in_link(&link.token)
                .await
                .stored("take again")?,
            None,
            "a link is taken once"
        );
    }
    for now in &sign_ins.sessions {
        let (_id, session) = InboxSession::open(business.clone(), *now).expect("a random id");
        store.put_inbox_session(&session).await.stored("session")?;
        prop_assert_eq!(
            store
                .inbox_session(&session.id)
                .await
                .stored("read session")?,
            Some(session.clone())
        );
        store
            .delete_inbox_session(&session.id)
            .await
            .stored("sign out")?;
        prop_assert_eq!(
            store
                .inbox_session(&session.id)
                .await
                .stored("signed out")?,
            None
        );
    }
    prop_assert_eq!(
        store
            .inbox_revoked_at(&business)
            .await
            .stored("revoked at")?,
        None
    );
    if let Some(at) = sign_ins.revoked {
        store.revoke_inbox(&business, at).await.stored("revoke")?;
        prop_assert_eq!(
            store.inbox_revoked_at(&business).await.stored("revoked")?,
            Some(at)
        );
    }
    Ok(())
}
