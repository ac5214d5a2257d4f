//! Finding things in a business's history: its customers (every phone number that called,
//! was called or wrote on WhatsApp), most recent activity first, and the calls and messages
//! whose words contain a search term, newest first.
//!
//! Both are indexes the store keeps itself, on both backends, as it stores what they index:
//!
//! - a **contact** per business and number, moved to the front by every call start
//!   ([`CallStore::record_call_start`](super::CallStore::record_call_start): the caller of an
//!   inbound call, the callee of an outbound one) and every stored WhatsApp message
//!   ([`MessageStore::insert_message`](super::MessageStore::insert_message)). It names its last
//!   activity, never copies it, so a page shows the call's or message's current state. Only a
//!   newer activity moves it, so a late retry cannot move a customer back.
//! - a **search entry** per call or message that has words: a call's caller name (at its
//!   start) and transcript (when [`finish_transcription`](super::TranscriptionStore) keeps
//!   one), a message's text and media captions (when it is stored). The words are kept in
//!   lower case ([`search_text`]), so matching is case-insensitive on both backends alike, and
//!   literal: `%` and `_` are characters like any other.
//!
//! A search reads a business's entries newest first and stops at whichever comes first: a full
//! page of hits, or its read budget (the entries it may look at). A page that stops at its
//! budget says how far back it got ([`SearchPage::searched_to`]); its cursor continues from
//! there. So a search costs at most the budget per page however long the history, which is
//! what DynamoDB (with no full-text index) needs, and SQLite follows the same rule so both
//! answer alike.
//!
//! Calls and messages stored before these indexes existed are in neither.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::StoreError;
use crate::domain::time::time_ns;
use crate::domain::{BusinessId, CallSid, MessageContent, MessageId, PhoneNumber};

/// Largest page of customers or hits a listing returns.
pub const MAX_FIND_PAGE: usize = 100;

#[async_trait]
pub trait FindStore: Send + Sync {
    /// A business's customers, most recent activity first, at most `limit` (within
    /// 1..=[`MAX_FIND_PAGE`]) after `after` (a page's `next`).
    async fn list_contacts(
        &self,
        business: &BusinessId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ContactPage, StoreError>;

    /// A business's calls and messages whose words contain the term, newest first.
    async fn search(
        &self,
        business: &BusinessId,
        query: &SearchQuery,
    ) -> Result<SearchPage, StoreError>;
}

/// A call or a message: what a customer last did, or what a search found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Activity {
    Call(CallSid),
    Message(MessageId),
}

impl Activity {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Call(_) => CALL_KIND,
            Self::Message(_) => MESSAGE_KIND,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Self::Call(sid) => sid.as_str(),
            Self::Message(id) => id.as_str(),
        }
    }

    /// The activity a stored kind and id name, or why the stored data is corrupt.
    pub fn parse(kind: &str, id: &str) -> Result<Self, StoreError> {
        let corrupt = |e| StoreError::Corrupt(format!("{kind} `{id}`: {e}"));
        match kind {
            CALL_KIND => CallSid::parse(id).map(Self::Call).map_err(corrupt),
            MESSAGE_KIND => MessageId::parse(id).map(Self::Message).map_err(corrupt),
            other => Err(StoreError::Corrupt(format!("activity kind `{other}`"))),
        }
    }
}

pub const CALL_KIND: &str = "call";
pub const MESSAGE_KIND: &str = "message";

/// One of a business's customers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub number: PhoneNumber,
    /// When their last activity happened (a call's start, a message's time).
    pub last_at: OffsetDateTime,
    pub last: Activity,
    /// Their last WhatsApp message came after the business's last one to them (a reply the
    /// booking dialogue sent counts as the business's).
    pub awaiting_reply: bool,
}

/// One page of customers and where the next starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    pub next: Option<String>,
}

/// A search term: trimmed, 2 to 100 characters, kept in lower case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchTerm(String);

impl SearchTerm {
    pub const MIN_CHARS: usize = 2;
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if !(Self::MIN_CHARS..=Self::MAX_CHARS).contains(&chars) {
            return Err(format!(
                "the search must be {} to {} characters",
                Self::MIN_CHARS,
                Self::MAX_CHARS
            ));
        }
        Ok(Self(search_text(trimmed)))
    }

    /// The term as matched: lower case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What to search and how much to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    pub term: SearchTerm,
    /// Continue after this position (a page's `next`).
    pub after: Option<String>,
    /// Hits per page, within 1..=[`MAX_FIND_PAGE`].
    pub limit: usize,
    /// Entries the page may read, at least `limit`.
    pub budget: usize,
}

/// A call or message whose words hold the term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchHit {
    /// The call's start or the message's time.
    pub at: OffsetDateTime,
    pub found: Activity,
}

/// One page of hits. `next` continues the search (after the last hit, or where the budget ran
/// out); `searched_to` is set when the budget ran out first: everything newer was searched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub next: Option<String>,
    pub searched_to: Option<OffsetDateTime>,
}

