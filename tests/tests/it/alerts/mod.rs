//! Owner alerts end to end: a voicemail left on the demo clinic's number through `frontdesk
//! serve`'s webhooks, its transcript, triage and alerts by SMS and email, and the next digest,
//! on the embedded backends and on moto (DynamoDB, SQS, S3, SES); then every fault the issue
//! names. Here: the world they share — the server, the stand-ins (Twilio's media, Messages and
//! Lookup APIs, the transcription API, the summary model), a worker, and a pump that runs the
//! consumers over whichever queue the server has.

mod faults;
mod flow;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use frontdesk::alerts::email::{FolderMailer, SesMailer};
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::blob::s3::S3Blobs;
use frontdesk::domain::{AlertSettings, Business, BusinessId, CallSid, Recipient};
use frontdesk::lambda::aws::AwsClients;
use frontdesk::lambda::sqs::{handle_batch, Settle};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::QueueName;
use frontdesk::worker::{Consumer, Worker};
use frontdesk::Route;
use frontdesk_testkit::standins::chat::{ChatStandIn, Reply, SUMMARY_KEY};
use frontdesk_testkit::standins::provider::{responding, ProviderStandIn, Received};
use frontdesk_testkit::standins::scripted::{Answer, Kind, StandIn, ACCOUNT_SID, TRANSCRIBE_KEY};
use frontdesk_testkit::{fixtures, JobProbe, Stack, TestServer, TEST_TOKEN};
use serde_json::json;
use time::OffsetDateTime;

/// The demo clinic's number, from `infra/seed/businesses.json`.
pub const CLINIC: &str = "+97233334444";
/// The owner's phone, where SMS alerts go.
pub const OWNER: &str = "+972526667777";
/// The owner's mailbox domain; each world's address is its own (`owner-…@`), since moto keeps
/// every message SES sent for as long as it runs.
pub const OWNER_EMAIL_DOMAIN: &str = "demo-clinic.example";
/// The address alerts are emailed from (an SES identity on moto).
pub const ALERTS_FROM: &str = "alerts@frontdesk.example";
/// The Graph API token the Meta stand-in takes.
pub const META_TOKEN: &str = "test-meta-access-token";
/// A number Twilio refuses to text (21211, not a valid number).
pub const INVALID_OWNER: &str = "+972500000000";

/// Where the consumers' messages are.
enum Pump {
    Embedded(Arc<EmbeddedQueue>),
    Sqs {
        clients: AwsClients,
        recordings: String,
        notify: String,
    },
}

/// Where email alerts land.
pub enum Mailbox {
    Folder(PathBuf),
    Ses(String),
}

pub struct World {
    pub server: TestServer,
    pub worker: Worker,
    pub media: StandIn,
    pub transcription: StandIn,
    pub chat: ChatStandIn,
    pub twilio: ProviderStandIn,
    /// Statuses Twilio's Messages API answers first, before it accepts again.
    pub twilio_down: Arc<Mutex<VecDeque<u16>>>,
    pub lookup: ProviderStandIn,
    /// Meta's Graph API, for a business whose WhatsApp goes through Meta.
    pub meta: ProviderStandIn,
    /// A business's webhook receiver (`call.completed`).
    pub receiver: StandIn,
    pub mailbox: Mailbox,
    /// Where this world's email alerts go.
    pub owner_email: String,
    pub business: Business,
    pump: Pump,
    _dir: tempfile::TempDir,
}

pub enum Backend {
    Embedded,
    Aws,
}

fn seed() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/seed/businesses.json")
}

