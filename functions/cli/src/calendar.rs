//! `frontdesk calendar connect|disconnect|show`: a business's Google Calendar, through a
//! service account the owner shares the calendar with ("Make changes to events").
//!
//! The key file is checked (a service-account key with an RSA PKCS#8 private key) and kept as a
//! secret in the store, as the webhook secret is: it is never printed, logged or shown back;
//! `show` says only that a key is stored, for which account, and its key id. `connect` also
//! asks Google for a token and for the calendar, so a key Google refuses is not stored, and a
//! calendar not yet shared is named with how to share it.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use frontdesk::config::Secret;
use frontdesk::domain::{Business, BusinessId, GoogleCalendar};
use frontdesk::google::{GoogleError, ServiceAccountKey};
use serde_json::json;

use crate::deployment::Deployment;
use crate::CliError;

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// Connect a business's Google Calendar: free slots skip its busy times, and every booking,
    /// reschedule and cancellation is written to it.
    Connect {
        /// The business id.
        business: String,
        /// The service account's key file (JSON, from Google Cloud → IAM → Service accounts →
        /// Keys → Add key). Kept as a secret; never shown again.
        #[arg(long, value_name = "KEY.json")]
        service_account: PathBuf,
        /// The calendar's id (Google Calendar → Settings → the calendar → Integrate calendar),
        /// shared with the service account's address with "Make changes to events".
        #[arg(long, value_name = "ID")]
        calendar_id: String,
        /// Store it without asking Google (offline set-up; `frontdesk doctor` checks it later).
        #[arg(long)]
        no_check: bool,
    },
    /// Disconnect a business's calendar and delete its stored key.
    Disconnect {
        /// The business id.
        business: String,
    },
    /// Show a business's calendar: its id, the service account, whether a key is stored.
    Show {
        /// The business id.
        business: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    deployment: &Deployment,
    command: CalendarCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        CalendarCommand::Connect {
            business,
            service_account,
            calendar_id,
            no_check,
        } => {
            let mut business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            let json = std::fs::read_to_string(&service_account)
                .map_err(|e| format!("{}: {e}", service_account.display()))?;
            let key = ServiceAccountKey::parse(&json)
                .map_err(|e| format!("{}: {e}", service_account.display()))?;
            let calendar = GoogleCalendar {
                calendar_id: GoogleCalendar::parse_calendar_id(&calendar_id)?,
                service_account: key.client_email.clone(),
            };
            let shared = if no_check {
                None
            } else {
                Some(check(deployment, &key, &calendar).await?)
            };
            let secret = Secret::new(json).ok_or("the key file is empty")?;
            deployment
                .store
                .put_calendar_key(&business.id, &secret)
                .await?;
            business.google_calendar = Some(calendar.clone());
            crate::business::save(deployment, &business).await?;
            writeln!(
                out,
                "connected {} to calendar {} through {}",
                business.id, calendar.calendar_id, calendar.service_account
            )?;
            match shared {
                Some(Ok(())) => writeln!(out, "  Google issued a token and sees the calendar")?,
                Some(Err(not_shared)) => writeln!(out, "  warning: {not_shared}")?,
                None => writeln!(
                    out,
                    "  not checked: frontdesk doctor {} checks the key and the sharing",
                    business.id
                )?,
            }
        }
        CalendarCommand::Disconnect { business } => {
            let mut business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            let had_key = deployment.store.delete_calendar_key(&business.id).await?;
            let had_calendar = business.google_calendar.take().is_some();
            if had_calendar {
                crate::business::save(deployment, &business).await?;
            }
            if had_key || had_calendar {
                writeln!(
                    out,
                    "disconnected {}'s calendar and deleted its key (unshare the calendar from the service account in Google Calendar too)",
                    business.id
                )?;
            } else {
                writeln!(out, "{} has no calendar connected", business.id)?;
            }
        }
        CalendarCommand::Show { business, json } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            let key = stored_key(deployment, &business).await?;
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&show_json(&business, &key))?
                )?;
            } else {
                show(&business, &key, out)?;
            }
        }
    }
    Ok(())
}

/// Whether Google issues a token for `key` (an error if not: such a key is not stored), and
/// whether the service account sees the calendar (a warning if not: the owner may share it
/// after connecting).
async fn check(
    deployment: &Deployment,
    key: &ServiceAccountKey,
    calendar: &GoogleCalendar,
) -> Result<Result<(), String>, CliError> {
    let app = deployment.app()?;
    let google = app.google();
    let api = match google.calendar(key, &calendar.calendar_id).await {
        Ok(api) => api,
        Err(err) => return Err(format!("not connected: {err}").into()),
    };
    Ok(match api.get().await {
        Ok(_) => Ok(()),
        Err(err) if err.is_not_shared() => Err(sharing_fix(calendar, &err)),
        Err(err) => Err(format!("the calendar could not be read: {err}")),
    })
}

/// What to do about a calendar the service account cannot see.
pub fn sharing_fix(calendar: &GoogleCalendar, err: &GoogleError) -> String {
    format!(
        "{err}: share calendar {} with {} (Google Calendar → Settings → the calendar → Share with specific people → \"Make changes to events\")",
        calendar.calendar_id, calendar.service_account
    )
}

/// What `show` may say of the stored key: whose it is and its id, never the key.
pub struct StoredKey {
    pub client_email: String,
    pub private_key_id: Option<String>,
}

async fn stored_key(
    deployment: &Deployment,
    business: &Business,
) -> Result<Option<Result<StoredKey, String>>, CliError> {
    let Some(secret) = deployment.store.calendar_key(&business.id).await? else {
        return Ok(None);
    };
    Ok(Some(
        ServiceAccountKey::parse(secret.expose())
            .map(|key| StoredKey {
                client_email: key.client_email,
                private_key_id: key.private_key_id,
            })
            .map_err(|e| e.to_string()),
    ))
}

fn show_json(business: &Business, key: &Option<Result<StoredKey, String>>) -> serde_json::Value {
    let key = match key {
        None => json!({ "stored": false }),
        Some(Ok(key)) => json!({
            "stored": true,
            "client_email": key.client_email,
            "private_key_id": key.private_key_id,
        }),
        Some(Err(error)) => json!({ "stored": true, "error": error }),
    };
    json!({
        "business": business.id.as_str(),
        "calendar_id": business.google_calendar.as_ref().map(|c| c.calendar_id.as_str()),
        "service_account": business.google_calendar.as_ref().map(|c| c.service_account.as_str()),
        "key": key,
    })
}

fn show(
    business: &Business,
    key: &Option<Result<StoredKey, String>>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let Some(calendar) = &business.google_calendar else {
        writeln!(
            out,
            "{} has no calendar connected: frontdesk calendar connect {} --service-account KEY.json --calendar-id ID",
            business.id, business.id
        )?;
        return Ok(());
    };
    writeln!(out, "Calendar of {}", business.id)?;
    writeln!(out, "  calendar id      {}", calendar.calendar_id)?;
    writeln!(out, "  service account  {}", calendar.service_account)?;
    let key = match key {
        None => "none stored: connect again with --service-account".to_string(),
        Some(Ok(key)) => format!(
            "stored (key id {})",
            key.private_key_id.as_deref().unwrap_or("not given")
        ),
        Some(Err(error)) => format!("stored but unusable: {error}"),
    };
    writeln!(out, "  key              {key}")?;
    Ok(())
}
