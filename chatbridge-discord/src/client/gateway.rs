//! The REST calls the Gateway needs: where to connect (`GET /gateway/bot`), and a reply to a
//! channel message (`POST /channels/{c}/messages` with a message reference and a nonce).

use chatbridge_core::DeliveryError;
use http::Method;
use serde::{Deserialize, Serialize};

use super::{Call, DiscordClient, MessageBody, ratelimit::Route, request::message_id, to_json};

/// What `GET /gateway/bot` answers: the URL to connect to, the recommended number of shards,
/// and how many sessions may still be started.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[non_exhaustive]
pub struct GatewayBot {
    /// The WebSocket URL (`wss://gateway.discord.gg`), without a query.
    pub url: String,
    /// The recommended number of shards.
    #[serde(default = "one")]
    pub shards: u32,
    /// The session start limit.
    #[serde(default)]
    pub session_start_limit: SessionStartLimit,
}

/// How many IDENTIFYs the bot may still send, and how fast.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[non_exhaustive]
pub struct SessionStartLimit {
    /// Sessions allowed per period.
    pub total: u32,
    /// Sessions left in this period.
    pub remaining: u32,
    /// Milliseconds until the period resets.
    pub reset_after: u64,
    /// IDENTIFYs allowed every 5 seconds.
    pub max_concurrency: u16,
}

impl Default for SessionStartLimit {
    fn default() -> Self {
        Self { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 }
    }
}

fn one() -> u32 {
    1
}

/// A channel message that replies to another one, sent at most once per nonce.
#[derive(Serialize)]
struct ReplyBody<'a> {
    #[serde(flatten)]
    body: &'a MessageBody,
    message_reference: Reference<'a>,
    nonce: &'a str,
    enforce_nonce: bool,
}

#[derive(Serialize)]
struct Reference<'a> {
    message_id: &'a str,
    /// Post the reply even when the message it answers was deleted meanwhile.
    fail_if_not_exists: bool,
}

impl DiscordClient {
    /// Where the bot's Gateway is (`GET /gateway/bot`, with the bot token).
    ///
    /// # Errors
    ///
    /// [`DeliveryError::Unsupported`] without a bot token; [`DeliveryError::Platform`] with
    /// status 401 for a token Discord refuses; rate limiting past the policy, a transport
    /// failure, or an answer that is not the documented object.
    pub async fn gateway_bot(&self) -> Result<GatewayBot, DeliveryError> {
        let route = Route { template: "GET /gateway/bot".to_owned(), major: String::new() };
        let answer = self.send(Call::rest(Method::GET, &["gateway", "bot"], route, None)).await?;
        serde_json::from_slice(&answer).map_err(|e| DeliveryError::Transport {
            platform: chatbridge_core::Platform::DISCORD,
            source: Box::new(e),
        })
    }

    /// Replies to message `reply_to` in `channel_id` (`POST /channels/{c}/messages` with a
    /// `message_reference`); returns the new message's id. The `nonce` (at most 25 characters)
    /// is enforced: Discord answers a second send with the same nonce, within a few minutes,
    /// with the message it already created, so a retried reply is never posted twice.
    ///
    /// # Errors
    ///
    /// As for [`create_message`](Self::create_message).
    pub async fn create_reply(
        &self,
        channel_id: &str,
        reply_to: &str,
        body: &MessageBody,
        nonce: &str,
    ) -> Result<String, DeliveryError> {
        let segments = ["channels", channel_id, "messages"];
        let route = Route {
            template: "POST /channels/{c}/messages".to_owned(),
            major: channel_id.to_owned(),
        };
        let body = ReplyBody {
            body,
            message_reference: Reference { message_id: reply_to, fail_if_not_exists: false },
            nonce,
            enforce_nonce: true,
        };
        let answer =
            self.send(Call::rest(Method::POST, &segments, route, Some(to_json(&body)?))).await?;
        Ok(message_id(&answer))
    }
}
