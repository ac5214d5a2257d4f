//! `frontdesk simulate`: sends one webhook, signed exactly as Twilio or Meta signs it, to a
//! local (`frontdesk serve`) or deployed Frontdesk, and prints the answer. The parameters are
//! the ones Twilio and Meta send for each event, so the handlers see what they see live.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use frontdesk::config::{ConfigError, PublicBaseUrl};
use frontdesk::domain::message::Wamid;
use frontdesk::domain::{CallStatus, PhoneNumber};
use frontdesk::http::FormParams;
use frontdesk::twilio::signature;
use frontdesk::Route;
use serde_json::json;

use crate::signing::{missing_token, parse_param, usage_error, TokenArg};

/// Twilio gives up on a webhook after 15 seconds; waiting longer would hide a timeout.
const TIMEOUT: Duration = Duration::from_secs(15);

/// The Twilio test number, as the caller or sender when `--from` is not given.
const DEFAULT_CUSTOMER: &str = "+15005550006";
/// The demo clinic of `infra/seed/businesses.json`, which `frontdesk serve` loads at start.
const DEFAULT_BUSINESS: &str = "+97233334444";
/// The demo clinic's Meta phone number id in the same seed.
const DEFAULT_PHONE_NUMBER_ID: &str = "106540352242922";
/// A sample account; no handler reads it, but Twilio always sends one.
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const API_VERSION: &str = "2010-04-01";
/// A sample WhatsApp Business Account id; no handler reads it, but Meta always sends one.
const WABA_ID: &str = "102290129340398";
/// The length a simulated recording claims, in seconds.
const RECORDING_SECONDS: &str = "14";
/// The length a simulated completed call claims, in seconds.
const CALL_SECONDS: &str = "31";

#[derive(Args, Debug)]
pub struct SimulateArgs {
    #[command(subcommand)]
    event: Event,
}

/// The webhook to send.
#[derive(Subcommand, Debug)]
enum Event {
    /// An incoming call (POST /webhook/incoming_call); answered with TwiML.
    Call {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        call: CallArg,
    },
    /// The voicemail <Record> action after the caller's message; answered with TwiML.
    Recording {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        call: CallArg,
        #[command(flatten)]
        recording: RecordingArg,
    },
    /// Twilio's recording status callback (sent without From and To, as Twilio sends it).
    RecordingStatus {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        call: CallArg,
        #[command(flatten)]
        recording: RecordingArg,
        /// RecordingStatus: in-progress, completed, absent or failed.
        #[arg(long, default_value = "completed")]
        status: String,
    },
    /// A call status callback (POST /webhook/call_status).
    Status {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        call: CallArg,
        /// CallStatus: queued, initiated, ringing, in-progress, completed, busy, failed,
        /// no-answer or canceled.
        #[arg(long, default_value = "completed")]
        status: String,
    },
    /// An incoming WhatsApp message through Twilio.
    Whatsapp {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        message: MessageArg,
        /// The message text.
        #[arg(long, default_value = "Hi, can I book an appointment?")]
        body: String,
    },
    /// A delivery status of a WhatsApp message the business sent through Twilio. From defaults
    /// to the business and To to the customer, as in Twilio's callback.
    WhatsappStatus {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        message: MessageArg,
        /// MessageStatus: queued, sent, delivered, read, failed or undelivered.
        #[arg(long, default_value = "delivered")]
        status: String,
    },
    /// A WhatsApp Cloud API `messages` notification from Meta, signed with X-Hub-Signature-256.
    Meta {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        message: MessageArg,
        /// The message text.
        #[arg(long, default_value = "Hi, can I book an appointment?")]
        body: String,
        /// metadata.phone_number_id: the business's WhatsApp number at Meta (the default is the
        /// seed's demo clinic).
        #[arg(long, default_value = DEFAULT_PHONE_NUMBER_ID)]
        phone_number_id: String,
        /// The Meta app secret that keys X-Hub-Signature-256.
        #[arg(
            long,
            env = "META_APP_SECRET",
            hide_env_values = true,
            value_name = "SECRET"
        )]
        app_secret: Option<String>,
    },
}

/// Where the request goes and how the answer is printed.
#[derive(Args, Debug)]
struct Target {
    /// The Frontdesk base URL (with any API Gateway stage); the route path is appended, and
    /// that exact URL is the one signed.
    #[arg(long, default_value = "http://127.0.0.1:3000", value_parser = parse_base)]
    base: PublicBaseUrl,
    /// Print {"status":…,"headers":{…},"body":…} instead of the HTTP answer as text.
    #[arg(long)]
    json: bool,
}