impl World {
    /// The demo clinic with alerts by SMS to [`OWNER`] and email to [`World::owner_email`], summaries
    /// on, the digest at 08:00; the summary model answering `chat`.
    pub async fn start(backend: Backend, chat: Vec<Reply>) -> Self {
        let mp3 = fixtures::demo_greeting();
        let ok = [Answer::Status(200)];
        let media = StandIn::start(Kind::Media, &ok, mp3.clone(), TEST_TOKEN).await;
        let transcription = StandIn::start(Kind::Transcription, &ok, mp3, TEST_TOKEN).await;
        let chat = ChatStandIn::start(chat).await;
        let twilio_down = Arc::new(Mutex::new(VecDeque::new()));
        let down = twilio_down.clone();
        let basic = format!(
            "Basic {}",
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                format!("{ACCOUNT_SID}:{TEST_TOKEN}")
            )
        );
        let twilio = responding(move |_, request: &Received| {
            if request.authorization.as_deref() != Some(basic.as_str()) {
                return (401, json!({"code": 20003, "message": "Authenticate"}));
            }
            if let Some(status) = down.lock().unwrap().pop_front() {
                return (
                    status,
                    json!({"code": 20500, "message": "Internal Server Error"}),
                );
            }
            if request.form().get("To").map(String::as_str) == Some(INVALID_OWNER) {
                return (
                    400,
                    json!({"code": 21211, "status": 400, "message": "Invalid 'To' Phone Number"}),
                );
            }
            let n = frontdesk_testkit::unique::next();
            (
                201,
                json!({"sid": format!("SM{n:032x}"), "status": "queued"}),
            )
        })
        .await;
        let meta = responding(|n, request: &Received| {
            if request.authorization.as_deref() != Some(&format!("Bearer {META_TOKEN}")) {
                return (401, json!({"error": {"code": 190, "message": "Invalid OAuth access token"}}));
            }
            (
                200,
                json!({"messaging_product": "whatsapp", "messages": [{"id": format!("wamid.ALERT{n}")}]}),
            )
        })
        .await;
        let receiver =
            StandIn::start(Kind::Receiver, &ok, fixtures::demo_greeting(), TEST_TOKEN).await;
        let lookup = responding(|_, request: &Received| {
            let number = request
                .path
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            let robo = number.ends_with("0999");
            (
                200,
                json!({
                    "phone_number": number, "valid": true,
                    "caller_name": {"caller_name": if robo { "ROBO DIALER" } else { "DANA COHEN" }},
                    "line_type_intelligence": {"type": if robo { "nonFixedVoip" } else { "mobile" }}
                }),
            )
        })
        .await;
        let vars = [
            ("TWILIO_ACCOUNT_SID", ACCOUNT_SID.to_string()),
            ("TWILIO_API_BASE_URL", twilio.url.clone()),
            ("TWILIO_LOOKUP_BASE_URL", lookup.url.clone()),
            ("TRANSCRIBE_API_BASE", transcription.base_url.clone()),
            ("TRANSCRIBE_API_KEY", TRANSCRIBE_KEY.to_string()),
            ("TRANSCRIBE_TIMEOUT_SECONDS", "5".to_string()),
            ("SUMMARY_API_BASE", format!("{}/v1", chat.base_url)),
            ("SUMMARY_API_KEY", SUMMARY_KEY.to_string()),
            ("SUMMARY_TIMEOUT_SECONDS", "1".to_string()),
            (
                "FRONTDESK_ALERT_EMAIL_FROM",
                format!("Frontdesk <{ALERTS_FROM}>"),
            ),
            ("META_GRAPH_BASE_URL", meta.url.clone()),
            ("META_ACCESS_TOKEN", META_TOKEN.to_string()),
        ];
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let dir = tempfile::tempdir().unwrap();
        let (server, pump, worker, mailbox) = match backend {
            Backend::Embedded => {
                let server = TestServer::start(&vars).await;
                let JobProbe::Embedded(queue) = server.jobs.clone() else {
                    unreachable!("an embedded server");
                };
                let recordings = Arc::new(
                    FolderBlobs::new(dir.path().join("blobs")).with_link_base(&server.base_url),
                );
                let outbox = dir.path().join("outbox");
                let worker = Worker::new(server.app.clone(), recordings)
                    .unwrap()
                    .with_mailer(Arc::new(FolderMailer {
                        dir: outbox.clone(),
                        from: format!("Frontdesk <{ALERTS_FROM}>"),
                    }))
                    .with_link_base(&server.base_url);
                (
                    server,
                    Pump::Embedded(queue),
                    worker,
                    Mailbox::Folder(outbox),
                )
            }
            Backend::Aws => {
                let stack = Stack::new().await;
                // The whole suite shares one moto, which can take longer than a Lambda's 1.5 s
                // budget when busy: this world's clients wait, so what is tested is the alerts,
                // not the emulator's speed (the voice tests hold the budget itself).
                let sdk =
                    frontdesk_testkit::aws::patient_sdk(&frontdesk_testkit::aws::endpoint()).await;
                let clients = AwsClients::from_config(&sdk);
                let app = frontdesk::lambda::Wiring::new(
                    frontdesk_testkit::config::config(&vars),
                    sdk.clone(),
                    stack.resources.clone(),
                )
                .queue()
                .greetings()
                .app()
                .expect("no bucket of recording copies was asked for");
                let probe = JobProbe::Sqs {
                    client: clients.sqs.clone(),
                    url: stack.resources.recordings_queue_url.clone(),
                };
                let server = TestServer::with_app(app, probe).await;
                let ses = aws_sdk_sesv2::Client::new(&sdk);
                // Tests share moto's one SES account: a second test finds it already made.
                let _ = ses
                    .create_email_identity()
                    .email_identity(ALERTS_FROM)
                    .send()
                    .await;
                let recordings = Arc::new(S3Blobs::new(
                    clients.s3.clone(),
                    stack.recordings_bucket.clone(),
                ));
                let worker = Worker::new(server.app.clone(), recordings)
                    .unwrap()
                    .with_mailer(Arc::new(SesMailer {
                        client: ses,
                        from: format!("Frontdesk <{ALERTS_FROM}>"),
                    }))
                    .with_link_base(&server.base_url);
                let pump = Pump::Sqs {
                    clients,
                    recordings: stack.resources.recordings_queue_url.clone(),
                    notify: stack.resources.notify_queue_url.clone(),
                };
                (
                    server,
                    pump,
                    worker,
                    Mailbox::Ses(frontdesk_testkit::aws::endpoint()),
                )
            }
        };
        let owner_email = format!(
            "owner-{}@{OWNER_EMAIL_DOMAIN}",
            frontdesk_testkit::unique::aws_name()
        );
        frontdesk_cli::seed::load(&server.app, &seed())
            .await
            .expect("the demo seed loads");
        let store = server.app.store();
        let mut business = store
            .business(&BusinessId::parse("demo").unwrap())
            .await
            .unwrap()
            .expect("the demo clinic");
        business.alerts = Some(AlertSettings {
            recipients: vec![
                Recipient::parse("sms", OWNER).unwrap(),
                Recipient::parse("email", &owner_email).unwrap(),
            ],
            summaries: true,
            digest_at: Some(frontdesk::domain::reminder::LocalTime::parse("08:00").unwrap()),
            ..AlertSettings::default()
        });
        store.put_business(&business).await.unwrap();
        Self {
            server,
            worker,
            media,
            transcription,
            chat,
            twilio,
            twilio_down,
            lookup,
            meta,
            receiver,
            mailbox,
            owner_email,
            business,
            pump,
            _dir: dir,
        }
    }

    /// Changes the demo clinic's settings.
    pub async fn edit(&mut self, edit: impl FnOnce(&mut Business)) {
        edit(&mut self.business);
        self.server
            .app
            .store()
            .put_business(&self.business)
            .await
            .unwrap();
    }

    /// A caller rings the clinic, hears the greeting, leaves a recording and hangs up, as
    /// Twilio's three webhooks tell it. Returns the call.
    pub async fn voicemail(&self, caller: &str) -> CallSid {
        let n = frontdesk_testkit::unique::next();
        let sid = format!("CA{n:032x}");
        let recording_sid = format!("RE{n:032x}");
        let recording_url = format!(
            "{}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}",
            self.media.base_url
        );
        let call = call_params(&sid, caller);
        let twiml = self.ring(&call).await;
        assert!(twiml.contains("<Record"), "{twiml}");
        let recorded = self
            .server
            .post_signed(
                Route::HandleRecording.path(),
                &[
                    &call[..],
                    &[
                        ("CallStatus", "in-progress"),
                        ("RecordingUrl", recording_url.as_str()),
                        ("RecordingSid", recording_sid.as_str()),
                        ("RecordingDuration", "9"),
                    ],
                ]
                .concat(),
            )
            .await;
        assert_eq!(recorded.status(), 200);
        self.hang_up(&call, "completed").await;
        CallSid::parse(&sid).unwrap()
    }

    /// A call that rang and ended `status` without a recording (a missed or rejected call).
    pub async fn call_without_message(&self, caller: &str, status: &str) -> (CallSid, String) {
        let sid = format!("CA{:032x}", frontdesk_testkit::unique::next());
        let call = call_params(&sid, caller);
        let twiml = self.ring(&call).await;
        self.hang_up(&call, status).await;
        (CallSid::parse(&sid).unwrap(), twiml)
    }

    async fn ring(&self, call: &[(&str, &str)]) -> String {
        let incoming = self
            .server
            .post_signed(
                Route::IncomingCall.path(),
                &[call, &[("CallStatus", "ringing")]].concat(),
            )
            .await;
        assert_eq!(incoming.status(), 200);
        incoming.text().await.unwrap()
    }

    async fn hang_up(&self, call: &[(&str, &str)], status: &str) {
        let completed = self
            .server
            .post_signed(
                Route::CallStatus.path(),
                &[call, &[("CallStatus", status), ("CallDuration", "20")]].concat(),
            )
            .await;
        assert_eq!(completed.status(), 204);
    }

    /// Runs both consumers until their queues are empty (as seen at `now`); returns how many
    /// messages they processed.
    pub async fn pump_at(&self, now: OffsetDateTime) -> usize {
        let mut total = 0;
        for _ in 0..20 {
            let mut round = 0;
            for consumer in [Consumer::Transcribe, Consumer::Notify] {
                round += self.pump_once(consumer, now).await;
            }
            total += round;
            if round == 0 {
                break;
            }
        }
        total
    }

    pub async fn pump(&self) -> usize {
        self.pump_at(OffsetDateTime::now_utc()).await
    }

    async fn pump_once(&self, consumer: Consumer, now: OffsetDateTime) -> usize {
        match &self.pump {
            Pump::Embedded(queue) => {
                let received = queue
                    .receive(
                        consumer.queue(),
                        10,
                        std::time::Duration::from_secs(300),
                        now,
                    )
                    .unwrap();
                for message in &received {
                    let disposition = consumer.process(&self.worker, message).await;
                    queue
                        .settle(message, disposition, consumer.max_receives(), now)
                        .unwrap();
                }
                received.len()
            }
            Pump::Sqs {
                clients,
                recordings,
                notify,
            } => {
                let url = match consumer.queue() {
                    QueueName::Recordings => recordings,
                    QueueName::Notify => notify,
                };
                let batch = frontdesk_testkit::aws::receive(clients, url).await;
                let n = batch.records.len();
                if n > 0 {
                    let settle = Settle {
                        sqs: clients.sqs.clone(),
                        queue_url: url.clone(),
                    };
                    handle_batch(&self.worker, &settle, consumer.with_process(), batch).await;
                }
                n
            }
        }
    }

    /// Every SMS Twilio's Messages API took or refused, as forms.
    pub fn texts(&self) -> Vec<std::collections::BTreeMap<String, String>> {
        self.twilio
            .received
            .lock()
            .unwrap()
            .iter()
            .map(Received::form)
            .collect()
    }

    /// Every email alert sent to this world's owner so far, as their text (quoted-printable
    /// decoded).
    pub async fn emails(&self) -> Vec<String> {
        let to = format!("To: {}", self.owner_email);
        self.raw_emails()
            .await
            .iter()
            .map(|raw| unquote(raw))
            .filter(|email| email.contains(&to))
            .collect()
    }

    async fn raw_emails(&self) -> Vec<String> {
        match &self.mailbox {
            Mailbox::Folder(dir) => {
                let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
                    Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
                    Err(_) => Vec::new(),
                };
                files.sort();
                files
                    .iter()
                    .map(|f| std::fs::read_to_string(f).unwrap())
                    .collect()
            }
            Mailbox::Ses(endpoint) => {
                // moto keeps what SES sent; its model dump lists the raw messages.
                let data: serde_json::Value = frontdesk_testkit::http_client()
                    .get(format!("{endpoint}/moto-api/data.json"))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                data["ses"]["RawMessage"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .filter(|m| {
                        m["source"]
                            .as_str()
                            .is_some_and(|s| s.contains(ALERTS_FROM))
                    })
                    .filter_map(|m| m["raw_data"].as_str().map(str::to_string))
                    .collect()
            }
        }
    }

    pub fn owner_email_count(emails: &[String], marker: &str) -> usize {
        emails.iter().filter(|e| e.contains(marker)).count()
    }
}

/// What each of Twilio's webhooks says of an inbound call from `caller` to the clinic.
fn call_params<'a>(sid: &'a str, caller: &'a str) -> [(&'static str, &'a str); 5] {
    [
        ("CallSid", sid),
        ("AccountSid", ACCOUNT_SID),
        ("From", caller),
        ("To", CLINIC),
        ("Direction", "inbound"),
    ]
}

/// Quoted-printable back to text: soft line breaks joined, `=XX` bytes decoded.
fn unquote(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A caller unique to this test, so moto's shared SES log and the repeat-caller rule see each
/// test apart.
pub fn caller() -> String {
    format!(
        "+97250{:07}",
        frontdesk_testkit::unique::next() % 9_000_000 + 1_000_000
    )
}
