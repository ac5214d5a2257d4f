//! The reminder consumer (a `reminder` job on the `notify` queue): the customer is reminded of
//! an appointment, once, by the business's chosen channel — its WhatsApp template for its
//! provider (Twilio `ContentSid` + `ContentVariables`, or Meta's template name, language and
//! body parameters), or an SMS; a WhatsApp reminder without a template goes as an SMS, logged
//! (`metric=reminder_sms_fallback`). Through [`crate::messaging`], so it is stored and
//! status-tracked like every outbound message. A voice reminder is a call placed through
//! [`crate::dial`] (paced like every placement, left after the beep on an answering machine)
//! that says the appointment in words when answered and takes 1 to confirm and 2 to cancel
//! (`/webhook/outbound_call`); it is `sent` once Twilio has the call, under the CallSid.
//!
//! The appointment is read first: a reminder for one cancelled meanwhile (even a second before
//! the job runs), moved (the job's start is not the appointment's), or already begun is
//! `skipped`. A redelivered job finds the reminder settled and sends nothing. A provider that
//! is down is retried with the notify backoff; a refusal is `failed` at once with its code.

use std::time::Duration;

use jiff::Timestamp;
use tracing::{error, info, warn, Instrument};

use super::notify::{FIRST_BACKOFF, MAX_RECEIVES};
use super::{backoff, Disposition, Worker};
use crate::booking::reminders::Words;
use crate::dial::calls_api::CallsApiError;
use crate::dial::{self, DialError, DialRequest, Origin, Script};
use crate::domain::{
    Appointment, AppointmentStatus, Business, Confirmation, ConfirmationChannel,
    ConfirmationTemplate, FollowUpState, Provider, Purpose, Reminder, ReminderChannel,
    ReminderState, Requester, WhatsAppAddress,
};
use crate::jobs::{AppointmentSnapshot, ReminderJob};
use crate::messaging::{self, Sent};
use crate::whatsapp::send::{OutboundBody, SendError};

pub async fn process(worker: &Worker, job: &ReminderJob, receive_count: u32) -> Disposition {
    let span = tracing::info_span!(
        "reminder",
        appointment_id = %job.appointment_id,
        offset_minutes = job.offset_minutes,
        receive_count,
    );
    async {
        match remind(worker, job, receive_count, Timestamp::now()).await {
            Ok(disposition) => disposition,
            Err(reason) => {
                warn!(reason, "store unavailable; reminder retried later");
                Disposition::Retry {
                    after: backoff(FIRST_BACKOFF, receive_count),
                }
            }
        }
    }
    .instrument(span)
    .await
}

/// The template the business reminds with, when it has one for its own provider.
fn template(business: &Business) -> Option<&ConfirmationTemplate> {
    business
        .reminders
        .as_ref()
        .filter(|s| s.channel == ReminderChannel::Whatsapp)
        .and_then(|s| s.template.as_ref())
        .filter(|t| t.provider() == business.whatsapp_provider)
}

async fn save(worker: &Worker, reminder: &Reminder) -> Result<(), String> {
    let kept = worker
        .app
        .store()
        .save_reminder(reminder)
        .await
        .map_err(|e| e.to_string())?;
    if !kept {
        info!("the reminder was moved or dropped meanwhile; its record stays as it is");
    }
    Ok(())
}

async fn skip(
    worker: &Worker,
    mut reminder: Reminder,
    reason: &str,
) -> Result<Disposition, String> {
    info!(reason, "reminder not sent");
    reminder.state = ReminderState::Skipped;
    reminder.reason = Some(reason.to_string());
    save(worker, &reminder).await?;
    Ok(Disposition::Done)
}

