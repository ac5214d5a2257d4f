//! `frontdesk call BUSINESS --to +972… (--say "…" | --bridge) [--purpose P] [--json]`: places
//! an outbound call for a business through `frontdesk::dial`, the path `POST /api/calls` takes,
//! on the deployment the global flags name (the local store of `frontdesk serve`, or a stack).
//! Twilio calls back at the deployment's base URL (`--base-url`, the stack's `ApiBaseUrl`).

use std::io::Write;
use std::time::Duration;

use clap::Args;
use frontdesk::api::calls::placed_json;
use frontdesk::dial::{self, DialRequest, Origin, Script};
use frontdesk::domain::{BusinessId, PhoneNumber, Purpose, Requester};

use crate::deployment::Deployment;
use crate::CliError;

/// How long the command waits for a free second of the account's pacing.
const MAX_WAIT: Duration = Duration::from_secs(30);

#[derive(Args, Debug)]
pub struct CallArgs {
    /// The business id.
    pub business: String,
    /// Who to call, in E.164 (+972…).
    #[arg(long, value_name = "E164")]
    pub to: String,
    /// What the callee hears, spoken in the business's language.
    #[arg(
        long,
        value_name = "TEXT",
        required_unless_present = "bridge",
        conflicts_with = "bridge"
    )]
    pub say: Option<String>,
    /// Click-to-call: ring the business's owner phone first, then dial the customer.
    #[arg(long)]
    pub bridge: bool,
    /// Why the business calls: `callback`, `reminder` (leaves the message after an answering
    /// machine's beep), or a label of its own.
    #[arg(long, default_value = Purpose::CALLBACK)]
    pub purpose: String,
    /// Makes running the same command again safe: the call of the first run, never a second.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Print the call as JSON, as `POST /api/calls` answers it.
    #[arg(long)]
    pub json: bool,
}

/// Places the call; `Ok(false)` (exit 1) when it was not placed, with the reason printed.
pub async fn run(
    deployment: &Deployment,
    args: CallArgs,
    out: &mut dyn Write,
) -> Result<bool, CliError> {
    let id = BusinessId::parse(&args.business)?;
    let business = crate::business::load(deployment, &id).await?;
    let request = DialRequest {
        to: PhoneNumber::parse(&args.to)?,
        purpose: Purpose::parse(&args.purpose)?,
        script: match args.say {
            Some(text) => Script::Say(text),
            None => Script::Bridge,
        },
        requested_by: Requester::cli(),
        request_key: args.idempotency_key.map(|key| format!("cli:{key}")),
        max_wait: MAX_WAIT,
    };
    let app = deployment.app_placing_calls()?;
    match dial::place(&app, &business, Origin::Configured, request).await {
        Ok(dialled) => {
            if args.json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&placed_json(&dialled))?
                )?;
            } else {
                let placement = &dialled.placement;
                writeln!(
                    out,
                    "{} {} to {} from {} ({}, {}){}",
                    if dialled.replayed {
                        "already placed:"
                    } else {
                        "placed"
                    },
                    dialled.call_sid,
                    placement.to,
                    placement.from,
                    placement.purpose.as_str(),
                    dialled.status.as_str(),
                    match &placement.hears {
                        frontdesk::domain::Hears::Bridge { owner } =>
                            format!(", ringing the owner at {owner} first"),
                        frontdesk::domain::Hears::Say { .. }
                        | frontdesk::domain::Hears::Reminder { .. } => String::new(),
                    }
                )?;
            }
            Ok(true)
        }
        Err(err) => {
            writeln!(out, "not placed: {err}")?;
            Ok(false)
        }
    }
}
