//! Ed25519 request verification: the signature in `X-Signature-Ed25519` over the
//! `X-Signature-Timestamp` header's bytes followed by the raw body.

use std::fmt;
use std::time::Duration;

use chatbridge_core::AdapterError;
use chatbridge_core::adapter::single_header;
use chatbridge_core::clock::SharedClock;
use ed25519_dalek::{Signature, VerifyingKey};
use http::{HeaderMap, HeaderName};

use crate::ConfigError;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-signature-ed25519";
/// The timestamp header.
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";

// The names as `HeaderName`s, made at compile time rather than parsed on every lookup.
static SIGNATURE: HeaderName = HeaderName::from_static(SIGNATURE_HEADER);
static TIMESTAMP: HeaderName = HeaderName::from_static(TIMESTAMP_HEADER);

/// Verifies Discord's request signatures with an application's public key, parsed once.
///
/// ```
/// use chatbridge_discord::Verifier;
///
/// // RFC 8032, test 1: the empty message.
/// let verifier = Verifier::new(
///     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
/// )
/// .unwrap();
/// let signature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
///                  5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
/// assert!(verifier.verify(signature.as_bytes(), b"", b"").is_ok());
/// assert!(verifier.verify(signature.as_bytes(), b"", b"x").is_err());
/// ```
#[derive(Clone)]
pub struct Verifier {
    key: VerifyingKey,
    freshness: Option<(Duration, SharedClock)>,
}

impl Verifier {
    /// A verifier for a public key given as 64 hex characters (the developer portal's
    /// "Public Key").
    ///
    /// # Errors
    ///
    /// [`ConfigError::PublicKey`] when the text is not 32 bytes of hex or not a usable
    /// Ed25519 point.
    pub fn new(public_key_hex: &str) -> Result<Self, ConfigError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(public_key_hex.trim(), &mut bytes)
            .map_err(|_| ConfigError::PublicKey("not 64 hex characters"))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| ConfigError::PublicKey("not an Ed25519 public key"))?;
        // Stream verification does not reject small-order keys the way `verify_strict`
        // does, so they are refused here, once.
        if key.is_weak() {
            return Err(ConfigError::PublicKey("a weak Ed25519 key"));
        }
        Ok(Self { key, freshness: None })
    }

    /// Also rejects timestamps further than `window` from `clock`'s time, in either
    /// direction. Discord documents no window; this is off unless set.
    #[must_use]
    pub fn with_freshness(mut self, window: Duration, clock: SharedClock) -> Self {
        self.freshness = Some((window, clock));
        self
    }

    /// Verifies a request's headers and raw body.
    ///
    /// # Errors
    ///
    /// [`AdapterError::Unauthorized`] for a missing header, malformed hex, a wrong length, a
    /// wrong signature or (with a freshness window) a stale timestamp.
    pub fn verify_request(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), AdapterError> {
        let signature = single_header(headers, &SIGNATURE)
            .ok_or(AdapterError::Unauthorized("missing or repeated signature header"))?;
        let timestamp = single_header(headers, &TIMESTAMP)
            .ok_or(AdapterError::Unauthorized("missing or repeated timestamp header"))?;
        self.verify(signature, timestamp, body)
    }

    /// Verifies a hex signature over `timestamp` followed by `body`, without copying either.
    ///
    /// # Errors
    ///
    /// [`AdapterError::Unauthorized`] for malformed hex, a wrong length, a wrong signature or
    /// (with a freshness window) a stale timestamp.
    pub fn verify(
        &self,
        signature_hex: &[u8],
        timestamp: &[u8],
        body: &[u8],
    ) -> Result<(), AdapterError> {
        let mut bytes = [0u8; 64];
        hex::decode_to_slice(signature_hex, &mut bytes)
            .map_err(|_| AdapterError::Unauthorized("malformed signature"))?;
        let signature = Signature::from_bytes(&bytes);
        let mut stream = self
            .key
            .verify_stream(&signature)
            .map_err(|_| AdapterError::Unauthorized("malformed signature"))?;
        stream.update(timestamp);
        stream.update(body);
        stream.finalize_and_verify().map_err(|_| AdapterError::Unauthorized("bad signature"))?;
        // Checked after the signature, so that an unsigned request learns nothing from timing.
        self.check_freshness(timestamp)
    }

    fn check_freshness(&self, timestamp: &[u8]) -> Result<(), AdapterError> {
        let Some((window, clock)) = &self.freshness else { return Ok(()) };
        let stale = AdapterError::Unauthorized("stale timestamp");
        let sent: u64 = std::str::from_utf8(timestamp)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .ok_or(AdapterError::Unauthorized("malformed timestamp"))?;
        if clock.unix_seconds().abs_diff(sent) > window.as_secs() { Err(stale) } else { Ok(()) }
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("public_key", &hex::encode(self.key.as_bytes()))
            .field("freshness", &self.freshness.as_ref().map(|(w, _)| w))
            .finish()
    }
}
