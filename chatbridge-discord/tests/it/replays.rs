//! A replayed interaction (the same signed body again) is answered without running the handler
//! a second time: the interaction id is its de-duplication key.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::*;
use chatbridge_core::{Bot, Context, Message, Reply, Router};
use serde_json::json;

/// A bot whose every handler counts its runs and answers.
fn bot(runs: &Arc<AtomicUsize>) -> Bot {
    bot_with(runs, adapter())
}

fn bot_with(runs: &Arc<AtomicUsize>, adapter: chatbridge_discord::DiscordAdapter) -> Bot {
    let runs = Arc::clone(runs);
    let router = Router::new().fallback(move |_cx: Context, msg: Message| {
        let runs = Arc::clone(&runs);
        async move {
            runs.fetch_add(1, Ordering::SeqCst);
            Reply::text(format!("ran for {}", msg.kind.name())).replace_original()
        }
    });
    Bot::builder().mount("/discord", adapter).handler(router).build()
}

async fn answer(bot: &Bot, body: &[u8]) -> serde_json::Value {
    let response = bot.handle(signed("/discord", body.to_vec())).await;
    assert_eq!(response.status(), 200);
    body_json(&response)
}

#[tokio::test]
async fn a_replayed_command_runs_its_handler_once() {
    let runs = Arc::new(AtomicUsize::new(0));
    let bot = bot(&runs);
    let body = fixture("command_options.json");
    assert_eq!(
        answer(&bot, &body).await,
        json!({"type": 4, "data": {"content": "ran for command"}})
    );
    // The replay gets an ephemeral acknowledgement only its sender sees, and nothing runs.
    for _ in 0..3 {
        let replayed = answer(&bot, &body).await;
        assert_eq!(replayed, json!({"type": 4, "data": {"content": "Done.", "flags": 64}}));
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // Another interaction (another id) still runs.
    let other = String::from_utf8(body)
        .unwrap()
        .replace("\"1190000000000000002\"", "\"1190000000000000099\"");
    assert_eq!(answer(&bot, other.as_bytes()).await["data"]["content"], "ran for command");
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_replayed_component_press_changes_nothing() {
    let runs = Arc::new(AtomicUsize::new(0));
    let bot = bot(&runs);
    let body = fixture("component_button.json");
    assert_eq!(
        answer(&bot, &body).await,
        json!({"type": 7, "data": {"content": "ran for action"}})
    );
    assert_eq!(answer(&bot, &body).await, json!({"type": 6}));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn with_deduplication_off_every_copy_runs() {
    let runs = Arc::new(AtomicUsize::new(0));
    let bot = bot_with(&runs, builder().deduplicate(false).build().unwrap());
    let body = fixture("command_options.json");
    for _ in 0..2 {
        assert_eq!(answer(&bot, &body).await["data"]["content"], "ran for command");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}
