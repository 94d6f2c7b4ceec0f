//! The counters, as an exporter reads them: a recorder installed for this test's thread sees
//! each request received, deduplicated, deferred, replayed and each failed or skipped delivery.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chatbridge_core::counters::names;
use chatbridge_core::jobs::{Job, Schedule};
use chatbridge_core::testing::ManualClock;
use chatbridge_core::{Bot, Context, Message, Router, Visibility};
use metrics::{Counter, CounterFn, Gauge, Histogram, Key, KeyName, Metadata, Recorder};
use metrics::{SharedString, Unit};
use tokio::sync::Semaphore;

use crate::common::{TestAdapter, request};
use crate::inbox::{self, HELLO, LEASE};

type Totals = Arc<Mutex<BTreeMap<String, u64>>>;

/// Counts by `name{label=value,…}`.
#[derive(Default)]
struct Totaller(Totals);

struct One(String, Totals);

impl CounterFn for One {
    fn increment(&self, value: u64) {
        *self.1.lock().unwrap().entry(self.0.clone()).or_default() += value;
    }

    fn absolute(&self, value: u64) {
        self.1.lock().unwrap().insert(self.0.clone(), value);
    }
}

impl Recorder for Totaller {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let labels: Vec<String> =
            key.labels().map(|l| format!("{}={}", l.key(), l.value())).collect();
        let name = format!("{}{{{}}}", key.name(), labels.join(","));
        Counter::from_arc(Arc::new(One(name, Arc::clone(&self.0))))
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

#[cfg(feature = "sqlite")]
#[test]
fn an_exporter_reads_every_counter() {
    let recorder = Totaller::default();
    let totals = Arc::clone(&recorder.0);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    metrics::with_local_recorder(&recorder, || runtime.block_on(scenario()));
    let totals = totals.lock().unwrap().clone();
    let get = |key: &str| totals.get(key).copied().unwrap_or(0);
    let received = get(&format!("{}{{platform=test}}", names::RECEIVED));
    // The first delivery only: the crashed bot counts on its own thread, a rerun as replayed.
    assert_eq!(received, 1, "{totals:?}");
    assert_eq!(get(&format!("{}{{platform=test}}", names::DEDUPLICATED)), 1, "{totals:?}");
    assert_eq!(get(&format!("{}{{platform=test}}", names::DEFERRED)), 1, "{totals:?}");
    assert_eq!(get(&format!("{}{{platform=test}}", names::FAILED_DELIVERIES)), 1, "{totals:?}");
    assert_eq!(get(&format!("{}{{}}", names::REPLAYED)), 1, "{totals:?}");
    assert_eq!(get(&format!("{}{{}}", names::SKIPPED)), 1, "{totals:?}"); // "General Kenobi!"
    assert_eq!(get(&format!("{}{{job=tick,outcome=ok}}", names::JOB_RUNS)), 1, "{totals:?}");
}

#[cfg(feature = "sqlite")]
async fn scenario() {
    let slow = |cx: Context, _msg: Message| async move {
        cx.defer(Visibility::Default);
        cx.reply("later").await?;
        cx.reply("refuse me").await
    };
    let bot = Bot::builder()
        .mount("/test", TestAdapter::default())
        .handler(Router::new().fallback(slow))
        .job(Job::new("tick", Schedule::every(Duration::from_secs(3600)), |_cx| async {}))
        .build();
    let body = r#"{"text":"x","id":"C1"}"#;
    bot.handle(request(body)).await;
    bot.handle(request(body)).await; // a duplicate
    assert!(bot.drain(Duration::from_secs(5)).await);
    bot.run_job("tick").await.unwrap();

    // A crash and its recovery: the rerun skips the inline reply the journal has.
    let (dir, clock) = (tempfile::tempdir().unwrap(), ManualClock::at_unix(1_700_000_000));
    let open = inbox::sqlite::opener(&dir, &clock);
    inbox::crash_after_first_reply(open(), HELLO);
    clock.advance(LEASE * 2);
    let survivor = inbox::bot(open(), TestAdapter::default(), Arc::new(Semaphore::new(1)));
    assert_eq!(survivor.recover().await.unwrap().replayed, 1);
}
