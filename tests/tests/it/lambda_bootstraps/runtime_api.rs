//! A Lambda Runtime API emulator on 127.0.0.1: what a bootstrap polls for its invocations.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use serde_json::Value;
use tokio::sync::{oneshot, Notify};

use super::{INVOKE_TIMEOUT, REGION};

/// What a function answered to one invocation.
#[derive(Debug)]
pub enum Outcome {
    /// `POST /runtime/invocation/{id}/response`.
    Response(Value),
    /// `POST /runtime/invocation/{id}/error`.
    Error(String),
}

struct Invocation {
    request_id: String,
    event: Bytes,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Invocation>,
}

struct EmulatorState {
    function_arn: String,
    queue: Mutex<Queue>,
    queued: Notify,
    answers: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    init_error: Mutex<Option<String>>,
}

/// The Lambda Runtime API (2018-06-01) for one function instance: `next` long-polls for an
/// invocation, `response` and `error` complete it, `init/error` records a failed start-up.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    state: Arc<EmulatorState>,
    _stop: oneshot::Sender<()>,
}

impl RuntimeApi {
    pub async fn start(function_name: &str) -> Self {
        let state = Arc::new(EmulatorState {
            function_arn: format!("arn:aws:lambda:{REGION}:123456789012:function:{function_name}"),
            queue: Mutex::new(Queue::default()),
            queued: Notify::new(),
            answers: Mutex::new(HashMap::new()),
            init_error: Mutex::new(None),
        });
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(invocation_response),
            )
            .route(
                "/2018-06-01/runtime/invocation/{id}/error",
                post(invocation_error),
            )
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            addr,
            state,
            _stop: stop,
        }
    }

    /// Hands `event` to the function and waits for its answer.
    pub async fn invoke(&self, event: Vec<u8>) -> Result<Outcome, String> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let request_id = format!(
            "00000000-0000-4000-8000-{:012}",
            NEXT_ID.fetch_add(1, Ordering::Relaxed)
        );
        let (answer, answered) = oneshot::channel();
        self.state
            .answers
            .lock()
            .unwrap()
            .insert(request_id.clone(), answer);
        self.state
            .queue
            .lock()
            .unwrap()
            .waiting
            .push_back(Invocation {
                request_id,
                event: Bytes::from(event),
            });
        self.state.queued.notify_one();
        match tokio::time::timeout(INVOKE_TIMEOUT, answered).await {
            Ok(Ok(outcome)) => Ok(outcome),
            _ => Err(match self.state.init_error.lock().unwrap().clone() {
                Some(init) => format!("the function failed to start: {init}"),
                None => format!("no answer within {INVOKE_TIMEOUT:?}"),
            }),
        }
    }
}

async fn next_invocation(State(state): State<Arc<EmulatorState>>) -> (HeaderMap, Bytes) {
    let invocation = loop {
        let notified = state.queued.notified();
        if let Some(invocation) = state.queue.lock().unwrap().waiting.pop_front() {
            break invocation;
        }
        notified.await;
    };
    let deadline = SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + INVOKE_TIMEOUT;
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        headers.insert(name, HeaderValue::from_str(&value).unwrap());
    };
    set("lambda-runtime-aws-request-id", invocation.request_id);
    set(
        "lambda-runtime-deadline-ms",
        deadline.as_millis().to_string(),
    );
    set(
        "lambda-runtime-invoked-function-arn",
        state.function_arn.clone(),
    );
    set(
        "lambda-runtime-trace-id",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0".into(),
    );
    set("content-type", "application/json".into());
    (headers, invocation.event)
}

fn complete(state: &EmulatorState, id: &str, outcome: Outcome) -> StatusCode {
    match state.answers.lock().unwrap().remove(id) {
        Some(answer) => {
            let _ = answer.send(outcome);
            StatusCode::ACCEPTED
        }
        None => StatusCode::BAD_REQUEST,
    }
}

async fn invocation_response(
    State(state): State<Arc<EmulatorState>>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> StatusCode {
    let outcome = match serde_json::from_slice(&body) {
        Ok(value) => Outcome::Response(value),
        Err(e) => Outcome::Error(format!(
            "response is not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )),
    };
    complete(&state, &id, outcome)
}

async fn invocation_error(
    State(state): State<Arc<EmulatorState>>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> StatusCode {
    let error = String::from_utf8_lossy(&body).into_owned();
    complete(&state, &id, Outcome::Error(error))
}

async fn init_error(State(state): State<Arc<EmulatorState>>, body: Bytes) -> StatusCode {
    *state.init_error.lock().unwrap() = Some(String::from_utf8_lossy(&body).into_owned());
    StatusCode::ACCEPTED
}
