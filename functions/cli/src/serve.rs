//! `frontdesk serve`: every route in one local process, dispatched through the same core
//! handlers the Lambda functions run.

use std::future::Future;
use std::io;

use axum::body::Body;
use axum::extract::State;
use bytes::Bytes;
use frontdesk::blob::folder::LINK_PATH;
use frontdesk::config::PublicBaseUrl;
use frontdesk::http::{response, InboundRequest, Response};
use frontdesk::routes::{self, ROUTES};
use frontdesk::{App, Route};
use tokio::net::TcpListener;

/// Largest body read from a socket; routes apply their own, smaller limits.
/// Meta's webhook payloads reach 3 MB.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// How often `serve` runs the reconciler (Lambda runs it on a schedule).
pub const RECONCILE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs the reconciler every [`RECONCILE_EVERY`] for as long as the process lives.
pub fn spawn_reconciler(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(RECONCILE_EVERY);
        loop {
            every.tick().await;
            frontdesk::worker::reconcile::reconcile(&app, time::OffsetDateTime::now_utc()).await;
        }
    })
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn run(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let router = axum::Router::new().fallback(handle).with_state(app);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

async fn handle(
    State(app): State<App>,
    request: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let response = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(body) => {
            let request_id = parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty() && v.len() <= 128)
                .map(str::to_string)
                .unwrap_or_else(frontdesk::http::new_request_id);
            if let Some(key) = parts.uri.path().strip_prefix(LINK_PATH) {
                if matches!(parts.method, http::Method::GET | http::Method::HEAD) {
                    let query = parts.uri.query().unwrap_or_default();
                    return into_axum(blob_link(&app, key, query).await);
                }
            }
            let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
            let request = InboundRequest::local(
                parts.method,
                path_and_query,
                parts.headers,
                body,
                request_id,
            );
            routes::dispatch(&app, request).await
        }
        Err(_) => response::bad_request(&format!("body over the {MAX_BODY} byte limit")),
    };
    into_axum(response)
}

/// A signed link to a recording copy in the local folder (the stand-in for S3's presigned
/// GET): the audio, or 404 for a link that is forged, expired or names nothing.
async fn blob_link(app: &App, key: &str, query: &str) -> Response {
    let Some(recordings) = app.recordings() else {
        return response::not_found();
    };
    match recordings
        .follow_link(key, query, jiff::Timestamp::now())
        .await
    {
        Ok(Some(blob)) => {
            let mut answer = http::Response::new(blob.body);
            let headers = answer.headers_mut();
            if let Ok(value) = http::HeaderValue::from_str(&blob.meta.content_type) {
                headers.insert(http::header::CONTENT_TYPE, value);
            }
            headers.insert(
                http::header::CACHE_CONTROL,
                http::HeaderValue::from_static("private, max-age=900"),
            );
            answer
        }
        Ok(None) => response::not_found(),
        Err(err) => {
            tracing::warn!(error = %err, "a recording link could not be read");
            response::unavailable("the recording is unavailable; try again")
        }
    }
}

fn into_axum(response: Response) -> axum::response::Response {
    let (parts, body): (_, Bytes) = response.into_parts();
    axum::response::Response::from_parts(parts, Body::from(body))
}

/// The lines `serve` prints at start: where it listens and the URLs to paste into Twilio.
pub fn banner(local_addr: &str, public: Option<&PublicBaseUrl>) -> String {
    let mut out = format!("Frontdesk listening on http://{local_addr}\n");
    let base = public.map_or_else(
        || format!("http://{local_addr}"),
        |p| p.as_str().to_string(),
    );
    let webhooks: Vec<_> = ROUTES.iter().filter(|r| r.webhook).collect();
    if webhooks.is_empty() {
        out.push_str(&format!("  health: {base}{}\n", Route::Health.path()));
    } else {
        // The folder of Meta's webhook, as the route table spells it.
        let meta = Route::MetaWhatsApp.path();
        let meta_folder = &meta[..=meta.rfind('/').unwrap_or_default()];
        out.push_str(&format!(
            "Webhook URLs for the Twilio console (HTTP POST) and, under {meta_folder}, the Meta app:\n"
        ));
        for spec in webhooks {
            out.push_str(&format!("  {base}{}\n", spec.path));
        }
    }
    if public.is_none() {
        out.push_str("Behind a tunnel? Pass --public-url https://YOUR-TUNNEL so signatures match the URL Twilio calls.\n");
    }
    out
}
