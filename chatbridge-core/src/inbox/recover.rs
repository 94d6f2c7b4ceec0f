//! Recovery: requests acknowledged but never finished, run again once their lease expired.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use tokio_util::task::TaskTracker;

use super::{Claim, Entry};
use crate::adapter::Accepted;
use crate::{Bot, BotError, StoreError};

/// What one [`Bot::recover`] found and did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recovered {
    /// Unfinished requests in the inbox.
    pub found: usize,
    /// Of those, held by a live lease (their handler runs somewhere).
    pub held: usize,
    /// Run again, to their end.
    pub replayed: usize,
    /// Removed without running: unreadable, no adapter at their path any more, refused by
    /// their adapter, or wanted by no handler.
    pub dropped: usize,
}

impl Bot {
    /// Runs again every request in the [inbox](crate::inbox) whose handler never finished and
    /// whose lease has expired, and waits for those runs. Each rerun answers nothing over HTTP
    /// (the platform had its answer); its deliveries go out as follow-ups and reactions, those
    /// the [journal](crate::journal) holds skipped. Does nothing without an inbox.
    ///
    /// The local server calls it on start and every [`Inbox::sweep_every`](super::Inbox);
    /// on AWS Lambda a scheduled invocation naming [`SWEEP_JOB`](super::SWEEP_JOB) does.
    ///
    /// # Errors
    ///
    /// The store failed to list or claim entries; runs already started go on.
    pub async fn recover(&self) -> Result<Recovered, StoreError> {
        let Some(config) = self.inbox() else { return Ok(Recovered::default()) };
        let store = Arc::clone(self.store());
        let scope = TaskTracker::new();
        let mut report = Recovered::default();
        let entries = store.scan("inbox/").await?;
        for (key, value) in entries {
            report.found += 1;
            let id = key.strip_prefix("inbox/").unwrap_or(&key).to_owned();
            let Some(claim) = Claim::take(Arc::clone(&store), config, id.clone()).await? else {
                report.held += 1;
                continue;
            };
            let claim = Arc::new(claim);
            match self.rerun(&value, Arc::clone(&claim), &scope).await {
                Ok(()) => {
                    tracing::info!(delivery = %id, "unfinished request run again");
                    crate::counters::replayed();
                    report.replayed += 1;
                }
                Err(reason) => {
                    tracing::warn!(delivery = %id, %reason, "unfinished request dropped");
                    claim.finish().await;
                    report.dropped += 1;
                }
            }
        }
        scope.close();
        scope.wait().await;
        Ok(report)
    }

    async fn rerun(
        &self,
        value: &[u8],
        claim: Arc<Claim>,
        scope: &TaskTracker,
    ) -> Result<(), String> {
        let entry = Entry::decode(value)?;
        let adapter = self.adapter_for(&entry.path).ok_or("no adapter at its path")?;
        let platform = adapter.platform();
        let request = entry.to_request()?;
        let accepted = AssertUnwindSafe(adapter.accept(request))
            .catch_unwind()
            .await
            .map_err(|_| "the adapter panicked".to_owned())?;
        let incoming = match accepted {
            Ok(Accepted::Incoming(incoming)) => incoming,
            Ok(_) => return Err("the adapter answered it without a handler".into()),
            Err(error) => {
                let reason = error.to_string();
                self.report(BotError::Rejected { platform, error });
                return Err(reason);
            }
        };
        self.replay(incoming, claim, scope.clone()).await
    }
}

/// Recovers on start, then every [`Inbox::sweep_every`](super::Inbox), until dropped.
pub(crate) async fn sweep_loop(bot: Bot) {
    let Some(every) = bot.inbox().map(|config| config.sweep_every) else { return };
    loop {
        let sweeping = bot.clone();
        bot.tasks().spawn(async move {
            if let Err(error) = sweeping.recover().await {
                tracing::warn!(%error, "inbox sweep failed");
            }
        });
        tokio::time::sleep(every).await;
    }
}
