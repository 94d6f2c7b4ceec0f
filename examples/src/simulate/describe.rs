//! How the simulator prints what it sees: responses, API calls, the buttons of a message.

use chatbridge_core::testing::Exchange;
use serde_json::Value;

use super::Platform;

pub(super) fn describe_response(platform: Platform, exchange: &Exchange) -> String {
    let json = exchange.json();
    match platform {
        Platform::Slack if exchange.body.is_empty() => {
            "  (acknowledged; replies follow through the API)".to_owned()
        }
        Platform::Slack if json["blocks"].is_array() => {
            format!("  — replies {:?} {}", text(&json["text"]), buttons(&json["blocks"]))
        }
        Platform::Slack => format!("  — replies {:?}", text(&json["text"])),
        Platform::Discord => match json["type"].as_u64() {
            Some(4) => {
                let rows = buttons(&json["data"]["components"]);
                format!("  — replies {:?} {rows}", text(&json["data"]["content"]))
            }
            Some(5) => "  — deferred (type 5): the reply follows".to_owned(),
            Some(6) => "  — acknowledged (type 6)".to_owned(),
            Some(7) => format!("  — updates the message: {}", buttons(&json["data"]["components"])),
            Some(kind) => format!("  — response type {kind}"),
            None => format!("  — {}", exchange.text()),
        },
        Platform::Lex => {
            let message = json["messages"][0]["content"].as_str().unwrap_or_default().to_owned();
            let action = text(&json["sessionState"]["dialogAction"]["type"]);
            format!("  — {action}: {message:?}")
        }
    }
}

/// The labels of the buttons in Slack blocks or Discord action rows: `[Pizza · 1] [Tacos · 0]`.
pub(super) fn buttons(value: &Value) -> String {
    let mut labels = Vec::new();
    for row in value.as_array().into_iter().flatten() {
        for element in
            row["elements"].as_array().or(row["components"].as_array()).into_iter().flatten()
        {
            let label = element["text"]["text"].as_str().or(element["label"].as_str());
            if let Some(label) = label {
                labels.push(format!("[{label}]"));
            }
        }
    }
    labels.join(" ")
}

pub(super) fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

pub(super) fn form_json(body: &[u8]) -> Value {
    let map: serde_json::Map<String, Value> = form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    Value::Object(map)
}

pub(super) fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}