/// Everything a Twilio webhook needs besides its own parameters.
#[derive(Args, Debug)]
struct TwilioArgs {
    #[command(flatten)]
    target: Target,
    #[command(flatten)]
    token: TokenArg,
    /// A form parameter to add, or to replace every default value of its key, as KEY=VALUE.
    /// Repeat it for each parameter.
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    params: Vec<(String, String)>,
}

#[derive(Args, Debug)]
struct Parties {
    /// From, in E.164 (default: the customer +15005550006; the business for whatsapp-status).
    #[arg(long, value_parser = parse_number)]
    from: Option<PhoneNumber>,
    /// To, in E.164 (default: the seed's demo clinic +97233334444; the customer for
    /// whatsapp-status).
    #[arg(long, value_parser = parse_number)]
    to: Option<PhoneNumber>,
}

#[derive(Args, Debug)]
struct CallArg {
    /// The CallSid (default: a fresh CA followed by 32 hex digits).
    #[arg(long)]
    call_sid: Option<String>,
}

#[derive(Args, Debug)]
struct RecordingArg {
    /// The RecordingSid (default: a fresh RE followed by 32 hex digits).
    #[arg(long)]
    recording_sid: Option<String>,
}

#[derive(Args, Debug)]
struct MessageArg {
    /// The MessageSid, or the wamid for meta (default: a fresh SM… or wamid.…).
    #[arg(long)]
    message_sid: Option<String>,
}

fn parse_base(raw: &str) -> Result<PublicBaseUrl, String> {
    PublicBaseUrl::parse(raw).map_err(|ConfigError::Invalid { reason, .. }| reason)
}

fn parse_number(raw: &str) -> Result<PhoneNumber, String> {
    PhoneNumber::parse(raw).map_err(|err| err.reason.to_string())
}

