//! Portable cards and forms on Lex: a card becomes a response card in both versions; what Lex
//! cannot show (six buttons, a menu, a form) is refused with a reason, never cut short.

use chatbridge_core::{Button, Card, Form, FormField, Reply, Select};
use chatbridge_lex::LexAdapter;

use crate::common::*;

fn poll(options: usize) -> Reply {
    let card = (0..options).fold(Card::new().title("Lunch?"), |card, i| {
        card.button(Button::new(format!("Option {i}"), format!("vote:p:{i}")))
    });
    Reply::text("Lunch?").with_card(card).unwrap()
}

/// Why the responder refuses the replies.
fn refusal(path: &str, reply: Reply) -> String {
    let incoming = accept(&LexAdapter::new(), post(fixture(path)));
    let error = incoming.responder.respond(vec![reply]).expect_err("refused");
    std::error::Error::source(&error).map(ToString::to_string).unwrap_or_default()
}

#[test]
fn a_card_is_a_response_card_in_both_versions() {
    let v2 = render("v2/slack.json", vec![poll(5)]);
    assert_eq!(v2["messages"][1]["contentType"], "ImageResponseCard");
    let card = &v2["messages"][1]["imageResponseCard"];
    assert_eq!(card["title"], "Lunch?");
    assert_eq!(card["buttons"].as_array().map(Vec::len), Some(5));
    assert_eq!(card["buttons"][0], serde_json::json!({"text": "Option 0", "value": "Option 0"}));
    let v1 = render("v1/slack.json", vec![poll(2)]);
    let attachment = &v1["dialogAction"]["responseCard"]["genericAttachments"][0];
    assert_eq!(attachment["buttons"].as_array().map(Vec::len), Some(2));
}

#[test]
fn what_lex_cannot_show_is_refused_with_a_reason() {
    assert_eq!(refusal("v2/slack.json", poll(6)), "a Lex response card takes at most 5 buttons");
    let menu = Card::new().title("Size?").select(Select::new("size").option("Large", "l"));
    let reason = refusal("v1/slack.json", Reply::new().with_card(menu).unwrap());
    assert!(reason.contains("no menus"), "{reason}");
    let form = Form::new("order", "Order").field(FormField::short("item", "Item"));
    let reason = refusal("v2/slack.json", Reply::new().with_form(form).unwrap());
    assert!(reason.contains("Lex has no forms"), "{reason}");
}
