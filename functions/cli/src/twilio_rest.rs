//! Twilio's REST API for the account's incoming phone numbers: find a number and point its
//! voice, call-status and messaging webhooks at a Frontdesk stack.
//!
//! `GET  {base}/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json?PhoneNumber=…`
//! `POST {base}/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json`
//!
//! Both with HTTP Basic auth `AccountSid:AuthToken`. The base URL comes from configuration
//! (`TWILIO_API_BASE_URL`), so tests point the client at a local stand-in.

use frontdesk::config::{PublicBaseUrl, Secret, TwilioSettings};
use frontdesk::domain::PhoneNumber;
use frontdesk::http::FormParams;
use frontdesk::Route;
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Twilio's REST API, as one account.
#[derive(Clone, Debug)]
pub struct TwilioRest {
    client: reqwest::Client,
    api_base: String,
    account_sid: String,
    /// Only ever handed to reqwest's Basic auth, which marks the header sensitive.
    auth_token: Secret,
}

impl TwilioRest {
    /// A client for `account_sid` at `api_base`, e.g. `https://api.twilio.com` (see
    /// `frontdesk::config::providers::DEFAULT_TWILIO_API_BASE_URL`).
    pub fn new(api_base: &str, account_sid: &str, auth_token: Secret) -> Self {
        Self {
            // The providers' shared client: rustls on ring, 3 s to connect, 10 s per request.
            client: frontdesk::whatsapp::send::http_client().clone(),
            api_base: api_base.trim().trim_end_matches('/').to_string(),
            account_sid: account_sid.trim().to_string(),
            auth_token,
        }
    }

    /// From the account's settings (`TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`,
    /// `TWILIO_API_BASE_URL`); `None` when either credential is unset or empty.
    pub fn from_settings(twilio: &TwilioSettings) -> Option<Self> {
        let (account_sid, auth_token) = twilio.credentials()?;
        Some(Self::new(
            &twilio.api_base_url,
            account_sid,
            auth_token.clone(),
        ))
    }

    /// The account this client acts as (not secret; shown in reports).
    pub fn account_sid(&self) -> &str {
        &self.account_sid
    }

    /// The account's settings as the core's senders take them: its credentials, its REST
    /// base, and the calls per second it may start.
    pub fn settings(&self, calls_per_second: u32) -> TwilioSettings {
        TwilioSettings {
            auth_token: Some(self.auth_token.clone()),
            auth_token_previous: None,
            account_sid: Some(self.account_sid.clone()),
            api_base_url: self.api_base.clone(),
            lookup_base_url: frontdesk::config::providers::DEFAULT_TWILIO_LOOKUP_BASE_URL.into(),
            calls_per_second,
        }
    }

    /// The API base URL requests go to.
    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    /// The account's incoming number `number`, or `None` when the account does not hold it.
    pub async fn find_number(
        &self,
        number: &PhoneNumber,
    ) -> Result<Option<IncomingNumber>, TwilioRestError> {
        let mut url = self.url(&["IncomingPhoneNumbers.json"])?;
        let query = FormParams::from_pairs(vec![("PhoneNumber".into(), number.to_string())]);
        url.set_query(Some(&query.encode()));
        let list: IncomingNumberList = self
            .request(Method::GET, url, None, || {
                format!("phone number list for account {}", self.account_sid)
            })
            .await?;
        // Twilio's PhoneNumber filter matches partial numbers too; only the exact one counts.
        Ok(list
            .incoming_phone_numbers
            .into_iter()
            .find(|found| found.phone_number == number.as_str()))
    }

    /// Points number `sid` at `urls`, every method POST. Returns the number as Twilio now holds
    /// it.
    pub async fn update_number(
        &self,
        sid: &str,
        urls: &NumberUrls,
    ) -> Result<IncomingNumber, TwilioRestError> {
        let url = self.url(&["IncomingPhoneNumbers", &format!("{sid}.json")])?;
        let form = FormParams::from_pairs(
            [
                ("VoiceUrl", urls.voice_url.as_str()),
                ("VoiceMethod", POST),
                ("StatusCallback", urls.status_callback.as_str()),
                ("StatusCallbackMethod", POST),
                ("SmsUrl", urls.sms_url.as_str()),
                ("SmsMethod", POST),
            ]
            .into_iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect(),
        );
        self.request(Method::POST, url, Some(form), || {
            format!("phone number {sid} on account {}", self.account_sid)
        })
        .await
    }

