//! The durable inbox and the reply journal: a bot killed mid-handler (its runtime shut down,
//! as a crash drops every task) and another on the same store that recovers its request once
//! the lease has expired, delivering only what the first had not. On SQLite here; the same
//! scenarios run on PostgreSQL from `store_postgres_inbox.rs`.

use std::sync::Arc;
use std::time::Duration;

use chatbridge_core::inbox::{Inbox, Recovered, no_replay};
use chatbridge_core::store::{SharedStore, Store};
use chatbridge_core::testing::ManualClock;
use chatbridge_core::{Bot, Context, Emoji, HandlerError, Message, Reply, Router, StoreError};
use tokio::sync::Semaphore;

use crate::common::{Initial, TestAdapter, body_json, request};

pub const LEASE: Duration = Duration::from_secs(2);

/// Replies at once, waits for a permit, then replies again with a reaction: the shape of
/// hello_there. A bot whose gate has no permits is stuck between the two.
fn router(gate: Arc<Semaphore>) -> Router {
    let greet = move |cx: Context, _msg: Message| {
        let gate = Arc::clone(&gate);
        async move {
            cx.reply(Reply::text("General Kenobi!")).await?;
            let _permit = gate.acquire().await.map_err(|_| HandlerError::msg("gate closed"))?;
            cx.reply(Reply::text("You _are_ a bold one.").with_reaction(Emoji::from_name("bold")))
                .await?;
            Ok::<_, HandlerError>(())
        }
    };
    let transfer = |cx: Context, _msg: Message| async move {
        cx.reply("sent").await?;
        std::future::pending::<()>().await;
        Ok::<_, HandlerError>(())
    };
    Router::new().command("hello-there", greet).command("transfer", no_replay(transfer))
}

pub fn bot(store: SharedStore, adapter: TestAdapter, gate: Arc<Semaphore>) -> Bot {
    Bot::builder()
        .mount("/test", adapter)
        .handler(router(gate))
        .store(store)
        .inbox(Inbox::new().lease(LEASE))
        .build()
}

pub const HELLO: &str = r#"{"text":"","kind":"command","command":"hello-there","id":"I1"}"#;

/// Handles `body` on a bot of its own runtime, stuck at the gate, then kills that runtime.
/// Returns the inline response's first reply.
pub fn crash_after_first_reply(store: SharedStore, body: &'static str) -> String {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let first = runtime.block_on(async {
            let closed = Arc::new(Semaphore::new(0));
            let doomed = bot(store, TestAdapter::default(), closed);
            let response = doomed.handle(request(body)).await;
            body_json(&response)["replies"][0]["text"].as_str().unwrap_or_default().to_owned()
        });
        runtime.shutdown_background(); // every task gone at once, as in a SIGKILL
        first
    })
    .join()
    .expect("the doomed bot's thread")
}

/// The scenario on any store: `open` gives a handle on the same database each time (as another
/// process would open it), `clock` is its clock.
pub async fn crash_then_recover(open: impl Fn() -> SharedStore, clock: &ManualClock) {
    assert_eq!(crash_after_first_reply(open(), HELLO), "General Kenobi!");
    let (adapter, open_gate) = (TestAdapter::default(), Arc::new(Semaphore::new(100)));
    let survivor = bot(open(), adapter.clone(), open_gate);

    // The lease is still live: the request is someone's, nothing runs.
    let early = survivor.recover().await.unwrap();
    assert_eq!((early.found, early.held, early.replayed), (1, 1, 0), "{early:?}");
    assert!(adapter.delivered.lock().unwrap().is_empty());

    clock.advance(LEASE + Duration::from_millis(1));
    let recovered = survivor.recover().await.unwrap();
    assert_eq!((recovered.found, recovered.replayed), (1, 1), "{recovered:?}");
    // Only what the dead bot had not delivered: the reaction and the second reply, after it.
    let mut texts = adapter.delivered_texts();
    texts.sort();
    assert_eq!(texts, ["You _are_ a bold one.", "bold"]);
    let follow_up = adapter.delivered.lock().unwrap().iter().find(|d| d.2.text.is_some()).cloned();
    assert_eq!(follow_up.map(|d| d.0), Some(Initial::Acknowledged), "a rerun only follows up");

    // Done: gone from the inbox, and nothing left to recover anywhere.
    let store = open();
    assert!(store.scan("inbox/").await.unwrap().is_empty());
    assert!(store.scan("inbox-lease/").await.unwrap().is_empty());
    assert_eq!(survivor.recover().await.unwrap(), Recovered::default());
    clock.advance(LEASE * 2);
    assert_eq!(
        bot(open(), TestAdapter::default(), Arc::new(Semaphore::new(1))).recover().await.unwrap(),
        Recovered::default()
    );
}

