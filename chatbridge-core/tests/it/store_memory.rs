//! The store suite against `MemoryStore`.

use std::sync::Arc;

use chatbridge_core::store::MemoryStore;
use chatbridge_core::testing::{ManualClock, store_suite};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_passes_the_suite() {
    let clock = ManualClock::at_unix(1_700_000_000);
    let store = Arc::new(MemoryStore::with_clock(Arc::new(clock.clone())));
    store_suite(store.clone(), clock.clone()).await;
    // A second run on the same store and clock: the suite leaves nothing behind that breaks it.
    store_suite(store, clock).await;
}
