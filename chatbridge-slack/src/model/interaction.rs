//! Interactivity: the `payload=` forms Slack posts for buttons, menus, modals and shortcuts.
//!
//! See Slack's page "Handling user interaction".

use std::fmt;

use serde_json::Value;

use super::str_field;

/// What kind of interaction a payload is.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum InteractionKind {
    /// A button press or menu choice in a message or view.
    BlockActions,
    /// A submitted modal.
    ViewSubmission,
    /// A modal closed with `notify_on_close`.
    ViewClosed,
    /// A global shortcut.
    Shortcut,
    /// A message shortcut.
    MessageAction,
    /// An external select asking for options.
    BlockSuggestion,
    /// A type this crate does not know yet.
    Other(String),
}

impl InteractionKind {
    fn from_type(kind: &str) -> Self {
        match kind {
            "block_actions" => Self::BlockActions,
            "view_submission" => Self::ViewSubmission,
            "view_closed" => Self::ViewClosed,
            "shortcut" => Self::Shortcut,
            "message_action" => Self::MessageAction,
            "block_suggestion" => Self::BlockSuggestion,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// An interaction payload. Common fields are parsed; everything is in [`raw`](Self::raw).
#[derive(Clone)]
#[non_exhaustive]
pub struct Interaction {
    /// What kind of interaction it is.
    pub kind: InteractionKind,
    /// The user who interacted.
    pub user_id: Option<String>,
    /// Their user name.
    pub user_name: Option<String>,
    /// The workspace.
    pub team_id: Option<String>,
    /// The channel, when the interaction happened in one.
    pub channel_id: Option<String>,
    /// The `callback_id` of a shortcut, or of the view for view interactions.
    pub callback_id: Option<String>,
    /// Opens a modal within 3 seconds.
    pub trigger_id: Option<String>,
    /// Where replies go (`response_url`, or the first of a view's `response_urls`).
    pub response_url: Option<String>,
    /// The timestamp of the message the interaction came from.
    pub message_ts: Option<String>,
    /// The actions of a `block_actions` payload.
    pub actions: Vec<Action>,
    /// The view, for view interactions and actions inside views.
    pub view: Option<View>,
    /// The typed value of a `block_suggestion`.
    pub value: Option<String>,
    /// The `action_id` of a `block_suggestion`'s element.
    pub action_id: Option<String>,
    /// The whole payload as Slack sent it.
    pub raw: Value,
}

impl Interaction {
    /// Parses an interaction payload's JSON. Never fails: what is missing stays `None`.
    ///
    /// ```
    /// use chatbridge_slack::{Interaction, InteractionKind};
    ///
    /// let raw = serde_json::json!({
    ///     "type": "block_actions",
    ///     "user": {"id": "U1"},
    ///     "actions": [{"action_id": "order", "block_id": "b", "type": "button", "value": "pizza"}]
    /// });
    /// let it = Interaction::from_value(raw);
    /// assert_eq!(it.kind, InteractionKind::BlockActions);
    /// assert_eq!(it.actions[0].value.as_deref(), Some("pizza"));
    /// ```
    #[must_use]
    pub fn from_value(raw: Value) -> Self {
        let user = raw.get("user").unwrap_or(&Value::Null);
        let view = raw.get("view").filter(|v| v.is_object()).map(View::from_value);
        let actions = raw
            .get("actions")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(Action::from_value).collect())
            .unwrap_or_default();
        let response_url = str_field(&raw, "response_url").or_else(|| {
            raw.get("response_urls")
                .and_then(Value::as_array)
                .and_then(|urls| urls.first())
                .and_then(|first| str_field(first, "response_url"))
        });
        let channel_id = raw
            .get("channel")
            .and_then(|c| str_field(c, "id"))
            .or_else(|| raw.get("container").and_then(|c| str_field(c, "channel_id")));
        let message_ts = raw
            .get("message")
            .and_then(|m| str_field(m, "ts"))
            .or_else(|| raw.get("container").and_then(|c| str_field(c, "message_ts")));
        let callback_id = str_field(&raw, "callback_id")
            .or_else(|| view.as_ref().and_then(|v| v.callback_id.clone()));
        Self {
            kind: InteractionKind::from_type(&str_field(&raw, "type").unwrap_or_default()),
            user_id: str_field(user, "id"),
            user_name: str_field(user, "username").or_else(|| str_field(user, "name")),
            team_id: raw.get("team").and_then(|t| str_field(t, "id")),
            channel_id,
            callback_id,
            trigger_id: str_field(&raw, "trigger_id"),
            response_url,
            message_ts,
            actions,
            view,
            value: str_field(&raw, "value"),
            action_id: str_field(&raw, "action_id"),
            raw,
        }
    }
}

impl fmt::Debug for Interaction {
    // Values and the response_url stay out of Debug: user content and a capability.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interaction")
            .field("kind", &self.kind)
            .field("user_id", &self.user_id)
            .field("channel_id", &self.channel_id)
            .field("callback_id", &self.callback_id)
            .field("actions", &self.actions.iter().map(|a| &a.action_id).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// One action of a `block_actions` payload.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Action {
    /// The element's `action_id`.
    pub action_id: Option<String>,
    /// The block the element is in.
    pub block_id: Option<String>,
    /// The element type: `button`, `static_select`, … or one invented after this crate.
    pub kind: Option<String>,
    /// The button's value, or the selected option's value for menus.
    pub value: Option<String>,
    /// The whole action as Slack sent it.
    pub raw: Value,
}

impl Action {
    fn from_value(raw: &Value) -> Self {
        let value = str_field(raw, "value")
            .or_else(|| raw.get("selected_option").and_then(|option| str_field(option, "value")));
        Self {
            action_id: str_field(raw, "action_id"),
            block_id: str_field(raw, "block_id"),
            kind: str_field(raw, "type"),
            value,
            raw: raw.clone(),
        }
    }
}

impl Action {
    /// Every chosen value: a button's or input's `value`, a menu's selected option(s), the
    /// selected users, channels or conversations, a picked date or time.
    #[must_use]
    pub fn values(&self) -> Vec<String> {
        element_values(&self.raw)
    }
}

/// The values of an element's JSON, as an action or a view's `state.values` carries them.
pub(crate) fn element_values(element: &Value) -> Vec<String> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Some(value) = element.get("value").and_then(text) {
        return vec![value];
    }
    if let Some(option) = element.get("selected_option").filter(|o| o.is_object()) {
        return option.get("value").and_then(text).into_iter().collect();
    }
    if let Some(options) = element.get("selected_options").and_then(Value::as_array) {
        return options.iter().filter_map(|o| o.get("value").and_then(text)).collect();
    }
    for key in ["selected_users", "selected_channels", "selected_conversations"] {
        if let Some(list) = element.get(key).and_then(Value::as_array) {
            return list.iter().filter_map(text).collect();
        }
    }
    for key in [
        "selected_user",
        "selected_channel",
        "selected_conversation",
        "selected_date",
        "selected_time",
        "selected_date_time",
    ] {
        if let Some(value) = element.get(key).and_then(text) {
            return vec![value];
        }
    }
    Vec::new()
}

/// A modal or Home tab view.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct View {
    /// The view's id.
    pub id: Option<String>,
    /// The `callback_id` the app gave the view.
    pub callback_id: Option<String>,
    /// Data the app kept in the view.
    pub private_metadata: Option<String>,
    /// The submitted input values: `state.values`, by block id, then action id.
    pub state_values: Value,
}

impl View {
    /// The submitted inputs by `action_id`, in order, with their values.
    #[must_use]
    pub fn fields(&self) -> Vec<(String, Vec<String>)> {
        let Some(blocks) = self.state_values.as_object() else { return Vec::new() };
        blocks
            .values()
            .filter_map(Value::as_object)
            .flat_map(|actions| actions.iter())
            .map(|(action_id, element)| (action_id.clone(), element_values(element)))
            .collect()
    }

    fn from_value(raw: &Value) -> Self {
        Self {
            id: str_field(raw, "id"),
            callback_id: str_field(raw, "callback_id"),
            private_metadata: str_field(raw, "private_metadata"),
            state_values: raw
                .get("state")
                .and_then(|s| s.get("values"))
                .cloned()
                .unwrap_or(Value::Null),
        }
    }
}
