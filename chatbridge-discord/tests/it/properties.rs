//! Property tests (proptest, modest case counts): signed bytes of any kind parse or get a 4xx
//! and never panic; a valid signature over any body verifies and any single flipped bit in the
//! body, the signature or the timestamp fails; unsigned headers never get through; the verifier
//! (hex signature, timestamp and body apart) agrees with ed25519-dalek's `verify` over the
//! whole message on any signature.

use crate::common::*;
use bytes::Bytes;
use chatbridge_discord::verify::Verifier;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier as _};
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
        if let Err(error) = accept(&adapter(), signed("/discord", body)) {
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
        let refused = accept(&adapter(), request).err().map(|e| e.status().as_u16());
        prop_assert_eq!(refused, Some(401));
    }

    #[test]
    fn a_valid_signature_verifies_and_any_single_bit_flip_fails(
        body in proptest::collection::vec(any::<u8>(), 1..256),
        timestamp in "[0-9]{1,12}",
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let verifier = Verifier::new(&public_key_hex()).unwrap();
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

/// A signature over `timestamp || body` by `key`, with `damage` applied to its 64 bytes.
fn damaged_signature(key: &SigningKey, message: &[u8], damage: &Damage) -> [u8; 64] {
    let mut signature = key.sign(message).to_bytes();
    match *damage {
        Damage::None => {}
        Damage::Bit(at, bit) => signature[at % 64] ^= 1 << bit,
        Damage::Random(bytes) => signature = bytes,
        Damage::HighS => signature[63] |= 0xf0,
    }
    signature
}

#[derive(Debug, Clone)]
enum Damage {
    None,
    Bit(usize, u8),
    Random([u8; 64]),
    HighS,
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        2 => Just(Damage::None),
        2 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Damage::Bit(at, bit)),
        1 => proptest::array::uniform32(any::<u8>()).prop_flat_map(|r| {
            proptest::array::uniform32(any::<u8>()).prop_map(move |s| {
                let mut bytes = [0u8; 64];
                bytes[..32].copy_from_slice(&r);
                bytes[32..].copy_from_slice(&s);
                Damage::Random(bytes)
            })
        }),
        1 => Just(Damage::HighS),
    ]
}

fn message(timestamp: &str, body: &[u8]) -> Vec<u8> {
    [timestamp.as_bytes(), body].concat()
}

proptest! {
    #![proptest_config(config())]

    /// The verifier reads the hex signature and takes the timestamp and body apart: it must
    /// accept exactly what ed25519-dalek's `verify` accepts over the whole message.
    #[test]
    fn the_verifier_agrees_with_ed25519_dalek_on_any_signature(
        seed in any::<[u8; 32]>(),
        timestamp in "[0-9]{0,12}",
        body in proptest::collection::vec(any::<u8>(), 0..300),
        damage in damage(),
    ) {
        let key = SigningKey::from_bytes(&seed);
        let message = message(&timestamp, &body);
        let signature = damaged_signature(&key, &message, &damage);
        let dalek = key.verifying_key().verify(&message, &Signature::from_bytes(&signature));
        let verifier = Verifier::new(&hex::encode(key.verifying_key().as_bytes())).unwrap();
        let ours = verifier.verify(hex::encode(signature).as_bytes(), timestamp.as_bytes(), &body);
        prop_assert_eq!(ours.is_ok(), dalek.is_ok(), "{:?}", damage);
    }
}

#[test]
fn json_nested_deep_enough_to_hurt_is_a_400_without_a_stack_overflow() {
    for depth in [200, 20_000] {
        let body = format!(
            r#"{{"id":"1","application_id":"{APP_ID}","type":2,"token":"t","version":1,"data":{}}}"#,
            "[".repeat(depth)
        );
        let refused =
            accept(&adapter(), signed("/discord", body)).err().map(|e| e.status().as_u16());
        assert_eq!(refused, Some(400), "{depth}");
    }
}
