//! `frontdesk confirmation set|show`: how a phone booking is confirmed to the customer. With a
//! WhatsApp template for the business's provider (a Twilio Content Template `HX…`, or a Meta
//! template's name and language), that template with three body variables: `{{1}}` the
//! service, `{{2}}` the day, `{{3}}` the time. Without one, an SMS from the business's number.

use std::io::Write;

use clap::{ArgGroup, Args, Subcommand};
use frontdesk::domain::{Business, BusinessId, ConfirmationTemplate, Provider};

use crate::deployment::Deployment;
use crate::CliError;

#[derive(Subcommand, Debug)]
pub enum ConfirmationCommand {
    /// Set the WhatsApp template a phone booking is confirmed with, or go back to SMS.
    Set(SetArgs),
    /// Show how a phone booking is confirmed.
    Show {
        /// The business id.
        business: String,
    },
}

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("how").required(true).args(["twilio_content_sid", "meta_template", "sms"])))]
pub struct SetArgs {
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
    /// No template: confirm by SMS.
    #[arg(long)]
    pub sms: bool,
}

/// The template `args` name, checked against the business's provider: a template for the
/// other provider would never be sent.
fn template(business: &Business, args: &SetArgs) -> Result<Option<ConfirmationTemplate>, CliError> {
    template_for(
        business,
        args.twilio_content_sid.as_deref(),
        args.meta_template.as_deref().zip(args.language.as_deref()),
    )
}

/// The WhatsApp template a Twilio content SID, or a Meta template's name and language, name
/// (`None` when neither is given), checked against the business's provider: a template for the
/// other provider would never be sent.
pub fn template_for(
    business: &Business,
    twilio_content_sid: Option<&str>,
    meta_template: Option<(&str, &str)>,
) -> Result<Option<ConfirmationTemplate>, CliError> {
    let template = match (twilio_content_sid, meta_template) {
        (Some(sid), _) => ConfirmationTemplate::twilio(sid)?,
        (None, Some((name, language))) => ConfirmationTemplate::meta(name, language)?,
        (None, None) => return Ok(None),
    };
    if template.provider() != business.whatsapp_provider {
        return Err(format!(
            "business `{}` sends WhatsApp through {}: a {} template would never be used (set --{} instead, or change the business's --whatsapp-provider first)",
            business.id,
            business.whatsapp_provider.as_str(),
            template.provider().as_str(),
            match business.whatsapp_provider {
                Provider::Twilio => "twilio-content-sid",
                Provider::Meta => "meta-template with --language",
            }
        )
        .into());
    }
    Ok(Some(template))
}

/// How the business confirms, in words.
pub fn describe(business: &Business) -> String {
    match &business.confirmation_template {
        Some(template) if template.provider() == business.whatsapp_provider => {
            format!("WhatsApp: {template}; variables 1 service, 2 day, 3 time")
        }
        Some(template) => format!(
            "SMS from {} ({template} is not for the business's provider, {})",
            sender(business),
            business.whatsapp_provider.as_str()
        ),
        None => format!("SMS from {}", sender(business)),
    }
}

fn sender(business: &Business) -> String {
    business
        .phone_numbers
        .first()
        .map_or_else(|| "no number (none can be sent)".into(), |n| n.to_string())
}

pub async fn run(
    deployment: &Deployment,
    command: ConfirmationCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        ConfirmationCommand::Set(args) => {
            let mut business =
                crate::business::load(deployment, &BusinessId::parse(&args.business)?).await?;
            business.confirmation_template =
                template(&business, &args).map_err(|e| format!("confirmation not stored: {e}"))?;
            crate::business::save(deployment, &business).await?;
            writeln!(
                out,
                "a phone booking of {} is confirmed by {}",
                business.id,
                describe(&business)
            )?;
        }
        ConfirmationCommand::Show { business } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            writeln!(
                out,
                "a phone booking of {} is confirmed by {}",
                business.id,
                describe(&business)
            )?;
        }
    }
    Ok(())
}
