//! Replies after the HTTP response: reactions through the bot token, the deferred response's
//! `PATCH @original` (or its removal, for a private reply), follow-ups.

use std::sync::Arc;
use std::time::Duration;

use chatbridge_core::adapter::{Delivery, Initial};
use chatbridge_core::{DeliveryError, Platform};

use crate::model::InteractionType;
use crate::original::Original;
use crate::response::{EPHEMERAL, MessageBody};
use crate::{DiscordClient, DiscordMessageExt, DiscordParts};

/// How long an interaction token takes webhook calls.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Delivers one reply.
///
/// - A reaction goes to the message the interaction is about (a component's message, a
///   MESSAGE command's target) with the bot token.
/// - After a deferral (type 5), the first message fills the original response
///   (`PATCH @original`); later ones are follow-ups (`POST`). An ephemeral first message after
///   a public deferral (the automatic one) instead deletes the public placeholder
///   (`DELETE @original`) and goes as an ephemeral follow-up, so that it stays private.
/// - A component reply with `replace_original` edits the message (`PATCH @original`).
/// - Everything else is a follow-up.
pub(crate) async fn deliver(
    client: Option<&DiscordClient>,
    delivery: Delivery<'_>,
) -> Result<(), DeliveryError> {
    let client = client.ok_or(unsupported("no client"))?;
    let message = delivery.message;
    let interaction = message.discord().ok_or(unsupported("not a discord interaction"))?;
    let (reply, reaction) = delivery.reply.take_reaction();
    if let Some(emoji) = reaction {
        let channel = interaction.channel_id().ok_or(unsupported("no channel to react in"))?;
        let target = message.id.as_ref().ok_or(unsupported("no message to react to"))?;
        if !client.has_bot_token() {
            return Err(unsupported("reactions need a bot token"));
        }
        // Discord takes the character (or a custom emoji's `name:id`); a bare name goes
        // through the client's table of common names.
        let emoji = emoji.character().or(emoji.name()).ok_or(unsupported("an empty emoji"))?;
        client.add_reaction(channel, target.as_str(), emoji).await?;
    }
    if let Some(parts) = reply.extensions.get::<DiscordParts>()
        && (parts.modal.is_some() || parts.choices.is_some())
    {
        // Modals and autocomplete choices exist only as the initial response.
        return Err(unsupported("a modal or choices must be the initial response"));
    }
    let body = MessageBody::from_reply(&reply);
    if body.is_empty() {
        return Ok(());
    }
    if delivery.received.elapsed() >= TOKEN_LIFETIME {
        return Err(DeliveryError::Expired {
            platform: Platform::DISCORD,
            reason: "interaction token",
        });
    }
    let token = &interaction.token;
    let original = message.extensions.get::<Arc<Original>>();
    if interaction.kind == InteractionType::MessageComponent {
        if reply.replace_original {
            let mut body = body;
            // An edit cannot change a message's visibility.
            body.flags = None;
            client.edit_original(token, &body).await?;
        } else {
            client.create_followup(token, &body).await?;
        }
        return Ok(());
    }
    let unfilled = delivery.initial == Initial::Deferred && !original.is_some_and(|o| o.filled());
    if !unfilled {
        client.create_followup(token, &body).await?;
        return Ok(());
    }
    let deferred_ephemeral = original.is_some_and(|o| o.deferred_ephemeral());
    if body.flags == Some(EPHEMERAL) && !deferred_ephemeral {
        // Filling the public "thinking…" message would show a private reply to everyone, and
        // so would a first follow-up, which Discord puts in its place: remove it, then post
        // the reply as an ephemeral follow-up.
        client.delete_original(token).await?;
        mark_filled(original);
        client.create_followup(token, &body).await?;
    } else {
        let mut body = body;
        // An edit cannot change a message's visibility: the deferral decided it.
        body.flags = None;
        client.edit_original(token, &body).await?;
        mark_filled(original);
    }
    Ok(())
}

fn mark_filled(original: Option<&Arc<Original>>) {
    if let Some(original) = original {
        original.mark_filled();
    }
}

fn unsupported(reason: &'static str) -> DeliveryError {
    DeliveryError::Unsupported { platform: Platform::DISCORD, reason }
}
