//! Events API models: the `event_callback` envelope and its inner event, read leniently so
//! that new event types, subtypes and block types never fail a request.
//!
//! See Slack's pages "Events API" and "url_verification".

use std::fmt;

use serde_json::Value;

use super::str_field;

/// The outer body of an Events API request, by its `type`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub(crate) enum Envelope {
    /// The endpoint handshake: answer with the challenge.
    UrlVerification { challenge: String },
    /// A real event.
    Callback(Box<EventCallback>),
    /// Slack stopped sending events for a minute: log it and acknowledge.
    RateLimited { team_id: Option<String> },
    /// An outer type this crate does not know yet.
    Other(String),
}

impl Envelope {
    /// Reads an Events API body.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        Ok(Self::from_value(serde_json::from_slice(body)?))
    }

    /// Reads an Events API body already parsed (a Socket Mode envelope's `payload`).
    pub(crate) fn from_value(value: Value) -> Self {
        match str_field(&value, "type").as_deref() {
            Some("url_verification") => Self::UrlVerification {
                challenge: str_field(&value, "challenge").unwrap_or_default(),
            },
            Some("event_callback") => Self::Callback(Box::new(EventCallback::from_value(value))),
            Some("app_rate_limited") => Self::RateLimited { team_id: str_field(&value, "team_id") },
            other => Self::Other(other.unwrap_or_default().to_owned()),
        }
    }
}

/// An `event_callback` envelope: where the event came from, and the event.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EventCallback {
    /// The workspace the event happened in.
    pub team_id: Option<String>,
    /// The Enterprise Grid organisation the event happened in, if any.
    pub enterprise_id: Option<String>,
    /// The app the event is for.
    pub api_app_id: Option<String>,
    /// The delivery's unique id, the same across Slack's retries.
    pub event_id: Option<String>,
    /// When the event happened, in Unix seconds.
    pub event_time: Option<i64>,
    /// The installations the event is visible to.
    pub authorizations: Vec<Authorization>,
    /// The workspace of the event's context (shared channels).
    pub context_team_id: Option<String>,
    /// The enterprise of the event's context, on Enterprise Grid.
    pub context_enterprise_id: Option<String>,
    /// Whether the event happened in a channel shared with another organisation.
    pub is_ext_shared_channel: bool,
    /// The event itself.
    pub event: Event,
}

impl EventCallback {
    pub(crate) fn from_value(mut value: Value) -> Self {
        let event = value.get_mut("event").map_or(Value::Null, Value::take);
        let authorizations = value
            .get("authorizations")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(Authorization::from_value).collect())
            .unwrap_or_default();
        Self {
            team_id: str_field(&value, "team_id"),
            enterprise_id: str_field(&value, "enterprise_id"),
            api_app_id: str_field(&value, "api_app_id"),
            event_id: str_field(&value, "event_id"),
            event_time: value.get("event_time").and_then(Value::as_i64),
            authorizations,
            context_team_id: str_field(&value, "context_team_id"),
            context_enterprise_id: str_field(&value, "context_enterprise_id"),
            is_ext_shared_channel: value
                .get("is_ext_shared_channel")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            event: Event::from_value(event),
        }
    }
}

/// One entry of an envelope's `authorizations`: an installation the event is visible to.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Authorization {
    /// The enterprise, on Enterprise Grid.
    pub enterprise_id: Option<String>,
    /// The workspace.
    pub team_id: Option<String>,
    /// The installation's user: the bot user when `is_bot`.
    pub user_id: Option<String>,
    /// Whether the installation is a bot's.
    pub is_bot: bool,
}

impl Authorization {
    fn from_value(value: &Value) -> Self {
        Self {
            enterprise_id: str_field(value, "enterprise_id"),
            team_id: str_field(value, "team_id"),
            user_id: str_field(value, "user_id"),
            is_bot: value.get("is_bot").and_then(Value::as_bool).unwrap_or(false),
        }
    }
}

