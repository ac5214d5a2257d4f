//! Google, as far as a business's calendar goes: the OAuth token endpoint and the Calendar
//! API's `freeBusy`, `calendars.get` and `events` (insert, patch, delete), on one local server.
//!
//! The token endpoint checks what Google checks: the grant type, the JWT's RS256 signature
//! (with the test key's public half, `fixtures/google/test-service-account.pub.der`, never
//! with Frontdesk's signer), its issuer, audience, scope and times. The Calendar API takes only
//! the tokens it issued, sees only the calendars shared with the service account, keeps events
//! by id (a second insert of an id is 409, even after a delete, as Google's is) and records
//! every call. A script of answers (500s, stalls) goes in front of the Calendar API's own.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use jiff::Timestamp;
use serde_json::{json, Value};

/// The service account the test key belongs to.
pub const CLIENT_EMAIL: &str = "frontdesk-test@frontdesk-test.iam.gserviceaccount.com";
/// The scope Frontdesk must ask for.
pub const SCOPE: &str = "https://www.googleapis.com/auth/calendar";

const KEY_PEM: &str = include_str!("../../fixtures/google/test-service-account.pem");
const PUBLIC_DER: &[u8] = include_bytes!("../../fixtures/google/test-service-account.pub.der");
const OTHER_KEY_PEM: &str = include_str!("../../fixtures/google/other-key.pem");

/// One Calendar API call as received.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    /// Decoded, from `/calendar/v3` on: `/freeBusy`, `/calendars/{id}/events/{event}`.
    pub path: String,
    pub body: Value,
}

/// What the next Calendar API call gets instead of its answer.
#[derive(Clone, Copy, Debug)]
pub enum Scripted {
    Status(u16),
    /// Waits this long, then answers as usual.
    Stall(Duration),
}

/// An event as the stand-in keeps it.
#[derive(Clone, Debug)]
pub struct StoredEvent {
    pub body: Value,
    pub deleted: bool,
}

#[derive(Default)]
struct Inner {
    base_url: String,
    shared: BTreeSet<String>,
    busy: BTreeMap<String, Vec<(Timestamp, Timestamp)>>,
    events: BTreeMap<(String, String), StoredEvent>,
    tokens: Vec<String>,
    token_requests: usize,
    refused_tokens: Vec<String>,
    calls: Vec<Call>,
    script: VecDeque<Scripted>,
}

#[derive(Clone)]
pub struct GoogleStandIn {
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
}

impl GoogleStandIn {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let inner = Arc::new(Mutex::new(Inner {
            base_url: base_url.clone(),
            ..Inner::default()
        }));
        let router = axum::Router::new()
            .route("/token", axum::routing::post(token))
            .fallback(calendar)
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { base_url, inner }
    }

    pub fn token_url(&self) -> String {
        format!("{}/token", self.base_url)
    }

    pub fn calendar_base_url(&self) -> String {
        format!("{}/calendar/v3", self.base_url)
    }

    /// A key file for the test service account, exchanged at this stand-in.
    pub fn key_json(&self) -> String {
        key_json(KEY_PEM, &self.token_url())
    }

    /// A well-formed key this "Google" does not know: its JWTs are refused.
    pub fn unknown_key_json(&self) -> String {
        key_json(OTHER_KEY_PEM, &self.token_url())
    }

    /// Shares `calendar_id` with the service account ("make changes to events").
    pub fn share(&self, calendar_id: &str) {
        self.inner.lock().unwrap().shared.insert(calendar_id.into());
    }

    /// The owner's own commitment on `calendar_id`: busy in `freeBusy`.
    pub fn busy(&self, calendar_id: &str, start: Timestamp, end: Timestamp) {
        self.inner
            .lock()
            .unwrap()
            .busy
            .entry(calendar_id.into())
            .or_default()
            .push((start, end));
    }

    /// Answers for the next Calendar API calls, in order, before the usual ones.
    pub fn script(&self, answers: &[Scripted]) {
        self.inner.lock().unwrap().script.extend(answers);
    }

    /// Every event of `calendar_id` by id, deleted ones included.
    pub fn events(&self, calendar_id: &str) -> BTreeMap<String, StoredEvent> {
        self.inner
            .lock()
            .unwrap()
            .events
            .iter()
            .filter(|((calendar, _), _)| calendar == calendar_id)
            .map(|((_, id), event)| (id.clone(), event.clone()))
            .collect()
    }

    /// Every Calendar API call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.inner.lock().unwrap().calls.clone()
    }

    /// The calls of one method whose path ends with `suffix`.
    pub fn calls_of(&self, method: &str, suffix: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method && c.path.ends_with(suffix))
            .collect()
    }

    /// How many token requests arrived, and why each refused one was refused.
    pub fn token_requests(&self) -> (usize, Vec<String>) {
        let inner = self.inner.lock().unwrap();
        (inner.token_requests, inner.refused_tokens.clone())
    }
}

