//! What a V2 answer echoes of the event: every field AWS's response schema allows (session
//! attributes always, composite and list slots, runtime hints), nothing it does not.

use crate::common::{assert_v1_shape, assert_v2_shape, post};
use chatbridge_core::Reply;
use chatbridge_lex::v1::V1Event;
use chatbridge_lex::v2::V2Event;
use chatbridge_lex::{LexAction, LexAdapter, LexEvent, LexReplyExt};
use serde_json::{Value, json};

/// A V2 dialog-hook event shaped like the SAM CLI's `lex-v2 book-car`: no `sessionAttributes`.
fn without_session_attributes() -> Value {
    json!({
        "sessionId": "254688924456220",
        "inputTranscript": "Book a car",
        "messageVersion": "1.0",
        "invocationSource": "DialogCodeHook",
        "inputMode": "Text",
        "bot": {"id": "CCGFLGVZMD", "name": "BookTrip", "localeId": "en_US", "version": "DRAFT",
                "aliasId": "TSTALIASID", "aliasName": "TestBotAlias"},
        "sessionState": {
            "intent": {"name": "BookCar", "slots": {"PickUpCity": null, "CarType": null},
                       "confirmationState": "None", "state": "InProgress"},
            "originatingRequestId": "d32005f8-c142-48b5-bf88-c2dd4c05a25e"
        }
    })
}

/// A V2 event whose intent has a composite slot (one sub-slot empty), a list slot, a scalar
/// given as a number, runtime hints, and fields no model knows.
fn composite() -> Value {
    json!({
        "sessionId": "s-1",
        "inputTranscript": "ship it to 1 Main Street, Springfield",
        "invocationSource": "FulfillmentCodeHook",
        "bot": {"name": "Shop", "localeId": "en_US"},
        "sessionState": {
            "sessionAttributes": {"cart": 3, "vip": true},
            "intent": {
                "name": "Ship",
                "state": "ReadyForFulfillment",
                "confirmationState": "Confirmed",
                "slots": {
                    "Address": {
                        "shape": "Composite",
                        "value": {"originalValue": "1 Main Street, Springfield",
                                  "interpretedValue": "1 Main Street, Springfield",
                                  "resolvedValues": []},
                        "subSlots": {
                            "Street": {"shape": "Scalar",
                                       "value": {"originalValue": "1 Main Street",
                                                 "interpretedValue": "1 Main Street",
                                                 "resolvedValues": ["1 Main Street"]}},
                            "City": {"shape": "Scalar",
                                     "value": {"originalValue": "Springfield",
                                               "interpretedValue": "Springfield",
                                               "resolvedValues": []}},
                            "Zip": null
                        }
                    },
                    "Items": {
                        "shape": "List",
                        "value": {"originalValue": "socks and hats",
                                  "interpretedValue": "socks hats", "resolvedValues": []},
                        "values": [
                            {"shape": "Scalar", "value": {"originalValue": "socks",
                                                          "interpretedValue": "socks",
                                                          "resolvedValues": ["socks"]}},
                            {"shape": "Scalar", "value": {"originalValue": "hats",
                                                          "interpretedValue": "hats",
                                                          "resolvedValues": ["hats"]}}
                        ]
                    },
                    "Count": {"shape": "Scalar",
                              "value": {"originalValue": 2, "interpretedValue": 2,
                                        "resolvedValues": [2]}},
                    "GiftNote": null
                },
                "kendraResponse": {"ResultItems": []},
                "brandNewIntentField": {"x": 1}
            },
            "runtimeHints": {"slotHints": {"Ship": {"Address": {"subSlotHints": {
                "City": {"runtimeHintValues": [{"phrase": "Springfield"}]}}}}}},
            "originatingRequestId": "85f22c97-b5d3-4a74-9e3d-95446768ecaa",
            "brandNewStateField": "kept in the event"
        }
    })
}

fn answer(event: &Value, replies: Vec<Reply>) -> Result<Value, String> {
    let incoming = crate::common::accept(&LexAdapter::new(), post(event.to_string()));
    let response = incoming.responder.respond(replies).map_err(|error| {
        std::error::Error::source(&error).map(ToString::to_string).unwrap_or_default()
    })?;
    Ok(serde_json::from_slice(response.body()).expect("the answer is JSON"))
}

/// `null` only where a slot or sub-slot is empty: an absent optional field is left out.
fn nulls_only_for_empty_slots(value: &Value, parent: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if v.is_null() {
                    assert!(parent == "slots" || parent == "subSlots", "{key} is null: {value}");
                }
                nulls_only_for_empty_slots(v, key);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| nulls_only_for_empty_slots(v, parent)),
        _ => {}
    }
}

#[test]
fn every_v2_answer_carries_session_attributes() {
    let event = without_session_attributes();
    let replies = [
        vec![Reply::text("Which city?")],
        vec![],
        vec![Reply::new().lex_action(LexAction::Delegate)],
        vec![Reply::text("Which city?").lex_action(LexAction::elicit_slot("PickUpCity"))],
        vec![Reply::text("No cars today.").lex_action(LexAction::failed())],
        vec![Reply::text("Anything else?").lex_action(LexAction::ElicitIntent)],
    ];
    for replies in replies {
        let v2 = answer(&event, replies).unwrap();
        assert_eq!(v2["sessionState"]["sessionAttributes"], json!({}), "{v2}");
        assert_v2_shape(&v2);
        nulls_only_for_empty_slots(&v2, "");
    }
}

