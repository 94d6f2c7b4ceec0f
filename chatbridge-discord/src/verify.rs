//! Ed25519 request verification: the signature in `X-Signature-Ed25519` over the
//! `X-Signature-Timestamp` header's bytes followed by the raw body.
//!
//! A check is done in two steps. [`Claim`] is everything that reads the request: the signature
//! decoded, its `s` checked canonical, and `k = SHA-512(R ‖ A ‖ timestamp ‖ body)`. What is
//! left is curve arithmetic, `[s]B = R + [k]A`, which is most of the cost: alone, it is
//! ed25519-dalek's `verify` step for step (the same equation, the same `R` comparison); for
//! requests that arrive together it is one batch equation over all of them (see
//! [`batch`](crate::batch)).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chatbridge_core::AdapterError;
use chatbridge_core::adapter::single_header;
use chatbridge_core::clock::SharedClock;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use http::{HeaderMap, HeaderName};
use sha2::{Digest, Sha512};

use crate::ConfigError;
use crate::batch::Batches;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-signature-ed25519";
/// The timestamp header.
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";

// The names as `HeaderName`s, made at compile time rather than parsed on every lookup.
static SIGNATURE: HeaderName = HeaderName::from_static(SIGNATURE_HEADER);
static TIMESTAMP: HeaderName = HeaderName::from_static(TIMESTAMP_HEADER);

const MALFORMED: AdapterError = AdapterError::Unauthorized("malformed signature");
const BAD: AdapterError = AdapterError::Unauthorized("bad signature");

/// One request's signature, read: the check `[s]B = R + [k]A` is what remains.
#[derive(Clone, Copy)]
pub(crate) struct Claim {
    /// The signature's `R`, as sent.
    pub(crate) r: CompressedEdwardsY,
    /// The signature's `s`, canonical.
    pub(crate) s: Scalar,
    /// `SHA-512(R ‖ A ‖ timestamp ‖ body)`, reduced.
    pub(crate) k: Scalar,
}

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
///
/// [`verify_request_batched`](Self::verify_request_batched) checks the signatures of requests
/// that arrive together in one batch (sixteen at once cost 0.41× of their separate checks);
/// clones of a verifier batch together.
#[derive(Clone)]
pub struct Verifier {
    /// The key as sent, for the hash of every signature.
    key: CompressedEdwardsY,
    /// The key as a point, decompressed once.
    point: EdwardsPoint,
    freshness: Option<(Duration, SharedClock)>,
    batches: Arc<Batches>,
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
        let key = CompressedEdwardsY(bytes);
        let point = key.decompress().ok_or(ConfigError::PublicKey("not an Ed25519 public key"))?;
        // The check (ed25519-dalek's `verify`, not `verify_strict`) does not reject small-order
        // keys, so they are refused here, once, as ed25519-dalek's `is_weak` would.
        if point.is_small_order() {
            return Err(ConfigError::PublicKey("a weak Ed25519 key"));
        }
        Ok(Self { key, point, freshness: None, batches: Arc::default() })
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
        let (signature, timestamp) = signature_headers(headers)?;
        self.verify(signature, timestamp, body)
    }

    /// [`verify_request`](Self::verify_request), with the signature checked in one batch with
    /// those of the other requests that reach this verifier (or a clone) in the same turn of
    /// the async runtime: under load, each check then costs about half as much. The
    /// result is `verify_request`'s for every request: a batch that fails is checked again
    /// one signature at a time, and a request that finds no company is checked alone.
    ///
    /// The first request of a batch yields to the runtime once, so that the others can join.
    ///
    /// # Errors
    ///
    /// As for [`verify_request`](Self::verify_request).
    pub async fn verify_request_batched(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), AdapterError> {
        let (signature, timestamp) = signature_headers(headers)?;
        let claim = self.claim(signature, timestamp, body)?;
        let held = self.batches.check(self, claim).await;
        self.conclude(held, timestamp)
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
        let claim = self.claim(signature_hex, timestamp, body)?;
        self.conclude(self.holds(&claim), timestamp)
    }

    /// The answer once the signature is checked: the freshness window comes after it, so that
    /// an unsigned request learns nothing from timing.
    fn conclude(&self, held: bool, timestamp: &[u8]) -> Result<(), AdapterError> {
        if !held {
            return Err(BAD);
        }
        self.check_freshness(timestamp)
    }

    /// Reads a signature and hashes what it signs: all of a check but the curve arithmetic.
    fn claim(
        &self,
        signature_hex: &[u8],
        timestamp: &[u8],
        body: &[u8],
    ) -> Result<Claim, AdapterError> {
        let mut r = [0u8; 32];
        let mut s = [0u8; 32];
        let (r_hex, s_hex) = signature_hex.split_at_checked(64).ok_or(MALFORMED)?;
        hex::decode_to_slice(r_hex, &mut r).map_err(|_| MALFORMED)?;
        hex::decode_to_slice(s_hex, &mut s).map_err(|_| MALFORMED)?;
        // As ed25519-dalek: an `s` at or above the group order is refused, not reduced.
        let s = Option::from(Scalar::from_canonical_bytes(s)).ok_or(MALFORMED)?;
        let hash = Sha512::new()
            .chain_update(r)
            .chain_update(self.key.as_bytes())
            .chain_update(timestamp)
            .chain_update(body)
            .finalize();
        let k = Scalar::from_bytes_mod_order_wide(&hash.into());
        Ok(Claim { r: CompressedEdwardsY(r), s, k })
    }

    /// The check of one signature, as ed25519-dalek's `verify` makes it: `[s]B − [k]A`,
    /// compressed, is the `R` that was sent, byte for byte.
    pub(crate) fn holds(&self, claim: &Claim) -> bool {
        EdwardsPoint::vartime_double_scalar_mul_basepoint(&claim.k, &-self.point, &claim.s)
            .compress()
            == claim.r
    }

    /// The public key as a point.
    pub(crate) fn point(&self) -> &EdwardsPoint {
        &self.point
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

/// The signature and timestamp headers, each present once.
fn signature_headers(headers: &HeaderMap) -> Result<(&[u8], &[u8]), AdapterError> {
    let signature = single_header(headers, &SIGNATURE)
        .ok_or(AdapterError::Unauthorized("missing or repeated signature header"))?;
    let timestamp = single_header(headers, &TIMESTAMP)
        .ok_or(AdapterError::Unauthorized("missing or repeated timestamp header"))?;
    Ok((signature, timestamp))
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("public_key", &hex::encode(self.key.as_bytes()))
            .field("freshness", &self.freshness.as_ref().map(|(w, _)| w))
            .finish()
    }
}
