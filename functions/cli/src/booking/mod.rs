//! `frontdesk booking …`, `frontdesk availability …` and `frontdesk appointments …`: a
//! business's booking settings, its free slots and its appointments.
//!
//! Settings are checked with [`BookingSettings::validate`] before they are stored. Free slots,
//! books and cancels go through `frontdesk::booking`, the front door WhatsApp and the API use,
//! on an `App` whose queue is the deployment's own: the same rules decide, and the same
//! business events are raised.

use std::io::Write;

use clap::Subcommand;
use frontdesk::booking::BookingError;
use frontdesk::domain::booking::settings::BookingSettings;
use frontdesk::domain::{Business, BusinessId};

use crate::deployment::Deployment;
use crate::CliError;

pub mod appointments;
pub mod availability;
pub mod local;
pub mod set;
pub mod show;

pub use appointments::AppointmentsCommand;
pub use availability::AvailabilityArgs;
pub use set::SetArgs;

#[derive(Subcommand, Debug)]
pub enum BookingCommand {
    /// Print a business's booking settings: hours per weekday, closed dates, services, the grid.
    Show {
        /// The business id.
        business: String,
        /// Print the settings' JSON (the shape `booking set --file` reads).
        #[arg(long)]
        json: bool,
    },
    /// Set a business's booking settings from a file (JSON or TOML) and/or flags that change one
    /// part each. Checked before anything is stored: a bad value is refused with its field.
    Set(SetArgs),
}

/// A runnable first set-up, for messages that say how to start.
pub fn example_set(business: &BusinessId) -> String {
    format!(
        "frontdesk booking set {business} --timezone Asia/Jerusalem --hours sun-thu=09:00-17:00 \
         --service 'visit:ביקור:Visit:30'"
    )
}

/// Why a booking operation could not run, in the operator's words.
pub fn explain(business: &Business, err: BookingError) -> CliError {
    match err {
        BookingError::NotConfigured => format!(
            "booking is not set up for business `{}` (no settings or no service): {}",
            business.id,
            example_set(&business.id)
        )
        .into(),
        BookingError::UnknownService(id) => {
            let known: Vec<&str> = business
                .booking
                .iter()
                .flat_map(|s| &s.services)
                .map(|s| s.id.as_str())
                .collect();
            format!(
                "business `{}` has no service `{id}` (it has: {})",
                business.id,
                known.join(", ")
            )
            .into()
        }
        BookingError::Store(err) => err.into(),
    }
}

/// The business's settings, or how to set them up.
pub fn settings_of(business: &Business) -> Result<&BookingSettings, CliError> {
    frontdesk::booking::settings(business).map_err(|e| explain(business, e))
}

pub async fn run(
    deployment: &Deployment,
    command: BookingCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        BookingCommand::Show { business, json } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            match (&business.booking, json) {
                (Some(settings), true) => {
                    writeln!(out, "{}", serde_json::to_string_pretty(settings)?)?
                }
                (Some(settings), false) => {
                    writeln!(out, "Booking settings of {}", business.id)?;
                    show::table(settings, "  ", out)?;
                }
                (None, _) => {
                    return Err(format!(
                        "business `{}` has no booking settings yet: {}",
                        business.id,
                        example_set(&business.id)
                    )
                    .into())
                }
            }
        }
        BookingCommand::Set(args) => {
            let mut business =
                crate::business::load(deployment, &BusinessId::parse(&args.business)?).await?;
            if args.is_empty() {
                return Err("nothing to set: give --file or a flag (see --help)".into());
            }
            let settings = args
                .apply(business.booking.take())
                .map_err(|e| format!("booking settings not stored: {e}"))?;
            // One zone for the business: its events and its booking grid.
            business.timezone = settings.timezone.clone();
            business.booking = Some(settings);
            crate::business::save(deployment, &business).await?;
            writeln!(out, "stored the booking settings of {}", business.id)?;
            if let Some(settings) = &business.booking {
                show::table(settings, "  ", out)?;
            }
        }
    }
    Ok(())
}
