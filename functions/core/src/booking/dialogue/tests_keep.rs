//! A turn kept in the conversation store: read, run, written at the version read; a write
//! lost to another message's turn read again and the turn run once more, without booking
//! twice.

use std::sync::Mutex;

use async_trait::async_trait;
use jiff::civil::date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::keep::{take, TurnError};
use super::state::{Lang, State, Step};
use super::turn::{Ctx, Message};
use crate::booking::tests_desk::MemoryDesk;
use crate::domain::booking::settings::BookingSettings;
use crate::domain::{BusinessId, Conversation, ConversationKey, PhoneNumber};
use crate::store::{ConversationStore, StoreError};

/// One conversation in memory, compare-and-set on its version. `interfere`: that many of the
/// next writes find another turn written first (the version moved on, the state unchanged).
#[derive(Default)]
struct Conversations {
    stored: Mutex<Option<Conversation>>,
    interfere: Mutex<usize>,
    down: bool,
}

#[async_trait]
impl ConversationStore for Conversations {
    async fn conversation(
        &self,
        _key: &ConversationKey,
    ) -> Result<Option<Conversation>, StoreError> {
        if self.down {
            return Err(StoreError::Unavailable("down".into()));
        }
        Ok(self.stored.lock().unwrap().clone())
    }

    async fn put_conversation(
        &self,
        conversation: &Conversation,
        expected: Option<u32>,
    ) -> Result<bool, StoreError> {
        let mut stored = self.stored.lock().unwrap();
        let mut interfere = self.interfere.lock().unwrap();
        if *interfere > 0 {
            *interfere -= 1;
            if let Some(other) = stored.as_mut() {
                other.version += 1;
            }
            return Ok(false);
        }
        if stored.as_ref().map(|c| c.version) != expected {
            return Ok(false);
        }
        *stored = Some(conversation.clone());
        Ok(true)
    }

    async fn delete_conversation(&self, _key: &ConversationKey) -> Result<(), StoreError> {
        *self.stored.lock().unwrap() = None;
        Ok(())
    }
}

fn zone() -> TimeZone {
    TimeZone::get("Asia/Jerusalem").unwrap()
}

fn now() -> Timestamp {
    date(2026, 11, 22)
        .at(8, 0, 0, 0)
        .to_zoned(zone())
        .unwrap()
        .timestamp()
}

fn settings() -> BookingSettings {
    BookingSettings::parse_json(
        r#"{"timezone": "Asia/Jerusalem", "hours": {"mon": [["09:00","17:00"]]},
            "services": [{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup", "duration_minutes": 30}]}"#,
    )
    .unwrap()
}

struct Setting {
    desk: MemoryDesk,
    conversations: Conversations,
    key: ConversationKey,
    business: BusinessId,
}

impl Setting {
    fn new() -> Self {
        let business = BusinessId::parse("clinic").unwrap();
        Self {
            desk: MemoryDesk::new(settings(), now()),
            conversations: Conversations::default(),
            key: ConversationKey::whatsapp(
                &business,
                &PhoneNumber::parse("+972501234567").unwrap(),
            ),
            business,
        }
    }

    async fn take(&self, request: &str, text: &str) -> Result<Option<String>, TurnError> {
        *self.desk.request.lock().unwrap() = request.into();
        let ctx = Ctx {
            settings: &self.desk.settings,
            zone: zone(),
            now: now(),
            lang: Lang::He,
        };
        let message = Message { text, reply: None };
        let reply = take(
            &self.conversations,
            &self.desk,
            &ctx,
            &self.key,
            &self.business,
            &message,
        )
        .await?;
        Ok(reply.map(|r| r.text))
    }

    fn stored(&self) -> Conversation {
        self.conversations.stored.lock().unwrap().clone().unwrap()
    }
}

#[tokio::test]
async fn each_turn_is_written_at_the_version_it_read_with_thirty_minutes_to_live() {
    let setting = Setting::new();
    setting.take("wa:1", "אפשר תור למחר?").await.unwrap();
    let first = setting.stored();
    assert_eq!(first.version, 1);
    assert_eq!(first.expires_at, now() + SignedDuration::from_mins(30));
    assert_eq!(first.business_id.as_str(), "clinic");
    assert!(matches!(
        State::from_json(&first.state).unwrap().step,
        Step::Slots { .. }
    ));
    setting.take("wa:2", "1").await.unwrap();
    let second = setting.stored();
    assert_eq!(second.version, 2);
    assert_eq!(State::from_json(&second.state).unwrap().step, Step::Idle);
}

#[tokio::test]
async fn a_write_that_loses_reads_again_and_books_only_once() {
    let setting = Setting::new();
    setting.take("wa:1", "אפשר תור למחר?").await.unwrap();
    *setting.conversations.interfere.lock().unwrap() = 1;
    let reply = setting.take("wa:2", "2").await.unwrap().unwrap();
    assert!(reply.starts_with("התור נקבע ✅"), "{reply}");
    assert_eq!(
        setting.desk.changes.lock().unwrap().clone(),
        ["book 2026-11-23 09:15"],
        "the second run found the booking made under the same request key"
    );
    let stored = setting.stored();
    assert_eq!(stored.version, 3, "ours, after the other turn's 2");
    assert_eq!(State::from_json(&stored.state).unwrap().step, Step::Idle);
}

#[tokio::test]
async fn a_write_that_loses_twice_still_answers() {
    let setting = Setting::new();
    setting.take("wa:1", "אפשר תור למחר?").await.unwrap();
    *setting.conversations.interfere.lock().unwrap() = 2;
    let reply = setting.take("wa:2", "2").await.unwrap().unwrap();
    assert!(reply.starts_with("התור נקבע ✅"), "{reply}");
    assert_eq!(setting.desk.changes.lock().unwrap().len(), 1);
    assert_eq!(setting.stored().version, 3, "the other turns' writes stand");
}

#[tokio::test]
async fn a_lapsed_conversation_starts_over_and_is_overwritten_at_its_version() {
    let setting = Setting::new();
    setting.take("wa:1", "אפשר תור למחר?").await.unwrap();
    let mut lapsed = setting.stored();
    lapsed.expires_at = now() - SignedDuration::from_secs(1);
    *setting.conversations.stored.lock().unwrap() = Some(lapsed);
    let reply = setting.take("wa:2", "2").await.unwrap().unwrap();
    assert!(
        reply.starts_with("האפשרויות הקודמות כבר לא בתוקף."),
        "{reply}"
    );
    assert!(setting.desk.changes.lock().unwrap().is_empty());
    let stored = setting.stored();
    assert_eq!(stored.version, 2);
    assert!(!stored.is_expired(now()));
}

#[tokio::test]
async fn an_unreadable_conversation_is_an_error_and_nothing_is_done() {
    let mut setting = Setting::new();
    setting.conversations.down = true;
    let result = setting.take("wa:1", "אפשר תור למחר?").await;
    assert!(matches!(result, Err(TurnError::Store(_))), "{result:?}");
    setting.conversations.down = false;
    assert!(setting.conversations.stored.lock().unwrap().is_none());
}

#[tokio::test]
async fn a_message_the_dialogue_leaves_alone_writes_nothing() {
    let setting = Setting::new();
    assert_eq!(setting.take("wa:1", "שלום").await.unwrap(), None);
    assert!(setting.conversations.stored.lock().unwrap().is_none());
}
