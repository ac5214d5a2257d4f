//! A local stand-in for Twilio's REST API: the account's incoming phone numbers.
//!
//! It serves, on `127.0.0.1` and an ephemeral port:
//!
//! - `GET  /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json[?PhoneNumber=…]` — the
//!   numbers it holds, filtered like Twilio (a partial number matches every number containing
//!   it), in Twilio's list envelope;
//! - `POST /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json` — an update with
//!   any of [`UPDATE_FIELDS`]; answers the number as updated;
//! - `POST /2010-04-01/Accounts/{AccountSid}/Calls.json` — an outbound call from one of its
//!   numbers, checked as in [`super::twilio_calls`]; every request is kept ([`TwilioApi::calls`]).
//!
//! and checks what Twilio checks: HTTP Basic auth with the account SID and auth token given to
//! [`TwilioApi::start`] (401, code 20003 otherwise), the account SID in the path (404), known
//! form fields, POST as every method and absolute http(s) URLs (400). Errors use Twilio's JSON
//! shape `{"code", "message", "more_info", "status"}`.
//!
//! Every update request is recorded, accepted or not ([`TwilioApi::updates`]), so a test can
//! show that nothing was written. [`TwilioApi::fail_next`] makes the next request fail.
//!
//! ```ignore
//! let twilio = TwilioApi::start("AC123", "token").await;
//! let sid = twilio.add_number("+972501234567", Some("https://old.example/voice"), None, None);
//! // … point the code under test at twilio.base_url() …
//! assert_eq!(twilio.number("+972501234567").unwrap().voice_method, "POST");
//! assert!(twilio.updates().is_empty());
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{json, Value};

pub use super::twilio_calls::{PlacedCall, CALL_FIELDS};

/// The form fields an update may carry (the ones Frontdesk sets).
pub const UPDATE_FIELDS: &[&str] = &[
    "VoiceUrl",
    "VoiceMethod",
    "StatusCallback",
    "StatusCallbackMethod",
    "SmsUrl",
    "SmsMethod",
];

/// One incoming number as the stand-in holds it. A new number's methods are POST, as on
/// Twilio; an unset URL is `None` (answered as JSON `null`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number {
    /// `PN` and 32 hex digits.
    pub sid: String,
    /// E.164.
    pub phone_number: String,
    pub voice_url: Option<String>,
    pub voice_method: String,
    pub status_callback: Option<String>,
    pub status_callback_method: String,
    pub sms_url: Option<String>,
    pub sms_method: String,
}

/// An update request as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    /// The number's SID from the path.
    pub sid: String,
    /// The form fields, in order.
    pub fields: Vec<(String, String)>,
    /// The HTTP status the stand-in answered (200 when applied).
    pub status: u16,
}

