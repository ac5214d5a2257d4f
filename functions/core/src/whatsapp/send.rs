//! Sending WhatsApp messages: one interface, [`WhatsAppSender`], implemented for Twilio's
//! Messages API ([`TwilioSender`]) and Meta's Graph API ([`MetaSender`]). Both take their base
//! URL from configuration, so tests point them at local stand-ins. Twilio's also sends an SMS
//! ([`Channel::Sms`]) and a Content Template (`ContentSid` + `ContentVariables`).

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{json, Value};

use super::interactive::{Buttons, List};
use crate::config::Secret;
use crate::domain::{MessageId, MessageSid, MessageStatus, Wamid, WhatsAppAddress};
use crate::http::FormParams;

/// Connect and whole-request limits: a send answers an API caller, who should not wait long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The one HTTP client for the providers, built on first use and kept for the process.
pub fn http_client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        crate::tls::https_client_builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("the TLS backend initialises")
    })
}

/// What to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutboundBody {
    Text(String),
    /// A Meta message template (needed outside the 24 h customer-service window).
    Template {
        name: String,
        language: String,
        components: Option<Value>,
    },
    /// A Twilio Content Template (`HX…`) with its numbered variables (`{"1": …, "2": …}`).
    Content {
        sid: String,
        variables: BTreeMap<String, String>,
    },
    /// Reply buttons (Meta only; Twilio needs them as numbered text).
    Buttons(Buttons),
    /// A list of up to ten rows (Meta only).
    List(List),
}

impl OutboundBody {
    /// The message's kind as it is stored: `text`, `template` or `interactive`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Text(_) => "text",
            Self::Template { .. } | Self::Content { .. } => "template",
            Self::Buttons(_) | Self::List(_) => "interactive",
        }
    }

    /// The text it shows (a template: its name or SID).
    pub fn text(&self) -> &str {
        match self {
            Self::Text(text) => text,
            Self::Template { name, .. } => name,
            Self::Content { sid, .. } => sid,
            Self::Buttons(buttons) => &buttons.body,
            Self::List(list) => &list.body,
        }
    }
}

/// How a message travels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Channel {
    #[default]
    WhatsApp,
    /// A text message (Twilio only): `From` and `To` are bare E.164 numbers.
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WhatsApp => "whatsapp",
            Self::Sms => "sms",
        }
    }
}

/// One message to send.
#[derive(Clone, Debug)]
pub struct Outbound {
    pub channel: Channel,
    /// The business's own number (Twilio's `From`).
    pub from: WhatsAppAddress,
    /// The business's Cloud API phone number id (Meta).
    pub meta_phone_number_id: Option<String>,
    pub to: WhatsAppAddress,
    pub body: OutboundBody,
    /// Where the provider reports delivery (Twilio's `StatusCallback`).
    pub status_callback: Option<String>,
}

impl Outbound {
    /// `From` as the channel writes it: `whatsapp:+972…`, or `+972…` for an SMS.
    pub fn from_address(&self) -> String {
        match self.channel {
            Channel::WhatsApp => self.from.address(),
            Channel::Sms => self.from.number().as_str().to_string(),
        }
    }

    /// `To` as the channel writes it.
    pub fn to_address(&self) -> String {
        match self.channel {
            Channel::WhatsApp => self.to.address(),
            Channel::Sms => self.to.number().as_str().to_string(),
        }
    }
}

/// The provider took the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub id: MessageId,
    pub status: MessageStatus,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The provider answered and refused: its HTTP status, error code and message.
    #[error("{provider} refused the message (HTTP {status}{}): {message}", code.as_deref().map(|c| format!(", code {c}")).unwrap_or_default())]
    Refused {
        provider: &'static str,
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// The provider could not be reached, or answered something unreadable.
    #[error("{provider} unreachable: {reason}")]
    Unreachable {
        provider: &'static str,
        reason: String,
    },
    /// This deployment or business lacks what the provider needs.
    #[error("{0}")]
    NotConfigured(String),
    /// The provider cannot send this kind of body.
    #[error("{0}")]
    Unsupported(String),
}

impl SendError {
    /// Worth another try later: the provider could not be reached, or was down or throttling.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable { .. } => true,
            Self::Refused { status, .. } => *status >= 500 || *status == 429,
            Self::NotConfigured(_) | Self::Unsupported(_) => false,
        }
    }

    /// The error code to store with the failed message.
    pub fn code(&self) -> String {
        match self {
            Self::Refused { code: Some(c), .. } => c.clone(),
            Self::Refused { status, .. } => format!("http_{status}"),
            Self::Unreachable { .. } => "provider_unreachable".into(),
            Self::NotConfigured(_) => "not_configured".into(),
            Self::Unsupported(_) => "unsupported".into(),
        }
    }
}

#[async_trait]
pub trait WhatsAppSender: Send + Sync {
    async fn send(&self, message: &Outbound) -> Result<Accepted, SendError>;
}

fn unreachable(provider: &'static str, error: reqwest::Error) -> SendError {
    // Without the URL: it can carry an account id, and the caller knows which provider it was.
    SendError::Unreachable {
        provider,
        reason: error.without_url().to_string(),
    }
}

/// Twilio's Messages API: `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, Basic
/// auth with the account SID and auth token, form `From`, `To`, `Body` (or `ContentSid` and
/// `ContentVariables`), `StatusCallback`.
pub struct TwilioSender {
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: Secret,
}

