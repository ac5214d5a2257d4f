//! Twilio's Calls API: `POST {TWILIO_API_BASE_URL}/2010-04-01/Accounts/{AccountSid}/Calls.json`,
//! HTTP Basic auth with the account SID and auth token, form-encoded parameters as Twilio's
//! helper libraries send them (a list parameter such as `StatusCallbackEvent` repeats its key).
//! A 429 or 5xx answer, or a connection that could not be opened, is retried with backoff a
//! bounded number of times; any other refusal is final. Twilio's answer is `{"sid", "status",
//! …}`; its errors are `{"code", "message", "more_info", "status"}`.

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use tracing::warn;

use crate::config::Secret;
use crate::domain::{CallSid, CallStatus};
use crate::http::FormParams;

/// Connect and whole-request limits for one attempt: an API caller is waiting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The call-progress events a placed call reports, every one.
pub const STATUS_CALLBACK_EVENTS: [&str; 4] = ["initiated", "ringing", "answered", "completed"];
/// The recording events reported: the file is ready, or nothing was recorded.
pub const RECORDING_STATUS_CALLBACK_EVENTS: [&str; 2] = ["completed", "absent"];
/// `MachineDetection` that lets the message start after an answering machine's beep.
pub const DETECT_MESSAGE_END: &str = "DetectMessageEnd";

fn http_client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        crate::tls::https_client_builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("the TLS backend initialises")
    })
}

/// The account a call is placed through.
#[derive(Clone, Debug)]
pub struct Account {
    pub base_url: String,
    pub sid: String,
    pub auth_token: Secret,
}

/// One call to create. Every URL is absolute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCall {
    pub to: String,
    pub from: String,
    /// Where Twilio asks what the callee hears (POST).
    pub url: String,
    /// Where every call-progress event goes (POST).
    pub status_callback: String,
    /// Seconds to let the phone ring.
    pub timeout: u32,
    /// `Some(url)`: record the call and report the recording there (POST).
    pub recording_status_callback: Option<String>,
    /// `MachineDetection`, when the call needs answering-machine detection.
    pub machine_detection: Option<&'static str>,
}

impl NewCall {
    /// The form parameters, in the order Twilio documents them.
    pub fn form(&self) -> FormParams {
        let mut pairs: Vec<(String, String)> = vec![
            ("To".into(), self.to.clone()),
            ("From".into(), self.from.clone()),
            ("Url".into(), self.url.clone()),
            ("Method".into(), "POST".into()),
            ("StatusCallback".into(), self.status_callback.clone()),
            ("StatusCallbackMethod".into(), "POST".into()),
        ];
        pairs.extend(
            STATUS_CALLBACK_EVENTS
                .iter()
                .map(|e| ("StatusCallbackEvent".to_string(), e.to_string())),
        );
        pairs.push(("Timeout".into(), self.timeout.to_string()));
        if let Some(callback) = &self.recording_status_callback {
            pairs.push(("Record".into(), "true".into()));
            pairs.push(("RecordingStatusCallback".into(), callback.clone()));
            pairs.push(("RecordingStatusCallbackMethod".into(), "POST".into()));
            pairs.extend(
                RECORDING_STATUS_CALLBACK_EVENTS
                    .iter()
                    .map(|e| ("RecordingStatusCallbackEvent".to_string(), e.to_string())),
            );
        }
        if let Some(detection) = self.machine_detection {
            pairs.push(("MachineDetection".into(), detection.into()));
        }
        FormParams::from_pairs(pairs)
    }
}

/// Twilio took the call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    pub sid: CallSid,
    pub status: CallStatus,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallsApiError {
    /// Twilio refused the call for good (a 4xx other than 429): no call was placed.
    #[error("Twilio refused the call (HTTP {status}{}): {message}", code.as_deref().map(|c| format!(", code {c}")).unwrap_or_default())]
    Refused {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// Twilio kept answering 429 or 5xx, or could not be reached: no call was placed.
    #[error("Twilio is unavailable: {reason}")]
    Unavailable { status: Option<u16>, reason: String },
    /// The request went out and no answer came back: the call may or may not exist.
    #[error("Twilio did not answer: {reason}")]
    Unknown { reason: String },
}

/// How often and how patiently a 429 or 5xx is retried.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    pub attempts: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
}

/// Three attempts, 250 ms then 500 ms apart (or Twilio's `Retry-After`, up to 1.5 s): the API
/// answers within a few seconds.
pub const RETRY: Retry = Retry {
    attempts: 3,
    first_backoff: Duration::from_millis(250),
    max_backoff: Duration::from_millis(1500),
};

/// One attempt's outcome.
enum Attempt {
    Done(Result<Created, CallsApiError>),
    Again {
        error: CallsApiError,
        after: Option<Duration>,
    },
}

