//! Lex V2 code-hook events (seeded from the V2 fixtures) through the Lex adapter's accept, then
//! rendered back as a Lex response.
#![no_main]

use bytes::Bytes;
use chatbridge_fuzz::{exercise, lex};
use http::Request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = Request::post("/lex").body(Bytes::copy_from_slice(data)) else { return };
    exercise(lex(), &request);
    if let Ok(event) = chatbridge_lex::LexEvent::from_slice(data) {
        // Every accessor on whatever parsed.
        let _ = (event.intent_name(), event.slots(), event.session_id(), event.channel());
        let _ = (event.input_transcript(), event.request_attributes(), event.version());
    }
});
