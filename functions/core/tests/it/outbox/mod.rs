//! The booking outbox on the embedded backends: each change's follow-ups queued on the
//! `notify` queue beside its event, and the notify consumer processing them against stand-ins
//! for Google (`calendar`) and Twilio's and Meta's send APIs (`confirmation`). Here: the world
//! they share.

mod calendar;
mod calendar_faults;
mod confirmation;

use std::sync::Arc;
use std::time::Duration;

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::booking::{self, Outcome};
use frontdesk::domain::{Appointment, Business, Channel};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::queue::{Disposition, QueueName, Received};
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::worker::{Consumer, Worker};
use frontdesk::{App, Config};
use frontdesk_testkit::follow_ups::{self as outbox, Providers};
use jiff::Timestamp;
use time::OffsetDateTime;

pub struct World {
    pub providers: Providers,
    pub worker: Worker,
    pub queue: Arc<EmbeddedQueue>,
    pub business: Business,
    _dir: tempfile::TempDir,
}

/// Far enough ahead that every backoff has passed.
pub const LATER: time::Duration = time::Duration::hours(48);

impl World {
    /// A world whose business is [`outbox::business`] changed by `adjust`, on a configuration
    /// changed by `configure`.
    pub async fn start(
        configure: impl FnOnce(&mut Config),
        adjust: impl FnOnce(&mut Business),
    ) -> Self {
        let providers = Providers::start().await;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("frontdesk.sqlite3");
        let queue = Arc::new(EmbeddedQueue::open(&db).unwrap());
        let blobs = Arc::new(FolderBlobs::new(dir.path().join("blobs")));
        let backends = Backends {
            store: Arc::new(SqliteStore::open(&db).unwrap()),
            queue: queue.clone(),
            greetings: blobs.clone(),
        };
        let mut config = providers.config(&[]);
        // A stalled Google call gives up in a second, not ten.
        config.google.request_timeout = Duration::from_secs(1);
        configure(&mut config);
        let app = App::new(config, backends);
        let mut business = outbox::business();
        adjust(&mut business);
        outbox::connect(&app, &business, &providers.google).await;
        Self {
            worker: Worker::new(app, blobs).unwrap(),
            providers,
            queue,
            business,
            _dir: dir,
        }
    }

    pub fn app(&self) -> &App {
        &self.worker.app
    }

    /// Books a checkup at `start` through `channel`, as a phone call, the API or WhatsApp would.
    pub async fn book(&self, channel: Channel, start: Timestamp) -> Appointment {
        self.book_for(channel, start, outbox::CUSTOMER).await
    }

    pub async fn book_for(&self, channel: Channel, start: Timestamp, phone: &str) -> Appointment {
        let request = outbox::booking_for(channel, start, phone);
        match booking::book(self.app(), &self.business, &request, Timestamp::now())
            .await
            .unwrap()
        {
            Outcome::Done(appointment) => appointment,
            other => panic!("not booked: {other:?}"),
        }
    }

    /// The `job` (follow-ups) or `event` (business events) of every message on the notify
    /// queue, in order.
    pub fn queued(&self) -> Vec<String> {
        self.queue
            .messages(QueueName::Notify)
            .unwrap()
            .iter()
            .map(|m| {
                let body: serde_json::Value = serde_json::from_str(&m.body).unwrap();
                body["job"]
                    .as_str()
                    .or(body["event"].as_str())
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }

    /// The body of the first queued follow-up of `kind`.
    pub fn job(&self, kind: &str) -> String {
        self.queue
            .messages(QueueName::Notify)
            .unwrap()
            .into_iter()
            .map(|m| m.body)
            .find(|body| body.contains(&format!("\"job\":\"{kind}\"")))
            .unwrap_or_else(|| panic!("no {kind} job queued"))
    }

    /// Receives, processes and settles every visible notify message at `now`.
    pub async fn pump(&self, now: OffsetDateTime) -> Vec<Disposition> {
        let received = self
            .queue
            .receive(QueueName::Notify, 10, Duration::from_secs(300), now)
            .unwrap();
        let mut dispositions = Vec::new();
        for message in received {
            let disposition = Consumer::Notify.process(&self.worker, &message).await;
            self.queue
                .settle(&message, disposition, Consumer::Notify.max_receives(), now)
                .unwrap();
            dispositions.push(disposition);
        }
        dispositions
    }

    /// Runs the notify consumer on `body` as its `receive_count`-th receive (a redelivery).
    pub async fn process(&self, body: &str, receive_count: u32) -> Disposition {
        let message = Received {
            id: format!("m{}", frontdesk_testkit::unique::next()),
            body: body.to_string(),
            receive_count,
        };
        Consumer::Notify.process(&self.worker, &message).await
    }
}
