//! A transcription that failed or was skipped: its reason (the transcriber's error text, any
//! Unicode) read back through the call's media, the call's state saying which, and a
//! redelivered job's outcome leaving it as it was.

use std::sync::Arc;

use frontdesk::domain::{BusinessId, TranscriptionOutcome, TranscriptionState};
use frontdesk::store::Store;
use proptest::prelude::*;
use time::OffsetDateTime;

use super::follow_ups::error_text;
use super::{check, fresh, offset_instant, Outcome, Stored};
use crate::contract::{call_sid, recording, start, Backends};

#[derive(Clone, Debug)]
pub struct Ended {
    outcome: TranscriptionOutcome,
    /// Claimed (queued) before it ended, else ended while still pending.
    claimed: bool,
    at: OffsetDateTime,
}

fn ended() -> impl Strategy<Value = Ended> {
    let outcome = prop_oneof![
        error_text().prop_map(|reason| TranscriptionOutcome::Failed { reason }),
        error_text().prop_map(|reason| TranscriptionOutcome::Skipped { reason }),
    ];
    (outcome, any::<bool>(), offset_instant()).prop_map(|(outcome, claimed, at)| Ended {
        outcome,
        claimed,
        at,
    })
}

pub async fn every_failed_or_skipped_transcription_reads_back_with_its_reason(b: &Backends) {
    check(b, ended(), transcription_round_trip).await;
}

async fn transcription_round_trip(store: Arc<dyn Store>, ended: Ended) -> Outcome {
    let business = BusinessId::parse(&format!("rt-tx-{}", fresh())).unwrap();
    let sid = call_sid();
    store
        .record_call_start(&start(&sid, &business))
        .await
        .stored("call start")?;
    let now = OffsetDateTime::now_utc();
    store
        .attach_recording(&sid, &recording(&format!("RE{}", fresh())), true, now)
        .await
        .stored("recording")?;
    if ended.claimed {
        prop_assert!(store
            .claim_transcription_job(&sid, now)
            .await
            .stored("claim")?);
    }
    prop_assert!(
        store
            .finish_transcription(&sid, &ended.outcome, ended.at)
            .await
            .stored("finish")?,
        "a pending or queued transcription ends"
    );
    let reason = match &ended.outcome {
        TranscriptionOutcome::Failed { reason } | TranscriptionOutcome::Skipped { reason } => {
            reason.clone()
        }
        TranscriptionOutcome::Ready { .. } => unreachable!("only failures are generated"),
    };
    let check_media = |media: Option<frontdesk::domain::CallMedia>| -> Outcome {
        let media = media.ok_or_else(|| {
            proptest::test_runner::TestCaseError::fail("no media for an ended transcription")
        })?;
        prop_assert_eq!(media.reason.as_deref(), Some(reason.as_str()));
        prop_assert_eq!(media.transcript, None);
        prop_assert_eq!(media.language, None);
        prop_assert_eq!(media.finished_at, Some(ended.at));
        Ok(())
    };
    check_media(store.call_media(&sid).await.stored("call media")?)?;
    let call = store.call(&sid).await.stored("call")?;
    prop_assert_eq!(
        call.and_then(|c| c.transcription),
        Some(ended.outcome.state())
    );

    // The job delivered again: it finds the transcription ended, and changes nothing.
    let again = TranscriptionOutcome::Failed {
        reason: "a second delivery".into(),
    };
    prop_assert!(!store
        .finish_transcription(&sid, &again, ended.at)
        .await
        .stored("finish again")?);
    check_media(store.call_media(&sid).await.stored("call media again")?)?;
    prop_assert!(matches!(
        ended.outcome.state(),
        TranscriptionState::Failed | TranscriptionState::Skipped
    ));
    Ok(())
}