/// The inner event of an `event_callback`. The common fields are parsed; everything is in
/// [`raw`](Self::raw), whatever its type.
#[derive(Clone)]
#[non_exhaustive]
pub struct Event {
    /// The event type: `message`, `app_mention`, `reaction_added`, or any other.
    pub kind: String,
    /// The subtype, for messages (`bot_message`, `message_changed`, …).
    pub subtype: Option<String>,
    /// The channel the event happened in.
    pub channel: Option<String>,
    /// The channel's type: `channel`, `group`, `im` or `mpim`.
    pub channel_type: Option<String>,
    /// The user who caused the event.
    pub user: Option<String>,
    /// The bot that posted the message, if a bot did.
    pub bot_id: Option<String>,
    /// The app that posted the message, if an app did.
    pub app_id: Option<String>,
    /// The message's text.
    pub text: Option<String>,
    /// The message's timestamp, its id within the channel.
    pub ts: Option<String>,
    /// The thread the message belongs to.
    pub thread_ts: Option<String>,
    /// When the event happened.
    pub event_ts: Option<String>,
    /// The message's blocks, of every type.
    pub blocks: Vec<Block>,
    /// The inner message of `message_changed` (and similar subtypes).
    pub message: Option<Box<Event>>,
    /// The emoji name of a reaction event.
    pub reaction: Option<String>,
    /// What a reaction was added to.
    pub item: Option<ReactionItem>,
    /// The whole event as Slack sent it.
    pub raw: Value,
}

impl Event {
    /// Parses an event from its JSON. Never fails: what is missing stays `None`.
    ///
    /// ```
    /// use chatbridge_slack::Event;
    ///
    /// let event = Event::from_value(serde_json::json!({"type": "pizza_ordered", "size": "xl"}));
    /// assert_eq!(event.kind, "pizza_ordered");
    /// assert_eq!(event.raw["size"], "xl");
    /// ```
    #[must_use]
    pub fn from_value(raw: Value) -> Self {
        let item = raw.get("item").filter(|v| v.is_object()).map(|item| ReactionItem {
            kind: str_field(item, "type"),
            channel: str_field(item, "channel"),
            ts: str_field(item, "ts"),
        });
        let blocks = raw
            .get("blocks")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(Block::from_value).collect())
            .unwrap_or_default();
        let message = raw
            .get("message")
            .filter(|v| v.is_object())
            .map(|inner| Box::new(Self::from_value(inner.clone())));
        let app_id = str_field(&raw, "app_id")
            .or_else(|| raw.get("bot_profile").and_then(|profile| str_field(profile, "app_id")));
        Self {
            kind: str_field(&raw, "type").unwrap_or_default(),
            subtype: str_field(&raw, "subtype"),
            channel: str_field(&raw, "channel"),
            channel_type: str_field(&raw, "channel_type"),
            user: str_field(&raw, "user"),
            bot_id: str_field(&raw, "bot_id"),
            app_id,
            text: str_field(&raw, "text"),
            ts: str_field(&raw, "ts"),
            thread_ts: str_field(&raw, "thread_ts"),
            event_ts: str_field(&raw, "event_ts"),
            blocks,
            message,
            reaction: str_field(&raw, "reaction"),
            item,
            raw,
        }
    }

    /// Whether the event comes from a bot or an app rather than a person.
    #[must_use]
    pub fn is_from_bot(&self) -> bool {
        self.bot_id.is_some()
            || self.subtype.as_deref() == Some("bot_message")
            || self.raw.get("bot_profile").is_some_and(Value::is_object)
            || self.message.as_deref().is_some_and(Self::is_from_bot)
    }
}

impl fmt::Debug for Event {
    // Text and raw JSON are user content: left out so that `?event` in a log stays clean.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("kind", &self.kind)
            .field("subtype", &self.subtype)
            .field("channel", &self.channel)
            .field("user", &self.user)
            .field("bot_id", &self.bot_id)
            .field("ts", &self.ts)
            .field("blocks", &self.blocks.len())
            .finish_non_exhaustive()
    }
}

/// What a reaction was added to.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ReactionItem {
    /// The item type, `message` usually.
    pub kind: Option<String>,
    /// The message's channel.
    pub channel: Option<String>,
    /// The message's timestamp.
    pub ts: Option<String>,
}

/// A Block Kit block of any type, known or not.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Block {
    /// The block type: `section`, `rich_text`, … or one invented after this crate.
    pub kind: String,
    /// The block's id.
    pub block_id: Option<String>,
    /// The whole block as Slack sent it.
    pub raw: Value,
}

impl Block {
    fn from_value(raw: &Value) -> Self {
        Self {
            kind: str_field(raw, "type").unwrap_or_default(),
            block_id: str_field(raw, "block_id"),
            raw: raw.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_outer_type_is_other() {
        let envelope = Envelope::parse(br#"{"type":"brand_new"}"#).unwrap();
        assert!(matches!(envelope, Envelope::Other(t) if t == "brand_new"));
    }

    #[test]
    fn user_may_be_an_object() {
        let event =
            Event::from_value(serde_json::json!({"type": "user_change", "user": {"id": "U1"}}));
        assert_eq!(event.user, None);
        assert_eq!(event.raw["user"]["id"], "U1");
    }
}
