//! The inbox and journal scenarios of `inbox.rs` on DynamoDB: each "process" with a client of
//! its own on one table. Start the server with `eval "$(scripts/dynamodb-local.sh start)"`.

use std::sync::Arc;

use chatbridge_core::store::{DynamoStore, SharedStore};
use chatbridge_core::testing::ManualClock;

use crate::inbox;
use crate::store_dynamodb::{client, clock_now, table_name};

/// A table made for the test, and a way to open it again as another process would.
async fn table(test: &str, clock: &ManualClock) -> impl Fn() -> SharedStore {
    let endpoint = crate::local::DYNAMODB.endpoint();
    let table = table_name(test);
    let first = DynamoStore::from_client(client(&endpoint), table.clone());
    first.create_table().await.expect("create table");
    let clock = clock.clone();
    move || -> SharedStore {
        let store = DynamoStore::from_client(client(&endpoint), table.clone());
        Arc::new(store.with_clock(Arc::new(clock.clone())))
    }
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_a_crashed_handler_is_run_again_and_repeats_nothing_it_delivered() {
    let clock = clock_now();
    let open = table("inbox-crash", &clock).await;
    inbox::crash_then_recover(open, &clock).await;
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_a_no_replay_route_is_not_run_again() {
    let clock = clock_now();
    let open = table("inbox-noreplay", &clock).await;
    inbox::no_replay_route_is_not_recovered(open, &clock).await;
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_a_finished_request_is_removed() {
    let clock = clock_now();
    let open = table("inbox-finished", &clock).await;
    inbox::a_finished_request_leaves_the_inbox(open).await;
}
