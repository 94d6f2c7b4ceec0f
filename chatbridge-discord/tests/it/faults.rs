//! Faults at Discord's side, injected by the fake API: 429 with `retry_after`, 500s, timeouts,
//! connections closed mid-call, and the 404 race after a deferral. Follow-ups are retried
//! within bounds, delivered at most once (the recorded calls are counted), and failures reach
//! the error hook with Discord's reason.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use chatbridge_core::testing::{FakeApi, FakeResponse, Recorded};
use chatbridge_core::{Bot, BotError, Context, DeliveryError, Message, Router, Visibility};
use chatbridge_discord::RetryPolicy;
use tokio::io::AsyncReadExt;

type Errors = Arc<Mutex<Vec<Failure>>>;

/// A delivery error as the hook saw it: its message, and whether it was a client timeout.
#[derive(Debug, Clone, PartialEq)]
struct Failure {
    message: String,
    timed_out: bool,
}

impl PartialEq<&str> for Failure {
    fn eq(&self, other: &&str) -> bool {
        self.message == *other
    }
}

const WEBHOOKS: &str = "/api/v10/webhooks/*";

/// A bot whose handler defers (as the budget running out would), then fills the deferred
/// response (`PATCH @original`) and sends one follow-up (`POST`); errors are collected from the
/// hook.
fn bot(api: &str, timeout: Duration) -> (Bot, Errors) {
    async fn slow(cx: Context, _msg: Message) {
        cx.defer(Visibility::Default);
        let _ = cx.reply("the original").await;
        let _ = cx.reply("a follow-up").await;
    }
    let mut policy = RetryPolicy::default();
    policy.max_rate_limit_retries = 2;
    policy.max_rate_limit_wait = Duration::from_secs(2);
    policy.not_found_retries = 3;
    policy.not_found_delay = Duration::from_millis(20);
    policy.timeout = timeout;
    let adapter = builder().api_url(format!("{api}/api/v10")).retry_policy(policy).build().unwrap();
    let errors: Errors = Arc::default();
    let sink = Arc::clone(&errors);
    let bot = Bot::builder()
        .mount("/discord", adapter)
        .handler(Router::new().fallback(slow))
        .ack_budget(Duration::from_millis(100))
        .on_error(move |error| {
            if let BotError::Delivery { error, .. } = error {
                let timed_out = match error {
                    DeliveryError::Transport { source, .. } => source
                        .downcast_ref::<reqwest::Error>()
                        .is_some_and(reqwest::Error::is_timeout),
                    _ => false,
                };
                sink.lock().unwrap().push(Failure { message: error.to_string(), timed_out });
            }
        })
        .build();
    (bot, errors)
}

/// Sends a command, checks it was deferred, and waits for the deliveries.
async fn interact(bot: &Bot) {
    let response = bot.handle(signed("/discord", fixture("command_options.json"))).await;
    assert_eq!(response.status(), 200);
    assert_eq!(body_json(&response)["type"], 5, "deferred");
    assert!(bot.drain(Duration::from_secs(10)).await, "deliveries finished");
}

fn count(calls: &[Recorded], method: &str) -> usize {
    calls.iter().filter(|c| c.method.as_str() == method).count()
}

