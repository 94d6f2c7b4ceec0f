//! `Bot::handle`: routing, errors, limits and bad input.

use std::sync::{Arc, Mutex};

use crate::common::{TestAdapter, body_json, request};
use bytes::Bytes;
use chatbridge_core::{
    Bot, BotError, Context, HandlerError, Message, MessageKind, Reply, Router, Secret, handler_fn,
};
use http::{Request, StatusCode};

async fn hello(_cx: Context, _msg: Message) -> &'static str {
    "General Kenobi!"
}

async fn mention(_cx: Context, _msg: Message) -> String {
    "you rang?".to_owned()
}

async fn pizza(_cx: Context, _msg: Message) -> Reply {
    Reply::text("pizza!").ephemeral()
}

async fn fallback(_cx: Context, msg: Message) -> Option<String> {
    Some(format!("echo: {}", msg.text))
}

fn router() -> Router {
    Router::new()
        .command("/hello-there", hello)
        .on(MessageKind::Mention, mention)
        .text("PIZZA", pizza)
        .fallback(fallback)
}

fn bot(router: Router) -> Bot {
    Bot::builder().mount("/test", TestAdapter::default()).handler(router).build()
}

async fn first_text(bot: &Bot, body: &str) -> String {
    let response = bot.handle(request(body)).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    body_json(&response)["replies"][0]["text"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn routes_by_command_kind_pattern_and_fallback() {
    let bot = bot(router());
    assert_eq!(
        first_text(&bot, r#"{"text":"help","kind":"command","command":"hello-there"}"#).await,
        "General Kenobi!"
    );
    // Command names match case-insensitively, with or without the slash.
    assert_eq!(
        first_text(&bot, r#"{"text":"","kind":"command","command":"/Hello-There"}"#).await,
        "General Kenobi!"
    );
    assert_eq!(first_text(&bot, r#"{"text":"I love pizza","kind":"mention"}"#).await, "you rang?");
    assert_eq!(first_text(&bot, r#"{"text":"I love Pizzas"}"#).await, "pizza!");
    assert_eq!(first_text(&bot, r#"{"text":"anything"}"#).await, "echo: anything");
}

#[tokio::test]
async fn a_message_nobody_wants_is_acknowledged_without_running_anything() {
    let ran = Arc::new(Mutex::new(false));
    let flag = Arc::clone(&ran);
    let router = Router::new().command(
        "only",
        handler_fn(move |_cx, _msg| {
            let flag = Arc::clone(&flag);
            async move {
                *flag.lock().unwrap() = true;
            }
        }),
    );
    let response = bot(router).handle(request(r#"{"text":"hi"}"#)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_json(&response)["ack"], "nothing");
    assert!(!*ran.lock().unwrap());
}

#[tokio::test]
async fn a_failing_handler_gives_500_with_a_generic_body_and_reaches_the_hook() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let hook_seen = Arc::clone(&seen);
    let failing = handler_fn(|_cx, _msg| async {
        Err::<(), _>(HandlerError::msg("database password is hunter2"))
    });
    let bot = Bot::builder()
        .mount("/test", TestAdapter::default())
        .handler(Router::new().fallback(failing))
        .on_error(move |e: &BotError| hook_seen.lock().unwrap().push(e.to_string()))
        .build();
    let response = bot.handle(request(r#"{"text":"x"}"#)).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(&response.body()[..], b"internal error");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert!(seen[0].contains("handler failed"), "{seen:?}");
}

#[tokio::test]
async fn a_panicking_handler_gives_500_and_the_bot_keeps_serving() {
    let panicking = handler_fn(|_cx, msg: Message| async move {
        if msg.text == "boom" {
            panic!("handler bug");
        }
        "fine"
    });
    let bot = bot(Router::new().fallback(panicking));
    let response = bot.handle(request(r#"{"text":"boom"}"#)).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(first_text(&bot, r#"{"text":"ok"}"#).await, "fine");
}

#[tokio::test]
async fn an_oversized_body_gets_413_before_the_adapter_sees_it() {
    let bot = Bot::builder()
        .mount("/test", TestAdapter::default())
        .handler(router())
        .body_limit(64)
        .build();
    let big = format!(r#"{{"text":"{}"}}"#, "a".repeat(100));
    let response = bot.handle(request(&big)).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_default_body_limit_is_one_mebibyte() {
    let bot = bot(router());
    assert_eq!(bot.body_limit(), 1024 * 1024);
    let big = format!(r#"{{"text":"{}"}}"#, "a".repeat(1024 * 1024));
    assert_eq!(bot.handle(request(&big)).await.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn an_unknown_path_is_404() {
    let bot = bot(router());
    let request = Request::post("/elsewhere").body(Bytes::new()).unwrap();
    assert_eq!(bot.handle(request).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn empty_and_garbage_bodies_get_4xx() {
    let bot = bot(router());
    for body in ["", "garbage", "{", "[]", "null", "\u{0}\u{1}", r#"{"text":5}"#] {
        let status = bot.handle(request(body)).await.status();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
    }
    let invalid_utf8 = Request::post("/test")
        .header("x-test-signature", "ok")
        .body(Bytes::from_static(&[0xff, 0xfe]))
        .unwrap();
    assert_eq!(bot.handle(invalid_utf8).await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_bad_signature_is_401_with_no_detail_and_nothing_runs() {
    let ran = Arc::new(Mutex::new(0));
    let count = Arc::clone(&ran);
    let counting = handler_fn(move |_cx, _msg| {
        let count = Arc::clone(&count);
        async move {
            *count.lock().unwrap() += 1;
        }
    });
    let bot = bot(Router::new().fallback(counting));
    let request = Request::post("/test")
        .header("x-test-signature", "forged")
        .body(Bytes::from_static(b"{}"))
        .unwrap();
    let response = bot.handle(request).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(&response.body()[..], b"invalid request signature");
    assert_eq!(*ran.lock().unwrap(), 0);
}

#[tokio::test]
async fn a_400_says_what_was_malformed() {
    let bot = bot(router());
    let response = bot.handle(request("garbage")).await;
    assert_eq!(&response.body()[..], b"malformed request: not JSON");
}

#[tokio::test]
async fn handshakes_are_answered_by_the_adapter() {
    let response = bot(router()).handle(request(r#"{"text":"handshake"}"#)).await;
    assert_eq!(&response.body()[..], b"hello");
}

#[tokio::test]
async fn duplicates_are_acknowledged_and_not_handled_again() {
    let ran = Arc::new(Mutex::new(0));
    let count = Arc::clone(&ran);
    let counting = handler_fn(move |_cx, _msg| {
        let count = Arc::clone(&count);
        async move {
            *count.lock().unwrap() += 1;
            "done"
        }
    });
    let bot = bot(Router::new().fallback(counting));
    let body = r#"{"text":"x","id":"Ev1"}"#;
    let (a, b, c) = tokio::join!(
        bot.handle(request(body)),
        bot.handle(request(body)),
        bot.handle(request(body))
    );
    let acks: Vec<_> = [a, b, c].iter().map(|r| body_json(r)["ack"].clone()).collect();
    assert_eq!(acks.iter().filter(|a| **a == "duplicate").count(), 2, "{acks:?}");
    assert_eq!(*ran.lock().unwrap(), 1);
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Bot>();
    assert_send_sync::<Router>();
    assert_send_sync::<Context>();
    assert_send_sync::<Message>();
    assert_send_sync::<Reply>();
    assert_send_sync::<Secret>();
    assert_send_sync::<BotError>();
    assert_send_sync::<chatbridge_core::AdapterError>();
    assert_send_sync::<chatbridge_core::DeliveryError>();
    assert_send_sync::<chatbridge_core::store::MemoryStore>();
    #[cfg(feature = "server")]
    assert_send_sync::<chatbridge_core::host::server::Server>();
}

#[test]
fn secrets_print_redacted() {
    let secret = Secret::new("8f742231b10e8888abcd99yyyzzz85a5");
    assert_eq!(format!("{secret:?}"), "Secret([REDACTED])");
}