/// A route under `no_replay` is never run again, whatever happened to the first run.
pub async fn no_replay_route_is_not_recovered(open: impl Fn() -> SharedStore, clock: &ManualClock) {
    const TRANSFER: &str = r#"{"text":"","kind":"command","command":"transfer","id":"T1"}"#;
    assert_eq!(crash_after_first_reply(open(), TRANSFER), "sent");
    clock.advance(LEASE * 2);
    let adapter = TestAdapter::default();
    let recovered = bot(open(), adapter.clone(), Arc::new(Semaphore::new(1))).recover().await;
    assert_eq!(recovered.unwrap().found, 0);
    assert!(adapter.delivered.lock().unwrap().is_empty());
}

/// A handler that finishes leaves nothing behind, and requests without an inbox write nothing.
pub async fn a_finished_request_leaves_the_inbox(open: impl Fn() -> SharedStore) {
    let adapter = TestAdapter::default();
    let bot = bot(open(), adapter.clone(), Arc::new(Semaphore::new(1)));
    let response = bot.handle(request(HELLO)).await;
    assert_eq!(body_json(&response)["replies"][0]["text"], "General Kenobi!");
    assert!(bot.drain(Duration::from_secs(10)).await);
    assert_eq!(adapter.delivered_texts().len(), 2);
    let store = open();
    assert!(store.scan("inbox/").await.unwrap().is_empty());
    assert!(store.scan("inbox-lease/").await.unwrap().is_empty());
    // The journal stays until it expires: a late sweep could not repeat anything.
    assert_eq!(store.scan("journal/test/I1/").await.unwrap().len(), 3);
}

/// A memory store whose inbox writes fail while `down` is set.
struct FlakyInbox {
    inner: chatbridge_core::store::MemoryStore,
    down: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl Store for FlakyInbox {
    async fn get(&self, key: &str) -> Result<Option<bytes::Bytes>, StoreError> {
        self.inner.get(key).await
    }

    async fn put(
        &self,
        key: &str,
        value: bytes::Bytes,
        ttl: Option<Duration>,
    ) -> Result<(), StoreError> {
        if key.starts_with("inbox/") && self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Backend("the database is down".into()));
        }
        self.inner.put(key, value, ttl).await
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: bytes::Bytes,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        self.inner.put_if_absent(key, value, ttl).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }

    async fn scan(&self, prefix: &str) -> Result<Vec<(String, bytes::Bytes)>, StoreError> {
        self.inner.scan(prefix).await
    }

    fn is_durable(&self) -> bool {
        true
    }
}