impl Update {
    /// The first value of form field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A running stand-in. Clones share the same server and state.
#[derive(Clone)]
pub struct TwilioApi {
    inner: Arc<Inner>,
    base_url: String,
}

struct Inner {
    account_sid: String,
    /// The whole `Authorization` header Twilio would accept.
    authorization: String,
    numbers: Mutex<Vec<Number>>,
    updates: Mutex<Vec<Update>>,
    calls: Mutex<Vec<PlacedCall>>,
    failures: Mutex<VecDeque<(u16, u32, String)>>,
    requests: Mutex<usize>,
}

impl TwilioApi {
    /// Starts the stand-in on the current tokio runtime for one account and its auth token.
    pub async fn start(account_sid: &str, auth_token: &str) -> Self {
        let credentials =
            base64::engine::general_purpose::STANDARD.encode(format!("{account_sid}:{auth_token}"));
        let inner = Arc::new(Inner {
            account_sid: account_sid.to_string(),
            authorization: format!("Basic {credentials}"),
            numbers: Mutex::new(Vec::new()),
            updates: Mutex::new(Vec::new()),
            calls: Mutex::new(Vec::new()),
            failures: Mutex::new(VecDeque::new()),
            requests: Mutex::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { inner, base_url }
    }

    /// `http://127.0.0.1:{port}`: what `TWILIO_API_BASE_URL` would hold.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The account SID the stand-in accepts.
    pub fn account_sid(&self) -> &str {
        &self.inner.account_sid
    }

    /// Gives the account a number with these webhook URLs (methods POST). Returns its SID.
    pub fn add_number(
        &self,
        phone_number: &str,
        voice_url: Option<&str>,
        status_callback: Option<&str>,
        sms_url: Option<&str>,
    ) -> String {
        let mut numbers = self.inner.numbers.lock().unwrap();
        let sid = format!("PN{:032x}", numbers.len() + 1);
        numbers.push(Number {
            sid: sid.clone(),
            phone_number: phone_number.to_string(),
            voice_url: voice_url.map(str::to_string),
            voice_method: "POST".into(),
            status_callback: status_callback.map(str::to_string),
            status_callback_method: "POST".into(),
            sms_url: sms_url.map(str::to_string),
            sms_method: "POST".into(),
        });
        sid
    }

    /// Changes a held number directly (e.g. a GET method set in the console). Panics when the
    /// account does not hold `phone_number`.
    pub fn edit_number(&self, phone_number: &str, edit: impl FnOnce(&mut Number)) {
        let mut numbers = self.inner.numbers.lock().unwrap();
        let number = numbers
            .iter_mut()
            .find(|n| n.phone_number == phone_number)
            .unwrap_or_else(|| panic!("the stand-in holds no {phone_number}"));
        edit(number);
    }

    /// The number as the stand-in now holds it.
    pub fn number(&self, phone_number: &str) -> Option<Number> {
        self.inner
            .numbers
            .lock()
            .unwrap()
            .iter()
            .find(|n| n.phone_number == phone_number)
            .cloned()
    }

    /// Every update request received, in order, whether applied or refused.
    pub fn updates(&self) -> Vec<Update> {
        self.inner.updates.lock().unwrap().clone()
    }

    /// Every call request received, in order, whether created or refused.
    pub fn calls(&self) -> Vec<PlacedCall> {
        self.inner.calls.lock().unwrap().clone()
    }

    /// The calls created (answered 201), in order.
    pub fn created_calls(&self) -> Vec<PlacedCall> {
        self.calls()
            .into_iter()
            .filter(|c| c.status == 201)
            .collect()
    }

    /// How many requests of any kind arrived.
    pub fn request_count(&self) -> usize {
        *self.inner.requests.lock().unwrap()
    }

    /// The next request (whatever it is) answers this Twilio error instead, e.g.
    /// `fail_next(500, 20500, "Internal Server Error")`. Calls queue up.
    pub fn fail_next(&self, status: u16, code: u32, message: &str) {
        self.inner
            .failures
            .lock()
            .unwrap()
            .push_back((status, code, message.to_string()));
    }
}

/// Twilio's error body.
fn error(status: u16, code: u32, message: &str) -> (u16, Value) {
    (
        status,
        json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status,
        }),
    )
}

fn not_found(path: &str) -> (u16, Value) {
    error(
        404,
        20404,
        &format!("The requested resource {path} was not found"),
    )
}

fn number_json(account_sid: &str, number: &Number) -> Value {
    json!({
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "friendly_name": number.phone_number,
        "phone_number": number.phone_number,
        "sid": number.sid,
        "sms_application_sid": "",
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": number.sms_method,
        "sms_url": number.sms_url,
        "status_callback": number.status_callback,
        "status_callback_method": number.status_callback_method,
        "voice_application_sid": null,
        "voice_caller_id_lookup": false,
        "voice_fallback_method": "POST",
        "voice_fallback_url": null,
        "voice_method": number.voice_method,
        "voice_url": number.voice_url,
        "capabilities": { "voice": true, "sms": true, "mms": false, "fax": false },
        "status": "in-use",
        "uri": format!("/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers/{}.json", number.sid),
    })
}

/// What a request's path names.
enum Target {
    /// `/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json`
    List {
        account: String,
    },
    /// `/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{sid}.json`
    Number {
        account: String,
        sid: String,
    },
    /// `/2010-04-01/Accounts/{account}/Calls.json`
    Calls {
        account: String,
    },
    Other,
}

fn target(path: &str) -> Target {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["2010-04-01", "Accounts", account, "IncomingPhoneNumbers.json"] => Target::List {
            account: account.to_string(),
        },
        ["2010-04-01", "Accounts", account, "Calls.json"] => Target::Calls {
            account: account.to_string(),
        },
        ["2010-04-01", "Accounts", account, "IncomingPhoneNumbers", file] => {
            match file.strip_suffix(".json").filter(|sid| !sid.is_empty()) {
                Some(sid) => Target::Number {
                    account: account.to_string(),
                    sid: sid.to_string(),
                },
                None => Target::Other,
            }
        }
        _ => Target::Other,
    }
}

