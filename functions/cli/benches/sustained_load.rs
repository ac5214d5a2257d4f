//! Sustained load on `frontdesk serve`: a fixed rate of signed Twilio webhooks, mixed as real
//! traffic brings them — for each call `incoming_call`, `handle_recording`, `recording_status`,
//! `call_status` (its own caller and CallSid, so the per-caller limit never refuses), and for
//! each WhatsApp message the incoming webhook and a delivery status — against `serve`'s router on
//! the embedded store (the demo seed), one server worker thread as `frontdesk serve` runs by
//! default. Each request's latency is measured from when it was due, not when it was sent, so a
//! server that falls behind shows in the figures (no coordinated omission). Prints the histogram
//! and every answer that was not 2xx.
//!
//! `cargo bench -p frontdesk-cli --bench sustained_load -- [RATE] [SECONDS]` (default 2,000
//! requests a second for 60 s), or `./infra/load.sh sustained`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use frontdesk::app::Backends;
use frontdesk::http::FormParams;
use frontdesk::twilio::signature;
use frontdesk::App;
use hdrhistogram::Histogram;

const TOKEN: &str = "sustained-load-token";
const CLINIC: &str = "+97233334444";
const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

type Form = Vec<(&'static str, String)>;

/// One kind of webhook: its path and its form for the `n`th call or message.
struct Kind {
    name: &'static str,
    path: &'static str,
    form: fn(u64) -> Form,
}

fn caller(n: u64) -> String {
    format!("+9725{:08}", n % 100_000_000)
}

fn call(n: u64, status: &str) -> Form {
    vec![
        ("AccountSid", ACCOUNT.into()),
        ("CallSid", format!("CA{n:032x}")),
        ("From", caller(n)),
        ("To", CLINIC.into()),
        ("Direction", "inbound".into()),
        ("CallStatus", status.into()),
    ]
}

fn recording(n: u64, status: &str) -> Form {
    let mut form = call(n, status);
    form.extend([
        ("RecordingSid", format!("RE{n:032x}")),
        (
            "RecordingUrl",
            format!("https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{n:032x}"),
        ),
        ("RecordingDuration", "9".into()),
    ]);
    form
}

const KINDS: [Kind; 6] = [
    Kind {
        name: "incoming_call",
        path: "/webhook/incoming_call",
        form: |n| call(n, "ringing"),
    },
    Kind {
        name: "handle_recording",
        path: "/webhook/handle_recording",
        form: |n| recording(n, "in-progress"),
    },
    Kind {
        name: "recording_status",
        path: "/webhook/recording_status",
        form: |n| {
            let mut form = recording(n, "in-progress");
            form.push(("RecordingStatus", "completed".into()));
            form
        },
    },
    Kind {
        name: "call_status",
        path: "/webhook/call_status",
        form: |n| {
            let mut form = call(n, "completed");
            form.extend([
                ("CallDuration", "31".into()),
                ("SequenceNumber", "3".into()),
            ]);
            form
        },
    },
    Kind {
        name: "whatsapp_incoming",
        path: "/webhook/whatsapp/incoming",
        form: |n| {
            vec![
                ("AccountSid", ACCOUNT.into()),
                ("MessageSid", format!("SM{n:032x}")),
                ("From", format!("whatsapp:{}", caller(n))),
                ("To", format!("whatsapp:{CLINIC}")),
                ("Body", "שלום, אפשר לקבוע תור?".into()),
                ("NumMedia", "0".into()),
            ]
        },
    },
    Kind {
        name: "whatsapp_status",
        path: "/webhook/whatsapp/status",
        form: |n| {
            vec![
                ("AccountSid", ACCOUNT.into()),
                ("MessageSid", format!("SM{:032x}", n + (1 << 60))),
                ("From", format!("whatsapp:{CLINIC}")),
                ("To", format!("whatsapp:{}", caller(n))),
                ("MessageStatus", "delivered".into()),
            ]
        },
    },
];

/// What every request ended with.
struct Outcome {
    latencies: Histogram<u64>,
    by_kind: BTreeMap<&'static str, u64>,
    not_2xx: BTreeMap<String, u64>,
}

fn main() {
    let mut args = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<u64>().ok());
    let rate = args.next().unwrap_or(2_000).max(1);
    let seconds = args.next().unwrap_or(60);

    // The server: `serve`'s router, one worker thread, on its own runtime.
    let dir = tempfile::tempdir().unwrap();
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let base_url = server.block_on(async {
        let mut config =
            frontdesk_testkit::config::from_vars(&[("TWILIO_AUTH_TOKEN", TOKEN)], "local");
        config.data_dir = dir.path().to_path_buf();
        let app = App::new(config, Backends::embedded(dir.path()).unwrap());
        let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/seed/businesses.json");
        frontdesk_cli::seed::load(&app, &seed).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(frontdesk_cli::serve::run(
            app,
            listener,
            std::future::pending(),
        ));
        url
    });

    // The load: one request due every 1/rate s, each sent when due on its own task.
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let outcome = Arc::new(Mutex::new(Outcome {
        latencies: Histogram::new_with_bounds(1, 60_000_000, 3).unwrap(),
        by_kind: BTreeMap::new(),
        not_2xx: BTreeMap::new(),
    }));
    let total = rate * seconds;
    let started = client.block_on(async {
        let http = frontdesk::tls::https_client_builder()
            .pool_max_idle_per_host(512)
            .build()
            .unwrap();
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..total {
            let due = start + Duration::from_nanos(i * 1_000_000_000 / rate);
            tokio::time::sleep_until(due.into()).await;
            let kind = &KINDS[(i % KINDS.len() as u64) as usize];
            let n = i / KINDS.len() as u64 + 1;
            let form = FormParams::from_pairs(
                (kind.form)(n)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            );
            let url = format!("{base_url}{}", kind.path);
            let signature = signature::compute(TOKEN, &url, form.pairs());
            let request = http
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("x-twilio-signature", signature)
                .body(form.encode());
            let outcome = outcome.clone();
            let name = kind.name;
            tasks.spawn(async move {
                let answer = request.send().await;
                let latency = due.elapsed();
                let mut outcome = outcome.lock().unwrap();
                let micros = u64::try_from(latency.as_micros())
                    .unwrap_or(u64::MAX)
                    .max(1);
                outcome.latencies.saturating_record(micros);
                *outcome.by_kind.entry(name).or_default() += 1;
                let failure = match answer {
                    Ok(response) if response.status().is_success() => None,
                    Ok(response) => Some(format!("{name} {}", response.status())),
                    Err(err) => Some(format!("{name} error: {}", err.without_url())),
                };
                if let Some(failure) = failure {
                    *outcome.not_2xx.entry(failure).or_default() += 1;
                }
            });
            while let Some(done) = tasks.try_join_next() {
                done.unwrap();
            }
        }
        while tasks.join_next().await.is_some() {}
        start
    });
    let elapsed = started.elapsed();
    let outcome = outcome.lock().unwrap();
    let h = &outcome.latencies;
    let ms = |micros: u64| micros as f64 / 1000.0;
    println!(
        "{} signed webhooks due at {rate}/s for {seconds} s, done in {:.1} s, against frontdesk \
         serve's router (embedded store, one worker thread): {}",
        h.len(),
        elapsed.as_secs_f64(),
        outcome
            .by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "latency from due time: p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   p99.9 {:.2} ms   max {:.2} ms",
        ms(h.value_at_quantile(0.5)),
        ms(h.value_at_quantile(0.9)),
        ms(h.value_at_quantile(0.99)),
        ms(h.value_at_quantile(0.999)),
        ms(h.max())
    );
    if outcome.not_2xx.is_empty() {
        println!("non-2xx answers: 0");
    } else {
        println!("non-2xx answers:");
        for (what, n) in &outcome.not_2xx {
            println!("  {n} × {what}");
        }
    }
    server.shutdown_background();
}
