//! Helpers for end-to-end tests: a `frontdesk serve` instance on an ephemeral loopback port.

use frontdesk::{App, Config};
use tokio::sync::oneshot;

/// A running local server; stops when dropped.
pub struct TestServer {
    pub base_url: String,
    stop: Option<oneshot::Sender<()>>,
}

impl TestServer {
    /// Starts `frontdesk serve` with configuration read through `vars` (nothing from the process env).
    pub async fn start(vars: &[(&str, &str)]) -> Self {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let config = Config::from_lookup(
            |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
            "test",
        )
        .expect("test configuration is valid");
        Self::with_app(App::new(config)).await
    }

    pub async fn with_app(app: App) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(frontdesk_cli::serve::run(app, listener, async {
            let _ = stopped.await;
        }));
        Self {
            base_url,
            stop: Some(stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
