//! One endpoint, three kinds of request: Events API JSON, slash-command forms and interaction
//! (`payload=`) forms, told apart by their content once the signature checked out.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::adapter::{Dispatch, Incoming, ReplyMode};
use chatbridge_core::{
    AdapterError, Command, DEDUP_TTL, Message, MessageKind, Platform, Sender, Text,
};
use http::{HeaderMap, Response, header};
use serde_json::json;

use crate::command::Form;
use crate::events::Envelope;
use crate::verify::{MAX_SKEW_SECS, SIGNATURE_HEADER};
use crate::{EventCallback, Interaction, InteractionKind, SlackPayload, SlashCommand};

/// Slack wants an answer within 3 s; half a second is kept for the network and the host.
pub(crate) const BUDGET: Duration = Duration::from_millis(2500);

/// How a body is encoded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Encoding {
    Json,
    Form,
}

/// The body's encoding from `Content-Type` (parameters ignored), or from its first byte when
/// there is none. A `Content-Type` that is not visible ASCII, or sent twice, is refused (415)
/// rather than sniffed.
pub(crate) fn encoding(headers: &HeaderMap, body: &[u8]) -> Result<Encoding, AdapterError> {
    let mut values = headers.get_all(header::CONTENT_TYPE).iter();
    let media = match (values.next(), values.next()) {
        (None, _) => None,
        (Some(value), None) => Some(
            value
                .to_str()
                .map_err(|_| AdapterError::UnsupportedMediaType)?
                .split(';')
                .next()
                .unwrap_or_default()
                .trim(),
        ),
        (Some(_), Some(_)) => return Err(AdapterError::UnsupportedMediaType),
    };
    match media {
        Some(m) if m.eq_ignore_ascii_case("application/json") => Ok(Encoding::Json),
        Some(m) if m.eq_ignore_ascii_case("application/x-www-form-urlencoded") => {
            Ok(Encoding::Form)
        }
        None | Some("") => Ok(if body.trim_ascii_start().first() == Some(&b'{') {
            Encoding::Json
        } else {
            Encoding::Form
        }),
        Some(_) => Err(AdapterError::UnsupportedMediaType),
    }
}

/// Parses a verified Events API body.
pub(crate) fn event(headers: &HeaderMap, body: &[u8]) -> Result<Incoming, AdapterError> {
    let envelope =
        Envelope::parse(body).map_err(|_| AdapterError::bad_request("invalid events API JSON"))?;
    match envelope {
        Envelope::UrlVerification { challenge } => {
            tracing::info!(platform = %Platform::SLACK, "url_verification answered");
            Ok(Incoming::Respond(json_response(&json!({ "challenge": challenge }))))
        }
        Envelope::RateLimited { team_id } => {
            tracing::warn!(platform = %Platform::SLACK, ?team_id, "slack reports app_rate_limited");
            Ok(Incoming::Respond(empty()))
        }
        Envelope::Other(kind) => {
            tracing::info!(platform = %Platform::SLACK, kind, "unknown envelope type acknowledged");
            Ok(Incoming::Respond(empty()))
        }
        Envelope::Callback(callback) => {
            if let Some(retry) = headers.get("x-slack-retry-num").and_then(|v| v.to_str().ok()) {
                let reason = headers.get("x-slack-retry-reason").and_then(|v| v.to_str().ok());
                tracing::info!(platform = %Platform::SLACK, retry, ?reason, "slack retried an event");
            }
            let key = callback.event_id.clone();
            // Uninstalls and revocations update installations even when no handler wants them.
            let lifecycle =
                matches!(callback.event.kind.as_str(), "app_uninstalled" | "tokens_revoked");
            let message = event_message(callback);
            let mut dispatch = Dispatch::new(message, ReplyMode::Acknowledge, BUDGET);
            if lifecycle {
                dispatch = dispatch.always_prepare();
            }
            Ok(Incoming::dispatch(match key {
                Some(key) => dispatch.with_dedup_key(key),
                None => dispatch,
            }))
        }
    }
}

/// Slack does not retry commands and interactions, so a second request with the signature of
/// one already seen is a replay: its de-duplication key is the signature (which covers the
/// timestamp and the body). The mark must outlive every moment the signature verifies: the
/// window reaches [`MAX_SKEW_SECS`] either side of the timestamp.
const _: () = assert!(DEDUP_TTL.as_secs() > 2 * MAX_SKEW_SECS);

/// The de-duplication key of a verified form request: `request/` and its signature's hex.
pub(crate) fn replay_key(headers: &HeaderMap) -> Option<String> {
    let signature = headers.get(SIGNATURE_HEADER)?.to_str().ok()?.trim();
    Some(format!("request/{}", signature.strip_prefix("v0=")?))
}

