//! `POST /webhook/outbound_call?placement={id}`: Twilio asks what the callee of a call
//! Frontdesk placed hears; the placement (written before Twilio was asked) says. A placement
//! still pending (its placing process died before storing the call) is settled here.
//!
//! A reminder's words are composed here, from the appointment as it is when the callee answers
//! (the day and time in words, [`crate::phone::reminder_text`]); one no longer booked ahead is
//! said to be so. Its `<Gather>` posts the key the callee pressed back here: 1 confirms, 2
//! cancels the appointment through the booking engine (the slot freed, `appointment.cancelled`
//! raised), as the customer's WhatsApp answer would; any other key hears the reminder again.

use jiff::Timestamp;
use tracing::{info, warn};

use crate::app::App;
use crate::booking::dialogue::state::Lang;
use crate::booking::reminders::answer::{self as reminder, Said};
use crate::dial::{self, answer};
use crate::domain::{
    AppointmentId, AppointmentStatus, CallSid, Hears, Placement, PlacementId, ReminderAnswer,
    RequestKey,
};
use crate::http::routes::Route;
use crate::http::{form, response, InboundRequest, Response};
use crate::twilio::twiml::VoiceResponse;
use crate::voice::{self, VOICE_DEADLINE};

pub async fn outbound_call(app: &App, request: &InboundRequest) -> Response {
    let (form, call_sid) = match voice::verify_call(app, request) {
        Ok(verified) => verified,
        Err(rejected) => return rejected.into_response(),
    };
    let id = form::parse(request.raw_query.as_bytes())
        .ok()
        .and_then(|query| query.non_empty("placement").map(PlacementId::parse));
    let id = match id {
        Some(Ok(id)) => id,
        Some(Err(err)) => return response::bad_request(&err.to_string()),
        None => return response::bad_request("the placement query parameter is required"),
    };
    let action = format!(
        "{}?placement={id}",
        voice::callback_url(app, request, Route::OutboundCall)
    );
    let work = async {
        let placement = app.store().placement(&id).await?;
        Ok::<_, crate::store::StoreError>(match placement {
            Some(placement) => Some(dial::settle_late(app, &placement, &call_sid).await),
            None => None,
        })
    };
    let document = match tokio::time::timeout(VOICE_DEADLINE, work).await {
        Ok(Ok(Some(placement))) => match (&placement.hears, form.non_empty("Digits")) {
            (
                Hears::Reminder {
                    language,
                    appointment,
                },
                digits,
            ) => {
                let reminder = Reminder {
                    placement: &placement,
                    language,
                    appointment,
                    action: &action,
                };
                match digits {
                    Some(digits) => reminder.key(app, &call_sid, digits).await,
                    None => {
                        info!(
                            placement = %id,
                            answered_by = form.get("AnsweredBy").unwrap_or_default(),
                            "reminder callee answered"
                        );
                        reminder.said(app).await
                    }
                }
            }
            _ => {
                info!(
                    placement = %id,
                    answered_by = form.get("AnsweredBy").unwrap_or_default(),
                    "callee answered"
                );
                answer::twiml(&placement)
            }
        },
        Ok(Ok(None)) => {
            warn!(placement = %id, "unknown placement; hanging up");
            answer::unknown()
        }
        Ok(Err(err)) => {
            warn!(placement = %id, error = %err, "placement unreadable; hanging up");
            answer::unknown()
        }
        Err(_) => {
            warn!(placement = %id, "store too slow; hanging up");
            answer::unknown()
        }
    };
    response::twiml(document.to_xml())
}

/// A placed reminder call: its placement, what it says and where its key goes.
struct Reminder<'a> {
    placement: &'a Placement,
    language: &'a str,
    appointment: &'a AppointmentId,
    /// This route's URL for the placement.
    action: &'a str,
}

