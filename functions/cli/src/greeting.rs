//! `frontdesk greeting …`: upload a business's greeting MP3, print its public URL, or set the
//! spoken fallback.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use clap::Subcommand;
use frontdesk::blob::{BlobError, BlobMeta, BlobStore, Progress};
use frontdesk::domain::{Business, BusinessId};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::business::load;
use crate::deployment::Deployment;
use crate::CliError;

#[derive(Subcommand, Debug)]
pub enum GreetingCommand {
    /// Upload an MP3 as the business's greeting (checked to be MPEG audio first).
    Upload {
        business: String,
        file: PathBuf,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the public URL Twilio plays the greeting from.
    Url { business: String },
    /// Set what callers hear when there is no greeting MP3 (text-to-speech).
    Say {
        business: String,
        text: String,
        /// The text's language (he-IL, en-US…).
        #[arg(long)]
        language: Option<String>,
    },
}

/// Stores `mp3` as the business's greeting and points the business at it (key and ETag); the
/// caller saves the business.
pub async fn attach(
    greetings: &dyn BlobStore,
    business: &mut Business,
    mp3: Bytes,
    progress: Progress,
) -> Result<BlobMeta, BlobError> {
    let key = Business::standard_greeting_key(&business.id);
    let stored = greetings
        .put_with_progress(&key, mp3, "audio/mpeg", progress)
        .await?;
    business.greeting_key = Some(key);
    business.greeting_etag = Some(stored.etag.clone());
    Ok(stored)
}

/// The public URL of a business's greeting.
pub fn public_url(deployment: &Deployment, business: &BusinessId) -> String {
    deployment
        .base_url
        .join(&frontdesk::voice::greeting_path(business))
}

pub async fn run(
    deployment: &Deployment,
    command: GreetingCommand,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        GreetingCommand::Upload {
            business,
            file,
            quiet,
            json,
        } => {
            let mut business = load(deployment, &BusinessId::parse(&business)?).await?;
            let data = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let info = crate::mp3::check(&data).map_err(|e| format!("{}: {e}", file.display()))?;
            let bar = progress_bar(data.len() as u64, quiet);
            let shown = bar.clone();
            let stored = attach(
                deployment.greetings.as_ref(),
                &mut business,
                Bytes::from(data),
                Arc::new(move |sent| shown.set_position(sent)),
            )
            .await?;
            bar.finish_and_clear();
            deployment.store.put_business(&business).await?;
            let key = Business::standard_greeting_key(&business.id);
            let url = public_url(deployment, &business.id);
            if json {
                let result = serde_json::json!({
                    "business": business.id.as_str(),
                    "key": key,
                    "etag": stored.etag,
                    "bytes": stored.content_length,
                    "bitrate": info.bitrate,
                    "sample_rate": info.sample_rate,
                    "url": url,
                });
                writeln!(out, "{result}")?;
            } else {
                writeln!(
                    out,
                    "uploaded {} ({} bytes, {} kbit/s, {} Hz) as {key} (ETag {})\nplayed from {url}",
                    file.display(),
                    stored.content_length,
                    info.bitrate / 1000,
                    info.sample_rate,
                    stored.etag
                )?;
            }
        }
        GreetingCommand::Url { business } => {
            let business = load(deployment, &BusinessId::parse(&business)?).await?;
            if business.greeting_key.is_none() {
                return Err(format!(
                    "business `{}` has no greeting: `frontdesk greeting upload {} FILE.mp3`",
                    business.id, business.id
                )
                .into());
            }
            writeln!(out, "{}", public_url(deployment, &business.id))?;
        }
        GreetingCommand::Say {
            business,
            text,
            language,
        } => {
            let mut business = load(deployment, &BusinessId::parse(&business)?).await?;
            if text.trim().is_empty() {
                return Err("the fallback text is empty".into());
            }
            business.fallback_text = text;
            if let Some(language) = language {
                business.language = language;
            }
            deployment.store.put_business(&business).await?;
            writeln!(
                out,
                "business {} says ({}) when it has no greeting MP3: {}",
                business.id, business.language, business.fallback_text
            )?;
        }
    }
    Ok(())
}

/// A byte progress bar on stderr (hidden with `--quiet` or when stderr is not a terminal).
fn progress_bar(length: u64, quiet: bool) -> ProgressBar {
    let target = if quiet {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let bar = ProgressBar::with_draw_target(Some(length), target);
    bar.set_style(
        ProgressStyle::with_template("uploading {bar:40} {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