/// A request the inbox cannot record is refused with a 503 and its de-duplication mark
/// released, so that the platform's retry is handled rather than taken for a duplicate.
#[tokio::test]
async fn a_request_the_inbox_cannot_record_gets_503_and_its_retry_is_handled() {
    let flaky = Arc::new(FlakyInbox {
        inner: chatbridge_core::store::MemoryStore::new(),
        down: std::sync::atomic::AtomicBool::new(true),
    });
    let adapter = TestAdapter::default();
    let bot = bot(Arc::clone(&flaky) as SharedStore, adapter.clone(), Arc::new(Semaphore::new(1)));
    assert!(bot.inbox().is_some(), "on: the store says it is durable");
    let refused = bot.handle(request(HELLO)).await;
    assert_eq!(refused.status(), http::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(flaky.inner.get("dedup/test/I1").await.unwrap(), None);
    flaky.down.store(false, std::sync::atomic::Ordering::SeqCst);
    let retried = bot.handle(request(HELLO)).await;
    assert_eq!(body_json(&retried)["replies"][0]["text"], "General Kenobi!");
    assert!(bot.drain(Duration::from_secs(5)).await);
    assert_eq!(adapter.delivered_texts().len(), 2);
}

/// What a process that died between a delivery's de-duplication mark and the inbox leaves:
/// the mark, set as the delivery arrived, and nothing else.
async fn mark_left_by_a_dead_process(store: &SharedStore) {
    let hour = Some(Duration::from_secs(3600));
    assert!(store.put_if_absent("dedup/test/I1", bytes::Bytes::new(), hour).await.unwrap());
}

/// The platform's redelivery takes the request over and handles it, once; it is then marked
/// handled, and a further redelivery is a duplicate.
#[tokio::test]
async fn a_redelivery_handles_a_request_whose_process_died_before_recording_it() {
    let store: SharedStore = Arc::new(chatbridge_core::store::MemoryStore::new());
    mark_left_by_a_dead_process(&store).await;
    let adapter = TestAdapter::default();
    let bot = bot(Arc::clone(&store), adapter.clone(), Arc::new(Semaphore::new(1)));
    let response = bot.handle(request(HELLO)).await;
    assert_eq!(body_json(&response)["replies"][0]["text"], "General Kenobi!");
    assert!(bot.drain(Duration::from_secs(5)).await);
    assert_eq!(adapter.delivered_texts().len(), 2);
    assert_eq!(store.get("dedup/test/I1").await.unwrap().as_deref(), Some(&b"handled"[..]));
    assert!(store.scan("inbox").await.unwrap().is_empty());

    let again = bot.handle(request(HELLO)).await;
    assert_eq!(body_json(&again)["ack"], "duplicate");
    assert!(bot.drain(Duration::from_secs(5)).await);
    assert_eq!(adapter.delivered_texts().len(), 2);
}

/// While another delivery holds the request's lease (its process is recording it, or died
/// doing so and the lease has not expired), a redelivery is answered 503, so that the platform
/// tries again; once the lease has expired, the next one handles it.
#[tokio::test]
async fn a_redelivery_while_another_holds_the_lease_gets_503_then_handles_it() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let memory = chatbridge_core::store::MemoryStore::with_clock(Arc::new(clock.clone()));
    let store: SharedStore = Arc::new(memory);
    mark_left_by_a_dead_process(&store).await;
    store.put("inbox-lease/test/I1", "another".into(), Some(LEASE)).await.unwrap();
    let adapter = TestAdapter::default();
    let bot = bot(Arc::clone(&store), adapter.clone(), Arc::new(Semaphore::new(1)));
    let busy = bot.handle(request(HELLO)).await;
    assert_eq!(busy.status(), http::StatusCode::SERVICE_UNAVAILABLE);
    assert!(adapter.delivered_texts().is_empty());

    clock.advance(LEASE + Duration::from_millis(1));
    let handled = bot.handle(request(HELLO)).await;
    assert_eq!(body_json(&handled)["replies"][0]["text"], "General Kenobi!");
    assert!(bot.drain(Duration::from_secs(5)).await);
    assert_eq!(adapter.delivered_texts().len(), 2);
}

#[cfg(feature = "sqlite")]
pub mod sqlite {
    use chatbridge_core::store::SqliteStore;

    use super::*;

