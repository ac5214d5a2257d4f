//! One turn of a call: what the caller said or pressed in the phase the call is in, what that
//! asks of the booking desk, the state to keep and what the caller hears. No store, Twilio or
//! clock here: the desk, the settings and `now` are given, so every transition is tested
//! directly.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::spoken::Spoken;
use super::state::{Heard, Phase, Reply, State, PATIENCE};
use super::words::{plain, Words};
use crate::booking::desk::Desk;
use crate::booking::dialogue::state::Lang;
use crate::booking::{BookingError, Outcome};
use crate::domain::booking::engine::{Slot, ALTERNATIVES};
use crate::domain::booking::intent::{intent, Intent};
use crate::domain::booking::settings::{BookingSettings, ServiceId};
use crate::domain::booking::when::{understand, Candidate};

/// The key for later times in a list of slots.
pub const MORE: u8 = 9;
/// The key that leaves a message, at any point.
pub const MESSAGE: &str = "0";
/// Most services offered by key.
const MAX_SERVICES: usize = 8;

/// What a turn reads by: the business's settings and zone, the moment, and the language the
/// business answers its phone in.
pub struct Ctx<'a> {
    pub settings: &'a BookingSettings,
    pub zone: TimeZone,
    pub now: Timestamp,
    pub lang: Lang,
}

/// The state to keep and what the caller hears, after `heard` in `prior` (`None`: the call's
/// first turn, or its state lapsed).
pub async fn turn(
    desk: &dyn Desk,
    ctx: &Ctx<'_>,
    prior: Option<State>,
    heard: &Heard<'_>,
) -> Result<(State, Reply), BookingError> {
    let mut state = prior.unwrap_or_default();
    state.answered = None;
    let talk = Talk {
        desk,
        ctx,
        words: Words {
            spoken: Spoken {
                lang: ctx.lang,
                zone: &ctx.zone,
                today: ctx.now.to_zoned(ctx.zone.clone()).date(),
            },
            settings: ctx.settings,
        },
    };
    let phase = std::mem::replace(&mut state.phase, Phase::Menu);
    if *heard == Heard::Nothing {
        state.silences += 1;
        if state.silences >= PATIENCE {
            return Ok((State::default(), Reply::Voicemail(None)));
        }
        let text = talk.prompt(&phase);
        state.phase = phase;
        return Ok((state, Reply::Ask(talk.after(talk.words.silence(), text))));
    }
    state.silences = 0;
    let answer = match heard {
        Heard::Keys(MESSAGE) => Answer::Voicemail(None),
        Heard::Keys(keys) => talk.keys(phase, keys).await?,
        unsure if unsure.is_unsure() => Answer::Missed(phase),
        Heard::Speech { text, .. } => talk.speech(phase, text).await?,
        Heard::Nothing => Answer::Missed(phase),
    };
    talk.settle(state, answer).await
}

/// What a turn came to, before the misses are counted.
enum Answer {
    /// Understood: the phase asked next and what to say.
    Ask(Phase, String),
    /// Keys the phase has no use for: the same question again.
    Again(Phase),
    /// Speech that says nothing the phase can use (or was heard too unsure).
    Missed(Phase),
    Booked(String),
    Voicemail(Option<String>),
}

struct Talk<'a> {
    desk: &'a dyn Desk,
    ctx: &'a Ctx<'a>,
    words: Words<'a>,
}

