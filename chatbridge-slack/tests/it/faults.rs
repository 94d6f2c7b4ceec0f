//! Faults at Slack's side, injected by the fake API: 429 with `Retry-After`, 500s, timeouts
//! and connections closed mid-call. Follow-ups are retried within bounds, delivered at most
//! once (the recorded calls are counted), and failures reach the error hook with Slack's
//! reason.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use chatbridge_core::testing::{FakeApi, FakeResponse, Recorded};
use chatbridge_core::{Bot, BotError, Context, DeliveryError, Message, Router, Secret};
use tokio::io::AsyncReadExt;

type Errors = Arc<Mutex<Vec<String>>>;

/// A bot whose `/hello-there` answers inline, then once more through the `response_url`, and
/// whose channel messages get a reaction; errors are collected from the hook.
fn bot(api: &str, timeout: Duration) -> (Bot, Errors) {
    async fn hello(cx: Context, _msg: Message) {
        let _ = cx.reply("inline").await;
        let _ = cx.reply("follow-up").await;
    }
    async fn react(_cx: Context, _msg: Message) -> chatbridge_core::Reply {
        chatbridge_core::Reply::reaction(":pizza:")
    }
    let adapter = builder()
        .bot_token(Secret::new("xoxb-fault-token"))
        .api_url(format!("{api}/api/"))
        .http_timeout(timeout)
        .rate_limit_retries(2, Duration::from_secs(2))
        .build()
        .unwrap();
    let errors: Errors = Arc::default();
    let sink = Arc::clone(&errors);
    let bot = Bot::builder()
        .mount(PATH, adapter)
        .handler(
            Router::new()
                .command("hello-there", hello)
                .on(chatbridge_core::MessageKind::Message, react),
        )
        .on_error(move |error| {
            if let BotError::Delivery { error, .. } = error {
                let timed_out = if timed_out(error) { " (timed out)" } else { "" };
                sink.lock().unwrap().push(format!("{error}{timed_out}"));
            }
        })
        .build();
    (bot, errors)
}

/// Sends the slash command with `response_url` and waits for every delivery to finish.
async fn command(bot: &Bot, response_url: &str) {
    let body = fixture_with_url("slash_command.txt", response_url, true);
    let response = bot.handle(signed(FORM, body)).await;
    assert_eq!(response.status(), 200);
    assert!(String::from_utf8_lossy(response.body()).contains("inline"));
    assert!(bot.drain(Duration::from_secs(10)).await, "deliveries finished");
}

/// Whether a delivery failed because the call timed out.
fn timed_out(error: &DeliveryError) -> bool {
    let DeliveryError::Transport { source, .. } = error else { return false };
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&**source);
    while let Some(inner) = cause {
        if inner.downcast_ref::<reqwest::Error>().is_some_and(reqwest::Error::is_timeout) {
            return true;
        }
        cause = inner.source();
    }
    false
}

fn hook(calls: &[Recorded]) -> usize {
    calls.iter().filter(|c| c.path == "/hook").count()
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_delivered_once() {
    let api = FakeApi::start().await;
    api.respond_once(
        "POST",
        "/hook",
        FakeResponse::json(429, r#"{"ok":false,"error":"ratelimited"}"#).header("retry-after", "1"),
    );
    let (bot, errors) = bot(&api.url(), Duration::from_secs(5));
    let started = std::time::Instant::now();
    command(&bot, &format!("{}/hook", api.url())).await;
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was waited out");
    assert_eq!(hook(&api.requests()), 2, "one refused, one accepted");
    assert!(errors.lock().unwrap().is_empty(), "{errors:?}");
}

#[tokio::test]
async fn a_429_past_the_retry_bound_reaches_the_error_hook() {
    let api = FakeApi::start().await;
    api.respond("POST", "/hook", FakeResponse::status(429).header("retry-after", "0"));
    let (bot, errors) = bot(&api.url(), Duration::from_secs(5));
    command(&bot, &format!("{}/hook", api.url())).await;
    assert_eq!(hook(&api.requests()), 3, "the first try and two retries, no more");
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("rate limited"), "{errors:?}");
}

#[tokio::test]
async fn a_500_is_not_retried_and_reaches_the_hook_with_slacks_reason() {
    let api = FakeApi::start().await;
    api.respond("POST", "/hook", FakeResponse::json(500, r#"{"ok":false,"error":"fatal_error"}"#));
    let (bot, errors) = bot(&api.url(), Duration::from_secs(5));
    command(&bot, &format!("{}/hook", api.url())).await;
    // Slack may have posted before failing: a retry could post twice, so none is made.
    assert_eq!(hook(&api.requests()), 1);
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors, vec!["slack refused the call: fatal_error".to_owned()]);
}

/// The call times out before the slow answer comes: a transport failure, a timeout, reaches
/// the hook, and the call is not repeated (Slack may have acted on it).
#[tokio::test]
async fn a_call_slower_than_the_client_timeout_fails_once_and_is_reported() {
    let api = FakeApi::start().await;
    api.respond("POST", "/hook", FakeResponse::json(200, "ok").delay(Duration::from_secs(3)));
    let (bot, errors) = bot(&api.url(), Duration::from_millis(300));
    command(&bot, &format!("{}/hook", api.url())).await;
    assert_eq!(hook(&api.requests()), 1, "a timed-out call is not repeated");
    let errors = errors.lock().unwrap().clone();
    assert_eq!(errors, vec!["slack API call failed (timed out)".to_owned()]);
}

#[tokio::test]
async fn a_connection_closed_mid_call_is_reported_and_the_bot_keeps_serving() {
    // A "platform" that reads the request and hangs up without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(Mutex::new(0usize));
    let count = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            *count.lock().unwrap() += 1;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf).await;
            drop(stream);
        }
    });
    let api = FakeApi::start().await;
    let (bot, errors) = bot(&api.url(), Duration::from_secs(5));
    command(&bot, &format!("http://{addr}/hook")).await;
    assert_eq!(*accepted.lock().unwrap(), 1);
    assert_eq!(errors.lock().unwrap().clone(), vec!["slack API call failed".to_owned()]);
    // The next request is served and delivered normally.
    command(&bot, &format!("{}/hook", api.url())).await;
    assert_eq!(hook(&api.requests()), 1);
}

#[tokio::test]
async fn a_rate_limited_reaction_is_retried_and_added_once() {
    let api = FakeApi::start().await;
    api.respond_once(
        "POST",
        "/api/reactions.add",
        FakeResponse::json(429, r#"{"ok":false,"error":"ratelimited"}"#).header("retry-after", "0"),
    );
    let (bot, errors) = bot(&api.url(), Duration::from_secs(5));
    let response = bot.handle(signed(JSON, fixture("message_channel.json"))).await;
    assert_eq!(response.status(), 200);
    assert!(bot.drain(Duration::from_secs(5)).await);
    let calls = api.requests();
    assert_eq!(calls.iter().filter(|c| c.path == "/api/reactions.add").count(), 2);
    assert!(errors.lock().unwrap().is_empty());
}
