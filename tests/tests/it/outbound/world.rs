//! The world an outbound call lives in: `frontdesk serve` on either backend with the calls API
//! pointed at Twilio's stand-in, the media and transcription stand-ins, the business's
//! receiver as its outbound webhook, an API key, and the consumers (on the embedded queue, or
//! on SQS through the Lambda adapter).

use std::sync::Arc;

use bytes::Bytes;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::blob::s3::S3Blobs;
use frontdesk::blob::BlobStore;
use frontdesk::config::Secret;
use frontdesk::domain::{ApiKey, Business, BusinessId, PhoneNumber};
use frontdesk::lambda::sqs::{handle_batch, Settle};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::worker::{Consumer, Worker};
use frontdesk::Route;
use frontdesk_testkit::faults::FaultProxy;
use frontdesk_testkit::standins::scripted::{Answer, Kind, StandIn, TRANSCRIBE_KEY};
use frontdesk_testkit::standins::twilio_rest::TwilioApi;
use frontdesk_testkit::workers::WEBHOOK_SECRET;
use frontdesk_testkit::{fixtures, JobProbe, Stack, TestServer, TEST_TOKEN};
use serde_json::Value;

pub use frontdesk_testkit::standins::scripted::ACCOUNT_SID;

pub const BUSINESS_NUMBER: &str = "+15550001111";
pub const CUSTOMER: &str = "+972501234567";
pub const OWNER: &str = "+972541111111";

enum Consumers {
    Embedded(Arc<EmbeddedQueue>),
    Aws(Box<Stack>),
}

/// `POST /api/calls` with the business's API key.
#[derive(Clone)]
pub struct Placer {
    url: String,
    key: String,
}

