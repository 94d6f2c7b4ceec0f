//! `POST /lex` on the real server, on loopback, with a `Router` handler.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{assert_v1_shape, assert_v2_shape, fixture, fixture_json};
use chatbridge_core::host::server::Server;
use chatbridge_core::{
    Bot, BotError, Context, DeliveryError, HandlerError, Message, Reply, Router,
};
use chatbridge_lex::{LexAdapter, LexMessageExt, LexReplyExt};
use http::HeaderName;
use serde_json::{Value, json};
use tokio::sync::oneshot;

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(bot: Bot) -> Self {
        let server = Server::bind("127.0.0.1:0")
            .await
            .expect("bind loopback")
            .shutdown_timeout(Duration::from_secs(5));
        let addr = server.local_addr().expect("local address");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve_with_shutdown(bot, async {
            let _ = stopped.await;
        }));
        Self { addr, stop: Some(stop), task }
    }

    async fn post(&self, body: Vec<u8>) -> (u16, String) {
        self.post_with(body, None).await
    }

    async fn post_with(&self, body: Vec<u8>, header: Option<(&str, &str)>) -> (u16, String) {
        let mut request =
            reqwest::Client::new().post(format!("http://{}/lex", self.addr)).body(body);
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("request sent");
        (response.status().as_u16(), response.text().await.expect("body read"))
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.expect("server task").expect("server ran");
    }
}

async fn hello(_cx: Context, _msg: Message) -> &'static str {
    "General Kenobi!"
}

async fn order(_cx: Context, msg: Message) -> Result<Reply, HandlerError> {
    let lex = msg.lex().ok_or_else(|| HandlerError::msg("not from Lex"))?;
    let count = lex.slot("Count").unwrap_or("1");
    let flower = lex.slot("FlowerType").unwrap_or("flowers");
    let orders: u32 = lex.session_attribute("orders").unwrap_or("0").parse()?;
    Ok(Reply::text(format!("{count} {flower} ordered."))
        .session_attribute("orders", (orders + 1).to_string()))
}