#[async_trait]
impl WhatsAppSender for TwilioSender {
    async fn send(&self, message: &Outbound) -> Result<Accepted, SendError> {
        const PROVIDER: &str = "twilio";
        let mut pairs = vec![
            ("From".to_string(), message.from_address()),
            ("To".to_string(), message.to_address()),
        ];
        match (&message.body, message.channel) {
            (OutboundBody::Text(text), _) => pairs.push(("Body".to_string(), text.clone())),
            (OutboundBody::Content { sid, variables }, Channel::WhatsApp) => {
                pairs.push(("ContentSid".to_string(), sid.clone()));
                let variables =
                    serde_json::to_string(variables).expect("string variables serialise");
                pairs.push(("ContentVariables".to_string(), variables));
            }
            (OutboundBody::Content { .. }, Channel::Sms) => {
                return Err(SendError::Unsupported(
                    "content templates are sent over WhatsApp; send an SMS as text".into(),
                ))
            }
            (OutboundBody::Template { .. }, _) => {
                return Err(SendError::Unsupported(
                    "Meta templates are sent through Meta; send a Content Template (ContentSid) through Twilio".into(),
                ))
            }
            (OutboundBody::Buttons(_) | OutboundBody::List(_), _) => {
                return Err(SendError::Unsupported(
                    "interactive messages are sent through Meta; send numbered text through Twilio"
                        .into(),
                ))
            }
        }
        if let Some(callback) = &message.status_callback {
            pairs.push(("StatusCallback".to_string(), callback.clone()));
        }
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.base_url, self.account_sid
        );
        let response = http_client()
            .post(url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(FormParams::from_pairs(pairs).encode())
            .send()
            .await
            .map_err(|e| unreachable(PROVIDER, e))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| unreachable(PROVIDER, e))?;
        if !status.is_success() {
            return Err(SendError::Refused {
                provider: PROVIDER,
                status: status.as_u16(),
                code: body.get("code").map(|c| match c {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
                message: body["message"].as_str().unwrap_or("no message").to_string(),
            });
        }
        let sid = body["sid"].as_str().unwrap_or_default();
        let id =
            MessageSid::parse(sid)
                .map(MessageId::Twilio)
                .map_err(|e| SendError::Unreachable {
                    provider: PROVIDER,
                    reason: format!("answer without a valid sid: {e}"),
                })?;
        let status = body["status"]
            .as_str()
            .and_then(MessageStatus::parse)
            .unwrap_or(MessageStatus::Queued);
        Ok(Accepted { id, status })
    }
}

/// Meta's Graph API: `POST {base}/{version}/{phone_number_id}/messages` with the bearer
/// access token and a JSON text, template or interactive message.
pub struct MetaSender {
    pub base_url: String,
    pub version: String,
    pub access_token: Secret,
}

/// The Graph API request body for `message`.
pub fn meta_request_body(message: &Outbound) -> Value {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.to.digits(),
    });
    match &message.body {
        OutboundBody::Text(text) => {
            body["type"] = "text".into();
            body["text"] = json!({ "preview_url": false, "body": text });
        }
        OutboundBody::Template {
            name,
            language,
            components,
        } => {
            body["type"] = "template".into();
            let mut template = json!({ "name": name, "language": { "code": language } });
            if let Some(components) = components {
                template["components"] = components.clone();
            }
            body["template"] = template;
        }
        OutboundBody::Buttons(buttons) => {
            body["type"] = "interactive".into();
            body["interactive"] = buttons.meta_json();
        }
        OutboundBody::List(list) => {
            body["type"] = "interactive".into();
            body["interactive"] = list.meta_json();
        }
        // Refused before a request is built (see `MetaSender::send`).
        OutboundBody::Content { .. } => {}
    }
    body
}

#[async_trait]
impl WhatsAppSender for MetaSender {
    async fn send(&self, message: &Outbound) -> Result<Accepted, SendError> {
        const PROVIDER: &str = "meta";
        if message.channel == Channel::Sms {
            return Err(SendError::Unsupported(
                "an SMS is sent through Twilio".into(),
            ));
        }
        if matches!(message.body, OutboundBody::Content { .. }) {
            return Err(SendError::Unsupported(
                "a Twilio Content Template (ContentSid) is sent through Twilio".into(),
            ));
        }
        let Some(phone_number_id) = message.meta_phone_number_id.as_deref() else {
            return Err(SendError::NotConfigured(
                "the business has no meta_phone_number_id".into(),
            ));
        };
        let url = format!(
            "{}/{}/{}/messages",
            self.base_url, self.version, phone_number_id
        );
        let response = http_client()
            .post(url)
            .bearer_auth(self.access_token.expose())
            .json(&meta_request_body(message))
            .send()
            .await
            .map_err(|e| unreachable(PROVIDER, e))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| unreachable(PROVIDER, e))?;
        if !status.is_success() {
            let error = &body["error"];
            return Err(SendError::Refused {
                provider: PROVIDER,
                status: status.as_u16(),
                code: error.get("code").map(Value::to_string),
                message: error["message"]
                    .as_str()
                    .unwrap_or("no message")
                    .to_string(),
            });
        }
        let wamid = body
            .pointer("/messages/0/id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let id = Wamid::parse(wamid)
            .map(MessageId::Meta)
            .map_err(|e| SendError::Unreachable {
                provider: PROVIDER,
                reason: format!("answer without a valid message id: {e}"),
            })?;
        // Meta's send answer means accepted; `sent` arrives by webhook.
        Ok(Accepted {
            id,
            status: MessageStatus::Accepted,
        })
    }
}
