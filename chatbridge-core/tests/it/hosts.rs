//! The same `Bot` driven three ways: `Bot::handle`, `tower::ServiceExt::oneshot`, and the real
//! server on a loopback port.

use std::time::Duration;

use crate::common::{TestAdapter, body_json, request};
use bytes::Bytes;
use chatbridge_core::host::server::{Server, router};
use chatbridge_core::{Bot, Context, Message, Reply, Router, handler_fn};
use http::StatusCode;
use http_body_util::{BodyExt, Full};
use tower::ServiceExt;

async fn hello(_cx: Context, _msg: Message) -> Reply {
    Reply::text("General Kenobi!").in_channel()
}

fn bot(adapter: TestAdapter) -> Bot {
    Bot::builder().mount("/test", adapter).handler(Router::new().fallback(hello)).build()
}

struct Running {
    url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(bot: Bot, server: Server) -> Running {
    let url = format!("http://{}", server.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    Running { url, stop, done }
}

#[tokio::test]
async fn bot_handle_directly() {
    let response = bot(TestAdapter::default()).handle(request(r#"{"text":"hi"}"#)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_json(&response)["replies"][0]["text"], "General Kenobi!");
}

#[tokio::test]
async fn tower_oneshot() {
    let request = http::Request::post("/test")
        .header("x-test-signature", "ok")
        .body(Full::new(Bytes::from_static(br#"{"text":"hi"}"#)))
        .unwrap();
    let response = bot(TestAdapter::default()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["replies"][0]["text"], "General Kenobi!");
}

#[tokio::test]
async fn tower_refuses_a_declared_oversized_body_without_reading_it() {
    let bot = Bot::builder().mount("/test", TestAdapter::default()).body_limit(16).build();
    let request = http::Request::post("/test")
        .header("content-length", "1000000")
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap();
    assert_eq!(bot.oneshot(request).await.unwrap().status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn real_server_on_loopback() {
    let server = Server::bind("127.0.0.1:0").await.unwrap();
    let running = start(bot(TestAdapter::default()), server).await;
    let client = reqwest::Client::new();

    let response = client
        .post(format!("{}/test", running.url))
        .header("x-test-signature", "ok")
        .body(r#"{"text":"hi"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let json: serde_json::Value = response.json().await.unwrap();
    assert_eq!(json["replies"][0]["text"], "General Kenobi!");

    let health = client.get(format!("{}/healthz", running.url)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");

    let missing = client.post(format!("{}/nope", running.url)).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    let forged = client.post(format!("{}/test", running.url)).body("{}").send().await.unwrap();
    assert_eq!(forged.status(), 401);

    // A chunked body over the limit (no Content-Length) is cut off at the limit.
    let chunks = futures_chunks(2 * 1024 * 1024);
    let big = client
        .post(format!("{}/test", running.url))
        .header("x-test-signature", "ok")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);

    running.stop.send(()).unwrap();
    running.done.await.unwrap().unwrap();
}

fn futures_chunks(
    total: usize,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let chunk = vec![b'a'; 64 * 1024];
    futures_util::stream::iter((0..total / chunk.len()).map(move |_| Ok(chunk.clone())))
}

#[tokio::test]
async fn mounts_into_an_existing_axum_app() {
    let app = axum::Router::new()
        .route("/", axum::routing::get(|| async { "my app" }))
        .merge(router(bot(TestAdapter::default())));
    let response = app
        .clone()
        .oneshot(http::Request::get("/").body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let request = http::Request::post("/test")
        .header("x-test-signature", "ok")
        .body(axum::body::Body::from(r#"{"text":"hi"}"#))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn graceful_shutdown_delivers_a_pending_follow_up_before_returning() {
    let adapter = TestAdapter { budget: Some(Duration::from_millis(50)), ..Default::default() };
    let slow = handler_fn(|_cx, _msg| async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        "delivered before exit"
    });
    let bot = Bot::builder()
        .mount("/test", adapter.clone())
        .handler(Router::new().fallback(slow))
        .build();
    let server =
        Server::bind("127.0.0.1:0").await.unwrap().shutdown_timeout(Duration::from_secs(5));
    let running = start(bot, server).await;
    let response = reqwest::Client::new()
        .post(format!("{}/test", running.url))
        .header("x-test-signature", "ok")
        .body(r#"{"text":"hi"}"#)
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = response.json().await.unwrap();
    assert_eq!(json["ack"], "deferred:Default");
    assert!(adapter.delivered_texts().is_empty());
    running.stop.send(()).unwrap();
    running.done.await.unwrap().unwrap();
    assert_eq!(adapter.delivered_texts(), ["delivered before exit"]);
}