    /// `{base}/2010-04-01/Accounts/{AccountSid}/{segments…}`, each segment percent-encoded.
    fn url(&self, segments: &[&str]) -> Result<Url, TwilioRestError> {
        let bad_base = |reason: &str| {
            TwilioRestError::Transport(format!(
                "the Twilio API base URL `{}` is not usable: {reason}",
                self.api_base
            ))
        };
        let mut url = Url::parse(&self.api_base).map_err(|e| bad_base(&e.to_string()))?;
        url.path_segments_mut()
            .map_err(|()| bad_base("it cannot carry a path"))?
            .pop_if_empty()
            .extend(["2010-04-01", "Accounts", &self.account_sid])
            .extend(segments);
        Ok(url)
    }

    async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        form: Option<FormParams>,
        resource: impl FnOnce() -> String,
    ) -> Result<T, TwilioRestError> {
        let mut request = self
            .client
            .request(method, url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
            .header("accept", "application/json");
        if let Some(form) = form {
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.encode());
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport)?;
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                Err(TwilioRestError::Unauthorized {
                    status: status.as_u16(),
                    account_sid: self.account_sid.clone(),
                })
            }
            StatusCode::NOT_FOUND => Err(TwilioRestError::NotFound {
                resource: resource(),
            }),
            status if !status.is_success() => Err(refused(status, &body)),
            _ => serde_json::from_slice(&body).map_err(|e| {
                TwilioRestError::Transport(format!("Twilio's answer is not the expected JSON: {e}"))
            }),
        }
    }
}

const POST: &str = "POST";

/// The list resource's page; paging is not needed for a filter on one E.164 number.
#[derive(Deserialize)]
struct IncomingNumberList {
    incoming_phone_numbers: Vec<IncomingNumber>,
}

/// One of the account's numbers as Twilio describes it (the fields Frontdesk sets). Twilio
/// reports an unset URL as `null` or `""`; both read as `None`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct IncomingNumber {
    /// `PN…`.
    pub sid: String,
    /// E.164.
    pub phone_number: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub voice_url: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub voice_method: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub status_callback: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub status_callback_method: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub sms_url: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub sms_method: Option<String>,
}

fn empty_as_none<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Option::<String>::deserialize(deserializer)?;
    Ok(value.filter(|v| !v.is_empty()))
}

/// Where a number must send its calls, call statuses and messages to reach a stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberUrls {
    pub voice_url: String,
    pub status_callback: String,
    pub sms_url: String,
}

/// One setting of a number that is not what the stack needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// e.g. `voice URL`, `voice method`.
    pub field: &'static str,
    pub current: Option<String>,
    pub wanted: String,
}

impl NumberUrls {
    /// The stack at `base`: incoming calls, call statuses and incoming WhatsApp messages.
    pub fn for_stack(base: &PublicBaseUrl) -> Self {
        Self {
            voice_url: base.join(Route::IncomingCall.path()),
            status_callback: base.join(Route::CallStatus.path()),
            sms_url: base.join(Route::WhatsAppIncoming.path()),
        }
    }

