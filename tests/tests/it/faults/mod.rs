//! The fault matrix on the real AWS adapters: a fault-injecting proxy (`testkit::faults`) in
//! front of each of moto's services for this server — DynamoDB, SQS and S3 each behind their
//! own — and in front of every stand-in the consumers talk to (Twilio's media, the
//! transcription API, the business's receiver; Twilio's REST API for outbound calls). For each
//! case, what the README promises: valid TwiML within 2 s, the right status class, and once the
//! fault heals (reconciler, redelivery, retries) nothing lost and nothing done twice.
//!
//! One module per part of Frontdesk under fire: `voice` (the call webhooks), `whatsapp` (Twilio's
//! and Meta's webhooks), `consumers` (transcription and event delivery), `booking` (a booking's
//! commit), `outbound` (a call placed through Twilio's REST API). Here: the world they share.

mod booking;
mod consumers;
mod outbound;
mod voice;
mod whatsapp;

use std::sync::Arc;

use frontdesk::app::Backends;
use frontdesk::blob::s3::S3Blobs;
use frontdesk::blob::BlobStore;
use frontdesk::domain::Business;
use frontdesk::lambda::aws::{s3_client, AwsClients};
use frontdesk::queue::sqs::SqsQueue;
use frontdesk::queue::{Disposition, QueueName};
use frontdesk::store::dynamodb::DynamoStore;
use frontdesk::worker::Consumer;
use frontdesk::App;
use frontdesk_testkit::config::config;
use frontdesk_testkit::faults::FaultProxy;
use frontdesk_testkit::workers::{Env, Scripts};
use frontdesk_testkit::{aws, Stack, TestServer};

/// A server on a fresh stack whose DynamoDB, SQS and S3 traffic each pass their own proxy.
pub struct Faulty {
    pub stack: Stack,
    pub server: TestServer,
    pub dynamodb: FaultProxy,
    pub sqs: FaultProxy,
    pub s3: FaultProxy,
    /// The backends as the server reaches them: through the proxies.
    pub backends: Backends,
}

pub async fn faulty() -> Faulty {
    faulty_with(&[]).await
}

/// [`faulty`] with configuration `vars`.
pub async fn faulty_with(vars: &[(&str, &str)]) -> Faulty {
    let stack = Stack::new().await;
    let endpoint = aws::endpoint();
    let (dynamodb, sqs, s3) = (
        FaultProxy::start(&endpoint).await,
        FaultProxy::start(&endpoint).await,
        FaultProxy::start(&endpoint).await,
    );
    // The Lambda's own SDK configuration (timeouts, retries), one endpoint per service.
    let (to_dynamodb, to_sqs, to_s3) = (
        aws::sdk(&dynamodb.url).await,
        aws::sdk(&sqs.url).await,
        aws::sdk(&s3.url).await,
    );
    let backends = Backends {
        store: Arc::new(DynamoStore::new(
            AwsClients::from_config(&to_dynamodb).dynamodb,
            stack.resources.table.clone(),
        )),
        queue: Arc::new(SqsQueue::new(
            AwsClients::from_config(&to_sqs).sqs,
            stack.queue_urls(),
        )),
        greetings: Arc::new(S3Blobs::new(
            s3_client(&to_s3, true),
            stack.resources.greetings_bucket.clone(),
        )),
    };
    let server =
        TestServer::with_app(App::new(config(vars), backends.clone()), stack.probe()).await;
    Faulty {
        stack,
        server,
        dynamodb,
        sqs,
        s3,
        backends,
    }
}

impl Faulty {
    /// The consumers on the same proxied backends, copying recordings into the stack's bucket
    /// through the S3 proxy, their stand-ins each behind a proxy of its own (`env.faults`); the
    /// business `urls` sets up is the consumers' (`env.business`).
    pub async fn consumers(&self, urls: impl FnOnce(&mut Business, &str)) -> Env {
        let to_s3 = aws::sdk(&self.s3.url).await;
        let recordings: Arc<dyn BlobStore> = Arc::new(S3Blobs::new(
            s3_client(&to_s3, true),
            self.stack.recordings_bucket.clone(),
        ));
        Env::start_behind_faults(self.backends.clone(), recordings, Scripts::default(), urls).await
    }

    /// Everything now on `queue`, taken off it straight from moto.
    pub async fn take(&self, queue: QueueName) -> Vec<String> {
        let url = match queue {
            QueueName::Recordings => &self.stack.resources.recordings_queue_url,
            QueueName::Notify => &self.stack.resources.notify_queue_url,
        };
        aws::take_all(&self.stack.clients.sqs, url).await
    }

    /// Runs both consumers over both queues until they are empty; after the faults have
    /// healed every job must finish ([`finish`]). The number of jobs run.
    pub async fn settle(&self, env: &Env) -> usize {
        let mut ran = 0;
        loop {
            let recordings = self.take(QueueName::Recordings).await;
            let notify = self.take(QueueName::Notify).await;
            if recordings.is_empty() && notify.is_empty() {
                return ran;
            }
            for (consumer, bodies) in [
                (Consumer::Transcribe, recordings),
                (Consumer::Notify, notify),
            ] {
                for body in bodies {
                    finish(env, consumer, &body, 1).await;
                    ran += 1;
                }
            }
        }
    }
}

/// The events the business's receiver got, in order.
pub fn events(env: &Env) -> Vec<serde_json::Value> {
    env.receiver
        .requests()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("an event is JSON"))
        .collect()
}

/// Runs `consumer` on `body` from its `receive`-th receive until it is done, as SQS shows it
/// again after a retry. Healed, a job finishes within three receives: one may meet moto slow
/// (the whole suite shares it, and these consumers have the Lambda's own timeouts).
pub async fn finish(env: &Env, consumer: Consumer, body: &str, receive: u32) {
    for n in receive..receive + 3 {
        if env.process(consumer, body, n).await == Disposition::Done {
            return;
        }
    }
    panic!("healed, yet {consumer:?} keeps retrying: {body}");
}
