//! What the latency benchmarks share: how many runs, the two backends (the embedded SQLite one,
//! and DynamoDB + SQS on a local moto server when `FRONTDESK_TEST_AWS_ENDPOINT` names one), a
//! business that books every day, and percentiles of what was measured.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::domain::booking::settings::BookingSettings;
use frontdesk::domain::{Business, BusinessId};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::App;
use frontdesk_testkit::config::config;

/// The first number among the arguments (`cargo bench … -- N`), else `default`.
pub fn runs(default: usize) -> usize {
    std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(default)
}

/// Open every day from 08:00 to 20:00, 15-minute slots of a 15-minute service: enough distinct
/// slots in 60 days for any run.
pub fn settings() -> BookingSettings {
    BookingSettings::parse_json(
        r#"{"timezone": "Asia/Jerusalem",
            "hours": {"sun": [["08:00","20:00"]], "mon": [["08:00","20:00"]], "tue": [["08:00","20:00"]],
                      "wed": [["08:00","20:00"]], "thu": [["08:00","20:00"]], "fri": [["08:00","20:00"]],
                      "sat": [["08:00","20:00"]]},
            "services": [{"id": "visit", "name_he": "ביקור", "name_en": "Visit", "duration_minutes": 15}],
            "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 60, "capacity": 1}"#,
    )
    .unwrap()
}

/// A business `id` with [`settings`], stored.
pub async fn business(app: &App, id: &str, adjust: impl FnOnce(&mut Business)) -> Business {
    let mut business = Business::new(BusinessId::parse(id).unwrap(), "Bench");
    business.booking = Some(settings());
    adjust(&mut business);
    app.store().put_business(&business).await.unwrap();
    business
}

/// Runs `bench` on the embedded backend, then on moto when one is running; `what` names the
/// benchmark in the line saying moto was skipped.
pub fn on_both_backends<F, Fut>(what: &str, bench: F)
where
    F: Fn(&'static str, App) -> Fut,
    Fut: Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("frontdesk.sqlite3");
        let backends = Backends {
            store: Arc::new(SqliteStore::open(&db).unwrap()),
            queue: Arc::new(EmbeddedQueue::open(&db).unwrap()),
            greetings: Arc::new(FolderBlobs::new(dir.path().join("blobs"))),
        };
        bench("SQLite (embedded)", App::new(config(&[]), backends)).await;
        match std::env::var("FRONTDESK_TEST_AWS_ENDPOINT") {
            Ok(_) => {
                let stack = frontdesk_testkit::Stack::new().await;
                bench("DynamoDB + SQS on moto", stack.app(&[]).await).await;
            }
            Err(_) => println!(
                "{what}, moto: skipped (FRONTDESK_TEST_AWS_ENDPOINT unset; ./infra/bench.sh starts moto)"
            ),
        }
    });
}

/// p50, p99, mean and max of `latencies`, in milliseconds.
pub struct Percentiles {
    pub n: usize,
    pub p50: f64,
    pub p99: f64,
    pub mean: f64,
    pub max: f64,
}

impl Percentiles {
    pub fn of(mut latencies: Vec<Duration>) -> Self {
        latencies.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let at = |q: f64| ms(latencies[((latencies.len() as f64 - 1.0) * q).round() as usize]);
        Self {
            n: latencies.len(),
            p50: at(0.50),
            p99: at(0.99),
            mean: ms(latencies.iter().sum::<Duration>()) / latencies.len() as f64,
            max: ms(*latencies.last().unwrap()),
        }
    }
}
