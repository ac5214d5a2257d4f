//! Meta's WhatsApp webhook: any body parses or is refused, and X-Hub-Signature-256 over it
//! verifies only with the right secret.
#![no_main]

use frontdesk::meta::{payload, signature};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "fuzz-meta-app-secret";

fuzz_target!(|data: &[u8]| {
    let _ = payload::parse(data);
    // A header made from the input itself: never a panic, and only a real HMAC verifies.
    let header = String::from_utf8_lossy(&data[..data.len().min(80)]).into_owned();
    let _ = signature::verify(SECRET, data, Some(&header));
    let _ = signature::verify(SECRET, data, None);
});
