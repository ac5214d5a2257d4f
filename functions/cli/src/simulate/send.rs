//! The request, signed exactly as Twilio or Meta signs it, sent to the URL it is signed for,
//! and the answer printed.

use std::process::ExitCode;
use std::time::Duration;

use frontdesk::http::FormParams;
use frontdesk::twilio::signature;
use frontdesk::Route;
use serde_json::json;

use super::events::{Target, TwilioArgs};
use super::params::with_overrides;
use crate::signing::missing_token;

/// Twilio gives up on a webhook after 15 seconds; waiting longer would hide a timeout.
const TIMEOUT: Duration = Duration::from_secs(15);

/// A request ready to send: the URL it is signed for, its body and the headers that sign it.
pub(super) struct Outgoing {
    pub(super) url: String,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// The answer, as printed.
pub(super) struct Answer {
    pub(super) status: reqwest::StatusCode,
    version: reqwest::Version,
    headers: Vec<(String, String)>,
    body: String,
}

impl TwilioArgs {
    /// The form request for `path` (and its query, if any) with `defaults` overridden by
    /// `--param`, signed for the exact URL it is sent to.
    pub(super) fn form(
        self,
        path: &str,
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
pub(super) fn meta_request(
    target: &Target,
    app_secret: &str,
    notification: &serde_json::Value,
) -> Outgoing {
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

/// POSTs `outgoing` to the URL it was signed for and reads the whole answer.
pub(super) async fn send(outgoing: Outgoing) -> Result<Answer, crate::CliError> {
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
pub(super) fn print_answer(answer: &Answer, json: bool) -> Result<(), crate::CliError> {
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
