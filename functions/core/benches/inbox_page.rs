//! The owner's calls page with 10,000 calls in the store: the time from the request to the
//! whole page (what a browser waits for its first byte: the handler renders the page at once),
//! dispatched through the route table as the `inbox` Lambda and `frontdesk serve` do, for the
//! first page, the page a 40-page walk reaches (by its cursor), and the calls still needing a
//! call back. One in ten of the newest 1,000 calls (the pages measured) is a voicemail with a
//! recording copy and a transcript, so a page carries its signed recording links. Then the page's weight: HTML (with its inline style
//! sheet) and the one script.
//!
//! On SQLite, and on DynamoDB + S3 through a local moto server when one is running:
//! `./infra/bench.sh inbox [N]` (N requests of each kind, default 200). Moto gets 1,000 calls,
//! not 10,000: a call's start is a DynamoDB transaction, and moto copies the whole table for
//! each one, so seeding 10,000 would take hours of the emulator's time. DynamoDB's page is one
//! Query of the business's index partition with a limit, whose cost does not grow with the
//! partition; SQLite's figure is with all 10,000.

// Its own two apps (the recordings store on each): the shared booking helpers are not used.
#[allow(dead_code)]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::Percentiles;
use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::domain::{
    Business, BusinessId, CallSid, CallStart, CallStatus, Direction, InboxSession, Recording,
    RecordingSid, TranscriptionOutcome,
};
use frontdesk::handlers::inbox_script::SCRIPT;
use frontdesk::http::InboundRequest;
use frontdesk::inbox::cookie;
use frontdesk::lambda::Wiring;
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::store::dynamodb::DynamoStore;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::store::Store;
use frontdesk::{App, Route};
use frontdesk_testkit::config::config;
use http::{HeaderMap, HeaderValue, Method};
use jiff::Timestamp;

const CALLS: usize = 10_000;
const MOTO_CALLS: usize = 1_000;
const MOTO_REQUESTS: usize = 20;
const VOICEMAILS: usize = 100;
const HOST: &str = "bench.frontdesk.test";

fn is_voicemail(n: usize, calls: usize) -> bool {
    n >= calls.saturating_sub(10 * VOICEMAILS) && n.is_multiple_of(10)
}

