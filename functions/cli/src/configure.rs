//! `frontdesk twilio configure BUSINESS`: points every phone number of a business at the
//! stack's webhooks in Twilio. Without `--yes` it only shows what would change.

use std::io::Write;

use frontdesk::domain::{Business, BusinessId};

use crate::twilio_rest::{NumberUrls, TwilioRest, TwilioRestError};

#[derive(clap::Subcommand, Debug)]
pub enum TwilioCommand {
    /// Point the business's Twilio numbers at this deployment: voice URL, status callback and
    /// messaging webhook. Prints the change; applies it only with --yes.
    Configure {
        business: String,
        /// Apply the change (without it, nothing is written to Twilio).
        #[arg(long)]
        yes: bool,
    },
}

/// Runs `frontdesk twilio …`; `Ok(false)` when a number is not on the Twilio account.
pub async fn run(
    deployment: &crate::deployment::Deployment,
    command: TwilioCommand,
    out: &mut dyn Write,
) -> Result<bool, crate::CliError> {
    let TwilioCommand::Configure { business, yes } = command;
    let business = crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
    let twilio = deployment.settings.twilio.as_ref().ok_or_else(|| {
        format!(
            "no Twilio credentials in {}: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
            deployment.settings.source
        )
    })?;
    let urls = NumberUrls::for_stack(&deployment.base_url);
    let report = configure(twilio, &business, &urls, yes, out).await?;
    Ok(report.is_success())
}

/// What a run found, number by number (E.164).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigureReport {
    /// Numbers whose settings differed: changed when `applied`, to change otherwise.
    pub changed: Vec<String>,
    /// Numbers already pointing at the stack.
    pub unchanged: Vec<String>,
    /// Numbers the Twilio account does not hold: a failure the caller reports.
    pub missing: Vec<String>,
    /// True when this run wrote the changes to Twilio; false for a dry run.
    pub applied: bool,
}

impl ConfigureReport {
    /// Every number is on the account (changed or already right).
    pub fn is_success(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Prints, for each of the business's phone numbers, what will change (`field: current →
/// wanted`), and applies it only when `apply` is true. Numbers the Twilio account does not hold
/// are reported as missing. Stops at the first Twilio error (numbers before it stay as
/// printed).
pub async fn configure(
    twilio: &TwilioRest,
    business: &Business,
    urls: &NumberUrls,
    apply: bool,
    out: &mut dyn Write,
) -> Result<ConfigureReport, TwilioRestError> {
    // Output failures are ignored: a closed stdout must not stop an update half-way through
    // the numbers, and the returned report carries the outcome anyway.
    let mut say = |line: String| {
        let _ = writeln!(out, "{line}");
    };
    let mut report = ConfigureReport {
        applied: apply,
        ..ConfigureReport::default()
    };
    if business.phone_numbers.is_empty() {
        say(format!("{}: no phone numbers to configure.", business.id));
        return Ok(report);
    }
    for number in &business.phone_numbers {
        let Some(incoming) = twilio.find_number(number).await? else {
            say(format!(
                "{number}: not a number of Twilio account {}",
                twilio.account_sid()
            ));
            report.missing.push(number.to_string());
            continue;
        };
        let label = format!("{number} ({})", incoming.sid);
        let differences = urls.differences(&incoming);
        if differences.is_empty() {
            say(format!("{label}: already points at the stack"));
            report.unchanged.push(number.to_string());
            continue;
        }
        for difference in &differences {
            say(format!(
                "{label}: {}: {} → {}",
                difference.field,
                difference.current.as_deref().unwrap_or("(unset)"),
                difference.wanted
            ));
        }
        if apply {
            twilio.update_number(&incoming.sid, urls).await?;
            say(format!("{label}: updated"));
        }
        report.changed.push(number.to_string());
    }
    if !report.missing.is_empty() {
        say(format!(
            "{} of {}'s numbers {} not on Twilio account {}.",
            report.missing.len(),
            business.id,
            if report.missing.len() == 1 {
                "is"
            } else {
                "are"
            },
            twilio.account_sid()
        ));
    }
    if !apply && !report.changed.is_empty() {
        say("Run again with --yes to apply.".to_string());
    }
    Ok(report)
}