impl Reminder<'_> {
    /// The reminder, from its appointment and business as they are now; an appointment no longer
    /// booked ahead (cancelled, moved into the past, gone) is said to be so.
    async fn said(&self, app: &App) -> VoiceResponse {
        let Self {
            placement,
            language,
            appointment,
            action,
        } = *self;
        let now = Timestamp::now();
        let read = async {
            let business = app.store().business(&placement.business_id).await?;
            let appointment = app.store().appointment(appointment).await?;
            Ok::<_, crate::store::StoreError>(business.zip(appointment))
        };
        match tokio::time::timeout(VOICE_DEADLINE, read).await {
            Ok(Ok(Some((business, appointment))))
                if appointment.business_id == business.id
                    && appointment.status == AppointmentStatus::Booked
                    && appointment.slot.start > now =>
            {
                let text = crate::phone::reminder_text(&business, &appointment, now);
                answer::reminder(&text, language, action)
            }
            Ok(Ok(_)) => answer::answered(no_longer(language), language),
            Ok(Err(err)) => {
                warn!(appointment_id = %appointment, error = %err, "reminder unreadable");
                answer::answered(try_later(language), language)
            }
            Err(_) => {
                warn!(appointment_id = %appointment, "store too slow for the reminder");
                answer::answered(try_later(language), language)
            }
        }
    }

    /// The key a reminder's callee pressed: its answer said back, or the reminder again.
    async fn key(&self, app: &App, call_sid: &CallSid, digits: &str) -> VoiceResponse {
        let Self {
            placement,
            language,
            appointment,
            ..
        } = *self;
        let said = match digits.trim() {
            "1" => ReminderAnswer::Confirmed,
            "2" => ReminderAnswer::Cancelled,
            other => {
                info!(digits = other, "not an answer to the reminder; said again");
                return self.said(app).await;
            }
        };
        let said = Said {
            answer: said,
            appointment: Some(appointment.clone()),
        };
        match answer_reminder(app, placement, call_sid, &said, language).await {
            Ok(Some(text)) => answer::answered(&text, language),
            Ok(None) => {
                info!(appointment_id = %appointment, "reminded appointment no longer ahead");
                answer::answered(no_longer(language), language)
            }
            Err(err) => {
                warn!(appointment_id = %appointment, error = %err, "reminder answer not applied");
                answer::answered(try_later(language), language)
            }
        }
    }
}

async fn answer_reminder(
    app: &App,
    placement: &Placement,
    call_sid: &CallSid,
    said: &Said,
    language: &str,
) -> Result<Option<String>, String> {
    let work = async {
        let Some(business) = app.store().business(&placement.business_id).await? else {
            return Ok(None);
        };
        // One answer per call: Twilio retrying the key's request cancels nothing twice.
        let request = RequestKey::new("voice", &[call_sid.as_str(), "reminder"])
            .map_err(|_| crate::booking::BookingError::NotConfigured)?;
        let reply = reminder::answer(
            app,
            &business,
            &placement.to,
            said,
            &request,
            Lang::of_setting(language),
            Timestamp::now(),
        )
        .await?;
        Ok(reply.map(|reply| reply.text))
    };
    match tokio::time::timeout(VOICE_DEADLINE, work).await {
        Ok(result) => result.map_err(|e: crate::booking::BookingError| e.to_string()),
        Err(_) => Err("store too slow".into()),
    }
}

fn no_longer(language: &str) -> &'static str {
    match Lang::of_setting(language) {
        Lang::He => "התור הזה כבר אינו פעיל. להתראות.",
        Lang::En => "That appointment is no longer active. Goodbye.",
    }
}

fn try_later(language: &str) -> &'static str {
    match Lang::of_setting(language) {
        Lang::He => "לא הצלחנו לעדכן את התור כרגע. נסו שוב מאוחר יותר. להתראות.",
        Lang::En => {
            "We could not update your appointment right now. Please try again later. Goodbye."
        }
    }
}