    /// Which of `number`'s settings differ from these URLs, in Twilio console order. Every
    /// method must be POST: the webhooks read a form body, and Twilio signs GET requests
    /// differently.
    pub fn differences(&self, number: &IncomingNumber) -> Vec<Difference> {
        let url = |field, current: &Option<String>, wanted: &String| {
            (current.as_deref() != Some(wanted.as_str())).then(|| Difference {
                field,
                current: current.clone(),
                wanted: wanted.clone(),
            })
        };
        let method = |field, current: &Option<String>| {
            let is_post = current
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case(POST));
            (!is_post).then(|| Difference {
                field,
                current: current.clone(),
                wanted: POST.to_string(),
            })
        };
        [
            url("voice URL", &number.voice_url, &self.voice_url),
            method("voice method", &number.voice_method),
            url(
                "status callback",
                &number.status_callback,
                &self.status_callback,
            ),
            method("status callback method", &number.status_callback_method),
            url("SMS URL", &number.sms_url, &self.sms_url),
            method("SMS method", &number.sms_method),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Why a Twilio REST call failed; every message is one line and never carries the auth token.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TwilioRestError {
    /// 401 or 403: the account SID and auth token do not match.
    #[error("Twilio refused the credentials for account {account_sid} (HTTP {status}); check TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN")]
    Unauthorized { status: u16, account_sid: String },
    /// 404.
    #[error("Twilio found no {resource} (HTTP 404)")]
    NotFound { resource: String },
    /// Any other refusal, with Twilio's error code and message.
    #[error("Twilio refused the request (HTTP {status}{}): {message}", code.as_deref().map(|c| format!(", code {c}")).unwrap_or_default())]
    Refused {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// Twilio could not be reached, or answered something unreadable.
    #[error("Twilio unreachable: {0}")]
    Transport(String),
}

fn transport(error: reqwest::Error) -> TwilioRestError {
    TwilioRestError::Transport(frontdesk::worker::media::describe(error))
}

/// Twilio's error body is `{"code": 21502, "message": "…", "more_info": "…", "status": 400}`.
fn refused(status: StatusCode, body: &[u8]) -> TwilioRestError {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = json.get("code").and_then(|c| match c {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let message = json
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("no message")
                .to_string()
        });
    TwilioRestError::Refused {
        status: status.as_u16(),
        code,
        message: one_line(&message),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdesk::config::Env;

    fn urls() -> NumberUrls {
        NumberUrls::for_stack(&PublicBaseUrl::parse("https://abc.example.com/prod/").unwrap())
    }

    fn pointing_at(urls: &NumberUrls) -> IncomingNumber {
        IncomingNumber {
            sid: "PN1".into(),
            phone_number: "+972501234567".into(),
            voice_url: Some(urls.voice_url.clone()),
            voice_method: Some("POST".into()),
            status_callback: Some(urls.status_callback.clone()),
            status_callback_method: Some("POST".into()),
            sms_url: Some(urls.sms_url.clone()),
            sms_method: Some("POST".into()),
        }
    }

    #[test]
    fn the_stack_urls_are_the_base_plus_each_webhook_route() {
        assert_eq!(
            urls(),
            NumberUrls {
                // The URLs Twilio is configured with are a contract: spelled out on purpose.
                voice_url: "https://abc.example.com/prod/webhook/incoming_call".into(),
                status_callback: "https://abc.example.com/prod/webhook/call_status".into(),
                sms_url: "https://abc.example.com/prod/webhook/whatsapp/incoming".into(),
            }
        );
    }

    #[test]
    fn a_number_already_pointing_at_the_stack_has_no_differences() {
        let urls = urls();
        assert_eq!(urls.differences(&pointing_at(&urls)), vec![]);
        // Twilio's methods are upper case, but a lower-case POST is still POST.
        let mut number = pointing_at(&urls);
        number.sms_method = Some("post".into());
        assert_eq!(urls.differences(&number), vec![]);
    }

    #[test]
    fn every_url_that_differs_is_listed_with_its_current_value() {
        let urls = urls();
        let mut number = pointing_at(&urls);
        number.voice_url = Some("https://old.example.com/voice".into());
        number.sms_url = None;
        assert_eq!(
            urls.differences(&number),
            vec![
                Difference {
                    field: "voice URL",
                    current: Some("https://old.example.com/voice".into()),
                    wanted: urls.voice_url.clone(),
                },
                Difference {
                    field: "SMS URL",
                    current: None,
                    wanted: urls.sms_url.clone(),
                },
            ]
        );
    }

    #[test]
    fn methods_other_than_post_count_as_differences() {
        let urls = urls();
        let mut number = pointing_at(&urls);
        number.voice_method = Some("GET".into());
        number.status_callback_method = None;
        let fields: Vec<_> = urls
            .differences(&number)
            .into_iter()
            .map(|d| (d.field, d.current, d.wanted))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("voice method", Some("GET".to_string()), "POST".to_string()),
                ("status callback method", None, "POST".to_string()),
            ]
        );
    }

    #[test]
    fn twilio_reports_unset_urls_as_null_or_empty_and_both_read_as_none() {
        let number: IncomingNumber = serde_json::from_str(
            r#"{"sid":"PN1","phone_number":"+972501234567","voice_url":"","voice_method":"POST",
                "status_callback":null,"sms_method":"POST","friendly_name":"ignored"}"#,
        )
        .unwrap();
        assert_eq!(number.voice_url, None);
        assert_eq!(number.status_callback, None);
        assert_eq!(number.sms_url, None);
        assert_eq!(number.voice_method.as_deref(), Some("POST"));
    }

    #[test]
    fn credentials_come_from_the_environment_and_both_are_needed() {
        fn from_lookup(vars: &[(&str, &str)]) -> Option<TwilioRest> {
            let lookup = |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            };
            TwilioRest::from_settings(&TwilioSettings::read(&Env::new(&lookup)).unwrap())
        }
        assert!(from_lookup(&[("TWILIO_ACCOUNT_SID", "AC1")]).is_none());
        assert!(from_lookup(&[("TWILIO_ACCOUNT_SID", "AC1"), ("TWILIO_AUTH_TOKEN", "")]).is_none());
        assert!(from_lookup(&[("TWILIO_AUTH_TOKEN", "tok")]).is_none());
        let twilio = from_lookup(&[
            ("TWILIO_ACCOUNT_SID", "AC1"),
            ("TWILIO_AUTH_TOKEN", "tok-secret-123"),
        ])
        .unwrap();
        assert_eq!(twilio.account_sid(), "AC1");
        assert_eq!(
            twilio.api_base(),
            frontdesk::config::providers::DEFAULT_TWILIO_API_BASE_URL
        );
        assert!(!format!("{twilio:?}").contains("tok-secret-123"));
        let twilio = from_lookup(&[
            ("TWILIO_ACCOUNT_SID", "AC1"),
            ("TWILIO_AUTH_TOKEN", "tok"),
            ("TWILIO_API_BASE_URL", "http://127.0.0.1:9/"),
        ])
        .unwrap();
        assert_eq!(twilio.api_base(), "http://127.0.0.1:9");
    }

