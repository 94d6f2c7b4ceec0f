//! Amazon Lex: every V1 and V2 event of the corpus, through the real server, the Function URL
//! path and a raw Lambda invocation (as Lex invokes a function), is answered 200 with an answer
//! of the event's version that satisfies the version's response schema.

mod routers;
mod schema;

use chatbridge_conformance::fixtures;
use chatbridge_core::Router;
use schema::{Version, assert_valid, check};
use serde_json::{Value, json};

use crate::harness::{Harness, LEX};

/// Every Lex event of the corpus, by name.
fn events() -> Vec<(String, Value)> {
    let events: Vec<_> = ["lex/v1", "lex/v2"]
        .into_iter()
        .flat_map(|dir| fixtures(dir, ".json"))
        .map(|fixture| {
            let json = fixture.json();
            (fixture.name, json)
        })
        .collect();
    assert!(events.len() >= 28, "the Lex corpus shrank to {} events", events.len());
    events
}

/// The answers to `event` of the server, the Function URL path and a raw invocation: each
/// 200, of the event's version, and valid against that version's schema.
async fn answers(harness: &Harness, name: &str, event: &Value) -> [Value; 3] {
    let version = Version::of_event(event);
    let server = harness.server(crate::harness::lex_post(LEX, event)).await;
    let url = harness.lambda(crate::harness::lex_post(LEX, event)).await;
    for http in [&server, &url] {
        let body = String::from_utf8_lossy(&http.body);
        assert_eq!(http.status, 200, "{name}: {}: {body}", http.host);
        assert_eq!(http.headers["content-type"], "application/json", "{name}: {}", http.host);
    }
    let raw = harness
        .lambda_raw(event.clone())
        .await
        .unwrap_or_else(|error| panic!("{name}: the raw invocation failed: {error}"));
    let answers = [server.json(), url.json(), raw];
    for (host, answer) in ["server", "Function URL", "raw invocation"].iter().zip(&answers) {
        let what = format!("{name} ({host})");
        assert_eq!(Version::of_answer(answer), version, "{what}: answered in the other version");
        assert_valid(version, answer, &what);
    }
    answers
}

/// The answer to `event`, the same from every host (see [`answers`]).
async fn answer(harness: &Harness, name: &str, event: &Value) -> Value {
    let [server, url, raw] = answers(harness, name, event).await;
    assert_eq!(url, server, "{name}: the Function URL path answers differently");
    assert_eq!(raw, server, "{name}: the raw invocation answers differently");
    server
}

/// Feeds every event to a bot with `router`, and hands each answer to `check`.
async fn through_every_host(router: Router, check: impl Fn(&str, &Value, &Value)) {
    let harness = Harness::start(router).await;
    for (name, event) in events() {
        let answer = answer(&harness, &name, &event).await;
        check(&name, &event, &answer);
    }
    harness.stop().await;
}

