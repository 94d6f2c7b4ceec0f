//! No log line and no error carries a secret, a signature, a `response_url` or what users wrote.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use chatbridge_core::testing::{FakeApi, FakeResponse, LogCapture};
use chatbridge_core::{Bot, Context, HandlerError, Message, MessageKind, Reply, Router, Secret};

const TOKEN: &str = "xoxb-logging-test-77aa";
const CAPABILITY: &str = "capability-3c9d";

async fn chatty(cx: Context, _msg: Message) -> Result<(), HandlerError> {
    cx.reply("first, inline").await?;
    cx.reply("second, through the response_url").await?;
    Ok(())
}

async fn react(_cx: Context, _msg: Message) -> Reply {
    Reply::reaction("pizza")
}

#[tokio::test]
async fn nothing_secret_or_private_reaches_the_logs() {
    let capture = LogCapture::default();
    let _guard = capture.install();

    let api = FakeApi::start().await;
    api.respond(
        "POST",
        "/api/auth.test",
        FakeResponse::json(200, r#"{"ok":false,"error":"invalid_auth"}"#),
    );
    api.respond_once(
        "POST",
        "/api/reactions.add",
        FakeResponse::json(429, r#"{"ok":false,"error":"ratelimited"}"#).header("Retry-After", "1"),
    );
    api.respond(
        "POST",
        "/api/reactions.add",
        FakeResponse::json(200, r#"{"ok":false,"error":"invalid_name"}"#),
    );
    let hook = format!("/hooks/{CAPABILITY}");
    api.respond("POST", &hook, FakeResponse::json(404, r#"{"ok":false,"error":"expired_url"}"#));

    let adapter = builder()
        .bot_ids(chatbridge_slack::BotIds::new())
        .bot_token(Secret::new(TOKEN))
        .api_url(format!("{}/api/", api.url()))
        .build()
        .unwrap();
    let errors = Arc::new(Mutex::new(String::new()));
    let seen = Arc::clone(&errors);
    let bot = Bot::builder()
        .mount(PATH, adapter)
        .on_error(move |e| {
            let _ = writeln!(seen.lock().unwrap(), "{e} {e:?}");
        })
        .handler(Router::new().command("hello-there", chatty).on(MessageKind::Message, react))
        .build();

    let command = fixture_with_url("slash_command.txt", &format!("{}{hook}", api.url()), true);
    assert_eq!(bot.handle(signed(FORM, command)).await.status(), 200);
    assert_eq!(bot.handle(signed(JSON, fixture("message_channel.json"))).await.status(), 200);
    let forged = signed_at(JSON, fixture("message_channel.json"), NOW - 1000);
    assert_eq!(bot.handle(forged).await.status(), 401);
    let signature = chatbridge_slack::verify::sign(
        &Secret::new("some-other-secret"),
        NOW,
        &fixture("message_channel.json"),
    );
    let mut wrong = unsigned(JSON, fixture("message_channel.json"));
    wrong.headers_mut().insert("x-slack-request-timestamp", NOW.to_string().parse().unwrap());
    wrong.headers_mut().insert("x-slack-signature", signature.parse().unwrap());
    assert_eq!(bot.handle(wrong).await.status(), 401);
    api.wait_for(4, Duration::from_secs(5)).await;
    assert!(bot.drain(Duration::from_secs(5)).await);

    let logs = capture.text().clone();
    let errors = errors.lock().unwrap().clone();
    assert!(logs.contains("slack"), "the adapter logged: {logs}");
    assert!(errors.contains("expired_url"), "the follow-up failure was reported: {errors}");
    assert!(errors.contains("invalid_name"), "the reaction failure was reported: {errors}");
    let expected =
        chatbridge_slack::verify::sign(&Secret::new(SECRET), NOW, &fixture("message_channel.json"));
    for (what, needle) in [
        ("signing secret", SECRET),
        ("bot token", TOKEN),
        ("response_url", CAPABILITY),
        ("message text", "Live long and prospect."),
        ("command text", "94070"),
        ("expected signature", &expected[3..]),
        ("given signature", &signature[3..]),
    ] {
        assert!(!logs.contains(needle), "{what} in the logs: {logs}");
        assert!(!errors.contains(needle), "{what} in an error: {errors}");
    }
}
