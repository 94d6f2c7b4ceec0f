//! Raw verification headers (signature, timestamp, one per line) and body, unsigned: accept
//! must refuse with a 4xx and never panic.
#![no_main]

use bytes::Bytes;
use chatbridge_fuzz::{discord, exercise, split};
use http::{HeaderValue, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = split(data, 3);
    let mut builder = Request::post("/discord/interactions");
    for (name, value) in [("x-signature-ed25519", parts[0]), ("x-signature-timestamp", parts[1])] {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            builder = builder.header(name, value);
        }
    }
    let Ok(request) = builder.body(Bytes::copy_from_slice(parts[2])) else { return };
    assert!(exercise(discord(), &request).is_none(), "an unsigned request got through");
});
