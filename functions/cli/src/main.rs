//! `frontdesk`: run Frontdesk locally and operate it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use frontdesk::app::Backends;
use frontdesk::config::{PublicBaseUrl, SignaturePolicy};
use frontdesk::{telemetry, App, Config};
use frontdesk_cli::booking::{self, AppointmentsCommand, AvailabilityArgs, BookingCommand};
use frontdesk_cli::business::{self, BusinessCommand};
use frontdesk_cli::calendar::{self, CalendarCommand};
use frontdesk_cli::configure::{self, TwilioCommand};
use frontdesk_cli::confirmation::{self, ConfirmationCommand};
use frontdesk_cli::deployment::TargetArgs;
use frontdesk_cli::doctor::{self, DoctorArgs};
use frontdesk_cli::greeting::{self, GreetingCommand};
use frontdesk_cli::inbox::{self, InboxCommand};
use frontdesk_cli::reminders::{self, RemindersCommand};
use frontdesk_cli::CliError;

#[derive(Parser)]
#[command(
    name = "frontdesk",
    version,
    about = "Answer a business's phone and WhatsApp lines",
    long_about = "Answer a business's phone and WhatsApp lines.\n\nOperator commands work on the \
local store of `frontdesk serve` (FRONTDESK_DATA_DIR, default .frontdesk) unless given a deployed \
stack (--stack NAME) or its table and bucket (--table, --bucket)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run every route locally on the embedded default: SQLite, an in-process queue and a
    /// folder under FRONTDESK_DATA_DIR (no AWS account needed).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// The public URL Twilio calls (a tunnel or proxy); sets PUBLIC_BASE_URL.
        #[arg(long, env = "PUBLIC_BASE_URL")]
        public_url: Option<String>,
        /// Businesses to load at start (JSON). Loaded when the file exists.
        #[arg(long, default_value = "infra/seed/businesses.json")]
        seed: PathBuf,
        /// Worker threads. SQLite serialises every write, so one worker avoids lock contention
        /// and measured fastest here (see the README's Performance section).
        #[arg(long, default_value_t = 1)]
        workers: usize,
    },
    /// Create, change, show, list and delete businesses; issue their API keys and webhook
    /// secrets.
    #[command(subcommand)]
    Business(Box<BusinessCommand>),
    /// Show or set a business's booking settings: hours, closed dates, services, the grid.
    #[command(subcommand)]
    Booking(BookingCommand),
    /// Print a business's free slots in its local time.
    Availability(AvailabilityArgs),
    /// List, book, reschedule and cancel a business's appointments.
    #[command(subcommand)]
    Appointments(AppointmentsCommand),
    /// Connect, show or disconnect a business's Google Calendar (a service account's key).
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Set or show how a phone booking is confirmed: a WhatsApp template, else an SMS.
    #[command(subcommand)]
    Confirmation(ConfirmationCommand),
    /// Place an outbound call for a business: a spoken message, or a bridge to its owner's
    /// phone (click-to-call). Exits 1 when the call was not placed.
    Call(frontdesk_cli::call::CallArgs),
    /// Set or show when and how customers are reminded of appointments; list the reminders,
    /// or send an appointment's next one now.
    #[command(subcommand)]
    Reminders(RemindersCommand),
    /// Upload a business's greeting MP3, print its URL, or set the spoken fallback.
    #[command(subcommand)]
    Greeting(GreetingCommand),
    /// Sign a business's owner in to the inbox pages with a one-time link, or sign every
    /// session out.
    #[command(subcommand)]
    Inbox(InboxCommand),
    /// Block, unblock or list the numbers a business rejects.
    #[command(subcommand)]
    Block(frontdesk_cli::block::BlockCommand),
    /// Set, show or test who hears about voicemails, missed calls and bookings (SMS,
    /// WhatsApp, email), quiet hours and the daily digest. `test` exits 1 when any failed.
    #[command(subcommand)]
    Alerts(frontdesk_cli::alerts::AlertsCommand),
    /// Check every business (or one) and say what to fix: exits 1 on any FAIL.
    Doctor(DoctorArgs),
    /// Point a business's Twilio numbers at this deployment.
    #[command(subcommand)]
    Twilio(TwilioCommand),
    /// Print the X-Twilio-Signature Twilio sends for a URL and its parameters or JSON body.
    Sign(frontdesk_cli::signing::SignArgs),
    /// Check an X-Twilio-Signature by the webhooks' own rules: exit 0 when valid, 1 when not.
    Verify(frontdesk_cli::signing::VerifyArgs),
    /// Send a signed Twilio or Meta webhook to a local or deployed Frontdesk and print the
    /// answer: exit 0 for a 2xx answer, 1 otherwise.
    Simulate(frontdesk_cli::simulate::SimulateArgs),
}

