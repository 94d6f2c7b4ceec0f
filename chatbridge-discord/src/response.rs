//! Interaction responses (the HTTP answer to an interaction) and message bodies (for responses
//! and webhook calls alike), rendered from [`Reply`].

use bytes::Bytes;
use chatbridge_core::adapter::{Ack, json_response};
use chatbridge_core::{Reply, Visibility};
use http::Response;
use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{Interaction, InteractionType, u8_enum};
use crate::reply_ext::{AllowedMentions, DiscordParts};
use crate::{Component, Embed};

/// The `EPHEMERAL` message flag: only the invoking user sees the message.
pub const EPHEMERAL: u64 = 1 << 6;

/// Discord takes at most this many autocomplete choices.
pub const MAX_CHOICES: usize = 25;

u8_enum! {
    /// An interaction response's type.
    ResponseType {
        /// Answers a PING.
        Pong = 1,
        /// Replies with a message.
        ChannelMessageWithSource = 4,
        /// Shows "thinking…"; the reply comes later by editing the original response.
        DeferredChannelMessageWithSource = 5,
        /// Acknowledges a component; the message may be edited later.
        DeferredUpdateMessage = 6,
        /// Edits the message a component is on.
        UpdateMessage = 7,
        /// Suggests autocomplete choices.
        ApplicationCommandAutocompleteResult = 8,
        /// Opens a modal.
        Modal = 9,
    }
}

/// A message's content as Discord's create and edit endpoints take it.
///
/// ```
/// use chatbridge_core::Reply;
/// use chatbridge_discord::MessageBody;
///
/// let body = MessageBody::from_reply(&Reply::text("hi").ephemeral());
/// assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"content": "hi", "flags": 64}));
/// ```
#[derive(Clone, PartialEq, Debug, Default, Serialize)]
#[non_exhaustive]
pub struct MessageBody {
    /// The text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Embeds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub embeds: Vec<Embed>,
    /// Action rows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// Which mentions may notify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_mentions: Option<AllowedMentions>,
    /// Message flags ([`EPHEMERAL`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<u64>,
}

impl MessageBody {
    /// A body with only text.
    pub fn text(content: impl Into<String>) -> Self {
        Self { content: Some(content.into()), ..Self::default() }
    }

    /// The message parts of a reply: text, embeds, components, allowed mentions, and the
    /// ephemeral flag for [`Visibility::Ephemeral`].
    #[must_use]
    pub fn from_reply(reply: &Reply) -> Self {
        let parts = reply.extensions.get::<DiscordParts>();
        Self {
            content: reply.text.clone(),
            embeds: parts.map(|p| p.embeds.clone()).unwrap_or_default(),
            components: parts.map(|p| p.components.clone()).unwrap_or_default(),
            allowed_mentions: parts.and_then(|p| p.allowed_mentions.clone()),
            flags: (reply.visibility == Visibility::Ephemeral).then_some(EPHEMERAL),
        }
    }

    /// Whether there is nothing to show (Discord refuses empty messages).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.content.as_deref().is_none_or(str::is_empty)
            && self.embeds.is_empty()
            && self.components.is_empty()
    }
}