    pub fn opener(dir: &tempfile::TempDir, clock: &ManualClock) -> impl Fn() -> SharedStore {
        let (path, clock) = (dir.path().join("bot.db"), clock.clone());
        move || -> SharedStore {
            Arc::new(SqliteStore::open(&path).unwrap().with_clock(Arc::new(clock.clone())))
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_crashed_handler_is_run_again_and_repeats_nothing_it_delivered() {
        let (dir, clock) = (tempfile::tempdir().unwrap(), ManualClock::at_unix(1_700_000_000));
        crash_then_recover(opener(&dir, &clock), &clock).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_no_replay_route_is_not_run_again() {
        let (dir, clock) = (tempfile::tempdir().unwrap(), ManualClock::at_unix(1_700_000_000));
        no_replay_route_is_not_recovered(opener(&dir, &clock), &clock).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_finished_request_is_removed() {
        let (dir, clock) = (tempfile::tempdir().unwrap(), ManualClock::at_unix(1_700_000_000));
        a_finished_request_leaves_the_inbox(opener(&dir, &clock)).await;
    }

    #[tokio::test]
    async fn the_inbox_is_on_with_a_file_and_off_in_memory_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file: SharedStore = Arc::new(SqliteStore::open(dir.path().join("x.db")).unwrap());
        assert!(Bot::builder().store(Arc::clone(&file)).build().inbox().is_some());
        assert!(Bot::builder().store(file).without_inbox().build().inbox().is_none());
        assert!(Bot::builder().build().inbox().is_none());
        let memory: SharedStore = Arc::new(SqliteStore::in_memory().unwrap());
        assert!(Bot::builder().store(memory).build().inbox().is_none());
        assert!(Bot::builder().inbox(Inbox::new()).build().inbox().is_some());
    }

    /// On AWS Lambda, a scheduled invocation naming the sweep job recovers the request.
    #[cfg(feature = "lambda")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lambda_sweep_invocation_runs_an_unfinished_request() {
        use chatbridge_core::host::lambda::LambdaHost;
        use chatbridge_core::inbox::SWEEP_JOB;

        let (dir, clock) = (tempfile::tempdir().unwrap(), ManualClock::at_unix(1_700_000_000));
        let open = opener(&dir, &clock);
        assert_eq!(crash_after_first_reply(open(), HELLO), "General Kenobi!");
        clock.advance(LEASE * 2);
        let adapter = TestAdapter::default();
        let host = LambdaHost::new(bot(open(), adapter.clone(), Arc::new(Semaphore::new(1))));
        let mut context = lambda_runtime::Context::default();
        context.request_id = "sweep-1".to_owned();
        let answer = host.invoke(serde_json::json!({ "chatbridge_job": SWEEP_JOB }), context);
        assert_eq!(answer.await.unwrap()["ok"], true);
        let mut texts = adapter.delivered_texts();
        texts.sort();
        assert_eq!(texts, ["You _are_ a bold one.", "bold"]);
        assert!(open().scan("inbox/").await.unwrap().is_empty());
    }

    /// 20 deliveries of one event spread over three instances on one file at once: one run,
    /// each delivery once; the rest are acknowledged as duplicates.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn twenty_concurrent_retries_over_three_instances_are_handled_once() {
        let (dir, clock) = (tempfile::tempdir().unwrap(), ManualClock::at_unix(1_700_000_000));
        let open = opener(&dir, &clock);
        let adapters: Vec<TestAdapter> = (0..3).map(|_| TestAdapter::default()).collect();
        let bots: Vec<Bot> =
            adapters.iter().map(|a| bot(open(), a.clone(), Arc::new(Semaphore::new(1)))).collect();
        let deliveries = (0..20).map(|n| bots[n % 3].handle(request(HELLO)));
        let responses = futures_util::future::join_all(deliveries).await;
        let bodies: Vec<serde_json::Value> = responses.iter().map(body_json).collect();
        let inline = bodies.iter().filter(|b| b["replies"][0]["text"] == "General Kenobi!");
        assert_eq!(inline.count(), 1, "{bodies:?}");
        assert_eq!(bodies.iter().filter(|b| b["ack"] == "duplicate").count(), 19);
        for bot in &bots {
            assert!(bot.drain(Duration::from_secs(10)).await);
        }
        let mut texts: Vec<String> =
            adapters.iter().flat_map(TestAdapter::delivered_texts).collect();
        texts.sort();
        assert_eq!(texts, ["You _are_ a bold one.", "bold"]);
        assert!(open().scan("inbox/").await.unwrap().is_empty());
    }

    /// A handler that runs longer than its lease keeps renewing it: a sweep meanwhile leaves
    /// its request alone, and once it finishes there is nothing to recover.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_running_handler_renews_its_lease_past_the_first_term() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lease.db");
        let open = || -> SharedStore { Arc::new(SqliteStore::open(&path).unwrap()) };
        let lease = Duration::from_secs(1);
        let gate = Arc::new(Semaphore::new(0));
        let adapter = TestAdapter::default();
        let running = Bot::builder()
            .mount("/test", adapter.clone())
            .handler(router(Arc::clone(&gate)))
            .store(open())
            .inbox(Inbox::new().lease(lease))
            .build();
        let response = running.handle(request(HELLO)).await;
        assert_eq!(body_json(&response)["replies"][0]["text"], "General Kenobi!");
        let other = Bot::builder()
            .mount("/test", TestAdapter::default())
            .handler(router(Arc::new(Semaphore::new(1))))
            .store(open())
            .inbox(Inbox::new().lease(lease))
            .build();
        tokio::time::sleep(lease * 5 / 2).await; // two and a half terms, on the real clock
        let swept = other.recover().await.unwrap();
        assert_eq!((swept.found, swept.held, swept.replayed), (1, 1, 0), "{swept:?}");
        gate.add_permits(1);
        assert!(running.drain(Duration::from_secs(10)).await);
        assert_eq!(adapter.delivered_texts().len(), 2);
        assert_eq!(other.recover().await.unwrap(), Recovered::default());
    }
}
