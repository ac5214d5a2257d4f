//! A business's webhook receiver for the operator tools: answers every POST with a status the
//! test sets (204 until then) and keeps each request's headers (the doctor's signed ping).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    status: Arc<AtomicU16>,
    received: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

impl Receiver {
    pub async fn start() -> Self {
        let status = Arc::new(AtomicU16::new(204));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (answer, kept) = (status.clone(), received.clone());
        let router = axum::Router::new().fallback(move |headers: http::HeaderMap| {
            let (answer, kept) = (answer.clone(), kept.clone());
            async move {
                let headers = headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
                    .collect();
                kept.lock().unwrap().push(headers);
                http::StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/frontdesk", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self {
            url,
            status,
            received,
        }
    }

    pub fn answer_with(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<HashMap<String, String>> {
        self.received.lock().unwrap().clone()
    }
}
