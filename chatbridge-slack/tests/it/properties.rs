//! Property tests (proptest, modest case counts so CI stays fast): whatever the bytes, the
//! adapter's `accept` never panics and refuses with a 4xx; a correct signature over any body
//! verifies, and any single flipped bit in the body, the signature or the timestamp fails.

use crate::common::*;
use bytes::Bytes;
use chatbridge_core::AdapterError;
use chatbridge_core::Secret;
use chatbridge_core::adapter::{Accepted, Adapter};
use chatbridge_slack::verify::{is_bare_ssl_check, sign};
use http::{HeaderMap, HeaderValue, Request};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() }
}

/// What the adapter makes of a request (its ids are configured: nothing leaves the process).
fn accept(request: Request<Bytes>) -> Result<Accepted, AdapterError> {
    let adapter = builder().build().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(adapter.accept(request))
}

fn status(request: Request<Bytes>) -> Option<u16> {
    accept(request).err().map(|error| error.status().as_u16())
}

fn request(headers: HeaderMap, body: Vec<u8>) -> Request<Bytes> {
    let mut request = Request::post(PATH).body(Bytes::from(body)).unwrap();
    *request.headers_mut() = headers;
    request
}

/// JSON-ish and form-ish bytes as well as pure noise.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        "[{}\\[\\]\":,a-z0-9 ]{0,256}".prop_map(String::into_bytes),
        "([a-z_]{1,12}=[a-zA-Z0-9%+]{0,20}&){0,8}".prop_map(String::into_bytes),
        any::<String>()
            .prop_map(|s| format!(r#"{{"type":"event_callback","event":{s:?}}}"#).into_bytes()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn signed_bytes_of_any_kind_parse_or_get_a_4xx(body in body(), json in any::<bool>()) {
        let content_type = if json { JSON } else { FORM };
        if let Some(status) = status(signed(content_type, body)) {
            prop_assert!((400..500).contains(&status), "{status}");
        }
    }

    #[test]
    fn signed_interaction_payloads_parse_or_get_a_4xx(payload in any::<String>()) {
        if let Some(status) = status(signed(FORM, payload_form(payload.as_bytes()))) {
            prop_assert!((400..500).contains(&status), "{status}");
        }
    }

    #[test]
    fn unsigned_or_badly_signed_requests_never_get_through(
        timestamp in proptest::collection::vec(any::<u8>(), 0..20),
        signature in proptest::collection::vec(any::<u8>(), 0..80),
        body in body(),
    ) {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_bytes(&timestamp) {
            headers.insert("x-slack-request-timestamp", value);
        }
        if let Ok(value) = HeaderValue::from_bytes(&signature) {
            headers.insert("x-slack-signature", value);
        }
        match accept(request(headers, body.clone())) {
            Err(error) => prop_assert!(error.status().is_client_error()),
            Ok(accepted) => prop_assert!(
                matches!(accepted, Accepted::Respond(_)) && is_bare_ssl_check(&body),
                "an unsigned request got through"
            ),
        }
    }

    #[test]
    fn a_valid_signature_verifies_and_any_single_bit_flip_fails(
        body in proptest::collection::vec(any::<u8>(), 1..256),
        skew in 0u64..=300,
        later in any::<bool>(),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let ts = if later { NOW + skew } else { NOW - skew };
        let signature = sign(&Secret::new(SECRET), ts, &body);
        let verifier = chatbridge_slack::verify::Verifier::new(Secret::new(SECRET))
            .with_clock(std::sync::Arc::new(chatbridge_core::clock::ManualClock::at_unix(NOW)));
        let headers = |ts: &[u8], sig: &[u8]| {
            let mut h = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_bytes(ts) { h.insert("x-slack-request-timestamp", v); }
            if let Ok(v) = HeaderValue::from_bytes(sig) { h.insert("x-slack-signature", v); }
            h
        };
        let ts_text = ts.to_string().into_bytes();
        prop_assert!(verifier.verify(&headers(&ts_text, signature.as_bytes()), &body).is_ok());

        let mut flipped_body = body.clone();
        flipped_body[flip.index(body.len())] ^= 1 << bit;
        prop_assert!(verifier.verify(&headers(&ts_text, signature.as_bytes()), &flipped_body).is_err());

        let mut flipped_sig = signature.clone().into_bytes();
        let at = flip.index(flipped_sig.len());
        flipped_sig[at] ^= 1 << bit;
        // Hex is case-insensitive: flipping a letter's case is the same signature.
        if !flipped_sig.eq_ignore_ascii_case(signature.as_bytes()) {
            prop_assert!(verifier.verify(&headers(&ts_text, &flipped_sig), &body).is_err());
        }

        let mut flipped_ts = ts_text;
        let at = flip.index(flipped_ts.len());
        flipped_ts[at] ^= 1 << bit;
        prop_assert!(verifier.verify(&headers(&flipped_ts, signature.as_bytes()), &body).is_err());
    }
}