/// Creates the call, retrying 429, 5xx and connection failures as `retry` allows.
pub async fn create(
    account: &Account,
    call: &NewCall,
    retry: Retry,
) -> Result<Created, CallsApiError> {
    let mut backoff = retry.first_backoff;
    let mut attempt = 1;
    loop {
        match attempt_once(account, call).await {
            Attempt::Done(result) => return result,
            Attempt::Again { error, after } => {
                if attempt >= retry.attempts {
                    return Err(error);
                }
                let wait = after.unwrap_or(backoff).min(retry.max_backoff);
                warn!(attempt, error = %error, wait_ms = wait.as_millis() as u64, "Calls API retried");
                tokio::time::sleep(wait).await;
                backoff = (backoff * 2).min(retry.max_backoff);
                attempt += 1;
            }
        }
    }
}

async fn attempt_once(account: &Account, call: &NewCall) -> Attempt {
    let url = format!(
        "{}/2010-04-01/Accounts/{}/Calls.json",
        account.base_url, account.sid
    );
    let sent = http_client()
        .post(url)
        .basic_auth(&account.sid, Some(account.auth_token.expose()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(call.form().encode())
        .send()
        .await;
    let response = match sent {
        Ok(response) => response,
        // Without the URL: it carries the account SID.
        Err(e) if e.is_connect() => {
            return Attempt::Again {
                error: CallsApiError::Unavailable {
                    status: None,
                    reason: e.without_url().to_string(),
                },
                after: None,
            }
        }
        Err(e) => {
            return Attempt::Done(Err(CallsApiError::Unknown {
                reason: e.without_url().to_string(),
            }))
        }
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body: Value = match response.json().await {
        Ok(body) => body,
        Err(e) if (200..300).contains(&status) => {
            return Attempt::Done(Err(CallsApiError::Unknown {
                reason: format!("an answer that is not JSON: {}", e.without_url()),
            }))
        }
        Err(_) => Value::Null,
    };
    if (200..300).contains(&status) {
        return Attempt::Done(created(&body));
    }
    let code = body.get("code").map(|c| match c {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let message = body["message"].as_str().unwrap_or("no message").to_string();
    if status == 429 || status >= 500 {
        let reason = format!(
            "HTTP {status}{}: {message}",
            code.as_deref()
                .map(|c| format!(", code {c}"))
                .unwrap_or_default()
        );
        return Attempt::Again {
            error: CallsApiError::Unavailable {
                status: Some(status),
                reason,
            },
            after: retry_after,
        };
    }
    Attempt::Done(Err(CallsApiError::Refused {
        status,
        code,
        message,
    }))
}

fn created(body: &Value) -> Result<Created, CallsApiError> {
    let sid = CallSid::parse(body["sid"].as_str().unwrap_or_default()).map_err(|e| {
        CallsApiError::Unknown {
            reason: format!("an answer without a valid sid: {e}"),
        }
    })?;
    let status = body["status"]
        .as_str()
        .and_then(CallStatus::parse)
        .unwrap_or(CallStatus::Queued);
    Ok(Created { sid, status })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_carries_every_callback_and_repeats_list_parameters() {
        let call = NewCall {
            to: "+972501234567".into(),
            from: "+15550001111".into(),
            url: "https://fd.example/webhook/outbound_call?placement=ab".into(),
            status_callback: "https://fd.example/webhook/call_status".into(),
            timeout: 30,
            recording_status_callback: Some("https://fd.example/webhook/recording_status".into()),
            machine_detection: Some(DETECT_MESSAGE_END),
        };
        let form = call.form();
        let names: Vec<&str> = form.pairs().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "To",
                "From",
                "Url",
                "Method",
                "StatusCallback",
                "StatusCallbackMethod",
                "StatusCallbackEvent",
                "StatusCallbackEvent",
                "StatusCallbackEvent",
                "StatusCallbackEvent",
                "Timeout",
                "Record",
                "RecordingStatusCallback",
                "RecordingStatusCallbackMethod",
                "RecordingStatusCallbackEvent",
                "RecordingStatusCallbackEvent",
                "MachineDetection",
            ]
        );
        assert!(form
            .encode()
            .contains("StatusCallbackEvent=initiated&StatusCallbackEvent=ringing&StatusCallbackEvent=answered&StatusCallbackEvent=completed"));
        let plain = NewCall {
            recording_status_callback: None,
            machine_detection: None,
            ..call
        };
        let encoded = plain.form().encode();
        assert!(!encoded.contains("Record"), "{encoded}");
        assert!(!encoded.contains("MachineDetection"), "{encoded}");
    }

    #[test]
    fn an_answer_without_a_sid_is_not_taken_for_a_call() {
        assert!(matches!(
            created(&serde_json::json!({"status": "queued"})),
            Err(CallsApiError::Unknown { .. })
        ));
        let ok = created(
            &serde_json::json!({"sid": "CA0123456789abcdef0123456789abcdef", "status": "queued"}),
        )
        .unwrap();
        assert_eq!(ok.status, CallStatus::Queued);
    }
}
