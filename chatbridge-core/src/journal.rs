//! The reply journal: what a handler already delivered, so that running it again after a crash
//! repeats none of it.
//!
//! Each delivery a handler makes (an inline reply, a follow-up, a reaction) takes the next
//! number, in the order of its `cx.reply(…)` calls: a reply with a reaction takes two, the
//! reaction first. A delivery is recorded under `journal/{request}/{number}` once the platform
//! accepted it (an inline reply: once it is handed to the HTTP response). When the
//! [inbox](crate::inbox) runs the handler again, each numbered delivery already recorded is
//! skipped, and the rest go out.
//!
//! This holds when the handler makes the same calls in the same order on every run. A handler
//! must not:
//!
//! - choose *whether*, *how many* or *in which order* to reply from outside state that can
//!   change between runs (a counter in the store, the time, a random choice, an API's answer):
//!   the numbers then name other replies, and a reply may go out twice or not at all;
//! - reply from concurrent tasks whose order varies (`join!` of two `cx.reply` calls, spawned
//!   tasks that reply);
//! - have effects of its own outside `cx.reply` (a post through the platform client, a
//!   database write): those run again. Make them idempotent, or opt the route out with
//!   [`no_replay`](crate::inbox::no_replay).
//!
//! What a reply *says* may change (a time in its text): only its number matters.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bytes::Bytes;

use crate::DeliveryError;
use crate::store::SharedStore;

/// The journal of one request's deliveries.
pub(crate) struct Journal {
    store: SharedStore,
    /// `journal/{request id}/`.
    prefix: String,
    ttl: Duration,
    /// Whether this is a run after a crash: only then can deliveries already be recorded.
    replay: bool,
    next: AtomicU32,
}

impl Journal {
    pub(crate) fn new(store: SharedStore, id: &str, ttl: Duration, replay: bool) -> Self {
        Self { store, prefix: format!("journal/{id}/"), ttl, replay, next: AtomicU32::new(0) }
    }

    /// The next delivery's number.
    pub(crate) fn number(&self) -> u32 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    fn key(&self, number: u32) -> String {
        format!("{}{number:08}", self.prefix)
    }

    /// Whether delivery `number` went out on an earlier run. A store failure counts as not
    /// delivered: a repeat is better than a loss.
    pub(crate) async fn delivered(&self, number: u32) -> bool {
        if !self.replay {
            return false;
        }
        match self.store.get(&self.key(number)).await {
            Ok(found) => found.is_some(),
            Err(error) => {
                tracing::warn!(%error, number, "reply journal unreadable; delivering");
                false
            }
        }
    }

    /// Records that delivery `number` went out.
    pub(crate) async fn record(&self, number: u32) {
        let recorded = self.store.put(&self.key(number), Bytes::new(), Some(self.ttl)).await;
        if let Err(error) = recorded {
            // The delivery went out; only a crash before the handler finishes would repeat it.
            tracing::warn!(%error, number, "delivery not recorded in the reply journal");
        }
    }
}

/// Runs `deliver` unless the journal holds delivery `number`, and records it once it went out.
/// Without a journal (or a number), just delivers.
pub(crate) async fn once(
    journal: Option<&Journal>,
    number: Option<u32>,
    deliver: impl Future<Output = Result<(), DeliveryError>>,
) -> Result<(), DeliveryError> {
    let (Some(journal), Some(number)) = (journal, number) else { return deliver.await };
    if journal.delivered(number).await {
        tracing::debug!(number, "delivered before a crash; skipped");
        crate::counters::skipped();
        return Ok(());
    }
    deliver.await?;
    journal.record(number).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::MemoryStore;

    #[tokio::test]
    async fn a_replay_sees_what_the_first_run_recorded_and_nothing_else() {
        let store: SharedStore = Arc::new(MemoryStore::new());
        let ttl = Duration::from_secs(60);
        let first = Journal::new(Arc::clone(&store), "slack/Ev1", ttl, false);
        assert_eq!((first.number(), first.number()), (0, 1));
        first.record(0).await;
        assert!(!first.delivered(0).await, "a first run never skips");
        let again = Journal::new(Arc::clone(&store), "slack/Ev1", ttl, true);
        assert_eq!(again.number(), 0);
        assert!(again.delivered(0).await);
        assert!(!again.delivered(1).await);
        let other = Journal::new(store, "slack/Ev2", ttl, true);
        assert!(!other.delivered(0).await, "journals are per request");
    }
}
