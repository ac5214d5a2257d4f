//! `frontdesk serve`'s router in this process on a free port, on either backend, with a probe
//! of what its queue received.

use std::sync::Arc;

use frontdesk::app::Backends;
use frontdesk::blob::folder::FolderBlobs;
use frontdesk::queue::embedded::EmbeddedQueue;
use frontdesk::store::sqlite::SqliteStore;
use frontdesk::App;
use tokio::sync::oneshot;

use crate::config::{config, TEST_TOKEN};
use crate::probe::JobProbe;
use crate::signing::{form, sign_form};
use crate::stack::Stack;

/// A running local server; stops when dropped.
pub struct TestServer {
    pub base_url: String,
    pub app: App,
    /// What the server's queue received, for assertions.
    pub jobs: JobProbe,
    stop: Option<oneshot::Sender<()>>,
    _data: Option<tempfile::TempDir>,
}

impl TestServer {
    /// Starts `frontdesk serve` on the embedded default in a fresh temporary folder, configured
    /// by [`config`]`(vars)`.
    pub async fn start(vars: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let db = data.path().join("frontdesk.sqlite3");
        let queue = Arc::new(EmbeddedQueue::open(&db).expect("embedded queue"));
        let backends = Backends {
            store: Arc::new(SqliteStore::open(&db).expect("embedded store")),
            queue: queue.clone(),
            greetings: Arc::new(FolderBlobs::new(data.path().join("blobs"))),
        };
        let mut server =
            Self::with_app(App::new(config(vars), backends), JobProbe::Embedded(queue)).await;
        server._data = Some(data);
        server
    }

    /// Starts `frontdesk serve` on the AWS backends (DynamoDB, SQS, S3) on a fresh [`Stack`]
    /// on moto.
    pub async fn start_aws(vars: &[(&str, &str)]) -> Self {
        let stack = Stack::new().await;
        let app = stack.app(vars).await;
        Self::with_app(app, stack.probe()).await
    }

    /// Serves an app built by the test (for example on AWS backends against moto).
    pub async fn with_app(app: App, jobs: JobProbe) -> Self {
        crate::logs::capture();
        let (listener, base_url) = super::loopback().await;
        let (stop, stopped) = oneshot::channel::<()>();
        super::spawn(app.clone(), listener, async {
            let _ = stopped.await;
        });
        Self {
            base_url,
            app,
            jobs,
            stop: Some(stop),
            _data: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// POSTs a form to `path`, signed with the test token for the URL the server sees.
    pub async fn post_signed(&self, path: &str, params: &[(&str, &str)]) -> reqwest::Response {
        let form = form(params);
        let url = self.url(path);
        let signature = sign_form(TEST_TOKEN, &url, &form);
        crate::http_client()
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", signature)
            .body(form.encode())
            .send()
            .await
            .expect("request reaches the server")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
