//! Message component presses and selections, and modal submissions.

use serde::Deserialize;
use serde_json::Value;

use super::{Resolved, u8_enum};

u8_enum! {
    /// A message component's type.
    ComponentType {
        /// A row holding other components.
        ActionRow = 1,
        /// A button.
        Button = 2,
        /// A select menu of text options.
        StringSelect = 3,
        /// A text input (modals).
        TextInput = 4,
        /// A select menu of users.
        UserSelect = 5,
        /// A select menu of roles.
        RoleSelect = 6,
        /// A select menu of users and roles.
        MentionableSelect = 7,
        /// A select menu of channels.
        ChannelSelect = 8,
        /// A display-only block of text.
        TextDisplay = 10,
        /// A labelled field holding one input (modals).
        Label = 18,
    }
}

/// The `data` of a MESSAGE_COMPONENT interaction.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[non_exhaustive]
pub struct ComponentData {
    /// The developer-defined id of the component.
    pub custom_id: String,
    /// The component's type.
    pub component_type: ComponentType,
    /// The values chosen in a select menu (ids for user, role, mentionable and channel
    /// selects).
    #[serde(default)]
    pub values: Vec<String>,
    /// The users, members, roles and channels a select's values refer to.
    #[serde(default)]
    pub resolved: Resolved,
}

/// The `data` of a MODAL_SUBMIT interaction.
#[derive(Clone, PartialEq, Debug)]
#[non_exhaustive]
pub struct ModalSubmitData {
    /// The developer-defined id of the modal.
    pub custom_id: String,
    /// Every input field with its value, in order, from action rows and labels alike.
    pub fields: Vec<ModalField>,
    /// The users, roles, channels and attachments select and upload fields refer to.
    pub resolved: Resolved,
}

/// One submitted field of a modal.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub struct ModalField {
    /// The field's developer-defined id.
    pub custom_id: String,
    /// The field's type.
    pub kind: Option<ComponentType>,
    /// The text, for a text input.
    pub value: Option<String>,
    /// The chosen values, for a select (or an upload's attachment ids).
    pub values: Vec<String>,
}

impl ModalSubmitData {
    /// A text field's value by its custom id.
    #[must_use]
    pub fn value(&self, custom_id: &str) -> Option<&str> {
        self.fields.iter().find(|f| f.custom_id == custom_id).and_then(|f| f.value.as_deref())
    }

    /// Parses the raw `data` object, either shape: `components` of action rows holding text
    /// inputs, or of labels each holding one `component`.
    pub(crate) fn from_value(data: &Value) -> Option<Self> {
        let custom_id = data.get("custom_id")?.as_str()?.to_owned();
        let mut fields = Vec::new();
        if let Some(components) = data.get("components") {
            collect_fields(components, &mut fields);
        }
        let resolved =
            data.get("resolved").and_then(|r| Resolved::deserialize(r).ok()).unwrap_or_default();
        Some(Self { custom_id, fields, resolved })
    }
}

/// Walks rows (`components` arrays) and labels (a `component` object) down to the inputs,
/// whatever container types newer payloads add.
fn collect_fields(node: &Value, fields: &mut Vec<ModalField>) {
    match node {
        Value::Array(items) => items.iter().for_each(|item| collect_fields(item, fields)),
        Value::Object(object) => {
            let value = object.get("value").and_then(Value::as_str);
            let values = object.get("values").and_then(Value::as_array);
            if let Some(custom_id) = object.get("custom_id").and_then(Value::as_str)
                && (value.is_some() || values.is_some())
            {
                fields.push(ModalField {
                    custom_id: custom_id.to_owned(),
                    kind: object
                        .get("type")
                        .and_then(Value::as_u64)
                        .and_then(|n| u8::try_from(n).ok())
                        .map(ComponentType::from),
                    value: value.map(str::to_owned),
                    values: values
                        .map(|v| v.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                        .unwrap_or_default(),
                });
            }
            for key in ["components", "component"] {
                if let Some(child) = object.get(key) {
                    collect_fields(child, fields);
                }
            }
        }
        _ => {}
    }
}
