//! One message's turn: what it says in the state the conversation is in, what that asks of
//! the booking desk, the state to keep and the one reply. No store, provider or clock here:
//! the desk, the settings and `now` are given, so every transition is tested directly.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::state::{
    option_id, read, Action, Goal, Held, Lang, Menu, Opt, Reply, Said, State, Step, Turn, FORMAT,
};
use super::words::Words;
use crate::booking::desk::Desk;
use crate::booking::{BookingError, CancelOutcome, Outcome};
use crate::domain::booking::engine::{Slot, ALTERNATIVES};
use crate::domain::booking::settings::{BookingSettings, ServiceId};
use crate::domain::booking::when::{understand, Candidate};
use crate::domain::{Appointment, AppointmentStatus};

/// Most of a customer's appointments offered to choose from (a list's ten rows).
const MAX_APPOINTMENTS: usize = 10;

/// What a turn reads by: the business's settings and zone, the moment, and the language to
/// answer a message with no letters in when no conversation is going on.
pub struct Ctx<'a> {
    pub settings: &'a BookingSettings,
    pub zone: TimeZone,
    pub now: Timestamp,
    pub lang: Lang,
}

/// A customer's message: its text, and the id of the option it picked (an interactive reply).
pub struct Message<'a> {
    pub text: &'a str,
    pub reply: Option<&'a str>,
}

/// The turn `message` takes from `prior` (`None`: no conversation, or it lapsed). `None` when
/// the dialogue has nothing to say: no conversation is going on and the message asks for
/// nothing it does (a greeting, a question), which is left to the business's usual answer.
pub async fn turn(
    desk: &dyn Desk,
    ctx: &Ctx<'_>,
    prior: Option<State>,
    message: &Message<'_>,
) -> Result<Option<Turn>, BookingError> {
    let lang = Lang::of_text(message.text)
        .or(prior.as_ref().map(|s| s.lang))
        .unwrap_or(ctx.lang);
    let step = prior.map_or(Step::Idle, |s| s.step);
    let now = ctx.now.to_zoned(ctx.zone.clone());
    let when = understand(message.text, &now, &ctx.settings.hours);
    let said = read(message.text, message.reply, step.offer(), when);
    let talk = Talk {
        desk,
        ctx,
        words: Words {
            lang,
            zone: &ctx.zone,
            settings: ctx.settings,
        },
    };
    let answer = talk.answer(step, said).await?;
    Ok(answer.map(|(step, reply)| Turn {
        state: State {
            format: FORMAT,
            lang,
            step,
        },
        reply,
    }))
}

type Answer = Result<(Step, Reply), BookingError>;

struct Talk<'a> {
    desk: &'a dyn Desk,
    ctx: &'a Ctx<'a>,
    words: Words<'a>,
}