/// A request ready to send: the URL it is signed for, its body and the headers that sign it.
struct Outgoing {
    url: String,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// The answer, as printed.
struct Answer {
    status: reqwest::StatusCode,
    version: reqwest::Version,
    headers: Vec<(String, String)>,
    body: String,
}

/// Sends the event and prints the answer: exit 0 for a 2xx answer, 1 otherwise.
pub async fn run(args: SimulateArgs) -> Result<ExitCode, crate::CliError> {
    let (target, outgoing) = match prepare(args.event) {
        Ok(prepared) => prepared,
        Err(usage) => return Ok(usage),
    };
    eprintln!("POST {}", outgoing.url);
    let answer = send(outgoing).await?;
    print_answer(&answer, target.json)?;
    Ok(if answer.status.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The request for `event`, or the usage error's exit status when a secret is missing.
fn prepare(event: Event) -> Result<(Target, Outgoing), ExitCode> {
    match event {
        Event::Call {
            twilio,
            parties,
            call,
        } => {
            let form = voice_params(&parties, &call, "ringing");
            twilio.form(Route::IncomingCall.path(), form)
        }
        Event::Recording {
            twilio,
            parties,
            call,
            recording,
        } => {
            let mut form = voice_params(&parties, &call, "in-progress");
            form.extend(recording_params(&recording));
            // The usual end of a voicemail: the caller hangs up after the message.
            form.push(pair("Digits", "hangup"));
            twilio.form(Route::HandleRecording.path(), form)
        }
        Event::RecordingStatus {
            twilio,
            call,
            recording,
            status,
        } => {
            let form = recording_status_params(&call, &recording, &status);
            twilio.form(Route::RecordingStatus.path(), form)
        }
        Event::Status {
            twilio,
            parties,
            call,
            status,
        } => twilio.form(
            Route::CallStatus.path(),
            call_status_params(&parties, &call, &status),
        ),
        Event::Whatsapp {
            twilio,
            parties,
            message,
            body,
        } => {
            let form = whatsapp_params(&parties, &message, &body);
            twilio.form(Route::WhatsAppIncoming.path(), form)
        }
        Event::WhatsappStatus {
            twilio,
            parties,
            message,
            status,
        } => {
            let form = whatsapp_status_params(&parties, &message, &status);
            twilio.form(Route::WhatsAppStatus.path(), form)
        }
        Event::Meta {
            target,
            parties,
            message,
            body,
            phone_number_id,
            app_secret,
        } => {
            let Some(secret) = app_secret.filter(|s| !s.is_empty()) else {
                return Err(usage_error(
                    "no Meta app secret: pass --app-secret or set META_APP_SECRET",
                ));
            };
            let notification = meta_notification(&parties, &message, &body, &phone_number_id);
            let outgoing = meta_request(&target, &secret, &notification);
            Ok((target, outgoing))
        }
    }
}

impl TwilioArgs {
    /// The form request for `path` with `defaults` overridden by `--param`, signed for the
    /// exact URL it is sent to.
    fn form(
        self,
        path: &'static str,
        defaults: Vec<(String, String)>,
    ) -> Result<(Target, Outgoing), ExitCode> {
        let Some(token) = self.token.secret() else {
            return Err(missing_token());
        };
        let params = with_overrides(defaults, self.params);
        let url = self.target.base.join(path);
        let outgoing = Outgoing {
            content_type: "application/x-www-form-urlencoded",
            headers: vec![
                (
                    "x-twilio-signature",
                    signature::compute(token.expose(), &url, &params),
                ),
                // Twilio sends a fresh one with every webhook; the server logs it.
                (
                    "i-twilio-idempotency-token",
                    uuid::Uuid::new_v4().to_string(),
                ),
            ],
            body: FormParams::from_pairs(params).encode().into_bytes(),
            url,
        };
        Ok((self.target, outgoing))
    }
}

/// Meta's POST of `notification`, signed over the exact bytes sent.
fn meta_request(target: &Target, app_secret: &str, notification: &serde_json::Value) -> Outgoing {
    let body = serde_json::to_vec(notification).expect("a JSON value serialises");
    Outgoing {
        url: target.base.join(Route::MetaWhatsApp.path()),
        content_type: "application/json",
        headers: vec![(
            "x-hub-signature-256",
            frontdesk::meta::signature::sign(app_secret, &body),
        )],
        body,
    }
}

/// `defaults` without the keys `overrides` sets, then every override in order (a key given
/// twice is sent twice, as Twilio may send a repeated key).
fn with_overrides(
    defaults: Vec<(String, String)>,
    overrides: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let mut params: Vec<_> = defaults
        .into_iter()
        .filter(|(key, _)| !overrides.iter().any(|(k, _)| k == key))
        .collect();
    params.extend(overrides);
    params
}

fn pair(key: &str, value: &str) -> (String, String) {
    (key.to_string(), value.to_string())
}

/// A fresh Twilio-style SID: the prefix and 32 lower-case hex digits.
fn fresh_sid(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple())
}

impl Parties {
    /// (From, To) of a message or call the customer starts.
    fn inbound(&self) -> (PhoneNumber, PhoneNumber) {
        (
            self.from.clone().unwrap_or_else(customer),
            self.to.clone().unwrap_or_else(business),
        )
    }

    /// (From, To) of a message the business sent.
    fn outbound(&self) -> (PhoneNumber, PhoneNumber) {
        (
            self.from.clone().unwrap_or_else(business),
            self.to.clone().unwrap_or_else(customer),
        )
    }
}

fn customer() -> PhoneNumber {
    PhoneNumber::parse(DEFAULT_CUSTOMER).expect("the default customer number is E.164")
}

fn business() -> PhoneNumber {
    PhoneNumber::parse(DEFAULT_BUSINESS).expect("the default business number is E.164")
}

impl CallArg {
    fn sid(&self) -> String {
        self.call_sid.clone().unwrap_or_else(|| fresh_sid("CA"))
    }
}

/// What Twilio sends with every request about an inbound call.
fn voice_params(parties: &Parties, call: &CallArg, call_status: &str) -> Vec<(String, String)> {
    let (from, to) = parties.inbound();
    vec![
        pair("AccountSid", ACCOUNT_SID),
        pair("ApiVersion", API_VERSION),
        pair("CallSid", &call.sid()),
        pair("From", from.as_str()),
        pair("Caller", from.as_str()),
        pair("To", to.as_str()),
        pair("Called", to.as_str()),
        pair("Direction", "inbound"),
        pair("CallStatus", call_status),
    ]
}

/// The recording fields of the <Record> action and the recording status callback.
fn recording_params(recording: &RecordingArg) -> Vec<(String, String)> {
    let sid = recording
        .recording_sid
        .clone()
        .unwrap_or_else(|| fresh_sid("RE"));
    let url =
        format!("https://api.twilio.com/{API_VERSION}/Accounts/{ACCOUNT_SID}/Recordings/{sid}");
    vec![
        pair("RecordingSid", &sid),
        pair("RecordingUrl", &url),
        pair("RecordingDuration", RECORDING_SECONDS),
    ]
}

/// Twilio's recording status callback carries the call and recording, not From and To.
fn recording_status_params(
    call: &CallArg,
    recording: &RecordingArg,
    status: &str,
) -> Vec<(String, String)> {
    let mut form = vec![
        pair("AccountSid", ACCOUNT_SID),
        pair("CallSid", &call.sid()),
    ];
    form.extend(recording_params(recording));
    form.extend([
        pair("RecordingStatus", status),
        pair("RecordingChannels", "1"),
        pair("RecordingSource", "RecordVerb"),
    ]);
    form
}

fn call_status_params(parties: &Parties, call: &CallArg, status: &str) -> Vec<(String, String)> {
    let mut form = voice_params(parties, call, status);
    let parsed = CallStatus::parse(status);
    if parsed == Some(CallStatus::Completed) {
        form.push(pair("CallDuration", CALL_SECONDS));
    }
    // Twilio numbers its callbacks per call; the status's rank orders a simulated sequence
    // (ringing, then completed) the same way.
    if let Some(status) = parsed {
        form.push(pair("SequenceNumber", &status.rank().to_string()));
    }
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .expect("the current time formats as RFC 2822");
    form.push(pair("Timestamp", &now));
    form.push(pair("CallbackSource", "call-progress-events"));
    form
}

/// The SID fields of every Twilio Messaging webhook (the old names are still sent).
fn message_sid_params(message_sid: &str) -> Vec<(String, String)> {
    vec![
        pair("AccountSid", ACCOUNT_SID),
        pair("ApiVersion", API_VERSION),
        pair("MessageSid", message_sid),
        pair("SmsMessageSid", message_sid),
        pair("SmsSid", message_sid),
    ]
}

fn whatsapp_params(parties: &Parties, message: &MessageArg, body: &str) -> Vec<(String, String)> {
    let (from, to) = parties.inbound();
    let sid = message
        .message_sid
        .clone()
        .unwrap_or_else(|| fresh_sid("SM"));
    let mut form = message_sid_params(&sid);
    form.extend([
        pair("From", &from.whatsapp()),
        pair("To", &to.whatsapp()),
        pair("Body", body),
        pair("NumMedia", "0"),
        pair("NumSegments", "1"),
        pair("WaId", from.as_str().trim_start_matches('+')),
        pair("SmsStatus", "received"),
        pair("MessageType", "text"),
    ]);
    form
}

fn whatsapp_status_params(
    parties: &Parties,
    message: &MessageArg,
    status: &str,
) -> Vec<(String, String)> {
    let (from, to) = parties.outbound();
    let sid = message
        .message_sid
        .clone()
        .unwrap_or_else(|| fresh_sid("SM"));
    let mut form = message_sid_params(&sid);
    form.extend([
        pair("From", &from.whatsapp()),
        pair("To", &to.whatsapp()),
        pair("MessageStatus", status),
        pair("SmsStatus", status),
        pair("ChannelPrefix", "whatsapp"),
        pair("ChannelToAddress", to.as_str()),
    ]);
    form
}

/// A Cloud API notification carrying one text message from the customer to the business.
/// Meta writes numbers as digits without the `+`.
fn meta_notification(
    parties: &Parties,
    message: &MessageArg,
    body: &str,
    phone_number_id: &str,
) -> serde_json::Value {
    let (from, to) = parties.inbound();
    let from = from.as_str().trim_start_matches('+');
    let id = message
        .message_sid
        .clone()
        .unwrap_or_else(|| format!("{}{}", Wamid::PREFIX, uuid::Uuid::new_v4().simple()));
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": WABA_ID,
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {
                        "display_phone_number": to.as_str().trim_start_matches('+'),
                        "phone_number_id": phone_number_id,
                    },
                    "contacts": [{ "profile": { "name": "Frontdesk Simulator" }, "wa_id": from }],
                    "messages": [{
                        "from": from,
                        "id": id,
                        "timestamp": timestamp,
                        "type": "text",
                        "text": { "body": body },
                    }],
                },
            }],
        }],
    })
}