impl Placer {
    pub async fn place(&self, body: &Value, idempotency_key: Option<&str>) -> (u16, Value) {
        let mut request = frontdesk_testkit::http_client()
            .post(&self.url)
            .bearer_auth(&self.key)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

pub struct World {
    pub server: TestServer,
    pub twilio: TwilioApi,
    pub media: StandIn,
    pub transcription: StandIn,
    pub receiver: StandIn,
    pub business: Business,
    /// The business's API key, as a CRM holds it.
    pub key: String,
    worker: Worker,
    consumers: Consumers,
    _blobs: Option<tempfile::TempDir>,
}

struct StandIns {
    twilio: TwilioApi,
    media: StandIn,
    transcription: StandIn,
    receiver: StandIn,
}

impl StandIns {
    async fn start() -> Self {
        let ok = [Answer::Status(200)];
        let mp3 = fixtures::demo_greeting();
        let twilio = TwilioApi::start(ACCOUNT_SID, TEST_TOKEN).await;
        twilio.add_number(BUSINESS_NUMBER, None, None, None);
        Self {
            twilio,
            media: StandIn::start(Kind::Media, &ok, mp3.clone(), TEST_TOKEN).await,
            transcription: StandIn::start(Kind::Transcription, &ok, mp3, TEST_TOKEN).await,
            receiver: StandIn::start(Kind::Receiver, &ok, Bytes::new(), TEST_TOKEN).await,
        }
    }

    /// The server's settings: Twilio's account and REST base, the transcription API.
    fn vars(&self) -> Vec<(String, String)> {
        vec![
            ("TWILIO_ACCOUNT_SID".into(), ACCOUNT_SID.into()),
            ("TWILIO_API_BASE_URL".into(), self.twilio.base_url().into()),
            (
                "TRANSCRIBE_API_BASE".into(),
                format!("{}/v1", self.transcription.base_url),
            ),
            ("TRANSCRIBE_API_KEY".into(), TRANSCRIBE_KEY.into()),
        ]
    }
}

fn borrowed(vars: &[(String, String)]) -> Vec<(&str, &str)> {
    vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

impl World {
    /// On the embedded default.
    pub async fn embedded() -> Self {
        Self::embedded_with(|_| {}).await
    }

    /// On the embedded default, the business changed by `edit` first.
    pub async fn embedded_with(edit: impl FnOnce(&mut Business)) -> Self {
        Self::embedded_configured(&[], edit).await
    }

    /// On the embedded default, with `overrides` over the server's settings.
    pub async fn embedded_configured(
        overrides: &[(&str, &str)],
        edit: impl FnOnce(&mut Business),
    ) -> Self {
        let standins = StandIns::start().await;
        let mut vars = standins.vars();
        for (name, value) in overrides {
            vars.retain(|(k, _)| k != name);
            vars.push((name.to_string(), value.to_string()));
        }
        let server = TestServer::start(&borrowed(&vars)).await;
        let JobProbe::Embedded(queue) = server.jobs.clone() else {
            panic!("an embedded server");
        };
        let blobs = tempfile::tempdir().unwrap();
        let recordings = Arc::new(FolderBlobs::new(blobs.path().to_path_buf()));
        let mut world = Self::build(
            server,
            standins,
            recordings,
            Consumers::Embedded(queue),
            edit,
        )
        .await;
        world._blobs = Some(blobs);
        world
    }

    /// On moto: DynamoDB, SQS and S3, the consumers through their Lambda adapter.
    pub async fn aws() -> Self {
        Self::aws_configured(StandIns::start().await, &[]).await
    }

    /// [`World::aws`] reaching Twilio's REST API through a fault-injecting proxy.
    pub async fn aws_behind_faults() -> (Self, FaultProxy) {
        let standins = StandIns::start().await;
        let proxy = FaultProxy::start(standins.twilio.base_url()).await;
        let world = Self::aws_configured(standins, &[("TWILIO_API_BASE_URL", &proxy.url)]).await;
        (world, proxy)
    }

    async fn aws_configured(standins: StandIns, overrides: &[(&str, &str)]) -> Self {
        let stack = Stack::new().await;
        let mut vars = standins.vars();
        for (name, value) in overrides {
            vars.retain(|(k, _)| k != name);
            vars.push((name.to_string(), value.to_string()));
        }
        let app = stack.app(&borrowed(&vars)).await;
        let server = TestServer::with_app(app, stack.probe()).await;
        let recordings = Arc::new(S3Blobs::new(
            stack.clients.s3.clone(),
            stack.recordings_bucket.clone(),
        ));
        Self::build(
            server,
            standins,
            recordings,
            Consumers::Aws(Box::new(stack)),
            |_| {},
        )
        .await
    }

    async fn build(
        server: TestServer,
        standins: StandIns,
        recordings: Arc<dyn BlobStore>,
        consumers: Consumers,
        edit: impl FnOnce(&mut Business),
    ) -> Self {
        let id = format!("out-{}", frontdesk_testkit::unique::number());
        let mut business = Business::new(BusinessId::parse(&id).unwrap(), "Acme Dental");
        business.phone_numbers = vec![PhoneNumber::parse(BUSINESS_NUMBER).unwrap()];
        business.outbound_webhook_url =
            Some(format!("{}/crm/outbound", standins.receiver.base_url));
        edit(&mut business);
        let store = server.app.store();
        store.put_business(&business).await.unwrap();
        store
            .put_webhook_secret(&business.id, &Secret::new(WEBHOOK_SECRET).unwrap())
            .await
            .unwrap();
        let key = ApiKey::generate().unwrap();
        store
            .put_api_key(&business.id, &key.hash(), time::OffsetDateTime::now_utc())
            .await
            .unwrap();
        let worker = Worker::new(server.app.clone(), recordings).unwrap();
        Self {
            server,
            twilio: standins.twilio,
            media: standins.media,
            transcription: standins.transcription,
            receiver: standins.receiver,
            business,
            key: key.reveal().to_string(),
            worker,
            consumers,
            _blobs: None,
        }
    }

    /// `POST /api/calls` with `body` and, when given, an `Idempotency-Key`: the status and JSON.
    pub async fn place(&self, body: &Value, idempotency_key: Option<&str>) -> (u16, Value) {
        self.placer().place(body, idempotency_key).await
    }

    /// What places calls as the CRM does, for a task of its own.
    pub fn placer(&self) -> Placer {
        Placer {
            url: self.server.url(Route::ApiCalls.path()),
            key: self.key.clone(),
        }
    }

    /// `GET /api/calls`'s calls.
    pub async fn calls(&self) -> Vec<Value> {
        let body = self.get(Route::ApiCalls.path()).await;
        body["calls"].as_array().cloned().unwrap_or_default()
    }

    /// `GET /api/calls/{sid}`.
    pub async fn call(&self, sid: &str) -> Value {
        self.get(&Route::ApiCall.path_with(&[("call_sid", sid)]))
            .await
    }

    async fn get(&self, path: &str) -> Value {
        let response = frontdesk_testkit::http_client()
            .get(self.server.url(path))
            .bearer_auth(&self.key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    /// The parameters of every request Twilio makes about call `sid`.
    fn call_params<'a>(&self, sid: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("CallSid", sid),
            ("AccountSid", ACCOUNT_SID),
            ("From", BUSINESS_NUMBER),
            ("To", CUSTOMER),
            ("Direction", "outbound-api"),
            ("ApiVersion", "2010-04-01"),
        ]
    }

    /// Twilio asking `url` (the call's `Url`) what the callee hears: the TwiML.
    pub async fn answer(&self, url: &str, sid: &str, answered_by: &str) -> String {
        let path = url
            .strip_prefix(&self.server.base_url)
            .expect("a URL of this server");
        let mut params = self.call_params(sid);
        params.extend([("CallStatus", "in-progress"), ("AnsweredBy", answered_by)]);
        let response = self.server.post_signed(path, &params).await;
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }

    /// One signed call-progress callback, as Twilio sends it.
    pub async fn status(&self, sid: &str, status: &str, sequence: u32, answered_by: Option<&str>) {
        let sequence = sequence.to_string();
        let mut params = self.call_params(sid);
        params.extend([
            ("CallStatus", status),
            ("SequenceNumber", sequence.as_str()),
            ("CallbackSource", "call-progress-events"),
            ("Timestamp", "Sun, 29 Nov 2026 10:00:00 +0000"),
        ]);
        if status == "completed" {
            params.push(("CallDuration", "20"));
        }
        if let Some(answered_by) = answered_by {
            params.push(("AnsweredBy", answered_by));
        }
        let response = self
            .server
            .post_signed(Route::CallStatus.path(), &params)
            .await;
        assert_eq!(response.status(), 204, "{status}");
    }

    /// The signed recording status callback of a finished recording of call `sid`.
    pub async fn recorded(&self, sid: &str) {
        let recording_sid = format!("RE{}", &sid[2..]);
        let url = format!(
            "{}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}",
            self.media.base_url
        );
        let params = [
            ("AccountSid", ACCOUNT_SID),
            ("CallSid", sid),
            ("RecordingSid", recording_sid.as_str()),
            ("RecordingUrl", url.as_str()),
            ("RecordingStatus", "completed"),
            ("RecordingDuration", "9"),
            ("RecordingChannels", "1"),
            ("RecordingSource", "OutboundAPI"),
        ];
        let response = self
            .server
            .post_signed(Route::RecordingStatus.path(), &params)
            .await;
        assert_eq!(response.status(), 204);
    }

    /// Runs the transcribe and notify consumers until their queues are empty.
    pub async fn run_consumers(&self) {
        for _ in 0..5 {
            let mut handled = 0;
            for consumer in [Consumer::Transcribe, Consumer::Notify] {
                handled += self.run(consumer).await;
            }
            if handled == 0 {
                return;
            }
        }
        panic!("the queues never emptied");
    }

    async fn run(&self, consumer: Consumer) -> usize {
        match &self.consumers {
            Consumers::Embedded(queue) => {
                frontdesk_cli::consumers::drain_once(&self.worker, queue, consumer).await
            }
            Consumers::Aws(stack) => {
                let url = match consumer {
                    Consumer::Transcribe => stack.resources.recordings_queue_url.clone(),
                    _ => stack.resources.notify_queue_url.clone(),
                };
                let received = stack
                    .clients
                    .sqs
                    .receive_message()
                    .queue_url(&url)
                    .max_number_of_messages(10)
                    .wait_time_seconds(0)
                    .send()
                    .await
                    .unwrap();
                let mut batch = aws_lambda_events::event::sqs::SqsEvent::default();
                for message in received.messages.unwrap_or_default() {
                    let mut record = aws_lambda_events::event::sqs::SqsMessage::default();
                    record.message_id = message.message_id.clone();
                    record.receipt_handle = message.receipt_handle.clone();
                    record.body = message.body.clone();
                    record
                        .attributes
                        .insert("ApproximateReceiveCount".into(), "1".into());
                    batch.records.push(record);
                }
                let handled = batch.records.len();
                if handled > 0 {
                    let settle = Settle {
                        sqs: stack.clients.sqs.clone(),
                        queue_url: url,
                    };
                    let response =
                        handle_batch(&self.worker, &settle, consumer.with_process(), batch).await;
                    assert!(
                        response.batch_item_failures.is_empty(),
                        "{:?}",
                        response.batch_item_failures
                    );
                }
                handled
            }
        }
    }

    /// The one `call.completed` the business's outbound webhook received, signature checked.
    pub async fn one_event(&self) -> Value {
        super::one_event(&self.receiver).await
    }
}
