//! The consumers' world for a test or a bench: stand-ins for Twilio's media endpoint, the
//! transcription API and the business's receiver, answering from scripts; a business whose
//! webhook URLs point at the receiver; and a worker on the backends the caller gives. Then a
//! recorded call → its copy, its transcript, a signed `call.completed` at the URL the routing
//! rules choose.

use std::sync::Arc;
use std::time::Duration;

use frontdesk::app::Backends;
use frontdesk::blob::BlobStore;
use frontdesk::config::Secret;
use frontdesk::config::WorkerSettings;
use frontdesk::domain::{Business, BusinessId, CallSid, CallStatus, Direction, RecordingSid};
use frontdesk::domain::{CallStart, Recording, StatusUpdate};
use frontdesk::jobs::TranscriptionJob;
use frontdesk::queue::{Disposition, Received};
use frontdesk::worker::{Consumer, Worker};
use frontdesk::{App, Config};
use time::OffsetDateTime;

use crate::faults::FaultProxy;
use crate::fixtures::demo_greeting as mp3;
use crate::standins::scripted::{Answer, Kind, StandIn, ACCOUNT_SID, TRANSCRIBE_KEY};
use crate::unique::number as unique;
use crate::TEST_TOKEN as AUTH_TOKEN;

/// The business's Standard Webhooks signing secret.
pub const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The scripts the stand-ins answer from.
pub struct Scripts {
    pub media: Vec<Answer>,
    pub transcription: Vec<Answer>,
    pub receiver: Vec<Answer>,
}

impl Default for Scripts {
    fn default() -> Self {
        Self {
            media: vec![Answer::Status(200)],
            transcription: vec![Answer::Status(200)],
            receiver: vec![Answer::Status(200)],
        }
    }
}

pub struct Env {
    pub worker: Worker,
    pub media: StandIn,
    pub transcription: StandIn,
    pub receiver: StandIn,
    pub business: Business,
    /// The proxies in front of the stand-ins, when started with [`Env::start_behind_faults`].
    pub faults: Option<StandInFaults>,
    /// Where the worker reaches Twilio's media: the stand-in, or its proxy.
    media_base: String,
}

/// A fault-injecting proxy in front of each stand-in ([`crate::faults`]).
pub struct StandInFaults {
    pub media: FaultProxy,
    pub transcription: FaultProxy,
    pub receiver: FaultProxy,
}

/// The worker's configuration: the test token, and no signature check (no webhooks here).
pub fn config() -> Config {
    crate::config::config(&[
        ("TWILIO_AUTH_TOKEN", AUTH_TOKEN),
        ("FRONTDESK_SIGNATURE_POLICY", "off"),
    ])
}

impl Env {
    /// A business whose webhook URLs are set by `urls(receiver base)`, stand-ins answering
    /// from `scripts`, and a worker on `backends`.
    pub async fn start(
        backends: Backends,
        recordings: Arc<dyn BlobStore>,
        scripts: Scripts,
        urls: impl FnOnce(&mut Business, &str),
    ) -> Self {
        Self::start_with(backends, recordings, scripts, urls, false).await
    }

    /// [`Env::start`] with a fault proxy between the worker and each stand-in (`env.faults`).
    pub async fn start_behind_faults(
        backends: Backends,
        recordings: Arc<dyn BlobStore>,
        scripts: Scripts,
        urls: impl FnOnce(&mut Business, &str),
    ) -> Self {
        Self::start_with(backends, recordings, scripts, urls, true).await
    }