/// Words as the search index keeps them: lower case (Unicode, so both backends agree).
pub fn search_text(words: &str) -> String {
    words.to_lowercase()
}

/// A message's searchable words: its text and its media's captions, `None` when it has none.
pub fn message_words(content: &MessageContent) -> Option<String> {
    let words: Vec<&str> = content
        .body
        .iter()
        .map(String::as_str)
        .chain(content.media.iter().filter_map(|m| m.caption.as_deref()))
        .filter(|text| !text.trim().is_empty())
        .collect();
    (!words.is_empty()).then(|| search_text(&words.join("\n")))
}

/// A caller name worth searching: not blank.
pub fn caller_words(caller_name: Option<&str>) -> Option<String> {
    caller_name
        .filter(|name| !name.trim().is_empty())
        .map(search_text)
}

/// The position of an entry in a newest-first listing, and the cursor format both backends
/// share: zero-padded Unix nanoseconds, `#`, then the entry's key (a call's or message's id,
/// a contact's number). It sorts as time, then key.
pub fn find_position(at: OffsetDateTime, key: &str) -> String {
    format!("{:020}#{key}", time_ns(at).max(0))
}

/// A position back to its time and key, or why it is not one this store gave.
pub fn parse_find_position(position: &str) -> Result<(OffsetDateTime, &str), StoreError> {
    let bad = || StoreError::BadCursor(position.chars().take(80).collect());
    let (ns, key) = position.split_once('#').ok_or_else(bad)?;
    if ns.len() != 20 || !ns.bytes().all(|b| b.is_ascii_digit()) || key.is_empty() {
        return Err(bad());
    }
    let ns: i128 = ns.parse().map_err(|_| bad())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(ns).map_err(|_| bad())?;
    Ok((at, key))
}

/// A contacts cursor back to its position, checked: its key must be a phone number.
pub fn parse_contact_cursor(cursor: &str) -> Result<String, StoreError> {
    let (_, key) = parse_find_position(cursor)?;
    PhoneNumber::parse(key)
        .map_err(|_| StoreError::BadCursor(cursor.chars().take(80).collect()))?;
    Ok(cursor.to_string())
}

/// A search cursor back to its position, checked: its key must be a call's or message's id.
pub fn parse_search_cursor(cursor: &str) -> Result<String, StoreError> {
    let (_, key) = parse_find_position(cursor)?;
    let known = CallSid::parse(key).is_ok() || MessageId::parse(key).is_ok();
    if !known {
        return Err(StoreError::BadCursor(cursor.chars().take(80).collect()));
    }
    Ok(cursor.to_string())
}

/// The page size a caller asked for, within 1..=[`MAX_FIND_PAGE`].
pub fn find_page_size(limit: usize) -> usize {
    limit.clamp(1, MAX_FIND_PAGE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Media;
    use time::macros::datetime;

    #[test]
    fn a_search_term_is_trimmed_lowered_and_bounded() {
        assert_eq!(SearchTerm::parse("  ÉCOLE ").unwrap().as_str(), "école");
        assert_eq!(SearchTerm::parse("שלום").unwrap().as_str(), "שלום");
        for bad in ["", " a ", &"x".repeat(101)] {
            assert!(SearchTerm::parse(bad).is_err(), "{bad}");
        }
        assert!(SearchTerm::parse(&"ש".repeat(100)).is_ok());
    }

    #[test]
    fn positions_sort_as_time_and_read_back() {
        let early = find_position(datetime!(2026-11-21 10:00 UTC), "CA1");
        let late = find_position(datetime!(2026-11-21 10:00:00.5 UTC), "CA0");
        assert!(early < late);
        let (at, key) = parse_find_position(&late).unwrap();
        assert_eq!((at, key), (datetime!(2026-11-21 10:00:00.5 UTC), "CA0"));
        for bad in [
            "",
            "12#CA1",
            "0000000000000000000x#CA1",
            "00000000000000000001#",
        ] {
            assert!(parse_find_position(bad).is_err(), "{bad}");
        }
        let contact = find_position(datetime!(2026-11-21 10:00 UTC), "+972501234567");
        assert!(parse_contact_cursor(&contact).is_ok());
        assert!(parse_contact_cursor(&early).is_err());
        assert!(parse_search_cursor(&early).is_ok());
        assert!(parse_search_cursor(&contact).is_err());
    }

    #[test]
    fn a_message_is_searched_by_its_text_and_captions() {
        let mut content = MessageContent {
            kind: "image".into(),
            body: Some("Hello".into()),
            ..MessageContent::default()
        };
        content.media.push(Media {
            caption: Some("Teeth X-RAY".into()),
            ..Media::default()
        });
        assert_eq!(message_words(&content).unwrap(), "hello\nteeth x-ray");
        assert_eq!(message_words(&MessageContent::default()), None);
        assert_eq!(caller_words(Some("  ")), None);
    }
}
