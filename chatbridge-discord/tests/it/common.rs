//! Shared test helpers: a fixed test key, signed requests, fixtures.

use bytes::Bytes;
use chatbridge_core::AdapterError;
use chatbridge_core::adapter::{Accepted, Adapter};
use chatbridge_discord::{DiscordAdapter, DiscordAdapterBuilder};
use ed25519_dalek::{Signer, SigningKey};
use futures_util::FutureExt;
use http::Request;

pub const APP_ID: &str = "1180000000000000000";
pub const TIMESTAMP: &str = "1714824000";

/// The fixed test key.
pub fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[0x42; 32])
}

pub fn public_key_hex() -> String {
    hex::encode(signing_key().verifying_key().as_bytes())
}

pub fn builder() -> DiscordAdapterBuilder {
    DiscordAdapter::builder(public_key_hex(), APP_ID)
}

pub fn adapter() -> DiscordAdapter {
    builder().build().unwrap()
}

/// What the adapter makes of a request. Discord's `accept` looks nothing up, so it is ready
/// at its first poll.
pub fn accept(adapter: &DiscordAdapter, request: Request<Bytes>) -> Result<Accepted, AdapterError> {
    adapter.accept(request).now_or_never().expect("accept does no I/O")
}

/// The signature of `timestamp || body`, as hex.
pub fn sign(timestamp: &str, body: &[u8]) -> String {
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body);
    hex::encode(signing_key().sign(&message).to_bytes())
}

/// A POST with a valid signature.
pub fn signed(path: &str, body: impl Into<Bytes>) -> Request<Bytes> {
    let body = body.into();
    Request::post(path)
        .header("content-type", "application/json")
        .header("x-signature-ed25519", sign(TIMESTAMP, &body))
        .header("x-signature-timestamp", TIMESTAMP)
        .body(body)
        .unwrap()
}

/// A fixture's exact bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The bodies in a fixture holding a JSON array of interactions.
pub fn fixture_items(name: &str) -> Vec<Vec<u8>> {
    let items: Vec<serde_json::Value> = serde_json::from_slice(&fixture(name)).unwrap();
    items.iter().map(|v| serde_json::to_vec(v).unwrap()).collect()
}

pub fn body_json(response: &http::Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap()
}
