//! [`GatewayResponder`]: answers a Gateway event through the REST API. Nothing is answered
//! inline (the Gateway has no response), so every reply is a follow-up: a reply to the message
//! (`POST /channels/{c}/messages` with a message reference and an enforced nonce), and
//! reactions with `PUT /channels/{c}/messages/{m}/reactions/{emoji}/@me`.

use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::adapter::{Ack, Responder, empty_response};
use chatbridge_core::{AdapterError, DeliveryError, Emoji, Platform, Reply, Visibility};
use http::Response;

use crate::DiscordClient;
use crate::client::MessageBody;

/// Answers one Gateway event.
pub(crate) struct GatewayResponder {
    client: DiscordClient,
    channel: String,
    /// The message replies answer and reactions go to.
    message: String,
    is_direct: bool,
    /// Replies sent so far: each reply's nonce is the message id and its number, so a retry of
    /// the same reply (even after a redelivery) carries the same nonce.
    replies: AtomicU32,
}

impl GatewayResponder {
    pub(crate) fn new(
        client: DiscordClient,
        channel: String,
        message: String,
        is_direct: bool,
    ) -> Self {
        Self { client, channel, message, is_direct, replies: AtomicU32::new(0) }
    }

    /// The nonce of the `n`th reply: its last 25 characters at most, as Discord requires (the
    /// message id is a snowflake, at most 20 ASCII digits, so only its leading digits can go).
    fn nonce(&self, n: u32) -> String {
        let nonce = format!("{}-{n}", self.message);
        let start = nonce.len().saturating_sub(25);
        nonce.get(start..).unwrap_or(&nonce).to_owned()
    }
}

#[async_trait]
impl Responder for GatewayResponder {
    fn respond(&self, _replies: Vec<Reply>) -> Result<Response<Bytes>, AdapterError> {
        // Gateway events are dispatched with `Timing::Immediate`: nothing goes inline.
        Err(AdapterError::Internal("a Gateway event has no inline response".into()))
    }

    fn acknowledge(&self, _ack: Ack) -> Response<Bytes> {
        empty_response()
    }

    async fn follow_up(&self, reply: Reply) -> Result<(), DeliveryError> {
        let mut body = MessageBody::from_reply(&reply);
        if body.is_empty() {
            return Ok(());
        }
        if reply.visibility == Visibility::Ephemeral {
            // Only interaction responses can be ephemeral; a DM is private anyway.
            if !self.is_direct {
                return Err(unsupported("a channel message cannot be ephemeral"));
            }
            body.flags = None;
        }
        let n = self.replies.fetch_add(1, Ordering::SeqCst);
        self.client.create_reply(&self.channel, &self.message, &body, &self.nonce(n)).await?;
        Ok(())
    }

    async fn react(&self, emoji: Emoji) -> Result<(), DeliveryError> {
        // Discord takes the character (or a custom emoji's `name:id`); a bare name goes
        // through the client's table of common names.
        let emoji = emoji.character().or(emoji.name()).ok_or(unsupported("an empty emoji"))?;
        self.client.add_reaction(&self.channel, &self.message, emoji).await
    }
}

fn unsupported(reason: &'static str) -> DeliveryError {
    DeliveryError::Unsupported { platform: Platform::DISCORD, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_at_most_25_characters_and_differs_per_reply() {
        let client = DiscordClient::new("1", None, "http://127.0.0.1:9").expect("a client");
        let responder =
            GatewayResponder::new(client, "1".into(), "18446744073709551615".into(), false);
        assert_eq!(responder.nonce(0), "18446744073709551615-0");
        assert_eq!(responder.nonce(1), "18446744073709551615-1");
        assert_eq!(responder.nonce(12345), "8446744073709551615-12345");
        assert_ne!(responder.nonce(123_456), responder.nonce(1_123_456));
    }
}
