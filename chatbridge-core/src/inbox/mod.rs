//! The durable inbox: a request accepted for handling is recorded in the store before the
//! platform is answered, held under a lease while its handler runs, and removed when the
//! handler finishes. A request whose process died in between (acknowledged, never finished) is
//! found by [`Bot::recover`](crate::Bot::recover) once its lease has expired, and its handler
//! runs again; the [reply journal](crate::journal) keeps that run from repeating what the
//! first one delivered.
//!
//! | key | what | lifetime |
//! | --- | --- | --- |
//! | `inbox/{platform}/{delivery}` | the request: raw body, headers, path, arrival time | [`Inbox::keep`] (removed when the handler finishes) |
//! | `inbox-lease/{platform}/{delivery}` | the running handler's lease | [`Inbox::lease`], renewed every third of it |
//! | `journal/{platform}/{delivery}/{n}` | delivery `n` went out | [`Inbox::keep`] |
//!
//! The delivery is the request's de-duplication key (Slack's `event_id`, a Discord interaction
//! id), or a fresh id when it has none.
//!
//! It is on by default when the bot's store [is durable](crate::store::Store::is_durable)
//! (SQLite file, PostgreSQL, DynamoDB) and off with a memory store; [`BotBuilder::inbox`](crate::BotBuilder::inbox)
//! and [`BotBuilder::without_inbox`](crate::BotBuilder::without_inbox) decide otherwise. Only
//! requests that came over HTTP through [`Bot::handle`](crate::Bot::handle) go through it, and
//! not those with [`Timing::Collect`](crate::adapter::Timing::Collect) (Amazon Lex: the answer
//! is the response itself, there is nothing to deliver later).
//!
//! Who recovers: the local server at start and then every [`Inbox::sweep_every`]; on AWS
//! Lambda, an EventBridge rule invoking the function with `{"chatbridge_job":
//! "chatbridge-inbox-sweep"}` ([`SWEEP_JOB`]); anywhere else, a call to `Bot::recover`.

mod admit;
mod entry;
mod recover;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use tokio_util::sync::CancellationToken;

pub(crate) use entry::Entry;
pub use recover::Recovered;
pub(crate) use recover::sweep_loop;

use crate::answer::Tasks;
use crate::bot::DEDUPE_TTL;
use crate::journal::Journal;
use crate::store::SharedStore;
use crate::{Context, Handler, HandlerError, Message, Reply, StoreError};

/// The job name that runs [`Bot::recover`](crate::Bot::recover) through
/// [`Bot::run_job`](crate::Bot::run_job): what a Lambda sweep invocation names.
pub const SWEEP_JOB: &str = "chatbridge-inbox-sweep";

/// How the durable inbox keeps requests.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inbox {
    /// How long a handler's claim lasts without renewal: after a crash, its request is run
    /// again this long after the last renewal at the earliest. Default 10 s.
    pub lease: Duration,
    /// How long an unfinished request (and its journal) is kept for recovery. Default 30
    /// minutes: Slack's `response_url` lasts 30 minutes and Discord's interaction token 15.
    pub keep: Duration,
    /// How often the local server looks for requests to recover. Default 5 s.
    pub sweep_every: Duration,
}

impl Default for Inbox {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(10),
            keep: Duration::from_secs(30 * 60),
            sweep_every: Duration::from_secs(5),
        }
    }
}

impl Inbox {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`lease`](Self::lease) (at least 30 ms).
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(30));
        self
    }

    /// Sets [`keep`](Self::keep).
    #[must_use]
    pub fn keep(mut self, keep: Duration) -> Self {
        self.keep = keep;
        self
    }

    /// Sets [`sweep_every`](Self::sweep_every) (at least 10 ms).
    #[must_use]
    pub fn sweep_every(mut self, every: Duration) -> Self {
        self.sweep_every = every.max(Duration::from_millis(10));
        self
    }
}

/// One request held in the inbox while its handler runs.
pub(crate) struct Claim {
    store: SharedStore,
    id: String,
    owner: Bytes,
    config: Inbox,
    stop: CancellationToken,
}

impl Claim {
    /// Records a request about to be handled: its lease first, then the entry, so that no
    /// sweep ever sees the entry unclaimed. `None` when another delivery of the same request
    /// holds the lease, or took it before and finished (its mark says [handled](HANDLED): read
    /// under the lease, which a finishing claim releases only after marking).
    pub(crate) async fn admit(
        store: SharedStore,
        config: &Inbox,
        id: String,
        entry: &Entry,
    ) -> Result<Option<Self>, StoreError> {
        let Some(claim) = Self::take(store, config, id).await? else { return Ok(None) };
        let recorded = async {
            if let Some(mark) = mark_key(&claim.id)
                && claim.store.get(&mark).await?.is_some_and(|m| m.as_ref() == HANDLED)
            {
                return Ok(false);
            }
            claim.store.put(&entry_key(&claim.id), entry.encode(), Some(config.keep)).await?;
            Ok(true)
        };
        match recorded.await {
            Ok(true) => Ok(Some(claim)),
            Ok(false) => {
                claim.release().await;
                Ok(None)
            }
            Err(error) => {
                claim.release().await;
                Err(error)
            }
        }
    }

    /// Takes over an entry whose lease expired; `None` when someone holds it.
    pub(crate) async fn take(
        store: SharedStore,
        config: &Inbox,
        id: String,
    ) -> Result<Option<Self>, StoreError> {
        let claim = Self::new(store, config, id);
        let lease = Some(config.lease);
        let won = claim.store.put_if_absent(&claim.lease_key(), claim.owner.clone(), lease).await?;
        Ok(won.then_some(claim))
    }

