//! The interaction envelope: who, where, and the type-specific data.

use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{CommandData, ComponentData, Member, ModalSubmitData, PartialMessage, User, u8_enum};

u8_enum! {
    /// An interaction's type.
    InteractionType {
        /// Discord checking the endpoint.
        Ping = 1,
        /// A slash or context-menu command.
        ApplicationCommand = 2,
        /// A button press or a select-menu choice.
        MessageComponent = 3,
        /// A request for option suggestions while the user types.
        ApplicationCommandAutocomplete = 4,
        /// A submitted modal.
        ModalSubmit = 5,
    }
}

u8_enum! {
    /// Where an interaction was triggered from.
    ContextType {
        /// A guild.
        Guild = 0,
        /// A direct message with the bot.
        BotDm = 1,
        /// A group DM or a DM without the bot (user-installed apps).
        PrivateChannel = 2,
    }
}

/// A received interaction.
///
/// ```
/// use chatbridge_discord::model::{Interaction, InteractionType};
///
/// let body = br#"{"id":"1","application_id":"2","type":1,"token":"t","version":1}"#;
/// let interaction = Interaction::from_slice(body).unwrap();
/// assert_eq!(interaction.kind, InteractionType::Ping);
/// ```
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub struct Interaction {
    /// The interaction's id.
    pub id: String,
    /// The application's id.
    pub application_id: String,
    /// The interaction's type.
    pub kind: InteractionType,
    /// The type-specific data.
    pub data: InteractionData,
    /// The guild, when triggered in one.
    pub guild_id: Option<String>,
    /// The channel it was triggered in.
    pub channel_id: Option<String>,
    /// The channel, partially.
    pub channel: Option<PartialChannel>,
    /// The invoking member, in a guild.
    pub member: Option<Member>,
    /// The invoking user, in a DM.
    pub user: Option<User>,
    /// The token for responses and follow-ups, valid for 15 minutes.
    pub token: InteractionToken,
    /// The message a component is attached to.
    pub message: Option<PartialMessage>,
    /// The bot's permissions in the channel, as a decimal bit set string.
    pub app_permissions: Option<String>,
    /// The invoking user's language.
    pub locale: Option<String>,
    /// The guild's preferred language.
    pub guild_locale: Option<String>,
    /// Where it was triggered from.
    pub context: Option<ContextType>,
    /// The monetization entitlements of the user and guild, as sent.
    pub entitlements: Vec<Value>,
}

/// The type-specific `data` of an interaction.
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub enum InteractionData {
    /// PING carries none.
    None,
    /// A command (APPLICATION_COMMAND).
    Command(CommandData),
    /// A component (MESSAGE_COMPONENT).
    Component(ComponentData),
    /// An autocomplete request (APPLICATION_COMMAND_AUTOCOMPLETE).
    Autocomplete(CommandData),
    /// A modal submission (MODAL_SUBMIT).
    Modal(ModalSubmitData),
    /// An interaction type this version does not know, or data it could not read.
    Unknown(Value),
}

/// A channel as interactions carry it.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[non_exhaustive]
pub struct PartialChannel {
    /// The channel's id.
    pub id: String,
    /// The channel's type number (0 guild text, 1 DM, 3 group DM, 11 public thread, …).
    #[serde(rename = "type", default)]
    pub kind: u8,
    /// The channel's name, for guild channels.
    #[serde(default)]
    pub name: Option<String>,
    /// The parent channel or category.
    #[serde(default)]
    pub parent_id: Option<String>,
}

/// An interaction token: it authorizes the 15 minutes of responses and follow-ups, so its
/// `Debug` is redacted.
///
/// ```
/// use chatbridge_discord::model::InteractionToken;
///
/// let token = InteractionToken::new("aW50ZXJhY3Rpb246MTIz");
/// assert_eq!(format!("{token:?}"), "InteractionToken([REDACTED])");
/// ```
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct InteractionToken(String);

impl InteractionToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token, for the URL of a webhook call. Never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for InteractionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InteractionToken([REDACTED])")
    }
}

impl Interaction {
    /// Parses an interaction body.
    ///
    /// # Errors
    ///
    /// The body is not JSON, or lacks `id`, `application_id`, `type` or `token`. Unknown
    /// fields and type numbers are no error.
    pub fn from_slice(body: &[u8]) -> Result<Self, serde_json::Error> {
        chatbridge_core::adapter::from_json(body)
    }