#[tokio::test]
async fn text_replies_close_the_intent_with_the_text() {
    through_every_host(routers::text(), |name, event, answer| {
        let expected = routers::text_for(event);
        match Version::of_event(event) {
            Version::V1 => {
                let action = &answer["dialogAction"];
                assert_eq!(action["type"], "Close", "{name}");
                assert_eq!(action["fulfillmentState"], "Fulfilled", "{name}");
                assert_eq!(action["message"]["content"], expected, "{name}");
            }
            Version::V2 => {
                let state = &answer["sessionState"];
                assert_eq!(state["dialogAction"]["type"], "Close", "{name}");
                assert_eq!(state["intent"]["state"], "Fulfilled", "{name}");
                assert_eq!(
                    answer["messages"],
                    json!([{"contentType": "PlainText", "content": expected}]),
                    "{name}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_silent_handler_delegates_or_closes_without_a_message() {
    through_every_host(routers::silent(), |name, event, answer| {
        let fulfilment = event["invocationSource"] == "FulfillmentCodeHook";
        let expected = if fulfilment { "Close" } else { "Delegate" };
        match Version::of_event(event) {
            Version::V1 => {
                assert_eq!(answer["dialogAction"]["type"], expected, "{name}");
                assert!(answer["dialogAction"].get("message").is_none(), "{name}");
            }
            Version::V2 => {
                assert_eq!(answer["sessionState"]["dialogAction"]["type"], expected, "{name}");
                assert!(answer.get("messages").is_none(), "{name}");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_delegating_handler_echoes_the_session_whole() {
    through_every_host(routers::delegate(), |name, event, answer| match Version::of_event(event) {
        Version::V1 => {
            let action = &answer["dialogAction"];
            assert_eq!(action["type"], "Delegate", "{name}");
            assert_eq!(action["slots"], strings(&event["currentIntent"]["slots"]), "{name}");
            assert_eq!(answer["sessionAttributes"]["seen"], "yes", "{name}");
        }
        Version::V2 => {
            let (state, sent) = (&answer["sessionState"], &event["sessionState"]);
            assert_eq!(state["dialogAction"]["type"], "Delegate", "{name}");
            let mut attributes = strings(&sent["sessionAttributes"]);
            attributes.as_object_mut().expect("a map").insert("seen".into(), json!("yes"));
            assert_eq!(state["sessionAttributes"], attributes, "{name}");
            for key in ["runtimeHints", "originatingRequestId", "activeContexts"] {
                let (echoed, sent) = (state.get(key).cloned(), sent.get(key).cloned());
                let sent = sent.filter(|v| !v.as_array().is_some_and(Vec::is_empty));
                assert_eq!(echoed, sent, "{name}: {key}");
            }
            let mut intent = sent["intent"].clone();
            if let Some(intent) = intent.as_object_mut() {
                intent.remove("kendraResponse");
            }
            assert_eq!(
                without_empty_lists(&state["intent"]),
                without_empty_lists(&intent),
                "{name}: the intent is not echoed whole"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn eliciting_with_a_card_is_valid_in_both_versions() {
    through_every_host(routers::elicit(), |name, event, answer| {
        let slot = routers::first_slot(event);
        match (Version::of_event(event), slot) {
            (Version::V1, Some(slot)) => {
                let action = &answer["dialogAction"];
                assert_eq!(action["type"], "ElicitSlot", "{name}");
                assert_eq!(action["slotToElicit"], slot, "{name}");
                assert_eq!(action["responseCard"]["genericAttachments"][0]["title"], "Pick one");
            }
            (Version::V2, Some(slot)) => {
                let state = &answer["sessionState"];
                assert_eq!(state["dialogAction"]["slotToElicit"], slot, "{name}");
                assert_eq!(answer["messages"][1]["contentType"], "ImageResponseCard", "{name}");
            }
            (Version::V1, None) => assert_eq!(answer["dialogAction"]["type"], "ElicitIntent"),
            (Version::V2, None) => {
                assert_eq!(answer["sessionState"]["dialogAction"]["type"], "ElicitIntent");
            }
        }
    })
    .await;
}

#[tokio::test]
async fn emojibot_answers_v2_utterances_with_a_valid_answer() {
    let harness = Harness::start(chatbridge_examples::bots::emojibot::router()).await;
    let plain = chatbridge_examples::simulate::lex_v2_event("Emojify", "pizza");
    let pizza = answer(&harness, "emojibot, a plain utterance", &plain).await;
    assert_eq!(pizza["messages"], json!([{"contentType": "PlainText", "content": "🍕"}]));
    assert_eq!(pizza["sessionState"]["sessionAttributes"], json!({}));
    // Emojibot picks among the emoji that fit, so each host may answer with another one.
    for (name, event) in events() {
        for answer in answers(&harness, &name, &event).await {
            let messages = match Version::of_event(&event) {
                Version::V1 => json!([answer["dialogAction"]["message"]]),
                Version::V2 => answer["messages"].clone(),
            };
            assert_eq!(messages[0]["contentType"], "PlainText", "{name}: {answer}");
            assert!(!messages[0]["content"].as_str().unwrap_or_default().is_empty(), "{name}");
        }
    }
    harness.stop().await;
}

#[test]
fn the_schemas_accept_aws_examples_and_reject_broken_answers() {
    // The V1 guide prints `"Price": 25` in three responses, though its own response format
    // (and every runtime API) has string attribute values.
    let numeric_price = [
        "lex/responses/v1/guide-order-flowers-2.json",
        "lex/responses/v1/guide-order-flowers-3.json",
        "lex/responses/v1/guide-order-flowers-4.json",
    ];
    for fixture in fixtures("lex/responses/v1", ".json") {
        let result = check(Version::V1, &fixture.json());
        let name = fixture.name.replace('\\', "/");
        if numeric_price.contains(&name.as_str()) {
            assert!(result.is_err(), "{name} has a number for an attribute");
        } else {
            assert!(result.is_ok(), "{name}: {result:?}");
        }
    }
    for fixture in fixtures("lex/responses/v2", ".json") {
        let result = check(Version::V2, &fixture.json());
        assert!(result.is_ok(), "{}: {result:?}", fixture.name);
    }

    let close = json!({"dialogAction": {"type": "Close"}});
    assert!(check(Version::V1, &close).is_err(), "V1 Close needs fulfillmentState");
    let elicit = json!({"dialogAction": {"type": "ElicitSlot", "intentName": "I", "slots": {}}});
    assert!(check(Version::V1, &elicit).is_err(), "V1 ElicitSlot needs slotToElicit");
    let number = json!({"sessionAttributes": {"n": 1},
                        "dialogAction": {"type": "Close", "fulfillmentState": "Fulfilled"}});
    assert!(check(Version::V1, &number).is_err(), "V1 attributes are strings");

    let valid = json!({"sessionState": {"sessionAttributes": {},
                                        "dialogAction": {"type": "Close"},
                                        "intent": {"name": "I", "slots": {"S": null},
                                                   "state": "Fulfilled"}}});
    assert!(check(Version::V2, &valid).is_ok());
    let mut without_attributes = valid.clone();
    without_attributes["sessionState"].as_object_mut().unwrap().remove("sessionAttributes");
    assert!(check(Version::V2, &without_attributes).is_err(), "sessionAttributes is required");
    let mut kendra = valid.clone();
    kendra["sessionState"]["intent"]["kendraResponse"] = json!({});
    assert!(check(Version::V2, &kendra).is_err(), "kendraResponse is not a response field");
    let mut elicit_intent = valid;
    elicit_intent["sessionState"]["dialogAction"]["type"] = json!("ElicitIntent");
    assert!(check(Version::V2, &elicit_intent).is_err(), "ElicitIntent needs messages");
}

/// A map of scalars with every value as a string (numbers and booleans as their text).
fn strings(map: &Value) -> Value {
    let Some(map) = map.as_object() else { return json!({}) };
    map.iter()
        .map(|(key, value)| {
            let value = match value {
                Value::Null | Value::String(_) => value.clone(),
                other => Value::String(other.to_string()),
            };
            (key.clone(), value)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// A copy without empty arrays (an empty `resolvedValues` is left out of an answer).
fn without_empty_lists(value: &Value) -> Value {
    match value {
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.as_array().is_some_and(Vec::is_empty))
            .map(|(k, v)| (k.clone(), without_empty_lists(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Value::Array(items) => items.iter().map(without_empty_lists).collect(),
        other => other.clone(),
    }
}
