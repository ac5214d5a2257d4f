//! `frontdesk inbox …`: a business owner's way into the inbox pages. `link` prints a one-time
//! sign-in link (good for minutes, stored only as its hash); `revoke` signs every session of
//! the business out and kills its unused links; `reply-template` sets or shows the WhatsApp
//! template the inbox replies with more than 24 hours after the customer last wrote.

use std::io::Write;

use clap::{ArgGroup, Args, Subcommand};
use frontdesk::config::PublicBaseUrl;
use frontdesk::domain::inbox::{DEFAULT_LINK_MINUTES, MAX_LINK_MINUTES};
use frontdesk::domain::{Business, BusinessId, SignInLink};
use frontdesk::store::Store;
use frontdesk::Route;
use jiff::Timestamp;

use crate::deployment::Deployment;
use crate::CliError;

#[derive(Subcommand, Debug)]
pub enum InboxCommand {
    /// Print a one-time link that signs the business's owner in to the inbox.
    Link {
        business: String,
        /// How long the link stays good, in minutes.
        #[arg(long, default_value_t = DEFAULT_LINK_MINUTES,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_LINK_MINUTES)))]
        minutes: u32,
    },
    /// Sign every session of the business out, and void its unused links.
    Revoke { business: String },
    /// Set (or, without a flag, show) the WhatsApp template the inbox replies with more than 24
    /// hours after the customer last wrote; its body takes one variable, {{1}}: the owner's reply.
    ReplyTemplate(ReplyTemplateArgs),
}

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("how").args(["twilio_content_sid", "meta_template", "none"])))]
pub struct ReplyTemplateArgs {
    /// The business id.
    pub business: String,
    /// A Twilio Content Template approved for WhatsApp (`HX` and 32 hex digits).
    #[arg(long, value_name = "HX…")]
    pub twilio_content_sid: Option<String>,
    /// A Meta message template's name (with --language).
    #[arg(long, value_name = "NAME", requires = "language")]
    pub meta_template: Option<String>,
    /// The Meta template's language code (`he`, `en_US`).
    #[arg(long, value_name = "CODE", requires = "meta_template")]
    pub language: Option<String>,
    /// No template: outside the window the inbox offers a call back instead.
    #[arg(long)]
    pub none: bool,
}

/// How the inbox replies outside the 24-hour window, in words.
pub fn describe_reply_template(business: &Business) -> String {
    match (&business.reply_template, business.reply_template()) {
        (_, Some(template)) => format!("{template}; variable 1 the owner's reply"),
        (Some(template), None) => format!(
            "nothing ({template} is not for the business's provider, {}); a call back instead",
            business.whatsapp_provider.as_str()
        ),
        (None, None) => "nothing; a call back instead".into(),
    }
}

pub async fn run(
    deployment: &Deployment,
    command: InboxCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        InboxCommand::Link { business, minutes } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            let url = link(
                deployment.store.as_ref(),
                &deployment.base_url,
                &business.id,
                minutes,
                Timestamp::now(),
            )
            .await?;
            writeln!(out, "{url}")?;
        }
        InboxCommand::ReplyTemplate(args) => {
            let mut business =
                crate::business::load(deployment, &BusinessId::parse(&args.business)?).await?;
            let given =
                args.none || args.twilio_content_sid.is_some() || args.meta_template.is_some();
            if given {
                business.reply_template = crate::confirmation::template_for(
                    &business,
                    args.twilio_content_sid.as_deref(),
                    args.meta_template.as_deref().zip(args.language.as_deref()),
                )
                .map_err(|e| format!("reply template not stored: {e}"))?;
                crate::business::save(deployment, &business).await?;
            }
            writeln!(
                out,
                "more than 24 hours after a customer of {} last wrote, the inbox replies with {}",
                business.id,
                describe_reply_template(&business)
            )?;
        }
        InboxCommand::Revoke { business } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            deployment
                .store
                .revoke_inbox(&business.id, Timestamp::now())
                .await?;
            writeln!(
                out,
                "every inbox session and unused link of {} is revoked",
                business.id
            )?;
        }
    }
    Ok(())
}

/// Issues a sign-in link for `business`, good for `minutes` from `now`, and returns its URL:
/// `{base}/inbox/login?token=…`.
pub async fn link(
    store: &dyn Store,
    base: &PublicBaseUrl,
    business: &BusinessId,
    minutes: u32,
    now: Timestamp,
) -> Result<String, CliError> {
    let (token, link) = SignInLink::issue(business.clone(), now, minutes)?;
    store.put_sign_in_link(&link).await?;
    Ok(format!(
        "{}?token={}",
        base.join(Route::InboxLogin.path()),
        token.reveal()
    ))
}
