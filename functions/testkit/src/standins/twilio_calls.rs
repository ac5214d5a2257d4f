//! The Calls API of the [`super::twilio_rest`] stand-in:
//! `POST /2010-04-01/Accounts/{AccountSid}/Calls.json` creates an outbound call, checked as
//! Twilio checks it: every parameter name known ([`CALL_FIELDS`]), `To`, `From` and `Url`
//! present, `To` E.164, `From` one of the account's numbers, every URL absolute http(s), every
//! method POST, the event lists' values Twilio's. Errors carry Twilio's codes (21201 no `To`,
//! 21211 invalid `To`, 21210 `From` not the account's, 21205 bad URL, 20001 unknown parameter,
//! 21218 bad value). A created call answers 201 in Twilio's shape, `status` `queued`.

use serde_json::{json, Value};

/// The form fields the stand-in accepts on a call (what Frontdesk may send).
pub const CALL_FIELDS: &[&str] = &[
    "To",
    "From",
    "Url",
    "Method",
    "StatusCallback",
    "StatusCallbackMethod",
    "StatusCallbackEvent",
    "Timeout",
    "Record",
    "RecordingStatusCallback",
    "RecordingStatusCallbackMethod",
    "RecordingStatusCallbackEvent",
    "MachineDetection",
];

/// A call request as received, created or refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedCall {
    /// The CallSid given (`None` when refused).
    pub sid: Option<String>,
    /// The form fields, in order (repeated keys kept).
    pub fields: Vec<(String, String)>,
    /// The HTTP status the stand-in answered (201 when created).
    pub status: u16,
}

impl PlacedCall {
    /// The first value of form field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of form field `name`, in order.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

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

fn is_e164(number: &str) -> bool {
    number
        .strip_prefix('+')
        .is_some_and(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks a call request against the account's `numbers` and answers as Twilio would. A
/// created call's SID is unique to the process (moto's tables outlive a test).
pub(super) fn create(
    account_sid: &str,
    numbers: &[String],
    fields: &[(String, String)],
) -> (u16, Value) {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    for (name, value) in fields {
        if !CALL_FIELDS.contains(&name.as_str()) {
            return error(400, 20001, &format!("Unknown parameter {name}"));
        }
        if name.ends_with("Method") && value != "POST" {
            return error(
                400,
                21218,
                &format!("{name} must be POST here, not `{value}`"),
            );
        }
        let is_url = name == "Url" || name.ends_with("Callback");
        if is_url && !(value.starts_with("https://") || value.starts_with("http://")) {
            return error(400, 21205, &format!("{name} is not a valid URL: {value}"));
        }
        let allowed: &[&str] = match name.as_str() {
            "StatusCallbackEvent" => &["initiated", "ringing", "answered", "completed"],
            "RecordingStatusCallbackEvent" => &["in-progress", "completed", "absent"],
            "Record" => &["true", "false"],
            "MachineDetection" => &["Enable", "DetectMessageEnd"],
            _ => &[],
        };
        if !allowed.is_empty() && !allowed.contains(&value.as_str()) {
            return error(
                400,
                21218,
                &format!("{name} `{value}` is not one of {allowed:?}"),
            );
        }
        if name == "Timeout" && !value.parse::<u32>().is_ok_and(|t| (1..=600).contains(&t)) {
            return error(
                400,
                21218,
                &format!("Timeout `{value}` is not 1 to 600 seconds"),
            );
        }
    }
    let Some(to) = field("To") else {
        return error(400, 21201, "No 'To' number is specified");
    };
    if !is_e164(to) {
        return error(400, 21211, &format!("Invalid 'To' Phone Number: {to}"));
    }
    let Some(from) = field("From") else {
        return error(400, 21213, "No 'From' number is specified");
    };
    if !numbers.iter().any(|number| number == from) {
        return error(
            400,
            21210,
            &format!("The source phone number provided, {from}, is not yet verified for your account. You may only make calls from phone numbers that you've verified or purchased from Twilio."),
        );
    }
    if field("Url").is_none() {
        return error(400, 21205, "Url parameter is required");
    }
    let sid = format!("CA{:032x}", crate::unique::number());
    (
        201,
        json!({
            "account_sid": account_sid,
            "answered_by": null,
            "api_version": "2010-04-01",
            "caller_name": null,
            "date_created": null,
            "direction": "outbound-api",
            "duration": null,
            "from": from,
            "from_formatted": from,
            "parent_call_sid": null,
            "phone_number_sid": null,
            "price": null,
            "sid": sid,
            "start_time": null,
            "status": "queued",
            "to": to,
            "to_formatted": to,
            "uri": format!("/2010-04-01/Accounts/{account_sid}/Calls/{sid}.json"),
        }),
    )
}
