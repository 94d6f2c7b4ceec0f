//! Extension traits: the typed interaction behind a [`Message`], and the Discord clients behind
//! a [`Context`].

use std::fmt;
use std::sync::Arc;

use chatbridge_core::{Context, Message};

#[cfg(feature = "client")]
use crate::DiscordClient;
use crate::model::Interaction;

/// Reads the Discord interaction behind a [`Message`].
///
/// ```
/// use chatbridge_core::{Message, MessageKind, Platform};
/// use chatbridge_discord::DiscordMessageExt;
///
/// let msg = Message::new(Platform::SLACK, MessageKind::Message);
/// assert!(msg.discord().is_none());
/// ```
pub trait DiscordMessageExt {
    /// The interaction, when the message came from Discord.
    fn discord(&self) -> Option<&Interaction>;
}

impl DiscordMessageExt for Message {
    fn discord(&self) -> Option<&Interaction> {
        self.payload::<Interaction>()
    }
}

/// What a handler gets from the Discord adapter through [`DiscordContextExt::discord`]: the
/// interaction and the API client.
#[derive(Clone)]
pub struct DiscordContext {
    pub(crate) interaction: Arc<Interaction>,
    #[cfg(feature = "client")]
    pub(crate) client: Option<DiscordClient>,
}

impl DiscordContext {
    /// The interaction being answered.
    #[must_use]
    pub fn interaction(&self) -> &Interaction {
        &self.interaction
    }

    /// The API client: webhook follow-ups with the interaction's token, REST with the bot
    /// token. `None` when the adapter has no client.
    #[cfg(feature = "client")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client")))]
    #[must_use]
    pub fn client(&self) -> Option<&DiscordClient> {
        self.client.as_ref()
    }
}

impl fmt::Debug for DiscordContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscordContext")
            .field("interaction_id", &self.interaction.id)
            .finish_non_exhaustive()
    }
}

/// Reads the Discord adapter's handle from a handler's [`Context`].
///
/// ```
/// use chatbridge_core::{Context, Message};
/// use chatbridge_discord::DiscordContextExt;
///
/// async fn handler(cx: Context, _msg: Message) -> &'static str {
///     match cx.discord() {
///         Some(discord) => if discord.interaction().guild_id.is_some() { "in a guild" } else { "in a DM" },
///         None => "not on Discord",
///     }
/// }
/// # let _ = handler;
/// ```
pub trait DiscordContextExt {
    /// The Discord handle, when the message came from the Discord adapter.
    fn discord(&self) -> Option<&DiscordContext>;
}

impl DiscordContextExt for Context {
    fn discord(&self) -> Option<&DiscordContext> {
        self.extensions().get::<DiscordContext>()
    }
}
