//! What Frontdesk makes of a finished call, once: the rules (urgent words, a repeat caller),
//! the summary endpoint when the business asks for it and it answers well, and screening
//! (Twilio Lookup's line type, a summary that says spam). Kept with the transcript, shown in
//! the inbox, sent in `call.completed`, and read by the alert.

use jiff::SignedDuration;
use tracing::{info, warn};

use super::lookup::look_up;
use super::rules::{rule_urgency, urgent_words_in, without_instructions};
use super::summary::{self, Endpoint};
use crate::app::App;
use crate::domain::time::instant;
use crate::domain::{
    AlertSettings, Business, Call, CallMedia, Direction, Intent, Triage, TriageSource, Urgency,
};

/// Calls from the same number within this long before a call make it a repeat.
pub const REPEAT_WINDOW: SignedDuration = SignedDuration::from_hours(1);

/// How many other inbound calls the caller made to the business within [`REPEAT_WINDOW`]
/// before `call`.
async fn repeat_calls(app: &App, business: &Business, call: &Call) -> usize {
    let (Some(contact), Some(started)) = (call.contact(), call.started_at.and_then(instant)) else {
        return 0;
    };
    match app
        .store()
        .calls_with(&business.id, &contact, None, 10)
        .await
    {
        Ok(page) => page
            .calls
            .iter()
            .filter(|c| c.sid != call.sid && c.direction == Direction::Inbound)
            .filter_map(|c| c.started_at.and_then(instant))
            .filter(|at| *at <= started && started.duration_since(*at) <= REPEAT_WINDOW)
            .count(),
        Err(err) => {
            warn!(error = %err, "caller's earlier calls unreadable; not counted as a repeat");
            0
        }
    }
}

fn endpoint(app: &App) -> Option<Endpoint> {
    let settings = &app.config().worker;
    Some(Endpoint {
        base: settings.summary_api_base.clone()?,
        key: settings.summary_api_key.clone(),
        model: settings.summary_model.clone(),
        timeout: settings.summary_timeout,
    })
}

/// Assesses `call` (with its `media`) for `business`, asking the summary endpoint and Lookup
/// through `http`.
pub async fn assess(
    app: &App,
    http: &reqwest::Client,
    business: &Business,
    call: &Call,
    media: &CallMedia,
) -> Triage {
    let none = AlertSettings::default();
    let settings = business.alerts.as_ref().unwrap_or(&none);
    let transcript = media.transcript.as_deref().unwrap_or_default();
    let (spoken, instructed) = without_instructions(transcript);
    let mut reasons = Vec::new();
    if instructed {
        reasons.push("instruction in the transcript ignored".to_string());
    }
    let words = urgent_words_in(&spoken, &settings.urgent_words);
    reasons.extend(words.iter().map(|w| format!("keyword: {w}")));
    let repeats = repeat_calls(app, business, call).await;
    if repeats > 0 {
        reasons.push(format!("repeat caller: {} within the hour", repeats + 1));
    }
    let rules = rule_urgency(&words, repeats);
    let mut triage = Triage {
        summary: None,
        intent: None,
        urgency: rules,
        callback: None,
        source: TriageSource::Rules,
        reasons,
        spam: None,
        caller_name: None,
        line_type: None,
    };

    let wants_summary = settings.summaries && !spoken.trim().is_empty();
    if let Some(endpoint) = endpoint(app).filter(|_| wants_summary) {
        match summary::summarise(http, &endpoint, &business.name, &business.language, &spoken).await
        {
            Ok(answer) => {
                triage.summary = Some(answer.summary);
                triage.source = TriageSource::Model;
                if instructed {
                    // Only the summary's words may come from a transcript that tried to steer.
                    triage
                        .reasons
                        .push("model's intent and urgency set aside".into());
                } else {
                    triage.intent = Some(answer.intent);
                    triage.callback = answer.callback;
                    // The rules only raise: an urgent word or a repeat caller stays urgent.
                    triage.urgency = if rules == Urgency::High {
                        Urgency::High
                    } else {
                        answer.urgency
                    };
                    if answer.intent == Intent::Spam {
                        triage.spam = Some("summary: spam".into());
                    }
                }
            }
            Err(err) => {
                warn!(error = %err, "no summary; urgency by the rules");
                triage.reasons.push(err.to_string());
            }
        }
    }

    if settings.lookup {
        if let Some(contact) = call.contact().filter(|_| !call.direction.is_outbound()) {
            if let Some(found) = look_up(app, http, &contact).await {
                if let Some(line_type) = &found.line_type {
                    if settings.screen_line_types.iter().any(|t| t == line_type) {
                        triage.spam = Some(format!("line type: {line_type}"));
                    }
                }
                triage.caller_name = found.caller_name;
                triage.line_type = found.line_type;
            }
        }
    }
    info!(
        urgency = triage.urgency.as_str(),
        source = ?triage.source,
        spam = triage.spam.as_deref(),
        "call assessed"
    );
    triage
}