fn key_json(pem: &str, token_uri: &str) -> String {
    json!({
        "type": "service_account",
        "project_id": "frontdesk-test",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": CLIENT_EMAIL,
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    })
    .to_string()
}

fn google_error(status: u16, reason: &str, message: &str) -> Response {
    let body = json!({"error": {"code": status, "message": message,
        "errors": [{"domain": "global", "reason": reason, "message": message}]}});
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn ok_json(body: Value) -> Response {
    ([("content-type", "application/json")], body.to_string()).into_response()
}

async fn token(State(inner): State<Arc<Mutex<Inner>>>, body: axum::body::Bytes) -> Response {
    let form: BTreeMap<String, String> = frontdesk::http::form::parse(&body)
        .map(|form| form.pairs().iter().cloned().collect())
        .unwrap_or_default();
    let audience = format!("{}/token", inner.lock().unwrap().base_url);
    let verdict = check_assertion(&form, &audience);
    let mut inner = inner.lock().unwrap();
    inner.token_requests += 1;
    match verdict {
        Ok(()) => {
            let token = format!("ya29.test-{}", inner.tokens.len() + 1);
            inner.tokens.push(token.clone());
            ok_json(json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer"}))
        }
        Err(reason) => {
            inner.refused_tokens.push(reason.clone());
            (
                StatusCode::BAD_REQUEST,
                [("content-type", "application/json")],
                json!({"error": "invalid_grant", "error_description": reason}).to_string(),
            )
                .into_response()
        }
    }
}

/// Google's checks of a JWT-bearer grant.
fn check_assertion(form: &BTreeMap<String, String>, audience: &str) -> Result<(), String> {
    if form.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return Err("unsupported grant_type".into());
    }
    let jwt = form.get("assertion").ok_or("no assertion")?;
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err("the assertion is not a JWT".into());
    };
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let decode = |part: &str| -> Result<Value, String> {
        let bytes = b64.decode(part).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    };
    let header = decode(header)?;
    if header["alg"] != "RS256" || header["typ"] != "JWT" {
        return Err(format!("header {header}"));
    }
    let signature = b64.decode(signature).map_err(|e| e.to_string())?;
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        PUBLIC_DER,
    )
    .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
    .map_err(|_| "Invalid JWT Signature.".to_string())?;
    let claims = decode(claims)?;
    let now = Timestamp::now().as_second();
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap_or(0),
        claims["exp"].as_i64().unwrap_or(0),
    );
    let problems = [
        (
            claims["iss"] != CLIENT_EMAIL,
            "iss is not the service account",
        ),
        (claims["aud"] != audience, "aud is not the token endpoint"),
        (
            !claims["scope"]
                .as_str()
                .is_some_and(|s| s.split(' ').any(|s| s == SCOPE)),
            "scope lacks calendar",
        ),
        ((iat - now).abs() > 300, "iat is not now"),
        (exp <= now || exp - iat > 3600, "exp is not within an hour"),
    ];
    match problems.iter().find(|(bad, _)| *bad) {
        Some((_, why)) => Err(format!("Invalid JWT: {why}")),
        None => Ok(()),
    }
}

