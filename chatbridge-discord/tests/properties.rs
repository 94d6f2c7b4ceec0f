//! Property tests (proptest, modest case counts): signed bytes of any kind parse or get a 4xx
//! and never panic; a valid signature over any body verifies and any single flipped bit in the
//! body, the signature or the timestamp fails; unsigned headers never get through.

#![allow(clippy::unwrap_used)]

mod common;

use bytes::Bytes;
use chatbridge_core::adapter::Adapter;
use common::*;
use http::{HeaderValue, Request};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() }
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        "[{}\\[\\]\":,a-z0-9 ]{0,256}".prop_map(String::into_bytes),
        (1u8..=6, any::<String>()).prop_map(|(kind, s)| {
            format!(r#"{{"id":"1","application_id":"{APP_ID}","type":{kind},"token":"t","version":1,"data":{{"name":{s:?},"type":1,"options":[{{"name":"o","type":3,"value":{s:?}}}]}}}}"#)
                .into_bytes()
        }),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn signed_bytes_of_any_kind_parse_or_get_a_4xx(body in body()) {
        if let Err(error) = adapter().parse(&signed("/discord", body)) {
            prop_assert!(error.status().is_client_error(), "{error}");
        }
    }

    #[test]
    fn unsigned_headers_never_get_through(
        signature in proptest::collection::vec(any::<u8>(), 0..140),
        timestamp in proptest::collection::vec(any::<u8>(), 0..20),
        body in body(),
    ) {
        let mut request = Request::post("/discord").body(Bytes::from(body)).unwrap();
        if let Ok(value) = HeaderValue::from_bytes(&signature) {
            request.headers_mut().insert("x-signature-ed25519", value);
        }
        if let Ok(value) = HeaderValue::from_bytes(&timestamp) {
            request.headers_mut().insert("x-signature-timestamp", value);
        }
        let refused = adapter().parse(&request).err().map(|e| e.status().as_u16());
        prop_assert_eq!(refused, Some(401));
    }

    #[test]
    fn a_valid_signature_verifies_and_any_single_bit_flip_fails(
        body in proptest::collection::vec(any::<u8>(), 1..256),
        timestamp in "[0-9]{1,12}",
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let verifier = chatbridge_discord::Verifier::new(&public_key_hex()).unwrap();
        let signature = sign(&timestamp, &body);
        prop_assert!(verifier.verify(signature.as_bytes(), timestamp.as_bytes(), &body).is_ok());

        let mut flipped_body = body.clone();
        flipped_body[flip.index(body.len())] ^= 1 << bit;
        prop_assert!(verifier.verify(signature.as_bytes(), timestamp.as_bytes(), &flipped_body).is_err());

        let mut flipped_sig = signature.clone().into_bytes();
        let at = flip.index(flipped_sig.len());
        flipped_sig[at] ^= 1 << bit;
        // Hex is case-insensitive: flipping a letter's case is the same signature.
        if !flipped_sig.eq_ignore_ascii_case(signature.as_bytes()) {
            prop_assert!(verifier.verify(&flipped_sig, timestamp.as_bytes(), &body).is_err());
        }

        let mut flipped_ts = timestamp.into_bytes();
        let at = flip.index(flipped_ts.len());
        flipped_ts[at] ^= 1 << bit;
        prop_assert!(verifier.verify(signature.as_bytes(), &flipped_ts, &body).is_err());
    }
}

#[test]
fn json_nested_deep_enough_to_hurt_is_a_400_without_a_stack_overflow() {
    for depth in [200, 20_000] {
        let body = format!(
            r#"{{"id":"1","application_id":"{APP_ID}","type":2,"token":"t","version":1,"data":{}}}"#,
            "[".repeat(depth)
        );
        let refused = adapter().parse(&signed("/discord", body)).err().map(|e| e.status().as_u16());
        assert_eq!(refused, Some(400), "{depth}");
    }
}