#[tokio::test]
async fn the_404_race_after_a_deferral_is_retried_and_the_original_filled_once() {
    let api = FakeApi::start().await;
    let unknown = FakeResponse::json(404, r#"{"message":"Unknown Webhook","code":10015}"#);
    api.respond_once("PATCH", WEBHOOKS, unknown.clone());
    api.respond_once("PATCH", WEBHOOKS, unknown);
    let (bot, errors) = bot(&api.url(), Duration::from_secs(5));
    interact(&bot).await;
    let calls = api.requests();
    assert_eq!(count(&calls, "PATCH"), 3, "two 404s, then filled: {calls:?}");
    assert_eq!(count(&calls, "POST"), 1, "one follow-up");
    assert!(errors.lock().unwrap().is_empty(), "{errors:?}");
}

#[tokio::test]
async fn a_404_that_persists_past_the_bound_reaches_the_hook() {
    let api = FakeApi::start().await;
    let unknown = FakeResponse::json(404, r#"{"message":"Unknown Webhook","code":10015}"#);
    api.respond("PATCH", WEBHOOKS, unknown);
    let (bot, errors) = bot(&api.url(), Duration::from_secs(5));
    interact(&bot).await;
    // The original was never filled, so the second reply tries to fill it too (rather than
    // leave Discord's "thinking…" in place): each reply is one try and three retries.
    let calls = api.requests();
    assert_eq!(count(&calls, "PATCH"), 8, "{calls:?}");
    assert_eq!(count(&calls, "POST"), 0, "{calls:?}");
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().all(|e| e.message.contains("Unknown Webhook")), "{errors:?}");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_delivered_once() {
    let api = FakeApi::start().await;
    api.respond_once(
        "POST",
        WEBHOOKS,
        FakeResponse::json(
            429,
            r#"{"message":"You are being rate limited.","retry_after":0.3,"global":false}"#,
        ),
    );
    let (bot, errors) = bot(&api.url(), Duration::from_secs(5));
    interact(&bot).await;
    let calls = api.requests();
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    // The original filled, the follow-up refused once, then retried and accepted.
    assert_eq!(methods, ["PATCH", "POST", "POST"], "{calls:?}");
    assert_eq!(calls[1].body, calls[2].body, "the same follow-up, once more");
    assert!(errors.lock().unwrap().is_empty(), "{errors:?}");
}

#[tokio::test]
async fn a_429_past_the_bound_reaches_the_hook() {
    let api = FakeApi::start().await;
    api.respond(
        "POST",
        WEBHOOKS,
        FakeResponse::json(429, r#"{"message":"You are being rate limited.","retry_after":0.01}"#),
    );
    let (bot, errors) = bot(&api.url(), Duration::from_secs(5));
    interact(&bot).await;
    assert_eq!(count(&api.requests(), "POST"), 3, "the first try and two retries");
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.contains("rate limited"), "{errors:?}");
}

#[tokio::test]
async fn a_500_is_not_retried_and_reaches_the_hook_with_discords_reason() {
    let api = FakeApi::start().await;
    api.respond(
        "POST",
        WEBHOOKS,
        FakeResponse::json(500, r#"{"message":"Internal Server Error","code":0}"#),
    );
    let (bot, errors) = bot(&api.url(), Duration::from_secs(5));
    interact(&bot).await;
    assert_eq!(count(&api.requests(), "POST"), 1, "a follow-up may have been posted: no retry");
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors, ["discord refused the call: Internal Server Error"]);
}

#[tokio::test]
async fn a_call_slower_than_the_client_timeout_fails_once_and_is_reported() {
    let api = FakeApi::start().await;
    api.respond("PATCH", WEBHOOKS, FakeResponse::json(200, "{}").delay(Duration::from_secs(3)));
    let (bot, errors) = bot(&api.url(), Duration::from_millis(300));
    interact(&bot).await;
    // Neither reply's call is repeated: each of the two (both aimed at the original, which
    // was never confirmed filled) is cut off by the client's timeout once and reported.
    let calls = api.requests();
    assert_eq!(count(&calls, "PATCH"), 2, "{calls:?}");
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors, ["discord API call failed"; 2], "{calls:?}");
    assert!(errors.iter().all(|e| e.timed_out), "{errors:?}");
}

#[tokio::test]
async fn a_connection_closed_mid_call_is_reported() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(Mutex::new(0usize));
    let count_accepted = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            *count_accepted.lock().unwrap() += 1;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            drop(stream);
        }
    });
    let (bot, errors) = bot(&format!("http://{addr}"), Duration::from_secs(5));
    interact(&bot).await;
    let errors = errors.lock().unwrap().clone();
    assert!(
        !errors.is_empty() && errors.iter().all(|e| e.message == "discord API call failed"),
        "{errors:?}"
    );
    // Each reply was tried once: the PATCH, then the follow-up.
    assert_eq!(*accepted.lock().unwrap(), errors.len());
}