/// 10,000 calls a minute apart; one in ten of the newest 1,000 a voicemail with its copy and
/// transcript.
/// `parallel` writers at a time (moto serves one request at a time: more only time out).
async fn seed(store: Arc<dyn Store>, business: &BusinessId, calls: usize, parallel: usize) {
    let started = Instant::now();
    let first = time::OffsetDateTime::now_utc() - time::Duration::minutes(calls as i64);
    let mut tasks = tokio::task::JoinSet::new();
    // The voicemails first: their transcript is a transaction, and moto copies the whole table
    // for each one, which a table of 10,000 calls makes slow.
    let voicemails_first = (0..calls)
        .filter(|&n| is_voicemail(n, calls))
        .chain((0..calls).filter(|&n| !is_voicemail(n, calls)));
    for n in voicemails_first {
        if tasks.len() >= parallel {
            tasks.join_next().await.unwrap().unwrap();
        }
        let (store, business) = (store.clone(), business.clone());
        tasks.spawn(async move {
            let sid = CallSid::parse(&format!("CA{n:032x}")).unwrap();
            store
                .record_call_start(&CallStart {
                    sid: sid.clone(),
                    business_id: business.clone(),
                    from: format!("+97250{:07}", n % 3_000),
                    to: "+97233334444".into(),
                    direction: Direction::Inbound,
                    caller_name: (n % 3 == 0).then(|| format!("לקוח {n}")),
                    status: CallStatus::Completed,
                    started_at: first + time::Duration::minutes(n as i64),
                    placed: None,
                })
                .await
                .unwrap();
            if !is_voicemail(n, calls) {
                return;
            }
            let recording = Recording {
                sid: RecordingSid::parse(&format!("RE{n:032x}")).unwrap(),
                url: format!(
                    "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE{n:032x}"
                ),
                duration_seconds: Some(20),
                digits: None,
            };
            let now = time::OffsetDateTime::now_utc();
            store
                .attach_recording(&sid, &recording, true, now)
                .await
                .unwrap();
            let key = format!("recordings/{business}/{sid}/{}.mp3", recording.sid);
            store.set_recording_copy(&sid, &key).await.unwrap();
            let transcript = TranscriptionOutcome::Ready {
                transcript: "שלום, רציתי לקבוע תור לבדיקה בשבוע הבא, אם אפשר ביום שלישי או \
                             רביעי בבוקר. תחזרו אליי למספר הזה, תודה רבה."
                    .repeat(2),
                language: Some("he".into()),
            };
            store
                .finish_transcription(&sid, &transcript, now)
                .await
                .unwrap();
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    println!(
        "  seeded {calls} calls ({VOICEMAILS} voicemails among the newest 1,000) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// A signed-in owner's cookie header.
async fn signed_in(app: &App, business: &BusinessId) -> String {
    let (id, session) = InboxSession::open(business.clone(), Timestamp::now()).unwrap();
    app.store().put_inbox_session(&session).await.unwrap();
    let key = app.inbox_key().await.unwrap();
    format!("{}={}", cookie::COOKIE_NAME, cookie::seal(key, &id))
}

fn get(path_and_query: &str, cookie: &str) -> InboundRequest {
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static(HOST));
    headers.insert("cookie", HeaderValue::from_str(cookie).unwrap());
    InboundRequest::local(
        Method::GET,
        path_and_query,
        headers,
        Bytes::new(),
        "bench-inbox".into(),
    )
}

/// One page: how long it took, and its HTML.
async fn page(app: &App, path_and_query: &str, cookie: &str) -> (Duration, String) {
    let started = Instant::now();
    let response = frontdesk::routes::dispatch(app, get(path_and_query, cookie)).await;
    let took = started.elapsed();
    assert_eq!(response.status(), 200, "{path_and_query}");
    (took, String::from_utf8(response.body().to_vec()).unwrap())
}

/// The `rel="next"` link's path and query.
fn older(html: &str) -> String {
    let link = html
        .split("rel=\"next\"")
        .next()
        .and_then(|before| before.rsplit("href=\"").next())
        .expect("a next page");
    let link = link.split('"').next().unwrap().replace("&amp;", "&");
    link.strip_prefix(&format!("http://{HOST}"))
        .unwrap_or(&link)
        .to_string()
}

fn report(backend: &str, what: &str, latencies: Vec<Duration>) {
    let p = Percentiles::of(latencies);
    println!(
        "  {backend:<24} {what:<34} n={:<4} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        p.n, p.p50, p.p99, p.max
    );
}

/// `seeder` writes the calls (on moto, a client without the Lambda's 1.5 s timeouts: moto
/// copies the whole table for each transaction); `app` serves the pages as the Lambda does.
async fn run(
    backend: &'static str,
    app: App,
    seeder: Arc<dyn Store>,
    calls: usize,
    n: usize,
    parallel: usize,
) {
    let mut business = Business::new(BusinessId::parse("bench-inbox").unwrap(), "מרפאת הבדיקות");
    business.language = "he-IL".into();
    app.store().put_business(&business).await.unwrap();
    seed(seeder, &business.id, calls, parallel).await;
    let cookie = signed_in(&app, &business.id).await;

    let inbox = Route::Inbox.path();
    let (_, first) = page(&app, inbox, &cookie).await;
    assert_eq!(first.matches("<article").count(), 25);
    assert!(first.contains("<audio"), "voicemails carry their links");
    let mut deep = inbox.to_string();
    for _ in 0..39 {
        let (_, html) = page(&app, &deep, &cookie).await;
        deep = older(&html);
    }
    let open = format!("{inbox}?handled=false");
    for (what, path) in [
        ("first page (25 calls)", inbox),
        ("page 40 (by its cursor)", deep.as_str()),
        ("needing a call back (?handled=false)", open.as_str()),
    ] {
        let mut latencies = Vec::with_capacity(n);
        for _ in 0..n {
            latencies.push(page(&app, path, &cookie).await.0);
        }
        report(backend, what, latencies);
    }
    println!(
        "  {backend:<24} page weight: HTML {:.1} KB (inline CSS included) + script {:.1} KB = {:.1} KB (target < 100 KB)",
        first.len() as f64 / 1024.0,
        SCRIPT.len() as f64 / 1024.0,
        (first.len() + SCRIPT.len()) as f64 / 1024.0
    );
}

fn main() {
    let n = common::runs(200);
    // A page that fails says why.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!("inbox calls page, {n} requests of each kind");
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("frontdesk.sqlite3");
        let backends = Backends {
            store: Arc::new(SqliteStore::open(&db).unwrap()),
            queue: Arc::new(EmbeddedQueue::open(&db).unwrap()),
            greetings: Arc::new(FolderBlobs::new(dir.path().join("blobs"))),
        };
        let recordings = Arc::new(FolderBlobs::new(dir.path().join("blobs")));
        let app = App::with_recordings(config(&[]), backends, recordings);
        let seeder = app.backends().store.clone();
        run("SQLite (embedded)", app, seeder, CALLS, n, 32).await;
        match std::env::var("FRONTDESK_TEST_AWS_ENDPOINT") {
            Ok(_) => {
                let stack = frontdesk_testkit::Stack::new().await;
                let config = config(&[("FRONTDESK_RECORDINGS_BUCKET", &stack.recordings_bucket)]);
                let app = Wiring::new(config, stack.sdk.clone(), stack.resources.clone())
                    .recordings()
                    .app()
                    .unwrap();
                let patient = aws_sdk_dynamodb::config::Builder::from(&stack.sdk)
                    .timeout_config(
                        aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
                            .operation_timeout(Duration::from_secs(120))
                            .operation_attempt_timeout(Duration::from_secs(120))
                            .build(),
                    )
                    .build();
                let seeder: Arc<dyn Store> = Arc::new(DynamoStore::new(
                    aws_sdk_dynamodb::Client::from_conf(patient),
                    stack.resources.table.clone(),
                ));
                // Moto reads a GSI by scanning the whole table, past the Lambda's 1.5 s budget
                // at this size: the pages are served through the same patient client (on
                // DynamoDB a GSI Query reads only its partition), and fewer of them.
                let backends = Backends {
                    store: seeder.clone(),
                    queue: app.backends().queue.clone(),
                    greetings: app.backends().greetings.clone(),
                };
                let recordings = app.recordings_arc().unwrap();
                let patient_app = App::with_recordings(app.config().clone(), backends, recordings);
                run("DynamoDB + S3 on moto", patient_app, seeder, MOTO_CALLS, n.min(MOTO_REQUESTS), 4)
                    .await;
            }
            Err(_) => println!(
                "  moto: skipped (FRONTDESK_TEST_AWS_ENDPOINT unset; ./infra/bench.sh inbox starts moto)"
            ),
        }
    });
}
