//! `frontdesk alerts set|show|test BUSINESS`: who hears about the business's voicemails,
//! missed calls and bookings, and how (SMS, WhatsApp, email; quiet hours; the daily digest;
//! summaries; screening). `test` sends a test alert to every recipient through its channel
//! now and says what failed.

use std::io::Write;
use std::sync::Arc;

use clap::{Args, Subcommand};
use frontdesk::alerts::compose::{compose, Facts};
use frontdesk::alerts::send::send;
use frontdesk::domain::reminder::LocalTime;
use frontdesk::domain::{
    AlertAttempt, AlertKind, AlertRecord, AlertSettings, AlertState, Business, BusinessId,
    QuietHours, Recipient, Urgency,
};
use frontdesk::worker::Worker;
use jiff::Timestamp;

use crate::deployment::Deployment;
use crate::CliError;

#[derive(Subcommand, Debug)]
pub enum AlertsCommand {
    /// Set who is alerted and how. Recipient flags given replace the recipients; other
    /// settings keep their value unless given.
    Set(Box<SetArgs>),
    /// Show the settings and the latest alerts with what became of each.
    Show { business: String },
    /// Send a test alert to every recipient now; exits 1 when any failed.
    Test { business: String },
}

#[derive(Args, Debug)]
pub struct SetArgs {
    /// The business id.
    pub business: String,
    /// A phone (E.164) alerted by SMS. Repeatable.
    #[arg(long, value_name = "+E164")]
    pub sms: Vec<String>,
    /// A phone (E.164) alerted on WhatsApp. Repeatable.
    #[arg(long, value_name = "+E164")]
    pub whatsapp: Vec<String>,
    /// An email address alerted by email. Repeatable.
    #[arg(long, value_name = "ADDRESS")]
    pub email: Vec<String>,
    /// Hours when only urgent alerts go out (`21:00-07:00`), or `off`.
    #[arg(long, value_name = "HH:MM-HH:MM")]
    pub quiet: Option<String>,
    /// When the daily digest goes out (`08:00`), or `off`.
    #[arg(long, value_name = "HH:MM")]
    pub digest: Option<String>,
    /// Summaries, intent and urgency from the summary endpoint (SUMMARY_API_BASE): on or off.
    #[arg(long, value_name = "on|off")]
    pub summaries: Option<String>,
    /// Twilio Lookup (line type, caller name) on a first-time caller: on or off.
    #[arg(long, value_name = "on|off")]
    pub lookup: Option<String>,
    /// A Lookup line type screened as spam (`nonFixedVoip`, `tollFree`). Repeatable; replaces.
    #[arg(long, value_name = "TYPE")]
    pub screen_line_type: Vec<String>,
    /// A word that makes a voicemail urgent, beyond the built-in ones. Repeatable; replaces.
    #[arg(long, value_name = "WORD")]
    pub urgent_word: Vec<String>,
    /// The Twilio Content Template WhatsApp alerts go out with (`HX…`; five variables).
    #[arg(long, value_name = "HX…")]
    pub twilio_content_sid: Option<String>,
    /// The Meta template WhatsApp alerts go out with, as `name:language` (five variables).
    #[arg(long, value_name = "NAME:LANG", conflicts_with = "twilio_content_sid")]
    pub meta_template: Option<String>,
    /// The Twilio Content Template the digest goes out with on WhatsApp (three variables).
    #[arg(long, value_name = "HX…")]
    pub digest_content_sid: Option<String>,
    /// The Meta template the digest goes out with, as `name:language` (three variables).
    #[arg(long, value_name = "NAME:LANG", conflicts_with = "digest_content_sid")]
    pub digest_meta_template: Option<String>,
    /// No alerts at all.
    #[arg(long, conflicts_with_all = ["sms", "whatsapp", "email"])]
    pub off: bool,
}

fn switch(value: &str) -> Result<bool, CliError> {
    match value.trim() {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        other => Err(format!("`{other}` is not on or off").into()),
    }
}

