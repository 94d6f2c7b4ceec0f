//! Which events the bot must not answer: its own messages in every shape, and, by policy,
//! other apps' messages.

use crate::{Event, EventCallback};

/// The bot's own identities in a workspace, from configuration or `auth.test`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BotIds {
    /// The bot user's id (`U…`).
    pub user_id: Option<String>,
    /// The bot's id (`B…`).
    pub bot_id: Option<String>,
    /// The app's id (`A…`).
    pub app_id: Option<String>,
}

impl BotIds {
    /// No ids known yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the bot user's id.
    #[must_use]
    pub fn with_user_id(mut self, id: impl Into<String>) -> Self {
        self.user_id = Some(id.into());
        self
    }

    /// Sets the bot id.
    #[must_use]
    pub fn with_bot_id(mut self, id: impl Into<String>) -> Self {
        self.bot_id = Some(id.into());
        self
    }

    /// Sets the app id.
    #[must_use]
    pub fn with_app_id(mut self, id: impl Into<String>) -> Self {
        self.app_id = Some(id.into());
        self
    }

    /// Whether any id is known.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.user_id.is_none() && self.bot_id.is_none() && self.app_id.is_none()
    }

    /// Fills the ids this one lacks from `other`.
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    pub(crate) fn or(mut self, other: &Self) -> Self {
        self.user_id = self.user_id.or_else(|| other.user_id.clone());
        self.bot_id = self.bot_id.or_else(|| other.bot_id.clone());
        self.app_id = self.app_id.or_else(|| other.app_id.clone());
        self
    }
}

/// What to do with messages other bots and apps post.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OtherBots {
    /// Drop them (the default): two bots answering each other never stop.
    #[default]
    Ignore,
    /// Hand them to the handler like any other message.
    Handle,
}

/// Whether an event is the bot's own doing: a message it posted (with `chat.postMessage` or
/// through a `response_url`), an edit of such a message, or a reaction it added.
pub(crate) fn is_own(callback: &EventCallback, ids: &BotIds) -> bool {
    // The envelope names the bot user of the installation the event was sent to.
    let installation_users: Vec<&str> = callback
        .authorizations
        .iter()
        .filter(|a| a.is_bot)
        .filter_map(|a| a.user_id.as_deref())
        .collect();
    is_own_event(&callback.event, ids, &installation_users)
}

/// Whether an event comes from another bot or app.
pub(crate) fn is_other_bot(event: &Event) -> bool {
    event.is_from_bot()
}

fn is_own_event(event: &Event, ids: &BotIds, installation_users: &[&str]) -> bool {
    let same = |mine: &Option<String>, theirs: &Option<String>| matches!((mine, theirs), (Some(a), Some(b)) if a == b);
    let user_is_bot = event.user.as_deref().is_some_and(|user| installation_users.contains(&user));
    same(&ids.user_id, &event.user)
        || same(&ids.bot_id, &event.bot_id)
        || same(&ids.app_id, &event.app_id)
        || user_is_bot
        || event
            .message
            .as_deref()
            .is_some_and(|inner| is_own_event(inner, ids, installation_users))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn callback(event: &serde_json::Value) -> EventCallback {
        EventCallback::from_value(json!({"type": "event_callback", "event": event}))
    }

    #[test]
    fn every_own_shape_is_recognised() {
        let ids = BotIds::new().with_user_id("UBOT").with_bot_id("BBOT").with_app_id("ABOT");
        let shapes = [
            json!({"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": "hi", "ts": "1.2"}),
            json!({"type": "message", "subtype": "bot_message", "bot_id": "BBOT", "ts": "1.2"}),
            json!({"type": "message", "bot_profile": {"app_id": "ABOT"}, "ts": "1.2"}),
            json!({"type": "message", "subtype": "message_changed",
                   "message": {"type": "message", "user": "UBOT", "ts": "1.2"}}),
            json!({"type": "reaction_added", "user": "UBOT", "reaction": "pizza"}),
        ];
        for shape in shapes {
            assert!(is_own(&callback(&shape), &ids), "{shape}");
        }
        assert!(!is_own(&callback(&json!({"type": "message", "user": "U1"})), &ids));
    }

    #[test]
    fn installation_bot_user_counts_as_own() {
        let cb = EventCallback::from_value(json!({
            "type": "event_callback",
            "authorizations": [{"user_id": "UBOT", "is_bot": true, "team_id": "T1"}],
            "event": {"type": "reaction_added", "user": "UBOT"}
        }));
        assert!(is_own(&cb, &BotIds::new()));
    }
}
