//! Ed25519 signatures checked in batches: the requests that reach a [`Verifier`] in the same
//! turn of the async runtime share one equation.
//!
//! Every signature is by the same key `A`, so for claims `(Rᵢ, sᵢ, kᵢ)` and coefficients `zᵢ`
//! the batch holds when
//!
//! ```text
//! [8]( −[Σ zᵢsᵢ]B + Σ [zᵢ]Rᵢ + [Σ zᵢkᵢ]A ) = 0
//! ```
//!
//! one multiscalar multiplication over `n + 2` points, where `n` separate checks need `n`
//! double-scalar multiplications: for 16 signatures, 0.41× their time (ed25519-dalek's
//! `verify_batch`, which gives every signature its own key term, 0.58×). The `zᵢ` are 128-bit
//! values hashed from every claim in the batch, so no signature can be chosen after them; a
//! batch with a wrong signature in it fails but with probability 2⁻¹²⁸.
//!
//! A batch that fails is checked again one signature at a time, so each request gets the answer
//! [`Verifier::verify`] gives it. The one difference is the cofactor: the batch equation is
//! multiplied by 8, as batch equations must be, and the single check is not, so a signature
//! whose `R` is off by a point of small order would pass the first and fail the second. Only
//! the holder of the private key (Discord) can make such a signature, for `k` depends on `R`.
//!
//! How a batch forms: the first request to find the queue empty leads. It yields to the runtime
//! once, so that every other request that is ready runs up to its own check and joins the queue;
//! then it takes the queue and checks it. A request alone checks itself, after that one yield.
//!
//! A failed batch costs its equation on top of the single checks, so a flood of bad signatures
//! would cost more with batches than without: after a batch fails, the next
//! [`PAUSE_AFTER_FAILURE`] signatures are checked alone, and batching resumes after them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest, Sha512};
use tokio::sync::oneshot;

use crate::Verifier;
use crate::verify::Claim;

/// The most signatures checked in one batch: past this, a request checks its own, so that no
/// request waits on an unbounded batch. Most of the gain is in the first 16 (0.41× at 16).
pub(crate) const MAX_BATCH: usize = 64;

/// How many signatures are checked alone after a batch fails. Under a flood of bad signatures
/// a batch fails every time, and each costs its equation (about 0.4 of a check per signature)
/// on top of the single checks; with a pause of four full batches after each, that extra is a
/// few per cent of the flood's cost instead of 40 %.
pub(crate) const PAUSE_AFTER_FAILURE: usize = 4 * MAX_BATCH;

/// The claims waiting for their batch, shared by a verifier's clones.
#[derive(Default)]
pub(crate) struct Batches {
    queue: Mutex<Vec<Waiting>>,
    /// Signatures still to check alone since the last batch that failed.
    paused: AtomicUsize,
}

struct Waiting {
    claim: Claim,
    /// Whether the batch held. When it did not, or the leader went away, the claim is
    /// checked alone.
    verdict: oneshot::Sender<bool>,
}

impl Batches {
    /// Whether `claim` holds: checked in a batch with whatever joins it, or alone.
    pub(crate) async fn check(&self, verifier: &Verifier, claim: Claim) -> bool {
        let paused =
            self.paused.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        if paused.is_ok() {
            return verifier.holds(&claim);
        }
        let (verdict, answer) = oneshot::channel();
        let leads = {
            let mut queue = self.lock();
            if queue.len() >= MAX_BATCH {
                drop(queue);
                return verifier.holds(&claim);
            }
            queue.push(Waiting { claim, verdict });
            queue.len() == 1
        };
        if leads {
            let mut lead = Lead { batches: self, done: false };
            tokio::task::yield_now().await;
            let batch = lead.take();
            // Alone, the leader's own sender is dropped here and it checks itself below.
            if batch.len() > 1 {
                let held = holds_together(verifier, &batch);
                tracing::trace!(size = batch.len(), held, "ed25519 batch checked");
                if !held {
                    self.paused.store(PAUSE_AFTER_FAILURE, Ordering::Relaxed);
                }
                for waiting in batch {
                    let _ = waiting.verdict.send(held);
                }
            }
        }
        match answer.await {
            Ok(true) => true,
            Ok(false) | Err(_) => verifier.holds(&claim),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Waiting>> {
        // Nothing panics while the queue is locked; a poisoned lock still holds a sound queue.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The leader's hold on the queue. If the leader's request is dropped while it yields (its
/// client went away), the queue is emptied on the way out: the claims' senders drop with it
/// and each waiting request checks its own signature.
struct Lead<'a> {
    batches: &'a Batches,
    done: bool,
}

impl Lead<'_> {
    fn take(&mut self) -> Vec<Waiting> {
        self.done = true;
        std::mem::take(&mut *self.batches.lock())
    }
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        if !self.done {
            drop(self.take());
        }
    }
}

/// The batch equation over `batch` (see the module docs).
fn holds_together(verifier: &Verifier, batch: &[Waiting]) -> bool {
    let mut transcript = Sha512::new_with_prefix(b"chatbridge-discord ed25519 batch");
    for Waiting { claim, .. } in batch {
        transcript.update(claim.r.as_bytes());
        transcript.update(claim.s.as_bytes());
        transcript.update(claim.k.as_bytes());
    }
    let seed = transcript.finalize();

    let mut scalars = Vec::with_capacity(batch.len() + 2);
    let mut points = Vec::with_capacity(batch.len() + 2);
    let mut s_sum = Scalar::ZERO;
    let mut k_sum = Scalar::ZERO;
    for (i, Waiting { claim, .. }) in (0u64..).zip(batch) {
        let Some(r) = claim.r.decompress() else { return false };
        let z = coefficient(&seed, i);
        s_sum += z * claim.s;
        k_sum += z * claim.k;
        scalars.push(z);
        points.push(r);
    }
    scalars.push(-s_sum);
    points.push(ED25519_BASEPOINT_POINT);
    scalars.push(k_sum);
    points.push(*verifier.point());
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).mul_by_cofactor().is_identity()
}

