//! Parked queue messages: what could not go on the `recordings` or `notify` queue — any dedup
//! id, any body up to the largest a job carries — read back whole and oldest first through
//! the reconciler's list, kept once per queue and dedup id, and forgotten one at a time.

use std::sync::Arc;

use frontdesk::store::{ParkedMessage, Store};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::calls::FORM_FIELD;
use super::{check, fresh, offset_instant, text, Outcome, Stored};
use crate::contract::Backends;

/// The reconciler's read: more than this suite ever leaves parked.
const ALL: usize = 100_000;

#[derive(Clone, Debug)]
pub struct Parking {
    /// Each message: its queue, its dedup id (before the case's suffix), its body, when.
    messages: Vec<(&'static str, String, String, time::OffsetDateTime)>,
    /// Messages parked again (a retried webhook): by index, with another body.
    again: Vec<(prop::sample::Index, String)>,
    /// The one the reconciler sends first.
    sent: prop::sample::Index,
}

fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        6 => text(512),
        2 => text(FORM_FIELD),
    ]
}

fn parking() -> impl Strategy<Value = Parking> {
    let message = (
        prop::sample::select(vec!["recordings", "notify"]),
        prop_oneof!["(CA|SM|RE)[0-9a-f]{8}:[a-z_:]{1,20}", text(256)],
        body(),
        offset_instant(),
    );
    (
        prop::collection::vec(message, 1..5),
        prop::collection::vec((any::<prop::sample::Index>(), body()), 0..3),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(messages, again, sent)| Parking {
            messages,
            again,
            sent,
        })
}

pub async fn every_parked_message_reads_back_oldest_first_until_sent(b: &Backends) {
    check(b, parking(), parked_round_trip).await;
}

async fn mine(
    store: &Arc<dyn Store>,
    ours: &[ParkedMessage],
) -> Result<Vec<ParkedMessage>, TestCaseError> {
    Ok(store
        .parked(ALL)
        .await
        .stored("parked")?
        .into_iter()
        .filter(|m| {
            ours.iter()
                .any(|o| o.queue == m.queue && o.dedup_id == m.dedup_id)
        })
        .collect())
}

async fn parked_round_trip(store: Arc<dyn Store>, parking: Parking) -> Outcome {
    // Other tests park in the same store: each dedup id ends in the case's own suffix.
    let suffix = fresh();
    let mut ours: Vec<ParkedMessage> = Vec::new();
    for (queue, dedup_id, body, parked_at) in parking.messages {
        let message = ParkedMessage {
            queue: queue.to_string(),
            dedup_id: format!("{dedup_id}#{suffix}"),
            body,
            parked_at,
        };
        store.park(&message).await.stored("park")?;
        if !ours
            .iter()
            .any(|o| o.queue == message.queue && o.dedup_id == message.dedup_id)
        {
            ours.push(message);
        }
    }
    for (index, body) in parking.again {
        let first = index.get(&ours).clone();
        let again = ParkedMessage {
            body,
            parked_at: first.parked_at + time::Duration::minutes(1),
            ..first
        };
        store.park(&again).await.stored("park again")?;
    }
    ours.sort_by(|a, b| {
        (a.parked_at, &a.queue, &a.dedup_id).cmp(&(b.parked_at, &b.queue, &b.dedup_id))
    });
    prop_assert_eq!(
        &mine(&store, &ours).await?,
        &ours,
        "oldest first, each once as first parked"
    );

    // The reconciler sends one and forgets it: exactly that one goes.
    let sent = parking.sent.index(ours.len());
    let gone = ours.remove(sent);
    store
        .unpark(&gone.queue, &gone.dedup_id)
        .await
        .stored("unpark")?;
    let all: Vec<ParkedMessage> = ours.iter().cloned().chain([gone.clone()]).collect();
    prop_assert_eq!(&mine(&store, &all).await?, &ours, "the rest stay parked");

    for message in &ours {
        store
            .unpark(&message.queue, &message.dedup_id)
            .await
            .stored("unpark the rest")?;
    }
    prop_assert_eq!(mine(&store, &all).await?, vec![]);
    Ok(())
}
