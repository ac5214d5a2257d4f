//! The application state every handler shares: configuration, the signature validator, the
//! backends and Google's tokens, all built once at start-up (in a Lambda's `main`, or by
//! `frontdesk serve`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tracing::{error, warn};

use crate::blob::BlobStore;
use crate::config::{Config, Secret};
use crate::domain::{Business, PhoneNumber};
use crate::google::Google;
use crate::queue::{OutboundMessage, Queue};
use crate::store::{ParkedMessage, Store, StoreError};
use crate::twilio::webhook::Gate;

/// Where state, jobs and greetings live.
#[derive(Clone)]
pub struct Backends {
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    pub greetings: Arc<dyn BlobStore>,
}

impl Backends {
    /// The embedded default under `data_dir`: `frontdesk.sqlite3` for state and jobs,
    /// `blobs/` for greetings.
    #[cfg(feature = "embedded")]
    pub fn embedded(data_dir: &std::path::Path) -> Result<Self, String> {
        use crate::blob::folder::FolderBlobs;
        use crate::queue::embedded::EmbeddedQueue;
        use crate::store::sqlite::SqliteStore;

        std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
        let db = data_dir.join("frontdesk.sqlite3");
        let store = SqliteStore::open(&db).map_err(|e| e.to_string())?;
        let queue = EmbeddedQueue::open(&db).map_err(|e| e.to_string())?;
        Ok(Self {
            store: Arc::new(store),
            queue: Arc::new(queue),
            greetings: Arc::new(FolderBlobs::new(data_dir.join("blobs"))),
        })
    }
}

/// How long a greeting's existence check is trusted, so a call does not wait on the blob
/// store every time.
const GREETING_CHECK_TTL: Duration = Duration::from_secs(60);

/// How long a number's business is trusted before the store is asked again: every webhook
/// of a call looks it up, and settings changes may take this long to apply.
pub const BUSINESS_CACHE_TTL: Duration = Duration::from_secs(5);

/// Cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    twilio_gate: Gate,
    backends: Backends,
    greeting_checks: Mutex<HashMap<String, (bool, Instant)>>,
    /// Recording copies, for the links the calls API gives (None where no route needs them).
    recordings: Option<Arc<dyn BlobStore>>,
    businesses_by_number: Mutex<HashMap<PhoneNumber, (Option<Business>, Instant)>>,
    /// Google Calendar's tokens and each business's recent busy times.
    google: Google,
    /// The inbox key, read from the store once per process.
    inbox_key: tokio::sync::OnceCell<Secret>,
}

impl App {
    pub fn new(config: Config, backends: Backends) -> Self {
        Self::build(config, backends, None)
    }

    /// An app that also reads recording copies (the calls API's links).
    pub fn with_recordings(
        config: Config,
        backends: Backends,
        recordings: Arc<dyn BlobStore>,
    ) -> Self {
        Self::build(config, backends, Some(recordings))
    }

    /// The recording copies, when this app was given them.
    pub fn recordings(&self) -> Option<&dyn BlobStore> {
        self.inner.recordings.as_deref()
    }

    /// The recording copies as a shared handle (a consumer keeps one).
    pub fn recordings_arc(&self) -> Option<Arc<dyn BlobStore>> {
        self.inner.recordings.clone()
    }

