//! Shared test helpers: fixtures, running the adapter without a server, and checks of the
//! documented response shapes.

use bytes::Bytes;
use chatbridge_core::adapter::{Accepted, Adapter, Incoming};
use chatbridge_core::{AdapterError, Message, Reply};
use chatbridge_lex::LexAdapter;
use serde_json::Value;

/// A fixture's bytes.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// A fixture as JSON.
pub fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

/// A POST of `body` to `/lex`.
pub fn post(body: impl Into<Bytes>) -> http::Request<Bytes> {
    http::Request::post("/lex").body(body.into()).expect("request")
}

/// What the adapter makes of a request, or its refusal (Lex's `accept` awaits nothing, so a
/// test can wait for it without a runtime of its own).
pub fn try_accept(
    adapter: &LexAdapter,
    request: http::Request<Bytes>,
) -> Result<Accepted, AdapterError> {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(adapter.accept(request))
}

/// The message and responder the adapter makes of a request.
pub fn accept(adapter: &LexAdapter, request: http::Request<Bytes>) -> Incoming {
    match try_accept(adapter, request).expect("accepted") {
        Accepted::Incoming(incoming) => incoming,
        other => panic!("expected a message, got {other:?}"),
    }
}

/// The message the adapter makes of a fixture.
pub fn message(adapter: &LexAdapter, path: &str) -> Message {
    accept(adapter, post(fixture(path))).message
}

/// The JSON response the adapter renders for a fixture and replies.
pub fn render(path: &str, replies: Vec<Reply>) -> Value {
    let incoming = accept(&LexAdapter::new(), post(fixture(path)));
    let response = incoming.responder.respond(replies).expect("renders");
    assert_eq!(response.headers()["content-type"], "application/json");
    serde_json::from_slice(response.body()).expect("response is JSON")
}

fn keys_within(value: &Value, allowed: &[&str], at: &str) {
    let object = value.as_object().unwrap_or_else(|| panic!("{at} is not an object: {value}"));
    for (key, v) in object {
        assert!(allowed.contains(&key.as_str()), "{at}.{key} is not a documented key");
        assert!(!v.is_null(), "{at}.{key} is null");
    }
}

fn string_map(value: &Value, at: &str) {
    let object = value.as_object().unwrap_or_else(|| panic!("{at} is not an object"));
    for (key, v) in object {
        assert!(v.is_string(), "{at}.{key} is not a string: {v}");
    }
}

fn one_of(value: &Value, allowed: &[&str], at: &str) {
    let text = value.as_str().unwrap_or_else(|| panic!("{at} is not a string"));
    assert!(allowed.contains(&text), "{at} = {text} is not one of {allowed:?}");
}

fn card(card: &Value, at: &str) {
    keys_within(card, &["title", "subtitle", "imageUrl", "buttons"], at);
    assert!(card["title"].is_string(), "{at}.title is required");
    for (i, button) in card["buttons"].as_array().into_iter().flatten().enumerate() {
        keys_within(button, &["text", "value"], &format!("{at}.buttons[{i}]"));
        assert!(button["text"].is_string() && button["value"].is_string());
    }
}

fn v2_slot(slot: &Value, at: &str) {
    if slot.is_null() {
        return;
    }
    keys_within(slot, &["shape", "value", "values", "subSlots"], at);
    if let Some(value) = slot.get("value") {
        keys_within(value, &["originalValue", "interpretedValue", "resolvedValues"], at);
    }
    for (i, item) in slot["values"].as_array().into_iter().flatten().enumerate() {
        v2_slot(item, &format!("{at}.values[{i}]"));
    }
    for (name, sub) in slot["subSlots"].as_object().into_iter().flatten() {
        v2_slot(sub, &format!("{at}.subSlots.{name}"));
    }
}

