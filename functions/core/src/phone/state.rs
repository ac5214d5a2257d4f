//! What the phone dialogue keeps between a call's turns, what a turn heard, and what it
//! answers: plain data, the state serialised as the conversation's JSON.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::domain::booking::engine::Slot;
use crate::domain::booking::settings::ServiceId;
use crate::domain::booking::when::Candidate;

/// The state's format. A stored state of another format is not read: the dialogue starts over.
pub const FORMAT: u32 = 1;

/// A call's dialogue lapses this long after its last turn: a caller who hung up mid-dialogue
/// leaves nothing behind but a state nobody reads again.
pub const LIFETIME: SignedDuration = SignedDuration::from_mins(15);

/// Below this speech-recognition confidence a turn counts as not understood: a misheard day or
/// hour offered back to a caller costs more than asking again.
pub const MIN_CONFIDENCE: f32 = 0.5;

/// Turns in a row not understood (or silent) before the dialogue changes course: to a menu of
/// keys, or (silence) to leaving a message.
pub const PATIENCE: u8 = 2;

/// The dialogue's state, as stored in the conversation `voice:{CallSid}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format: u32,
    pub phase: Phase,
    /// Turns in a row that could not be understood (speech without a day or time, or heard
    /// with low confidence).
    pub misses: u8,
    /// Turns in a row in which the caller said and pressed nothing.
    pub silences: u8,
    /// The last turn answered, so a retried callback gets the same answer.
    pub answered: Option<Answered>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            format: FORMAT,
            phase: Phase::Menu,
            misses: 0,
            silences: 0,
            answered: None,
        }
    }
}

impl State {
    /// The stored state, when it is one this code writes.
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        serde_json::from_value::<Self>(value.clone())
            .ok()
            .filter(|s| s.format == FORMAT)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// A turn answered: its step (the `step` in the callback URL) and the TwiML it got.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answered {
    pub step: u32,
    pub twiml: String,
}

/// What the caller was last asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum Phase {
    /// Say a day and time, press 1 for the nearest free times, 0 for a message.
    Menu,
    /// Which service (the business has several); `when` is what the caller already said.
    Service {
        services: Vec<ServiceId>,
        when: Vec<Candidate>,
    },
    /// One free slot offered: 1 books it, 2 hears others.
    Confirm { service: ServiceId, slot: Slot },
    /// Up to three free slots offered, one key each; 9 hears later ones. `keys`: offered as a
    /// menu of keys after speech failed.
    Options {
        service: ServiceId,
        slots: Vec<Slot>,
        keys: bool,
    },
}

/// What a turn's callback carries: Twilio's `Digits`, or `SpeechResult` with its
/// `Confidence`, or neither (the caller was silent: `actionOnEmptyResult`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Heard<'a> {
    Nothing,
    Keys(&'a str),
    /// `confidence` is `None` when Twilio sent none: the text is trusted.
    Speech {
        text: &'a str,
        confidence: Option<f32>,
    },
}

impl Heard<'_> {
    /// Speech too uncertain to act on.
    pub fn is_unsure(&self) -> bool {
        matches!(self, Heard::Speech { confidence: Some(c), .. } if *c < MIN_CONFIDENCE)
    }
}

/// What the caller hears next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Said inside a `<Gather>` that posts the next turn.
    Ask(String),
    /// Said, then `<Hangup/>`.
    Goodbye(String),
    /// The business's voicemail (greeting, `<Record>`), after what is said here, if anything.
    Voicemail(Option<String>),
}
