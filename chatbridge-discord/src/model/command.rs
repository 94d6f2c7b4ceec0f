//! Application command data: chat-input commands with nested options, USER and MESSAGE
//! context-menu commands, and autocomplete.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{Member, PartialMessage, Resolved, User, lenient, u8_enum};

u8_enum! {
    /// An application command's type.
    CommandType {
        /// A slash command.
        ChatInput = 1,
        /// A context-menu command on a user.
        User = 2,
        /// A context-menu command on a message.
        Message = 3,
        /// An activity's primary entry point.
        PrimaryEntryPoint = 4,
    }
}

u8_enum! {
    /// A command option's type.
    OptionType {
        /// A subcommand.
        SubCommand = 1,
        /// A group of subcommands.
        SubCommandGroup = 2,
        /// Text.
        String = 3,
        /// An integer between -2^53 and 2^53.
        Integer = 4,
        /// A boolean.
        Boolean = 5,
        /// A user.
        User = 6,
        /// A channel.
        Channel = 7,
        /// A role.
        Role = 8,
        /// A user or a role.
        Mentionable = 9,
        /// A floating-point number.
        Number = 10,
        /// An uploaded file.
        Attachment = 11,
    }
}

/// The `data` of an APPLICATION_COMMAND or APPLICATION_COMMAND_AUTOCOMPLETE interaction. Every
/// field may be missing; `options` and `resolved` of another shape read as empty.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[non_exhaustive]
pub struct CommandData {
    /// The command's id.
    #[serde(default, deserialize_with = "lenient::text_or_empty")]
    pub id: String,
    /// The command's name.
    #[serde(default, deserialize_with = "lenient::text_or_empty")]
    pub name: String,
    /// The command's type (chat input when absent).
    #[serde(rename = "type", default = "chat_input", deserialize_with = "chat_input_or")]
    pub kind: CommandType,
    /// The options the user gave, possibly nested in a subcommand group and a subcommand.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub options: Vec<CommandOption>,
    /// The users, members, roles, channels, messages and attachments the options refer to.
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub resolved: Resolved,
    /// The target of a USER or MESSAGE command.
    #[serde(default, deserialize_with = "lenient::text")]
    pub target_id: Option<String>,
    /// The guild the command is registered in, for guild commands.
    #[serde(default, deserialize_with = "lenient::text")]
    pub guild_id: Option<String>,
}

/// One option of a command, with its typed value.
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub struct CommandOption {
    /// The option's name.
    pub name: String,
    /// Its value (or nested options, for subcommands and groups).
    pub value: OptionValue,
    /// Whether the user is typing in this option right now (autocomplete).
    pub focused: bool,
}

/// A typed option value. Ids (user, channel, role, mentionable, attachment) look their objects
/// up in [`CommandData::resolved`].
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub enum OptionValue {
    /// A subcommand and its options.
    SubCommand(Vec<CommandOption>),
    /// A subcommand group and its subcommand.
    SubCommandGroup(Vec<CommandOption>),
    /// Text.
    String(String),
    /// An integer.
    Integer(i64),
    /// A boolean.
    Boolean(bool),
    /// A user id.
    User(String),
    /// A channel id.
    Channel(String),
    /// A role id.
    Role(String),
    /// A user or role id.
    Mentionable(String),
    /// A number.
    Number(f64),
    /// An attachment id.
    Attachment(String),
    /// What the user has typed so far in the focused option of an autocomplete request, which
    /// is text whatever the option's type.
    Partial(String),
    /// An option type this version does not know, or a value of the wrong shape.
    Unknown {
        /// The option type as sent (`Unknown(0)` when absent).
        kind: OptionType,
        /// The value as sent.
        value: Option<Value>,
    },
}

impl OptionValue {
    /// The value as text: strings as they are, numbers and booleans written out, ids as ids;
    /// `None` for subcommands.
    #[must_use]
    pub fn to_text(&self) -> Option<String> {
        match self {
            Self::SubCommand(_) | Self::SubCommandGroup(_) => None,
            Self::String(s)
            | Self::User(s)
            | Self::Channel(s)
            | Self::Role(s)
            | Self::Mentionable(s)
            | Self::Attachment(s)
            | Self::Partial(s) => Some(s.clone()),
            Self::Integer(n) => Some(n.to_string()),
            Self::Number(n) => Some(n.to_string()),
            Self::Boolean(b) => Some(b.to_string()),
            Self::Unknown { value, .. } => value.clone().map(into_text),
        }
    }
}

/// The target of a context-menu command, resolved.
#[derive(Clone, Copy, PartialEq, Debug)]
#[non_exhaustive]
pub enum Target<'a> {
    /// A USER command's target, with its guild membership when in a guild.
    User {
        /// The user.
        user: &'a User,
        /// The guild member, when the command ran in a guild.
        member: Option<&'a Member>,
    },
    /// A MESSAGE command's target.
    Message(&'a PartialMessage),
}