/// Checks a V2 response against "AWS Lambda response format for Lex V2" and the keys AWS's
/// response schema allows.
pub fn assert_v2_shape(response: &Value) {
    keys_within(response, &["sessionState", "messages", "requestAttributes"], "response");
    let state = &response["sessionState"];
    keys_within(
        state,
        &[
            "activeContexts",
            "sessionAttributes",
            "dialogAction",
            "intent",
            "originatingRequestId",
            "runtimeHints",
        ],
        "sessionState",
    );
    let attrs = state.get("sessionAttributes").expect("sessionState.sessionAttributes is required");
    string_map(attrs, "sessionState.sessionAttributes");
    let action = &state["dialogAction"];
    keys_within(
        action,
        &["type", "slotToElicit", "slotElicitationStyle", "subSlotToElicit"],
        "dialogAction",
    );
    let kind = action["type"].as_str().expect("dialogAction.type is required");
    one_of(
        &action["type"],
        &["Close", "ConfirmIntent", "Delegate", "ElicitIntent", "ElicitSlot"],
        "dialogAction.type",
    );
    assert_eq!(kind == "ElicitSlot", action.get("slotToElicit").is_some(), "slotToElicit");
    match state.get("intent") {
        Some(intent) => {
            keys_within(intent, &["name", "slots", "state", "confirmationState"], "intent");
            assert!(intent["name"].is_string(), "intent.name is required");
            if let Some(s) = intent.get("state") {
                one_of(
                    s,
                    &["Failed", "Fulfilled", "InProgress", "ReadyForFulfillment"],
                    "intent.state",
                );
            }
            if let Some(c) = intent.get("confirmationState") {
                one_of(c, &["Confirmed", "Denied", "None"], "intent.confirmationState");
            }
            for (name, slot) in intent["slots"].as_object().into_iter().flatten() {
                v2_slot(slot, &format!("slots.{name}"));
            }
        }
        None => {
            assert!(kind == "ElicitIntent" || kind == "Delegate", "intent is required for {kind}")
        }
    }
    if kind == "ElicitIntent" || kind == "ConfirmIntent" {
        assert!(response.get("messages").is_some(), "messages are required for {kind}");
    }
    for (i, message) in response["messages"].as_array().into_iter().flatten().enumerate() {
        let at = format!("messages[{i}]");
        keys_within(message, &["contentType", "content", "imageResponseCard"], &at);
        one_of(
            &message["contentType"],
            &["CustomPayload", "ImageResponseCard", "PlainText", "SSML"],
            &format!("{at}.contentType"),
        );
        if message["contentType"] == "ImageResponseCard" {
            card(&message["imageResponseCard"], &format!("{at}.imageResponseCard"));
        } else {
            assert!(message["content"].is_string(), "{at}.content is required");
        }
    }
}

/// Checks a V1 response against "Lambda Function Input Event and Response Format".
pub fn assert_v1_shape(response: &Value) {
    keys_within(
        response,
        &["sessionAttributes", "recentIntentSummaryView", "dialogAction"],
        "response",
    );
    if let Some(attrs) = response.get("sessionAttributes") {
        string_map(attrs, "sessionAttributes");
    }
    let action = &response["dialogAction"];
    let kind = action["type"].as_str().expect("dialogAction.type is required");
    let (allowed, required): (&[&str], &[&str]) = match kind {
        "Close" => {
            (&["type", "fulfillmentState", "message", "responseCard"], &["fulfillmentState"])
        }
        "ConfirmIntent" => {
            (&["type", "message", "intentName", "slots", "responseCard"], &["intentName", "slots"])
        }
        "Delegate" => (&["type", "slots"], &[]),
        "ElicitIntent" => (&["type", "message", "responseCard"], &[]),
        "ElicitSlot" => (
            &["type", "message", "intentName", "slots", "slotToElicit", "responseCard"],
            &["intentName", "slots", "slotToElicit"],
        ),
        other => panic!("unknown dialogAction.type {other}"),
    };
    for key in action.as_object().expect("dialogAction is an object").keys() {
        assert!(allowed.contains(&key.as_str()), "dialogAction.{key} does not belong to {kind}");
        if key != "slots" {
            assert!(!action[key].is_null(), "dialogAction.{key} is null");
        }
    }
    for key in required {
        assert!(action.get(*key).is_some(), "dialogAction.{key} is required for {kind}");
    }
    if let Some(f) = action.get("fulfillmentState") {
        one_of(f, &["Fulfilled", "Failed"], "fulfillmentState");
    }
    if let Some(message) = action.get("message") {
        keys_within(message, &["contentType", "content"], "message");
        one_of(&message["contentType"], &["PlainText", "SSML", "CustomPayload"], "contentType");
        assert!(message["content"].is_string());
    }
    for (name, value) in action["slots"].as_object().into_iter().flatten() {
        assert!(value.is_string() || value.is_null(), "slots.{name} must be a string or null");
    }
}
