//! A provider's send API that answers one canned reply: Twilio's Messages API or Meta's Graph
//! API, as the WhatsApp send tests use them. Records every request so a test can check each
//! field it was sent.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde_json::Value;

/// One request a stand-in received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

/// A local HTTP server standing in for a provider: records every request and answers `answer`.
pub struct ProviderStandIn {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

pub async fn stand_in(status: u16, answer: Value) -> ProviderStandIn {
    answering(status, move |_| answer.clone()).await
}

/// A stand-in that answers its `n`th request (from 1) with `answer(n)`: a provider that gives
/// every message its own id.
pub async fn answering<F>(status: u16, answer: F) -> ProviderStandIn
where
    F: Fn(usize) -> Value + Clone + Send + Sync + 'static,
{
    responding(move |n, _| (status, answer(n))).await
}

/// A stand-in whose status and answer depend on its `n`th request (from 1) itself: a provider
/// that accepts an SMS but refuses a template.
pub async fn responding<F>(answer: F) -> ProviderStandIn
where
    F: Fn(usize, &Received) -> (u16, Value) + Clone + Send + Sync + 'static,
{
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let log = log.clone();
        let answer = answer.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let header = |name: &str| {
                parts
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let request = Received {
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                authorization: header("authorization"),
                content_type: header("content-type"),
                body,
            };
            let n = {
                let mut log = log.lock().unwrap();
                log.push(request.clone());
                log.len()
            };
            let (status, body) = answer(n, &request);
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body.to_string(),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    ProviderStandIn { url, received }
}

impl Received {
    /// A form body's fields (Twilio's Messages API), decoded.
    pub fn form(&self) -> std::collections::BTreeMap<String, String> {
        frontdesk::http::form::parse(&self.body)
            .expect("a form body")
            .pairs()
            .iter()
            .cloned()
            .collect()
    }

    /// A JSON body (Meta's Graph API).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}
