//! Application commands defined in code, and registering them: a bulk overwrite, globally or
//! in one guild, sent only when what is registered differs.
//!
//! ```
//! use chatbridge_discord::model::OptionType;
//! use chatbridge_discord::register::{CommandDefinition, OptionDefinition, is_up_to_date};
//!
//! let commands = [CommandDefinition::chat_input("pizza", "Order a pizza")
//!     .option(OptionDefinition::new(OptionType::String, "kind", "Which one").required().choice("Margherita", "margherita"))
//!     .localize("fr", "pizza", "Commander une pizza")];
//! let registered = serde_json::json!([{
//!     "id": "1", "application_id": "2", "version": "3", "type": 1, "name": "pizza",
//!     "description": "Order a pizza", "default_member_permissions": null, "nsfw": false,
//!     "name_localizations": {"fr": "pizza"}, "description_localizations": {"fr": "Commander une pizza"},
//!     "options": [{"type": 3, "name": "kind", "description": "Which one", "required": true,
//!                  "choices": [{"name": "Margherita", "value": "margherita"}]}]
//! }]);
//! assert!(is_up_to_date(&commands, &registered));
//! ```

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{CommandType, ContextType, OptionType};

/// A command as the bulk-overwrite endpoint takes it.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct CommandDefinition {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: CommandType,
    /// Its name (lower case for chat-input commands).
    pub name: String,
    /// Its description (empty for USER and MESSAGE commands).
    pub description: String,
    /// Its options.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionDefinition>,
    /// Its name by locale.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub name_localizations: BTreeMap<String, String>,
    /// Its description by locale.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub description_localizations: BTreeMap<String, String>,
    /// The permissions a member needs by default, as a decimal bit set string (`"0"`: admins
    /// only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_member_permissions: Option<String>,
    /// Where it can be used; Discord's default when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contexts: Option<Vec<ContextType>>,
    /// How it can be installed (0 guild, 1 user); Discord's default when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_types: Option<Vec<u8>>,
    /// Whether it is age-restricted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nsfw: bool,
}

/// A command option.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct OptionDefinition {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: OptionType,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Whether it must be given.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// The values to choose from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<OptionChoice>,
    /// The options of a subcommand, or the subcommands of a group.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionDefinition>,
    /// The channel types a channel option accepts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channel_types: Vec<u8>,
    /// The smallest number allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value: Option<Value>,
    /// The largest number allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value: Option<Value>,
    /// The shortest text allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u16>,
    /// The longest text allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u16>,
    /// Whether suggestions come from autocomplete interactions.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub autocomplete: bool,
    /// Its name by locale.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub name_localizations: BTreeMap<String, String>,
    /// Its description by locale.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub description_localizations: BTreeMap<String, String>,
}

/// A predefined value of an option.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[non_exhaustive]
pub struct OptionChoice {
    /// What the user sees.
    pub name: String,
    /// The value (text, integer or number).
    pub value: Value,
    /// Its name by locale.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub name_localizations: BTreeMap<String, String>,
}

/// Where commands are registered.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Scope {
    /// Everywhere the app is installed (`/applications/{id}/commands`).
    Global,
    /// One guild, effective at once (`/applications/{id}/guilds/{guild}/commands`).
    Guild(String),
}

/// What [`DiscordClient::sync_commands`](crate::DiscordClient::sync_commands) did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum SyncOutcome {
    /// What is registered already matches: nothing was sent.
    Unchanged,
    /// The commands were overwritten.
    Overwritten,
}

impl CommandDefinition {
    fn new(kind: CommandType, name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
            description: description.into(),
            options: Vec::new(),
            name_localizations: BTreeMap::new(),
            description_localizations: BTreeMap::new(),
            default_member_permissions: None,
            contexts: None,
            integration_types: None,
            nsfw: false,
        }
    }

    /// A slash command.
    pub fn chat_input(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self::new(CommandType::ChatInput, name, description)
    }

    /// A context-menu command on users.
    pub fn user(name: impl Into<String>) -> Self {
        Self::new(CommandType::User, name, "")
    }

    /// A context-menu command on messages.
    pub fn message(name: impl Into<String>) -> Self {
        Self::new(CommandType::Message, name, "")
    }

    /// Adds an option (or a subcommand, or a group).
    pub fn option(mut self, option: OptionDefinition) -> Self {
        self.options.push(option);
        self
    }

    /// Adds a name and description in a locale (`fr`, `pt-BR`, …).
    pub fn localize(
        mut self,
        locale: &str,
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        self.name_localizations.insert(locale.to_owned(), name.into());
        self.description_localizations.insert(locale.to_owned(), description.into());
        self
    }

    /// The permissions a member needs by default (a decimal bit set string).
    pub fn default_member_permissions(mut self, permissions: impl Into<String>) -> Self {
        self.default_member_permissions = Some(permissions.into());
        self
    }

    /// Where the command can be used.
    pub fn contexts(mut self, contexts: impl IntoIterator<Item = ContextType>) -> Self {
        self.contexts = Some(contexts.into_iter().collect());
        self
    }

    /// How the command can be installed: 0 guild install, 1 user install.
    pub fn integration_types(mut self, types: impl IntoIterator<Item = u8>) -> Self {
        self.integration_types = Some(types.into_iter().collect());
        self
    }

    /// Marks the command age-restricted.
    pub fn nsfw(mut self, nsfw: bool) -> Self {
        self.nsfw = nsfw;
        self
    }
}

