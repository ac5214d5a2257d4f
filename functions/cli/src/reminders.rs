//! `frontdesk reminders set|show|list|send-now`: when and how a business's customers are
//! reminded of their appointments, what each reminder did, and one sent now.
//!
//! `set` takes the settings as JSON (`--file` or `--json`), checked before they are stored:
//! `{"offsets_minutes": [1440, 120], "window": {"from": "09:00", "to": "20:00"},
//! "channel": "whatsapp", "template": {"provider": "twilio", "content_sid": "HX…"}}`.

use std::io::Write;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand};
use frontdesk::api::follow_ups::reminder_json;
use frontdesk::domain::{
    Appointment, AppointmentId, Business, BusinessId, Reminder, ReminderChannel, ReminderSettings,
};
use frontdesk::store::AppointmentQuery;
use jiff::{SignedDuration, Timestamp};

use crate::booking::local;
use crate::deployment::Deployment;
use crate::CliError;

#[derive(Subcommand, Debug)]
pub enum RemindersCommand {
    /// Set (or turn off) a business's reminders.
    Set(SetArgs),
    /// Show a business's reminder settings.
    Show {
        /// The business id.
        business: String,
    },
    /// The reminders of the business's appointments from a week ago on: due, sent, failed,
    /// with times in the business's zone.
    List {
        /// The business id.
        business: String,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Queue an appointment's next pending reminder now, through the same job as the
    /// minute tick (the deployment's notify consumer sends it).
    SendNow {
        /// The business id.
        business: String,
        /// The appointment's id.
        appointment: String,
    },
}

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("what").required(true).args(["file", "json", "off"])))]
pub struct SetArgs {
    /// The business id.
    pub business: String,
    /// The settings as a JSON file.
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// The settings as JSON on the command line.
    #[arg(long)]
    pub json: Option<String>,
    /// No reminders.
    #[arg(long)]
    pub off: bool,
}

/// The settings in words.
pub fn describe(business: &Business) -> String {
    let Some(settings) = &business.reminders else {
        return "no reminders".into();
    };
    let offsets: Vec<String> = settings
        .offsets()
        .iter()
        .map(|m| match (m / 60, m % 60) {
            (0, m) => format!("{m} min"),
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        })
        .collect();
    let how = match (settings.channel, &settings.template) {
        (ReminderChannel::Sms, _) => "by SMS".to_string(),
        (ReminderChannel::Voice, _) => "by a call (1 confirms, 2 cancels)".to_string(),
        (ReminderChannel::Whatsapp, Some(t)) if t.provider() == business.whatsapp_provider => {
            format!("by WhatsApp: {t}; variables 1 service, 2 day, 3 time")
        }
        (ReminderChannel::Whatsapp, _) => format!(
            "by WhatsApp, but no template for its provider ({}): sent as SMS",
            business.whatsapp_provider.as_str()
        ),
    };
    format!(
        "{} before, between {} and {} local time, {how}",
        offsets.join(" and "),
        settings.window.from,
        settings.window.to
    )
}

fn settings(args: &SetArgs) -> Result<Option<ReminderSettings>, CliError> {
    let json = match (&args.file, &args.json) {
        (Some(path), _) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        (None, Some(json)) => json.clone(),
        (None, None) => return Ok(None),
    };
    ReminderSettings::parse_json(&json)
        .map(Some)
        .map_err(|e| format!("reminders not stored: {e}").into())
}

/// The business's appointments from a week ago to the end of its booking window, with their
/// reminders.
async fn reminded(
    deployment: &Deployment,
    business: &Business,
) -> Result<Vec<(Appointment, Vec<Reminder>)>, CliError> {
    let now = Timestamp::now();
    let days = business.booking.as_ref().map_or(30, |s| s.max_days_ahead) + 2;
    let mut query = AppointmentQuery {
        from: now - SignedDuration::from_hours(24 * 7),
        to: now + SignedDuration::from_hours(24 * i64::from(days)),
        status: None,
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
    let ids: Vec<AppointmentId> = appointments.iter().map(|a| a.id.clone()).collect();
    let mut reminders = deployment.store.reminders_of(&ids).await?;
    Ok(appointments
        .into_iter()
        .filter_map(|a| reminders.remove(&a.id).map(|r| (a, r)))
        .collect())
}

fn list(
    rows: &[(Appointment, Vec<Reminder>)],
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if json {
        let all: Vec<_> = rows
            .iter()
            .flat_map(|(a, reminders)| {
                let zone = local::zone_or_utc(&a.timezone);
                reminders.iter().map(move |r| {
                    let mut json = reminder_json(r, &zone);
                    json["appointment_id"] = a.id.as_str().into();
                    json["start"] = local::rfc3339(r.start, &zone).into();
                    json
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(out, "no reminders")?;
        return Ok(());
    }
    writeln!(
        out,
        "{:32}  {:20}  {:>6}  {:20}  {:8}  {:17}  OUTCOME",
        "APPOINTMENT", "START", "BEFORE", "DUE", "STATE", "CHANNEL"
    )?;
    for (a, reminders) in rows {
        let zone = local::zone_or_utc(&a.timezone);
        for r in reminders {
            let channel = r.outcome.as_ref().map_or("", |o| o.channel.as_str());
            let mut outcome = Vec::new();
            if r.fell_back_to_sms {
                outcome.push("no template: SMS".to_string());
            }
            if let Some(o) = &r.outcome {
                if let Some(code) = &o.error_code {
                    outcome.push(format!("error {code}"));
                }
                if let Some(id) = &o.message_id {
                    outcome.push(format!("message {id}"));
                }
            }
            if let Some(reason) = &r.reason {
                outcome.push(reason.clone());
            }
            if let Some(answer) = r.answer {
                outcome.push(format!("customer {}", answer.as_str()));
            }
            writeln!(
                out,
                "{:32}  {:20}  {:>5}m  {:20}  {:8}  {:17}  {}",
                a.id,
                local::day_and_time(r.start, &zone),
                r.offset_minutes,
                local::day_and_time(r.due, &zone),
                r.state.as_str(),
                channel,
                outcome.join("; ")
            )?;
        }
    }
    Ok(())
}

pub async fn run(
    deployment: &Deployment,
    command: RemindersCommand,
    out: &mut dyn Write,
) -> Result<bool, CliError> {
    match command {
        RemindersCommand::Set(args) => {
            let mut business =
                crate::business::load(deployment, &BusinessId::parse(&args.business)?).await?;
            business.reminders = settings(&args)?;
            crate::business::save(deployment, &business).await?;
            writeln!(out, "{} reminds: {}", business.id, describe(&business))?;
        }
        RemindersCommand::Show { business } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            writeln!(out, "{} reminds: {}", business.id, describe(&business))?;
        }
        RemindersCommand::List { business, json } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            list(&reminded(deployment, &business).await?, json, out)?;
        }
        RemindersCommand::SendNow {
            business,
            appointment,
        } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            let id = AppointmentId::parse(appointment.trim())?;
            let app = deployment.app_raising_events()?;
            match frontdesk::worker::reminder_scan::send_now(&app, &business, &id).await? {
                Some(r) => {
                    let zone = local::zone_or_utc(
                        &business
                            .booking
                            .as_ref()
                            .map_or(business.timezone.clone(), |s| s.timezone.clone()),
                    );
                    writeln!(
                        out,
                        "queued the reminder {} min before {} (it was due {})",
                        r.offset_minutes,
                        local::day_and_time(r.start, &zone),
                        local::day_and_time(r.due, &zone)
                    )?;
                }
                None => {
                    writeln!(out, "{id} has no pending reminder")?;
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}
