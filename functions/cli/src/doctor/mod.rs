//! `frontdesk doctor [BUSINESS]`: why a number does not work. For the deployment and each
//! business, a table of checks, each PASS, WARN or FAIL with the fix, and a summary; the exit
//! code is 1 on any FAIL.
//!
//! [`Doctor`] gathers the report: the deployment-wide checks, then each business's (its
//! numbers and greeting, its webhooks, its calls, its Twilio numbers and Meta settings, its
//! calendar and the follow-ups of its bookings, its owner alerts).

use std::io::Write;
use std::time::Duration;

use clap::Args;
use frontdesk::domain::BusinessId;
use time::OffsetDateTime;

use crate::deployment::{DeadLetters, Deployment};
use crate::twilio_rest::TwilioRest;
use crate::CliError;

mod alerts;
mod booking;
mod business;
mod calls;
mod deployment;
mod follow_ups;
mod providers;
mod reminders;
mod report;
mod webhooks;

pub use report::{render, Check, Level, Report, Section};

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// Check only this business (default: every business).
    pub business: Option<String>,
    /// Also send each webhook URL a signed `frontdesk.ping` event and expect a 2xx.
    #[arg(long)]
    pub ping: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Everything the checks reach out with.
pub struct Doctor<'a> {
    pub deployment: &'a Deployment,
    pub http: reqwest::Client,
    pub twilio: Option<TwilioRest>,
    pub ping: bool,
    pub now: OffsetDateTime,
}

impl<'a> Doctor<'a> {
    pub fn new(deployment: &'a Deployment, ping: bool) -> Result<Self, CliError> {
        Ok(Self {
            deployment,
            http: frontdesk::tls::https_client_builder()
                .timeout(Duration::from_secs(10))
                .build()?,
            twilio: deployment.settings.twilio.clone(),
            ping,
            now: OffsetDateTime::now_utc(),
        })
    }

    fn on_aws(&self) -> bool {
        !matches!(self.deployment.queues, DeadLetters::Embedded(_))
    }

    /// The report for one business, or for every business.
    pub async fn diagnose(&self, only: Option<&BusinessId>) -> Result<Report, CliError> {
        let businesses = match only {
            Some(id) => vec![crate::business::load(self.deployment, id).await?],
            None => self.deployment.store.list_businesses().await?,
        };
        let mut sections = vec![Section {
            business: None,
            checks: self.deployment_checks(businesses.is_empty()).await?,
        }];
        for business in &businesses {
            sections.push(Section {
                business: Some(business.id.to_string()),
                checks: self.business_checks(business).await?,
            });
        }
        Ok(Report {
            deployment: self.deployment.name.clone(),
            sections,
        })
    }
}

/// Runs the doctor; `Ok(false)` when any check failed.
pub async fn run(
    deployment: &Deployment,
    args: DoctorArgs,
    out: &mut dyn Write,
) -> Result<bool, CliError> {
    let only = args
        .business
        .as_deref()
        .map(BusinessId::parse)
        .transpose()?;
    let report = Doctor::new(deployment, args.ping)?
        .diagnose(only.as_ref())
        .await?;
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        render(&report, out)?;
    }
    Ok(report.count(Level::Fail) == 0)
}