/// The answer to a PING: exactly `{"type":1}`.
#[must_use]
pub fn pong() -> Response<Bytes> {
    json_response(br#"{"type":1}"#.to_vec())
}

/// Renders the inline reply to an interaction, by the interaction's type (whatever its data):
///
/// - autocomplete: type 8 with the reply's choices (at most 25; none when it has none);
/// - a reply with a modal, to a command or a component: type 9;
/// - a reply with `replace_original`, to a component or to a modal opened from one: type 7,
///   editing the message;
/// - otherwise type 4, with the ephemeral flag for an ephemeral reply. An empty reply gets
///   `empty_text` so that Discord takes it.
pub(crate) fn render(
    interaction: &Interaction,
    reply: &Reply,
    empty_text: &str,
) -> Response<Bytes> {
    let kind = interaction.kind;
    let parts = reply.extensions.get::<DiscordParts>();
    if kind == InteractionType::ApplicationCommandAutocomplete {
        let choices = parts.and_then(|p| p.choices.as_deref()).unwrap_or_default();
        return autocomplete(choices.iter().take(MAX_CHOICES).collect());
    }
    let can_open_modal =
        matches!(kind, InteractionType::ApplicationCommand | InteractionType::MessageComponent);
    if let (Some(modal), true) = (parts.and_then(|p| p.modal.as_ref()), can_open_modal) {
        return typed(ResponseType::Modal, Some(modal));
    }
    let mut body = MessageBody::from_reply(reply);
    if body.is_empty() {
        body.content = Some(empty_text.to_owned());
    }
    let response = if reply.replace_original && on_a_message(interaction) {
        // An edit keeps the message's visibility; the flag is not Discord's to change.
        body.flags = None;
        ResponseType::UpdateMessage
    } else {
        ResponseType::ChannelMessageWithSource
    };
    typed(response, Some(&body))
}

/// The response when no reply is rendered inline, by the interaction's type.
///
/// - Deferred: commands, modals and unknown types get type 5 (with the ephemeral flag when
///   asked); components get type 6, so the message can be edited or followed up later.
/// - Nothing or duplicate: components get type 6 (nothing changes), commands, modals and
///   unknown types get an ephemeral type 4 with `empty_text`, so the user is not left with
///   "The application did not respond".
/// - Autocomplete always gets type 8 with no choices: it cannot be deferred.
pub(crate) fn acknowledge(kind: InteractionType, ack: Ack, empty_text: &str) -> Response<Bytes> {
    match (kind, ack) {
        (InteractionType::ApplicationCommandAutocomplete, _) => {
            autocomplete::<crate::Choice>(Vec::new())
        }
        (InteractionType::MessageComponent, _) => {
            typed(ResponseType::DeferredUpdateMessage, None::<Value>)
        }
        (_, Ack::Deferred { visibility }) => {
            let data = (visibility == Visibility::Ephemeral).then(|| json!({ "flags": EPHEMERAL }));
            typed(ResponseType::DeferredChannelMessageWithSource, data)
        }
        _ => {
            let body = MessageBody { flags: Some(EPHEMERAL), ..MessageBody::text(empty_text) };
            typed(ResponseType::ChannelMessageWithSource, Some(&body))
        }
    }
}

/// Whether a deferral of this interaction type is a type 5 "thinking…" message (rather than a
/// type 6, or no deferral at all).
pub(crate) fn is_deferred_message(kind: InteractionType) -> bool {
    !matches!(
        kind,
        InteractionType::MessageComponent | InteractionType::ApplicationCommandAutocomplete
    )
}

/// Whether the interaction is about a message that types 6 and 7 can edit: a component's, or
/// the one a modal was opened from.
pub(crate) fn on_a_message(interaction: &Interaction) -> bool {
    match interaction.kind {
        InteractionType::MessageComponent => true,
        InteractionType::ModalSubmit => interaction.message.is_some(),
        _ => false,
    }
}

fn autocomplete<T: Serialize>(choices: Vec<T>) -> Response<Bytes> {
    typed(ResponseType::ApplicationCommandAutocompleteResult, Some(json!({ "choices": choices })))
}

/// `{"data": …, "type": N}`, serialised straight from `data` (no `Value` in between).
fn typed<T: Serialize>(kind: ResponseType, data: Option<T>) -> Response<Bytes> {
    #[derive(Serialize)]
    struct Typed<T> {
        #[serde(skip_serializing_if = "Option::is_none")]
        data: Option<T>,
        #[serde(rename = "type")]
        kind: u8,
    }
    // Serializing these types cannot fail: every map key is a string.
    let body = serde_json::to_vec(&Typed { data, kind: u8::from(kind) }).unwrap_or_default();
    json_response(body)
}
