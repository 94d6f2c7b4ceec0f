//! One shard: its events made into messages and dispatched, its state reported, its close.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chatbridge_core::adapter::{Incoming, Timing};
use chatbridge_core::host::connection::Readiness;
use chatbridge_core::{Bot, BoxError, Message};
use futures_util::StreamExt as _;
use http::StatusCode;
use tokio_util::sync::CancellationToken;
use twilight_gateway::error::ReceiveMessageErrorType;
use twilight_gateway::{CloseFrame, Event, EventTypeFlags, Shard, ShardState, StreamExt as _};
use twilight_model::gateway::CloseCode;
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;

use super::message::{dedupe_key, from_message, from_reaction};
use super::responder::GatewayResponder;
use crate::DiscordClient;

/// The events a shard reads; every other dispatch is skipped unparsed.
const EVENTS: EventTypeFlags = EventTypeFlags::READY
    .union(EventTypeFlags::RESUMED)
    .union(EventTypeFlags::MESSAGE_CREATE)
    .union(EventTypeFlags::REACTION_ADD)
    .union(EventTypeFlags::GATEWAY_RECONNECT)
    .union(EventTypeFlags::GATEWAY_INVALIDATE_SESSION);

/// How long a shard waits for Discord to answer its close frame at shutdown.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// What every shard shares.
pub(super) struct Shared {
    pub(super) bot: Bot,
    pub(super) client: DiscordClient,
    pub(super) ready: ShardsReady,
}

/// The connection is ready while every shard has a session (READY or RESUMED received).
pub(super) struct ShardsReady {
    readiness: Readiness,
    shards: Mutex<Vec<bool>>,
}

impl ShardsReady {
    pub(super) fn new(readiness: Readiness, count: usize) -> Self {
        readiness.set(false);
        Self { readiness, shards: Mutex::new(vec![false; count]) }
    }

    pub(super) fn set(&self, shard: usize, ready: bool) {
        let mut shards = self.shards.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(flag) = shards.get_mut(shard) {
            *flag = ready;
        }
        // Under the lock, so that two shards cannot report out of order.
        self.readiness.set(shards.iter().all(|r| *r));
    }
}

/// Runs one shard until `shutdown` (then closes with code 1000: the session ends) or until a
/// close code that retrying cannot mend.
pub(super) async fn run(
    mut shard: Shard,
    shared: Arc<Shared>,
    index: usize,
    shutdown: CancellationToken,
) -> Result<(), BoxError> {
    let mut own_id: Option<Id<UserMarker>> = None;
    let mut last_close: Option<u16> = None;
    loop {
        let item = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            item = shard.next_event(EVENTS) => item,
        };
        let event = match item {
            // The shard closed for good: a fatal close code.
            None => {
                shared.ready.set(index, false);
                return Err(fatal(last_close).into());
            }
            Some(Err(error)) => {
                let (kind, source) = error.into_parts();
                let source = source.map(|s| s.to_string()).unwrap_or_default();
                match kind {
                    ReceiveMessageErrorType::Reconnect => {
                        tracing::warn!(shard = index, %source, "could not reconnect to the Gateway; retrying");
                    }
                    // Malformed frames, unknown opcodes, events of an unexpected shape: the
                    // event's text stays out of the log (it holds people's messages).
                    _ => tracing::warn!(shard = index, %source, "Gateway message skipped"),
                }
                continue;
            }
            Some(Ok(event)) => event,
        };
        match event {
            Event::Ready(ready) => {
                own_id = Some(ready.user.id);
                tracing::info!(shard = index, "Gateway session started");
                shared.ready.set(index, true);
            }
            Event::Resumed => {
                tracing::info!(shard = index, "Gateway session resumed");
                shared.ready.set(index, true);
            }
            Event::GatewayReconnect | Event::GatewayInvalidateSession(_) => {
                shared.ready.set(index, false);
            }
            Event::GatewayClose(frame) => {
                shared.ready.set(index, false);
                last_close = frame.map(|f| f.code);
                tracing::info!(shard = index, code = ?last_close, "Gateway connection closed; reconnecting");
            }
            Event::MessageCreate(created) => {
                dispatch(&shared, from_message(Box::new(created.0), own_id)).await;
            }
            Event::ReactionAdd(reaction) => {
                dispatch(&shared, from_reaction(Box::new(reaction.0), own_id)).await;
            }
            _ => {}
        }
    }
    shared.ready.set(index, false);
    close(&mut shard, index).await;
    Ok(())
}

/// Hands a message to the bot: de-duplicated by its id, answered through REST.
async fn dispatch(shared: &Shared, message: Option<Message>) {
    let Some(message) = message else { return };
    let Some(id) = message.id.as_ref().map(|id| id.as_str().to_owned()) else { return };
    let key = dedupe_key(&message);
    let responder = GatewayResponder::new(
        shared.client.clone(),
        message.conversation.as_str().to_owned(),
        id,
        message.is_direct,
    );
    let mut incoming =
        Incoming::new(message, responder, Timing::Immediate).extension(shared.client.clone());
    if let Some(key) = key {
        incoming = incoming.dedupe_key(key);
    }
    let answer = shared.bot.dispatch(incoming).await;
    if answer.status() == StatusCode::SERVICE_UNAVAILABLE {
        tracing::error!("a Gateway event was not handled: the de-duplication store failed");
    }
}

/// Sends close code 1000 and waits (bounded) for Discord's answer.
async fn close(shard: &mut Shard, index: usize) {
    if !matches!(shard.state(), ShardState::Active | ShardState::Resuming | ShardState::Identifying)
    {
        return;
    }
    shard.close(CloseFrame::NORMAL);
    let closed = tokio::time::timeout(CLOSE_WAIT, async {
        while let Some(item) = shard.next().await {
            if let Ok(twilight_gateway::Message::Close(_)) = item {
                break;
            }
        }
    });
    if closed.await.is_err() {
        tracing::warn!(shard = index, "the Gateway did not answer the close in time");
    }
}

/// The error for a close code that retrying cannot mend.
fn fatal(code: Option<u16>) -> String {
    let code_name = code.and_then(|c| CloseCode::try_from(c).ok());
    let hint = match code_name {
        Some(CloseCode::AuthenticationFailed) => {
            "Discord refused the bot token: check DISCORD_BOT_TOKEN"
        }
        Some(CloseCode::DisallowedIntents) => {
            "an intent the application may not use: enable the Message Content intent in the developer portal"
        }
        Some(CloseCode::InvalidIntents) => "the intents are not valid",
        Some(CloseCode::ShardingRequired | CloseCode::InvalidShard) => {
            "the shard count is not valid"
        }
        Some(CloseCode::InvalidApiVersion) => "the Gateway version is not supported",
        _ => "the Gateway closed the connection for good",
    };
    match code {
        Some(code) => format!("{hint} (close code {code})"),
        None => hint.to_owned(),
    }
}
