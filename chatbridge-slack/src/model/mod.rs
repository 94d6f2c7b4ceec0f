//! Slack's wire types, read tolerantly: what is missing is `None`, and events, interactions and
//! blocks keep the JSON they came in as `raw`, whatever their type.
//!
//! See Slack's pages "Events API", "Implementing slash commands" and "Handling user
//! interaction".

mod command;
mod events;
mod interaction;
mod request;

use serde_json::Value;

pub use command::SlashCommand;
pub use events::{Authorization, Block, Event, EventCallback, ReactionItem};
pub use interaction::{Action, Interaction, InteractionKind, View};
#[cfg(feature = "socket-mode")]
pub(crate) use request::{EventsEnvelope as Envelope, events_api, form};
pub(crate) use request::{Read, read, replay_key};

/// The Slack request a [`Message`](chatbridge_core::Message) was made from, read with
/// [`SlackMessageExt::slack`](crate::SlackMessageExt::slack).
#[derive(Clone, Debug)]
#[non_exhaustive]
// It lives behind the message's shared payload pointer, made once per request: boxing the
// interaction too would only add an allocation to each.
#[allow(clippy::large_enum_variant)]
pub enum SlackPayload {
    /// An Events API `event_callback` (boxed as it was read: it is the largest by far).
    Event(Box<EventCallback>),
    /// A slash command.
    Command(SlashCommand),
    /// An interaction (`payload=` form).
    Interaction(Interaction),
}

impl SlackPayload {
    /// The event, if this is one.
    #[must_use]
    pub fn as_event(&self) -> Option<&EventCallback> {
        match self {
            Self::Event(event) => Some(event),
            _ => None,
        }
    }

    /// The slash command, if this is one.
    #[must_use]
    pub fn as_command(&self) -> Option<&SlashCommand> {
        match self {
            Self::Command(command) => Some(command),
            _ => None,
        }
    }

    /// The interaction, if this is one.
    #[must_use]
    pub fn as_interaction(&self) -> Option<&Interaction> {
        match self {
            Self::Interaction(interaction) => Some(interaction),
            _ => None,
        }
    }

    /// Where replies after the response go (up to 5 posts within 30 minutes), if the request
    /// has such a URL: commands and most interactions do, events do not.
    #[must_use]
    pub fn response_url(&self) -> Option<&str> {
        match self {
            Self::Event(_) => None,
            Self::Command(command) => command.response_url(),
            Self::Interaction(interaction) => interaction.response_url.as_deref(),
        }
    }
}

/// A string field of a JSON object; `None` when absent or not a string.
pub(crate) fn str_field(value: &Value, name: &str) -> Option<String> {
    value.get(name).and_then(Value::as_str).map(str::to_owned)
}