fn main() -> ExitCode {
    telemetry::init(&frontdesk::config::LogSettings::from_env());
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            addr,
            public_url,
            seed,
            workers,
        } => runtime(workers)
            .and_then(|rt| rt.block_on(serve(addr, public_url, seed)))
            .map(|()| ExitCode::SUCCESS),
        Command::Sign(args) => frontdesk_cli::signing::sign(&args),
        Command::Verify(args) => frontdesk_cli::signing::verify(&args),
        Command::Simulate(args) => {
            runtime(1).and_then(|rt| rt.block_on(frontdesk_cli::simulate::run(args)))
        }
        command => runtime(1).and_then(|rt| rt.block_on(operate(&cli.target, command))),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("frontdesk: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The operator commands, on the deployment the global flags name.
async fn operate(target: &TargetArgs, command: Command) -> Result<ExitCode, CliError> {
    let deployment = target.open().await?;
    let mut out = std::io::stdout().lock();
    match command {
        Command::Serve { .. } | Command::Sign(_) | Command::Verify(_) | Command::Simulate(_) => {
            unreachable!("these need no deployment and run before one is opened")
        }
        Command::Business(command) => business::run(&deployment, *command, &mut out).await?,
        Command::Greeting(command) => greeting::run(&deployment, command, &mut out).await?,
        Command::Inbox(command) => inbox::run(&deployment, command, &mut out).await?,
        Command::Alerts(command) => {
            if !frontdesk_cli::alerts::run(&deployment, command, &mut out).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Block(command) => {
            frontdesk_cli::block::run(&deployment, command, &mut out).await?
        }
        Command::Calendar(command) => calendar::run(&deployment, command, &mut out).await?,
        Command::Confirmation(command) => confirmation::run(&deployment, command, &mut out).await?,
        Command::Booking(command) => booking::run(&deployment, command, &mut out).await?,
        Command::Reminders(command) => {
            if !reminders::run(&deployment, command, &mut out).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Availability(args) => {
            booking::availability::run(&deployment, args, &mut out).await?
        }
        Command::Appointments(command) => {
            if !booking::appointments::run(&deployment, command, &mut out).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Call(args) => {
            if !frontdesk_cli::call::run(&deployment, args, &mut out).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Doctor(args) => {
            if !doctor::run(&deployment, args, &mut out).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Twilio(command) => {
            if !configure::run(&deployment, command, &mut out).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn runtime(workers: usize) -> Result<tokio::runtime::Runtime, CliError> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()?)
}

async fn serve(
    addr: SocketAddr,
    public_url: Option<String>,
    seed: PathBuf,
) -> Result<(), CliError> {
    let mut config = Config::from_env("local")?;
    if let Some(url) = public_url {
        config.public_base_url = Some(PublicBaseUrl::parse(&url)?);
    }
    if config.twilio.auth_token.is_none() && config.signature_policy != SignaturePolicy::Off {
        tracing::warn!(
            "TWILIO_AUTH_TOKEN is not set: every Twilio webhook will answer 403 until it is"
        );
    }
    let backends = Backends::embedded(&config.data_dir)?;
    let public = config.public_base_url.clone();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?.to_string();
    // Recording copies live beside the greetings, under data_dir/blobs/recordings/; their links
    // are this server's, as a browser or a business's webhook reaches it.
    let link_base = public.as_ref().map_or_else(
        || format!("http://{local_addr}"),
        |p| p.as_str().to_string(),
    );
    let recordings = std::sync::Arc::new(
        frontdesk::blob::folder::FolderBlobs::new(config.data_dir.join("blobs"))
            .with_link_base(&link_base),
    );
    let app = App::with_recordings(config, backends, recordings);
    if seed.exists() {
        let loaded = frontdesk_cli::seed::load(&app, &seed).await?;
        tracing::info!(businesses = ?loaded, seed = %seed.display(), "seed loaded");
    }
    print!(
        "{}",
        frontdesk_cli::serve::banner(&local_addr, public.as_ref())
    );
    frontdesk_cli::serve::spawn_reconciler(app.clone());
    let queue = frontdesk::queue::embedded::EmbeddedQueue::open(
        &app.config().data_dir.join("frontdesk.sqlite3"),
    )?;
    frontdesk_cli::consumers::spawn(
        frontdesk_cli::consumers::worker(&app)?.with_link_base(&link_base),
        std::sync::Arc::new(queue),
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    frontdesk_cli::serve::run(app, listener, shutdown).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;
    use clap::{Args, CommandFactory};
    use frontdesk_cli::deployment::DEPLOYMENT_OPTIONS;

    use super::*;

    /// The `--help` text of the subcommand `path` names.
    fn help(path: &[&str]) -> String {
        let argv = std::iter::once("frontdesk")
            .chain(path.iter().copied())
            .chain(["--help"]);
        let err = Cli::command()
            .try_get_matches_from(argv)
            .expect_err("--help answers with the help text");
        assert_eq!(err.kind(), ErrorKind::DisplayHelp);
        err.to_string()
    }

    /// The long flags listed under each heading of a help text, heading by heading.
    fn flags_by_heading(help: &str) -> Vec<(String, Vec<String>)> {
        let mut sections: Vec<(String, Vec<String>)> = Vec::new();
        for line in help.lines() {
            if let Some(heading) = line.strip_suffix(':').filter(|_| !line.starts_with(' ')) {
                sections.push((heading.to_string(), Vec::new()));
                continue;
            }
            let entry = line.trim_start();
            // Option lines start with their flags; wrapped descriptions do not.
            if !line.starts_with(' ') || !entry.starts_with('-') {
                continue;
            }
            let flag = entry
                .split_whitespace()
                .find(|word| word.starts_with("--"))
                .map(|word| word.trim_end_matches(',').to_string());
            if let (Some(flag), Some((_, flags))) = (flag, sections.last_mut()) {
                flags.push(flag);
            }
        }
        sections
    }

    /// Every global deployment flag, as `--long`.
    fn deployment_flags() -> Vec<String> {
        TargetArgs::augment_args(clap::Command::new("target"))
            .get_arguments()
            .filter_map(|arg| arg.get_long())
            .map(|long| format!("--{long}"))
            .collect()
    }

    #[test]
    fn deployment_options_have_their_own_heading_after_the_commands_own() {
        let deployment = deployment_flags();
        assert_eq!(deployment.len(), 8, "{deployment:?}");
        let commands: [(&[&str], &[&str]); 13] = [
            (
                &["business", "create"],
                &[
                    "--name",
                    "--number",
                    "--voice-mode",
                    "--webhook-url",
                    "--help",
                ],
            ),
            (&["greeting", "upload"], &["--quiet", "--json", "--help"]),
            (&["doctor"], &["--ping", "--json", "--help"]),
            (&["booking", "show"], &["--json", "--help"]),
            (
                &["booking", "set"],
                &[
                    "--file",
                    "--timezone",
                    "--hours",
                    "--closed",
                    "--open",
                    "--service",
                    "--remove-service",
                    "--step",
                    "--notice",
                    "--days-ahead",
                    "--capacity",
                    "--help",
                ],
            ),
            (
                &["availability"],
                &["--service", "--from", "--days", "--json", "--help"],
            ),
            (
                &["appointments", "list"],
                &["--from", "--to", "--status", "--json", "--help"],
            ),
            (
                &["appointments", "book"],
                &[
                    "--service",
                    "--start",
                    "--phone",
                    "--name",
                    "--json",
                    "--help",
                ],
            ),
            (
                &["appointments", "reschedule"],
                &["--start", "--json", "--help"],
            ),
            (&["appointments", "cancel"], &["--json", "--help"]),
            (
                &["calendar", "connect"],
                &["--service-account", "--calendar-id", "--no-check", "--help"],
            ),
            (
                &["confirmation", "set"],
                &[
                    "--twilio-content-sid",
                    "--meta-template",
                    "--language",
                    "--sms",
                    "--help",
                ],
            ),
            (
                &["inbox", "reply-template"],
                &[
                    "--twilio-content-sid",
                    "--meta-template",
                    "--language",
                    "--none",
                    "--help",
                ],
            ),
        ];
        for (path, own) in commands {
            let help = help(path);
            let sections = flags_by_heading(&help);
            let headings: Vec<&str> = sections.iter().map(|(h, _)| h.as_str()).collect();
            let options = headings.iter().position(|h| *h == "Options");
            let target = headings.iter().position(|h| *h == DEPLOYMENT_OPTIONS);
            assert!(
                matches!((options, target), (Some(o), Some(t)) if o < t),
                "{path:?}: Options first, then {DEPLOYMENT_OPTIONS}:\n{help}"
            );
            for (heading, flags) in &sections {
                let is_target = heading == DEPLOYMENT_OPTIONS;
                for flag in flags {
                    assert_eq!(
                        deployment.contains(flag),
                        is_target,
                        "{path:?}: {flag} is under {heading}:\n{help}"
                    );
                }
            }
            let listed = |heading: &str| {
                sections
                    .iter()
                    .filter(|(h, _)| h == heading)
                    .flat_map(|(_, flags)| flags.clone())
                    .collect::<Vec<_>>()
            };
            let (options, target) = (listed("Options"), listed(DEPLOYMENT_OPTIONS));
            for flag in own {
                assert!(
                    options.iter().any(|f| f == flag),
                    "{path:?}: {flag}:\n{help}"
                );
            }
            assert_eq!(target, deployment, "{path:?}:\n{help}");
        }
    }
}
