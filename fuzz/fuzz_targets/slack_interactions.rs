//! Interaction payloads: the input is the JSON of `payload=`, form-encoded and signed here so
//! that the interaction parser is what gets fuzzed.
#![no_main]

use chatbridge_fuzz::{exercise, slack, slack_signed};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &text)
        .finish()
        .into_bytes();
    let request = slack_signed("application/x-www-form-urlencoded", body);
    exercise(slack(), &request);
});