/// POSTs `outgoing` to the URL it was signed for and reads the whole answer.
async fn send(outgoing: Outgoing) -> Result<Answer, crate::CliError> {
    let client = frontdesk::tls::https_client_builder()
        .timeout(TIMEOUT)
        // A redirect means the URL is not the one the server signs for: show it, don't follow.
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let url = outgoing.url;
    let mut request = client
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, outgoing.content_type);
    for (name, value) in outgoing.headers {
        request = request.header(name, value);
    }
    let response = request.body(outgoing.body).send().await.map_err(|err| {
        format!(
            "POST {url} failed: {}",
            frontdesk::worker::media::describe(err)
        )
    })?;
    let status = response.status();
    let version = response.version();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.to_string(), value)
        })
        .collect();
    let body = response.bytes().await?;
    Ok(Answer {
        status,
        version,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// Prints the answer as an HTTP message, or as one JSON object with `--json`.
fn print_answer(answer: &Answer, json: bool) -> Result<(), crate::CliError> {
    if json {
        let mut headers = serde_json::Map::new();
        for (name, value) in &answer.headers {
            // A repeated header is one field whose values are joined, as HTTP allows.
            let joined = match headers.get(name).and_then(|v| v.as_str()) {
                Some(earlier) => format!("{earlier}, {value}"),
                None => value.clone(),
            };
            headers.insert(name.clone(), joined.into());
        }
        let printed = json!({
            "status": answer.status.as_u16(),
            "headers": headers,
            "body": answer.body,
        });
        println!("{}", serde_json::to_string(&printed)?);
    } else {
        println!("{:?} {}", answer.version, answer.status);
        for (name, value) in &answer.headers {
            println!("{name}: {value}");
        }
        println!();
        println!("{}", answer.body);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_replaces_every_default_of_its_key_and_keeps_repeats() {
        let params = with_overrides(
            vec![pair("From", "+1"), pair("To", "+2"), pair("From", "+3")],
            vec![pair("From", "+4"), pair("Extra", "x"), pair("From", "+5")],
        );
        assert_eq!(
            params,
            vec![
                pair("To", "+2"),
                pair("From", "+4"),
                pair("Extra", "x"),
                pair("From", "+5")
            ]
        );
    }

    #[test]
    fn fresh_sids_are_twilio_shaped() {
        let sid = fresh_sid("CA");
        assert_eq!(sid.len(), 34);
        assert!(frontdesk::domain::CallSid::parse(&sid).is_ok());
        assert!(sid[2..].bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn a_completed_call_status_carries_duration_and_sequence() {
        let parties = Parties {
            from: None,
            to: None,
        };
        let call = CallArg {
            call_sid: Some("CA1".into()),
        };
        let form = FormParams::from_pairs(call_status_params(&parties, &call, "completed"));
        assert_eq!(form.get("CallDuration"), Some(CALL_SECONDS));
        assert_eq!(form.get("SequenceNumber"), Some("4"));
        assert_eq!(form.get("To"), Some(DEFAULT_BUSINESS));
        assert!(form.non_empty("Timestamp").is_some());
    }

    #[test]
    fn the_meta_notification_reads_as_one_text_message_for_the_business() {
        let parties = Parties {
            from: None,
            to: None,
        };
        let message = MessageArg { message_sid: None };
        let notification = meta_notification(&parties, &message, "hello", "42");
        let body = serde_json::to_vec(&notification).unwrap();
        let changes = frontdesk::meta::payload::parse(&body).unwrap();
        assert_eq!(changes.len(), 1);
        let change = &changes[0];
        assert_eq!(change.phone_number_id.as_deref(), Some("42"));
        assert_eq!(change.display_phone_number.as_deref(), Some("97233334444"));
        assert!(change.skipped.is_empty(), "{:?}", change.skipped);
        let received = &change.messages[0];
        assert_eq!(received.from.digits(), "15005550006");
        assert_eq!(received.content.body.as_deref(), Some("hello"));
    }

    #[test]
    fn a_whatsapp_status_goes_from_the_business_to_the_customer() {
        let parties = Parties {
            from: None,
            to: None,
        };
        let message = MessageArg { message_sid: None };
        let form = FormParams::from_pairs(whatsapp_status_params(&parties, &message, "read"));
        assert_eq!(form.get("From"), Some("whatsapp:+97233334444"));
        assert_eq!(form.get("To"), Some("whatsapp:+15005550006"));
        assert_eq!(form.get("MessageStatus"), Some("read"));
    }
}
