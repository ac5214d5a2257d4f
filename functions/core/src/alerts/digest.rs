//! The daily digest: at the business's chosen local time, the day before in one message —
//! counts (answered, voicemail, missed, booked, messages), the calls grouped by urgency with
//! their summaries, and the screened ones apart. Queued by the reconciler's minute tick (as
//! reminders are), once per business and day, and sent by the alert consumer like any alert.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use tracing::{error, info, warn};

use super::compose::{is_hebrew, local_time, prefix, urgency_word, Composed};
use super::rules::first_sentence;
use crate::app::App;
use crate::domain::time::{instant, offset_date_time};
use crate::domain::{
    AlertKind, AlertRecord, AlertState, Business, Call, CallOutcome, MessageDirection, Urgency,
};
use crate::jobs::{AlertAbout, AlertJob};
use crate::store::CallQuery;

/// Calls read for one digest at most; a busier day says how many were left out.
const MAX_CALLS: usize = 500;
/// Customers whose messages are counted at most.
const MAX_CONTACTS: usize = 200;

fn zone(business: &Business) -> TimeZone {
    TimeZone::get(&business.timezone).unwrap_or(TimeZone::UTC)
}

/// The store's bounds for a day's instants (always in range: they come from a calendar date).
fn offset(at: Timestamp) -> time::OffsetDateTime {
    offset_date_time(at).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// The local day `date - 1` as `[start, end)` instants.
fn yesterday(business: &Business, date: Date) -> Option<(Timestamp, Timestamp)> {
    let zone = zone(business);
    let day = date.yesterday().ok()?;
    let start = day.to_zoned(zone.clone()).ok()?.timestamp();
    let end = date.to_zoned(zone).ok()?.timestamp();
    Some((start, end))
}

/// One call as the digest lists it.
struct Line {
    at: Timestamp,
    urgency: Urgency,
    spam: Option<String>,
    text: String,
}

/// The digest of the day before `date` for `business`, linking to the inbox under
/// `link_base` when given.
pub async fn build(
    app: &App,
    link_base: Option<&str>,
    business: &Business,
    date: Date,
) -> Result<Composed, String> {
    let store = app.store();
    let (start, end) = yesterday(business, date).ok_or("the day is out of range")?;
    let mut calls: Vec<Call> = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_calls(
                &business.id,
                &CallQuery {
                    since: Some(offset(start)),
                    after: after.clone(),
                    limit: 100,
                    ..CallQuery::default()
                },
            )
            .await
            .map_err(|e| e.to_string())?;
        calls.extend(page.calls);
        after = page.next;
        if after.is_none() || calls.len() >= MAX_CALLS {
            break;
        }
    }
    let end_offset = offset(end);
    calls.retain(|c| c.started_at.is_some_and(|at| at < end_offset));
    let (mut answered, mut voicemail, mut missed, mut booked) = (0, 0, 0, 0);
    let mut lines = Vec::new();
    for call in &calls {
        let outcome = call.outcome();
        match outcome {
            CallOutcome::Answered => answered += 1,
            CallOutcome::Voicemail => voicemail += 1,
            CallOutcome::Missed => missed += 1,
            CallOutcome::Booked => booked += 1,
            CallOutcome::Outbound | CallOutcome::InProgress => continue,
        }
        if !matches!(outcome, CallOutcome::Voicemail | CallOutcome::Missed) {
            continue;
        }
        let media = store
            .call_media(&call.sid)
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        let triage = media.triage.as_ref();
        let at = call.started_at.and_then(instant).unwrap_or(start);
        let who = call
            .contact()
            .map_or_else(|| "anonymous".to_string(), |c| c.to_string());
        let what = triage
            .and_then(|t| t.summary.clone())
            .or_else(|| media.transcript.as_deref().and_then(first_sentence));
        let text = match what {
            Some(what) => format!("{} {who} — {what}", local_time(at, &business.timezone)),
            None => format!("{} {who}", local_time(at, &business.timezone)),
        };
        lines.push(Line {
            at,
            urgency: triage.map(|t| t.urgency).unwrap_or_default(),
            spam: triage.and_then(|t| t.spam.clone()),
            text,
        });
    }
    let messages = messages_received(app, business, start, end).await?;
    lines.sort_by_key(|line| line.at);

    let hebrew = is_hebrew(&business.language);
    let day = date
        .yesterday()
        .map(|d| d.strftime("%d/%m").to_string())
        .unwrap_or_default();
    let headline = format!(
        "{}{} · {day}",
        prefix(&business.language, AlertKind::Digest),
        business.name
    );
    let counts = if hebrew {
        format!(
            "שיחות: {} · נענו {answered} · הודעות קוליות {voicemail} · לא נענו {missed} · תורים {booked} · הודעות וואטסאפ {messages}",
            answered + voicemail + missed + booked
        )
    } else {
        format!(
            "Calls: {} · answered {answered} · voicemail {voicemail} · missed {missed} · booked {booked} · WhatsApp messages {messages}",
            answered + voicemail + missed + booked
        )
    };
    let mut body = vec![counts.clone()];
    for urgency in Urgency::ALL {
        let group: Vec<&Line> = lines
            .iter()
            .filter(|l| l.spam.is_none() && l.urgency == urgency)
            .collect();
        if group.is_empty() {
            continue;
        }
        body.push(String::new());
        body.push(format!(
            "{} ({}):",
            urgency_word(&business.language, urgency),
            group.len()
        ));
        body.extend(group.iter().map(|l| l.text.clone()));
    }
    let spam: Vec<&Line> = lines.iter().filter(|l| l.spam.is_some()).collect();
    if !spam.is_empty() {
        body.push(String::new());
        body.push(format!(
            "{} ({}):",
            if hebrew { "ספאם" } else { "Spam" },
            spam.len()
        ));
        body.extend(
            spam.iter()
                .map(|l| format!("{} [{}]", l.text, l.spam.as_deref().unwrap_or_default())),
        );
    }
    if calls.len() >= MAX_CALLS {
        body.push(if hebrew {
            format!("(הוצגו {MAX_CALLS} השיחות האחרונות)")
        } else {
            format!("(the last {MAX_CALLS} calls shown)")
        });
    }
    let inbox = link_base.map(|base| format!("{base}/inbox"));
    if let Some(link) = &inbox {
        body.push(String::new());
        body.push(link.clone());
    }
    let variables = std::collections::BTreeMap::from([
        ("1".to_string(), day),
        ("2".to_string(), counts),
        ("3".to_string(), inbox.unwrap_or_else(|| "-".into())),
    ]);
    Ok(Composed {
        headline,
        lines: body,
        variables,
    })
}

