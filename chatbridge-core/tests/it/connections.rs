//! Long-lived connections beside HTTP: started with the server, reflected in `/healthz`,
//! dispatching through the same bot, stopped first at shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::common::TestAdapter;
use async_trait::async_trait;
use chatbridge_core::adapter::Accepted;
use chatbridge_core::host::connection::{Connection, Readiness};
use chatbridge_core::host::server::Server;
use chatbridge_core::{Bot, BoxError, Context, Message, Reply, Router};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// A socket played by a channel: `{"hello": true}` makes it ready, `{"drop": true}` not ready,
/// anything else is an event for the test adapter.
struct FakeSocket {
    frames: mpsc::Receiver<Value>,
    adapter: Arc<TestAdapter>,
    closed: Arc<AtomicBool>,
}

#[async_trait]
impl Connection for FakeSocket {
    fn name(&self) -> &str {
        "fake-socket"
    }

    async fn run(
        mut self: Box<Self>,
        bot: Bot,
        ready: Readiness,
        shutdown: CancellationToken,
    ) -> Result<(), BoxError> {
        loop {
            let frame = tokio::select! {
                frame = self.frames.recv() => frame,
                () = shutdown.cancelled() => break,
            };
            let Some(frame) = frame else { break };
            if frame["hello"] == true {
                ready.set(true);
            } else if frame["drop"] == true {
                ready.set(false);
            } else if let Accepted::Incoming(incoming) = self.adapter.read(&frame)? {
                bot.dispatch(incoming).await;
            }
        }
        self.closed.store(true, Ordering::SeqCst);
        Ok(())
    }
}

/// A connection whose token the platform refuses.
struct Refused;

#[async_trait]
impl Connection for Refused {
    fn name(&self) -> &str {
        "refused"
    }

    async fn run(
        self: Box<Self>,
        _: Bot,
        _: Readiness,
        _: CancellationToken,
    ) -> Result<(), BoxError> {
        Err("invalid_auth".into())
    }
}

async fn hello(_cx: Context, _msg: Message) -> Reply {
    Reply::text("General Kenobi!")
}

async fn health(client: &reqwest::Client, base: &str) -> (u16, String) {
    let response = client.get(format!("{base}/healthz")).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Polls `/healthz` until it answers `status` (bounded: 200 tries, 10 ms apart).
async fn wait_for_health(client: &reqwest::Client, base: &str, status: u16) -> String {
    for _ in 0..200 {
        let (got, body) = health(client, base).await;
        if got == status {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("/healthz never answered {status}");
}

#[tokio::test]
async fn a_connection_dispatches_through_the_bot_and_healthz_follows_its_readiness() {
    let adapter = Arc::new(TestAdapter::default());
    let (frames, rx) = mpsc::channel(8);
    let closed = Arc::new(AtomicBool::new(false));
    let socket =
        FakeSocket { frames: rx, adapter: Arc::clone(&adapter), closed: Arc::clone(&closed) };
    let bot = Bot::builder().handler(Router::new().fallback(hello)).build();
    let server = Server::bind("127.0.0.1:0").await.unwrap().connection(socket);
    let base = format!("http://{}", server.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();

    let (status, body) = health(&client, &base).await;
    assert_eq!((status, body.as_str()), (503, "not ready: fake-socket"));
    frames.send(json!({"hello": true})).await.unwrap();
    assert_eq!(wait_for_health(&client, &base, 200).await, "ok");

    frames.send(json!({"text": "hi", "mode": "ack", "id": "E1"})).await.unwrap();
    frames.send(json!({"text": "hi", "mode": "ack", "id": "E1"})).await.unwrap(); // a redelivery
    for _ in 0..200 {
        if !adapter.delivered_texts().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    frames.send(json!({"drop": true})).await.unwrap();
    wait_for_health(&client, &base, 503).await;

    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    assert!(closed.load(Ordering::SeqCst), "the connection was told to stop and returned");
    assert_eq!(adapter.delivered_texts(), ["General Kenobi!"], "answered once, redelivery skipped");
}

#[tokio::test]
async fn a_connection_that_fails_for_good_leaves_http_serving_and_is_reported() {
    let bot = Bot::builder()
        .mount("/test", TestAdapter::default())
        .handler(Router::new().fallback(hello))
        .build();
    let server = Server::bind("127.0.0.1:0").await.unwrap().connection(Refused);
    let base = format!("http://{}", server.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();

    assert_eq!(wait_for_health(&client, &base, 503).await, "not ready: refused");
    let response = client
        .post(format!("{base}/test"))
        .header("x-test-signature", "ok")
        .body(r#"{"text":"hi"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}
