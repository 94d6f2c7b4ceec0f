//! Raw verification headers: timestamp, signature, content type and body come from the input
//! (one per line), unsigned; whatever they are, accept refuses with a 4xx or the body was a
//! bare `ssl_check`, and never panics.
#![no_main]

use bytes::Bytes;
use chatbridge_core::adapter::Accepted;
use chatbridge_fuzz::{exercise, slack, split};
use http::{HeaderValue, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = split(data, 4);
    let mut builder = Request::post("/slack/events");
    for (name, value) in [
        ("x-slack-request-timestamp", parts[0]),
        ("x-slack-signature", parts[1]),
        ("content-type", parts[2]),
    ] {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            builder = builder.header(name, value);
        }
    }
    let Ok(request) = builder.body(Bytes::copy_from_slice(parts[3])) else { return };
    // Without the secret nothing can be signed: only the bare certificate probe may pass.
    if let Some(incoming) = exercise(slack(), &request) {
        assert!(
            matches!(incoming, Accepted::Respond(_))
                && chatbridge_slack::verify::is_bare_ssl_check(parts[3]),
            "an unsigned request got through verification"
        );
    }
});
