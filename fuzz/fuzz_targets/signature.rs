//! X-Twilio-Signature: for any URL and form, the signature Frontdesk computes validates, a
//! changed one is refused, and rebuilding the URL's candidates never panics.
#![no_main]

use frontdesk::config::Secret;
use frontdesk::http::form;
use frontdesk::twilio::signature::{
    compute, port_toggled, url_candidates, url_with_body_sha256, SignedPayload, Validator,
};
use libfuzzer_sys::fuzz_target;

const TOKEN: &str = "fuzz-auth-token-0123456789abcdef";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (url, body) = text.split_once('\n').unwrap_or((&text, ""));
    let _ = url_candidates(url);
    let _ = port_toggled(url);
    let _ = url_with_body_sha256(url, body.as_bytes());
    let Ok(params) = form::parse(body.as_bytes()) else {
        return;
    };
    let pairs = params.pairs().to_vec();
    let signature = compute(TOKEN, url, &pairs);
    let validator = Validator::new(Secret::new(TOKEN), None);
    assert!(validator
        .validate(url, SignedPayload::Form(&pairs), Some(&signature))
        .is_ok());
    let mut forged = signature.clone();
    forged.insert(0, 'x');
    assert!(validator
        .validate(url, SignedPayload::Form(&pairs), Some(&forged))
        .is_err());
    // The raw-body form of the check: whatever the URL says, never a panic.
    let _ = validator.validate(url, SignedPayload::Body(body.as_bytes()), Some(&signature));
});
