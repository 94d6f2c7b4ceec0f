//! [`DiscordReplyExt`]: the Discord-only parts of a [`Reply`], kept in its extensions, and
//! replies as the interaction responses and message bodies Discord takes ([`response`]); a
//! portable card as an embed and action rows ([`card`]).

mod body;
mod card;
mod form;
mod response;

use chatbridge_core::Reply;
use serde::Serialize;
use serde_json::Value;

use crate::{Component, Embed};

#[cfg(feature = "client")]
pub(crate) use body::EPHEMERAL;
#[cfg(feature = "client")]
pub use body::MessageBody;
#[cfg(feature = "client")]
pub(crate) use form::errors_text;
#[cfg(feature = "client")]
pub(crate) use response::is_deferred_message;
pub(crate) use response::{acknowledge, pong, render};

/// The Discord-only parts of a reply.
#[derive(Clone, PartialEq, Debug, Default)]
#[non_exhaustive]
pub struct DiscordParts {
    /// Embeds (up to 10).
    pub embeds: Vec<Embed>,
    /// Top-level components: action rows.
    pub components: Vec<Component>,
    /// Which mentions may ping.
    pub allowed_mentions: Option<AllowedMentions>,
    /// Autocomplete choices (an autocomplete answer; at most 25 are sent).
    pub choices: Option<Vec<Choice>>,
    /// A modal to open instead of replying.
    pub modal: Option<Modal>,
}

/// Which mentions in a message may notify.
///
/// ```
/// use chatbridge_discord::AllowedMentions;
///
/// let json = serde_json::to_value(AllowedMentions::none()).unwrap();
/// assert_eq!(json, serde_json::json!({"parse": []}));
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize)]
#[non_exhaustive]
pub struct AllowedMentions {
    /// Mention kinds parsed from the content: `users`, `roles`, `everyone`.
    pub parse: Vec<String>,
    /// User ids that may be pinged.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// Role ids that may be pinged.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Whether a reply pings the author of the message replied to.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub replied_user: bool,
}

impl AllowedMentions {
    /// Nothing pings.
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// Only these users ping.
    #[must_use]
    pub fn users(ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self { users: ids.into_iter().map(Into::into).collect(), ..Self::default() }
    }
}

/// An autocomplete suggestion.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct Choice {
    /// What the user sees.
    pub name: String,
    /// The option value it fills in: text, an integer or a number.
    pub value: Value,
}

impl Choice {
    /// A suggestion shown as `name` that fills in `value`.
    pub fn new(name: impl Into<String>, value: impl Into<Value>) -> Self {
        Self { name: name.into(), value: value.into() }
    }
}

/// A modal dialog (response type 9).
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct Modal {
    /// The id its submission comes back with.
    pub custom_id: String,
    /// The title.
    pub title: String,
    /// Its fields: [`Component::label`]s (or action rows of text inputs).
    pub components: Vec<Component>,
}

impl Modal {
    /// A modal with an id, a title and fields.
    pub fn new(
        custom_id: impl Into<String>,
        title: impl Into<String>,
        components: impl IntoIterator<Item = Component>,
    ) -> Self {
        Self {
            custom_id: custom_id.into(),
            title: title.into(),
            components: components.into_iter().collect(),
        }
    }
}

/// Discord-only parts on a [`Reply`].
///
/// ```
/// use chatbridge_core::Reply;
/// use chatbridge_discord::{Choice, DiscordReplyExt, Embed};
///
/// let reply = Reply::text("Your order").embed(Embed::new().title("Pizza"));
/// assert_eq!(reply.discord_parts().unwrap().embeds.len(), 1);
///
/// let suggestions = Reply::new().choices([Choice::new("Margherita", "margherita")]);
/// assert!(suggestions.discord_parts().unwrap().choices.is_some());
/// ```
pub trait DiscordReplyExt: Sized {
    /// Adds an embed.
    #[must_use]
    fn embed(self, embed: Embed) -> Self;

    /// Adds a top-level component (an action row).
    #[must_use]
    fn component(self, component: Component) -> Self;

    /// Sets which mentions may notify.
    #[must_use]
    fn allowed_mentions(self, mentions: AllowedMentions) -> Self;

    /// Answers an autocomplete request with these choices (at most 25 are sent).
    #[must_use]
    fn choices(self, choices: impl IntoIterator<Item = Choice>) -> Self;

    /// Opens a modal instead of replying (commands and components only).
    #[must_use]
    fn modal(self, modal: Modal) -> Self;

    /// The Discord-only parts, if any were set.
    fn discord_parts(&self) -> Option<&DiscordParts>;
}

impl DiscordReplyExt for Reply {
    fn embed(self, embed: Embed) -> Self {
        edit(self, |p| p.embeds.push(embed))
    }

    fn component(self, component: Component) -> Self {
        edit(self, |p| p.components.push(component))
    }

    fn allowed_mentions(self, mentions: AllowedMentions) -> Self {
        edit(self, |p| p.allowed_mentions = Some(mentions))
    }

    fn choices(self, choices: impl IntoIterator<Item = Choice>) -> Self {
        edit(self, |p| p.choices = Some(choices.into_iter().collect()))
    }

    fn modal(self, modal: Modal) -> Self {
        edit(self, |p| p.modal = Some(modal))
    }

    fn discord_parts(&self) -> Option<&DiscordParts> {
        self.extensions.get::<DiscordParts>()
    }
}

fn edit(mut reply: Reply, f: impl FnOnce(&mut DiscordParts)) -> Reply {
    f(reply.extensions.get_or_insert_default::<DiscordParts>());
    reply
}
