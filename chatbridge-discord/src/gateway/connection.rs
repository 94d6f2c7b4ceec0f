//! [`DiscordGateway`] as a [`Connection`]: where to connect, the shards, and their end.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chatbridge_core::host::connection::{Connection, Readiness};
use chatbridge_core::{Bot, BoxError, DeliveryError};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use twilight_gateway::ConfigBuilder;
use twilight_gateway::queue::InMemoryQueue;

use super::shard::{ShardsReady, Shared};
use super::{DiscordGateway, NAME};
use crate::client::GatewayBot;

#[async_trait]
impl Connection for DiscordGateway {
    fn name(&self) -> &str {
        NAME
    }

    async fn run(
        self: Box<Self>,
        bot: Bot,
        ready: Readiness,
        shutdown: CancellationToken,
    ) -> Result<(), BoxError> {
        let Some(info) = self.locate(&shutdown).await? else { return Ok(()) };
        let total = info.shards.max(1);
        let limit = info.session_start_limit;
        // IDENTIFYs paced as Discord allows: `max_concurrency` every 5 seconds, within the
        // sessions left.
        let queue = InMemoryQueue::new(
            limit.max_concurrency.max(1),
            limit.remaining,
            Duration::from_millis(limit.reset_after),
            limit.total,
        );
        let url = info.url.trim_end_matches('/').to_owned();
        tracing::info!(shards = total, "connecting to the Discord Gateway");
        let config = ConfigBuilder::new(self.token.expose_secret().to_owned(), self.intents)
            .proxy_url(url)
            .queue(queue)
            .build();
        let shards = twilight_gateway::create_iterator(0..total, total, config, |_, b| b.build());
        let shared = Arc::new(Shared {
            bot,
            client: self.client.clone(),
            ready: ShardsReady::new(ready, shards.len()),
        });
        let stop = shutdown.child_token();
        let mut tasks = JoinSet::new();
        for (index, shard) in shards.enumerate() {
            tasks.spawn(super::shard::run(shard, Arc::clone(&shared), index, stop.clone()));
        }
        let mut failure: Option<BoxError> = None;
        while let Some(done) = tasks.join_next().await {
            let error = match done {
                Ok(Ok(())) => continue,
                Ok(Err(error)) => error,
                Err(join) => format!("a Gateway shard task failed: {join}").into(),
            };
            // One shard cannot go on: the others close too, and the error is reported once.
            stop.cancel();
            failure.get_or_insert(error);
        }
        failure.map_or(Ok(()), Err)
    }
}

impl DiscordGateway {
    /// Asks `GET /gateway/bot` where to connect, retrying with backoff while Discord is
    /// unreachable or failing; `None` when shut down meanwhile.
    async fn locate(&self, shutdown: &CancellationToken) -> Result<Option<GatewayBot>, BoxError> {
        let mut wait = self.backoff.first;
        loop {
            let answer = tokio::select! {
                biased;
                () = shutdown.cancelled() => return Ok(None),
                answer = self.client.gateway_bot() => answer,
            };
            match answer {
                Ok(info) => return Ok(Some(info)),
                Err(DeliveryError::Platform { status: Some(401), .. }) => {
                    return Err("Discord refused the bot token (401 from /gateway/bot): check \
                                DISCORD_BOT_TOKEN"
                        .into());
                }
                Err(error) => {
                    tracing::warn!(%error, ?wait, "could not ask Discord where its Gateway is; retrying");
                }
            }
            tokio::select! {
                biased;
                () = shutdown.cancelled() => return Ok(None),
                () = tokio::time::sleep(wait) => {}
            }
            wait = wait.saturating_mul(2).min(self.backoff.max);
        }
    }
}
