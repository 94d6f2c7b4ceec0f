//! Rendering replies as Lex responses: golden responses compared as JSON, and every response
//! checked against the documented shape.

use crate::common::{assert_v1_shape, assert_v2_shape, fixture_json, render};
use chatbridge_core::Reply;
use chatbridge_core::adapter::Ack;
use chatbridge_lex::{Button, ImageResponseCard, LexAction, LexAdapter, LexReplyExt};
use serde_json::json;

fn calendar_card() -> ImageResponseCard {
    ImageResponseCard::new("Pick a day")
        .with_subtitle("we open at 9")
        .with_image_url("https://example.com/calendar.png")
        .with_button(Button::new("Today", "today"))
        .with_button(Button::new("Tomorrow", "tomorrow"))
}

fn elicit_pickup_date() -> Reply {
    Reply::text("When would you like them?")
        .lex_action(LexAction::elicit_slot("PickupDate"))
        .session_attribute("flower", "roses")
        .lex_card(calendar_card())
}

#[test]
fn a_plain_reply_is_a_fulfilled_close() {
    let v1 = render("v1/slack.json", vec![Reply::text("General Kenobi!")]);
    assert_eq!(v1, fixture_json("responses/v1_close_plain.json"));
    assert_v1_shape(&v1);

    let v2 = render("v2/slack.json", vec![Reply::text("General Kenobi!")]);
    assert_eq!(v2, fixture_json("responses/v2_close_plain.json"));
    assert_v2_shape(&v2);
}

#[test]
fn elicit_slot_with_a_card_and_a_session_attribute() {
    let v1 = render("v1/dialog_console.json", vec![elicit_pickup_date()]);
    assert_eq!(v1, fixture_json("responses/v1_elicit_slot.json"));
    assert_v1_shape(&v1);

    let v2 = render("v2/dialog_console.json", vec![elicit_pickup_date()]);
    assert_eq!(v2, fixture_json("responses/v2_elicit_slot.json"));
    assert_v2_shape(&v2);
}

#[test]
fn two_replies_are_two_v2_messages_and_one_joined_v1_message() {
    let replies = || vec![Reply::text("General Kenobi!"), Reply::text("You are a bold one.")];
    let v2 = render("v2/slack.json", replies());
    assert_eq!(
        v2["messages"],
        json!([
            {"contentType": "PlainText", "content": "General Kenobi!"},
            {"contentType": "PlainText", "content": "You are a bold one."}
        ])
    );
    assert_v2_shape(&v2);

    let v1 = render("v1/slack.json", replies());
    assert_eq!(
        v1["dialogAction"]["message"],
        json!({"contentType": "PlainText", "content": "General Kenobi!\nYou are a bold one."})
    );
    assert_v1_shape(&v1);
}

#[test]
fn v1_cannot_combine_ssml_with_other_messages() {
    let incoming = crate::common::accept(
        &LexAdapter::new(),
        crate::common::post(crate::common::fixture("v1/slack.json")),
    );
    let err = incoming
        .responder
        .respond(vec![Reply::text("hi"), Reply::new().ssml("<speak>hi</speak>")])
        .unwrap_err();
    let source = std::error::Error::source(&err).map(ToString::to_string).unwrap_or_default();
    assert!(source.contains("Lex V1 takes one message per response"), "{source}");

    // One SSML message alone is fine.
    let v1 = render("v1/slack.json", vec![Reply::new().ssml("<speak>hi</speak>")]);
    assert_eq!(
        v1["dialogAction"]["message"],
        json!({"contentType": "SSML", "content": "<speak>hi</speak>"})
    );
}

