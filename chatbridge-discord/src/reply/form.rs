//! A portable [`Form`] as a Discord modal (response type 9): each field a Label holding a text
//! input or a string select, its `custom_id` the field's name; and form errors as the private
//! message Discord's modals take instead.

use chatbridge_core::{FieldKind, Form, Reply};
use serde_json::json;

use super::Modal;
use crate::{Component, SelectOption, TextInputStyle};

/// The modal of a form.
pub(crate) fn modal(form: &Form) -> Modal {
    let fields = form.fields.iter().map(|field| {
        let input = match field.kind {
            FieldKind::Select | FieldKind::MultiSelect => {
                let options = field.options.iter().map(|o| SelectOption::new(&o.label, &o.value));
                let mut select = Component::string_select(&field.name, options);
                if field.kind == FieldKind::MultiSelect {
                    select = select.set("max_values", json!(field.options.len()));
                }
                select.set("required", field.required)
            }
            _ => {
                let style = if field.kind == FieldKind::Long {
                    TextInputStyle::Paragraph
                } else {
                    TextInputStyle::Short
                };
                let mut input =
                    Component::text_input(&field.name, style).set("required", field.required);
                if let Some(min) = field.min {
                    input = input.set("min_length", min);
                }
                if let Some(max) = field.max {
                    input = input.set("max_length", max);
                }
                input
            }
        };
        let input = match &field.placeholder {
            Some(text) => input.set("placeholder", text.as_str()),
            None => input,
        };
        Component::label(&field.label, input)
    });
    Modal::new(&form.id, &form.title, fields)
}

/// Form errors as a private message, one line per field: a submitted modal has closed, so
/// Discord cannot show them on it.
pub(crate) fn errors_text(reply: &Reply) -> Option<String> {
    if reply.form_errors.is_empty() {
        return None;
    }
    let lines: Vec<String> = reply
        .form_errors
        .iter()
        .map(|(field, message)| format!("**{field}**: {message}"))
        .collect();
    Some(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use chatbridge_core::{Form, FormField, Reply};
    use serde_json::json;

    use super::*;

    #[test]
    fn a_form_is_a_modal_of_labelled_inputs() {
        let form = Form::new("order", "Order")
            .field(FormField::short("name", "Name").required().max(40).placeholder("you"))
            .field(FormField::multi_select("toppings", "Toppings").option("Olives", "o"));
        let modal = serde_json::to_value(modal(&form)).unwrap();
        assert_eq!(modal["custom_id"], "order");
        assert_eq!(
            modal["components"][0],
            json!({"type": 18, "label": "Name", "component": {"type": 4, "custom_id": "name",
                   "style": 1, "required": true, "max_length": 40, "placeholder": "you"}})
        );
        assert_eq!(modal["components"][1]["component"]["type"], 3);
        let reply = Reply::new().form_error("name", "taken");
        assert_eq!(errors_text(&reply).as_deref(), Some("**name**: taken"));
    }
}
