//! `frontdesk appointments list|book|reschedule|cancel`: a business's appointments. Changes go
//! through `frontdesk::booking` with the deployment's queue, so they are checked and announced
//! (`appointment.booked`, `.rescheduled`, `.cancelled`) exactly as WhatsApp's and the API's are.

use std::io::Write;

use clap::{Subcommand, ValueEnum};
use frontdesk::booking::{BookingRequest, CancelOutcome, Outcome};
use frontdesk::domain::booking::engine::Slot;
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::{
    Appointment, AppointmentId, AppointmentStatus, Business, BusinessId, Channel, PhoneNumber,
    RequestKey,
};
use frontdesk::jobs::NotifyJob;
use frontdesk::store::AppointmentQuery;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::json;

use frontdesk::api::follow_ups;

use super::{availability::slot_json, local};
use crate::deployment::Deployment;
use crate::CliError;

#[derive(Subcommand, Debug)]
pub enum AppointmentsCommand {
    /// List a business's appointments by start, in its local time.
    List {
        /// The business id.
        business: String,
        /// The first local date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// The last local date, included (default: the booking window, max_days_ahead, or
        /// 30 days).
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// Only appointments in this state.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Print a JSON array, each appointment as the business events describe it.
        #[arg(long)]
        json: bool,
    },
    /// Book an appointment. A time the business does not offer, or one already taken, is
    /// refused with the reason and the nearest free times (exit 1).
    Book {
        /// The business id.
        business: String,
        /// The service's id.
        #[arg(long, value_name = "ID")]
        service: String,
        /// The start: `2026-11-24 15:00` in the business's zone, or RFC 3339.
        #[arg(long, value_name = "TIME")]
        start: String,
        /// The customer's phone number in E.164 (+972…).
        #[arg(long, value_name = "E164")]
        phone: String,
        /// The customer's name.
        #[arg(long)]
        name: Option<String>,
        /// Print the answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Move a booked appointment to another time in one step: the new time is claimed and the
    /// old one freed together, or nothing changes. Refused as `book` refuses (exit 1).
    Reschedule {
        /// The business id.
        business: String,
        /// The appointment's id (as `appointments list` shows it).
        id: String,
        /// The new start: `2026-11-24 15:00` in the business's zone, or RFC 3339.
        #[arg(long, value_name = "TIME")]
        start: String,
        /// Print the answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Cancel a booked appointment and free its time.
    Cancel {
        /// The business id.
        business: String,
        /// The appointment's id (as `appointments list` shows it).
        id: String,
        /// Print the answer as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StatusArg {
    Booked,
    Cancelled,
    Completed,
    #[value(name = "no_show")]
    NoShow,
}

impl From<StatusArg> for AppointmentStatus {
    fn from(status: StatusArg) -> Self {
        match status {
            StatusArg::Booked => Self::Booked,
            StatusArg::Cancelled => Self::Cancelled,
            StatusArg::Completed => Self::Completed,
            StatusArg::NoShow => Self::NoShow,
        }
    }
}

/// Runs the command; `Ok(false)` when a book, reschedule or cancel was refused.
pub async fn run(
    deployment: &Deployment,
    command: AppointmentsCommand,
    out: &mut dyn Write,
) -> Result<bool, CliError> {
    match command {
        AppointmentsCommand::List {
            business,
            from,
            to,
            status,
            json,
        } => {
            let business = load(deployment, &business).await?;
            list(deployment, &business, from, to, status, json, out).await?;
            Ok(true)
        }
        AppointmentsCommand::Book {
            business,
            service,
            start,
            phone,
            name,
            json,
        } => {
            let business = load(deployment, &business).await?;
            let service = ServiceId::parse(service.trim())?;
            let (settings, _) = frontdesk::booking::service(&business, Some(&service))
                .map_err(|e| super::explain(&business, e))?;
            let zone = settings.zone()?;
            let request = BookingRequest {
                service,
                start: local::parse_start(&start, &zone)?,
                phone: PhoneNumber::parse(&phone)?,
                name: name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
                // The operator's tool books as the API does: made by software for the business,
                // not in a customer's conversation.
                channel: Channel::Api,
                request: fresh_request()?,
            };
            let app = deployment.app_raising_events()?;
            let outcome = frontdesk::booking::book(&app, &business, &request, Timestamp::now())
                .await
                .map_err(|e| super::explain(&business, e))?;
            answer(outcome, "booked", &zone, json, out)
        }
        AppointmentsCommand::Reschedule {
            business,
            id,
            start,
            json,
        } => {
            let business = load(deployment, &business).await?;
            let id = AppointmentId::parse(id.trim())?;
            let zone = super::settings_of(&business)?.zone()?;
            let start = local::parse_start(&start, &zone)?;
            let app = deployment.app_raising_events()?;
            let outcome = frontdesk::booking::reschedule(
                &app,
                &business,
                &id,
                start,
                &fresh_request()?,
                Timestamp::now(),
            )
            .await
            .map_err(|e| super::explain(&business, e))?;
            match outcome {
                Some(outcome) => answer(outcome, "rescheduled", &zone, json, out),
                None => {
                    let words = "not rescheduled: no such appointment, or it is not booked any more or has started";
                    if json {
                        let answer = json!({"rescheduled": false, "message": words});
                        writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?;
                    } else {
                        writeln!(out, "{words}: {id}")?;
                    }
                    Ok(false)
                }
            }
        }
        AppointmentsCommand::Cancel { business, id, json } => {
            let business = load(deployment, &business).await?;
            let id = AppointmentId::parse(id.trim())?;
            let app = deployment.app_raising_events()?;
            let outcome = frontdesk::booking::cancel(
                &app,
                &business,
                &id,
                &fresh_request()?,
                Timestamp::now(),
            )
            .await
            .map_err(|e| super::explain(&business, e))?;
            cancelled(outcome, &id, json, out)
        }
    }
}

async fn load(deployment: &Deployment, id: &str) -> Result<Business, CliError> {
    crate::business::load(deployment, &BusinessId::parse(id)?).await
}

/// Each command is one request: a new key, so it is never mistaken for another's retry.
fn fresh_request() -> Result<RequestKey, CliError> {
    let key = uuid::Uuid::new_v4().simple().to_string();
    Ok(RequestKey::new("cli", &[&key])?)
}

/// An appointment as the business events describe it (`appointment_id`, `start`, `status`…).
pub fn appointment_json(appointment: &Appointment) -> serde_json::Value {
    match NotifyJob::booked(appointment) {
        NotifyJob::Appointment(job) => frontdesk::worker::notify::appointment_data(&job),
        NotifyJob::Call(_) => unreachable!("an appointment's job"),
    }
}

/// `Tue 2026-11-24 15:00-15:30`, in the appointment's zone.
fn when(appointment: &Appointment) -> String {
    let zone = local::zone_or_utc(&appointment.timezone);
    format!(
        "{}-{}",
        local::day_and_time(appointment.slot.start, &zone),
        local::time_of_day(appointment.slot.end, &zone)
    )
}

fn describe(a: &Appointment) -> String {
    let name = a
        .name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    format!(
        "{} {} {} ({}) for {}{name}",
        a.id,
        a.service,
        when(a),
        a.timezone,
        a.phone
    )
}

/// A book's or reschedule's answer; `verb` is what was done (`booked`, `rescheduled`).
fn answer(
    outcome: Outcome,
    verb: &str,
    zone: &TimeZone,
    json: bool,
    out: &mut dyn Write,
) -> Result<bool, CliError> {
    let (reason, words, alternatives) = match outcome {
        Outcome::Done(a) | Outcome::Repeat(a) => {
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&appointment_json(&a))?
                )?;
            } else {
                writeln!(out, "{verb} {}", describe(&a))?;
            }
            return Ok(true);
        }
        Outcome::Taken { alternatives } => ("taken", "that time is already taken", alternatives),
        Outcome::NotOffered {
            reason,
            alternatives,
        } => {
            let code = serde_json::to_value(reason)?;
            let code = code.as_str().unwrap_or("not_offered").to_string();
            return refused(
                verb,
                &code,
                reason.phrase_en(),
                &alternatives,
                zone,
                json,
                out,
            );
        }
    };
    refused(verb, reason, words, &alternatives, zone, json, out)
}