impl CommandData {
    /// The subcommand group and subcommand names the user picked, outermost first (empty for
    /// a command without subcommands).
    #[must_use]
    pub fn subcommand_path(&self) -> Vec<&str> {
        let mut path = Vec::new();
        let mut options = &self.options;
        while let Some(next) = options.iter().find_map(|o| match &o.value {
            OptionValue::SubCommand(inner) | OptionValue::SubCommandGroup(inner) => {
                path.push(o.name.as_str());
                Some(inner)
            }
            _ => None,
        }) {
            options = next;
        }
        path
    }

    /// The options with values, below any subcommand group and subcommand.
    #[must_use]
    pub fn leaf_options(&self) -> &[CommandOption] {
        let mut options = self.options.as_slice();
        while let Some(inner) = options.iter().find_map(|o| match &o.value {
            OptionValue::SubCommand(inner) | OptionValue::SubCommandGroup(inner) => Some(inner),
            _ => None,
        }) {
            options = inner;
        }
        options
    }

    /// A value option by name, below any subcommand.
    #[must_use]
    pub fn option(&self, name: &str) -> Option<&OptionValue> {
        self.leaf_options().iter().find(|o| o.name == name).map(|o| &o.value)
    }

    /// The option the user is typing in (autocomplete), at whatever depth it is.
    #[must_use]
    pub fn focused(&self) -> Option<&CommandOption> {
        fn find(options: &[CommandOption]) -> Option<&CommandOption> {
            options.iter().find_map(|o| match &o.value {
                _ if o.focused => Some(o),
                OptionValue::SubCommand(inner) | OptionValue::SubCommandGroup(inner) => find(inner),
                _ => None,
            })
        }
        find(&self.options)
    }

    /// The resolved target of a USER or MESSAGE command.
    #[must_use]
    pub fn target(&self) -> Option<Target<'_>> {
        let id = self.target_id.as_deref()?;
        match self.kind {
            CommandType::User => Some(Target::User {
                user: self.resolved.user(id)?,
                member: self.resolved.member(id),
            }),
            CommandType::Message => self.resolved.message(id).map(Target::Message),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for CommandOption {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Every field may be missing or of another shape: the option is then kept as
        // `OptionValue::Unknown` with what was sent.
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default, deserialize_with = "lenient::text_or_empty")]
            name: String,
            #[serde(rename = "type", default, deserialize_with = "lenient::or_none")]
            kind: Option<OptionType>,
            #[serde(default)]
            value: Option<Value>,
            #[serde(default, deserialize_with = "lenient::or_default")]
            options: Vec<CommandOption>,
            #[serde(default, deserialize_with = "lenient::or_default")]
            focused: bool,
        }
        let raw = Raw::deserialize(deserializer)?;
        let kind = raw.kind.unwrap_or(OptionType::Unknown(0));
        let value = typed_value(kind, raw.value, raw.options, raw.focused);
        Ok(Self { name: raw.name, value, focused: raw.focused })
    }
}

fn chat_input() -> CommandType {
    CommandType::ChatInput
}

/// A command type of another shape reads as chat input, as an absent one does.
fn chat_input_or<'de, D: Deserializer<'de>>(deserializer: D) -> Result<CommandType, D::Error> {
    lenient::or_none(deserializer).map(|kind| kind.unwrap_or(CommandType::ChatInput))
}

fn typed_value(
    kind: OptionType,
    value: Option<Value>,
    options: Vec<CommandOption>,
    focused: bool,
) -> OptionValue {
    // The value's strings are moved into the option, not copied.
    if focused && let Some(value) = value {
        return OptionValue::Partial(into_text(value));
    }
    let scalar = match kind {
        OptionType::SubCommand => return OptionValue::SubCommand(options),
        OptionType::SubCommandGroup => return OptionValue::SubCommandGroup(options),
        OptionType::Integer => value.as_ref().and_then(Value::as_i64).map(OptionValue::Integer),
        OptionType::Number => value.as_ref().and_then(Value::as_f64).map(OptionValue::Number),
        OptionType::Boolean => value.as_ref().and_then(Value::as_bool).map(OptionValue::Boolean),
        _ => None,
    };
    if let Some(typed) = scalar {
        return typed;
    }
    let text: fn(String) -> OptionValue = match kind {
        OptionType::String => OptionValue::String,
        OptionType::User => OptionValue::User,
        OptionType::Channel => OptionValue::Channel,
        OptionType::Role => OptionValue::Role,
        OptionType::Mentionable => OptionValue::Mentionable,
        OptionType::Attachment => OptionValue::Attachment,
        _ => return OptionValue::Unknown { kind, value },
    };
    match value {
        // Ids sent as numbers still read as ids; a STRING option must be a string.
        Some(value) if value.is_string() || kind != OptionType::String => text(into_text(value)),
        value => OptionValue::Unknown { kind, value },
    }
}

/// A JSON scalar as text (strings without quotes), taking the string when it is one.
fn into_text(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}
