//! An [`Interaction`] as a platform-neutral [`Message`], and [`DiscordMessageExt`] to read it
//! back.
//!
//! | interaction | kind | `command` | `text` |
//! | --- | --- | --- | --- |
//! | chat-input command | `Command` | name; args: subcommand group and subcommand names, then the option values, space-separated | the args |
//! | USER command | `Command` | name; args: the target user id | the target user id |
//! | MESSAGE command | `Command` | name; args: the target message id | the target message's content; `id` is the target message |
//! | component | `Action` | — | the component's `custom_id`; `id` is the message it is on |
//! | autocomplete | `Autocomplete` | — | what the user typed in the focused option |
//! | modal submit | `Submission` | — | the modal's `custom_id` |
//!
//! Components, modal submits and autocomplete requests also carry an [`Action`]: the
//! `custom_id` (autocomplete: `{command}:{focused option}`), a select's `values` (what was
//! typed, for autocomplete), a modal's fields by `custom_id`, and the message the component is
//! on.
//! | an unknown type, or data of an unexpected shape | `Other("interaction-N")` | — | empty |

use std::sync::Arc;

use chatbridge_core::{Action, Command, Message, MessageKind, Platform, SourceMessage, Text};

use crate::model::{
    CommandData, CommandType, ContextType, Interaction, InteractionData, OptionValue,
};

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

/// Builds the message; the interaction stays reachable through `msg.discord()`.
pub(crate) fn to_message(interaction: Arc<Interaction>) -> Message {
    let (kind, command, text, id) = match &interaction.data {
        InteractionData::Command(data) => {
            let (args, text, id) = command_parts(data);
            (MessageKind::Command, Some(Command::new(data.name.clone(), args)), text, id)
        }
        InteractionData::Autocomplete(data) => {
            let typed = data.focused().and_then(|o| o.value.to_text()).unwrap_or_default();
            (MessageKind::Autocomplete, None, typed, None)
        }
        InteractionData::Component(data) => (
            MessageKind::Action,
            None,
            data.custom_id.clone(),
            interaction.message.as_ref().map(|m| m.id.clone()),
        ),
        InteractionData::Modal(data) => {
            (MessageKind::Submission, None, data.custom_id.clone(), None)
        }
        InteractionData::None | InteractionData::Unknown(_) => {
            let name = format!("interaction-{}", u8::from(interaction.kind));
            (MessageKind::Other(name.into()), None, String::new(), None)
        }
    };
    // Filled in place: the message is a few hundred bytes, and each `with_*` call would move it.
    let mut message = Message::new(Platform::DISCORD, kind);
    message.text = text.into();
    message.command = command;
    message.id = id.map(Into::into);
    if let Some(channel) = interaction.channel_id() {
        message.conversation = channel.into();
    }
    message.workspace = interaction.guild_id.as_deref().map(Into::into);
    if let Some(user) = interaction.invoker() {
        let sender = &mut message.sender;
        sender.id = user.id.as_str().into();
        // The guild nickname is what people see in that guild.
        let nick = interaction.member.as_ref().and_then(|m| m.nick.as_deref());
        sender.name = Some(Text::new(nick.unwrap_or_else(|| user.display_name())));
        sender.is_bot = user.bot;
    }
    message.is_direct = match interaction.context {
        Some(context) => context == ContextType::BotDm,
        None => interaction.guild_id.is_none(),
    };
    message.action = action_of(&interaction);
    message.with_payload(interaction)
}

/// The neutral action of a component, a modal submit or an autocomplete request.
fn action_of(interaction: &Interaction) -> Option<Action> {
    let mut action = match &interaction.data {
        InteractionData::Component(data) => {
            data.values.iter().fold(Action::new(data.custom_id.as_str()), |a, v| a.with_value(v))
        }
        InteractionData::Modal(data) => {
            data.fields.iter().fold(Action::new(data.custom_id.as_str()), |a, field| {
                let values: Vec<String> = match (&field.value, field.checked) {
                    (_, Some(checked)) => vec![checked.to_string()],
                    (Some(value), None) => vec![value.clone()],
                    (None, None) => field.values.clone(),
                };
                a.with_field(field.custom_id.as_str(), values)
            })
        }
        InteractionData::Autocomplete(data) => {
            let focused = data.focused();
            let option = focused.map_or("", |o| o.name.as_str());
            let typed = focused.and_then(|o| o.value.to_text()).unwrap_or_default();
            Action::new(format!("{}:{option}", data.name)).with_value(typed)
        }
        _ => return None,
    };
    if let Some(source) = &interaction.message {
        let channel = Some(source.channel_id.as_str())
            .filter(|c| !c.is_empty())
            .or(interaction.channel_id())
            .unwrap_or_default();
        action = action.with_source(SourceMessage::new(source.id.as_str(), channel));
    }
    Some(action)
}

/// A command's args, text, and the message it targets.
fn command_parts(data: &CommandData) -> (String, String, Option<String>) {
    match data.kind {
        CommandType::User => {
            let target = data.target_id.clone().unwrap_or_default();
            (target.clone(), target, None)
        }
        CommandType::Message => {
            let target = data.target_id.clone().unwrap_or_default();
            let content =
                data.resolved.message(&target).map(|m| m.content.clone()).unwrap_or_default();
            (target.clone(), content, Some(target))
        }
        _ => {
            let mut words: Vec<String> =
                data.subcommand_path().into_iter().map(str::to_owned).collect();
            words.extend(
                data.leaf_options()
                    .iter()
                    .filter(|o| {
                        !matches!(
                            o.value,
                            OptionValue::SubCommand(_) | OptionValue::SubCommandGroup(_)
                        )
                    })
                    .filter_map(|o| o.value.to_text()),
            );
            let args = words.join(" ");
            (args.clone(), args, None)
        }
    }
}
