//! Buttons, menus and forms as a bot author uses them on Discord: a form opened from a command
//! (a modal, type 9), its submission read by field name and answered with errors, a press
//! updating its message with a card (type 7), suggestions routed by command and option.

use chatbridge_core::{
    Bot, Button, Card, Context, Form, FormField, Message, Reply, Router, Select,
};
use chatbridge_discord::{Choice, DiscordReplyExt};
use serde_json::json;

use crate::common::*;

const PATH: &str = "/discord/interactions";

fn router() -> Router {
    Router::new()
        .command("order", |_cx: Context, _msg: Message| async {
            let form = Form::new("order_form", "Your order")
                .field(FormField::long("address", "Address").required().max(200))
                .field(FormField::select("size", "Size").option("Large", "large"));
            Reply::new().with_form(form)
        })
        .submission("order_form", |_cx: Context, msg: Message| async move {
            let action = msg.action.unwrap_or_default();
            let address = action.field("address").unwrap_or_default().to_owned();
            Reply::new().form_error("address", format!("we do not deliver to {address}"))
        })
        .action("order:{step}", |cx: Context, msg: Message| async move {
            let step = msg.param("step").unwrap_or_default().to_owned();
            let card = Card::new()
                .title(format!("Order {step}ed"))
                .field("Size", "Large")
                .button(Button::new("Undo", "order:undo"))
                .select(Select::new("extras").option("Olives", "olives"));
            cx.update(Reply::text("Thanks!").with_card(card)?).await?;
            Ok::<_, chatbridge_core::HandlerError>(())
        })
        .options("menu:{option}", |_cx: Context, msg: Message| async move {
            let option = msg.param("option").unwrap_or_default().to_owned();
            let typed = msg.action.and_then(|a| a.value().map(str::to_owned)).unwrap_or_default();
            Reply::new().choices([Choice::new(format!("{option}: {typed}"), typed)])
        })
}

async fn answer(body: Vec<u8>) -> serde_json::Value {
    let bot = Bot::builder().mount(PATH, adapter()).handler(router()).build();
    let response = bot.handle(signed(PATH, body)).await;
    assert_eq!(response.status(), 200);
    body_json(&response)
}

#[tokio::test]
async fn a_command_opens_a_form_as_a_modal() {
    let answer = answer(fixture("command_options.json")).await;
    assert_eq!(answer["type"], 9);
    assert_eq!(answer["data"]["custom_id"], "order_form");
    assert_eq!(answer["data"]["title"], "Your order");
    let address = &answer["data"]["components"][0];
    assert_eq!(address["type"], 18);
    assert_eq!(
        address["component"],
        json!({"type": 4, "custom_id": "address", "style": 2, "required": true, "max_length": 200})
    );
    assert_eq!(answer["data"]["components"][1]["component"]["type"], 3);
}

#[tokio::test]
async fn a_submitted_form_is_read_by_field_name_and_errors_are_told_privately() {
    let answer = answer(fixture("modal_labels.json")).await;
    assert_eq!(answer["type"], 4);
    assert_eq!(answer["data"]["flags"], 64);
    assert_eq!(answer["data"]["content"], "**address**: we do not deliver to 1 Utapau Way");
}

#[tokio::test]
async fn a_press_updates_its_message_with_a_card() {
    let answer = answer(fixture("component_button.json")).await;
    assert_eq!(answer["type"], 7);
    let data = &answer["data"];
    assert_eq!(data["content"], "Thanks!");
    assert_eq!(data["embeds"][0]["title"], "Order confirmed");
    assert_eq!(
        data["embeds"][0]["fields"][0],
        json!({"name": "Size", "value": "Large", "inline": true})
    );
    assert_eq!(data["components"][0]["components"][0]["custom_id"], "order:undo");
    assert_eq!(data["components"][1]["components"][0]["type"], 3, "a menu in a row of its own");
}

#[tokio::test]
async fn suggestions_route_by_command_and_option() {
    let answer = answer(fixture("autocomplete.json")).await;
    assert_eq!(answer["type"], 8);
    assert_eq!(answer["data"]["choices"], json!([{"name": "kind: marg", "value": "marg"}]));
}