    /// The invoking user: `member.user` in a guild, `user` in a DM.
    #[must_use]
    pub fn invoker(&self) -> Option<&User> {
        self.member.as_ref().and_then(|m| m.user.as_ref()).or(self.user.as_ref())
    }

    /// The channel id, from `channel_id` or `channel.id`.
    #[must_use]
    pub fn channel_id(&self) -> Option<&str> {
        self.channel_id.as_deref().or_else(|| self.channel.as_ref().map(|c| c.id.as_str()))
    }

    /// The command data of a command or autocomplete interaction.
    #[must_use]
    pub fn command(&self) -> Option<&CommandData> {
        match &self.data {
            InteractionData::Command(data) | InteractionData::Autocomplete(data) => Some(data),
            _ => None,
        }
    }

    /// The component data of a component interaction.
    #[must_use]
    pub fn component(&self) -> Option<&ComponentData> {
        match &self.data {
            InteractionData::Component(data) => Some(data),
            _ => None,
        }
    }

    /// The data of a modal submission.
    #[must_use]
    pub fn modal(&self) -> Option<&ModalSubmitData> {
        match &self.data {
            InteractionData::Modal(data) => Some(data),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Interaction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            id: String,
            application_id: String,
            #[serde(rename = "type")]
            kind: InteractionType,
            // Kept as raw JSON until `type` is known (it may come after `data`), then parsed
            // straight into its typed form: no `Value` tree in between.
            #[serde(default)]
            data: Option<Box<RawValue>>,
            #[serde(default)]
            guild_id: Option<String>,
            #[serde(default)]
            channel_id: Option<String>,
            #[serde(default)]
            channel: Option<PartialChannel>,
            #[serde(default)]
            member: Option<Member>,
            #[serde(default)]
            user: Option<User>,
            token: InteractionToken,
            #[serde(default)]
            message: Option<PartialMessage>,
            #[serde(default)]
            app_permissions: Option<String>,
            #[serde(default)]
            locale: Option<String>,
            #[serde(default)]
            guild_locale: Option<String>,
            #[serde(default)]
            context: Option<ContextType>,
            #[serde(default)]
            entitlements: Vec<Value>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let data = typed_data(raw.kind, raw.data).map_err(serde::de::Error::custom)?;
        Ok(Self {
            id: raw.id,
            application_id: raw.application_id,
            kind: raw.kind,
            data,
            guild_id: raw.guild_id,
            channel_id: raw.channel_id,
            channel: raw.channel,
            member: raw.member,
            user: raw.user,
            token: raw.token,
            message: raw.message,
            app_permissions: raw.app_permissions,
            locale: raw.locale,
            guild_locale: raw.guild_locale,
            context: raw.context,
            entitlements: raw.entitlements,
        })
    }
}

/// Reads `data` by interaction type. Known types with malformed data are errors (a 400);
/// unknown types keep their data as it came.
fn typed_data(
    kind: InteractionType,
    data: Option<Box<RawValue>>,
) -> Result<InteractionData, String> {
    let missing = || format!("interaction type {} without data", u8::from(kind));
    let raw = data.as_deref().map(RawValue::get);
    match kind {
        InteractionType::Ping => Ok(InteractionData::None),
        InteractionType::ApplicationCommand => serde_json::from_str(raw.ok_or_else(missing)?)
            .map(InteractionData::Command)
            .map_err(|e| format!("command data: {e}")),
        InteractionType::ApplicationCommandAutocomplete => {
            serde_json::from_str(raw.ok_or_else(missing)?)
                .map(InteractionData::Autocomplete)
                .map_err(|e| format!("autocomplete data: {e}"))
        }
        InteractionType::MessageComponent => serde_json::from_str(raw.ok_or_else(missing)?)
            .map(InteractionData::Component)
            .map_err(|e| format!("component data: {e}")),
        InteractionType::ModalSubmit => raw
            .and_then(|raw| serde_json::from_str::<Value>(raw).ok())
            .as_ref()
            .and_then(ModalSubmitData::from_value)
            .map(InteractionData::Modal)
            .ok_or_else(|| "modal data without custom_id".to_owned()),
        InteractionType::Unknown(_) => Ok(InteractionData::Unknown(match raw {
            Some(raw) => serde_json::from_str(raw).map_err(|e| format!("data: {e}"))?,
            None => Value::Null,
        })),
    }
}