impl OptionDefinition {
    /// An option of a type.
    pub fn new(kind: OptionType, name: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
            description: description.into(),
            required: false,
            choices: Vec::new(),
            options: Vec::new(),
            channel_types: Vec::new(),
            min_value: None,
            max_value: None,
            min_length: None,
            max_length: None,
            autocomplete: false,
            name_localizations: BTreeMap::new(),
            description_localizations: BTreeMap::new(),
        }
    }

    /// Makes it required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Adds a choice.
    pub fn choice(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let choice = OptionChoice {
            name: name.into(),
            value: value.into(),
            name_localizations: BTreeMap::new(),
        };
        self.choices.push(choice);
        self
    }

    /// Adds a nested option (for subcommands and groups).
    pub fn option(mut self, option: OptionDefinition) -> Self {
        self.options.push(option);
        self
    }

    /// Asks for autocomplete interactions while the user types.
    pub fn autocomplete(mut self) -> Self {
        self.autocomplete = true;
        self
    }

    /// Bounds a number option.
    pub fn range(mut self, min: impl Into<Value>, max: impl Into<Value>) -> Self {
        self.min_value = Some(min.into());
        self.max_value = Some(max.into());
        self
    }

    /// Bounds a text option's length.
    pub fn length(mut self, min: u16, max: u16) -> Self {
        self.min_length = Some(min);
        self.max_length = Some(max);
        self
    }

    /// The channel types a channel option accepts.
    pub fn channel_types(mut self, types: impl IntoIterator<Item = u8>) -> Self {
        self.channel_types = types.into_iter().collect();
        self
    }

    /// Adds a name and description in a locale.
    pub fn localize(
        mut self,
        locale: &str,
        name: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        self.name_localizations.insert(locale.to_owned(), name.into());
        self.description_localizations.insert(locale.to_owned(), description.into());
        self
    }
}

/// Whether `registered` (the JSON array Discord's GET returns) already matches `local`,
/// comparing only the fields defined here, with Discord's defaults and the order of commands
/// ignored. `contexts` and `integration_types` count only where set locally.
#[must_use]
pub fn is_up_to_date(local: &[CommandDefinition], registered: &Value) -> bool {
    let Some(registered) = registered.as_array() else { return false };
    if registered.len() != local.len() {
        return false;
    }
    let mut local: Vec<Value> = local
        .iter()
        .map(|c| normalize(&serde_json::to_value(c).unwrap_or(Value::Null), COMMAND_KEYS))
        .collect();
    let mut remote: Vec<Value> = registered.iter().map(|c| normalize(c, COMMAND_KEYS)).collect();
    let key =
        |v: &Value| (v.get("type").map(Value::to_string), v.get("name").map(Value::to_string));
    local.sort_by_key(key);
    remote.sort_by_key(key);
    local.iter().zip(&remote).all(|(l, r)| {
        let mut r = r.clone();
        if let (Value::Object(r), Value::Object(l)) = (&mut r, l) {
            for optional in ["contexts", "integration_types"] {
                if !l.contains_key(optional) {
                    r.remove(optional);
                }
            }
        }
        *l == r
    })
}

const COMMAND_KEYS: &[&str] = &[
    "type",
    "name",
    "description",
    "options",
    "name_localizations",
    "description_localizations",
    "default_member_permissions",
    "contexts",
    "integration_types",
    "nsfw",
];

const OPTION_KEYS: &[&str] = &[
    "type",
    "name",
    "description",
    "required",
    "choices",
    "options",
    "channel_types",
    "min_value",
    "max_value",
    "min_length",
    "max_length",
    "autocomplete",
    "name_localizations",
    "description_localizations",
];

const CHOICE_KEYS: &[&str] = &["name", "value", "name_localizations"];

/// Keeps the managed keys, drops what equals Discord's default (null, false, empty), and
/// writes numbers one way (1 and 1.0 alike).
fn normalize(value: &Value, keys: &[&str]) -> Value {
    let Value::Object(object) = value else { return value.clone() };
    let mut out = Map::new();
    for (key, value) in object {
        if !keys.contains(&key.as_str()) {
            continue;
        }
        let value = match (key.as_str(), value) {
            ("options", Value::Array(items)) => {
                Value::Array(items.iter().map(|o| normalize(o, OPTION_KEYS)).collect())
            }
            ("choices", Value::Array(items)) => {
                Value::Array(items.iter().map(|c| normalize(c, CHOICE_KEYS)).collect())
            }
            (_, Value::Number(n)) => {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
            }
            (_, other) => other.clone(),
        };
        let is_default = match &value {
            Value::Null | Value::Bool(false) => true,
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        };
        if !is_default {
            out.insert(key.clone(), value);
        }
    }
    Value::Object(out)
}