async fn calendar(
    State(inner): State<Arc<Mutex<Inner>>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let method = parts.method.to_string();
    let raw = parts.uri.path().to_string();
    let Some(rest) = raw.strip_prefix("/calendar/v3") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let segments: Vec<String> = rest.split('/').skip(1).map(percent_decode).collect();
    let path = format!("/{}", segments.join("/"));
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let scripted = {
        let mut inner = inner.lock().unwrap();
        inner.calls.push(Call {
            method: method.clone(),
            path: path.clone(),
            body: json.clone(),
        });
        inner.script.pop_front()
    };
    match scripted {
        Some(Scripted::Status(status)) => {
            return google_error(status, "backendError", "scripted failure")
        }
        Some(Scripted::Stall(wait)) => tokio::time::sleep(wait).await,
        None => {}
    }
    let bearer = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let mut inner = inner.lock().unwrap();
    if !inner.tokens.contains(&bearer) {
        return google_error(401, "authError", "Invalid Credentials");
    }
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (method.as_str(), &segments[..]) {
        ("POST", ["freeBusy"]) => free_busy(&inner, &json),
        ("GET", ["calendars", id]) => {
            if inner.shared.contains(*id) {
                ok_json(
                    json!({"kind": "calendar#calendar", "id": id, "summary": "Clinic",
                               "timeZone": "Asia/Jerusalem"}),
                )
            } else {
                google_error(404, "notFound", "Not Found")
            }
        }
        (_, ["calendars", id, "events", ..]) if !inner.shared.contains(*id) => {
            google_error(404, "notFound", "Not Found")
        }
        ("POST", ["calendars", id, "events"]) => insert(&mut inner, id, json),
        ("PATCH", ["calendars", id, "events", event]) => {
            match inner.events.get_mut(&(id.to_string(), event.to_string())) {
                Some(stored) if !stored.deleted => {
                    for (field, value) in json.as_object().into_iter().flatten() {
                        stored.body[field] = value.clone();
                    }
                    ok_json(stored.body.clone())
                }
                _ => google_error(404, "notFound", "Not Found"),
            }
        }
        ("DELETE", ["calendars", id, "events", event]) => {
            match inner.events.get_mut(&(id.to_string(), event.to_string())) {
                Some(stored) if stored.deleted => {
                    google_error(410, "deleted", "Resource has been deleted")
                }
                Some(stored) => {
                    stored.deleted = true;
                    StatusCode::NO_CONTENT.into_response()
                }
                None => google_error(404, "notFound", "Not Found"),
            }
        }
        _ => google_error(404, "notFound", "no such method"),
    }
}

fn free_busy(inner: &Inner, request: &Value) -> Response {
    let read = |field: &str| {
        request[field]
            .as_str()
            .and_then(|t| t.parse::<Timestamp>().ok())
    };
    let (Some(from), Some(to)) = (read("timeMin"), read("timeMax")) else {
        return google_error(400, "invalid", "timeMin and timeMax are required");
    };
    if from >= to {
        return google_error(400, "timeRangeEmpty", "The specified time range is empty.");
    }
    let mut calendars = serde_json::Map::new();
    for item in request["items"].as_array().into_iter().flatten() {
        let id = item["id"].as_str().unwrap_or_default();
        let entry = if inner.shared.contains(id) {
            let busy: Vec<Value> = inner
                .busy
                .get(id)
                .into_iter()
                .flatten()
                .filter(|(start, end)| *start < to && from < *end)
                .map(|(start, end)| json!({"start": start.to_string(), "end": end.to_string()}))
                .collect();
            json!({ "busy": busy })
        } else {
            json!({"errors": [{"domain": "global", "reason": "notFound"}], "busy": []})
        };
        calendars.insert(id.to_string(), entry);
    }
    ok_json(
        json!({"kind": "calendar#freeBusy", "timeMin": from.to_string(),
                   "timeMax": to.to_string(), "calendars": calendars}),
    )
}

fn insert(inner: &mut Inner, calendar_id: &str, event: Value) -> Response {
    let id = event["id"].as_str().unwrap_or_default().to_string();
    let base32hex = id
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b));
    if !(5..=1024).contains(&id.len()) || !base32hex {
        return google_error(400, "invalid", "Invalid resource id value.");
    }
    let times_ok = ["start", "end"].iter().all(|field| {
        event[field]["dateTime"]
            .as_str()
            .is_some_and(|t| t.parse::<Timestamp>().is_ok())
    });
    if !times_ok {
        return google_error(400, "required", "Missing start or end time.");
    }
    let key = (calendar_id.to_string(), id);
    if inner.events.contains_key(&key) {
        return google_error(409, "duplicate", "The requested identifier already exists.");
    }
    inner.events.insert(
        key,
        StoredEvent {
            body: event.clone(),
            deleted: false,
        },
    );
    ok_json(event)
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
