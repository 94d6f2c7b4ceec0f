//! Slack's 3 seconds, timed on a real server: a slow handler's command is acknowledged in time
//! and its reply follows through the `response_url`; events are acknowledged at once.

#![cfg(feature = "client")]
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::time::Duration;

use chatbridge_core::testing::Simulator;
use chatbridge_core::{Bot, Context, Message, MessageKind, Reply, Router, Secret};
use common::*;
use serde_json::json;

async fn slow(_cx: Context, _msg: Message) -> Reply {
    tokio::time::sleep(Duration::from_millis(3500)).await;
    Reply::text("worth the wait").in_channel()
}

fn simulator_bot(api_url: &str) -> Bot {
    let adapter = builder()
        .bot_token(Secret::new("xoxb-timing"))
        .api_url(format!("{api_url}/api/"))
        .build()
        .unwrap();
    Bot::builder()
        .mount(PATH, adapter)
        .handler(Router::new().command("hello-there", slow).on(MessageKind::Message, slow))
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_command_is_acknowledged_in_time_and_answered_later() {
    let sim = Simulator::start(simulator_bot).await;
    let hook = format!("{}/commands/T0001/slow", sim.api().url());
    let exchange = sim.send(signed(FORM, fixture_with_url("slash_command.txt", &hook, true))).await;
    assert_eq!(exchange.status, 200);
    assert!(exchange.elapsed < Duration::from_millis(2900), "{:?}", exchange.elapsed);
    assert!(exchange.body.is_empty(), "{}", exchange.text());
    let calls = sim.api_calls(1, Duration::from_secs(5)).await;
    assert_eq!(calls[0].path, "/commands/T0001/slow");
    assert_eq!(calls[0].json(), json!({"response_type": "in_channel", "text": "worth the wait"}));
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_acknowledged_at_once() {
    let sim = Simulator::start(simulator_bot).await;
    let exchange = sim.send(signed(JSON, fixture("message_channel.json"))).await;
    assert_eq!(exchange.status, 200);
    assert!(exchange.elapsed < Duration::from_millis(500), "{:?}", exchange.elapsed);
    let calls = sim.api_calls(1, Duration::from_secs(5)).await;
    assert_eq!(calls[0].path, "/api/chat.postMessage");
    sim.stop().await;
}
