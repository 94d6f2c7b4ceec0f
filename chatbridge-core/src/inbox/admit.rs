//! The inbox's hooks in dispatch: a request recorded before it is answered, and a recovered
//! one run again.

use std::sync::Arc;

use bytes::Bytes;
use http::{Response, StatusCode};
use tokio_util::task::TaskTracker;

use super::{Claim, Entry, delivery_id};
use crate::adapter::{Incoming, Timing};
use crate::answer::{Durable, answer};
use crate::{Bot, BotError, plain};

impl Bot {
    /// Records `incoming` in the inbox before anything answers the platform; `None` when it
    /// does not go there (no inbox, not over HTTP, or a response that is the whole answer).
    /// A store failure gives a 503, after releasing the de-duplication mark, so that the
    /// platform's retry is handled.
    pub(crate) async fn admit(
        &self,
        incoming: &Incoming,
        entry: Option<Entry>,
    ) -> Result<Option<Durable>, Response<Bytes>> {
        let (Some(config), Some(entry)) = (self.inbox(), entry) else { return Ok(None) };
        if matches!(incoming.timing, Timing::Collect(_)) {
            return Ok(None);
        }
        let platform = incoming.message.platform;
        let key = incoming.dedupe_key.as_deref();
        let id = delivery_id(&platform.to_string(), key);
        match Claim::admit(Arc::clone(self.store()), config, id, &entry).await {
            Ok(claim) => Ok(Some(Durable { claim: Arc::new(claim), replay: false })),
            Err(error) => {
                tracing::error!(%platform, %error, "inbox store failed");
                self.report(BotError::Store(error));
                if let Some(key) = key {
                    let _ = self.store().delete(&format!("dedup/{platform}/{key}")).await;
                }
                Err(plain(StatusCode::SERVICE_UNAVAILABLE, "try again later"))
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
