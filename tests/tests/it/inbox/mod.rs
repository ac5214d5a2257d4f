//! The owner's inbox over real HTTP against `frontdesk serve` (embedded backends, `test`
//! stage): signing in with the link `frontdesk inbox link` issues, the calls pages, the handled
//! flag, signing out, and every way in that must stay shut.

mod appointments;
mod aws;
mod customer;
mod customer_actions;
mod find;
mod pages;
mod refusals;

use std::sync::Arc;

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::config::PublicBaseUrl;
use frontdesk::domain::{
    Business, BusinessId, CallSid, CallStart, CallStatus, Direction, Recording, RecordingSid,
    TranscriptionOutcome,
};
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::{App, Route};
use frontdesk_testkit::{JobProbe, TestServer};
use jiff::{SignedDuration, Timestamp};
use time::macros::datetime;

/// What a caller may put in their name and words: each must show as text.
pub const HOSTILE_NAME: &str = "<script>alert('name')</script>";
pub const HOSTILE_TRANSCRIPT: &str = "call me <img src=x onerror=alert(1)> & \"soon\"";

/// A served inbox: the owner's business (Hebrew), another business, their calls.
pub struct Inbox {
    pub server: TestServer,
    pub owner: Business,
    pub other: Business,
    /// The owner's calls, oldest first.
    pub calls: Vec<CallSid>,
    /// A call of the other business.
    pub theirs: CallSid,
    _data: tempfile::TempDir,
}

fn sid(n: usize) -> CallSid {
    CallSid::parse(&format!("CAinbox{n:04}")).unwrap()
}

impl Inbox {
    /// `frontdesk serve` with recording copies in its folder, and `count` calls of the owner a
    /// minute apart (the newest from a caller whose name and transcript are hostile).
    pub async fn start(count: usize) -> Self {
        Self::start_with(count, &[]).await
    }

    /// [`Self::start`], configured with `vars` as well (a provider stand-in's URL).
    pub async fn start_with(count: usize, vars: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().unwrap();
        let db = data.path().join("frontdesk.sqlite3");
        let queue = Arc::new(EmbeddedQueue::open(&db).unwrap());
        let backends = Backends {
            store: Arc::new(SqliteStore::open(&db).unwrap()),
            queue: queue.clone(),
            greetings: Arc::new(FolderBlobs::new(data.path().join("blobs"))),
        };
        let recordings = Arc::new(FolderBlobs::new(data.path().join("blobs")));
        let app = App::with_recordings(
            frontdesk_testkit::config::config(vars),
            backends,
            recordings,
        );
        let server = TestServer::with_app(app, JobProbe::Embedded(queue)).await;

        let mut owner = Business::new(BusinessId::parse("clinic").unwrap(), "Clinic & Co");
        owner.language = "he-IL".into();
        let other = Business::new(BusinessId::parse("rival").unwrap(), "Rival");
        let store = server.app.store();
        store.put_business(&owner).await.unwrap();
        store.put_business(&other).await.unwrap();

        let mut calls = Vec::new();
        for n in 0..count {
            let call = sid(n);
            let newest = n + 1 == count;
            let start = CallStart {
                sid: call.clone(),
                business_id: owner.id.clone(),
                from: format!("+97250{n:07}"),
                to: "+97233334444".into(),
                direction: Direction::Inbound,
                caller_name: newest.then(|| HOSTILE_NAME.to_string()),
                status: CallStatus::Completed,
                started_at: datetime!(2026-11-29 08:00 UTC) + time::Duration::minutes(n as i64),
                placed: None,
            };
            store.record_call_start(&start).await.unwrap();
            if newest {
                voicemail(&server.app, &call).await;
            }
            calls.push(call);
        }
        let theirs = CallSid::parse("CArival0001").unwrap();
        let start = CallStart {
            sid: theirs.clone(),
            business_id: other.id.clone(),
            from: "+972509999999".into(),
            to: "+97233335555".into(),
            direction: Direction::Inbound,
            caller_name: Some("Their caller".into()),
            status: CallStatus::Completed,
            started_at: datetime!(2026-11-29 09:00 UTC),
            placed: None,
        };
        store.record_call_start(&start).await.unwrap();
        Self {
            server,
            owner,
            other,
            calls,
            theirs,
            _data: data,
        }
    }