/// `args` applied to `settings`.
pub fn apply(args: &SetArgs, mut settings: AlertSettings) -> Result<AlertSettings, CliError> {
    let recipients: Vec<Recipient> = [
        ("sms", &args.sms),
        ("whatsapp", &args.whatsapp),
        ("email", &args.email),
    ]
    .into_iter()
    .flat_map(|(channel, values)| values.iter().map(move |v| Recipient::parse(channel, v)))
    .collect::<Result<_, _>>()?;
    if !recipients.is_empty() {
        settings.recipients = recipients;
    }
    if let Some(quiet) = &args.quiet {
        settings.quiet_hours = match quiet.trim() {
            "off" => None,
            hours => Some(QuietHours::parse(hours)?),
        };
    }
    if let Some(digest) = &args.digest {
        settings.digest_at = match digest.trim() {
            "off" => None,
            at => Some(LocalTime::parse(at)?),
        };
    }
    if let Some(on) = &args.summaries {
        settings.summaries = switch(on)?;
    }
    if let Some(on) = &args.lookup {
        settings.lookup = switch(on)?;
    }
    if !args.screen_line_type.is_empty() {
        settings.screen_line_types = args.screen_line_type.clone();
    }
    if !args.urgent_word.is_empty() {
        settings.urgent_words = args.urgent_word.clone();
    }
    if let Some(sid) = &args.twilio_content_sid {
        settings.whatsapp_template = Some(frontdesk::domain::ConfirmationTemplate::twilio(sid)?);
    }
    if let Some(sid) = &args.digest_content_sid {
        settings.digest_template = Some(frontdesk::domain::ConfirmationTemplate::twilio(sid)?);
    }
    if let Some(template) = &args.meta_template {
        settings.whatsapp_template = Some(meta_template(template)?);
    }
    if let Some(template) = &args.digest_meta_template {
        settings.digest_template = Some(meta_template(template)?);
    }
    Ok(settings)
}

/// A Meta template written `name:language` (`voicemail_alert:he`).
fn meta_template(value: &str) -> Result<frontdesk::domain::ConfirmationTemplate, CliError> {
    let (name, language) = value
        .split_once(':')
        .ok_or_else(|| format!("`{value}` is not NAME:LANGUAGE (voicemail_alert:he)"))?;
    Ok(frontdesk::domain::ConfirmationTemplate::meta(
        name, language,
    )?)
}

fn describe(settings: &AlertSettings, out: &mut dyn Write) -> std::io::Result<()> {
    if settings.recipients.is_empty() {
        writeln!(out, "recipients: none")?;
    }
    for recipient in &settings.recipients {
        writeln!(out, "recipient: {recipient}")?;
    }
    let or_off = |v: Option<String>| v.unwrap_or_else(|| "off".into());
    writeln!(
        out,
        "quiet hours: {}",
        or_off(settings.quiet_hours.map(|q| q.to_string()))
    )?;
    writeln!(
        out,
        "digest: {}",
        or_off(settings.digest_at.map(|d| d.to_string()))
    )?;
    writeln!(
        out,
        "summaries: {}",
        if settings.summaries { "on" } else { "off" }
    )?;
    writeln!(
        out,
        "lookup: {}",
        if settings.lookup { "on" } else { "off" }
    )?;
    if !settings.screen_line_types.is_empty() {
        writeln!(
            out,
            "screened line types: {}",
            settings.screen_line_types.join(", ")
        )?;
    }
    if !settings.urgent_words.is_empty() {
        writeln!(out, "urgent words: {}", settings.urgent_words.join(", "))?;
    }
    if let Some(template) = &settings.whatsapp_template {
        writeln!(out, "WhatsApp alert template: {template}")?;
    }
    if let Some(template) = &settings.digest_template {
        writeln!(out, "WhatsApp digest template: {template}")?;
    }
    Ok(())
}

/// A worker that sends from this deployment: its Twilio account, its mailer, its links.
fn worker(deployment: &Deployment) -> Result<Worker, CliError> {
    let app = deployment.app()?;
    let mut config = app.config().clone();
    if let Some(twilio) = &deployment.settings.twilio {
        config.twilio = twilio.settings(deployment.settings.twilio_calls_per_second);
    }
    config.public_base_url = Some(deployment.base_url.clone());
    let app = frontdesk::App::new(config, app.backends().clone());
    Ok(Worker::new(app, deployment.greetings.clone())?
        .with_mailer(Arc::clone(&deployment.mailer))
        .with_link_base(deployment.base_url.as_str()))
}

