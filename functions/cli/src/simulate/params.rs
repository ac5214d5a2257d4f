//! What Twilio and Meta send for each event: the form parameters of each Twilio webhook and
//! the Cloud API notification, with their sample defaults.

use frontdesk::domain::message::Wamid;
use frontdesk::domain::{CallStatus, PhoneNumber};
use serde_json::json;

use super::events::{CallArg, MessageArg, Parties, RecordingArg, TurnArgs};

/// The Twilio test number, as the caller or sender when `--from` is not given.
const DEFAULT_CUSTOMER: &str = "+15005550006";
/// The demo clinic of `infra/seed/businesses.json`, which `frontdesk serve` loads at start.
const DEFAULT_BUSINESS: &str = "+97233334444";
/// A sample account; no handler reads it, but Twilio always sends one.
const ACCOUNT_SID: &str = "AC0123456789abcdef0123456789abcdef";
const API_VERSION: &str = "2010-04-01";
/// A sample WhatsApp Business Account id; no handler reads it, but Meta always sends one.
const WABA_ID: &str = "102290129340398";
/// The length a simulated recording claims, in seconds.
const RECORDING_SECONDS: &str = "14";
/// The length a simulated completed call claims, in seconds.
const CALL_SECONDS: &str = "31";

/// `defaults` without the keys `overrides` sets, then every override in order (a key given
/// twice is sent twice, as Twilio may send a repeated key).
pub(super) fn with_overrides(
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

pub(super) fn pair(key: &str, value: &str) -> (String, String) {
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
pub(super) fn voice_params(
    parties: &Parties,
    call: &CallArg,
    call_status: &str,
) -> Vec<(String, String)> {
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

/// What a booking turn heard: `SpeechResult` (with `Confidence` when given) or `Digits`, or
/// nothing for a silent caller (Twilio posts the call's parameters alone).
pub(super) fn turn_params(turn: &TurnArgs) -> Vec<(String, String)> {
    let mut form = Vec::new();
    if let Some(speech) = &turn.speech {
        form.push(pair("SpeechResult", speech));
        if let Some(confidence) = turn.confidence {
            form.push(pair("Confidence", &confidence.to_string()));
        }
    }
    if let Some(digits) = &turn.digits {
        form.push(pair("Digits", digits));
    }
    form
}

/// The recording fields of the <Record> action and the recording status callback.
pub(super) fn recording_params(recording: &RecordingArg) -> Vec<(String, String)> {
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
pub(super) fn recording_status_params(
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

pub(super) fn call_status_params(
    parties: &Parties,
    call: &CallArg,
    status: &str,
) -> Vec<(String, String)> {
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

pub(super) fn whatsapp_params(
    parties: &Parties,
    message: &MessageArg,
    body: &str,
) -> Vec<(String, String)> {
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

pub(super) fn whatsapp_status_params(
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
pub(super) fn meta_notification(
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

#[cfg(test)]
mod tests {
    use frontdesk::http::FormParams;

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