/// The `i`th signature's 128-bit coefficient.
fn coefficient(seed: &[u8], i: u64) -> Scalar {
    let hash = Sha512::new().chain_update(seed).chain_update(i.to_le_bytes()).finalize();
    let mut z = [0u8; 16];
    z.copy_from_slice(&hash[..16]);
    Scalar::from(u128::from_le_bytes(z))
}

#[cfg(test)]
mod tests {
    use chatbridge_core::testing::LogCapture;
    use ed25519_dalek::{Signer, SigningKey};
    use futures_util::future::join_all;
    use http::HeaderMap;

    use super::PAUSE_AFTER_FAILURE;
    use crate::Verifier;

    const TIMESTAMP: &str = "1714824000";

    fn headers(key: &SigningKey, body: &[u8]) -> HeaderMap {
        let signature = key.sign(&[TIMESTAMP.as_bytes(), body].concat());
        let mut headers = HeaderMap::new();
        headers.insert("x-signature-ed25519", hex::encode(signature.to_bytes()).parse().unwrap());
        headers.insert("x-signature-timestamp", TIMESTAMP.parse().unwrap());
        headers
    }

    /// Checks `n` requests at once, the first `bad` of them signed for another body; returns
    /// how many passed.
    async fn together(verifier: &Verifier, key: &SigningKey, n: usize, bad: usize) -> usize {
        let requests: Vec<(HeaderMap, Vec<u8>)> = (0..n)
            .map(|i| {
                let body = format!("request {i}").into_bytes();
                let signed_for = if i < bad { b"something else".to_vec() } else { body.clone() };
                (headers(key, &signed_for), body)
            })
            .collect();
        let checks = requests.iter().map(|(h, b)| verifier.verify_request_batched(h, b));
        join_all(checks).await.iter().filter(|result| result.is_ok()).count()
    }

    #[tokio::test]
    async fn after_a_failed_batch_the_next_signatures_are_checked_alone_for_a_while() {
        let capture = LogCapture::default();
        let _logs = tracing::subscriber::set_default(capture.clone());
        let batches = || capture.text().matches("ed25519 batch checked").count();
        let key = SigningKey::from_bytes(&[7; 32]);
        let verifier = Verifier::new(&hex::encode(key.verifying_key().as_bytes())).unwrap();

        assert_eq!(together(&verifier, &key, 4, 0).await, 4);
        assert_eq!(batches(), 1, "four good ones: one batch");
        assert_eq!(together(&verifier, &key, 4, 1).await, 3);
        assert_eq!(batches(), 2, "one bad among them: the batch fails");
        assert!(capture.text().contains("size=4 held=false"));

        // The pause: every signature alone, right or wrong, with the same answers.
        assert_eq!(
            together(&verifier, &key, PAUSE_AFTER_FAILURE - 8, 2).await,
            PAUSE_AFTER_FAILURE - 10
        );
        assert_eq!(together(&verifier, &key, 8, 0).await, 8);
        assert_eq!(batches(), 2, "no batch during the pause");

        // And batching again after it.
        assert_eq!(together(&verifier, &key, 4, 0).await, 4);
        assert_eq!(batches(), 3);
        let text = capture.text();
        assert!(
            text.lines().last().is_some_and(|line| line.contains("size=4 held=true")),
            "{text}"
        );
    }
}