    #[test]
    fn request_urls_follow_twilios_paths() {
        let twilio = TwilioRest::new("https://api.twilio.com", "AC123", Secret::new("t").unwrap());
        assert_eq!(
            twilio
                .url(&["IncomingPhoneNumbers", "PN9.json"])
                .unwrap()
                .as_str(),
            "https://api.twilio.com/2010-04-01/Accounts/AC123/IncomingPhoneNumbers/PN9.json"
        );
        let bad = TwilioRest::new("api.twilio.com", "AC123", Secret::new("t").unwrap());
        let err = bad.url(&["IncomingPhoneNumbers.json"]).unwrap_err();
        assert!(err.to_string().contains("`api.twilio.com`"), "{err}");
    }

    #[test]
    fn twilio_refusals_keep_its_code_and_message_on_one_line() {
        let err = refused(
            StatusCode::BAD_REQUEST,
            br#"{"code":21502,"message":"Invalid\n callback url","status":400}"#,
        );
        assert_eq!(
            err.to_string(),
            "Twilio refused the request (HTTP 400, code 21502): Invalid callback url"
        );
        let err = refused(StatusCode::BAD_GATEWAY, b"<html>upstream</html>");
        assert_eq!(
            err.to_string(),
            "Twilio refused the request (HTTP 502): Bad Gateway"
        );
    }
}
