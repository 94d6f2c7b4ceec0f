//! Gateway events as platform-neutral [`Message`]s, and [`DiscordGatewayExt`] to read the event
//! back.
//!
//! | event | kind | `text` | `id` |
//! | --- | --- | --- | --- |
//! | `MESSAGE_CREATE` mentioning the bot | `Mention` | the content | the message |
//! | any other `MESSAGE_CREATE` | `Message` | the content | the message |
//! | `MESSAGE_REACTION_ADD` | `Reaction` | the emoji (the character, or a custom emoji's `name:id`) | the message reacted to |
//!
//! `is_direct` is set for DMs (no guild); `workspace` is the guild. Messages and reactions of
//! the bot itself and of other bots (and webhooks) are never made into messages.

use std::sync::Arc;

use chatbridge_core::{Message, MessageKind, Platform, Text};
use twilight_model::channel::message::EmojiReactionType;
use twilight_model::gateway::GatewayReaction;
use twilight_model::id::Id;
use twilight_model::id::marker::UserMarker;

/// The Gateway event behind a [`Message`] (twilight-model's types).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum GatewayEvent {
    /// `MESSAGE_CREATE`.
    MessageCreate(Box<twilight_model::channel::Message>),
    /// `MESSAGE_REACTION_ADD`.
    ReactionAdd(Box<GatewayReaction>),
}

/// Reads the Gateway event behind a [`Message`].
///
/// ```
/// use chatbridge_core::{Message, MessageKind, Platform};
/// use chatbridge_discord::gateway::DiscordGatewayExt;
///
/// let msg = Message::new(Platform::DISCORD, MessageKind::Message);
/// assert!(msg.discord_gateway().is_none());
/// ```
pub trait DiscordGatewayExt {
    /// The event, when the message came over the Discord Gateway.
    fn discord_gateway(&self) -> Option<&GatewayEvent>;
}

impl DiscordGatewayExt for Message {
    fn discord_gateway(&self) -> Option<&GatewayEvent> {
        self.payload::<GatewayEvent>()
    }
}

/// The message a `MESSAGE_CREATE` makes, or `None` for the bot's own and other bots'.
pub(crate) fn from_message(
    created: Box<twilight_model::channel::Message>,
    own_id: Option<Id<UserMarker>>,
) -> Option<Message> {
    let author = &created.author;
    if author.bot || created.webhook_id.is_some() || Some(author.id) == own_id {
        return None;
    }
    let mentioned = own_id.is_some_and(|own| created.mentions.iter().any(|m| m.id == own));
    let kind = if mentioned { MessageKind::Mention } else { MessageKind::Message };
    let mut message = Message::new(Platform::DISCORD, kind);
    message.id = Some(created.id.to_string().into());
    message.conversation = created.channel_id.to_string().into();
    message.workspace = created.guild_id.map(|g| g.to_string().into());
    message.is_direct = created.guild_id.is_none();
    message.text = Text::new(&created.content);
    message.sender.id = author.id.to_string().into();
    // The guild nickname is what people see in that guild.
    let nick = created.member.as_ref().and_then(|m| m.nick.as_deref());
    let name = nick.or(author.global_name.as_deref()).unwrap_or(&author.name);
    message.sender.name = Some(Text::new(name));
    Some(message.with_payload(Arc::new(GatewayEvent::MessageCreate(created))))
}

/// The message a `MESSAGE_REACTION_ADD` makes, or `None` for the bot's own and other bots'.
pub(crate) fn from_reaction(
    reaction: Box<GatewayReaction>,
    own_id: Option<Id<UserMarker>>,
) -> Option<Message> {
    let by_bot = reaction.member.as_ref().is_some_and(|m| m.user.bot);
    if by_bot || Some(reaction.user_id) == own_id {
        return None;
    }
    let mut message = Message::new(Platform::DISCORD, MessageKind::Reaction);
    message.id = Some(reaction.message_id.to_string().into());
    message.conversation = reaction.channel_id.to_string().into();
    message.workspace = reaction.guild_id.map(|g| g.to_string().into());
    message.is_direct = reaction.guild_id.is_none();
    message.text = Text::new(emoji_text(&reaction.emoji));
    message.sender.id = reaction.user_id.to_string().into();
    if let Some(member) = &reaction.member {
        let user = &member.user;
        let name = member.nick.as_deref().or(user.global_name.as_deref()).unwrap_or(&user.name);
        message.sender.name = Some(Text::new(name));
    }
    Some(message.with_payload(Arc::new(GatewayEvent::ReactionAdd(reaction))))
}

/// The de-duplication key of an event: a redelivered event (a RESUME's replay) has the same.
pub(crate) fn dedupe_key(message: &Message) -> Option<String> {
    let id = message.id.as_ref()?;
    Some(match message.discord_gateway()? {
        GatewayEvent::MessageCreate(_) => format!("gateway/message/{id}"),
        GatewayEvent::ReactionAdd(r) => {
            format!("gateway/reaction/{id}/{}/{}", r.user_id, emoji_text(&r.emoji))
        }
    })
}

/// The character of a Unicode emoji, `name:id` for a custom one (what the reaction endpoint
/// takes back).
fn emoji_text(emoji: &EmojiReactionType) -> String {
    match emoji {
        EmojiReactionType::Unicode { name } => name.clone(),
        EmojiReactionType::Custom { id, name, .. } => {
            format!("{}:{id}", name.as_deref().unwrap_or("_"))
        }
    }
}
