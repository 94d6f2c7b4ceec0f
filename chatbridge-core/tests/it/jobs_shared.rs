//! Scheduled jobs on several instances sharing a store: each slot runs once, on one of them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use chatbridge_core::Bot;
use chatbridge_core::jobs::{Job, JobContext, Schedule, run_schedules};
use chatbridge_core::store::SharedStore;

/// The slots run, by which instance.
type Runs = Arc<Mutex<Vec<(SystemTime, usize)>>>;

const SLOTS: usize = 12;

/// Three bots, each with its own handle on the store, run a fast job until `SLOTS` slots ran.
pub async fn three_instances_run_each_slot_once(open: impl Fn() -> SharedStore) {
    let runs: Runs = Arc::default();
    let mut stops = Vec::new();
    let mut loops = Vec::new();
    for instance in 0..3 {
        let runs = Arc::clone(&runs);
        let job =
            Job::new("tick", Schedule::every(Duration::from_millis(100)), move |cx: JobContext| {
                let runs = Arc::clone(&runs);
                async move {
                    let slot = cx.slot().expect("a scheduled run has a slot");
                    runs.lock().unwrap().push((slot, instance));
                }
            });
        let bot = Bot::builder().store(open()).job(job).build();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        stops.push((stop, bot.clone()));
        loops.push(tokio::spawn(run_schedules(bot, async {
            let _ = stopped.await;
        })));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while runs.lock().unwrap().len() < SLOTS && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for (stop, bot) in stops {
        let _ = stop.send(());
        assert!(bot.drain(Duration::from_secs(5)).await);
    }
    for running in loops {
        running.await.unwrap();
    }
    let mut runs = runs.lock().unwrap().clone();
    assert!(runs.len() >= SLOTS, "{} runs", runs.len());
    runs.sort();
    let mut slots: Vec<SystemTime> = runs.iter().map(|(slot, _)| *slot).collect();
    slots.dedup();
    assert_eq!(slots.len(), runs.len(), "a slot ran twice: {runs:?}");
    // Each run's slot is claimed in the store, by exactly one instance.
    let claims = open().scan("job/tick/").await.unwrap();
    assert_eq!(claims.len(), runs.len());
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_three_instances_run_each_slot_once() {
    use chatbridge_core::store::SqliteStore;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.db");
    three_instances_run_each_slot_once(move || -> SharedStore {
        Arc::new(SqliteStore::open(&path).unwrap())
    })
    .await;
}

#[cfg(feature = "postgres")]
#[ignore = "needs PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_three_instances_run_each_slot_once() {
    use chatbridge_core::store::PostgresStore;
    let schema = format!("cb_jobs_{}_{}", std::process::id(), now_secs());
    let mut stores: Vec<SharedStore> = Vec::new();
    for _ in 0..4 {
        let store = PostgresStore::builder(&crate::local::POSTGRES.endpoint())
            .schema(&schema)
            .connect()
            .await
            .expect("connect");
        stores.push(Arc::new(store));
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    three_instances_run_each_slot_once(move || {
        Arc::clone(&stores[next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 4])
    })
    .await;
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
