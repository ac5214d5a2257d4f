//! A turn taken and kept: the call's conversation read, the turn run from its state (from the
//! start when there is none or it lapsed), its TwiML rendered, and both written at the version
//! read. A callback for a step already answered gets that answer again, byte for byte, without
//! running anything: Twilio retrying a `<Gather>` action books once and hears the same. A
//! write that loses to another callback of the call reads again: if that one answered this
//! step, its answer is given; else the turn runs once more (a booking it made is found under
//! the same request key, so nothing is booked twice).

use jiff::Timestamp;
use tracing::{error, info, warn};

use super::state::{Answered, Heard, Reply, State, LIFETIME};
use super::turn::{turn, Ctx};
use crate::booking::desk::Desk;
use crate::booking::BookingError;
use crate::domain::{BusinessId, Conversation, ConversationKey};
use crate::store::{ConversationStore, StoreError};

/// Why a turn could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    #[error("conversation not readable: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Booking(#[from] BookingError),
}

/// One callback: which call, which step, what was heard.
pub struct Callback<'a> {
    pub key: &'a ConversationKey,
    pub business: &'a BusinessId,
    /// The step in the callback URL (`?step=`), 1 for the opening menu's answer.
    pub step: u32,
    pub heard: Heard<'a>,
}

/// The TwiML answering `callback`. `render` turns a reply into TwiML whose `<Gather>` posts
/// the given next step. A state that could not be written is logged and the answer still
/// given: what the turn did stands, and the caller hears of it.
pub async fn take(
    conversations: &dyn ConversationStore,
    desk: &dyn Desk,
    ctx: &Ctx<'_>,
    callback: &Callback<'_>,
    render: impl Fn(&Reply, u32) -> String,
) -> Result<String, TurnError> {
    let now = ctx.now;
    let mut retried = false;
    loop {
        let stored = conversations.conversation(callback.key).await?;
        let prior = stored
            .as_ref()
            .filter(|c| !c.is_expired(now))
            .and_then(|c| State::from_json(&c.state));
        // A step at or before the last one answered is a retry (an earlier step cannot come
        // after a later one from the same caller): the answer already given.
        if let Some(answered) = prior
            .as_ref()
            .and_then(|s| s.answered.as_ref())
            .filter(|a| a.step >= callback.step)
        {
            info!(
                step = callback.step,
                answered = answered.step,
                "callback answered before; the same answer again"
            );
            return Ok(answered.twiml.clone());
        }
        let (mut state, reply) = turn(desk, ctx, prior, &callback.heard).await?;
        let twiml = render(&reply, callback.step.saturating_add(1));
        state.answered = Some(Answered {
            step: callback.step,
            twiml: twiml.clone(),
        });
        let expected = stored.as_ref().map(|c| c.version);
        let conversation = Conversation {
            key: callback.key.clone(),
            business_id: callback.business.clone(),
            state: state.to_json(),
            version: expected.unwrap_or(0) + 1,
            updated_at: now,
            expires_at: now.checked_add(LIFETIME).unwrap_or(Timestamp::MAX),
        };
        match conversations
            .put_conversation(&conversation, expected)
            .await
        {
            Ok(true) => return Ok(twiml),
            Ok(false) if !retried => {
                info!(
                    conversation = callback.key.as_str(),
                    "call's conversation changed meanwhile; reading it again"
                );
                retried = true;
            }
            Ok(false) => {
                warn!(
                    conversation = callback.key.as_str(),
                    "call's conversation changed again; answering without keeping this turn"
                );
                return Ok(twiml);
            }
            Err(err) => {
                error!(metric = "voice_booking_state_lost", conversation = callback.key.as_str(), error = %err, "call's turn not kept");
                return Ok(twiml);
            }
        }
    }
}
