//! Duplicates under concurrency: the same signed event delivered many times at once (Slack's
//! retries racing the first delivery) runs its handler once, whatever the store.
//!
//! The check is generic over [`SharedStore`]; each backend gets a one-line test below. The
//! SQLite and DynamoDB backends add theirs when they land (see `docs/security.md`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::common::*;
use async_trait::async_trait;
use chatbridge_core::host::server::Server;
use chatbridge_core::store::{MemoryStore, SharedStore};
use chatbridge_core::{Bot, Context, Handler, HandlerError, Message, Reply};

const COPIES: usize = 20;

/// Counts calls; takes a while, so that the copies overlap the first one's handling.
struct Counting(Arc<AtomicUsize>);

#[async_trait]
impl Handler for Counting {
    async fn call(&self, _cx: Context, _msg: Message) -> Result<Option<Reply>, HandlerError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(None)
    }
}

/// Sends [`COPIES`] copies of one signed event at once to the real server over loopback;
/// every copy gets a 200, all but one say `X-Slack-No-Retry`, and the handler ran once.
async fn concurrent_copies_of_one_event_run_the_handler_once(store: SharedStore) {
    let calls = Arc::new(AtomicUsize::new(0));
    let bot = Bot::builder()
        .mount(PATH, builder().build().unwrap())
        .handler(Counting(Arc::clone(&calls)))
        .store(store)
        .build();
    let server = Server::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{PATH}", server.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    let request = signed(JSON, fixture("message_channel.json"));
    let (parts, body) = request.into_parts();
    let http = reqwest::Client::new();
    let barrier = Arc::new(tokio::sync::Barrier::new(COPIES));
    let sends: Vec<_> = (0..COPIES)
        .map(|i| {
            let (http, url, headers, body) =
                (http.clone(), url.clone(), parts.headers.clone(), body.clone());
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                let mut headers = headers;
                if i > 0 {
                    headers.insert("x-slack-retry-num", "1".parse().unwrap());
                }
                http.post(url).headers(headers).body(body).send().await.unwrap()
            })
        })
        .collect();
    let mut no_retry = 0;
    for send in sends {
        let response = send.await.unwrap();
        assert_eq!(response.status(), 200);
        no_retry += usize::from(response.headers().contains_key("x-slack-no-retry"));
    }
    let _ = stop.send(());
    serving.await.unwrap().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the handler ran once");
    assert_eq!(no_retry, COPIES - 1, "every copy but one was acknowledged as a duplicate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_the_memory_store() {
    concurrent_copies_of_one_event_run_the_handler_once(Arc::new(MemoryStore::new())).await;
}

/// A store that always fails.
struct Broken;

#[async_trait]
impl chatbridge_core::store::Store for Broken {
    async fn get(&self, _: &str) -> Result<Option<bytes::Bytes>, chatbridge_core::StoreError> {
        Err(chatbridge_core::StoreError::Corrupt("down".into()))
    }
    async fn put(
        &self,
        _: &str,
        _: bytes::Bytes,
        _: Option<Duration>,
    ) -> Result<(), chatbridge_core::StoreError> {
        Err(chatbridge_core::StoreError::Corrupt("down".into()))
    }
    async fn put_if_absent(
        &self,
        _: &str,
        _: bytes::Bytes,
        _: Option<Duration>,
    ) -> Result<bool, chatbridge_core::StoreError> {
        Err(chatbridge_core::StoreError::Corrupt("down".into()))
    }
    async fn delete(&self, _: &str) -> Result<(), chatbridge_core::StoreError> {
        Err(chatbridge_core::StoreError::Corrupt("down".into()))
    }
    async fn scan(
        &self,
        _: &str,
    ) -> Result<Vec<(String, bytes::Bytes)>, chatbridge_core::StoreError> {
        Err(chatbridge_core::StoreError::Corrupt("down".into()))
    }
}

#[tokio::test]
async fn a_failing_store_answers_503_and_runs_nothing() {
    let calls = Arc::new(AtomicUsize::new(0));
    let bot = Bot::builder()
        .mount(PATH, builder().build().unwrap())
        .handler(Counting(Arc::clone(&calls)))
        .store(Arc::new(Broken))
        .build();
    let response = bot.handle(signed(JSON, fixture("message_channel.json"))).await;
    // Rather than risk a double answer: Slack retries later.
    assert_eq!(response.status(), 503);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_the_sqlite_store() {
    let dir = std::env::temp_dir().join(format!("chatbridge-dup-{}.db", std::process::id()));
    let store = chatbridge_core::store::SqliteStore::open(&dir).unwrap();
    concurrent_copies_of_one_event_run_the_handler_once(Arc::new(store)).await;
    let _ = std::fs::remove_file(&dir);
}
