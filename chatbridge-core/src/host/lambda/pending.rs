//! Matching an invocation's continuations to the extension's `INVOKE` event by request id.
//!
//! The runtime loop and the extension see each invocation independently, in either order;
//! emulators sometimes drop the extension's events. So each side waits for the other only
//! within bounds, and a finished invocation is remembered for a while, so that a late `INVOKE`
//! returns at once instead of waiting for an invocation that already ended.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio_util::task::TaskTracker;

/// How long an `INVOKE` waits for its invocation to show up before letting the sandbox go.
const APPEAR_WAIT: Duration = Duration::from_secs(2);
/// Finished request ids remembered.
const REMEMBERED: usize = 256;
/// A safety margin before the invocation's deadline.
const MARGIN: Duration = Duration::from_millis(200);

#[derive(Debug, Default)]
pub(super) struct Pending {
    state: Mutex<State>,
    changed: Notify,
}

#[derive(Debug, Default)]
struct State {
    running: HashMap<String, TaskTracker>,
    finished: VecDeque<(String, TaskTracker)>,
}

impl Pending {
    /// An invocation starts: its tracker.
    pub(super) fn begin(&self, request_id: &str) -> TaskTracker {
        let tracker = TaskTracker::new();
        self.lock().running.insert(request_id.to_owned(), tracker.clone());
        self.changed.notify_waiters();
        tracker
    }

    /// An invocation's response went out; its tracker (closed) holds what still runs.
    pub(super) fn finish(&self, request_id: &str, tracker: TaskTracker) {
        let mut state = self.lock();
        state.running.remove(request_id);
        state.finished.push_back((request_id.to_owned(), tracker));
        while state.finished.len() > REMEMBERED {
            state.finished.pop_front();
        }
        drop(state);
        self.changed.notify_waiters();
    }

    /// The extension's side: hold until the invocation's continuations are done, or the
    /// deadline (less a margin) comes.
    pub(super) async fn hold(&self, request_id: &str, deadline: Instant) {
        let deadline = deadline.checked_sub(MARGIN).unwrap_or(deadline);
        let appear_by = (Instant::now() + APPEAR_WAIT).min(deadline);
        let tracker = loop {
            let notified = self.changed.notified();
            if let Some(tracker) = self.find(request_id) {
                break tracker;
            }
            if tokio::time::timeout_at(appear_by.into(), notified).await.is_err() {
                tracing::debug!(request_id, "no invocation seen for INVOKE; not holding");
                return;
            }
        };
        let started = Instant::now();
        let waited = tokio::time::timeout_at(deadline.into(), async {
            // Wait for the response first (the tracker is closed then), then for the work.
            loop {
                let notified = self.changed.notified();
                if tracker.is_closed() {
                    break;
                }
                notified.await;
            }
            tracker.wait().await;
        })
        .await;
        let held_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match waited {
            Ok(()) => {
                tracing::info!(request_id, held_ms, "held the sandbox until continuations finished")
            }
            Err(_) => {
                tracing::warn!(request_id, held_ms, "continuations still running at the deadline")
            }
        }
    }

    fn find(&self, request_id: &str) -> Option<TaskTracker> {
        let state = self.lock();
        state.running.get(request_id).cloned().or_else(|| {
            state.finished.iter().rev().find(|(id, _)| id == request_id).map(|(_, t)| t.clone())
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn holds_until_the_invocations_continuations_finish() {
        let pending = std::sync::Arc::new(Pending::default());
        let tracker = pending.begin("req-1");
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        tracker.spawn(async move {
            tokio::time::sleep(Duration::from_millis(150)).await;
            let _ = tx.send(());
        });
        tracker.close();
        pending.finish("req-1", tracker);
        pending.hold("req-1", Instant::now() + Duration::from_secs(10)).await;
        assert!(rx.try_recv().is_ok(), "hold returned before the follow-up finished");
    }

    #[tokio::test]
    async fn an_invoke_seen_before_the_invocation_waits_for_it() {
        let pending = std::sync::Arc::new(Pending::default());
        let holder = {
            let pending = std::sync::Arc::clone(&pending);
            tokio::spawn(async move {
                pending.hold("req-2", Instant::now() + Duration::from_secs(10)).await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let tracker = pending.begin("req-2");
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&done);
        tracker.spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        tracker.close();
        pending.finish("req-2", tracker);
        holder.await.unwrap();
        assert!(done.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[tokio::test]
    async fn an_unknown_invocation_is_not_held_past_the_appearance_bound() {
        let pending = Pending::default();
        let started = Instant::now();
        pending.hold("never", Instant::now() + Duration::from_millis(300)).await;
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_hold_never_outlasts_the_deadline() {
        let pending = Pending::default();
        let tracker = pending.begin("req-3");
        tracker.spawn(std::future::pending::<()>());
        tracker.close();
        pending.finish("req-3", tracker);
        let started = Instant::now();
        pending.hold("req-3", Instant::now() + Duration::from_millis(400)).await;
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
