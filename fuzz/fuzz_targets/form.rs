//! The strict form parser: any bytes either parse or are refused, never a panic; what parses
//! encodes and parses back to the same pairs.
#![no_main]

use frontdesk::http::form;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(params) = form::parse(data) {
        let encoded = params.encode();
        let again = form::parse(encoded.as_bytes()).expect("an encoded form parses");
        assert_eq!(again.pairs(), params.pairs(), "{encoded}");
    }
});
