//! Discord Gateway dispatches through the handler, in dispatches per second: batches of
//! `MESSAGE_CREATE`s sent by the fake Gateway over loopback, read by twilight-gateway, made into
//! messages, de-duplicated in the memory store and handled. The bot runs on a single-threaded
//! runtime (one core); the fake Gateway on a runtime of its own. The handler only counts, so no
//! REST call is measured.
//!
//! `decode_only` is twilight-gateway's own decoding of the same frames (`twilight_gateway::parse`),
//! per batch: the share of `message_create` spent outside it is `1 - decode_only /
//! message_create`.
//!
//! `cargo bench -p chatbridge-benches --bench gateway`

#![allow(missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chatbridge_core::host::connection::{Connection, Readiness};
use chatbridge_core::testing::FakeApi;
use chatbridge_core::{Bot, Context, Message, Router, Secret};
use chatbridge_discord::gateway::{DiscordGateway, NAME};
use chatbridge_discord::testing::gateway::{FakeGateway, events};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use twilight_gateway::EventTypeFlags;

/// Dispatches per measured batch.
const BATCH: u64 = 1_000;

#[derive(Default)]
struct Counter {
    handled: AtomicU64,
    changed: Notify,
}

impl Counter {
    async fn wait_for(&self, target: u64) {
        loop {
            let changed = self.changed.notified();
            if self.handled.load(Ordering::SeqCst) >= target {
                return;
            }
            if tokio::time::timeout(Duration::from_secs(30), changed).await.is_err() {
                panic!("the bot stopped handling dispatches");
            }
        }
    }
}

fn gateway(c: &mut Criterion) {
    let fakes = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime for the fakes");
    let bot_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the bot");
    let (api, gateway) =
        fakes.block_on(async { (FakeApi::start().await, FakeGateway::start().await) });
    gateway.serve_gateway_bot(&api, 1);

    let counter = Arc::new(Counter::default());
    let counting = Arc::clone(&counter);
    let router = Router::new().fallback(move |_cx: Context, _msg: Message| {
        counting.handled.fetch_add(1, Ordering::SeqCst);
        counting.changed.notify_waiters();
        async {}
    });
    let bot = Bot::builder().handler(router).build();
    let connection = DiscordGateway::new(Secret::new("bench-token"), &api.url()).expect("config");
    let ready = Readiness::new(NAME);
    let stop = CancellationToken::new();
    bot_rt.spawn(Box::new(connection).run(bot, ready.clone(), stop.clone()));
    bot_rt.block_on(async {
        while !ready.get() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });

    let mut g = c.benchmark_group("gateway");
    g.throughput(Throughput::Elements(BATCH));
    g.bench_function("message_create", |b| {
        b.to_async(&bot_rt).iter_custom(|iters| {
            let (gateway, counter) = (&gateway, Arc::clone(&counter));
            async move {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let batch: Vec<_> = (0..BATCH).map(|_| events::message("hello")).collect();
                    let target = counter.handled.load(Ordering::SeqCst) + BATCH;
                    let start = Instant::now();
                    for event in batch {
                        gateway.dispatch("MESSAGE_CREATE", event);
                    }
                    counter.wait_for(target).await;
                    spent += start.elapsed();
                }
                spent
            }
        })
    });
    let frames: Vec<String> = (0..BATCH)
        .map(|seq| {
            let data = events::message("hello");
            json!({"op": 0, "t": "MESSAGE_CREATE", "s": seq + 2, "d": data}).to_string()
        })
        .collect();
    g.bench_function("decode_only", |b| {
        b.iter_batched(
            || frames.clone(),
            |frames| {
                for frame in frames {
                    let event = twilight_gateway::parse(frame, EventTypeFlags::MESSAGE_CREATE);
                    assert!(matches!(event, Ok(Some(_))));
                }
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
    stop.cancel();
}

criterion_group!(benches, gateway);
criterion_main!(benches);
