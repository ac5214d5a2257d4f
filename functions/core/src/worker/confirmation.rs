//! The confirmation consumer (a `confirmation` job on the `notify` queue): after a phone
//! booking, the customer gets a message they keep. With the business's WhatsApp template for
//! its provider configured, that template (Twilio: `ContentSid` + `ContentVariables`; Meta: the
//! template's name, language and body parameters); otherwise an SMS through Twilio. Either way
//! it goes through [`crate::messaging`], so it is stored and status-tracked like every outbound
//! message, and the appointment's `confirmation` record names the message.
//!
//! Sent at most once per appointment once it succeeded or was refused: a redelivered job finds
//! the record and sends nothing. A provider that is down (unreachable, 5xx, 429) is retried
//! with the notify consumer's backoff; a refusal (an expired or rejected template, an SMS
//! refused) is recorded `failed` with its code at once. The booking stands either way.

use jiff::Timestamp;
use tracing::{error, info, warn, Instrument};

use super::notify::{FIRST_BACKOFF, MAX_RECEIVES};
use super::{backoff, Disposition, Worker};
use crate::booking::confirmation::Confirmation as Words;
use crate::domain::{
    AppointmentStatus, Business, Confirmation, ConfirmationChannel, ConfirmationTemplate,
    FollowUpState, Provider, WhatsAppAddress,
};
use crate::jobs::ConfirmationJob;
use crate::messaging::{self, Sent};
use crate::store::FollowUp;
use crate::whatsapp::send::{OutboundBody, SendError};

pub async fn process(worker: &Worker, job: &ConfirmationJob, receive_count: u32) -> Disposition {
    let span = tracing::info_span!(
        "confirmation",
        appointment_id = %job.appointment.id,
        receive_count,
    );
    async {
        match confirm(worker, job, receive_count).await {
            Ok(disposition) => disposition,
            Err(reason) => {
                warn!(reason, "store unavailable; confirmation retried later");
                Disposition::Retry {
                    after: backoff(FIRST_BACKOFF, receive_count),
                }
            }
        }
    }
    .instrument(span)
    .await
}

/// How the business confirms: its template when one is set for its own provider, else SMS.
fn channel(business: &Business) -> Option<&ConfirmationTemplate> {
    business
        .confirmation_template
        .as_ref()
        .filter(|t| t.provider() == business.whatsapp_provider)
}

async fn confirm(
    worker: &Worker,
    job: &ConfirmationJob,
    receive_count: u32,
) -> Result<Disposition, String> {
    let app = &worker.app;
    let store = app.store();
    let snapshot = &job.appointment;
    let earlier = store
        .follow_ups(&snapshot.id)
        .await
        .map_err(|e| e.to_string())?
        .confirmation;
    if let Some(earlier) = earlier.filter(|c| c.state != FollowUpState::Retrying) {
        info!(
            state = earlier.state.as_str(),
            "confirmation already settled; not sent again"
        );
        return Ok(Disposition::Done);
    }
    let Some(business) = store
        .business(&snapshot.business_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        info!("the appointment's business is not known; no confirmation");
        return Ok(Disposition::Done);
    };
    let template = channel(&business).cloned();
    let (kind, provider) = match &template {
        Some(template) => (ConfirmationChannel::WhatsappTemplate, template.provider()),
        None => (ConfirmationChannel::Sms, Provider::Twilio),
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
    let cancelled = store
        .appointment(&snapshot.id)
        .await
        .map_err(|e| e.to_string())?
        .is_some_and(|a| a.status == AppointmentStatus::Cancelled);
    if cancelled {
        info!("cancelled before its confirmation went out; none sent");
        keep(
            worker,
            &business,
            job,
            record(FollowUpState::Skipped, None, None),
        )
        .await?;
        return Ok(Disposition::Done);
    }

    let words = Words::of(&business, snapshot);
    let callback = messaging::configured_status_callback(app);
    let sent = match &template {
        Some(ConfirmationTemplate::Twilio { content_sid }) => {
            let body = OutboundBody::Content {
                sid: content_sid.clone(),
                variables: words.variables(),
            };
            let to = WhatsAppAddress::from(snapshot.phone.clone());
            messaging::send(app, &business, provider, &to, body, callback).await
        }
        Some(ConfirmationTemplate::Meta { name, language }) => {
            let body = OutboundBody::Template {
                name: name.clone(),
                language: language.clone(),
                components: Some(words.parameters()),
            };
            let to = WhatsAppAddress::from(snapshot.phone.clone());
            messaging::send(app, &business, provider, &to, body, None).await
        }
        None => {
            let text = words.sms(&business.name);
            messaging::send_sms(app, &business, &snapshot.phone, text, callback).await
        }
    };
    let sent = match sent {
        Ok(sent) => sent,
        Err(no_number) => {
            error!(metric = "confirmation_failed", error = %no_number, "confirmation not sent");
            let failed = SendError::NotConfigured(no_number.to_string());
            keep(
                worker,
                &business,
                job,
                record(FollowUpState::Failed, None, Some(&failed)),
            )
            .await?;
            return Ok(Disposition::Done);
        }
    };
    let (disposition, state) = match &sent.error {
        None => {
            info!(
                channel = kind.as_str(),
                message_id = %sent.message.id,
                "confirmation sent"
            );
            (Disposition::Done, FollowUpState::Done)
        }
        Some(err) if err.is_retryable() && receive_count < MAX_RECEIVES => {
            let after = backoff(FIRST_BACKOFF, receive_count);
            warn!(error = %err, retry_in_s = after.as_secs(), "confirmation not sent; will retry");
            (Disposition::Retry { after }, FollowUpState::Retrying)
        }
        Some(err) => {
            error!(
                metric = "confirmation_failed",
                channel = kind.as_str(),
                code = err.code(),
                error = %err,
                "confirmation not sent; the booking stands"
            );
            let disposition = if err.is_retryable() {
                // Every receive used: the job goes to the dead-letter queue.
                Disposition::Retry {
                    after: backoff(FIRST_BACKOFF, receive_count),
                }
            } else {
                Disposition::Done
            };
            (disposition, FollowUpState::Failed)
        }
    };
    keep(
        worker,
        &business,
        job,
        record(state, Some(&sent), sent.error.as_ref()),
    )
    .await?;
    Ok(disposition)
}

async fn keep(
    worker: &Worker,
    business: &Business,
    job: &ConfirmationJob,
    record: Confirmation,
) -> Result<(), String> {
    worker
        .app
        .store()
        .put_follow_up(
            &job.appointment.id,
            &business.id,
            &FollowUp::Confirmation(record),
        )
        .await
        .map_err(|e| e.to_string())
}
