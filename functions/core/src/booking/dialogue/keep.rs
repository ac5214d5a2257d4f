//! A turn taken and kept: the conversation read, the turn run from its state (or from nothing,
//! when there is none or it lapsed), the new state written at the version read. A write that
//! loses to another message's turn reads again and runs the turn once more: what the first run
//! booked, cancelled or moved, the second finds done under the same request key, so it answers
//! the same without doing it twice.

use jiff::Timestamp;
use tracing::{error, info, warn};

use super::state::{Reply, State, LIFETIME};
use super::turn::{turn, Ctx, Message};
use crate::booking::desk::Desk;
use crate::booking::BookingError;
use crate::domain::{BusinessId, Conversation, ConversationKey};
use crate::store::{ConversationStore, StoreError};

/// Why a turn could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    /// The conversation could not be read.
    #[error("conversation not readable: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Booking(#[from] BookingError),
}

/// The reply of the turn `message` takes in the conversation `key`; `None` when the dialogue
/// has nothing to say. A state that could not be written is logged and the reply still
/// given: what the turn did stands, and the customer hears of it.
pub async fn take(
    conversations: &dyn ConversationStore,
    desk: &dyn Desk,
    ctx: &Ctx<'_>,
    key: &ConversationKey,
    business: &BusinessId,
    message: &Message<'_>,
) -> Result<Option<Reply>, TurnError> {
    let now = ctx.now;
    let mut retried = false;
    loop {
        let stored = conversations.conversation(key).await?;
        let prior = stored
            .as_ref()
            .filter(|c| !c.is_expired(now))
            .and_then(|c| State::from_json(&c.state));
        let Some(turn) = turn(desk, ctx, prior, message).await? else {
            return Ok(None);
        };
        let expected = stored.as_ref().map(|c| c.version);
        let conversation = Conversation {
            key: key.clone(),
            business_id: business.clone(),
            state: turn.state.to_json(),
            version: expected.unwrap_or(0) + 1,
            updated_at: now,
            expires_at: now.checked_add(LIFETIME).unwrap_or(Timestamp::MAX),
        };
        match conversations
            .put_conversation(&conversation, expected)
            .await
        {
            Ok(true) => return Ok(Some(turn.reply)),
            Ok(false) if !retried => {
                info!(
                    conversation = key.as_str(),
                    "conversation changed meanwhile; reading it again"
                );
                retried = true;
            }
            Ok(false) => {
                warn!(
                    conversation = key.as_str(),
                    "conversation changed again; answering without keeping this turn"
                );
                return Ok(Some(turn.reply));
            }
            Err(err) => {
                error!(metric = "whatsapp_dialogue_state_lost", conversation = key.as_str(), error = %err, "conversation not kept");
                return Ok(Some(turn.reply));
            }
        }
    }
}
