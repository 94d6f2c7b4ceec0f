//! Every kind of Slack request through `Bot::handle`, with fixtures signed at test time.

use crate::common::*;
use chatbridge_core::{MessageKind, Reply};
use chatbridge_slack::{InteractionKind, OtherBots, SlackMessageExt, SlackPayload, SlackReplyExt};
use http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn url_verification_is_answered_with_the_challenge() {
    let (bot, mut seen) = bot(None);
    let response = bot.handle(signed(JSON, fixture("url_verification.json"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(&response),
        json!({"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})
    );
    seen.none().await;
}

#[tokio::test]
async fn events_become_messages_of_their_kind() {
    let (bot, mut seen) = bot(None);
    let cases: [(&str, MessageKind, &str, Option<&str>); 6] = [
        ("message_channel.json", MessageKind::Message, "C123ABC456", Some("1355517523.000005")),
        ("message_im.json", MessageKind::Message, "D024BE91L", Some("1355517523.000005")),
        ("message_group.json", MessageKind::Message, "G024BE91L", Some("1355517523.000005")),
        ("message_mpim.json", MessageKind::Message, "G0MPIM001", Some("1355517523.000005")),
        ("app_mention.json", MessageKind::Mention, "C0LAN2Q65", Some("1515449522.000016")),
        ("reaction_added.json", MessageKind::Reaction, "C123ABC456", Some("1360782400.498405")),
    ];
    for (name, kind, channel, ts) in cases {
        let response = bot.handle(signed(JSON, fixture(name))).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert!(response.body().is_empty(), "{name}");
        let msg = seen.next().await;
        assert_eq!(msg.kind, kind, "{name}");
        assert_eq!(msg.conversation, channel, "{name}");
        assert_eq!(msg.id.as_ref().map(|id| id.as_str()), ts, "{name}");
        assert_eq!(msg.is_direct, name == "message_im.json", "{name}");
        assert!(msg.slack().and_then(SlackPayload::as_event).is_some());
    }
}

#[tokio::test]
async fn message_fields_and_thread_are_read() {
    let (bot, mut seen) = bot(None);
    bot.handle(signed(JSON, fixture("message_thread.json"))).await;
    let msg = seen.next().await;
    assert_eq!(msg.text, "pizza in the thread");
    assert_eq!(msg.sender.id, "U123ABC456");
    assert_eq!(msg.thread.as_ref().map(|t| t.as_str()), Some("1355517523.000005"));
    assert_eq!(msg.workspace.as_ref().map(|w| w.as_str()), Some("T123ABC456"));
    let callback = msg.slack().and_then(SlackPayload::as_event).unwrap();
    assert_eq!(callback.event_id.as_deref(), Some("EvTHREAD01"));
}

#[tokio::test]
async fn the_bots_own_events_reach_no_handler() {
    let (bot, mut seen) = bot(Some(Reply::text("echo")));
    for name in [
        "own_post_message.json",
        "own_response_url.json",
        "own_message_changed.json",
        "own_reaction.json",
        "other_bot_message.json",
    ] {
        let response = bot.handle(signed(JSON, fixture(name))).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        seen.none().await;
    }
}

#[tokio::test]
async fn other_bots_can_be_handled_by_policy() {
    let (bot, mut seen) = bot_with(builder().other_bots(OtherBots::Handle).build().unwrap(), None);
    bot.handle(signed(JSON, fixture("other_bot_message.json"))).await;
    let msg = seen.next().await;
    assert!(msg.sender.is_bot);
    // The bot's own messages stay dropped under that policy.
    bot.handle(signed(JSON, fixture("own_post_message.json"))).await;
    seen.none().await;
}

#[tokio::test]
async fn invented_event_type_is_acknowledged_and_readable_raw() {
    let (bot, mut seen) = bot(None);
    let response = bot.handle(signed(JSON, fixture("invented_event.json"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let msg = seen.next().await;
    assert_eq!(msg.kind, MessageKind::Other("pizza_delivered".into()));
    let callback = msg.slack().and_then(SlackPayload::as_event).unwrap();
    assert_eq!(callback.event.raw["toppings"][0], "basil");
    assert_eq!(callback.event.raw["user"]["hungry"], true);
}

#[tokio::test]
async fn invented_block_type_is_acknowledged_and_readable_raw() {
    let (bot, mut seen) = bot(None);
    let response = bot.handle(signed(JSON, fixture("invented_block.json"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let msg = seen.next().await;
    assert_eq!(msg.kind, MessageKind::Message);
    let event = &msg.slack().and_then(SlackPayload::as_event).unwrap().event;
    assert_eq!(event.blocks[0].kind, "hologram");
    assert_eq!(event.blocks[0].block_id.as_deref(), Some("holo1"));
    assert_eq!(event.blocks[0].raw["projection"]["angle"], 42);
    assert_eq!(event.blocks[1].kind, "rich_text");
}

#[tokio::test]
async fn app_rate_limited_and_unknown_envelopes_are_acknowledged() {
    let (bot, mut seen) = bot(None);
    let response = bot.handle(signed(JSON, fixture("app_rate_limited.json"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = bot.handle(signed(JSON, br#"{"type":"brand_new_envelope"}"#.to_vec())).await;
    assert_eq!(response.status(), StatusCode::OK);
    seen.none().await;
}

#[tokio::test]
async fn a_retried_event_is_acknowledged_and_not_run_again() {
    let (bot, mut seen) = bot(None);
    let first = bot.handle(signed(JSON, fixture("message_channel.json"))).await;
    assert_eq!(first.status(), StatusCode::OK);
    seen.next().await;
    let mut retry = signed(JSON, fixture("message_channel.json"));
    retry.headers_mut().insert("x-slack-retry-num", "1".parse().unwrap());
    retry.headers_mut().insert("x-slack-retry-reason", "http_timeout".parse().unwrap());
    let second = bot.handle(retry).await;
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(second.headers().get("x-slack-no-retry").unwrap(), "1");
    seen.none().await;
}

#[tokio::test]
async fn concurrent_duplicates_run_once() {
    let (bot, mut seen) = bot(None);
    let (a, b) = tokio::join!(
        bot.handle(signed(JSON, fixture("app_mention.json"))),
        bot.handle(signed(JSON, fixture("app_mention.json")))
    );
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    seen.next().await;
    seen.none().await;
}

#[tokio::test]
async fn slash_command_reply_renders_inline() {
    let reply = Reply::text("General Kenobi!")
        .in_channel()
        .slack_blocks(json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]));
    let (bot, mut seen) = bot(Some(reply));
    let body = fixture_with_url("slash_command.txt", "https://hooks.slack.com/commands/x", true);
    let response =
        bot.handle(signed("application/x-www-form-urlencoded; charset=utf-8", body)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        json_body(&response),
        json!({
            "response_type": "in_channel",
            "text": "General Kenobi!",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
        })
    );
    let msg = seen.next().await;
    assert_eq!(msg.command_name(), Some("hello-there"));
    assert_eq!(msg.text, "94070");
    assert_eq!(msg.sender.id, "U2147483697");
    let command = msg.slack().and_then(SlackPayload::as_command).unwrap();
    assert_eq!(command.enterprise_id(), Some("E0001"));
    assert_eq!(command.response_url(), Some("https://hooks.slack.com/commands/x"));
}

#[tokio::test]
async fn slash_command_without_reply_is_an_empty_200() {
    let (bot, mut seen) = bot(None);
    let body = fixture_with_url("slash_command.txt", "https://hooks.slack.com/commands/x", true);
    let response = bot.handle(signed(FORM, body)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.body().is_empty());
    seen.next().await;
}

#[tokio::test]
async fn interactions_become_messages_of_their_kind() {
    let (bot, mut seen) = bot(None);
    let url = "https://hooks.slack.com/actions/x";
    let cases = [
        ("block_actions.json", MessageKind::Action, InteractionKind::BlockActions),
        ("view_closed.json", MessageKind::Other("view_closed".into()), InteractionKind::ViewClosed),
        ("shortcut.json", MessageKind::Shortcut, InteractionKind::Shortcut),
        ("message_action.json", MessageKind::Shortcut, InteractionKind::MessageAction),
        ("view_submission.json", MessageKind::Submission, InteractionKind::ViewSubmission),
        ("block_suggestion.json", MessageKind::Autocomplete, InteractionKind::BlockSuggestion),
    ];
    for (name, kind, interaction_kind) in cases {
        let body = payload_form(&fixture_with_url(name, url, false));
        let response = bot.handle(signed(FORM, body)).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
        assert!(response.body().is_empty(), "{name}");
        let msg = seen.next().await;
        assert_eq!(msg.kind, kind, "{name}");
        let interaction = msg.slack().and_then(SlackPayload::as_interaction).unwrap();
        assert_eq!(interaction.kind, interaction_kind, "{name}");
        match interaction_kind {
            InteractionKind::BlockActions => {
                assert_eq!(msg.text, "margherita");
                assert_eq!(interaction.actions[0].action_id.as_deref(), Some("order_pizza"));
                assert_eq!(msg.action_id(), Some("order_pizza"));
                assert_eq!(msg.action.as_ref().and_then(|a| a.value()), Some("margherita"));
                assert_eq!(msg.id.as_ref().unwrap(), "1548261231.000200");
                assert_eq!(msg.conversation, "C123ABC456");
                assert_eq!(interaction.response_url.as_deref(), Some(url));
                assert_eq!(interaction.raw["message"]["blocks"][0]["type"], "hologram");
            }
            InteractionKind::ViewSubmission => {
                let view = interaction.view.as_ref().unwrap();
                assert_eq!(view.callback_id.as_deref(), Some("pizza_order"));
                assert_eq!(view.private_metadata.as_deref(), Some("table-7"));
                assert_eq!(view.state_values["size_block"]["size_input"]["value"], "large");
            }
            InteractionKind::Shortcut => {
                assert_eq!(interaction.callback_id.as_deref(), Some("shortcut_create_task"));
            }
            InteractionKind::MessageAction => {
                assert_eq!(interaction.callback_id.as_deref(), Some("save_pizza_order"));
                assert_eq!(msg.id.as_ref().unwrap(), "1497998575.000160");
            }
            InteractionKind::BlockSuggestion => assert_eq!(msg.text, "bas"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn view_submission_can_answer_with_a_response_action() {
    let errors = json!({"response_action": "errors", "errors": {"size_block": "too big"}});
    let (bot, mut seen) = bot(Some(Reply::new().slack_inline_body(errors.clone())));
    let body = payload_form(&fixture("view_submission.json"));
    let response = bot.handle(signed(FORM, body)).await;
    assert_eq!(json_body(&response), errors);
    seen.next().await;
}

#[tokio::test]
async fn malformed_and_unsupported_bodies_are_refused() {
    let (bot, mut seen) = bot(None);
    assert_eq!(
        bot.handle(signed(JSON, b"{not json".to_vec())).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        bot.handle(signed("text/plain", b"hello".to_vec())).await.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        bot.handle(signed(FORM, b"user_id=U1".to_vec())).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        bot.handle(signed(FORM, b"payload=%7Bnope".to_vec())).await.status(),
        StatusCode::BAD_REQUEST
    );
    seen.none().await;
}

#[tokio::test]
async fn events_nobody_wants_are_acknowledged_with_200() {
    let bot = chatbridge_core::Bot::builder()
        .mount(PATH, builder().build().unwrap())
        .handler(chatbridge_core::Router::new())
        .build();
    for name in ["message_channel.json", "invented_event.json", "reaction_added.json"] {
        let response = bot.handle(signed(JSON, fixture(name))).await;
        assert_eq!(response.status(), StatusCode::OK, "{name}");
    }
}

#[tokio::test]
async fn only_post_is_accepted() {
    let (bot, mut seen) = bot(None);
    let request = http::Request::get(PATH).body(bytes::Bytes::new()).unwrap();
    assert_eq!(bot.handle(request).await.status(), StatusCode::METHOD_NOT_ALLOWED);
    seen.none().await;
}

/// A command whose handler defers with a public reply to come has the command echoed in the
/// channel (`response_type: in_channel`); any other deferral is an empty 200.
#[tokio::test]
async fn a_command_deferred_in_channel_is_echoed_in_the_channel() {
    use chatbridge_core::{Bot, Context, Message, Router, Visibility};
    let defer = |visibility: Visibility| {
        move |cx: Context, _msg: Message| async move {
            cx.defer(visibility);
        }
    };
    let bot = Bot::builder()
        .mount(PATH, builder().build().unwrap())
        .handler(
            Router::new()
                .command("hello-there", defer(Visibility::InChannel))
                .command("quietly", defer(Visibility::Ephemeral)),
        )
        .build();
    let body = fixture_with_url("slash_command.txt", "https://hooks.slack.com/commands/x", true);
    let response = bot.handle(signed(FORM, body.clone())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json_body(&response), json!({"response_type": "in_channel"}));

    let quiet = String::from_utf8(body).unwrap().replace("hello-there", "quietly");
    let response = bot.handle(signed(FORM, quiet.into_bytes())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.body().is_empty());
}

/// A view submission takes no text: a text reply is dropped, the submission is closed with an
/// empty 200, and a warning says so.
#[tokio::test]
async fn text_on_a_view_submission_is_dropped_with_a_warning() {
    let capture = chatbridge_core::testing::LogCapture::default();
    let _guard = capture.install();
    let (bot, mut seen) = bot(Some(Reply::text("thanks!")));
    let body = payload_form(&fixture_with_url("view_submission.json", "https://x", false));
    let response = bot.handle(signed(FORM, body)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.body().is_empty());
    seen.next().await;
    let logs = capture.text();
    assert!(logs.contains("WARN") && logs.contains("text reply dropped"), "{logs}");
}
