//! `frontdesk serve` on a free loopback port: its router in this process ([`router`],
//! [`TestServer`]), or the real binary ([`ServeProcess`]).

mod process;
mod test_server;

use std::future::Future;

use frontdesk::App;
use tokio::net::TcpListener;

pub use process::ServeProcess;
pub use test_server::TestServer;

/// A listener on a free loopback port and its base URL (`http://127.0.0.1:{port}`), for a test
/// that must know the URL before it builds the app.
pub async fn loopback() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    (listener, base_url)
}

/// Serves `app` with `frontdesk serve`'s router on `listener` until `shutdown` completes.
pub fn spawn(app: App, listener: TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) {
    tokio::spawn(frontdesk_cli::serve::run(app, listener, shutdown));
}

/// Serves `app` on a free loopback port for the rest of the test. Returns the base URL.
pub async fn router(app: App) -> String {
    let (listener, base_url) = loopback().await;
    spawn(app, listener, std::future::pending());
    base_url
}