impl Talk<'_> {
    fn lang(&self) -> Lang {
        self.words.lang
    }

    /// The id of options offered now.
    fn offer(&self) -> i64 {
        self.ctx.now.as_second()
    }

    fn say(&self, text: String) -> (Step, Reply) {
        (Step::Idle, Reply::text(self.lang(), text))
    }

    async fn answer(&self, step: Step, said: Said) -> Result<Option<(Step, Reply)>, BookingError> {
        let answer = match (said, step) {
            (Said::Cancel, _) => self.cancel().await?,
            (Said::Change(when), _) => self.change(when).await?,
            (Said::Book(when), _) => self.start(when).await?,
            (Said::Pick(_) | Said::Stale, Step::Idle) => self.start_over().await?,
            (Said::Pick(n), step) => self.pick(step, n).await?,
            (Said::Stale, step) => {
                let reply = self.menu(&step, self.words.stale());
                (step, reply)
            }
            (
                Said::Yes,
                Step::Confirm {
                    goal,
                    service,
                    slot,
                    ..
                },
            ) => self.take(goal, service, slot).await?,
            (
                Said::No,
                Step::Confirm {
                    goal,
                    service,
                    slot,
                    ..
                },
            ) => self.another(goal, service, slot).await?,
            (Said::No, step @ Step::Slots { .. }) => {
                (step, Reply::text(self.lang(), self.words.write_a_time()))
            }
            (Said::When(when), Step::Idle) => self.start(when).await?,
            (
                Said::When(when),
                Step::Slots { goal, service, .. } | Step::Confirm { goal, service, .. },
            ) => self.at(goal, service, when).await?,
            (
                Said::When(when),
                Step::Service {
                    goal,
                    services,
                    offer,
                    ..
                },
            ) => {
                let step = Step::Service {
                    goal,
                    services,
                    when,
                    offer,
                };
                let reply = self.menu(&step, self.words.choose_service_first());
                (step, reply)
            }
            (Said::When(_), step @ Step::Appointment { .. }) => {
                let reply = self.menu(&step, self.words.choose_appointment_first());
                (step, reply)
            }
            (Said::Yes | Said::No | Said::Other, Step::Idle) => return Ok(None),
            (Said::Yes | Said::No | Said::Other, step) => {
                let times = matches!(step, Step::Slots { .. } | Step::Confirm { .. });
                let reply = self.menu(&step, self.words.not_understood(times));
                (step, reply)
            }
        };
        Ok(Some(answer))
    }

    /// A new booking: which service first when there are several, else slots.
    async fn start(&self, when: Vec<Candidate>) -> Answer {
        let services = &self.ctx.settings.services;
        match services.as_slice() {
            [] => Err(BookingError::NotConfigured),
            [only] => self.proceed(Goal::Book, only.id.clone(), when).await,
            several => {
                let step = Step::Service {
                    goal: Goal::Book,
                    services: several.iter().map(|s| s.id.clone()).collect(),
                    when,
                    offer: self.offer(),
                };
                let reply = self.menu(&step, self.words.which_service());
                Ok((step, reply))
            }
        }
    }

    /// Slots for `service`: at the day or time said, else the nearest.
    async fn proceed(&self, goal: Goal, service: ServiceId, when: Vec<Candidate>) -> Answer {
        if when.is_empty() {
            self.nearest(goal, service).await
        } else {
            self.at(goal, service, when).await
        }
    }

    /// The nearest free slots of `service`.
    async fn nearest(&self, goal: Goal, service: ServiceId) -> Answer {
        let intro = match &goal {
            Goal::Book => self.words.nearest(&service),
            Goal::Move { was, .. } => self.words.move_from(&service, was.start),
        };
        let slots = self.desk.nearest(&service, None, ALTERNATIVES).await?;
        Ok(self.slots(goal, service, slots, intro))
    }

    /// Slots offered, or (none) that there are none.
    fn slots(
        &self,
        goal: Goal,
        service: ServiceId,
        slots: Vec<Slot>,
        intro: String,
    ) -> (Step, Reply) {
        if slots.is_empty() {
            return self.say(self.words.no_slots(&service));
        }
        let step = Step::Slots {
            goal,
            service,
            slots: slots.into_iter().take(ALTERNATIVES).collect(),
            offer: self.offer(),
        };
        let reply = self.menu(&step, intro);
        (step, reply)
    }

    /// A day or a time said: a free time is offered for confirmation, several free times as
    /// options; a refused one with the reason and the nearest alternatives; a day without a
    /// time with its first free slots (or the nearest, when it has none).
    async fn at(&self, goal: Goal, service: ServiceId, when: Vec<Candidate>) -> Answer {
        let timed: Vec<Timestamp> = when
            .iter()
            .filter_map(|c| {
                let zoned = c.date.to_datetime(c.time?).to_zoned(self.ctx.zone.clone());
                zoned.ok().map(|z| z.timestamp())
            })
            .collect();
        if timed.is_empty() {
            let mut dates: Vec<Date> = when.iter().map(|c| c.date).collect();
            dates.dedup();
            return self.on_days(goal, service, &dates).await;
        }
        let ignoring = match &goal {
            Goal::Move { block, .. } => Some(*block),
            Goal::Book => None,
        };
        let mut free = Vec::new();
        let mut refused = None;
        for start in timed.into_iter().take(ALTERNATIVES) {
            match self.desk.check(&service, start, ignoring).await? {
                Ok(slot) => free.push(slot),
                Err(refusal) => {
                    refused.get_or_insert((start, refusal));
                }
            }
        }
        match (free.as_slice(), refused) {
            ([slot], _) => Ok(self.confirm(goal, service, *slot)),
            ([], Some((start, refusal))) => {
                let alternatives = refusal.alternatives().to_vec();
                let intro = self.words.refused(
                    start,
                    refusal.phrase(self.lang().code()),
                    !alternatives.is_empty(),
                );
                Ok(self.alternatives(goal, service, alternatives, intro))
            }
            _ => Ok(self.slots(goal, service, free, self.words.these_are_free())),
        }
    }

    async fn on_days(&self, goal: Goal, service: ServiceId, dates: &[Date]) -> Answer {
        let Some(first) = dates.first().copied() else {
            return self.nearest(goal, service).await;
        };
        for date in dates.iter().take(ALTERNATIVES) {
            let slots = self.desk.on_day(&service, *date).await?;
            if !slots.is_empty() {
                let intro = self.words.on_day(&service, *date);
                return Ok(self.slots(goal, service, slots, intro));
            }
        }
        let around = first
            .to_zoned(self.ctx.zone.clone())
            .ok()
            .map(|z| z.timestamp());
        let slots = self.desk.nearest(&service, around, ALTERNATIVES).await?;
        let intro = self.words.none_on_day(first);
        Ok(self.slots(goal, service, slots, intro))
    }

    /// Alternatives after a refusal: offered under `intro`, which already says whether there
    /// are any.
    fn alternatives(
        &self,
        goal: Goal,
        service: ServiceId,
        slots: Vec<Slot>,
        intro: String,
    ) -> (Step, Reply) {
        if slots.is_empty() {
            return self.say(intro);
        }
        self.slots(goal, service, slots, intro)
    }

    fn confirm(&self, goal: Goal, service: ServiceId, slot: Slot) -> (Step, Reply) {
        let step = Step::Confirm {
            goal,
            service,
            slot,
            offer: self.offer(),
        };
        let reply = self.menu(&step, String::new());
        (step, reply)
    }

    /// "Another time" instead of the one offered: the nearest others.
    async fn another(&self, goal: Goal, service: ServiceId, declined: Slot) -> Answer {
        let mut slots = self
            .desk
            .nearest(&service, Some(declined.start), ALTERNATIVES + 1)
            .await?;
        slots.retain(|s| *s != declined);
        slots.truncate(ALTERNATIVES);
        let intro = self.words.nearest(&service);
        Ok(self.slots(goal, service, slots, intro))
    }

    /// A pick with nothing open: the options it answered have lapsed; fresh ones.
    async fn start_over(&self) -> Answer {
        let (step, reply) = self.start(Vec::new()).await?;
        Ok((step, reply.after(&self.words.expired())))
    }

    async fn pick(&self, step: Step, n: usize) -> Answer {
        let max = step.options();
        if max == 0 {
            return self.start_over().await;
        }
        if n == 0 || n > max {
            let reply = self.menu(&step, self.words.out_of_range(n, max));
            return Ok((step, reply));
        }
        match step {
            Step::Idle => self.start_over().await,
            Step::Service {
                goal,
                mut services,
                when,
                ..
            } => self.proceed(goal, services.swap_remove(n - 1), when).await,
            Step::Slots {
                goal,
                service,
                slots,
                ..
            } => self.take(goal, service, slots[n - 1]).await,
            Step::Confirm {
                goal,
                service,
                slot,
                ..
            } if n == 1 => self.take(goal, service, slot).await,
            Step::Confirm {
                goal,
                service,
                slot,
                ..
            } => self.another(goal, service, slot).await,
            Step::Appointment {
                action,
                appointments,
                ..
            } => {
                let held = &appointments[n - 1];
                match action {
                    Action::Cancel => self.cancel_one(held).await,
                    Action::Change => {
                        self.proceed(held.moving(), held.service.clone(), Vec::new())
                            .await
                    }
                }
            }
        }
    }

    /// Books or moves to `slot`; a slot lost meanwhile gets fresh alternatives.
    async fn take(&self, goal: Goal, service: ServiceId, slot: Slot) -> Answer {
        let outcome = match &goal {
            Goal::Book => self.desk.book(&service, slot.start).await?,
            Goal::Move { appointment, .. } => {
                match self.desk.reschedule(appointment, slot.start).await? {
                    Some(outcome) => outcome,
                    None => return Ok(self.say(self.words.no_longer_changeable())),
                }
            }
        };
        Ok(match outcome {
            Outcome::Done(done) | Outcome::Repeat(done) => match goal {
                Goal::Book => self.say(self.words.booked(&done.service, done.slot.start)),
                Goal::Move { was, .. } => {
                    self.say(self.words.moved(&done.service, done.slot.start, was.start))
                }
            },
            Outcome::Taken { alternatives } => {
                let intro = self
                    .words
                    .taken_meanwhile(slot.start, !alternatives.is_empty());
                self.alternatives(goal, service, alternatives, intro)
            }
            Outcome::NotOffered {
                reason,
                alternatives,
            } => {
                let intro = self.words.refused(
                    slot.start,
                    reason.phrase(self.lang().code()),
                    !alternatives.is_empty(),
                );
                self.alternatives(goal, service, alternatives, intro)
            }
        })
    }

    /// The customer's booked appointments: those ahead, and those already started.
    async fn theirs(&self) -> Result<(Vec<Appointment>, Vec<Appointment>), BookingError> {
        let booked = self.desk.booked().await?;
        Ok(booked
            .into_iter()
            .partition(|a| a.slot.start > self.ctx.now))
    }

    async fn cancel(&self) -> Answer {
        let (ahead, started) = self.theirs().await?;
        match ahead.as_slice() {
            [] => self.nothing(Action::Cancel, &started).await,
            [only] => self.cancel_one(&Held::of(only)).await,
            several => Ok(self.which(Action::Cancel, several)),
        }
    }

    async fn change(&self, when: Vec<Candidate>) -> Answer {
        let (ahead, started) = self.theirs().await?;
        match ahead.as_slice() {
            [] => self.nothing(Action::Change, &started).await,
            [only] => {
                let held = Held::of(only);
                self.proceed(held.moving(), held.service.clone(), when)
                    .await
            }
            several => Ok(self.which(Action::Change, several)),
        }
    }

    fn which(&self, action: Action, appointments: &[Appointment]) -> (Step, Reply) {
        let step = Step::Appointment {
            action,
            appointments: appointments
                .iter()
                .take(MAX_APPOINTMENTS)
                .map(Held::of)
                .collect(),
            offer: self.offer(),
        };
        let reply = self.menu(&step, self.words.which_appointment(action));
        (step, reply)
    }

    /// Nothing ahead to cancel or change: one that already started, one already cancelled,
    /// or none at all.
    async fn nothing(&self, action: Action, started: &[Appointment]) -> Answer {
        if let Some(last) = started.last() {
            return Ok(self.say(self.words.past(&last.service, last.slot.start, action)));
        }
        let cancelled = self.desk.cancelled().await?;
        Ok(match cancelled.first() {
            Some(first) => self.say(
                self.words
                    .already_cancelled(&first.service, first.slot.start),
            ),
            None => self.say(self.words.none_booked()),
        })
    }

    async fn cancel_one(&self, held: &Held) -> Answer {
        let words = &self.words;
        Ok(match self.desk.cancel(&held.id).await? {
            CancelOutcome::Cancelled(a) | CancelOutcome::Repeat(a) => {
                self.say(words.cancelled(&a.service, a.slot.start))
            }
            CancelOutcome::NotBooked(a) if a.status == AppointmentStatus::Cancelled => {
                self.say(words.already_cancelled(&a.service, a.slot.start))
            }
            CancelOutcome::NotBooked(a) | CancelOutcome::Past(a) => {
                self.say(words.past(&a.service, a.slot.start, Action::Cancel))
            }
            CancelOutcome::NotFound => self.say(words.none_booked()),
        })
    }

    /// The reply that shows `step`'s options under `intro`.
    fn menu(&self, step: &Step, intro: String) -> Reply {
        let words = &self.words;
        let offer = step.offer().unwrap_or_default();
        let option = |n: usize, title: String, line: String| Opt {
            id: option_id(n, offer),
            title,
            line,
        };
        let (text, options, menu) = match step {
            Step::Idle => (intro, Vec::new(), Menu::None),
            Step::Service { services, .. } => {
                let options = services
                    .iter()
                    .enumerate()
                    .map(|(i, s)| option(i + 1, words.service(s), words.service(s)))
                    .collect();
                (intro, options, Menu::Numbered { times: false })
            }
            Step::Slots { slots, .. } => {
                let options = slots
                    .iter()
                    .enumerate()
                    .map(|(i, s)| option(i + 1, words.when_short(s.start), words.when(s.start)))
                    .collect();
                (intro, options, Menu::Numbered { times: true })
            }
            Step::Confirm {
                goal,
                service,
                slot,
                ..
            } => {
                let question = match goal {
                    Goal::Book => words.confirm_book(service, slot.start),
                    Goal::Move { .. } => words.confirm_move(service, slot.start),
                };
                let text = if intro.is_empty() {
                    question
                } else {
                    format!("{intro}\n{question}")
                };
                let [yes, other] = words.confirm_options();
                let options = vec![option(1, yes.clone(), yes), option(2, other.clone(), other)];
                (text, options, Menu::Confirm)
            }
            Step::Appointment { appointments, .. } => {
                let options = appointments
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        option(
                            i + 1,
                            words.when_short(a.slot.start),
                            words.appointment(&a.service, a.slot.start),
                        )
                    })
                    .collect();
                (intro, options, Menu::Numbered { times: false })
            }
        };
        Reply {
            lang: self.lang(),
            text,
            options,
            menu,
        }
    }
}
