//! What the criterion benchmarks (`benches/`) and the parsing floor
//! (`examples/parsing_floor.rs`) share: the bare signature checks, done as the peer harness's
//! hyper floor does them. See docs/performance.md.

use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The bare Slack check: HMAC-SHA256 of `v0:{ts}:{body}` with `hmac` + `sha2`, hex,
/// constant-time compare. The timestamp's freshness is not checked here.
#[must_use]
pub fn slack_hmac(secret: &[u8], headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name| headers.get(name).map_or(&b""[..], http::HeaderValue::as_bytes);
    let timestamp = header("x-slack-request-timestamp");
    let Some(given) = header("x-slack-signature").strip_prefix(b"v0=") else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { return false };
    mac.update(b"v0:");
    mac.update(timestamp);
    mac.update(b":");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes()).as_bytes().ct_eq(given).into()
}

/// The bare Discord check: `ed25519-dalek` verify of `ts || body`, the key parsed once.
#[must_use]
pub fn ed25519(key: &VerifyingKey, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name| headers.get(name).map_or(&b""[..], http::HeaderValue::as_bytes);
    let timestamp = header("x-signature-timestamp");
    let mut raw = [0u8; 64];
    if hex::decode_to_slice(header("x-signature-ed25519"), &mut raw).is_err() {
        return false;
    }
    let mut message = Vec::with_capacity(timestamp.len() + body.len());
    message.extend_from_slice(timestamp);
    message.extend_from_slice(body);
    key.verify(&message, &Signature::from_bytes(&raw)).is_ok()
}
