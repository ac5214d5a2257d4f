//! `frontdesk`: run Frontdesk locally and operate it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use frontdesk::app::Backends;
use frontdesk::config::{PublicBaseUrl, SignaturePolicy};
use frontdesk::{telemetry, App, Config};

#[derive(Parser)]
#[command(
    name = "frontdesk",
    version,
    about = "Answer a business's phone and WhatsApp lines"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
}

fn main() -> ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            addr,
            public_url,
            seed,
            workers,
        } => runtime(workers).and_then(|rt| rt.block_on(serve(addr, public_url, seed))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("frontdesk: {err}");
            ExitCode::FAILURE
        }
    }
}

fn runtime(workers: usize) -> Result<tokio::runtime::Runtime, Box<dyn std::error::Error>> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        .enable_all()
        .build()?)
}

async fn serve(
    addr: SocketAddr,
    public_url: Option<String>,
    seed: PathBuf,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::from_env("local")?;
    if let Some(url) = public_url {
        config.public_base_url = Some(PublicBaseUrl::parse(&url)?);
    }
    if config.twilio_auth_token.is_none() && config.signature_policy != SignaturePolicy::Off {
        tracing::warn!(
            "TWILIO_AUTH_TOKEN is not set: every Twilio webhook will answer 403 until it is"
        );
    }
    let backends = Backends::embedded(&config.data_dir)?;
    let public = config.public_base_url.clone();
    let app = App::new(config, backends);
    if seed.exists() {
        let loaded = frontdesk_cli::seed::load(&app, &seed).await?;
        tracing::info!(businesses = ?loaded, seed = %seed.display(), "seed loaded");
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?.to_string();
    print!(
        "{}",
        frontdesk_cli::serve::banner(&local_addr, public.as_ref())
    );
    frontdesk_cli::serve::spawn_reconciler(app.clone());
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    frontdesk_cli::serve::run(app, listener, shutdown).await?;
    Ok(())
}