    pub fn url(&self, route_path: &str) -> String {
        self.server.url(route_path)
    }

    /// A sign-in link for `business`, issued `ago` before now, as `frontdesk inbox link`
    /// prints it.
    pub async fn link(&self, business: &BusinessId, minutes: u32, ago: SignedDuration) -> String {
        frontdesk_cli::inbox::link(
            self.server.app.store(),
            &PublicBaseUrl::parse(&self.server.base_url).unwrap(),
            business,
            minutes,
            Timestamp::now() - ago,
        )
        .await
        .unwrap()
    }

    /// Signs the owner in through a fresh link: the session cookie (`name=value`).
    pub async fn sign_in(&self) -> String {
        let link = self.link(&self.owner.id, 15, SignedDuration::ZERO).await;
        let response = client().get(&link).send().await.unwrap();
        assert_eq!(response.status(), 200, "{link}");
        cookie_of(&response).expect("a session cookie")
    }

    /// GETs `route_path` with `cookie`.
    pub async fn get(&self, route_path: &str, cookie: &str) -> reqwest::Response {
        client()
            .get(self.url(route_path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// POSTs the form `pairs` to `route_path` with `cookie`.
    pub async fn post(
        &self,
        route_path: &str,
        cookie: &str,
        pairs: &[(&str, &str)],
    ) -> reqwest::Response {
        let body = frontdesk::http::FormParams::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
        .encode();
        client()
            .post(self.url(route_path))
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// The calls page's HTML for `cookie` (200 asserted).
    pub async fn page(&self, route_path: &str, cookie: &str) -> String {
        let response = self.get(route_path, cookie).await;
        assert_eq!(response.status(), 200, "{route_path}");
        response.text().await.unwrap()
    }

    pub async fn handled(&self, call: &CallSid) -> bool {
        self.server
            .app
            .store()
            .call(call)
            .await
            .unwrap()
            .unwrap()
            .handled
    }
}

/// The call's handled-flag path.
pub fn handled_path(call: &CallSid) -> String {
    Route::InboxCallHandled.path_with(&[("call_sid", call.as_str())])
}

/// The CSRF token in a page's forms.
pub fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("a form with a CSRF token") + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

/// `name=value` of the inbox cookie a response sets with a value, if any.
pub fn cookie_of(response: &reqwest::Response) -> Option<String> {
    set_cookie(response)
        .and_then(|header| header.split(';').next().map(str::to_string))
        .filter(|pair| !pair.ends_with('='))
}

/// The response's `Set-Cookie` for the inbox cookie.
pub fn set_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("frontdesk_inbox="))
        .map(str::to_string)
}

/// A client that shows redirects instead of following them.
pub fn client() -> reqwest::Client {
    frontdesk::tls::https_client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Gives `call` a recording, its copy and a hostile transcript.
pub async fn voicemail(app: &App, call: &CallSid) {
    let store = app.store();
    let recording = Recording {
        sid: RecordingSid::parse("REinbox0001").unwrap(),
        url: "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/REinbox0001".into(),
        duration_seconds: Some(9),
        digits: None,
    };
    let now = time::OffsetDateTime::now_utc();
    store
        .attach_recording(call, &recording, true, now)
        .await
        .unwrap();
    let key = format!("recordings/{call}.mp3");
    if let Some(recordings) = app.recordings() {
        recordings
            .put(&key, bytes::Bytes::from_static(b"ID3"), "audio/mpeg")
            .await
            .unwrap();
    }
    store.set_recording_copy(call, &key).await.unwrap();
    let transcript = TranscriptionOutcome::Ready {
        transcript: HOSTILE_TRANSCRIPT.into(),
        language: Some("en".into()),
    };
    assert!(store
        .finish_transcription(call, &transcript, now)
        .await
        .unwrap());
}
