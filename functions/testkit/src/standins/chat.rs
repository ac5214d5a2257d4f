//! An OpenAI-compatible chat endpoint (`POST /v1/chat/completions`) standing in for the
//! summary model: it checks what it is sent (the bearer key, a strict JSON-schema
//! `response_format` whose schema names every field, the transcript fenced in the user
//! message) and answers from a script. [`Reply::Obedient`] does what a careless model might: it
//! marks urgent any transcript that asks to be marked urgent.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

pub const SUMMARY_KEY: &str = "sk-test-summary";

/// One answer of the stand-in.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A well-formed answer with these fields.
    Triage {
        summary: String,
        intent: String,
        urgency: String,
        callback: Option<String>,
    },
    /// This text as the message content (invalid JSON, markup, …).
    Content(String),
    /// This HTTP status, no answer.
    Status(u16),
    /// An answer only after this long.
    Stall(Duration),
    /// Urgency `high` and intent `complaint` when the transcript says "urgent", else
    /// `normal` and `question`; a Hebrew summary.
    Obedient,
}

impl Reply {
    /// A good Hebrew answer with `urgency`.
    pub fn hebrew(urgency: &str) -> Self {
        Self::Triage {
            summary: "המטופלת מבקשת לקבוע תור לבדיקה ומבקשת שיחזרו אליה".into(),
            intent: "booking".into(),
            urgency: urgency.into(),
            callback: None,
        }
    }
}

/// A request the stand-in received, with what its checks found.
#[derive(Clone, Debug)]
pub struct Asked {
    pub body: Value,
    /// Why the request was not what an OpenAI-compatible server takes, if it was not.
    pub problem: Option<String>,
}

impl Asked {
    /// The transcript as the user message carried it.
    pub fn user_message(&self) -> String {
        self.body["messages"][1]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

struct Inner {
    script: Mutex<VecDeque<Reply>>,
    asked: Mutex<Vec<Asked>>,
}

#[derive(Clone)]
pub struct ChatStandIn {
    inner: Arc<Inner>,
    pub base_url: String,
}

impl ChatStandIn {
    /// A stand-in answering `script` in order (the last answer repeats).
    pub async fn start(script: Vec<Reply>) -> Self {
        let inner = Arc::new(Inner {
            script: Mutex::new(script.into()),
            asked: Mutex::new(Vec::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let router = axum::Router::new()
            .fallback(answer)
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { inner, base_url }
    }

    pub fn asked(&self) -> Vec<Asked> {
        self.inner.asked.lock().unwrap().clone()
    }

    /// Answers `script` from now on.
    pub fn script(&self, script: Vec<Reply>) {
        *self.inner.script.lock().unwrap() = script.into();
    }
}

fn problem(path: &str, authorization: &str, body: &Value) -> Option<String> {
    if path != "/v1/chat/completions" {
        return Some(format!("path {path}"));
    }
    if authorization != format!("Bearer {SUMMARY_KEY}") {
        return Some("bearer key".into());
    }
    let format = &body["response_format"];
    if format["type"] != "json_schema" || format["json_schema"]["strict"] != true {
        return Some("response_format is not a strict json_schema".into());
    }
    let schema = &format["json_schema"]["schema"];
    let required = json!(["summary", "intent", "urgency", "callback_number"]);
    if schema["required"] != required || schema["additionalProperties"] != false {
        return Some("schema does not require exactly its fields".into());
    }
    let user = body["messages"][1]["content"].as_str().unwrap_or_default();
    if !user.starts_with("<transcript>") || !user.ends_with("</transcript>") {
        return Some("transcript not fenced".into());
    }
    None
}

async fn answer(State(inner): State<Arc<Inner>>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let authorization = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let problem = problem(parts.uri.path(), authorization, &body);
    let asked = Asked {
        body: body.clone(),
        problem: problem.clone(),
    };
    let user = asked.user_message();
    inner.asked.lock().unwrap().push(asked);
    if let Some(problem) = problem {
        return (StatusCode::BAD_REQUEST, problem).into_response();
    }
    let reply = {
        let mut script = inner.script.lock().unwrap();
        if script.len() > 1 {
            script.pop_front().unwrap()
        } else {
            script.front().cloned().unwrap_or(Reply::Status(500))
        }
    };
    let content = match reply {
        triage @ Reply::Triage { .. } => triage.content(),
        Reply::Content(text) => text,
        Reply::Status(status) => return StatusCode::from_u16(status).unwrap().into_response(),
        Reply::Stall(wait) => {
            tokio::time::sleep(wait).await;
            Reply::hebrew("normal").content()
        }
        Reply::Obedient => {
            let urgent = user.to_lowercase().contains("urgent");
            json!({
                "summary": "המתקשר השאיר הודעה",
                "intent": if urgent { "complaint" } else { "question" },
                "urgency": if urgent { "high" } else { "normal" },
                "callback_number": null
            })
            .to_string()
        }
    };
    let answer = json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]
    });
    ([("content-type", "application/json")], answer.to_string()).into_response()
}

impl Reply {
    /// A `Triage` answer's message content (other replies have none).
    fn content(&self) -> String {
        match self {
            Self::Triage {
                summary,
                intent,
                urgency,
                callback,
            } => json!({"summary": summary, "intent": intent, "urgency": urgency, "callback_number": callback}).to_string(),
            _ => String::new(),
        }
    }
}