async fn handle(State(inner): State<Arc<Inner>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .unwrap_or_default();
    *inner.requests.lock().unwrap() += 1;
    let path = parts.uri.path();
    let target = target(path);
    let fields = frontdesk::http::form::parse(&body)
        .map(|form| form.pairs().to_vec())
        .unwrap_or_default();

    let injected = inner.failures.lock().unwrap().pop_front();
    let (status, answer) = match injected {
        Some((status, code, message)) => error(status, code, &message),
        None => answer(
            &inner,
            &parts.method,
            &parts.headers,
            path,
            parts.uri.query(),
            &target,
            &fields,
        ),
    };
    if let (Target::Calls { .. }, &Method::POST) = (&target, &parts.method) {
        inner.calls.lock().unwrap().push(PlacedCall {
            sid: (status == 201)
                .then(|| answer["sid"].as_str().map(str::to_string))
                .flatten(),
            fields: fields.clone(),
            status,
        });
    }
    if let (Target::Number { sid, .. }, &Method::POST) = (&target, &parts.method) {
        inner.updates.lock().unwrap().push(Update {
            sid: sid.clone(),
            fields,
            status,
        });
    }
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/json")],
        answer.to_string(),
    )
        .into_response()
}

fn answer(
    inner: &Inner,
    method: &Method,
    headers: &HeaderMap,
    path: &str,
    query: Option<&str>,
    target: &Target,
    fields: &[(String, String)],
) -> (u16, Value) {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if authorization != Some(inner.authorization.as_str()) {
        return error(401, 20003, "Authenticate");
    }
    match (target, method) {
        (Target::List { account }, &Method::GET) if *account == inner.account_sid => {
            list(inner, path, query)
        }
        (Target::Number { account, sid }, &Method::POST) if *account == inner.account_sid => {
            update(inner, path, sid, fields)
        }
        (Target::Calls { account }, &Method::POST) if *account == inner.account_sid => {
            let numbers: Vec<String> = inner
                .numbers
                .lock()
                .unwrap()
                .iter()
                .map(|n| n.phone_number.clone())
                .collect();
            super::twilio_calls::create(&inner.account_sid, &numbers, fields)
        }
        // Another account's resources, a known path with the wrong method, or anything else:
        // Twilio answers 404 for all of them.
        _ => not_found(path),
    }
}

fn list(inner: &Inner, path: &str, query: Option<&str>) -> (u16, Value) {
    let filter = query
        .and_then(|q| frontdesk::http::form::parse(q.as_bytes()).ok())
        .and_then(|q| q.get("PhoneNumber").map(str::to_string));
    let numbers: Vec<Value> = inner
        .numbers
        .lock()
        .unwrap()
        .iter()
        .filter(|n| filter.as_deref().is_none_or(|f| n.phone_number.contains(f)))
        .map(|n| number_json(&inner.account_sid, n))
        .collect();
    let page_uri = format!("{path}?PageSize=50&Page=0");
    (
        200,
        json!({
            "end": numbers.len().saturating_sub(1),
            "first_page_uri": page_uri,
            "incoming_phone_numbers": numbers,
            "next_page_uri": null,
            "page": 0,
            "page_size": 50,
            "previous_page_uri": null,
            "start": 0,
            "uri": page_uri,
        }),
    )
}

fn update(inner: &Inner, path: &str, sid: &str, fields: &[(String, String)]) -> (u16, Value) {
    for (name, value) in fields {
        if !UPDATE_FIELDS.contains(&name.as_str()) {
            return error(400, 20001, &format!("Unknown parameter {name}"));
        }
        if name.ends_with("Method") && value != "POST" {
            return error(
                400,
                21403,
                &format!("{name} must be POST here, not `{value}`"),
            );
        }
        let is_url = name.ends_with("Url") || name == "StatusCallback";
        if is_url && !(value.starts_with("https://") || value.starts_with("http://")) {
            return error(400, 21502, &format!("{name} is not a valid URL: {value}"));
        }
    }
    let mut numbers = inner.numbers.lock().unwrap();
    let Some(number) = numbers.iter_mut().find(|n| n.sid == sid) else {
        return not_found(path);
    };
    for (name, value) in fields {
        match name.as_str() {
            "VoiceUrl" => number.voice_url = Some(value.clone()),
            "VoiceMethod" => number.voice_method = value.clone(),
            "StatusCallback" => number.status_callback = Some(value.clone()),
            "StatusCallbackMethod" => number.status_callback_method = value.clone(),
            "SmsUrl" => number.sms_url = Some(value.clone()),
            "SmsMethod" => number.sms_method = value.clone(),
            _ => unreachable!("fields were checked above"),
        }
    }
    (200, number_json(&inner.account_sid, number))
}
