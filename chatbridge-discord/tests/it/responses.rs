//! Replies rendered as interaction responses (types 4 to 9), and the acknowledgements when
//! there is no inline reply. Golden responses are compared as JSON.

use std::time::Duration;

use crate::common::*;
use chatbridge_core::{
    Bot, Context, HandlerError, Message, MessageKind, Reply, Router, Visibility,
};
use chatbridge_discord::{
    AllowedMentions, ButtonStyle, Choice, Component, DiscordReplyExt, Embed, Modal, TextInputStyle,
};
use serde_json::json;

/// Runs one fixture through a bot with `router`; returns the response JSON.
async fn answer(router: Router, fixture_body: Vec<u8>) -> serde_json::Value {
    let bot = Bot::builder()
        .mount("/discord", builder().api_url("http://127.0.0.1:9").build().unwrap())
        .handler(router)
        .ack_budget(Duration::from_millis(200))
        .build();
    let response = bot.handle(signed("/discord", fixture_body)).await;
    assert_eq!(response.status(), http::StatusCode::OK, "{:?}", response.body());
    assert_eq!(response.headers()["content-type"], "application/json");
    body_json(&response)
}

fn reply_with(reply: Reply) -> Router {
    Router::new().fallback(move |_cx: Context, _msg: Message| {
        let reply = reply.clone();
        async move { reply }
    })
}

#[tokio::test]
async fn a_command_reply_is_type_4_with_every_part() {
    let reply = Reply::text("Order placed")
        .ephemeral()
        .embed(Embed::new().title("Margherita").color(0xFF0000))
        .component(Component::action_row([Component::button(
            ButtonStyle::Danger,
            "cancel",
            "Cancel",
        )]))
        .allowed_mentions(AllowedMentions::none());
    let json = answer(reply_with(reply), fixture("command_options.json")).await;
    assert_eq!(
        json,
        json!({"type": 4, "data": {
            "content": "Order placed",
            "embeds": [{"title": "Margherita", "color": 16711680}],
            "components": [{"type": 1, "components": [{"type": 2, "style": 4, "custom_id": "cancel", "label": "Cancel"}]}],
            "allowed_mentions": {"parse": []},
            "flags": 64
        }})
    );
    let json =
        answer(reply_with(Reply::text("hi").in_channel()), fixture("command_user.json")).await;
    assert_eq!(json, json!({"type": 4, "data": {"content": "hi"}}));
}

#[tokio::test]
async fn components_update_with_7_and_acknowledge_with_6() {
    let json = answer(
        reply_with(Reply::text("Confirmed").replace_original().ephemeral()),
        fixture("component_button.json"),
    )
    .await;
    assert_eq!(json, json!({"type": 7, "data": {"content": "Confirmed"}}));
    let json = answer(reply_with(Reply::text("Thanks")), fixture("component_button.json")).await;
    assert_eq!(json, json!({"type": 4, "data": {"content": "Thanks"}}));
    let silent = Router::new().fallback(|_cx: Context, _msg: Message| async {});
    assert_eq!(answer(silent, fixture("component_string_select.json")).await, json!({"type": 6}));
}

#[tokio::test]
async fn nothing_to_say_still_answers_discord() {
    let silent = || Router::new().fallback(|_cx: Context, _msg: Message| async {});
    let done = json!({"type": 4, "data": {"content": "Done.", "flags": 64}});
    assert_eq!(answer(silent(), fixture("command_options.json")).await, done);
    assert_eq!(answer(silent(), fixture("modal_labels.json")).await, done);
    // A command nobody routes is answered the same way, never left hanging.
    assert_eq!(answer(Router::new(), fixture("command_options.json")).await, done);
    assert_eq!(answer(Router::new(), fixture("component_button.json")).await, json!({"type": 6}));
    assert_eq!(
        answer(Router::new(), fixture("autocomplete.json")).await,
        json!({"type": 8, "data": {"choices": []}})
    );
}

