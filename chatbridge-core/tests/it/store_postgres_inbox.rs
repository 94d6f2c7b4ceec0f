//! The inbox and journal scenarios of `inbox.rs` on PostgreSQL: each "process" with a pool of
//! its own on one schema. Start the cluster with `eval "$(scripts/postgres-local.sh start)"`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use chatbridge_core::store::{PostgresStore, SharedStore};
use chatbridge_core::testing::ManualClock;

use crate::inbox;

/// Three pools on a fresh schema (as three processes), handed out in turn.
async fn pools(test: &str, clock: &ManualClock) -> (String, impl Fn() -> SharedStore) {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let schema = format!("cb_inbox_{test}_{secs}_{}", std::process::id());
    let mut stores: Vec<SharedStore> = Vec::new();
    for _ in 0..3 {
        let store = PostgresStore::builder(&crate::local::POSTGRES.endpoint())
            .schema(&schema)
            .clock(Arc::new(clock.clone()))
            .connect()
            .await
            .expect("connect");
        stores.push(Arc::new(store));
    }
    let next = AtomicUsize::new(0);
    (schema, move || Arc::clone(&stores[next.fetch_add(1, Ordering::Relaxed) % 3]))
}

async fn drop_schema(schema: &str) {
    let (client, connection) =
        tokio_postgres::connect(&crate::local::POSTGRES.endpoint(), tokio_postgres::NoTls)
            .await
            .expect("admin connection");
    tokio::spawn(connection);
    client.batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE")).await.expect("drop");
}

#[ignore = "needs PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_crashed_handler_is_run_again_and_repeats_nothing_it_delivered() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let (schema, open) = pools("crash", &clock).await;
    inbox::crash_then_recover(open, &clock).await;
    drop_schema(&schema).await;
}

#[ignore = "needs PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_no_replay_route_is_not_run_again() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let (schema, open) = pools("noreplay", &clock).await;
    inbox::no_replay_route_is_not_recovered(open, &clock).await;
    drop_schema(&schema).await;
}

#[ignore = "needs PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_finished_request_is_removed() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let (schema, open) = pools("finished", &clock).await;
    inbox::a_finished_request_leaves_the_inbox(open).await;
    drop_schema(&schema).await;
}