/// WhatsApp messages customers sent the business in `[start, end)`.
async fn messages_received(
    app: &App,
    business: &Business,
    start: Timestamp,
    end: Timestamp,
) -> Result<usize, String> {
    let store = app.store();
    let (start, end) = (offset(start), offset(end));
    let mut count = 0;
    let mut seen = 0;
    let mut after: Option<String> = None;
    'pages: loop {
        let page = store
            .list_contacts(&business.id, after.as_deref(), 100)
            .await
            .map_err(|e| e.to_string())?;
        for contact in &page.contacts {
            if contact.last_at < start || seen >= MAX_CONTACTS {
                break 'pages;
            }
            seen += 1;
            let messages = store
                .conversation_messages(&business.id, &contact.number, 100, None)
                .await
                .map_err(|e| e.to_string())?;
            count += messages
                .messages
                .iter()
                .filter(|m| m.direction == Some(MessageDirection::Inbound))
                .filter(|m| m.created_at.is_some_and(|at| at >= start && at < end))
                .count();
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(count)
}

/// The reconciler's tick: every business whose digest time has come today and whose digest
/// for today is not yet queued gets one job per recipient. Returns how many were queued.
pub async fn scan(app: &App, now: Timestamp) -> usize {
    let businesses = match app.store().list_businesses().await {
        Ok(businesses) => businesses,
        Err(err) => {
            warn!(error = %err, "businesses unreadable; digests wait for the next tick");
            return 0;
        }
    };
    let mut queued = 0;
    for business in businesses {
        let Some(settings) = business.alerts.as_ref().filter(|s| !s.is_empty()) else {
            continue;
        };
        let Some(at) = settings.digest_at else {
            continue;
        };
        let local = now.to_zoned(zone(&business));
        if local.time() < at.0 {
            continue;
        }
        let date = local.date();
        let about = AlertAbout::Digest { date };
        let claim = AlertRecord {
            business_id: business.id.clone(),
            key: format!("{}:queued", AlertJob::about_key(&about)),
            kind: AlertKind::Digest,
            recipient: String::new(),
            state: AlertState::Sent,
            urgency: Urgency::Normal,
            note: Some("digest queued".into()),
            attempts: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        match app.store().claim_alert(&claim).await {
            Ok(true) => {}
            // Claimed earlier: queued, unless that tick's queue refused it.
            Ok(false) => match app.store().alert(&business.id, &claim.key).await {
                Ok(Some(earlier)) if earlier.state == AlertState::Retrying => {}
                Ok(_) => continue,
                Err(err) => {
                    warn!(business = %business.id, error = %err, "digest claim unreadable");
                    continue;
                }
            },
            Err(err) => {
                warn!(business = %business.id, error = %err, "digest not claimed");
                continue;
            }
        }
        let mut refused = false;
        for recipient in &settings.recipients {
            let job = AlertJob {
                business_id: business.id.clone(),
                about: about.clone(),
                recipient: recipient.clone(),
            };
            match app.queue().send(&job.message()).await {
                Ok(()) => queued += 1,
                Err(err) => {
                    refused = true;
                    error!(metric = "digest_not_queued", business = %business.id, error = %err, "digest not queued; the next tick tries again");
                }
            }
        }
        // The next tick queues again what the queue refused (a repeat of a job that went
        // through is dropped by its claim).
        let state = if refused {
            AlertState::Retrying
        } else {
            AlertState::Sent
        };
        if let Err(err) = app.store().put_alert(&AlertRecord { state, ..claim }).await {
            warn!(business = %business.id, error = %err, "digest claim not updated");
        }
        info!(business = %business.id, %date, "digest queued");
    }
    queued
}
