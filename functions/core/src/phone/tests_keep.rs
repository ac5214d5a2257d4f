//! A call's turn kept in the conversation store: a retried callback answered as before without
//! running again, a lapsed state started over, a write lost to the same step's retry answered
//! as that retry, a state that cannot be written still answered.

use std::sync::Mutex;

use async_trait::async_trait;
use jiff::tz::TimeZone;
use jiff::SignedDuration;

use super::keep::{take, Callback};
use super::state::{Answered, Heard, Phase, State};
use super::tests::{settings, CHECKUP};
use super::turn::Ctx;
use crate::booking::dialogue::state::Lang;
use crate::booking::tests_desk::MemoryDesk;
use crate::domain::{BusinessId, CallSid, Channel, Conversation, ConversationKey};
use crate::store::{ConversationStore, StoreError};

/// One conversation in memory, compare-and-set on its version. `race`: the next write finds
/// this conversation written first; `broken`: writes fail.
#[derive(Default)]
struct Conversations {
    stored: Mutex<Option<Conversation>>,
    race: Mutex<Option<Conversation>>,
    broken: bool,
    writes: Mutex<usize>,
}

#[async_trait]
impl ConversationStore for Conversations {
    async fn conversation(
        &self,
        _key: &ConversationKey,
    ) -> Result<Option<Conversation>, StoreError> {
        Ok(self.stored.lock().unwrap().clone())
    }

    async fn put_conversation(
        &self,
        conversation: &Conversation,
        expected: Option<u32>,
    ) -> Result<bool, StoreError> {
        if self.broken {
            return Err(StoreError::Unavailable("down".into()));
        }
        let mut stored = self.stored.lock().unwrap();
        if let Some(first) = self.race.lock().unwrap().take() {
            *stored = Some(first);
            return Ok(false);
        }
        if stored.as_ref().map(|c| c.version) != expected {
            return Ok(false);
        }
        *stored = Some(conversation.clone());
        *self.writes.lock().unwrap() += 1;
        Ok(true)
    }

    async fn delete_conversation(&self, _key: &ConversationKey) -> Result<(), StoreError> {
        *self.stored.lock().unwrap() = None;
        Ok(())
    }
}

struct Line {
    desk: MemoryDesk,
    conversations: Conversations,
    key: ConversationKey,
    business: BusinessId,
}

impl Line {
    fn new() -> Self {
        let now = jiff::civil::date(2026, 11, 22)
            .at(10, 0, 0, 0)
            .to_zoned(TimeZone::get("Asia/Jerusalem").unwrap())
            .unwrap()
            .timestamp();
        Self {
            desk: MemoryDesk::new(settings(CHECKUP), now).voice(),
            conversations: Conversations::default(),
            key: ConversationKey::voice(&CallSid::parse("CA1").unwrap()),
            business: BusinessId::parse("clinic").unwrap(),
        }
    }

    /// The callback of `step`: the TwiML stand-in is the reply and the next step.
    async fn callback(&self, step: u32, heard: Heard<'_>) -> String {
        *self.desk.request.lock().unwrap() = format!("voice:CA1:{step}");
        let ctx = Ctx {
            settings: &self.desk.settings,
            zone: TimeZone::get("Asia/Jerusalem").unwrap(),
            now: self.desk.now,
            lang: Lang::He,
        };
        let callback = Callback {
            key: &self.key,
            business: &self.business,
            step,
            heard,
        };
        take(
            &self.conversations,
            &self.desk,
            &ctx,
            &callback,
            |reply, next| format!("{reply:?} → step {next}"),
        )
        .await
        .unwrap()
    }

    fn state(&self) -> State {
        let stored = self.conversations.stored.lock().unwrap();
        State::from_json(&stored.as_ref().unwrap().state).unwrap()
    }
}

const TOMORROW_AT_THREE: Heard<'static> = Heard::Speech {
    text: "מחר בשלוש",
    confidence: Some(0.9),
};

#[tokio::test]
async fn a_retried_callback_gets_the_same_answer_and_books_once() {
    let line = Line::new();
    let offer = line.callback(1, TOMORROW_AT_THREE).await;
    assert!(offer.starts_with("Ask(\"יש תור פנוי מחר"), "{offer}");
    assert!(offer.ends_with("→ step 2"), "{offer}");
    let booked = line.callback(2, Heard::Keys("1")).await;
    assert!(booked.starts_with("Goodbye(\"התור נקבע"), "{booked}");
    for _ in 0..3 {
        assert_eq!(line.callback(2, Heard::Keys("1")).await, booked);
    }
    // A retry of the step before is answered with the last answer, and runs nothing.
    assert_eq!(line.callback(1, TOMORROW_AT_THREE).await, booked);
    assert_eq!(line.desk.made_by(Channel::Voice).len(), 1);
    assert_eq!(*line.conversations.writes.lock().unwrap(), 2);
    let state = line.state();
    assert_eq!(
        state.answered,
        Some(Answered {
            step: 2,
            twiml: booked
        })
    );
}

#[tokio::test]
async fn a_lapsed_state_is_started_over() {
    let line = Line::new();
    line.callback(1, TOMORROW_AT_THREE).await;
    {
        let mut stored = line.conversations.stored.lock().unwrap();
        let stored = stored.as_mut().unwrap();
        stored.expires_at = line.desk.now - SignedDuration::from_mins(1);
    }
    // The confirmation's 1 means nothing in the menu a fresh call is in.
    let answer = line.callback(2, Heard::Keys("1")).await;
    assert!(
        answer.starts_with("Ask(\"התורים הפנויים הקרובים"),
        "{answer}"
    );
    assert!(line.desk.made_by(Channel::Voice).is_empty());
}

#[tokio::test]
async fn a_write_lost_to_a_retry_of_the_same_step_answers_as_that_retry() {
    let line = Line::new();
    line.callback(1, TOMORROW_AT_THREE).await;
    let mut theirs = line.conversations.stored.lock().unwrap().clone().unwrap();
    let mut state = State::from_json(&theirs.state).unwrap();
    state.phase = Phase::Menu;
    state.answered = Some(Answered {
        step: 2,
        twiml: "the retry's answer".into(),
    });
    theirs.state = state.to_json();
    theirs.version += 1;
    *line.conversations.race.lock().unwrap() = Some(theirs);
    assert_eq!(
        line.callback(2, Heard::Keys("1")).await,
        "the retry's answer"
    );
    // This run booked under the step's request key; the retry's booking is the same one.
    assert_eq!(line.desk.made_by(Channel::Voice).len(), 1);
}

#[tokio::test]
async fn a_turn_that_cannot_be_kept_is_still_answered() {
    let mut line = Line::new();
    line.conversations.broken = true;
    let answer = line.callback(1, TOMORROW_AT_THREE).await;
    assert!(answer.starts_with("Ask(\"יש תור פנוי"), "{answer}");
}
