//! Interaction responses, the HTTP answer to an interaction, rendered from [`Reply`].

use bytes::Bytes;
use chatbridge_core::adapter::{Ack, json_response};
use chatbridge_core::{Reply, Visibility};
use http::Response;
use serde::Serialize;
use serde_json::{Value, json};

use super::body::{EPHEMERAL, MessageBody};
use super::{Choice, DiscordParts};
use crate::model::{Interaction, InteractionType};

/// Discord takes at most this many autocomplete choices.
const MAX_CHOICES: usize = 25;

/// An interaction response's type.
#[derive(Clone, Copy)]
enum ResponseType {
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

/// The answer to a PING: exactly `{"type":1}`.
pub(crate) fn pong() -> Response<Bytes> {
    typed(ResponseType::Pong, None::<Value>)
}

/// Renders the inline reply to an interaction, by the interaction's type (whatever its data):
///
/// - autocomplete: type 8 with the reply's choices (at most 25; none when it has none);
/// - a reply with a modal or a form, to a command or a component: type 9;
/// - a reply with form errors: an ephemeral type 4 listing them;
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
    if let (Some(form), true) = (reply.form.as_deref(), can_open_modal) {
        return typed(ResponseType::Modal, Some(super::form::modal(form)));
    }
    if let Some(errors) = super::form::errors_text(reply) {
        let body = MessageBody { flags: Some(EPHEMERAL), ..MessageBody::text(errors) };
        return typed(ResponseType::ChannelMessageWithSource, Some(&body));
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
        (InteractionType::ApplicationCommandAutocomplete, _) => autocomplete::<Choice>(Vec::new()),
        (InteractionType::MessageComponent, _) => {
            typed(ResponseType::DeferredUpdateMessage, None::<Value>)
        }
        (_, Ack::Deferred(visibility)) => {
            let data = (visibility == Visibility::Ephemeral).then(|| json!({ "flags": EPHEMERAL }));
            typed(ResponseType::DeferredChannelMessageWithSource, data)
        }
        _ => {
            let body = MessageBody { flags: Some(EPHEMERAL), ..MessageBody::text(empty_text) };
            typed(ResponseType::ChannelMessageWithSource, Some(&body))
        }
    }
}

#[cfg(feature = "client")]
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
fn on_a_message(interaction: &Interaction) -> bool {
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
    let body = serde_json::to_vec(&Typed { data, kind: kind as u8 }).unwrap_or_default();
    json_response(body)
}
