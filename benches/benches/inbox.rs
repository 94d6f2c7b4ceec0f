//! What the durable inbox and the reply journal cost: the same signed Slack `/hello` command,
//! answered inline, on three stores in one run:
//!
//! - `memory`: the memory store, so no inbox (the baseline);
//! - `sqlite`: a SQLite file, with the inbox (on by default with a durable store);
//! - `postgres`: PostgreSQL, with the inbox, when `CHATBRIDGE_BENCH_POSTGRES_URL` (or the test
//!   suite's `CHATBRIDGE_TEST_POSTGRES_URL`, which `scripts/postgres-local.sh` exports) names a
//!   database; skipped otherwise.
//!
//! Each request is signed afresh and differs from the others, so de-duplication (on, as a user
//! runs it) lets each through and the inbox records each. With the inbox, a request costs the
//! de-duplication mark, the entry and its lease before the answer, the journal's record of the
//! inline reply, and the entry's removal once the handler is done.
//!
//! Two groups: `inbox_handle` (`Bot::handle` in process: the latency each store adds) and
//! `inbox_http` (the stock server on loopback, 256 requests over 16 connections per iteration:
//! throughput; client and server share the machine, so compare the stores' ratios, not the
//! absolute figures with the peer harness's).
//!
//! ```sh
//! eval "$(scripts/postgres-local.sh start)"
//! cargo bench -p chatbridge-benches --bench inbox
//! ```

#![allow(missing_docs, clippy::print_stderr)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chatbridge_core::host::server::Server;
use chatbridge_core::store::{MemoryStore, PostgresStore, SharedStore, SqliteStore};
use chatbridge_core::{Bot, Context, Message, Reply, Router, Secret};
use chatbridge_slack::SlackAdapter;
use common::{SLACK_COMMAND, SLACK_PATH, SLACK_SECRET, now, runtime};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use http::Request;
use tokio_util::sync::CancellationToken;

/// Requests per iteration of the HTTP group, and how many are in flight at once.
const HTTP_BATCH: usize = 256;
const HTTP_CONNECTIONS: usize = 16;

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// The harness's `/hello` command with a field of its own, signed now: a new delivery.
fn fresh_command() -> Request<Bytes> {
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let mut body = SLACK_COMMAND.to_vec();
    body.extend_from_slice(format!("&bench_sequence={n}").as_bytes());
    let ts = now();
    let signature = chatbridge_slack::verify::sign(&Secret::new(SLACK_SECRET), ts, &body);
    Request::post(SLACK_PATH)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", signature)
        .body(Bytes::from(body))
        .expect("a valid request")
}

async fn hello(_cx: Context, _msg: Message) -> Reply {
    Reply::text("General Kenobi!").in_channel()
}

/// A bot as a user runs it: de-duplication on, the inbox on whenever the store is durable.
fn bot(store: SharedStore) -> Bot {
    let slack = SlackAdapter::builder(Secret::new(SLACK_SECRET)).build().expect("a valid adapter");
    Bot::builder()
        .mount(SLACK_PATH, slack)
        .store(store)
        .handler(Router::new().command("hello", hello))
        .build()
}

/// The stores to compare, by name. The temporary directory holds the SQLite file.
async fn stores(dir: &tempfile::TempDir) -> Vec<(&'static str, SharedStore)> {
    let mut stores: Vec<(&'static str, SharedStore)> = vec![
        ("memory", Arc::new(MemoryStore::new())),
        (
            "sqlite",
            Arc::new(SqliteStore::open(dir.path().join("bench.db")).expect("a SQLite file")),
        ),
    ];
    let url = std::env::var("CHATBRIDGE_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("CHATBRIDGE_TEST_POSTGRES_URL"));
    match url {
        Ok(url) => {
            let schema = format!("bench_inbox_{}", std::process::id());
            let store = PostgresStore::builder(&url)
                .schema(schema)
                .connect()
                .await
                .expect("the benchmark's PostgreSQL database");
            stores.push(("postgres", Arc::new(store)));
        }
        Err(_) => eprintln!("inbox: no CHATBRIDGE_BENCH_POSTGRES_URL; PostgreSQL skipped"),
    }
    stores
}

fn inbox_handle(c: &mut Criterion) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let stores = rt.block_on(stores(&dir));
    let mut g = c.benchmark_group("inbox_handle");
    for (name, store) in stores {
        let bot = bot(store);
        assert_eq!(bot.inbox().is_some(), name != "memory", "{name}: the inbox as by default");
        let response = rt.block_on(bot.handle(fresh_command()));
        assert_eq!(response.status(), 200, "{name}: {response:?}");
        assert!(std::str::from_utf8(response.body()).expect("utf-8").contains("General Kenobi!"));
        g.bench_function(name, |b| {
            b.to_async(&rt).iter_batched(fresh_command, |r| bot.handle(r), BatchSize::SmallInput)
        });
        assert!(rt.block_on(bot.drain(Duration::from_secs(10))), "{name}: work left over");
    }
    g.finish();
}

/// Sends `requests` to the server at `base` over `HTTP_CONNECTIONS` connections at once, and
/// checks every answer.
async fn send_all(client: &reqwest::Client, base: &str, requests: Vec<Request<Bytes>>) {
    let mut lanes: Vec<Vec<Request<Bytes>>> = (0..HTTP_CONNECTIONS).map(|_| Vec::new()).collect();
    for (i, request) in requests.into_iter().enumerate() {
        lanes[i % HTTP_CONNECTIONS].push(request);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for lane in lanes {
        let (client, url) = (client.clone(), format!("{base}{SLACK_PATH}"));
        tasks.spawn(async move {
            for request in lane {
                let (parts, body) = request.into_parts();
                let response = client
                    .post(&url)
                    .headers(parts.headers)
                    .body(body)
                    .send()
                    .await
                    .expect("the server answers");
                assert_eq!(response.status(), 200);
                let text = response.text().await.expect("a body");
                assert!(text.contains("General Kenobi!"), "{text}");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a sending task");
    }
}

fn inbox_http(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime for the server and the client");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let stores = rt.block_on(stores(&dir));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(HTTP_CONNECTIONS)
        .build()
        .expect("an HTTP client");
    let mut g = c.benchmark_group("inbox_http");
    g.throughput(Throughput::Elements(HTTP_BATCH as u64));
    g.sample_size(20);
    for (name, store) in stores {
        let bot = bot(store);
        let stop = CancellationToken::new();
        let (base, server) = rt.block_on(async {
            let server = Server::bind("127.0.0.1:0").await.expect("a loopback port");
            let base = format!("http://{}", server.local_addr().expect("an address"));
            let signal = stop.clone().cancelled_owned();
            (base, tokio::spawn(server.serve_with_shutdown(bot.clone(), signal)))
        });
        g.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    let requests: Vec<_> = (0..HTTP_BATCH).map(|_| fresh_command()).collect();
                    let started = Instant::now();
                    rt.block_on(send_all(&client, &base, requests));
                    spent += started.elapsed();
                }
                spent
            })
        });
        stop.cancel();
        rt.block_on(server).expect("the server task").expect("the server");
    }
    g.finish();
}

criterion_group!(benches, inbox_handle, inbox_http);
criterion_main!(benches);
