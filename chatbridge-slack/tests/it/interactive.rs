//! Buttons, forms, App Home and shortcuts as a bot author uses them: a form opened from a
//! global shortcut and from a slash command, errors sent back to a submitted form, a card
//! updating the message a button is on, and the App Home tab published when it is opened.

use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::testing::{FakeApi, Recorded};
use chatbridge_core::{
    Bot, Button, Card, Context, Form, FormField, HandlerError, Message, MessageKind, Reply, Router,
    Secret, Visibility,
};
use chatbridge_slack::{SlackContextExt, home_view};
use serde_json::{Value, json};

use crate::common::*;

fn order_form() -> Form {
    Form::new("order", "New order").field(FormField::short("item", "Item").required().max(40))
}

fn router() -> Router {
    Router::new()
        .shortcut("shortcut_create_task", |_cx: Context, _msg: Message| async {
            Reply::new().with_form(order_form())
        })
        .command("hello-there", |_cx: Context, _msg: Message| async {
            Reply::new().with_form(order_form())
        })
        .command("deferred", |cx: Context, _msg: Message| async move {
            cx.defer(Visibility::Default);
            cx.reply(Reply::new().with_form(order_form())?).await?;
            Ok::<_, HandlerError>(())
        })
        .submission("{form}", |_cx: Context, msg: Message| async move {
            let form = msg.param("form").unwrap_or_default().to_owned();
            Reply::new().form_error("item", format!("{form}: we are out of that"))
        })
        .action("{id}", |cx: Context, msg: Message| async move {
            let card = Card::new().title("Done").button(Button::new("Undo", "undo"));
            let text = format!("pressed {}", msg.param("id").unwrap_or_default());
            cx.update(Reply::text(text).with_card(card)?).await?;
            Ok::<_, HandlerError>(())
        })
        .on(MessageKind::Other("app_home_opened".into()), |cx: Context, msg: Message| async move {
            let home = home_view(&Card::new().title("Welcome home"));
            let client = cx.slack().ok_or_else(|| HandlerError::msg("no Slack client"))?;
            client.views_publish(msg.sender.id.as_str(), &home).await?;
            Ok::<_, HandlerError>(())
        })
}

async fn bot(api: &FakeApi) -> Bot {
    let adapter = builder()
        .bot_token(Secret::new("xoxb-interactive"))
        .api_url(format!("{}/api/", api.url()))
        .build()
        .unwrap();
    Bot::builder().mount(PATH, adapter).handler(router()).build()
}

async fn call(api: &FakeApi, path: &str) -> Recorded {
    let calls = api.wait_for(1, Duration::from_secs(5)).await;
    calls.into_iter().find(|c| c.path == path).unwrap_or_else(|| panic!("no call to {path}"))
}

fn interaction(fixture_name: &str, edit: impl FnOnce(&mut Value)) -> http::Request<Bytes> {
    let mut json: Value = serde_json::from_slice(&fixture(fixture_name)).unwrap();
    edit(&mut json);
    signed(FORM, payload_form(json.to_string().as_bytes()))
}

#[tokio::test]
async fn a_global_shortcut_opens_a_form_with_its_trigger() {
    let api = FakeApi::start().await;
    let bot = bot(&api).await;
    let response = bot.handle(interaction("shortcut.json", |_| {})).await;
    assert_eq!((response.status().as_u16(), response.body().len()), (200, 0));
    let opened = call(&api, "/api/views.open").await.json();
    assert_eq!(opened["trigger_id"], "944799105734.773906753841.38b5894552bdd4a780554ee59d1f3638");
    assert_eq!(opened["view"]["type"], "modal");
    assert_eq!(opened["view"]["callback_id"], "order");
    assert_eq!(opened["view"]["blocks"][0]["element"]["action_id"], "item");
}

#[tokio::test]
async fn a_slash_command_opens_a_form_beside_its_acknowledgement() {
    let api = FakeApi::start().await;
    let bot = bot(&api).await;
    let body = fixture_with_url("slash_command.txt", &format!("{}/hook", api.url()), true);
    let response = bot.handle(signed(FORM, body)).await;
    assert_eq!((response.status().as_u16(), response.body().len()), (200, 0));
    let opened = call(&api, "/api/views.open").await.json();
    assert_eq!(opened["trigger_id"], "13345224609.738474920.8088930838d88f008e0");
    assert_eq!(opened["view"]["title"]["text"], "New order");
}

#[tokio::test]
async fn a_deferred_command_opens_its_form_as_a_tracked_follow_up() {
    let api = FakeApi::start().await;
    let bot = bot(&api).await;
    let body = fixture_with_url("slash_command.txt", &format!("{}/hook", api.url()), true);
    let body = String::from_utf8(body).unwrap().replace("%2Fhello-there", "%2Fdeferred");
    let response = bot.handle(signed(FORM, body.into_bytes())).await;
    assert_eq!(response.status(), 200);
    assert!(bot.drain(Duration::from_secs(5)).await, "the follow-up is the bot's to wait for");
    let opened = call(&api, "/api/views.open").await.json();
    assert_eq!(opened["trigger_id"], "13345224609.738474920.8088930838d88f008e0");
    assert_eq!(opened["view"]["callback_id"], "order");
}

#[tokio::test]
async fn errors_go_back_to_the_submitted_form() {
    let api = FakeApi::start().await;
    let bot = bot(&api).await;
    let response = bot.handle(interaction("view_submission.json", |_| {})).await;
    assert_eq!(response.status(), 200);
    let body = json_body(&response);
    assert_eq!(body["response_action"], "errors");
    assert!(body["errors"]["item"].as_str().unwrap().ends_with("we are out of that"), "{body}");
}

#[tokio::test]
async fn a_press_updates_the_message_it_came_from_with_a_card() {
    let api = FakeApi::start().await;
    let bot = bot(&api).await;
    let hook = format!("{}/hooks/press", api.url());
    let response =
        bot.handle(interaction("block_actions.json", |j| j["response_url"] = json!(hook))).await;
    assert_eq!((response.status().as_u16(), response.body().len()), (200, 0));
    let update = call(&api, "/hooks/press").await.json();
    assert_eq!(update["replace_original"], true);
    assert!(update["text"].as_str().unwrap().starts_with("pressed "));
    assert_eq!(update["blocks"][0]["type"], "header");
    assert_eq!(update["blocks"][1]["elements"][0]["action_id"], "undo");
}

#[tokio::test]
async fn opening_the_app_home_publishes_the_home_tab() {
    let api = FakeApi::start().await;
    let bot = bot(&api).await;
    let event = json!({
        "type": "event_callback", "team_id": "T1", "event_id": "Ev0HOME1", "api_app_id": "A1",
        "event": {"type": "app_home_opened", "user": "U0HOME", "channel": "D0HOME", "tab": "home",
                  "event_ts": "1700000000.000100"},
    });
    let response = bot.handle(signed(JSON, event.to_string().into_bytes())).await;
    assert_eq!(response.status(), 200);
    let published = call(&api, "/api/views.publish").await.json();
    assert_eq!(published["user_id"], "U0HOME");
    assert_eq!(published["view"]["type"], "home");
    assert_eq!(published["view"]["blocks"][0]["text"]["text"], "Welcome home");
}
