//! The Slack bot token that Lex passes in the request attributes never reaches the logs.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{fixture_json, post};
use chatbridge_core::testing::LogCapture;
use chatbridge_core::{Bot, Context, Message, Router};
use chatbridge_lex::{LexAdapter, LexMessageExt};

async fn slow(_cx: Context, msg: Message) -> String {
    tokio::time::sleep(Duration::from_millis(300)).await;
    msg.lex().map(|l| l.intent_name().to_owned()).unwrap_or_default()
}

#[tokio::test]
async fn no_log_line_carries_the_slack_bot_token() {
    let capture = LogCapture::default();
    let _guard = capture.install();

    let errors = Arc::new(Mutex::new(String::new()));
    let seen = Arc::clone(&errors);
    let bot = Bot::builder()
        .mount("/lex", LexAdapter::new())
        .ack_budget(Duration::from_millis(100))
        .on_error(move |e| {
            let _ = write!(seen.lock().unwrap(), "{e} {e:?}");
        })
        .handler(
            Router::new()
                .command("HelloThere", |_cx: Context, _m: Message| async { "hi" })
                .fallback(slow),
        )
        .build();

    // Answered, timed out, and refused (a body with the token but of neither version).
    let event = fixture_json("v1/slack.json");
    assert_eq!(bot.handle_event("/lex", event.clone(), None).await.status(), 200);
    let mut other = event.clone();
    other["currentIntent"]["name"] = "Slow".into();
    assert_eq!(bot.handle_event("/lex", other.clone(), None).await.status(), 200);
    let mut broken = event.clone();
    broken["sessionState"] = serde_json::json!({});
    assert_eq!(bot.handle(post(broken.to_string())).await.status(), 400);
    let mut wrong = event;
    wrong["currentIntent"]["slots"] = "x".into();
    assert_eq!(bot.handle(post(wrong.to_string())).await.status(), 400);
    assert!(bot.drain(Duration::from_secs(2)).await);

    let logs = capture.text().clone();
    assert!(logs.contains("lex event"), "the adapter logged: {logs}");
    assert!(!logs.contains("xoxb-test-not-a-real-token"), "token in the logs: {logs}");
    let errors = errors.lock().unwrap().clone();
    assert!(!errors.contains("xoxb-test-not-a-real-token"), "token in the error hook: {errors}");
}