async fn remind(
    worker: &Worker,
    job: &ReminderJob,
    receive_count: u32,
    now: Timestamp,
) -> Result<Disposition, String> {
    let app = &worker.app;
    let store = app.store();
    let stored = store
        .reminders(&job.appointment_id)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|r| r.offset_minutes == job.offset_minutes);
    let Some(mut reminder) = stored.filter(|r| r.start == job.start) else {
        info!("reminder dropped or moved since it was queued; none sent");
        return Ok(Disposition::Done);
    };
    if reminder.state.is_settled() {
        info!(
            state = reminder.state.as_str(),
            "reminder already settled; not sent again"
        );
        return Ok(Disposition::Done);
    }
    let appointment = store
        .appointment(&job.appointment_id)
        .await
        .map_err(|e| e.to_string())?;
    let Some(appointment) = appointment else {
        return skip(worker, reminder, "the appointment is gone").await;
    };
    if appointment.status != AppointmentStatus::Booked {
        return skip(worker, reminder, "the appointment was cancelled").await;
    }
    if appointment.slot.start != job.start {
        return skip(worker, reminder, "the appointment was moved").await;
    }
    if appointment.slot.start <= now {
        return skip(worker, reminder, "the appointment has started").await;
    }
    let Some(business) = store
        .business(&job.business_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return skip(worker, reminder, "the business is gone").await;
    };
    let Some(settings) = business.reminders.as_ref() else {
        return skip(worker, reminder, "the business turned reminders off").await;
    };
    if settings.channel == ReminderChannel::Voice {
        return call(worker, reminder, &business, &appointment, receive_count).await;
    }
    let template = template(&business).cloned();
    if settings.channel == ReminderChannel::Whatsapp && template.is_none() {
        warn!(
            metric = "reminder_sms_fallback",
            business_id = %business.id,
            "no WhatsApp template for the business's provider; the reminder goes as an SMS"
        );
        reminder.fell_back_to_sms = true;
    }
    let (kind, provider) = match &template {
        Some(template) => (ConfirmationChannel::WhatsappTemplate, template.provider()),
        None => (ConfirmationChannel::Sms, Provider::Twilio),
    };
    let snapshot = AppointmentSnapshot::from(&appointment);
    let words = Words::of(&business, &snapshot);
    let callback = messaging::configured_status_callback(app);
    let to = WhatsAppAddress::from(appointment.phone.clone());
    let sent = match &template {
        Some(ConfirmationTemplate::Twilio { content_sid }) => {
            let body = OutboundBody::Content {
                sid: content_sid.clone(),
                variables: words.parts.variables(),
            };
            messaging::send(app, &business, provider, &to, body, callback).await
        }
        Some(ConfirmationTemplate::Meta { name, language }) => {
            let body = OutboundBody::Template {
                name: name.clone(),
                language: language.clone(),
                components: Some(words.parts.parameters()),
            };
            messaging::send(app, &business, provider, &to, body, None).await
        }
        None => {
            let text = words.sms(&business.name);
            messaging::send_sms(app, &business, &appointment.phone, text, callback).await
        }
    };
    let record = |state, sent: Option<&Sent>, error: Option<&SendError>| Confirmation {
        channel: kind,
        provider,
        state,
        message_id: sent.map(|s| s.message.id.clone()),
        message_status: sent.map(|s| s.message.status),
        error_code: error.map(SendError::code),
        error: error.map(ToString::to_string),
        attempts: receive_count,
        at: Timestamp::now(),
    };
    let sent = match sent {
        Ok(sent) => sent,
        Err(no_number) => {
            error!(metric = "reminder_failed", error = %no_number, "reminder not sent");
            let failed = SendError::NotConfigured(no_number.to_string());
            reminder.state = ReminderState::Failed;
            reminder.outcome = Some(record(FollowUpState::Failed, None, Some(&failed)));
            save(worker, &reminder).await?;
            return Ok(Disposition::Done);
        }
    };
    let (disposition, state, follow_up) = match &sent.error {
        None => {
            info!(channel = kind.as_str(), message_id = %sent.message.id, "reminder sent");
            (Disposition::Done, ReminderState::Sent, FollowUpState::Done)
        }
        Some(err) if err.is_retryable() && receive_count < MAX_RECEIVES => {
            let after = backoff(FIRST_BACKOFF, receive_count);
            warn!(error = %err, retry_in_s = after.as_secs(), "reminder not sent; will retry");
            (
                Disposition::Retry { after },
                ReminderState::Retrying,
                FollowUpState::Retrying,
            )
        }
        Some(err) => {
            error!(metric = "reminder_failed", channel = kind.as_str(), code = err.code(), error = %err, "reminder not sent");
            let disposition = if err.is_retryable() {
                Disposition::Retry {
                    after: backoff(FIRST_BACKOFF, receive_count),
                }
            } else {
                Disposition::Done
            };
            (disposition, ReminderState::Failed, FollowUpState::Failed)
        }
    };
    reminder.state = state;
    reminder.outcome = Some(record(follow_up, Some(&sent), sent.error.as_ref()));
    save(worker, &reminder).await?;
    Ok(disposition)
}

/// The longest a voice reminder waits for a free second of the account's pacing before its job
/// is put back for later.
const CALL_PACING_WAIT: Duration = Duration::from_secs(10);

/// A voice reminder: the call placed through [`dial`], keyed by appointment, offset and start,
/// so a redelivered job never places a second call.
async fn call(
    worker: &Worker,
    mut reminder: Reminder,
    business: &Business,
    appointment: &Appointment,
    receive_count: u32,
) -> Result<Disposition, String> {
    let app = &worker.app;
    let request = DialRequest {
        to: appointment.phone.clone(),
        purpose: Purpose::reminder(),
        script: Script::Reminder {
            appointment: appointment.id.clone(),
        },
        requested_by: Requester::component("reminders"),
        request_key: Some(format!(
            "reminder:{}:{}:{}",
            appointment.id,
            reminder.offset_minutes,
            reminder.start.as_second()
        )),
        max_wait: CALL_PACING_WAIT,
    };
    let record = |state, code: Option<String>, error: Option<String>| Confirmation {
        channel: ConfirmationChannel::Voice,
        provider: Provider::Twilio,
        state,
        message_id: None,
        message_status: None,
        error_code: code,
        error,
        attempts: receive_count,
        at: Timestamp::now(),
    };
    let placed = dial::place(app, business, Origin::Configured, request).await;
    let (disposition, state, outcome) = match placed {
        Ok(dialled) => {
            info!(call_sid = %dialled.call_sid, replayed = dialled.replayed, "reminder call placed");
            reminder.call_sid = Some(dialled.call_sid);
            (
                Disposition::Done,
                ReminderState::Sent,
                record(FollowUpState::Done, None, None),
            )
        }
        Err(
            err @ (DialError::Busy(_)
            | DialError::Store(_)
            | DialError::Twilio(CallsApiError::Unavailable { .. })),
        ) if receive_count < MAX_RECEIVES => {
            let after = backoff(FIRST_BACKOFF, receive_count);
            warn!(error = %err, retry_in_s = after.as_secs(), "reminder call not placed; will retry");
            (
                Disposition::Retry { after },
                ReminderState::Retrying,
                record(FollowUpState::Retrying, None, Some(err.to_string())),
            )
        }
        Err(err) => {
            let code = match &err {
                DialError::Twilio(CallsApiError::Refused { code, .. }) => code.clone(),
                _ => None,
            };
            error!(metric = "reminder_failed", channel = "voice", error = %err, "reminder call not placed");
            (
                Disposition::Done,
                ReminderState::Failed,
                record(FollowUpState::Failed, code, Some(err.to_string())),
            )
        }
    };
    reminder.state = state;
    reminder.outcome = Some(outcome);
    save(worker, &reminder).await?;
    Ok(disposition)
}
