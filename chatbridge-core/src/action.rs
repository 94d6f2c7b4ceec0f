//! [`Action`]: a press, a choice, a submitted form or a suggestion request, the same on every
//! platform; and [`Captures`], the `{name}` parts of the id a route matched.

use crate::ids::{ConversationId, MessageId, Text};

/// What a user did with an interactive element, read the same way on every platform.
///
/// | platform | `id` | `values` | `fields` |
/// | --- | --- | --- | --- |
/// | Slack `block_actions` | the first action's `action_id` | its `value`, or the selected option(s), user(s), … | — |
/// | Slack `view_submission` | the view's `callback_id` | — | the view's inputs by `action_id` |
/// | Slack `block_suggestion` | the element's `action_id` | what the user typed | — |
/// | Slack shortcut | its `callback_id` | — | — |
/// | Discord component (3) | the `custom_id` | the select's `values` (a button has none) | — |
/// | Discord modal submit (5) | the modal's `custom_id` | — | the inputs by `custom_id` |
/// | Discord autocomplete (4) | `{command}:{focused option}` | what the user typed | — |
///
/// ```
/// use chatbridge_core::{Action, Message, MessageKind, Platform};
///
/// let msg = Message::new(Platform::SLACK, MessageKind::Submission)
///     .with_action(Action::new("order").with_field("size", ["large"]));
/// assert_eq!(msg.action.as_ref().and_then(|a| a.field("size")), Some("large"));
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Action {
    /// The element's, form's or shortcut's id.
    pub id: Text,
    /// The chosen value(s): a button's value, a menu's selection, the typed text of a
    /// suggestion request.
    pub values: Vec<Text>,
    /// A submitted form's fields, by name, in the order the platform sent them.
    pub fields: Vec<(Text, Vec<Text>)>,
    /// The message the element is on, when it is on one.
    pub source: Option<SourceMessage>,
    /// A short-lived token that lets the bot open a form in answer (Slack `trigger_id`).
    pub trigger: Option<Text>,
}

/// The message an action came from.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub struct SourceMessage {
    /// Its id (Slack `ts`, Discord message id).
    pub id: MessageId,
    /// Its conversation.
    pub conversation: ConversationId,
}

impl SourceMessage {
    /// A message by id, in a conversation.
    pub fn new(id: impl Into<MessageId>, conversation: impl Into<ConversationId>) -> Self {
        Self { id: id.into(), conversation: conversation.into() }
    }
}

impl Action {
    /// An action on the element, form or shortcut `id`.
    pub fn new(id: impl Into<Text>) -> Self {
        Self { id: id.into(), ..Self::default() }
    }

    /// Adds a chosen value.
    #[must_use]
    pub fn with_value(mut self, value: impl Into<Text>) -> Self {
        self.values.push(value.into());
        self
    }

    /// Adds a submitted field with its value(s).
    #[must_use]
    pub fn with_field(
        mut self,
        name: impl Into<Text>,
        values: impl IntoIterator<Item = impl Into<Text>>,
    ) -> Self {
        self.fields.push((name.into(), values.into_iter().map(Into::into).collect()));
        self
    }

    /// Sets the message the element is on.
    #[must_use]
    pub fn with_source(mut self, source: SourceMessage) -> Self {
        self.source = Some(source);
        self
    }

    /// Sets the token for opening a form.
    #[must_use]
    pub fn with_trigger(mut self, trigger: impl Into<Text>) -> Self {
        self.trigger = Some(trigger.into());
        self
    }

    /// The first chosen value.
    #[must_use]
    pub fn value(&self) -> Option<&str> {
        self.values.first().map(Text::as_str)
    }

    /// A field's (first) value, by name.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&str> {
        self.field_values(name).and_then(|v| v.first()).map(Text::as_str)
    }

    /// All the values of a field (a multi-select's), by name.
    #[must_use]
    pub fn field_values(&self, name: &str) -> Option<&[Text]> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }
}

impl std::fmt::Debug for Action {
    // Values and fields are what users typed or chose: counted, not shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Action")
            .field("id", &self.id)
            .field("values", &self.values.len())
            .field("fields", &self.fields.iter().map(|(n, _)| n).collect::<Vec<_>>())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// The `{name}` parts of the id a route matched, kept in the message's extensions by the
/// [`Router`](crate::Router) and read with [`Message::param`](crate::Message::param).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Captures(pub(crate) Vec<(String, Text)>);

impl Captures {
    /// A capture by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Every capture, in the pattern's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}
