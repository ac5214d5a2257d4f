//! `frontdesk block add|remove|list`: the numbers a business blocks. A blocked number's calls are
//! rejected before any greeting and its WhatsApp messages are kept unanswered; the inbox's
//! block button changes the same list.

use std::io::Write;

use clap::Subcommand;
use frontdesk::domain::{BusinessId, PhoneNumber};

use crate::deployment::Deployment;
use crate::CliError;

#[derive(Subcommand, Debug)]
pub enum BlockCommand {
    /// Block a number: its calls get <Reject/>, its messages no answer.
    Add {
        business: String,
        /// The number in E.164 (+972…).
        number: String,
    },
    /// Unblock a number.
    Remove { business: String, number: String },
    /// The business's blocked numbers, one a line.
    List { business: String },
}

pub async fn run(
    deployment: &Deployment,
    command: BlockCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let (business, number, blocked) = match command {
        BlockCommand::List { business } => {
            let business =
                crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
            for number in &business.blocked_numbers {
                writeln!(out, "{number}")?;
            }
            return Ok(());
        }
        BlockCommand::Add { business, number } => (business, number, true),
        BlockCommand::Remove { business, number } => (business, number, false),
    };
    let business = crate::business::load(deployment, &BusinessId::parse(&business)?).await?;
    let number = PhoneNumber::parse(&number)?;
    deployment
        .store
        .set_number_blocked(&business.id, &number, blocked)
        .await?;
    let now = if blocked { "blocked" } else { "not blocked" };
    writeln!(out, "{number} is {now} for {}", business.id)?;
    Ok(())
}
