//! [`Component`]: buttons, select menus, text inputs and their containers, for replies and
//! modals.

use serde::Serialize;
use serde_json::{Value, json};

/// A message or modal component, as the JSON Discord takes. Build one with the constructors;
/// [`Component::raw`] takes any component this version has no constructor for.
///
/// ```
/// use chatbridge_discord::{ButtonStyle, Component};
///
/// let row = Component::action_row([
///     Component::button(ButtonStyle::Primary, "order", "Order"),
///     Component::link_button("https://example.com/menu", "Menu"),
/// ]);
/// assert_eq!(row.to_json()["components"][1]["style"], 5);
/// ```
#[derive(Clone, PartialEq, Debug, Serialize)]
#[serde(transparent)]
pub struct Component(Value);

/// A button's look.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ButtonStyle {
    /// Blurple.
    Primary,
    /// Grey.
    Secondary,
    /// Green.
    Success,
    /// Red.
    Danger,
}

/// A text input's size.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum TextInputStyle {
    /// One line.
    Short,
    /// Several lines.
    Paragraph,
}

/// One choice of a string select.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[non_exhaustive]
pub struct SelectOption {
    /// What the user sees.
    pub label: String,
    /// What the bot receives.
    pub value: String,
    /// A second line of text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether it is chosen at first.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
}

impl SelectOption {
    /// A choice with a label and a value.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Self { label: label.into(), value: value.into(), description: None, default: false }
    }
}

impl Component {
    /// A row holding up to five buttons or one select menu.
    pub fn action_row(components: impl IntoIterator<Item = Component>) -> Self {
        let components: Vec<Component> = components.into_iter().collect();
        Self(json!({ "type": 1, "components": components }))
    }

    /// A button that sends an interaction with `custom_id`.
    pub fn button(
        style: ButtonStyle,
        custom_id: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        let style = match style {
            ButtonStyle::Primary => 1,
            ButtonStyle::Secondary => 2,
            ButtonStyle::Success => 3,
            ButtonStyle::Danger => 4,
        };
        Self(
            json!({ "type": 2, "style": style, "custom_id": custom_id.into(), "label": label.into() }),
        )
    }

    /// A button that opens a URL.
    pub fn link_button(url: impl Into<String>, label: impl Into<String>) -> Self {
        Self(json!({ "type": 2, "style": 5, "url": url.into(), "label": label.into() }))
    }

    /// A select menu of text choices.
    pub fn string_select(
        custom_id: impl Into<String>,
        options: impl IntoIterator<Item = SelectOption>,
    ) -> Self {
        let options: Vec<SelectOption> = options.into_iter().collect();
        Self(json!({ "type": 3, "custom_id": custom_id.into(), "options": options }))
    }

    /// A select menu of users (5), roles (6), users and roles (7) or channels (8).
    pub fn entity_select(component_type: u8, custom_id: impl Into<String>) -> Self {
        Self(json!({ "type": component_type, "custom_id": custom_id.into() }))
    }

    /// A text input for a modal, in the newer shape: wrap it in [`Component::label`].
    pub fn text_input(custom_id: impl Into<String>, style: TextInputStyle) -> Self {
        let style = match style {
            TextInputStyle::Short => 1,
            TextInputStyle::Paragraph => 2,
        };
        Self(json!({ "type": 4, "custom_id": custom_id.into(), "style": style }))
    }

    /// A labelled modal field holding one input.
    pub fn label(label: impl Into<String>, component: Component) -> Self {
        Self(json!({ "type": 18, "label": label.into(), "component": component }))
    }

    /// Any component as JSON, for what has no constructor here.
    pub fn raw(json: Value) -> Self {
        Self(json)
    }

    /// Sets a field of the component's JSON (`placeholder`, `required`, `min_values`, …).
    #[must_use]
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        if let Value::Object(object) = &mut self.0 {
            object.insert(key.to_owned(), value.into());
        }
        self
    }

    /// The component's JSON.
    #[must_use]
    pub fn to_json(&self) -> &Value {
        &self.0
    }
}