#[test]
fn ssml_and_custom_payload_messages_in_v2() {
    let reply = Reply::new().ssml("<speak>Hello</speak>").custom_payload(r#"{"kind":"menu"}"#);
    let v2 = render("v2/slack.json", vec![reply]);
    assert_eq!(
        v2["messages"],
        json!([
            {"contentType": "SSML", "content": "<speak>Hello</speak>"},
            {"contentType": "CustomPayload", "content": "{\"kind\":\"menu\"}"}
        ])
    );
    assert_eq!(v2["sessionState"]["dialogAction"]["type"], "Close");
    assert_v2_shape(&v2);
}

#[test]
fn failed_close_confirm_elicit_intent_and_delegate() {
    let failed = Reply::text("No roses left.").lex_action(LexAction::failed());
    let v2 = render("v2/dialog_console.json", vec![failed.clone()]);
    assert_eq!(v2["sessionState"]["intent"]["state"], "Failed");
    assert_v2_shape(&v2);
    let v1 = render("v1/dialog_console.json", vec![failed]);
    assert_eq!(v1["dialogAction"]["fulfillmentState"], "Failed");
    assert_v1_shape(&v1);

    let confirm = Reply::text("Roses, right?").lex_action(LexAction::confirm_intent());
    let v2 = render("v2/dialog_console.json", vec![confirm.clone()]);
    assert_eq!(v2["sessionState"]["dialogAction"], json!({"type": "ConfirmIntent"}));
    assert_eq!(v2["sessionState"]["intent"]["state"], "InProgress");
    assert_v2_shape(&v2);
    let v1 = render("v1/dialog_console.json", vec![confirm]);
    assert_eq!(v1["dialogAction"]["type"], "ConfirmIntent");
    assert_eq!(v1["dialogAction"]["intentName"], "OrderFlowers");
    assert_v1_shape(&v1);

    let elicit = Reply::text("What else?").lex_action(LexAction::ElicitIntent);
    let v2 = render("v2/dialog_console.json", vec![elicit.clone()]);
    assert_eq!(v2["sessionState"]["dialogAction"], json!({"type": "ElicitIntent"}));
    assert!(v2["sessionState"].get("intent").is_none());
    assert_v2_shape(&v2);
    let v1 = render("v1/dialog_console.json", vec![elicit]);
    assert_eq!(
        v1["dialogAction"],
        json!({"type": "ElicitIntent", "message": {"contentType": "PlainText", "content": "What else?"}})
    );

    let delegate =
        Reply::new().lex_action(LexAction::Delegate).slot("PickupDate", Some("2030-01-01".into()));
    let v2 = render("v2/dialog_console.json", vec![delegate.clone()]);
    assert_eq!(v2["sessionState"]["dialogAction"], json!({"type": "Delegate"}));
    assert_eq!(
        v2["sessionState"]["intent"]["slots"]["PickupDate"],
        json!({"value": {"originalValue": "2030-01-01", "interpretedValue": "2030-01-01"}})
    );
    assert!(v2.get("messages").is_none());
    assert_v2_shape(&v2);
    let v1 = render("v1/dialog_console.json", vec![delegate]);
    assert_eq!(
        v1["dialogAction"],
        json!({"type": "Delegate", "slots": {"FlowerType": "roses", "PickupDate": "2030-01-01", "PickupTime": null}})
    );
    assert_v1_shape(&v1);
}

#[test]
fn eliciting_a_slot_of_another_intent_does_not_carry_this_ones_slots() {
    let reply = Reply::text("Which size?").lex_action(LexAction::ElicitSlot {
        slot: "Size".into(),
        intent: Some("OrderPizza".into()),
    });
    let v2 = render("v2/dialog_console.json", vec![reply.clone()]);
    assert_eq!(v2["sessionState"]["intent"]["name"], "OrderPizza");
    assert_eq!(v2["sessionState"]["intent"]["slots"], json!({}));
    assert_v2_shape(&v2);
    let v1 = render("v1/dialog_console.json", vec![reply]);
    assert_eq!(v1["dialogAction"]["intentName"], "OrderPizza");
    assert_eq!(v1["dialogAction"]["slots"], json!({}));
    assert_v1_shape(&v1);
}

#[test]
fn a_reply_without_text_or_action_delegates_on_a_dialog_hook() {
    let reply = Reply::new().session_attribute("seen", "yes");
    let v1 = render("v1/dialog_console.json", vec![reply.clone()]);
    assert_eq!(v1["dialogAction"]["type"], "Delegate");
    assert_eq!(v1["sessionAttributes"], json!({"seen": "yes"}));
    assert_v1_shape(&v1);
    let v2 = render("v2/dialog_console.json", vec![reply]);
    assert_eq!(v2["sessionState"]["dialogAction"]["type"], "Delegate");
    assert_eq!(v2["sessionState"]["sessionAttributes"], json!({"seen": "yes", "visits": "2"}));
    assert_v2_shape(&v2);
}

#[test]
fn a_reply_without_text_or_action_closes_on_a_fulfillment_hook() {
    let v1 =
        render("v1/fulfillment_numeric.json", vec![Reply::new().session_attribute("done", "1")]);
    assert_eq!(v1["dialogAction"], json!({"type": "Close", "fulfillmentState": "Fulfilled"}));
    assert_eq!(
        v1["sessionAttributes"],
        json!({"orders": "3", "vip": "true", "lastFlower": "tulips", "discount": "0.15", "done": "1"}),
        "numeric attributes go back as strings"
    );
    assert_v1_shape(&v1);
    let v2 =
        render("v2/fulfillment_numeric.json", vec![Reply::new().session_attribute("done", "1")]);
    assert_eq!(v2["sessionState"]["dialogAction"], json!({"type": "Close"}));
    assert_eq!(v2["sessionState"]["intent"]["state"], "Fulfilled");
    assert_eq!(
        v2["sessionState"]["intent"]["slots"]["Count"]["value"],
        json!({"originalValue": "12", "interpretedValue": "12", "resolvedValues": ["12"]})
    );
    assert_v2_shape(&v2);
}

#[test]
fn removing_the_last_session_attribute_sends_an_empty_map() {
    let reply = Reply::text("bye").remove_session_attribute("greeted");
    let v1 = render("v1/slack.json", vec![reply]);
    assert_eq!(v1["sessionAttributes"], json!({}));
    let reply = Reply::text("bye").remove_session_attribute("visits");
    let v2 = render("v2/dialog_console.json", vec![reply]);
    assert_eq!(v2["sessionState"]["sessionAttributes"], json!({}));
}

#[test]
fn acknowledgements() {
    let adapter = LexAdapter::new();
    let body = |path: &str, ack: Ack| {
        let incoming =
            crate::common::accept(&adapter, crate::common::post(crate::common::fixture(path)));
        let response = incoming.responder.acknowledge(ack);
        assert_eq!(response.status(), http::StatusCode::OK);
        serde_json::from_slice::<serde_json::Value>(response.body()).unwrap()
    };
    let deferred = Ack::Deferred(Default::default());
    let v1 = body("v1/slack.json", deferred);
    assert_eq!(v1, fixture_json("responses/v1_timeout_failed.json"));
    assert_v1_shape(&v1);
    let v2 = body("v2/slack.json", deferred);
    assert_eq!(v2, fixture_json("responses/v2_timeout_failed.json"));
    assert_v2_shape(&v2);

    let nothing = body("v2/slack.json", Ack::Nothing);
    assert_eq!(nothing["sessionState"]["dialogAction"], json!({"type": "Delegate"}));
    assert!(nothing.get("messages").is_none());
    assert_v2_shape(&nothing);
    let nothing = body("v1/fulfillment_numeric.json", Ack::Nothing);
    assert_eq!(nothing["dialogAction"], json!({"type": "Close", "fulfillmentState": "Fulfilled"}));
}

#[test]
fn the_timeout_message_can_be_changed() {
    let adapter = LexAdapter::new().timeout_message("The kitchen is slow today.");
    let incoming = crate::common::accept(
        &adapter,
        crate::common::post(crate::common::fixture("v2/slack.json")),
    );
    let response = incoming.responder.acknowledge(Ack::Deferred(Default::default()));
    let v2: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(v2["messages"][0]["content"], "The kitchen is slow today.");
}
