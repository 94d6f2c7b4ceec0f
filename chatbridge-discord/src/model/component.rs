//! Message component presses and selections, and modal submissions.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{Resolved, lenient, u8_enum};

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
        /// Text beside an accessory (messages).
        Section = 9,
        /// A display-only block of text.
        TextDisplay = 10,
        /// A small image beside a section (messages).
        Thumbnail = 11,
        /// A gallery of media (messages).
        MediaGallery = 12,
        /// An attached file (messages).
        File = 13,
        /// Vertical space between components (messages).
        Separator = 14,
        /// A box grouping components (messages).
        Container = 17,
        /// A labelled field holding one input (modals).
        Label = 18,
        /// A file upload field (modals).
        FileUpload = 19,
        /// One choice among options (modals).
        RadioGroup = 21,
        /// Any number of choices among options (modals).
        CheckboxGroup = 22,
        /// A single yes/no box (modals).
        Checkbox = 23,
    }
}

/// The `data` of a MESSAGE_COMPONENT interaction. Every field may be missing.
#[derive(Clone, PartialEq, Debug, Deserialize)]
#[non_exhaustive]
pub struct ComponentData {
    /// The developer-defined id of the component.
    #[serde(default, deserialize_with = "lenient::text_or_empty")]
    pub custom_id: String,
    /// The component's type (`Unknown(0)` when absent).
    #[serde(default = "unknown_component", deserialize_with = "component_type_or")]
    pub component_type: ComponentType,
    /// The values chosen in a select menu (ids for user, role, mentionable and channel
    /// selects); numbers are written out.
    #[serde(default, deserialize_with = "texts")]
    pub values: Vec<String>,
    /// The users, members, roles and channels a select's values refer to.
    #[serde(default, deserialize_with = "lenient::or_default")]
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
    /// The text, for a text input, or the chosen option, for a radio group.
    pub value: Option<String>,
    /// The chosen values, for a select or a checkbox group (or an upload's attachment ids).
    pub values: Vec<String>,
    /// Whether it is ticked, for a checkbox.
    pub checked: Option<bool>,
}

impl ModalSubmitData {
    /// A field by its custom id.
    #[must_use]
    pub fn field(&self, custom_id: &str) -> Option<&ModalField> {
        self.fields.iter().find(|f| f.custom_id == custom_id)
    }

    /// A text field's value (or a radio group's choice) by its custom id.
    #[must_use]
    pub fn value(&self, custom_id: &str) -> Option<&str> {
        self.field(custom_id).and_then(|f| f.value.as_deref())
    }

    /// Parses the raw `data` object, either shape: `components` of action rows holding text
    /// inputs, or of labels each holding one `component`. `None` when `data` is not an object;
    /// a missing `custom_id` is empty.
    pub(crate) fn from_value(data: &Value) -> Option<Self> {
        let data = data.as_object()?;
        let custom_id =
            data.get("custom_id").and_then(Value::as_str).unwrap_or_default().to_owned();
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
            let value = object.get("value");
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
                    value: value.and_then(scalar_text),
                    values: values
                        .map(|v| v.iter().filter_map(scalar_text).collect())
                        .unwrap_or_default(),
                    checked: value.and_then(Value::as_bool),
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

/// A string as it is, a number written out; `None` for anything else (a checkbox's boolean is
/// [`ModalField::checked`]).
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn unknown_component() -> ComponentType {
    ComponentType::Unknown(0)
}

fn component_type_or<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<ComponentType, D::Error> {
    lenient::or_none(deserializer).map(|kind| kind.unwrap_or(ComponentType::Unknown(0)))
}

/// A list of ids or values: strings, and numbers written out; anything else is left out.
fn texts<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let values: Vec<Value> = lenient::or_default(deserializer)?;
    Ok(values.iter().filter_map(scalar_text).collect())
}