async fn twice(cx: Context, _msg: Message) -> Result<(), HandlerError> {
    cx.reply("General Kenobi!").await?;
    cx.reply(Reply::text("You are a bold one.")).await?;
    Ok(())
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_a_v1_and_a_v2_event() {
    let bot = Bot::builder()
        .mount("/lex", LexAdapter::new())
        .handler(Router::new().command("HelloThere", hello).command("OrderFlowers", order))
        .build();
    let server = Running::start(bot).await;

    let (status, body) = server.post(fixture("v1/slack.json")).await;
    assert_eq!(status, 200, "{body}");
    let v1 = json_of(&body);
    assert_eq!(v1, fixture_json("responses/v1_close_plain.json"));
    assert_v1_shape(&v1);

    let (status, body) = server.post(fixture("v2/slack.json")).await;
    assert_eq!(status, 200, "{body}");
    let v2 = json_of(&body);
    assert_eq!(v2, fixture_json("responses/v2_close_plain.json"));
    assert_v2_shape(&v2);

    // Slots and session attributes read, a session attribute written (numbers in, strings out).
    let (status, body) = server.post(fixture("v1/fulfillment_numeric.json")).await;
    assert_eq!(status, 200, "{body}");
    let v1 = json_of(&body);
    assert_eq!(v1["dialogAction"]["message"]["content"], "12 tulips ordered.");
    assert_eq!(v1["sessionAttributes"]["orders"], "4");
    let (status, body) = server.post(fixture("v2/fulfillment_numeric.json")).await;
    assert_eq!(status, 200, "{body}");
    let v2 = json_of(&body);
    assert_eq!(v2["messages"][0]["content"], "12 flowers ordered.");
    assert_eq!(v2["sessionState"]["sessionAttributes"]["orders"], "4");
    assert_v2_shape(&v2);

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_get_400_with_the_reason_and_get_is_refused() {
    let bot = Bot::builder()
        .mount("/lex", LexAdapter::new())
        .handler(Router::new().fallback(hello))
        .build();
    let server = Running::start(bot).await;
    for body in [&b"{}"[..], br#"{"hello":"world"}"#] {
        let (status, text) = server.post(body.to_vec()).await;
        assert_eq!(status, 400);
        assert!(text.contains("not a Lex V1 or V2 event"), "{text}");
    }
    let response = reqwest::get(format!("http://{}/lex", server.addr)).await.unwrap();
    assert_eq!(response.status().as_u16(), 405);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_replies_twice_gets_combined_messages() {
    let bot = Bot::builder()
        .mount("/lex", LexAdapter::new())
        .handler(Router::new().command("HelloThere", twice))
        .build();
    let server = Running::start(bot).await;

    let (status, body) = server.post(fixture("v2/slack.json")).await;
    assert_eq!(status, 200, "{body}");
    let v2 = json_of(&body);
    assert_eq!(
        v2["messages"],
        json!([
            {"contentType": "PlainText", "content": "General Kenobi!"},
            {"contentType": "PlainText", "content": "You are a bold one."}
        ])
    );
    assert_eq!(v2["sessionState"]["intent"]["state"], "Fulfilled");
    assert_v2_shape(&v2);

    let (status, body) = server.post(fixture("v1/slack.json")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        json_of(&body)["dialogAction"]["message"]["content"],
        "General Kenobi!\nYou are a bold one."
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_slower_than_the_budget_gets_a_failed_close_and_no_follow_up() {
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let (done_tx, done_rx) = oneshot::channel::<Result<(), DeliveryError>>();
    let done_tx = Arc::new(Mutex::new(Some(done_tx)));
    let slow = move |cx: Context, _msg: Message| {
        let done_tx = Arc::clone(&done_tx);
        async move {
            tokio::time::sleep(Duration::from_millis(600)).await;
            let result = cx.reply("too late").await;
            if let Some(tx) = done_tx.lock().unwrap().take() {
                let _ = tx.send(result);
            }
        }
    };
    let seen = Arc::clone(&errors);
    let bot = Bot::builder()
        .mount("/lex", LexAdapter::new())
        .ack_budget(Duration::from_millis(200))
        .on_error(move |e: &BotError| {
            seen.lock()
                .unwrap()
                .push(format!("{e} / {:?}", std::error::Error::source(e).map(ToString::to_string)))
        })
        .handler(Router::new().command("HelloThere", chatbridge_core::handler_fn(slow)))
        .build();
    let server = Running::start(bot).await;

    let started = std::time::Instant::now();
    let (status, body) = server.post(fixture("v2/slack.json")).await;
    assert!(started.elapsed() < Duration::from_millis(590), "answered before the handler finished");
    assert_eq!(status, 200, "{body}");
    let v2 = json_of(&body);
    assert_eq!(v2, fixture_json("responses/v2_timeout_failed.json"));
    assert_v2_shape(&v2);

    // The late reply has nowhere to go: Lex has no follow-up channel.
    let late = tokio::time::timeout(Duration::from_secs(5), done_rx).await.unwrap().unwrap();
    match late {
        Err(DeliveryError::Unsupported { reason, .. }) => {
            assert_eq!(reason, "Lex has no follow-up channel")
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    let errors = errors.lock().unwrap().clone();
    assert!(errors.iter().any(|e| e.contains("no follow-up channel")), "{errors:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_secret_header_is_checked_when_configured() {
    let adapter =
        LexAdapter::new().require_header(HeaderName::from_static("x-lex-secret"), "s3cr3t");
    let bot = Bot::builder()
        .mount("/lex", adapter)
        .handler(Router::new().command("HelloThere", hello))
        .build();
    let server = Running::start(bot).await;
    let (status, _) = server.post(fixture("v2/slack.json")).await;
    assert_eq!(status, 401);
    let (status, _) =
        server.post_with(fixture("v2/slack.json"), Some(("x-lex-secret", "wrong"))).await;
    assert_eq!(status, 401);
    let (status, body) =
        server.post_with(fixture("v2/slack.json"), Some(("X-Lex-Secret", "s3cr3t"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_of(&body)["messages"][0]["content"], "General Kenobi!");
    server.stop().await;
}

#[tokio::test]
async fn the_raw_json_path_answers_without_http() {
    let bot = Bot::builder()
        .mount("/lex", LexAdapter::new())
        .handler(Router::new().command("HelloThere", hello))
        .build();
    for path in ["v1/slack.json", "v2/slack.json"] {
        let event = fixture_json(path);
        let response = bot.handle_event("/lex", event.clone(), None).await;
        assert_eq!(response.status(), 200);
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        let text = body["dialogAction"]["message"]["content"]
            .as_str()
            .or(body["messages"][0]["content"].as_str());
        assert_eq!(text, Some("General Kenobi!"), "{path}");
    }
}

#[tokio::test]
async fn a_reaction_shows_its_emoji_and_text_wins_over_it() {
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&errors);
    let react = |_cx: Context, msg: Message| async move {
        if msg.text.contains("pizza") {
            Reply::reaction(chatbridge_core::Emoji::new("pizza", "🍕"))
        } else {
            Reply::text("hi").with_reaction("pizza")
        }
    };
    let bot = Bot::builder()
        .mount("/lex", LexAdapter::new())
        .on_error(move |e: &BotError| seen.lock().unwrap().push(e.to_string()))
        .handler(Router::new().fallback(chatbridge_core::handler_fn(react)))
        .build();
    let response = bot.handle_event("/lex", fixture_json("v2/slack.json"), None).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["messages"][0]["content"], "hi");
    assert_eq!(body["messages"].as_array().map(Vec::len), Some(1));
    let mut event = fixture_json("v2/slack.json");
    event["inputTranscript"] = serde_json::json!("I love pizza");
    let response = bot.handle_event("/lex", event.clone(), None).await;
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["messages"][0]["content"], "🍕");
    assert!(errors.lock().unwrap().is_empty(), "{:?}", errors.lock().unwrap());
}
