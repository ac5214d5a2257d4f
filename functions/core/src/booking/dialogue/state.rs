//! What the dialogue keeps between messages, what a customer's message says to it, and what
//! it answers: plain data, serialised as the conversation's JSON state.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::domain::booking::engine::{Busy, Slot};
use crate::domain::booking::intent::{intent, Intent};
use crate::domain::booking::settings::ServiceId;
use crate::domain::booking::when::Candidate;
use crate::domain::{Appointment, AppointmentId};

/// The state's format. A stored state of another format is not read: the dialogue starts over.
pub const FORMAT: u32 = 1;

/// A conversation lapses this long after its last message; a reply after that starts over.
pub const LIFETIME: SignedDuration = SignedDuration::from_mins(30);

/// The language a reply is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    He,
    En,
}

impl Lang {
    /// The language a business setting names (`he-IL`, `en-US`, …): Hebrew unless it is
    /// English.
    pub fn of_setting(language: &str) -> Self {
        if language.to_ascii_lowercase().starts_with("en") {
            Self::En
        } else {
            Self::He
        }
    }

    /// The language `text` is written in: Hebrew if it has a Hebrew letter, English if it has a
    /// Latin letter and no Hebrew one, else none (digits, emoji).
    pub fn of_text(text: &str) -> Option<Self> {
        if text.chars().any(|c| ('\u{05D0}'..='\u{05EA}').contains(&c)) {
            Some(Self::He)
        } else if text.chars().any(|c| c.is_ascii_alphabetic()) {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The code [`crate::domain::booking::settings::Service::name`] and
    /// [`crate::domain::booking::engine::Reason::phrase`] take.
    pub fn code(self) -> &'static str {
        match self {
            Self::He => "he",
            Self::En => "en",
        }
    }
}

/// The dialogue's state, as stored in the conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub format: u32,
    /// The language of the last reply.
    pub lang: Lang,
    pub step: Step,
}

impl State {
    pub fn new(lang: Lang) -> Self {
        Self {
            format: FORMAT,
            lang,
            step: Step::Idle,
        }
    }

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

/// Which options are open, if any. Every step but `Idle` has numbered options, and `offer`
/// names that set (its time in Unix seconds): an interactive reply carries it in its id, so a
/// button pressed on an older message is never read against a newer list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum Step {
    /// Nothing open: a new request starts here.
    Idle,
    /// Asked which service; `when` is the day or time the customer already said.
    Service {
        goal: Goal,
        services: Vec<ServiceId>,
        when: Vec<Candidate>,
        offer: i64,
    },
    /// Offered free slots.
    Slots {
        goal: Goal,
        service: ServiceId,
        slots: Vec<Slot>,
        offer: i64,
    },
    /// Asked to confirm one free slot: 1 (or yes) takes it, 2 (or no) asks for others.
    Confirm {
        goal: Goal,
        service: ServiceId,
        slot: Slot,
        offer: i64,
    },
    /// Asked which of the customer's appointments to cancel or move.
    Appointment {
        action: Action,
        appointments: Vec<Held>,
        offer: i64,
    },
}

impl Step {
    /// How many options are open.
    pub fn options(&self) -> usize {
        match self {
            Step::Idle => 0,
            Step::Service { services, .. } => services.len(),
            Step::Slots { slots, .. } => slots.len(),
            Step::Confirm { .. } => 2,
            Step::Appointment { appointments, .. } => appointments.len(),
        }
    }

    pub fn offer(&self) -> Option<i64> {
        match self {
            Step::Idle => None,
            Step::Service { offer, .. }
            | Step::Slots { offer, .. }
            | Step::Confirm { offer, .. }
            | Step::Appointment { offer, .. } => Some(*offer),
        }
    }
}

