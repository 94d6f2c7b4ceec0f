//! Replies after the HTTP response: reactions through `reactions.add`, replies to commands and
//! interactions through their `response_url` (within its 5 uses and 30 minutes), and the rest
//! through `chat.postMessage` or `chat.postEphemeral`.

use std::time::Duration;

use chatbridge_core::adapter::Delivery;
use chatbridge_core::{DeliveryError, Message, Platform, Reply, Visibility};

use crate::{SlackClient, SlackMessageExt, SlackPayload, reply};

/// How many times Slack accepts posts to one `response_url`.
pub(crate) const RESPONSE_URL_USES: usize = 5;
/// How long a `response_url` lives after the request.
pub(crate) const RESPONSE_URL_LIFETIME: Duration = Duration::from_secs(30 * 60);

pub(crate) async fn deliver(
    client: &SlackClient,
    delivery: Delivery<'_>,
) -> Result<(), DeliveryError> {
    let message = delivery.message;
    let (reply, reaction) = delivery.reply.take_reaction();
    if let Some(emoji) = reaction {
        let (Some(ts), false) = (&message.id, message.conversation.is_empty()) else {
            return Err(unsupported("there is no source message to react to"));
        };
        // Slack reacts by name only; a character-only emoji has none to give it.
        let name = emoji.name().ok_or_else(|| {
            unsupported("slack reacts by emoji name: give the emoji's name (Emoji::new)")
        })?;
        client.reactions_add(message.conversation.as_str(), ts.as_str(), name).await?;
        if reply.is_empty() {
            return Ok(());
        }
    }
    let payload = message.slack().ok_or_else(|| unsupported("not a slack message"))?;
    if let Some(url) = payload.response_url() {
        // Every earlier delivery of a message went to the `response_url` while it was usable
        // (afterwards none does): the attempts so far are its uses, failed posts included.
        let fresh = delivery.received.elapsed() < RESPONSE_URL_LIFETIME;
        if fresh && delivery.attempts < RESPONSE_URL_USES {
            let interaction = matches!(payload, SlackPayload::Interaction(_));
            let body = reply::response_body(&reply, interaction);
            return Ok(client.respond(url, &body).await?);
        }
        if !client.has_token() {
            return Err(DeliveryError::Expired {
                platform: Platform::SLACK,
                reason: "response_url used up or expired, and no bot token to post with",
            });
        }
        tracing::debug!("response_url used up or expired: posting with the bot token");
    }
    post(client, message, &reply).await
}

/// Posts through the Web API: in the source's thread when asked, ephemeral when asked.
async fn post(client: &SlackClient, message: &Message, reply: &Reply) -> Result<(), DeliveryError> {
    if message.conversation.is_empty() {
        return Err(unsupported("there is no conversation to post in"));
    }
    let thread = reply
        .in_thread
        .then(|| {
            message.thread.as_ref().map(|t| t.as_str()).or(message.id.as_ref().map(|t| t.as_str()))
        })
        .flatten();
    let channel = message.conversation.as_str();
    if reply.visibility == Visibility::Ephemeral {
        let user = message.sender.id.as_str();
        let body = reply::post_body(reply, channel, thread, Some(user));
        client.chat_post_ephemeral(&body).await?;
    } else {
        let body = reply::post_body(reply, channel, thread, None);
        client.chat_post_message(&body).await?;
    }
    Ok(())
}

fn unsupported(reason: &'static str) -> DeliveryError {
    DeliveryError::Unsupported { platform: Platform::SLACK, reason }
}
