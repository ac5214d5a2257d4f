//! `frontdesk inbox …`: a business owner's way into the inbox pages. `link` prints a one-time
//! sign-in link (good for minutes, stored only as its hash); `revoke` signs every session of
//! the business out and kills its unused links.

use std::io::Write;

use clap::Subcommand;
use frontdesk::config::PublicBaseUrl;
use frontdesk::domain::inbox::{DEFAULT_LINK_MINUTES, MAX_LINK_MINUTES};
use frontdesk::domain::{BusinessId, SignInLink};
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