impl Talk<'_> {
    fn after(&self, before: String, text: String) -> String {
        format!("{before} {text}")
    }

    /// The question `phase` asks.
    fn prompt(&self, phase: &Phase) -> String {
        match phase {
            Phase::Menu => plain::menu(self.ctx.lang).to_string(),
            Phase::Service { services, .. } => self.words.which_service(services),
            Phase::Confirm { slot, .. } => self.words.confirm(slot),
            Phase::Options { slots, keys, .. } => self.words.options(slots, *keys),
        }
    }

    /// Counts a missed turn: asked again once, then offered the nearest slots by key.
    async fn settle(
        &self,
        mut state: State,
        answer: Answer,
    ) -> Result<(State, Reply), BookingError> {
        let (phase, text) = match answer {
            Answer::Ask(phase, text) => {
                state.misses = 0;
                (phase, text)
            }
            Answer::Again(phase) => {
                let text = self.after(self.words.no_such_option(), self.prompt(&phase));
                (phase, text)
            }
            Answer::Missed(phase) => {
                state.misses += 1;
                if state.misses < PATIENCE {
                    let text = self.after(self.words.not_understood(), self.prompt(&phase));
                    (phase, text)
                } else {
                    match self.by_keys(phase).await? {
                        Answer::Ask(phase, text) => (phase, text),
                        other => return Ok((State::default(), self.close(other))),
                    }
                }
            }
            other => return Ok((State::default(), self.close(other))),
        };
        state.phase = phase;
        Ok((state, Reply::Ask(text)))
    }

    fn close(&self, answer: Answer) -> Reply {
        match answer {
            Answer::Booked(text) => Reply::Goodbye(text),
            Answer::Voicemail(before) => Reply::Voicemail(before),
            Answer::Ask(_, text) => Reply::Ask(text),
            Answer::Again(phase) | Answer::Missed(phase) => Reply::Ask(self.prompt(&phase)),
        }
    }

    /// Speech failed twice: the slots in question (or the services) as a menu of keys.
    async fn by_keys(&self, phase: Phase) -> Result<Answer, BookingError> {
        let intro = self.words.by_keys();
        let (service, around) = match phase {
            Phase::Options { service, slots, .. } => {
                return Ok(self.offer(service, slots, intro, true));
            }
            Phase::Confirm { service, slot } => (service, Some(slot.start)),
            Phase::Service { .. } => {
                let text = self.after(intro, self.prompt(&phase));
                return Ok(Answer::Ask(phase, text));
            }
            Phase::Menu => match self.service_or_ask(Vec::new()) {
                Ok(service) => (service, None),
                Err(Answer::Ask(phase, text)) => {
                    return Ok(Answer::Ask(phase, self.after(intro, text)));
                }
                Err(other) => return Ok(other),
            },
        };
        let slots = self.desk.nearest(&service, around, ALTERNATIVES).await?;
        Ok(self.offer(service, slots, intro, true))
    }

    /// A key pressed (0 is handled before).
    async fn keys(&self, phase: Phase, keys: &str) -> Result<Answer, BookingError> {
        let Ok(key) = keys.trim().parse::<usize>() else {
            return Ok(Answer::Again(phase));
        };
        match phase {
            Phase::Menu if key == 1 => self.start(Vec::new()).await,
            Phase::Service { services, when } if (1..=services.len()).contains(&key) => {
                self.proceed(services[key - 1].clone(), when).await
            }
            Phase::Confirm { service, slot } if key == 1 => self.take(service, slot, false).await,
            Phase::Confirm { service, slot } if key == 2 => self.others(service, slot).await,
            Phase::Options {
                service,
                slots,
                keys,
            } => match key {
                n if (1..=slots.len()).contains(&n) => self.take(service, slots[n - 1], keys).await,
                n if n == usize::from(MORE) => self.later(service, slots, keys).await,
                _ => Ok(Answer::Again(Phase::Options {
                    service,
                    slots,
                    keys,
                })),
            },
            phase => Ok(Answer::Again(phase)),
        }
    }

    /// What the caller said: a yes or no, an option by its number, or a day and time.
    async fn speech(&self, phase: Phase, text: &str) -> Result<Answer, BookingError> {
        let now = self.ctx.now.to_zoned(self.ctx.zone.clone());
        let when = understand(text, &now, &self.ctx.settings.hours);
        let intent = intent(text);
        let picked = |n: u8, of: usize| (1..=of).contains(&usize::from(n));
        match (phase, intent) {
            (Phase::Confirm { service, slot }, Intent::Yes | Intent::Choice(1)) => {
                self.take(service, slot, false).await
            }
            (Phase::Confirm { service, slot }, Intent::No | Intent::Choice(2)) => {
                self.others(service, slot).await
            }
            (Phase::Options { service, slots, .. }, Intent::Choice(n))
                if picked(n, slots.len()) =>
            {
                self.take(service, slots[usize::from(n) - 1], false).await
            }
            (Phase::Service { services, when }, Intent::Choice(n)) if picked(n, services.len()) => {
                self.proceed(services[usize::from(n) - 1].clone(), when)
                    .await
            }
            // A day or time before the service is chosen is kept for after.
            (Phase::Service { services, .. }, _) if !when.is_empty() => {
                let text = self.words.which_service(&services);
                Ok(Answer::Ask(Phase::Service { services, when }, text))
            }
            (Phase::Confirm { service, .. } | Phase::Options { service, .. }, _)
                if !when.is_empty() =>
            {
                self.at(service, when).await
            }
            (Phase::Menu, _) if !when.is_empty() => self.start(when).await,
            // "I'd like an appointment", with no day or time.
            (Phase::Menu, Intent::Book) => self.start(Vec::new()).await,
            (phase, _) => Ok(Answer::Missed(phase)),
        }
    }

    /// The business's one service, or the question which one (`when` kept for after it).
    fn service_or_ask(&self, when: Vec<Candidate>) -> Result<ServiceId, Answer> {
        match self.ctx.settings.services.as_slice() {
            [] => Err(Answer::Voicemail(None)),
            [only] => Ok(only.id.clone()),
            several => {
                let services: Vec<ServiceId> = several
                    .iter()
                    .take(MAX_SERVICES)
                    .map(|s| s.id.clone())
                    .collect();
                let text = self.words.which_service(&services);
                Err(Answer::Ask(Phase::Service { services, when }, text))
            }
        }
    }

    /// A booking starts: at the day or time said, else the nearest free slots.
    async fn start(&self, when: Vec<Candidate>) -> Result<Answer, BookingError> {
        match self.service_or_ask(when.clone()) {
            Ok(service) => self.proceed(service, when).await,
            Err(asked) => Ok(asked),
        }
    }

    async fn proceed(
        &self,
        service: ServiceId,
        when: Vec<Candidate>,
    ) -> Result<Answer, BookingError> {
        if when.is_empty() {
            self.nearest(service).await
        } else {
            self.at(service, when).await
        }
    }

    async fn nearest(&self, service: ServiceId) -> Result<Answer, BookingError> {
        let slots = self.desk.nearest(&service, None, ALTERNATIVES).await?;
        Ok(self.offer(service, slots, self.words.nearest(), false))
    }

    /// Slots offered under `intro`, one key each (soonest first, as a list is easiest to
    /// follow by ear); none at all → the caller may leave a message.
    fn offer(&self, service: ServiceId, mut slots: Vec<Slot>, intro: String, keys: bool) -> Answer {
        if slots.is_empty() {
            return Answer::Voicemail(Some(self.words.no_slots()));
        }
        slots.truncate(ALTERNATIVES);
        slots.sort_unstable();
        let text = self.after(intro, self.words.options(&slots, keys));
        Answer::Ask(
            Phase::Options {
                service,
                slots,
                keys,
            },
            text,
        )
    }

    /// A day or time said: one free time is offered for confirmation, several as options; a
    /// refused one gets the engine's reason and its alternatives; a day without a time its
    /// first free slots (or the nearest, when it has none).
    async fn at(&self, service: ServiceId, when: Vec<Candidate>) -> Result<Answer, BookingError> {
        let zone = &self.ctx.zone;
        let timed: Vec<Timestamp> = when
            .iter()
            .filter_map(|c| {
                let zoned = c.date.to_datetime(c.time?).to_zoned(zone.clone());
                zoned.ok().map(|z| z.timestamp())
            })
            .collect();
        if timed.is_empty() {
            let mut dates: Vec<Date> = when.iter().map(|c| c.date).collect();
            dates.dedup();
            return self.on_days(service, &dates).await;
        }
        let mut free = Vec::new();
        let mut refused = None;
        for start in timed.into_iter().take(ALTERNATIVES) {
            match self.desk.check(&service, start, None).await? {
                Ok(slot) => free.push(slot),
                Err(refusal) => {
                    refused.get_or_insert((start, refusal));
                }
            }
        }
        Ok(match (free.as_slice(), refused) {
            ([slot], _) => {
                let text = self.words.confirm(slot);
                Answer::Ask(
                    Phase::Confirm {
                        service,
                        slot: *slot,
                    },
                    text,
                )
            }
            ([], Some((start, refusal))) => {
                let why = self
                    .words
                    .refused(start, refusal.phrase(self.ctx.lang.code()));
                let intro = self.after(why, self.words.instead());
                self.offer(service, refusal.alternatives().to_vec(), intro, false)
            }
            _ => self.offer(service, free, self.words.these_are_free(), false),
        })
    }

    async fn on_days(&self, service: ServiceId, dates: &[Date]) -> Result<Answer, BookingError> {
        let Some(first) = dates.first().copied() else {
            return self.nearest(service).await;
        };
        for date in dates.iter().take(ALTERNATIVES) {
            let slots = self.desk.on_day(&service, *date).await?;
            if !slots.is_empty() {
                return Ok(self.offer(service, slots, self.words.on_day(*date), false));
            }
        }
        let around = first
            .to_zoned(self.ctx.zone.clone())
            .ok()
            .map(|z| z.timestamp());
        let slots = self.desk.nearest(&service, around, ALTERNATIVES).await?;
        Ok(self.offer(service, slots, self.words.none_on_day(first), false))
    }

    /// Books `slot`. Taken meanwhile (or no longer offered): a fresh offer, never a double
    /// booking.
    async fn take(
        &self,
        service: ServiceId,
        slot: Slot,
        keys: bool,
    ) -> Result<Answer, BookingError> {
        Ok(match self.desk.book(&service, slot.start).await? {
            Outcome::Done(booked) | Outcome::Repeat(booked) => {
                Answer::Booked(self.words.booked(&booked.service, booked.slot.start))
            }
            Outcome::Taken { alternatives } => {
                let intro =
                    self.after(self.words.taken_meanwhile(slot.start), self.words.instead());
                self.offer(service, alternatives, intro, keys)
            }
            Outcome::NotOffered {
                reason,
                alternatives,
            } => {
                let why = self
                    .words
                    .refused(slot.start, reason.phrase(self.ctx.lang.code()));
                let intro = self.after(why, self.words.instead());
                self.offer(service, alternatives, intro, keys)
            }
        })
    }

    /// "Other times" instead of the one offered: the nearest others.
    async fn others(&self, service: ServiceId, declined: Slot) -> Result<Answer, BookingError> {
        let mut slots = self
            .desk
            .nearest(&service, Some(declined.start), ALTERNATIVES + 1)
            .await?;
        slots.retain(|s| *s != declined);
        Ok(self.offer(service, slots, self.words.other_times(), false))
    }

    /// The next slots after the latest offered.
    async fn later(
        &self,
        service: ServiceId,
        offered: Vec<Slot>,
        keys: bool,
    ) -> Result<Answer, BookingError> {
        let last = offered
            .iter()
            .map(|s| s.start)
            .max()
            .unwrap_or(self.ctx.now);
        let slots = self.desk.after(&service, last, ALTERNATIVES).await?;
        if slots.is_empty() {
            let phase = Phase::Options {
                service,
                slots: offered,
                keys,
            };
            let text = self.after(self.words.no_later(), self.prompt(&phase));
            return Ok(Answer::Ask(phase, text));
        }
        Ok(self.offer(service, slots, self.words.other_times(), keys))
    }
}