    async fn start_with(
        backends: Backends,
        recordings: Arc<dyn BlobStore>,
        scripts: Scripts,
        urls: impl FnOnce(&mut Business, &str),
        behind_faults: bool,
    ) -> Self {
        crate::logs::capture();
        let mp3 = mp3();
        let media = StandIn::start(Kind::Media, &scripts.media, mp3.clone(), AUTH_TOKEN).await;
        let transcription = StandIn::start(
            Kind::Transcription,
            &scripts.transcription,
            mp3.clone(),
            AUTH_TOKEN,
        )
        .await;
        let receiver = StandIn::start(Kind::Receiver, &scripts.receiver, mp3, AUTH_TOKEN).await;
        let faults = if behind_faults {
            Some(StandInFaults {
                media: FaultProxy::start(&media.base_url).await,
                transcription: FaultProxy::start(&transcription.base_url).await,
                receiver: FaultProxy::start(&receiver.base_url).await,
            })
        } else {
            None
        };
        let (media_base, transcription_base, receiver_base) = match &faults {
            Some(faults) => (
                faults.media.url.clone(),
                faults.transcription.url.clone(),
                faults.receiver.url.clone(),
            ),
            None => (
                media.base_url.clone(),
                transcription.base_url.clone(),
                receiver.base_url.clone(),
            ),
        };
        let mut config = config();
        config.twilio.account_sid = Some(ACCOUNT_SID.into());
        config.worker = {
            let base = transcription_base;
            WorkerSettings::from_lookup(move |name| match name {
                "TRANSCRIBE_API_BASE" => Some(format!("{base}/v1")),
                "TRANSCRIBE_API_KEY" => Some(TRANSCRIBE_KEY.into()),
                "TRANSCRIBE_TIMEOUT_SECONDS" => Some("1".into()),
                "FRONTDESK_WEBHOOK_TIMEOUT_SECONDS" => Some("1".into()),
                _ => None,
            })
            .unwrap()
        };
        let app = App::new(config, backends);
        let mut business = Business::new(
            BusinessId::parse(&format!("biz-{}", unique())).unwrap(),
            "Acme Dental",
        );
        urls(&mut business, &receiver_base);
        app.store().put_business(&business).await.unwrap();
        app.store()
            .put_webhook_secret(&business.id, &Secret::new(WEBHOOK_SECRET).unwrap())
            .await
            .unwrap();
        let worker = Worker::new(app, recordings).unwrap();
        Self {
            worker,
            media,
            transcription,
            receiver,
            business,
            faults,
            media_base,
        }
    }

    pub fn app(&self) -> &App {
        &self.worker.app
    }

    /// The URL of recording `sid` on Twilio's media as the worker reaches it.
    pub fn recording_url(&self, sid: &RecordingSid) -> String {
        format!(
            "{}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}",
            self.media_base
        )
    }

    /// A call that rang in (or out), was recorded and completed; its transcription job is
    /// queued the way `handle_recording` queues it.
    pub async fn recorded_call(&self, direction: Direction) -> TranscriptionJob {
        let sid = CallSid::parse(&format!("CA{:032x}", unique())).unwrap();
        let recording_sid = RecordingSid::parse(&format!("RE{:032x}", unique())).unwrap();
        let store = self.app().store();
        let t0 = OffsetDateTime::now_utc() - time::Duration::minutes(2);
        store
            .record_call_start(&CallStart {
                sid: sid.clone(),
                business_id: self.business.id.clone(),
                from: "+972501234567".into(),
                to: "+97233334444".into(),
                direction,
                caller_name: None,
                status: CallStatus::InProgress,
                started_at: t0,
                placed: None,
            })
            .await
            .unwrap();
        let recording = Recording {
            sid: recording_sid.clone(),
            url: self.recording_url(&recording_sid),
            duration_seconds: Some(7),
            digits: Some("hangup".into()),
        };
        store
            .attach_recording(&sid, &recording, self.business.transcription_enabled, t0)
            .await
            .unwrap();
        let job = TranscriptionJob {
            call_sid: sid.clone(),
            recording_sid,
            recording_url: recording.url.clone(),
            recording_duration_seconds: Some(7),
            business_id: Some(self.business.id.clone()),
            from: Some("+972501234567".into()),
            to: Some("+97233334444".into()),
            direction,
            enqueued_at: t0,
        };
        if self.business.transcription_enabled {
            assert!(frontdesk::voice::recordings::send_job(self.app(), &job).await);
        }
        store
            .apply_call_status(&StatusUpdate {
                sid,
                status: CallStatus::Completed,
                sequence: None,
                business_id: None,
                from: None,
                to: None,
                direction,
                duration_seconds: Some(40),
                at: t0 + time::Duration::seconds(40),
                sip_response_code: None,
                answered_by: None,
            })
            .await
            .unwrap();
        job
    }

    /// Runs `consumer` on `body` as the `receive_count`-th receive.
    pub async fn process(&self, consumer: Consumer, body: &str, receive_count: u32) -> Disposition {
        consumer
            .process(
                &self.worker,
                &Received {
                    id: format!("m{}", unique()),
                    body: body.to_string(),
                    receive_count,
                },
            )
            .await
    }
}

/// Far enough ahead that every backoff has passed.
pub const LATER: Duration = Duration::from_secs(48 * 3600);
