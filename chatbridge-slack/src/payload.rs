//! [`SlackPayload`]: the parsed Slack request behind a [`Message`], read with
//! [`SlackMessageExt::slack`].

use chatbridge_core::Message;

use crate::{EventCallback, Interaction, SlashCommand};

/// The Slack request a [`Message`] was made from.
#[derive(Clone, Debug)]
#[non_exhaustive]
// It lives behind the message's shared payload pointer, made once per request: boxing the
// interaction too would only add an allocation to each.
#[allow(clippy::large_enum_variant)]
pub enum SlackPayload {
    /// An Events API `event_callback` (boxed as it was parsed: it is the largest by far).
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

    /// Where a delayed reply to this request goes, if it has such a URL.
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn response_url(&self) -> Option<&str> {
        match self {
            Self::Event(_) => None,
            Self::Command(command) => command.response_url(),
            Self::Interaction(interaction) => interaction.response_url.as_deref(),
        }
    }
}

/// Typed access to the Slack request behind a [`Message`].
///
/// ```
/// use chatbridge_core::{Context, Message};
/// use chatbridge_slack::SlackMessageExt;
///
/// async fn handler(_cx: Context, msg: Message) -> String {
///     match msg.slack().and_then(|p| p.as_event()) {
///         Some(callback) => format!("event {} in {:?}", callback.event.kind, callback.team_id),
///         None => "not a Slack event".to_owned(),
///     }
/// }
/// # let _ = handler;
/// ```
pub trait SlackMessageExt {
    /// The Slack request, if the message came from Slack.
    fn slack(&self) -> Option<&SlackPayload>;
}

impl SlackMessageExt for Message {
    fn slack(&self) -> Option<&SlackPayload> {
        self.payload::<SlackPayload>()
    }
}
