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
    /// Create an API key for a business (embedded store under FRONTDESK_DATA_DIR). The key is
    /// printed once; only its SHA-256 is kept.
    ApiKey {
        /// The business id.
        #[arg(long)]
        business: String,
    },
    /// Create (or replace) the secret that signs a business's webhooks (embedded store). The
    /// `whsec_…` secret is printed for the business to verify signatures with.
    WebhookSecret {
        /// The business id.
        #[arg(long)]
        business: String,
    },
    /// Print the X-Twilio-Signature Twilio sends for a URL and its parameters or JSON body.
    Sign(frontdesk_cli::signing::SignArgs),
    /// Check an X-Twilio-Signature by the webhooks' own rules: exit 0 when valid, 1 when not.
    Verify(frontdesk_cli::signing::VerifyArgs),
    /// Send a signed Twilio or Meta webhook to a local or deployed Frontdesk and print the
    /// answer: exit 0 for a 2xx answer, 1 otherwise.
    Simulate(frontdesk_cli::simulate::SimulateArgs),
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
        Command::ApiKey { business } => {
            runtime(1).and_then(|rt| rt.block_on(credential(&business, Credential::ApiKey)))
        }
        Command::WebhookSecret { business } => {
            runtime(1).and_then(|rt| rt.block_on(credential(&business, Credential::WebhookSecret)))
        }
        Command::Sign(args) => return exit_code(frontdesk_cli::signing::sign(&args)),
        Command::Verify(args) => return exit_code(frontdesk_cli::signing::verify(&args)),
        Command::Simulate(args) => {
            return exit_code(
                runtime(1).and_then(|rt| rt.block_on(frontdesk_cli::simulate::run(args))),
            )
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("frontdesk: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The exit status of a command that decides its own (sign, verify, simulate).
fn exit_code(result: Result<ExitCode, Box<dyn std::error::Error>>) -> ExitCode {
    result.unwrap_or_else(|err| {
        eprintln!("frontdesk: {err}");
        ExitCode::FAILURE
    })
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
    // Recording copies live beside the greetings, under data_dir/blobs/recordings/.
    let recordings = std::sync::Arc::new(frontdesk::blob::folder::FolderBlobs::new(
        config.data_dir.join("blobs"),
    ));
    let app = App::with_recordings(config, backends, recordings);
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
    let queue = frontdesk::queue::embedded::EmbeddedQueue::open(
        &app.config().data_dir.join("frontdesk.sqlite3"),
    )?;
    frontdesk_cli::consumers::spawn(
        frontdesk_cli::consumers::worker(&app)?,
        std::sync::Arc::new(queue),
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    frontdesk_cli::serve::run(app, listener, shutdown).await?;
    Ok(())
}

enum Credential {
    ApiKey,
    WebhookSecret,
}

/// Creates a credential for a business in the embedded store and prints it once.
async fn credential(business: &str, kind: Credential) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env("local")?;
    let backends = Backends::embedded(&config.data_dir)?;
    let business = frontdesk::domain::BusinessId::parse(business)?;
    if backends.store.business(&business).await?.is_none() {
        return Err(format!("no business `{business}` in {}", config.data_dir.display()).into());
    }
    match kind {
        Credential::ApiKey => {
            let key = frontdesk::api::ApiKey::generate()?;
            backends
                .store
                .put_api_key(&business, &key.hash(), time::OffsetDateTime::now_utc())
                .await?;
            println!("{}", key.reveal());
            eprintln!("API key for {business}: shown once, only its hash is kept.");
        }
        Credential::WebhookSecret => {
            let secret = frontdesk::worker::signing::generate_secret()?;
            backends
                .store
                .put_webhook_secret(&business, &secret)
                .await?;
            println!("{}", secret.expose());
            eprintln!("Webhook signing secret for {business} (Standard Webhooks).");
        }
    }
    Ok(())
}