/// Sends a test alert to each recipient; `Ok(false)` when any failed.
async fn test(
    deployment: &Deployment,
    business: &Business,
    out: &mut dyn Write,
) -> Result<bool, CliError> {
    let settings = business.alerts.clone().unwrap_or_default();
    if settings.recipients.is_empty() {
        writeln!(
            out,
            "{} has no alert recipients: frontdesk alerts set {} --sms +E164 --email ADDRESS",
            business.id, business.id
        )?;
        return Ok(false);
    }
    let worker = worker(deployment)?;
    let now = Timestamp::now();
    let hebrew = frontdesk::alerts::compose::is_hebrew(&business.language);
    let facts = Facts {
        kind: AlertKind::Test,
        business_name: business.name.clone(),
        who: business.name.clone(),
        at: now,
        timezone: business.timezone.clone(),
        what: Some(if hebrew {
            "אם ההודעה הזאת הגיעה, ההתראות מגיעות אליך.".into()
        } else {
            "If this reached you, alerts reach you.".into()
        }),
        urgency: Urgency::Normal,
        callback: None,
        inbox_link: worker.link("/inbox"),
        recording_link: None,
    };
    let alert = compose(&business.language, &facts);
    let mut all_sent = true;
    for recipient in &settings.recipients {
        let sent = send(
            &worker.app,
            worker.mailer.as_ref(),
            business,
            recipient,
            &alert,
            settings.whatsapp_template.as_ref(),
        )
        .await;
        let (state, attempt) = match &sent {
            Ok(id) => {
                writeln!(out, "ok    {recipient} ({id})")?;
                (
                    AlertState::Sent,
                    AlertAttempt {
                        at: now,
                        id: Some(id.clone()),
                        error: None,
                    },
                )
            }
            Err(failure) => {
                all_sent = false;
                writeln!(out, "FAIL  {recipient}: {}", failure.error)?;
                (
                    AlertState::Failed,
                    AlertAttempt {
                        at: now,
                        id: None,
                        error: Some(failure.error.clone()),
                    },
                )
            }
        };
        let record = AlertRecord {
            business_id: business.id.clone(),
            key: format!("test-{}:alert:{}", now.as_millisecond(), recipient.key()),
            kind: AlertKind::Test,
            recipient: recipient.key(),
            state,
            urgency: Urgency::Normal,
            note: None,
            attempts: vec![attempt],
            created_at: now,
            updated_at: now,
        };
        deployment.store.put_alert(&record).await?;
    }
    Ok(all_sent)
}

/// Runs the command; `Ok(false)` when a test alert failed.
pub async fn run(
    deployment: &Deployment,
    command: AlertsCommand,
    out: &mut dyn Write,
) -> Result<bool, CliError> {
    match command {
        AlertsCommand::Set(args) => {
            let mut business =
                crate::business::load(deployment, &BusinessId::parse(&args.business)?).await?;
            business.alerts = if args.off {
                None
            } else {
                Some(apply(&args, business.alerts.clone().unwrap_or_default())?)
            };
            deployment.store.put_business(&business).await?;
            match &business.alerts {
                Some(settings) => describe(settings, out)?,
                None => writeln!(out, "{}: no alerts", business.id)?,
            }
            Ok(true)
        }
        AlertsCommand::Show { business } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            match &business.alerts {
                Some(settings) => describe(settings, out)?,
                None => writeln!(out, "{}: no alerts", business.id)?,
            }
            let recent = deployment.store.recent_alerts(&business.id, 10).await?;
            if !recent.is_empty() {
                writeln!(out, "latest alerts:")?;
            }
            for record in recent {
                let error = record
                    .attempts
                    .last()
                    .and_then(|a| a.error.clone())
                    .or(record.note.clone())
                    .map(|e| format!(" — {e}"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "  {} {} {} {}{error}",
                    record.created_at,
                    record.kind.as_str(),
                    if record.recipient.is_empty() {
                        "-"
                    } else {
                        &record.recipient
                    },
                    record.state.as_str(),
                )?;
            }
            Ok(true)
        }
        AlertsCommand::Test { business } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            test(deployment, &business, out).await
        }
    }
}
