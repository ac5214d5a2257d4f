//! Scripted stand-ins for the parties the consumers talk to: Twilio's media endpoint, the
//! transcription API and a business's webhook receiver. Each answers from a script of status
//! codes (the last one repeats) and records every request.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Debug)]
pub struct Recorded {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// What a stand-in checks and answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Twilio media: Basic auth `AC_TEST:auth-token`, serves the MP3 on 200.
    Media,
    /// Transcription API: bearer key, multipart file/model/language/response_format.
    Transcription,
    /// A business's receiver.
    Receiver,
}

pub const ACCOUNT_SID: &str = "ACtest0123456789";
pub const TRANSCRIBE_KEY: &str = "sk-test-transcribe";
pub const TRANSCRIPT: &str = "שלום, אני רוצה לקבוע תור";

struct Inner {
    kind: Kind,
    script: Mutex<VecDeque<Answer>>,
    requests: Mutex<Vec<Recorded>>,
    mp3: Bytes,
    expected_auth: String,
    /// What the transcription API hears in the recording ([`TRANSCRIPT`] unless told).
    transcript: Mutex<String>,
}

#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Status(u16),
    /// Answers 200 only after this long (longer than the client waits).
    Stall(Duration),
}

#[derive(Clone)]
pub struct StandIn {
    inner: Arc<Inner>,
    pub base_url: String,
}

impl StandIn {
    pub async fn start(kind: Kind, script: &[Answer], mp3: Bytes, auth_token: &str) -> Self {
        use base64::Engine;
        let expected_auth = match kind {
            Kind::Media => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD
                    .encode(format!("{ACCOUNT_SID}:{auth_token}"))
            ),
            Kind::Transcription => format!("Bearer {TRANSCRIBE_KEY}"),
            Kind::Receiver => String::new(),
        };
        let inner = Arc::new(Inner {
            kind,
            script: Mutex::new(script.iter().copied().collect()),
            requests: Mutex::new(Vec::new()),
            mp3,
            expected_auth,
            transcript: Mutex::new(TRANSCRIPT.to_string()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let router = axum::Router::new()
            .fallback(answer)
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { inner, base_url }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.requests.lock().unwrap().clone()
    }

    pub fn hits(&self) -> usize {
        self.inner.requests.lock().unwrap().len()
    }

    /// Answers `script` from now on (the last answer repeats).
    pub fn answer_with(&self, script: &[Answer]) {
        *self.inner.script.lock().unwrap() = script.iter().copied().collect();
    }

    /// The transcription API hears `text` in the next recordings.
    pub fn say(&self, text: &str) {
        *self.inner.transcript.lock().unwrap() = text.to_string();
    }
}

async fn answer(State(inner): State<Arc<Inner>>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 * 1024 * 1024).await.unwrap();
    inner.requests.lock().unwrap().push(Recorded {
        path: parts.uri.path().to_string(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    let next = {
        let mut script = inner.script.lock().unwrap();
        if script.len() > 1 {
            script.pop_front().unwrap()
        } else {
            *script.front().unwrap_or(&Answer::Status(200))
        }
    };
    let status = match next {
        Answer::Status(status) => status,
        Answer::Stall(wait) => {
            tokio::time::sleep(wait).await;
            200
        }
    };
    let authorization = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match inner.kind {
        Kind::Media => {
            if status == 200 && authorization != inner.expected_auth {
                return (StatusCode::UNAUTHORIZED, "bad credentials").into_response();
            }
            if !parts.uri.path().ends_with(".mp3") {
                return (StatusCode::NOT_FOUND, "no extension").into_response();
            }
            if status == 200 {
                return ([("content-type", "audio/mpeg")], inner.mp3.clone()).into_response();
            }
        }
        Kind::Transcription => {
            if status == 200 {
                if authorization != inner.expected_auth {
                    return (StatusCode::UNAUTHORIZED, "bad key").into_response();
                }
                if let Err(reason) = check_multipart(&parts.headers, &body, &inner.mp3) {
                    return (StatusCode::BAD_REQUEST, reason).into_response();
                }
                let text = inner.transcript.lock().unwrap().clone();
                let answer = serde_json::json!({ "text": text, "language": "he" });
                return ([("content-type", "application/json")], answer.to_string())
                    .into_response();
            }
        }
        Kind::Receiver => {}
    }
    StatusCode::from_u16(status).unwrap().into_response()
}

/// The form must carry the MP3 as `file`, the model, the language hint and
/// `response_format=json`.
fn check_multipart(headers: &HeaderMap, body: &[u8], mp3: &[u8]) -> Result<(), String> {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .ok_or_else(|| format!("not multipart: {content_type}"))?;
    let delimiter = format!("--{boundary}");
    let mut fields = std::collections::HashMap::new();
    for part in split(body, delimiter.as_bytes()) {
        let Some(header_end) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..header_end]).to_string();
        let mut value = &part[header_end + 4..];
        if value.ends_with(b"\r\n") {
            value = &value[..value.len() - 2];
        }
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        else {
            continue;
        };
        fields.insert(name.to_string(), (head.clone(), value.to_vec()));
    }
    let (file_head, file) = fields.get("file").ok_or("no file part")?;
    if file.as_slice() != mp3 || !file_head.contains("audio/mpeg") || !file_head.contains(".mp3") {
        return Err("file part is not the recording".into());
    }
    let text = |name: &str| {
        fields
            .get(name)
            .map(|(_, v)| String::from_utf8_lossy(v).to_string())
    };
    if text("model").as_deref() != Some("whisper-1") {
        return Err("model missing".into());
    }
    if text("response_format").as_deref() != Some("json") {
        return Err("response_format must be json".into());
    }
    if text("language").as_deref() != Some("he") {
        return Err("language hint missing".into());
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split<'a>(mut body: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    while let Some(at) = find(body, delimiter) {
        parts.push(&body[..at]);
        body = &body[at + delimiter.len()..];
    }
    parts
}

/// Verifies a Standard Webhooks signature with Python's standard library, independently of
/// Frontdesk's signer: `Ok` when `webhook-signature` matches `secret` over id.timestamp.body.
pub fn verify_with_python(secret: &str, request: &Recorded) -> Result<(), String> {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    let body_path = dir.path().join("body");
    std::fs::write(&body_path, &request.body).unwrap();
    let script = r#"
import base64, hashlib, hmac, sys, time
secret, msg_id, timestamp, signatures, body_path = sys.argv[1:6]
body = open(body_path, "rb").read()
key = base64.b64decode(secret.removeprefix("whsec_"))
if abs(time.time() - int(timestamp)) > 300:
    sys.exit("timestamp outside the tolerance")
expected = base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
for candidate in signatures.split(" "):
    version, _, signature = candidate.partition(",")
    if version == "v1" and hmac.compare_digest(signature, expected):
        sys.exit(0)
sys.exit("no matching v1 signature")
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(secret)
        .arg(header("webhook-id"))
        .arg(header("webhook-timestamp"))
        .arg(header("webhook-signature"))
        .arg(&body_path)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    }
}
