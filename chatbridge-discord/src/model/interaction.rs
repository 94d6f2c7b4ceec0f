//! The interaction envelope: who, where, and the type-specific data.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{
    CommandData, ComponentData, Member, ModalSubmitData, PartialMessage, User, lenient, u8_enum,
};

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
/// Only `type` is required: Discord's own examples leave out `application_id`, the
/// interaction's `id` and `token`, or the invoker. Whatever is missing or of another shape reads
/// as `None` or empty; data that does not fit its type is kept in [`InteractionData::Unknown`].
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
    /// The interaction's id (empty when not sent).
    pub id: String,
    /// The application's id (empty when not sent).
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
    /// The token for responses and follow-ups, valid for 15 minutes (empty when not sent).
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
    /// The installations the interaction was authorized for: `"0"` (guild install) maps to the
    /// guild id (`"0"` in the bot's DM), `"1"` (user install) to the authorizing user's id.
    pub authorizing_integration_owners: BTreeMap<String, String>,
    /// The largest attachment the invoking user may upload here, in bytes.
    pub attachment_size_limit: Option<u64>,
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
    /// The data of an interaction type this version does not know, or data that does not have
    /// its type's shape, as sent (`Null` when absent).
    Unknown(Value),
}

/// A channel as interactions carry it; every field may be missing.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PartialChannel {
    /// The channel's id.
    #[serde(deserialize_with = "lenient::text_or_empty")]
    pub id: String,
    /// The channel's type number (0 guild text, 1 DM, 3 group DM, 11 public thread, …).
    #[serde(rename = "type", deserialize_with = "lenient::or_default")]
    pub kind: u8,
    /// The channel's name, for guild channels.
    #[serde(deserialize_with = "lenient::text")]
    pub name: Option<String>,
    /// The parent channel or category.
    #[serde(deserialize_with = "lenient::text")]
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
    /// The body is not JSON, not an object, or has no `type` that is an integer from 0 to 255.
    /// Missing fields, fields of other shapes, unknown fields and unknown type numbers are no
    /// error.
    pub fn from_slice(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// The invoking user: `member.user` in a guild, `user` in a DM.
    #[must_use]
    pub fn invoker(&self) -> Option<&User> {
        self.member.as_ref().and_then(|m| m.user.as_ref()).or(self.user.as_ref())
    }

    /// The channel id, from `channel_id` or `channel.id`.
    #[must_use]
    pub fn channel_id(&self) -> Option<&str> {
        self.channel_id
            .as_deref()
            .or_else(|| self.channel.as_ref().map(|c| c.id.as_str()))
            .filter(|id| !id.is_empty())
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
        // Only `type` is required; every other field of the wrong shape reads as absent.
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default, deserialize_with = "lenient::text_or_empty")]
            id: String,
            #[serde(default, deserialize_with = "lenient::text_or_empty")]
            application_id: String,
            #[serde(rename = "type")]
            kind: InteractionType,
            // Kept as raw JSON until `type` is known (it may come after `data`), then parsed
            // straight into its typed form: no `Value` tree in between.
            #[serde(default)]
            data: Option<Box<RawValue>>,
            #[serde(default, deserialize_with = "lenient::text")]
            guild_id: Option<String>,
            #[serde(default, deserialize_with = "lenient::text")]
            channel_id: Option<String>,
            #[serde(default, deserialize_with = "lenient::or_none")]
            channel: Option<PartialChannel>,
            #[serde(default, deserialize_with = "lenient::or_none")]
            member: Option<Member>,
            #[serde(default, deserialize_with = "lenient::or_none")]
            user: Option<User>,
            #[serde(default, deserialize_with = "lenient::text_or_empty")]
            token: String,
            #[serde(default, deserialize_with = "lenient::or_none")]
            message: Option<PartialMessage>,
            #[serde(default, deserialize_with = "lenient::text")]
            app_permissions: Option<String>,
            #[serde(default, deserialize_with = "lenient::text")]
            locale: Option<String>,
            #[serde(default, deserialize_with = "lenient::text")]
            guild_locale: Option<String>,
            #[serde(default, deserialize_with = "lenient::or_none")]
            context: Option<ContextType>,
            #[serde(default, deserialize_with = "lenient::or_default")]
            authorizing_integration_owners: BTreeMap<String, String>,
            #[serde(default, deserialize_with = "lenient::or_none")]
            attachment_size_limit: Option<u64>,
            #[serde(default, deserialize_with = "lenient::or_default")]
            entitlements: Vec<Value>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let data = typed_data(raw.kind, raw.data.as_deref());
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
            token: InteractionToken(raw.token),
            message: raw.message,
            app_permissions: raw.app_permissions,
            locale: raw.locale,
            guild_locale: raw.guild_locale,
            context: raw.context,
            authorizing_integration_owners: raw.authorizing_integration_owners,
            attachment_size_limit: raw.attachment_size_limit,
            entitlements: raw.entitlements,
        })
    }
}

/// Reads `data` by interaction type. Missing data reads as the type's empty data; data that
/// does not have the type's shape, and the data of unknown types, are kept as they came.
fn typed_data(kind: InteractionType, data: Option<&RawValue>) -> InteractionData {
    let text = data.map_or("{}", RawValue::get);
    // Serde would also read a struct from an array, by position: data must be an object.
    let object = text.trim_start().starts_with('{');
    let typed = match kind {
        InteractionType::Ping => return InteractionData::None,
        _ if !object => None,
        InteractionType::ApplicationCommand => {
            serde_json::from_str(text).map(InteractionData::Command).ok()
        }
        InteractionType::ApplicationCommandAutocomplete => {
            serde_json::from_str(text).map(InteractionData::Autocomplete).ok()
        }
        InteractionType::MessageComponent => {
            serde_json::from_str(text).map(InteractionData::Component).ok()
        }
        InteractionType::ModalSubmit => serde_json::from_str::<Value>(text)
            .ok()
            .as_ref()
            .and_then(ModalSubmitData::from_value)
            .map(InteractionData::Modal),
        InteractionType::Unknown(_) => None,
    };
    typed.unwrap_or_else(|| {
        if !matches!(kind, InteractionType::Unknown(_)) {
            tracing::debug!(
                kind = u8::from(kind),
                "interaction data of an unexpected shape kept raw"
            );
        }
        // The body parsed, so its `data` is JSON.
        InteractionData::Unknown(
            data.and_then(|raw| serde_json::from_str(raw.get()).ok()).unwrap_or(Value::Null),
        )
    })
}
