//! Slack's 3 seconds: a slow handler's command is acknowledged without its reply, which
//! follows through the `response_url`; events are acknowledged before their handler is done.
//! On the real server where a follow-up crosses a socket (handlers held until the test has the
//! response), on tokio's paused clock where nothing does.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chatbridge_core::testing::Simulator;
use chatbridge_core::{Bot, Context, Message, MessageKind, Reply, Router, Secret};
use serde_json::json;
use tokio::sync::Semaphore;

use crate::common::*;

/// Longer than the adapter's budget of 2.5 s.
const SLOW: Duration = Duration::from_millis(3500);

/// A bot whose handlers wait for the test to open `gate` before they reply.
fn gated_bot(api_url: &str, gate: &Arc<Semaphore>) -> Bot {
    let adapter = builder()
        .bot_token(Secret::new("xoxb-timing"))
        .api_url(format!("{api_url}/api/"))
        .build()
        .unwrap();
    let gate = Arc::clone(gate);
    let wait = move |_cx: Context, _msg: Message| {
        let gate = Arc::clone(&gate);
        async move {
            let _pass = gate.acquire().await;
            Reply::text("worth the wait").in_channel()
        }
    };
    Bot::builder()
        .mount(PATH, adapter)
        .handler(Router::new().command("hello-there", wait.clone()).on(MessageKind::Message, wait))
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_command_is_acknowledged_and_answered_later() {
    let gate = Arc::new(Semaphore::new(0));
    let sim = Simulator::start(|api| gated_bot(api, &gate)).await;
    let hook = format!("{}/commands/T0001/slow", sim.api().url());
    // The handler is held past the budget: Slack gets the acknowledgement.
    let exchange = sim.send(signed(FORM, fixture_with_url("slash_command.txt", &hook, true))).await;
    assert_eq!(exchange.status, 200);
    assert!(exchange.body.is_empty(), "an acknowledgement, not the reply: {}", exchange.text());
    assert!(sim.api().requests().is_empty());
    gate.add_permits(1);
    let calls = sim.api_calls(1, Duration::from_secs(10)).await;
    assert_eq!(calls[0].path, "/commands/T0001/slow");
    assert_eq!(calls[0].json(), json!({"response_type": "in_channel", "text": "worth the wait"}));
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_acknowledged_before_their_handler_is_done() {
    let gate = Arc::new(Semaphore::new(0));
    let sim = Simulator::start(|api| gated_bot(api, &gate)).await;
    let exchange = sim.send(signed(JSON, fixture("message_channel.json"))).await;
    assert_eq!(exchange.status, 200);
    assert!(exchange.body.is_empty(), "{}", exchange.text());
    assert!(sim.api().requests().is_empty());
    gate.add_permits(1);
    let calls = sim.api_calls(1, Duration::from_secs(10)).await;
    assert_eq!(calls[0].path, "/api/chat.postMessage");
    sim.stop().await;
}

/// A bot whose `/hello-there` takes `wait` before it replies, and sets `done` then; it has no
/// `response_url` and no token, so nothing leaves the process.
fn bot_taking(wait: Duration, done: &Arc<AtomicBool>) -> (Bot, http::Request<bytes::Bytes>) {
    let done = Arc::clone(done);
    let handler = move |_cx: Context, _msg: Message| {
        let done = Arc::clone(&done);
        async move {
            tokio::time::sleep(wait).await;
            done.store(true, Ordering::SeqCst);
            Reply::text("done").in_channel()
        }
    };
    let bot = Bot::builder()
        .mount(PATH, builder().build().unwrap())
        .handler(Router::new().command("hello-there", handler))
        .build();
    (bot, signed(FORM, fixture_with_url("slash_command.txt", "", true)))
}

/// On the paused clock: past the budget, the acknowledgement goes while the handler runs.
#[tokio::test(start_paused = true)]
async fn a_handler_past_the_budget_is_acknowledged_while_it_runs() {
    let done = Arc::new(AtomicBool::new(false));
    let (bot, command) = bot_taking(SLOW, &done);
    let response = bot.handle(command).await;
    assert_eq!(response.status(), 200);
    assert!(response.body().is_empty(), "acknowledged without the reply");
    assert!(!done.load(Ordering::SeqCst), "while the handler was still running");
}

/// On the paused clock: within the budget, the reply is the response.
#[tokio::test(start_paused = true)]
async fn a_handler_within_the_budget_answers_inline() {
    let done = Arc::new(AtomicBool::new(false));
    let (bot, command) = bot_taking(Duration::from_millis(2400), &done);
    let response = bot.handle(command).await;
    assert_eq!(json_body(&response), json!({"response_type": "in_channel", "text": "done"}));
    assert!(done.load(Ordering::SeqCst));
}
