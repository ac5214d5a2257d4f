//! Twilio Lookup v2 for a caller Frontdesk has not looked up before: line type and caller
//! name (`GET {TWILIO_LOOKUP_BASE_URL}/v2/PhoneNumbers/{e164}?Fields=line_type_intelligence,caller_name`),
//! kept in the store so each number costs one lookup. A lookup that fails leaves the caller
//! unscreened; it never holds an alert back.

use jiff::Timestamp;
use serde_json::Value;
use tracing::{info, warn};

use crate::app::App;
use crate::domain::{CallerLookup, PhoneNumber};

/// Reads Lookup's answer.
pub fn read_answer(number: &PhoneNumber, body: &Value, at: Timestamp) -> CallerLookup {
    let text = |pointer: &str| {
        body.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    CallerLookup {
        number: number.clone(),
        caller_name: text("/caller_name/caller_name"),
        line_type: text("/line_type_intelligence/type"),
        at,
    }
}

/// What Lookup knows of `number`: the stored answer, else a new lookup (stored). `None` when
/// Twilio's credentials are not set or Lookup could not answer.
pub async fn look_up(
    app: &App,
    client: &reqwest::Client,
    number: &PhoneNumber,
) -> Option<CallerLookup> {
    match app.store().caller_lookup(number).await {
        Ok(Some(known)) => return Some(known),
        Ok(None) => {}
        Err(err) => {
            warn!(error = %err, "stored lookups unreadable; looking up again");
        }
    }
    let config = app.config();
    let (account_sid, auth_token) = config.twilio.credentials()?;
    let url = format!(
        "{}/v2/PhoneNumbers/{}?Fields=line_type_intelligence,caller_name",
        config.twilio.lookup_base_url,
        number.as_str()
    );
    let answer = client
        .get(url)
        .basic_auth(account_sid, Some(auth_token.expose()))
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await;
    let body: Value = match answer {
        Ok(response) if response.status().is_success() => match response.json().await {
            Ok(body) => body,
            Err(err) => {
                warn!(error = %err.without_url(), "Lookup answer unreadable");
                return None;
            }
        },
        Ok(response) => {
            warn!(status = response.status().as_u16(), "Lookup refused");
            return None;
        }
        Err(err) => {
            warn!(error = %err.without_url(), "Lookup unreachable");
            return None;
        }
    };
    let lookup = read_answer(number, &body, Timestamp::now());
    info!(line_type = lookup.line_type.as_deref(), "caller looked up");
    if let Err(err) = app.store().put_caller_lookup(&lookup).await {
        warn!(error = %err, "lookup not kept; the next call looks up again");
    }
    Some(lookup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_answers_give_line_type_and_caller_name() {
        let number = PhoneNumber::parse("+14155550100").unwrap();
        let body = serde_json::json!({
            "phone_number": "+14155550100", "valid": true,
            "caller_name": {"caller_name": "ACME ROBO", "caller_type": "BUSINESS", "error_code": null},
            "line_type_intelligence": {"type": "nonFixedVoip", "carrier_name": "X", "error_code": null}
        });
        let read = read_answer(&number, &body, Timestamp::UNIX_EPOCH);
        assert_eq!(read.line_type.as_deref(), Some("nonFixedVoip"));
        assert_eq!(read.caller_name.as_deref(), Some("ACME ROBO"));
        let empty = read_answer(
            &number,
            &serde_json::json!({"caller_name": null}),
            Timestamp::UNIX_EPOCH,
        );
        assert_eq!(empty.caller_name, None);
        assert_eq!(empty.line_type, None);
    }
}