#[tokio::test]
async fn autocomplete_answers_at_most_25_choices() {
    let router =
        Router::new().on(MessageKind::Autocomplete, |_cx: Context, msg: Message| async move {
            Reply::new().choices((0..30).map(|i| Choice::new(format!("{} {i}", msg.text), i)))
        });
    let json = answer(router, fixture("autocomplete.json")).await;
    assert_eq!(json["type"], 8);
    let choices = json["data"]["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 25);
    assert_eq!(choices[3], json!({"name": "marg 3", "value": 3}));
}

#[tokio::test]
async fn a_modal_is_type_9() {
    let modal = Modal::new(
        "feedback",
        "Feedback",
        [Component::label(
            "Comment",
            Component::text_input("comment", TextInputStyle::Paragraph).set("required", false),
        )],
    );
    let json = answer(reply_with(Reply::new().modal(modal)), fixture("command_options.json")).await;
    assert_eq!(
        json,
        json!({"type": 9, "data": {"custom_id": "feedback", "title": "Feedback", "components": [
            {"type": 18, "label": "Comment", "component": {"type": 4, "custom_id": "comment", "style": 2, "required": false}}
        ]}})
    );
}

// The budget runs out on tokio's paused clock: no real waiting.
#[tokio::test(start_paused = true)]
async fn deferrals_are_5_for_commands_and_6_for_components() {
    let slow = || {
        Router::new().fallback(|_cx: Context, _msg: Message| async {
            tokio::time::sleep(Duration::from_millis(400)).await;
        })
    };
    assert_eq!(answer(slow(), fixture("command_options.json")).await, json!({"type": 5}));
    assert_eq!(answer(slow(), fixture("modal_action_rows.json")).await, json!({"type": 5}));
    assert_eq!(answer(slow(), fixture("component_button.json")).await, json!({"type": 6}));
    // Autocomplete cannot be deferred: an empty answer is all that fits.
    assert_eq!(
        answer(slow(), fixture("autocomplete.json")).await,
        json!({"type": 8, "data": {"choices": []}})
    );

    let ephemeral = Router::new().fallback(|cx: Context, _msg: Message| async move {
        cx.defer(Visibility::Ephemeral);
        Ok::<(), HandlerError>(())
    });
    assert_eq!(
        answer(ephemeral, fixture("command_options.json")).await,
        json!({"type": 5, "data": {"flags": 64}})
    );
}

#[tokio::test]
async fn unknown_interaction_types_are_answered_never_with_a_500() {
    let body = fixture_items("unknown_types.json").remove(0);
    let json = answer(reply_with(Reply::text("?")), body.clone()).await;
    assert_eq!(json, json!({"type": 4, "data": {"content": "?"}}));
    let json = answer(Router::new(), body).await;
    assert_eq!(json, json!({"type": 4, "data": {"content": "Done.", "flags": 64}}));
}

#[tokio::test]
async fn the_response_type_follows_the_interaction_type_even_when_its_data_is_odd() {
    // Autocomplete data of another shape: still type 8, never a message.
    let odd = br#"{"id":"1","type":4,"token":"t","data":"typing"}"#.to_vec();
    let json = answer(reply_with(Reply::text("no")), odd).await;
    assert_eq!(json, json!({"type": 8, "data": {"choices": []}}));
    // A component whose data is odd: a reply that replaces the message is still type 7.
    let odd = br#"{"id":"2","type":3,"token":"t","data":[1]}"#.to_vec();
    let json = answer(reply_with(Reply::text("Updated").replace_original()), odd).await;
    assert_eq!(json, json!({"type": 7, "data": {"content": "Updated"}}));
}

#[tokio::test]
async fn a_modal_opened_from_a_message_can_update_that_message() {
    let mut body: serde_json::Value =
        serde_json::from_slice(&fixture("modal_action_rows.json")).unwrap();
    let replace = || reply_with(Reply::text("Saved").replace_original());
    // Opened from a command: there is no message to update, so the reply is a new one.
    let json = answer(replace(), serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(json, json!({"type": 4, "data": {"content": "Saved"}}));
    // Opened from a button: `message` is the button's, and type 7 edits it.
    body["message"] =
        json!({"id": "1165000000000000101", "channel_id": "1160000000000000000", "content": ""});
    let json = answer(replace(), serde_json::to_vec(&body).unwrap()).await;
    assert_eq!(json, json!({"type": 7, "data": {"content": "Saved"}}));
}