#[test]
fn composite_list_and_empty_slots_are_echoed_whole() {
    let event = composite();
    let mut expected = event["sessionState"]["intent"]["slots"].clone();
    // Numbers come back as strings; an empty `resolvedValues` is left out.
    expected["Count"]["value"] =
        json!({"originalValue": "2", "interpretedValue": "2", "resolvedValues": ["2"]});
    for pointer in ["/Address/value", "/Address/subSlots/City/value", "/Items/value"] {
        expected.pointer_mut(pointer).unwrap().as_object_mut().unwrap().remove("resolvedValues");
    }
    for replies in [
        vec![Reply::new().lex_action(LexAction::Delegate)],
        vec![Reply::text("Shipped.")],
        vec![Reply::text("Confirm?").lex_action(LexAction::confirm_intent())],
        vec![Reply::text("A note?").lex_action(LexAction::elicit_slot("GiftNote"))],
    ] {
        let v2 = answer(&event, replies).unwrap();
        let intent = &v2["sessionState"]["intent"];
        assert_eq!(intent["slots"], expected);
        assert_eq!(intent["slots"]["Address"]["subSlots"]["Zip"], Value::Null);
        assert_eq!(intent["slots"]["GiftNote"], Value::Null);
        assert_eq!(intent["confirmationState"], "Confirmed");
        assert_v2_shape(&v2);
        nulls_only_for_empty_slots(&v2, "");
    }
    let parsed = LexEvent::from_slice(event.to_string().as_bytes()).unwrap();
    let address = parsed.v2().unwrap().session_state.intent.as_ref().unwrap().slots["Address"]
        .clone()
        .unwrap();
    assert_eq!(address.sub_slot("City"), Some("Springfield"));
    assert_eq!(address.sub_slot("Zip"), None);
}

#[test]
fn runtime_hints_and_the_originating_request_are_echoed() {
    let event = composite();
    let v2 = answer(&event, vec![Reply::text("Shipped.")]).unwrap();
    assert_eq!(v2["sessionState"]["runtimeHints"], event["sessionState"]["runtimeHints"]);
    assert_eq!(v2["sessionState"]["originatingRequestId"], "85f22c97-b5d3-4a74-9e3d-95446768ecaa");
    assert_eq!(v2["sessionState"]["sessionAttributes"], json!({"cart": "3", "vip": "true"}));
}

#[test]
fn fields_the_response_schema_forbids_stay_in_the_event() {
    let event = composite();
    let v2 = answer(&event, vec![Reply::new().lex_action(LexAction::Delegate)]).unwrap();
    let text = v2.to_string();
    for forbidden in ["kendraResponse", "brandNewIntentField", "brandNewStateField"] {
        assert!(!text.contains(forbidden), "{forbidden} in the answer: {text}");
    }
    // The handler still sees them, and the event round-trips whole.
    let parsed: V2Event = serde_json::from_value(event).unwrap();
    let intent = parsed.session_state.intent.as_ref().unwrap();
    assert_eq!(intent.kendra_response, Some(json!({"ResultItems": []})));
    assert_eq!(intent.extra["brandNewIntentField"], json!({"x": 1}));
    assert_eq!(parsed.session_state.extra["brandNewStateField"], "kept in the event");
    let written = serde_json::to_value(&parsed).unwrap();
    assert_eq!(written["sessionState"]["brandNewStateField"], "kept in the event");
    assert_eq!(written["sessionState"]["intent"]["brandNewIntentField"], json!({"x": 1}));
}

#[test]
fn v1_unknown_fields_are_kept_in_the_event() {
    let event = json!({
        "messageVersion": "1.0", "userId": "u", "invocationSource": "DialogCodeHook",
        "currentIntent": {"name": "OrderFlowers", "slots": {"FlowerType": null},
                          "confirmationStatus": "None", "somethingNew": true},
        "activeContexts": [{"name": "ctx", "timeToLive": {"timeToLiveInSeconds": 100,
                                                          "turnsToLive": 5},
                            "parameters": {"k": "v"}}],
        "kendraResponse": {"ResultItems": []}
    });
    let parsed: V1Event = serde_json::from_value(event.clone()).unwrap();
    assert_eq!(parsed.extra["activeContexts"], event["activeContexts"]);
    assert_eq!(parsed.extra["kendraResponse"], json!({"ResultItems": []}));
    assert_eq!(parsed.current_intent.extra["somethingNew"], true);
    let v1 = answer(&event, vec![Reply::new()]).unwrap();
    assert_eq!(v1["dialogAction"], json!({"type": "Delegate", "slots": {"FlowerType": null}}));
    assert_v1_shape(&v1);
}

#[test]
fn elicit_intent_and_confirm_intent_need_a_message_in_v2() {
    let event = without_session_attributes();
    for action in [LexAction::ElicitIntent, LexAction::confirm_intent()] {
        let error = answer(&event, vec![Reply::new().lex_action(action.clone())]).unwrap_err();
        assert!(error.contains("Lex V2 needs a message"), "{action:?}: {error}");
        let with_text = Reply::text("Anything else?").lex_action(action.clone());
        assert_v2_shape(&answer(&event, vec![with_text]).unwrap());
    }
    // V1 falls back to the bot's prompts: no message is fine there.
    let v1 = json!({"messageVersion": "1.0", "userId": "u",
                    "currentIntent": {"name": "OrderFlowers", "slots": {}}});
    let answer = answer(&v1, vec![Reply::new().lex_action(LexAction::ElicitIntent)]).unwrap();
    assert_eq!(answer["dialogAction"], json!({"type": "ElicitIntent"}));
}

#[test]
fn a_slot_emptied_by_the_handler_is_null() {
    let event = composite();
    let reply = Reply::text("Which address?")
        .lex_action(LexAction::elicit_slot("Address"))
        .slot("Address", None);
    let v2 = answer(&event, vec![reply]).unwrap();
    assert_eq!(v2["sessionState"]["intent"]["slots"]["Address"], Value::Null);
    assert_v2_shape(&v2);
}