/// What the slots being offered are for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "goal", rename_all = "snake_case")]
pub enum Goal {
    Book,
    /// Moving this appointment, now at `was` and holding `block`.
    Move {
        appointment: AppointmentId,
        was: Slot,
        block: Busy,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Cancel,
    Change,
}

/// One of the customer's appointments, as offered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub id: AppointmentId,
    pub service: ServiceId,
    pub slot: Slot,
    pub block: Busy,
}

impl Held {
    pub fn of(appointment: &Appointment) -> Self {
        Self {
            id: appointment.id.clone(),
            service: appointment.service.clone(),
            slot: appointment.slot,
            block: appointment.block,
        }
    }

    /// Moving this appointment.
    pub fn moving(&self) -> Goal {
        Goal::Move {
            appointment: self.id.clone(),
            was: self.slot,
            block: self.block,
        }
    }
}

/// The id an option's interactive reply carries: its number and the offer it belongs to.
pub fn option_id(n: usize, offer: i64) -> String {
    format!("{n}@{offer}")
}

/// What a customer's message says to the dialogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Said {
    /// Picked option `n` (a number, an ordinal, a button of the open offer).
    Pick(usize),
    /// Pressed a button of an offer that is no longer open.
    Stale,
    Yes,
    No,
    Cancel,
    /// Change an appointment, perhaps to the day or time said.
    Change(Vec<Candidate>),
    /// Book, perhaps at the day or time said.
    Book(Vec<Candidate>),
    /// Only a day or a time.
    When(Vec<Candidate>),
    Other,
}

/// What the customer's message says, given the open offer (`offer`), the button it pressed
/// (`reply`) and the days and times its text names (`when`).
pub fn read(text: &str, reply: Option<&str>, offer: Option<i64>, when: Vec<Candidate>) -> Said {
    if let Some((n, of)) = reply.and_then(parse_option_id) {
        return if Some(of) == offer {
            Said::Pick(n)
        } else {
            Said::Stale
        };
    }
    if let Some(n) = bare_number(text) {
        return Said::Pick(n);
    }
    match intent(text) {
        Intent::Choice(n) => Said::Pick(usize::from(n)),
        Intent::Cancel => Said::Cancel,
        Intent::Change => Said::Change(when),
        Intent::Book => Said::Book(when),
        Intent::Yes => Said::Yes,
        Intent::No => Said::No,
        Intent::Other if !when.is_empty() => Said::When(when),
        Intent::Other => Said::Other,
    }
}

fn parse_option_id(id: &str) -> Option<(usize, i64)> {
    let (n, offer) = id.split_once('@')?;
    Some((n.parse().ok()?, offer.parse().ok()?))
}

/// A message that is only a number (`12`, `3.`, `(2)`): an option, however large, so "12"
/// against three options is answered as out of range rather than read as a time.
fn bare_number(text: &str) -> Option<usize> {
    let digits = text
        .trim()
        .trim_matches(|c: char| matches!(c, '.' | ')' | '(' | '#' | ' '));
    (!digits.is_empty() && digits.len() <= 3 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// One option of a reply: its id, a short title (a button or a list row) and its full line
/// (numbered text, a list row's description).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opt {
    pub id: String,
    pub title: String,
    pub line: String,
}

/// How a reply's options are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    /// No options.
    None,
    /// Numbered options; `times`: slots, where a day and time may be written instead.
    Numbered { times: bool },
    /// A yes/no question whose text already says "reply 1/yes": buttons on Meta, no list in
    /// text.
    Confirm,
}

/// One answer to the customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub lang: Lang,
    pub text: String,
    pub options: Vec<Opt>,
    pub menu: Menu,
}

impl Reply {
    pub fn text(lang: Lang, text: impl Into<String>) -> Self {
        Self {
            lang,
            text: text.into(),
            options: Vec::new(),
            menu: Menu::None,
        }
    }

    /// The same reply with `before` put in front of its text.
    pub fn after(mut self, before: &str) -> Self {
        self.text = format!("{before}\n{}", self.text);
        self
    }
}

/// A turn's result: the state to keep and the one reply to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    pub state: State,
    pub reply: Reply,
}
