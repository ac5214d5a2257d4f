//! Requests signed the way Twilio signs them.

use frontdesk::http::FormParams;
use frontdesk::twilio::signature;

/// A form of `params`, in order.
pub fn form(params: &[(&str, &str)]) -> FormParams {
    FormParams::from_pairs(
        params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// The `X-Twilio-Signature` for `form` POSTed to `url` under `token`.
pub fn sign_form(token: &str, url: &str, form: &FormParams) -> String {
    signature::compute(token, url, form.pairs())
}

/// The `X-Twilio-Signature` for the form-encoded `body` POSTed to `url` under `token`.
pub fn sign_body(token: &str, url: &str, body: &str) -> String {
    let form = frontdesk::http::form::parse(body.as_bytes()).expect("a form-encoded body");
    signature::compute(token, url, form.pairs())
}