fn refused(
    verb: &str,
    reason: &str,
    words: &str,
    alternatives: &[Slot],
    zone: &TimeZone,
    json: bool,
    out: &mut dyn Write,
) -> Result<bool, CliError> {
    if json {
        let alternatives: Vec<_> = alternatives.iter().map(|s| slot_json(s, zone)).collect();
        let answer = json!({
            verb: false,
            "reason": reason,
            "message": words,
            "alternatives": alternatives,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?;
        return Ok(false);
    }
    writeln!(out, "not {verb}: {words}")?;
    if alternatives.is_empty() {
        writeln!(out, "no free time nearby")?;
    } else {
        writeln!(out, "nearest free times:")?;
        for slot in alternatives {
            writeln!(
                out,
                "  {}-{}",
                local::day_and_time(slot.start, zone),
                local::time_of_day(slot.end, zone)
            )?;
        }
    }
    Ok(false)
}

fn cancelled(
    outcome: CancelOutcome,
    id: &AppointmentId,
    json: bool,
    out: &mut dyn Write,
) -> Result<bool, CliError> {
    let (done, appointment, words) = match &outcome {
        CancelOutcome::Cancelled(a) | CancelOutcome::Repeat(a) => (true, Some(a), "cancelled"),
        CancelOutcome::NotBooked(a) => (false, Some(a), "not cancelled: it is not booked"),
        CancelOutcome::Past(a) => (false, Some(a), "not cancelled: it has already started"),
        CancelOutcome::NotFound => (false, None, "not cancelled: no such appointment"),
    };
    if json {
        let answer = json!({
            "cancelled": done,
            "message": words,
            "appointment": appointment.map(appointment_json),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?;
    } else {
        match appointment {
            Some(a) => writeln!(out, "{words}: {} [{}]", describe(a), a.status.as_str())?,
            None => writeln!(out, "{words}: {id}")?,
        }
    }
    Ok(done)
}

async fn list(
    deployment: &Deployment,
    business: &Business,
    from: Option<String>,
    to: Option<String>,
    status: Option<StatusArg>,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let settings = business.booking.as_ref();
    let zone = local::zone_or_utc(settings.map_or(business.timezone.as_str(), |s| &s.timezone));
    let from = match from {
        Some(date) => local::parse_date("--from", &date)?,
        None => local::today(&zone, Timestamp::now()),
    };
    let to = match to {
        Some(date) => local::parse_date("--to", &date)?,
        None => {
            let days = settings.map_or(30, |s| s.max_days_ahead.max(30));
            from.checked_add(jiff::Span::new().days(i64::from(days)))?
        }
    };
    if to < from {
        return Err(format!("--to {to} is before --from {from}").into());
    }
    let mut query = AppointmentQuery {
        from: local::start_of(from, &zone)?,
        to: local::start_of(to.tomorrow()?, &zone)?,
        status: status.map(Into::into),
        after: None,
        limit: frontdesk::store::MAX_APPOINTMENT_PAGE,
    };
    let mut appointments = Vec::new();
    loop {
        let page = deployment
            .store
            .list_appointments(&business.id, &query)
            .await?;
        appointments.extend(page.appointments);
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    let ids: Vec<_> = appointments.iter().map(|a| a.id.clone()).collect();
    let known = follow_ups::of(deployment.store.as_ref(), &ids).await?;
    if json {
        let all: Vec<_> = appointments
            .iter()
            .map(|a| {
                let mut json = appointment_json(a);
                follow_ups::add_to(&mut json, known.get(&a.id));
                json
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
        return Ok(());
    }
    if appointments.is_empty() {
        writeln!(out, "no appointments from {from} to {to}")?;
        return Ok(());
    }
    let service_width = appointments
        .iter()
        .map(|a| a.service.as_str().len())
        .max()
        .unwrap_or(0)
        .max("SERVICE".len());
    writeln!(
        out,
        "{:32}  {:26}  {:service_width$}  {:9}  {:15}  NAME",
        "ID", "WHEN", "SERVICE", "STATUS", "PHONE"
    )?;
    for a in &appointments {
        writeln!(
            out,
            "{:32}  {:26}  {:service_width$}  {:9}  {:15}  {}",
            a.id.as_str(),
            when(a),
            a.service.as_str(),
            a.status.as_str(),
            a.phone.as_str(),
            a.name.as_deref().unwrap_or("")
        )?;
        if let Some(line) = known.get(&a.id).and_then(follow_up_line) {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

/// What an appointment's follow-ups did, under its row: `confirmation sms delivered;
/// calendar insert done; reminder 1440 min sent, customer confirmed`, with the error of a
/// failed one.
fn follow_up_line(known: &follow_ups::Known) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(c) = &known.follow_ups.confirmation {
        let (status, code, error) = follow_ups::confirmation_status(c, known.message.as_ref());
        let mut part = format!("confirmation {} {status}", c.channel.as_str());
        if let Some(code) = code {
            part.push_str(&format!(" (code {code})"));
        }
        if let Some(error) = error.filter(|_| status == "failed" || status == "retrying") {
            part.push_str(&format!(": {error}"));
        }
        parts.push(part);
    }
    if let Some(c) = &known.follow_ups.calendar {
        let mut part = format!("calendar {} {}", c.action.as_str(), c.state.as_str());
        if let Some(error) = &c.error {
            part.push_str(&format!(": {error}"));
        }
        parts.push(part);
    }
    for r in &known.reminders {
        let mut part = format!("reminder {} min {}", r.offset_minutes, r.state.as_str());
        if let Some(code) = r.outcome.as_ref().and_then(|o| o.error_code.as_deref()) {
            part.push_str(&format!(" (code {code})"));
        }
        if let Some(answer) = r.answer {
            part.push_str(&format!(", customer {}", answer.as_str()));
        }
        parts.push(part);
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