    fn build(config: Config, backends: Backends, recordings: Option<Arc<dyn BlobStore>>) -> Self {
        Self {
            inner: Arc::new(Inner {
                twilio_gate: Gate::new(&config),
                google: Google::new(config.google.clone()),
                config,
                backends,
                greeting_checks: Mutex::new(HashMap::new()),
                recordings,
                businesses_by_number: Mutex::new(HashMap::new()),
                inbox_key: tokio::sync::OnceCell::new(),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The key that signs the inbox's cookies and CSRF tokens: `FRONTDESK_INBOX_SECRET` when
    /// set, else the store's (made at the deployment's first sign-in), read once per process.
    pub async fn inbox_key(&self) -> Result<&Secret, StoreError> {
        if let Some(key) = &self.inner.config.inbox_secret {
            return Ok(key);
        }
        self.inner
            .inbox_key
            .get_or_try_init(|| async {
                self.store()
                    .inbox_key(&crate::config::values::random_secret())
                    .await
            })
            .await
    }

    /// [`App::inbox_key`] once it has been read (every signed-in request has read it).
    pub fn inbox_key_read(&self) -> Option<&Secret> {
        self.inner
            .config
            .inbox_secret
            .as_ref()
            .or_else(|| self.inner.inbox_key.get())
    }

    /// The gate every Twilio webhook passes (form and X-Twilio-Signature).
    pub fn twilio_gate(&self) -> &Gate {
        &self.inner.twilio_gate
    }

    pub fn backends(&self) -> &Backends {
        &self.inner.backends
    }

    pub fn store(&self) -> &dyn Store {
        self.inner.backends.store.as_ref()
    }

    pub fn queue(&self) -> &dyn Queue {
        self.inner.backends.queue.as_ref()
    }

    /// Sends `message`, or with its queue down parks it in the store, where the reconciler
    /// finds and sends it; whether it will reach its queue. Only both down loses it, and that
    /// is logged as data at risk.
    pub async fn send_or_park(&self, message: &OutboundMessage) -> bool {
        let queue_err = match self.queue().send(message).await {
            Ok(()) => return true,
            Err(err) => err,
        };
        let parked = ParkedMessage {
            queue: message.queue.as_str().to_string(),
            dedup_id: message.dedup_id.clone(),
            body: message.body.clone(),
            parked_at: OffsetDateTime::now_utc(),
        };
        match self.store().park(&parked).await {
            Ok(()) => {
                warn!(metric = "message_parked", queue = parked.queue, dedup_id = parked.dedup_id, error = %queue_err, "queue unavailable; message parked for the reconciler");
                true
            }
            Err(store_err) => {
                error!(metric = "message_at_risk", queue = parked.queue, dedup_id = parked.dedup_id, queue_error = %queue_err, store_error = %store_err, "queue and store both unavailable: message lost");
                false
            }
        }
    }

    /// Google Calendar for the businesses that connected one.
    pub fn google(&self) -> &Google {
        &self.inner.google
    }

    pub fn greetings(&self) -> &dyn BlobStore {
        self.inner.backends.greetings.as_ref()
    }

    /// Whether the greeting object `key` exists, from a short-lived cache. A failed check
    /// counts as missing (the caller then hears the spoken fallback) and is not cached.
    pub async fn greeting_exists(&self, key: &str) -> bool {
        if let Some((exists, checked)) = self.cached_greeting_check(key) {
            if checked.elapsed() < GREETING_CHECK_TTL {
                return exists;
            }
        }
        match self.greetings().head(key).await {
            Ok(meta) => {
                let exists = meta.is_some_and(|m| m.content_type == "audio/mpeg");
                if let Ok(mut checks) = self.inner.greeting_checks.lock() {
                    checks.insert(key.to_string(), (exists, Instant::now()));
                }
                exists
            }
            Err(err) => {
                tracing::warn!(error = %err, key, "greeting check failed; speaking the fallback");
                false
            }
        }
    }

    /// The business that owns `number` (or none), through a short-lived cache.
    pub async fn business_by_number(
        &self,
        number: &PhoneNumber,
    ) -> Result<Option<Business>, StoreError> {
        let cached = self
            .inner
            .businesses_by_number
            .lock()
            .ok()
            .and_then(|cache| cache.get(number).cloned());
        if let Some((business, fetched)) = cached {
            if fetched.elapsed() < BUSINESS_CACHE_TTL {
                return Ok(business);
            }
        }
        let business = self.store().business_by_number(number).await?;
        if let Ok(mut cache) = self.inner.businesses_by_number.lock() {
            cache.insert(number.clone(), (business.clone(), Instant::now()));
        }
        Ok(business)
    }

    /// Forgets the cached business of each of `business`'s numbers, so a change the owner just
    /// made (a number blocked) applies to this process's next call or message at once; other
    /// processes (other Lambdas) see it within [`BUSINESS_CACHE_TTL`].
    pub fn forget_business(&self, business: &Business) {
        if let Ok(mut cache) = self.inner.businesses_by_number.lock() {
            for number in &business.phone_numbers {
                cache.remove(number);
            }
        }
    }

    fn cached_greeting_check(&self, key: &str) -> Option<(bool, Instant)> {
        self.inner.greeting_checks.lock().ok()?.get(key).copied()
    }
}
