//! Owner alerts: the owner hears about every voicemail, missed call and booking on their own
//! phone or inbox within a minute, with who called, when, a summary, how urgent it is and
//! links to the inbox and the recording; then a daily digest.
//!
//! The path: the `notify` consumer (`worker::notify`), handling a call's `call.completed` or an
//! appointment's event, first assesses the call once ([`triage`]: rules, the optional summary endpoint,
//! Twilio Lookup) and keeps that with the transcript, then queues one [`AlertJob`] per
//! recipient ([`on_call_completed`], [`on_appointment`]), reusing the call and business the
//! consumer already read. The alert consumer (`worker::alert`) writes the alert
//! ([`compose`]) when it goes out and sends it ([`send`]), once per event and recipient (its
//! [`AlertRecord`](crate::domain::AlertRecord) is claimed before sending), holding it through
//! the business's quiet hours unless urgent. A caller screened as spam or blocked alerts
//! nobody: the call waits for the [`digest`].

pub mod compose;
pub mod digest;
pub mod email;
pub mod lookup;
pub mod rules;
pub mod send;
pub mod summary;
pub mod triage;

use jiff::Timestamp;
use tracing::{info, warn};

use crate::app::App;
use crate::domain::{
    AlertKind, AlertRecord, AlertState, Business, Call, CallOutcome, TranscriptionState, Triage,
    Urgency,
};
use crate::jobs::{AlertAbout, AlertJob, AppointmentEvent, AppointmentJob};

/// Whether a finished call is one the owner hears about, and as what.
pub fn call_alert_kind(call: &Call) -> Option<AlertKind> {
    if call.direction.is_outbound() {
        return None;
    }
    match call.outcome() {
        CallOutcome::Voicemail => match call.transcription {
            Some(TranscriptionState::Pending | TranscriptionState::Queued) => None,
            Some(TranscriptionState::Ready) => Some(AlertKind::Voicemail),
            Some(TranscriptionState::Failed | TranscriptionState::Skipped) | None => {
                Some(AlertKind::VoicemailUntranscribed)
            }
        },
        CallOutcome::Missed if call.status.is_final() => Some(AlertKind::MissedCall),
        _ => None,
    }
}

/// The call's triage: the stored one, else assessed now and kept.
pub async fn triage_of(
    app: &App,
    http: &reqwest::Client,
    business: &Business,
    call: &Call,
) -> Result<Triage, String> {
    let store = app.store();
    let media = store
        .call_media(&call.sid)
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    if let Some(triage) = media.triage {
        return Ok(triage);
    }
    let triage = triage::assess(app, http, business, call, &media).await;
    store
        .set_call_triage(&call.sid, &triage)
        .await
        .map_err(|e| e.to_string())?;
    Ok(triage)
}

/// A finished call's alerts: the call is assessed (once), and unless the caller is blocked or
/// screened, one alert job per recipient is queued. `Err`: the store or the queue failed; the
/// event is retried, and a job queued before that is dropped by its claim.
pub async fn on_call_completed(
    app: &App,
    http: &reqwest::Client,
    business: &Business,
    call: &Call,
) -> Result<(), String> {
    let Some(kind) = call_alert_kind(call) else {
        return Ok(());
    };
    if call.contact().is_some_and(|c| business.blocks(c.as_str())) {
        info!("blocked caller; no alert");
        return Ok(());
    }
    let triage = triage_of(app, http, business, call).await?;
    if let Some(reason) = &triage.spam {
        return screen(app, business, call, kind, &triage, reason).await;
    }
    let about = AlertAbout::Call {
        call_sid: call.sid.clone(),
    };
    queue_alerts(app, business, about).await
}

/// An appointment booked or cancelled: one alert job per recipient (a reschedule alerts
/// nobody).
pub async fn on_appointment(
    app: &App,
    business: &Business,
    job: &AppointmentJob,
) -> Result<(), String> {
    if !matches!(
        job.event,
        AppointmentEvent::Booked | AppointmentEvent::Cancelled
    ) {
        return Ok(());
    }
    let about = AlertAbout::Appointment {
        event: job.event,
        appointment: job.appointment.clone(),
    };
    queue_alerts(app, business, about).await
}

/// One alert job about `about` per recipient of `business`.
async fn queue_alerts(app: &App, business: &Business, about: AlertAbout) -> Result<(), String> {
    let Some(settings) = business.alerts.as_ref().filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    for recipient in &settings.recipients {
        let alert = AlertJob {
            business_id: business.id.clone(),
            about: about.clone(),
            recipient: recipient.clone(),
        };
        app.queue()
            .send(&alert.message())
            .await
            .map_err(|e| format!("alert not queued: {e}"))?;
    }
    info!(recipients = settings.recipients.len(), "alerts queued");
    Ok(())
}

/// Keeps a screened call's record (`doctor` and the inbox show the rule's hits); nobody is
/// alerted, the digest lists it apart.
async fn screen(
    app: &App,
    business: &Business,
    call: &Call,
    kind: AlertKind,
    triage: &Triage,
    reason: &str,
) -> Result<(), String> {
    let now = Timestamp::now();
    let record = AlertRecord {
        business_id: business.id.clone(),
        key: format!(
            "{}:screened",
            AlertJob::about_key(&AlertAbout::Call {
                call_sid: call.sid.clone()
            })
        ),
        kind,
        recipient: String::new(),
        state: AlertState::Screened,
        urgency: triage.urgency.min(Urgency::Low),
        note: Some(reason.to_string()),
        attempts: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    match app.store().claim_alert(&record).await {
        Ok(_) => {
            info!(reason, "caller screened; for the digest only");
            Ok(())
        }
        Err(err) => {
            warn!(error = %err, "screening not recorded");
            Err(err.to_string())
        }
    }
}
