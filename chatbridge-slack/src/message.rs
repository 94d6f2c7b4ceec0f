//! A Slack request as a chatbridge [`Message`], and [`SlackMessageExt`] to get the request back.

use std::sync::Arc;

use chatbridge_core::{
    Action, Command, Message, MessageKind, Platform, Sender, SourceMessage, Text,
};

use crate::model::{EventCallback, Interaction, InteractionKind, SlackPayload, SlashCommand};

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

/// The message a request makes, carrying the request for [`SlackMessageExt::slack`].
pub(crate) fn to_message(payload: Arc<SlackPayload>) -> Message {
    let message = match &*payload {
        SlackPayload::Event(callback) => event_message(callback),
        SlackPayload::Command(command) => command_message(command),
        SlackPayload::Interaction(interaction) => interaction_message(interaction),
    };
    message.with_payload(payload)
}

/// `message` → `Message` (plain messages and the subtypes that are still one), `app_mention`
/// → `Mention`, `reaction_added` → `Reaction`, anything else → `Other(type or subtype)`.
fn event_message(callback: &EventCallback) -> Message {
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
    let reaction = event.kind.starts_with("reaction_");
    // A reaction's message is the one reacted to.
    let (channel, ts) = match &event.item {
        Some(item) if reaction => (item.channel.as_deref(), item.ts.as_deref()),
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
    let text = if reaction { &event.reaction } else { &event.text };
    let mut sender = Sender::new(event.user.as_deref().unwrap_or_default());
    sender.is_bot = event.is_from_bot();
    message
        .with_text(text.as_deref().unwrap_or_default())
        .with_sender(sender)
        .direct(event.channel_type.as_deref() == Some("im"))
}

/// A `Command`: its text is the command's arguments.
fn command_message(command: &SlashCommand) -> Message {
    let mut message = Message::new(Platform::SLACK, MessageKind::Command);
    message.sender.id = command.user_id().clone();
    message.sender.name = command.user_name().map(Text::new);
    // The message's text and the command's arguments are one shared string.
    message.text = Text::new(command.text());
    message.command = Some(Command::new(command.command(), message.text.clone()));
    message.conversation = command.channel_id().clone();
    message.is_direct = command.channel_id().as_str().starts_with('D');
    message.workspace = command.team_id().cloned();
    message
}

/// Buttons and menus → `Action` (text: the first action's value), shortcuts → `Shortcut`, a
/// submitted modal → `Submission`, an external select → `Autocomplete` (text: what was
/// typed); each with its [`Action`].
fn interaction_message(interaction: &Interaction) -> Message {
    let kind = match &interaction.kind {
        InteractionKind::BlockActions => MessageKind::Action,
        InteractionKind::Shortcut | InteractionKind::MessageAction => MessageKind::Shortcut,
        InteractionKind::ViewSubmission => MessageKind::Submission,
        InteractionKind::BlockSuggestion => MessageKind::Autocomplete,
        InteractionKind::ViewClosed => MessageKind::Other("view_closed".into()),
        InteractionKind::Other(kind) => MessageKind::Other(kind.clone().into()),
    };
    let text = match &interaction.kind {
        InteractionKind::BlockSuggestion => interaction.value.as_deref(),
        _ => interaction.actions.first().and_then(|a| a.value.as_deref()),
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
    match action_of(interaction) {
        Some(action) => message.with_action(action),
        None => message,
    }
}

/// The neutral action: the element's, view's or shortcut's id, the chosen values, a view's
/// inputs, and the message the element is on.
fn action_of(interaction: &Interaction) -> Option<Action> {
    let mut action = match &interaction.kind {
        InteractionKind::BlockActions => {
            let first = interaction.actions.first()?;
            let action = Action::new(first.action_id.as_deref().unwrap_or_default());
            first.values().into_iter().fold(action, Action::with_value)
        }
        InteractionKind::ViewSubmission | InteractionKind::ViewClosed => {
            let view = interaction.view.as_ref()?;
            let action = Action::new(view.callback_id.as_deref().unwrap_or_default());
            view.fields().into_iter().fold(action, |a, (name, values)| a.with_field(name, values))
        }
        InteractionKind::BlockSuggestion => {
            let action = Action::new(interaction.action_id.as_deref().unwrap_or_default());
            action.with_value(interaction.value.as_deref().unwrap_or_default())
        }
        InteractionKind::Shortcut | InteractionKind::MessageAction => {
            Action::new(interaction.callback_id.as_deref().unwrap_or_default())
        }
        InteractionKind::Other(_) => return None,
    };
    if let (Some(ts), Some(channel)) = (&interaction.message_ts, &interaction.channel_id) {
        action = action.with_source(SourceMessage::new(ts.as_str(), channel.as_str()));
    }
    if let Some(trigger) = &interaction.trigger_id {
        action = action.with_trigger(trigger.as_str());
    }
    Some(action)
}
