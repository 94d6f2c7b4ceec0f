//! The inbox's hooks in dispatch: a request recorded before it is answered, a redelivery
//! whose first delivery never got there, and a recovered request run again.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Response, StatusCode};
use tokio_util::task::TaskTracker;

use super::{Claim, Entry, HANDLED, dedupe_mark, delivery_id, entry_key, mark_key};
use crate::adapter::{Ack, Incoming, Timing};
use crate::answer::{Durable, answer};
use crate::store::SharedStore;
use crate::{Bot, BotError, StoreError, plain};

impl Bot {
    /// Records `incoming` in the inbox before anything answers the platform; `None` when it
    /// does not go there (no inbox, not over HTTP, or a response that is the whole answer).
    /// A store failure gives a 503, after releasing the de-duplication mark, so that the
    /// platform's retry is handled.
    pub(crate) async fn admit(
        &self,
        incoming: &Incoming,
        entry: Entry,
    ) -> Result<Option<Durable>, Response<Bytes>> {
        let Some(config) = self.inbox() else { return Ok(None) };
        if matches!(incoming.timing, Timing::Collect(_)) {
            return Ok(None);
        }
        let platform = incoming.message.platform;
        let key = incoming.dedupe_key.as_deref();
        let id = delivery_id(platform.name(), key);
        match Claim::admit(Arc::clone(self.store()), config, id, &entry).await {
            Ok(Some(claim)) => Ok(Some(Durable { claim: Arc::new(claim), replay: false })),
            Ok(None) => Err(duplicate(incoming)),
            Err(error) => {
                tracing::error!(%platform, %error, "inbox store failed");
                self.report(BotError::Store(error));
                if let Some(key) = key {
                    let _ = self.store().delete(&dedupe_mark(platform.name(), key)).await;
                }
                Err(plain(StatusCode::SERVICE_UNAVAILABLE, "try again later"))
            }
        }
    }

    /// Answers a delivery whose de-duplication mark was already set. Usually a duplicate,
    /// acknowledged and not handled. But with the inbox, the mark is set before the request is
    /// recorded, so a process that dies in between leaves a mark for a request that is nowhere:
    /// a redelivery that finds the mark unfinished and no entry takes the request over (once:
    /// whoever takes its lease first). While another delivery holds that lease without having
    /// recorded the request yet, it waits a little for it, then answers 503, so that the
    /// platform tries again.
    pub(crate) async fn redelivered(
        &self,
        incoming: Incoming,
        scope: Option<TaskTracker>,
        entry: Option<Entry>,
    ) -> Response<Bytes> {
        let (Some(config), Some(entry), Some(key)) =
            (self.inbox(), entry, incoming.dedupe_key.as_deref())
        else {
            return duplicate(&incoming);
        };
        if matches!(incoming.timing, Timing::Collect(_)) {
            return duplicate(&incoming);
        }
        let platform = incoming.message.platform;
        let id = delivery_id(platform.name(), Some(key));
        let store = Arc::clone(self.store());
        let mut waits = 0;
        let taken = loop {
            match settled(&store, &id).await {
                Ok(true) => return duplicate(&incoming),
                Ok(false) => {}
                Err(error) => break Err(error),
            }
            match Claim::admit(Arc::clone(&store), config, id.clone(), &entry).await {
                Ok(None) if waits < RECORDING_WAITS => {
                    waits += 1;
                    tokio::time::sleep(RECORDING_POLL).await;
                }
                taken => break taken,
            }
        };
        match taken {
            Ok(Some(claim)) => {
                tracing::info!(%platform, "a redelivery handles a request its first delivery never recorded");
                crate::counters::received(platform);
                let durable = Durable { claim: Arc::new(claim), replay: false };
                answer(self.env(scope, Some(durable)), incoming).await
            }
            Ok(None) => plain(StatusCode::SERVICE_UNAVAILABLE, "being recorded; try again later"),
            Err(error) => {
                tracing::error!(%platform, %error, "inbox store failed");
                self.report(BotError::Store(error));
                plain(StatusCode::SERVICE_UNAVAILABLE, "try again later")
            }
        }
    }

    /// Runs a recovered request's handler again, as a rerun: every delivery follows, those in
    /// the journal skipped. The work is tracked on `scope` too.
    pub(crate) async fn replay(
        &self,
        incoming: Incoming,
        claim: Arc<Claim>,
        scope: TaskTracker,
    ) -> Result<(), String> {
        if !self.handler().wants(&incoming.message) {
            return Err("no handler wants it any more".into());
        }
        let durable = Durable { claim, replay: true };
        let _ack = answer(self.env(Some(scope), Some(durable)), incoming).await;
        Ok(())
    }
}

/// How often, and how many times, a redelivery looks again for a request that another delivery
/// is recording: half a second in all, well within every platform's deadline.
const RECORDING_POLL: Duration = Duration::from_millis(50);
const RECORDING_WAITS: u32 = 10;

/// Whether the delivery `id` needs nothing more from a redelivery: its mark is gone or says
/// handled, or its request is in the inbox (where its claim or a sweep will finish it).
async fn settled(store: &SharedStore, id: &str) -> Result<bool, StoreError> {
    let Some(mark) = mark_key(id) else { return Ok(true) };
    let mark = store.get(&mark).await?;
    if mark.is_none_or(|mark| mark.as_ref() == HANDLED) {
        return Ok(true);
    }
    Ok(store.get(&entry_key(id)).await?.is_some())
}

/// A duplicate delivery: acknowledged, not handled again.
fn duplicate(incoming: &Incoming) -> Response<Bytes> {
    let platform = incoming.message.platform;
    tracing::info!(%platform, "duplicate delivery acknowledged, not handled again");
    crate::counters::deduplicated(platform);
    incoming.responder.acknowledge(Ack::Duplicate)
}
