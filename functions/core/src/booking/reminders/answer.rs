//! A customer's answer to a reminder, over WhatsApp: a button (Meta's quick reply or
//! interactive reply, Twilio's `ButtonPayload`: `confirm`/`cancel`, or
//! `reminder:confirm:{appointment id}`), or the text `1`/`2`, `אישור`/`ביטול`,
//! `confirm`/`cancel`. It applies to the customer's own appointment that was reminded (the
//! soonest booked one ahead with a reminder sent; the one a button or a reminder call names,
//! which needs no reminder record: a CRM may place a reminder call itself), never another
//! customer's or a past one.
//!
//! Cancel goes through the booking engine ([`crate::booking::cancel`]): the slot is freed,
//! `appointment.cancelled` raised, the follow-ups run. Confirm is recorded on the reminder
//! (`answer: confirmed`, shown in listings) and raises no event: the appointment does not
//! change. A bare `1`/`2` is the reminder's only while the booking dialogue has no open
//! question (its numbers pick its options).

use jiff::Timestamp;
use tracing::{info, warn};

use super::super::dialogue::state::{Lang, Reply};
use super::super::{cancel, owned, BookingError, CancelOutcome};
use crate::app::App;
use crate::domain::{
    Appointment, AppointmentId, AppointmentStatus, Business, PhoneNumber, Reminder, ReminderAnswer,
    ReminderState, RequestKey,
};

/// What the customer said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    pub answer: ReminderAnswer,
    /// The appointment a button named.
    pub appointment: Option<AppointmentId>,
}

fn word(value: &str) -> Option<ReminderAnswer> {
    let value = value
        .trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_lowercase();
    match value.as_str() {
        "1" | "confirm" | "אישור" | "מאשר" | "מאשרת" => {
            Some(ReminderAnswer::Confirmed)
        }
        "2" | "cancel" | "ביטול" | "בטל" => Some(ReminderAnswer::Cancelled),
        _ => None,
    }
}

/// Reads an answer from a button's payload, else from the text.
pub fn read(text: &str, reply: Option<&str>) -> Option<Said> {
    if let Some(reply) = reply {
        if let Some(rest) = reply.strip_prefix("reminder:") {
            let (answer, id) = rest.split_once(':')?;
            return Some(Said {
                answer: word(answer)?,
                appointment: Some(AppointmentId::parse(id).ok()?),
            });
        }
        if let Some(answer) = word(reply) {
            return Some(Said {
                answer,
                appointment: None,
            });
        }
    }
    word(text).map(|answer| Said {
        answer,
        appointment: None,
    })
}

/// The customer's reminded appointment the answer is for, with its latest sent reminder (none
/// needed for a named appointment).
async fn reminded(
    app: &App,
    business: &Business,
    phone: &PhoneNumber,
    named: Option<&AppointmentId>,
    now: Timestamp,
) -> Result<Option<(Appointment, Option<Reminder>)>, BookingError> {
    let candidates = match named {
        Some(id) => owned(app, business, id)
            .await?
            .filter(|a| &a.phone == phone)
            .into_iter()
            .collect(),
        None => {
            app.store()
                .customer_appointments(&business.id, phone, now)
                .await?
        }
    };
    for appointment in candidates {
        if appointment.status != AppointmentStatus::Booked || appointment.slot.start <= now {
            continue;
        }
        let sent = app
            .store()
            .reminders(&appointment.id)
            .await?
            .into_iter()
            .filter(|r| r.state == ReminderState::Sent && r.start == appointment.slot.start)
            .min_by_key(|r| r.offset_minutes);
        if sent.is_some() || named.is_some() {
            return Ok(Some((appointment, sent)));
        }
    }
    Ok(None)
}

/// Acts on `said` for the customer `phone`; the reply, or `None` when it is no answer to a
/// reminder (no reminded appointment ahead): the dialogue reads the message then.
pub async fn answer(
    app: &App,
    business: &Business,
    phone: &PhoneNumber,
    said: &Said,
    request: &RequestKey,
    lang: Lang,
    now: Timestamp,
) -> Result<Option<Reply>, BookingError> {
    let Some((appointment, reminder)) =
        reminded(app, business, phone, said.appointment.as_ref(), now).await?
    else {
        return Ok(None);
    };
    let words = super::Words::of(business, &(&appointment).into());
    let (service, day, time) = (&words.parts.service, &words.parts.day, &words.parts.time);
    let text = match said.answer {
        ReminderAnswer::Confirmed => match lang {
            Lang::He => format!("תודה! התור ל{service} ב{day} בשעה {time} מאושר."),
            Lang::En => {
                format!("Thank you! Your {service} appointment on {day} at {time} is confirmed.")
            }
        },
        ReminderAnswer::Cancelled => {
            match cancel(app, business, &appointment.id, request, now).await? {
                CancelOutcome::Cancelled(_) | CancelOutcome::Repeat(_) => match lang {
                    Lang::He => format!("התור ל{service} ב{day} בשעה {time} בוטל."),
                    Lang::En => {
                        format!("Your {service} appointment on {day} at {time} is cancelled.")
                    }
                },
                other => {
                    info!(?other, "reminder answer: not cancelled");
                    match lang {
                        Lang::He => "התור הזה כבר אינו פעיל.".to_string(),
                        Lang::En => "That appointment is no longer active.".to_string(),
                    }
                }
            }
        }
    };
    if let Some(mut reminder) = reminder {
        reminder.answer = Some(said.answer);
        reminder.answered_at = Some(now);
        if let Err(err) = app.store().save_reminder(&reminder).await {
            warn!(appointment_id = %appointment.id, error = %err, "reminder answer not recorded");
        }
    }
    info!(appointment_id = %appointment.id, answer = said.answer.as_str(), "reminder answered");
    Ok(Some(Reply::text(lang, text)))
}
