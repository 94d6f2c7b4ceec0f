//! A portable [`Form`] as a Slack modal view: one `input` block per field (`block_id` and
//! `action_id` both the field's name, so a submission's values and errors are keyed by it).

use chatbridge_core::{FieldKind, Form, FormField};
use serde_json::{Map, Value, json};

/// The modal view of a form, for `views.open` or `response_action: push`.
pub(crate) fn view(form: &Form) -> Value {
    let blocks: Vec<Value> = form.fields.iter().map(input).collect();
    json!({
        "type": "modal",
        "callback_id": form.id,
        "title": plain(&form.title),
        "submit": plain(form.submit.as_deref().unwrap_or("Submit")),
        "blocks": blocks,
    })
}

/// `{"response_action": "errors", "errors": {field: message}}` for a submission.
pub(crate) fn errors(errors: &[(String, String)]) -> Value {
    let errors: Map<String, Value> =
        errors.iter().map(|(field, message)| (field.clone(), json!(message))).collect();
    json!({"response_action": "errors", "errors": errors})
}

fn input(field: &FormField) -> Value {
    let mut element = Map::new();
    element.insert("action_id".into(), json!(field.name));
    match field.kind {
        FieldKind::Select | FieldKind::MultiSelect => {
            let kind = if field.kind == FieldKind::Select {
                "static_select"
            } else {
                "multi_static_select"
            };
            element.insert("type".into(), json!(kind));
            let options: Vec<Value> = field
                .options
                .iter()
                .map(|o| json!({"text": plain(&o.label), "value": o.value}))
                .collect();
            element.insert("options".into(), json!(options));
        }
        _ => {
            element.insert("type".into(), json!("plain_text_input"));
            if field.kind == FieldKind::Long {
                element.insert("multiline".into(), json!(true));
            }
            if let Some(min) = field.min {
                element.insert("min_length".into(), json!(min));
            }
            if let Some(max) = field.max {
                element.insert("max_length".into(), json!(max));
            }
        }
    }
    if let Some(placeholder) = &field.placeholder {
        element.insert("placeholder".into(), plain(placeholder));
    }
    json!({
        "type": "input",
        "block_id": field.name,
        "label": plain(&field.label),
        "optional": !field.required,
        "element": element,
    })
}

fn plain(text: &str) -> Value {
    json!({"type": "plain_text", "text": text})
}

#[cfg(test)]
mod tests {
    use chatbridge_core::{Form, FormField};
    use serde_json::json;

    use super::*;

    #[test]
    fn a_form_is_a_modal_of_input_blocks_keyed_by_field_name() {
        let form = Form::new("order", "Order")
            .field(FormField::long("notes", "Notes").required().min(2).max(200))
            .field(FormField::select("size", "Size").option("Large", "l"));
        let view = view(&form);
        assert_eq!(view["callback_id"], "order");
        assert_eq!(view["submit"]["text"], "Submit");
        assert_eq!(
            view["blocks"][0],
            json!({"type": "input", "block_id": "notes", "label": {"type": "plain_text", "text": "Notes"},
                   "optional": false, "element": {"type": "plain_text_input", "action_id": "notes",
                   "multiline": true, "min_length": 2, "max_length": 200}})
        );
        assert_eq!(view["blocks"][1]["element"]["type"], "static_select");
        assert_eq!(view["blocks"][1]["optional"], true);
        assert_eq!(
            errors(&[("notes".into(), "too short".into())]),
            json!({"response_action": "errors", "errors": {"notes": "too short"}})
        );
    }
}
