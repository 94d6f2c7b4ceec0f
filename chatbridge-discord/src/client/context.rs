//! [`DiscordContextExt`]: the Discord client behind a handler's [`Context`].

use chatbridge_core::Context;

use super::DiscordClient;

/// Reads the Discord client from a handler's [`Context`]: the adapter puts it in every Discord
/// message's context, with the bot token when the adapter has one.
///
/// ```
/// use chatbridge_core::{Context, HandlerError, Message};
/// use chatbridge_discord::client::MessageBody;
/// use chatbridge_discord::{DiscordContextExt, DiscordMessageExt};
///
/// async fn announce(cx: Context, msg: Message) -> Result<(), HandlerError> {
///     let (Some(discord), Some(channel)) = (cx.discord(), msg.discord().and_then(|i| i.channel_id()))
///     else {
///         return Ok(()); // not on Discord
///     };
///     discord.create_message(channel, &MessageBody::text("Pizza's here")).await?;
///     Ok(())
/// }
/// # let _ = announce;
/// ```
pub trait DiscordContextExt {
    /// The Discord client, when the message came from the Discord adapter.
    fn discord(&self) -> Option<&DiscordClient>;
}

impl DiscordContextExt for Context {
    fn discord(&self) -> Option<&DiscordClient> {
        self.extensions().get::<DiscordClient>()
    }
}