/// Parses a verified form body: an interaction or a slash command. `replay` is its
/// [`replay_key`].
pub(crate) fn form(body: &[u8], replay: Option<String>) -> Result<Incoming, AdapterError> {
    let dedup = |dispatch: Dispatch| match replay {
        Some(key) => dispatch.with_dedup_key(key),
        None => dispatch,
    };
    match crate::command::read_form(body, true) {
        Form::Interaction(payload) => {
            let raw = serde_json::from_str(&payload)
                .map_err(|_| AdapterError::bad_request("invalid interaction payload"))?;
            let interaction = Interaction::from_value(raw);
            let mode = match interaction.kind {
                // These take an answer in the HTTP response; the rest only an empty 200.
                InteractionKind::ViewSubmission | InteractionKind::BlockSuggestion => {
                    ReplyMode::Inline
                }
                _ => ReplyMode::Acknowledge,
            };
            let message = interaction_message(interaction);
            Ok(Incoming::dispatch(dedup(Dispatch::new(message, mode, BUDGET))))
        }
        Form::Command(command) => {
            let message = command_message(command);
            Ok(Incoming::dispatch(dedup(Dispatch::new(message, ReplyMode::Inline, BUDGET))))
        }
        Form::Neither => {
            Err(AdapterError::bad_request("neither a slash command nor an interaction"))
        }
    }
}

fn event_message(callback: Box<EventCallback>) -> Message {
    let event = &callback.event;
    let plain_message = matches!(
        event.subtype.as_deref(),
        None | Some("thread_broadcast" | "file_share" | "me_message" | "bot_message")
    );
    let kind = match event.kind.as_str() {
        "message" if plain_message => MessageKind::Message,
        "message" => MessageKind::Other(event.subtype.clone().unwrap_or_default().into()),
        "app_mention" => MessageKind::Mention,
        "reaction_added" => MessageKind::Reaction,
        other => MessageKind::Other(other.to_owned().into()),
    };
    let mut message = Message::new(Platform::SLACK, kind);
    let (channel, ts) = match &event.item {
        Some(item) if event.kind.starts_with("reaction_") => {
            (item.channel.as_deref(), item.ts.as_deref())
        }
        _ => (event.channel.as_deref(), event.ts.as_deref()),
    };
    if let Some(channel) = channel {
        message = message.with_conversation(channel);
    }
    if let Some(ts) = ts {
        message = message.with_id(ts);
    }
    if let Some(thread) = &event.thread_ts {
        message = message.with_thread(thread.as_str());
    }
    if let Some(team) = callback.team_id.as_deref().or(callback.context_team_id.as_deref()) {
        message = message.with_workspace(team);
    }
    let text = if event.kind.starts_with("reaction_") { &event.reaction } else { &event.text };
    let mut sender = Sender::new(event.user.as_deref().unwrap_or_default());
    sender.is_bot = event.is_from_bot();
    message
        .with_text(text.as_deref().unwrap_or_default())
        .with_sender(sender)
        .direct(event.channel_type.as_deref() == Some("im"))
        .with_payload(Arc::new(SlackPayload::Event(callback)))
}

fn command_message(command: SlashCommand) -> Message {
    // Filled in place: the message is a few hundred bytes, and a chain of by-value builders
    // copies it at every step.
    let mut message = Message::new(Platform::SLACK, MessageKind::Command);
    // The ids are shared with the command, not copied.
    message.sender.id = command.user_id().clone();
    message.sender.name = command.user_name().map(Text::new);
    // The message's text and the command's arguments are one string, shared.
    message.text = Text::new(command.text());
    message.command = Some(Command::new(command.command(), message.text.clone()));
    message.conversation = command.channel_id().clone();
    message.is_direct = command.channel_id().as_str().starts_with('D');
    message.workspace = command.team_id().cloned();
    message.with_payload(Arc::new(SlackPayload::Command(command)))
}

fn interaction_message(interaction: Interaction) -> Message {
    let kind = match &interaction.kind {
        InteractionKind::BlockActions
        | InteractionKind::Shortcut
        | InteractionKind::MessageAction => MessageKind::Action,
        InteractionKind::ViewSubmission => MessageKind::Submission,
        InteractionKind::BlockSuggestion => MessageKind::Autocomplete,
        InteractionKind::ViewClosed => MessageKind::Other("view_closed".into()),
        InteractionKind::Other(kind) => MessageKind::Other(kind.clone().into()),
    };
    let text = match &interaction.kind {
        InteractionKind::BlockSuggestion => interaction.value.clone(),
        _ => interaction.actions.first().and_then(|a| a.value.clone()),
    };
    let mut sender = Sender::new(interaction.user_id.as_deref().unwrap_or_default());
    sender.name = interaction.user_name.as_deref().map(Text::new);
    let mut message =
        Message::new(Platform::SLACK, kind).with_text(text.unwrap_or_default()).with_sender(sender);
    if let Some(channel) = &interaction.channel_id {
        message = message.with_conversation(channel.as_str()).direct(channel.starts_with('D'));
    }
    if let Some(ts) = &interaction.message_ts {
        message = message.with_id(ts.as_str());
    }
    if let Some(team) = &interaction.team_id {
        message = message.with_workspace(team.as_str());
    }
    message.with_payload(Arc::new(SlackPayload::Interaction(interaction)))
}

/// An empty 200.
pub(crate) fn empty() -> Response<Bytes> {
    Response::new(Bytes::new())
}

/// A 200 with a JSON body.
pub(crate) fn json_response(value: &serde_json::Value) -> Response<Bytes> {
    chatbridge_core::adapter::json_response(value.to_string().into_bytes())
}
