//! Discord's request signature: Ed25519 (ed25519-dalek) over the `X-Signature-Timestamp`
//! header's bytes followed by the raw body, by the application's public key.
//!
//! [`DiscordAdapter`](crate::DiscordAdapter) checks every request itself; the [`Verifier`] is
//! public for hosts that check signatures before a request reaches the bot (an edge function, a
//! proxy), and the header names for tests that sign requests.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::adapter::single_header;
use chatbridge_core::clock::SharedClock;
use chatbridge_core::host::Redelivery;
use chatbridge_core::{AdapterError, ConfigError};
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use http::{HeaderName, Request};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-signature-ed25519";
/// The timestamp header.
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";

// The names as `HeaderName`s, made at compile time rather than parsed on every lookup.
static SIGNATURE: HeaderName = HeaderName::from_static(SIGNATURE_HEADER);
static TIMESTAMP: HeaderName = HeaderName::from_static(TIMESTAMP_HEADER);

/// The setting a bad key is reported under.
pub(crate) const KEY_SETTING: &str = "discord public key";

/// Verifies Discord's request signatures with an application's public key, parsed once.
///
/// Each signature is checked alone with ed25519-dalek's `verify`, the cofactorless check that
/// Discord's reference verifier (tweetnacl, in discord-interactions) makes; weak (small-order)
/// keys are refused once, when the verifier is made.
///
/// ```
/// use chatbridge_discord::verify::Verifier;
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
    /// [`ConfigError::Invalid`] when the text is not 32 bytes of hex, not an Ed25519 point, or
    /// a weak (small-order) key.
    pub fn new(public_key_hex: &str) -> Result<Self, ConfigError> {
        let invalid = |reason| ConfigError::Invalid { name: KEY_SETTING, reason };
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(public_key_hex.trim(), &mut bytes)
            .map_err(|_| invalid("not 64 hex characters"))?;
        let key =
            VerifyingKey::from_bytes(&bytes).map_err(|_| invalid("not an Ed25519 public key"))?;
        // `verify` does not refuse small-order keys (`verify_strict` would): refused here, once.
        if key.is_weak() {
            return Err(invalid("a weak Ed25519 key"));
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

    /// Verifies a request's headers and raw body; with a freshness window, as of its first
    /// arrival when the durable inbox runs it again after a crash (its [`Redelivery`]
    /// extension, which only core sets), otherwise as of now.
    ///
    /// # Errors
    ///
    /// [`AdapterError::Unauthorized`] for a missing or repeated header, malformed hex, a wrong
    /// length, a wrong signature or (with a freshness window) a stale timestamp.
    pub fn verify_request(&self, request: &Request<Bytes>) -> Result<(), AdapterError> {
        let headers = request.headers();
        let signature = single_header(headers, &SIGNATURE)
            .ok_or(AdapterError::Unauthorized("missing or repeated signature header"))?;
        let timestamp = single_header(headers, &TIMESTAMP)
            .ok_or(AdapterError::Unauthorized("missing or repeated timestamp header"))?;
        let arrived = request.extensions().get::<Redelivery>().map(Redelivery::unix_seconds);
        self.verify_at(signature, timestamp, request.body(), arrived)
    }

    /// Verifies a hex signature over `timestamp` followed by `body` (with a freshness window,
    /// as of now).
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
        self.verify_at(signature_hex, timestamp, body, None)
    }

    /// [`verify`](Self::verify), with the window checked against `now` (Unix seconds) when
    /// given, else against the clock.
    fn verify_at(
        &self,
        signature_hex: &[u8],
        timestamp: &[u8],
        body: &[u8],
        now: Option<u64>,
    ) -> Result<(), AdapterError> {
        let mut signature = [0u8; 64];
        hex::decode_to_slice(signature_hex, &mut signature)
            .map_err(|_| AdapterError::Unauthorized("malformed signature"))?;
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp);
        message.extend_from_slice(body);
        self.key
            .verify(&message, &Signature::from_bytes(&signature))
            .map_err(|_| AdapterError::Unauthorized("bad signature"))?;
        // After the signature: an unsigned request learns nothing from the window.
        self.check_freshness(timestamp, now)
    }

    fn check_freshness(&self, timestamp: &[u8], now: Option<u64>) -> Result<(), AdapterError> {
        let Some((window, clock)) = &self.freshness else { return Ok(()) };
        let sent: u64 = std::str::from_utf8(timestamp)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .ok_or(AdapterError::Unauthorized("malformed timestamp"))?;
        if now.unwrap_or_else(|| clock.unix_seconds()).abs_diff(sent) > window.as_secs() {
            Err(AdapterError::Unauthorized("stale timestamp"))
        } else {
            Ok(())
        }
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