    fn new(store: SharedStore, config: &Inbox, id: String) -> Self {
        Self {
            store,
            id,
            owner: Bytes::from(unique_id()),
            config: config.clone(),
            stop: CancellationToken::new(),
        }
    }

    fn lease_key(&self) -> String {
        format!("inbox-lease/{}", self.id)
    }

    pub(crate) fn journal(&self, replay: bool) -> Journal {
        Journal::new(Arc::clone(&self.store), &self.id, self.config.keep, replay)
    }

    /// Renews the lease until [`finish`](Self::finish).
    pub(crate) fn keep_alive(self: &Arc<Self>, tasks: &Tasks) {
        let claim = Arc::clone(self);
        tasks.spawn(async move {
            let every = claim.config.lease / 3;
            loop {
                tokio::select! {
                    () = claim.stop.cancelled() => return,
                    () = tokio::time::sleep(every) => {}
                }
                let (key, lease) = (claim.lease_key(), Some(claim.config.lease));
                if let Err(error) = claim.store.put(&key, claim.owner.clone(), lease).await {
                    tracing::warn!(%error, "inbox lease not renewed");
                }
            }
        });
    }

    /// The handler finished (or failed): the request leaves the inbox.
    pub(crate) async fn finish(&self) {
        self.stop.cancel();
        self.forget().await;
        self.release().await;
    }

    /// Gives up the lease.
    async fn release(&self) {
        if let Err(error) = self.store.delete(&self.lease_key()).await {
            tracing::warn!(%error, "inbox lease not released; it expires");
        }
    }

    /// Removes the entry, so that no recovery runs the request again, after marking its
    /// delivery [handled](HANDLED), so that no redelivery takes it over either.
    async fn forget(&self) {
        if let Some(mark) = mark_key(&self.id) {
            let handled = Bytes::from_static(HANDLED);
            if let Err(error) = self.store.put(&mark, handled, Some(DEDUPE_TTL)).await {
                tracing::warn!(%error, "delivery not marked handled; a redelivery may run it again");
                return;
            }
        }
        if let Err(error) = self.store.delete(&entry_key(&self.id)).await {
            tracing::warn!(%error, "finished request left in the inbox; a sweep may run it again");
        }
    }
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claim").field("id", &self.id).finish_non_exhaustive()
    }
}

/// What a handler's context carries while its request is in the inbox (for [`no_replay`]).
#[derive(Clone, Debug)]
pub(crate) struct Held(pub(crate) Arc<Claim>);

/// The inbox key of a request.
pub(crate) fn entry_key(id: &str) -> String {
    format!("inbox/{id}")
}

/// The value of a de-duplication mark whose request went through the inbox and left it. A mark
/// without it (empty) was set when the delivery arrived: its request may still be on its way
/// into the inbox, or its process may have died before it got there.
pub(crate) const HANDLED: &[u8] = b"handled";

/// The store key of the de-duplication mark of `platform`'s delivery `key`.
pub(crate) fn dedupe_mark(platform: &str, key: &str) -> String {
    format!("dedup/{platform}/{key}")
}

/// The de-duplication mark of the delivery an inbox id names (`None` for a delivery that had
/// no de-duplication key).
pub(crate) fn mark_key(id: &str) -> Option<String> {
    let (platform, key) = id.split_once('/')?;
    (!key.starts_with("local/")).then(|| dedupe_mark(platform, key))
}

/// The inbox id of a delivery: its de-duplication key, else a fresh id.
pub(crate) fn delivery_id(platform: &str, dedupe_key: Option<&str>) -> String {
    match dedupe_key {
        Some(key) => format!("{platform}/{key}"),
        None => format!("{platform}/local/{}", unique_id()),
    }
}

/// Unique across processes in practice: the time in nanoseconds, the process id and a counter.
fn unique_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{nanos:x}-{:x}-{n:x}", std::process::id())
}

/// A handler whose request is never run again after a crash: wrap a route whose handler has
/// effects the [journal](crate::journal) cannot make idempotent (a payment, a post through the
/// platform client, replies whose order depends on outside state).
///
/// The request leaves the inbox as the handler starts: a crash before that runs it again (it
/// had done nothing yet), a crash after it loses the rest of its work.
///
/// ```
/// use chatbridge_core::inbox::no_replay;
/// use chatbridge_core::{Context, Message, Router};
///
/// async fn transfer(_cx: Context, _msg: Message) -> &'static str { "sent" }
/// let router = Router::new().command("transfer", no_replay(transfer));
/// # let _ = router;
/// ```
pub fn no_replay<H: Handler>(handler: H) -> NoReplay<H> {
    NoReplay(handler)
}

/// See [`no_replay`].
#[derive(Clone, Debug)]
pub struct NoReplay<H>(H);

#[async_trait]
impl<H: Handler> Handler for NoReplay<H> {
    async fn call(&self, cx: Context, msg: Message) -> Result<Option<Reply>, HandlerError> {
        if let Some(Held(claim)) = cx.extensions().get::<Held>() {
            claim.forget().await;
        }
        self.0.call(cx, msg).await
    }

    fn wants(&self, msg: &Message) -> bool {
        self.0.wants(msg)
    }
}

impl crate::BotBuilder {
    /// Keeps requests in a durable [inbox](crate::inbox) with these settings, whatever the
    /// store (the default: on with [`Inbox::default`] when the store is durable).
    pub fn inbox(mut self, inbox: Inbox) -> Self {
        self.inbox = Some(Some(inbox));
        self
    }

    /// No durable inbox, whatever the store: a crash loses what was acknowledged but not done.
    pub fn without_inbox(mut self) -> Self {
        self.inbox = Some(None);
        self
    }
}
