//! The store suite against `PostgresStore` on a local PostgreSQL cluster, plus what only a
//! shared database has to show: a winner agreed by two pools (as two processes), migrations
//! applied once by stores starting together, persistence across a reconnect.
//!
//! Start the cluster with `eval "$(scripts/postgres-local.sh start)"`. Each test works in a
//! schema of its own, so that one test's clock never sweeps another's rows.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use chatbridge_core::StoreError;
use chatbridge_core::store::{PostgresStore, Store};
use chatbridge_core::testing::{ManualClock, store_suite};
use tokio::sync::Barrier;

pub(crate) fn url() -> String {
    crate::local::POSTGRES.endpoint()
}

/// A schema name no other test or run uses.
fn schema_name(test: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("cb_{test}_{secs}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

fn clock() -> ManualClock {
    ManualClock::at_unix(1_700_000_000)
}

/// A plain connection of the test's own, to look at what the store wrote.
pub(crate) async fn admin() -> tokio_postgres::Client {
    let (client, connection) =
        tokio_postgres::connect(&url(), tokio_postgres::NoTls).await.expect("admin connection");
    tokio::spawn(connection);
    client
}

async fn store_in(schema: &str, clock: &ManualClock) -> PostgresStore {
    PostgresStore::builder(&url())
        .schema(schema)
        .clock(Arc::new(clock.clone()))
        .connect()
        .await
        .expect("connect")
}

async fn drop_schema(schema: &str) {
    admin()
        .await
        .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .await
        .expect("drop schema");
}

#[ignore = "needs a local PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_passes_the_suite() {
    // The default schema, `public`: the only test that uses it.
    let clock = clock();
    let store = PostgresStore::connect(&url()).await.expect("connect");
    assert_eq!(store.schema(), "public");
    let store = Arc::new(store.with_clock(Arc::new(clock.clone())));
    store_suite(store.clone(), clock.clone()).await;
    store_suite(store, clock).await;
}

#[ignore = "needs a local PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_in_a_schema_of_its_own_passes_the_suite() {
    let schema = schema_name("suite");
    let clock = clock();
    let store = Arc::new(store_in(&schema, &clock).await);
    store_suite(store, clock).await;
    drop_schema(&schema).await;
}

#[ignore = "needs a local PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_pools_agree_on_one_winner() {
    let schema = schema_name("two_pools");
    let clock = clock();
    // Two stores, two pools: as two processes (or machines) would have.
    let stores =
        [Arc::new(store_in(&schema, &clock).await), Arc::new(store_in(&schema, &clock).await)];
    for round in 0..5 {
        let key = format!("dedup/slack/Ev{round}");
        if round == 4 {
            // The last round races over an entry that has just expired.
            stores[0]
                .put(&key, Bytes::from_static(b"stale"), Some(Duration::from_secs(5)))
                .await
                .unwrap();
            clock.advance(Duration::from_secs(6));
        }
        let barrier = Arc::new(Barrier::new(32));
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let (store, barrier, key) =
                    (Arc::clone(&stores[i % 2]), Arc::clone(&barrier), key.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    let won = store
                        .put_if_absent(
                            &key,
                            Bytes::from(i.to_string()),
                            Some(Duration::from_secs(60)),
                        )
                        .await
                        .expect("put_if_absent");
                    (i, won)
                })
            })
            .collect();
        let mut winners = Vec::new();
        for task in tasks {
            let (i, won) = task.await.expect("task");
            if won {
                winners.push(i);
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: exactly one winner across pools: {winners:?}");
        for store in &stores {
            assert_eq!(
                store.get(&key).await.unwrap().as_deref(),
                Some(winners[0].to_string().as_bytes()),
                "round {round}: both pools read the winner's value"
            );
        }
    }
    stores[0].put("shared", Bytes::from_static(b"from 0"), None).await.unwrap();
    assert_eq!(stores[1].get("shared").await.unwrap().as_deref(), Some(&b"from 0"[..]));
    stores[1].delete("shared").await.unwrap();
    assert_eq!(stores[0].get("shared").await.unwrap(), None);
    drop_schema(&schema).await;
}

#[ignore = "needs a local PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_run_once_when_stores_start_together() {
    let schema = schema_name("migrate");
    let clock = clock();
    let barrier = Arc::new(Barrier::new(6));
    let starts: Vec<_> = (0..6)
        .map(|_| {
            let (schema, clock, barrier) = (schema.clone(), clock.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                store_in(&schema, &clock).await
            })
        })
        .collect();
    let mut stores = Vec::new();
    for start in starts {
        stores.push(start.await.expect("a store started"));
    }

    let admin = admin().await;
    let applied = admin
        .query(&format!("SELECT version, name, applied_at::text FROM \"{schema}\".chatbridge_migrations ORDER BY version"), &[])
        .await
        .unwrap();
    let versions: Vec<(i32, String)> = applied.iter().map(|row| (row.get(0), row.get(1))).collect();
    assert_eq!(versions, [(1, "store table".to_owned())], "each migration recorded once");
    let applied_at: String = applied[0].get(2);

    // Every store works on the one table.
    for (i, store) in stores.iter().enumerate() {
        assert!(store.put_if_absent(&format!("k{i}"), Bytes::new(), None).await.unwrap());
    }
    let count: i64 = admin
        .query_one(&format!("SELECT count(*) FROM \"{schema}\".chatbridge_store"), &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 6);

    // A later start finds the work done and changes nothing.
    drop(store_in(&schema, &clock).await);
    let again: String = admin
        .query_one(&format!("SELECT applied_at::text FROM \"{schema}\".chatbridge_migrations"), &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(again, applied_at, "a migrated schema is not migrated again");
    drop_schema(&schema).await;
}

#[ignore = "needs a local PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_survive_a_reconnect_and_still_expire() {
    let schema = schema_name("restart");
    let clock = clock();
    {
        let store = store_in(&schema, &clock).await;
        store
            .put("slack/installation/E1/T1", Bytes::from_static(b"{\"token\":1}"), None)
            .await
            .unwrap();
        store
            .put("oauth/state/s1", Bytes::from_static(b"x"), Some(Duration::from_secs(600)))
            .await
            .unwrap();
        assert!(
            store
                .put_if_absent("dedup/slack/Ev1", Bytes::new(), Some(Duration::from_secs(3600)))
                .await
                .unwrap()
        );
    } // dropped: the "process" exits

    let store = store_in(&schema, &clock).await;
    assert_eq!(
        store.get("slack/installation/E1/T1").await.unwrap().as_deref(),
        Some(&b"{\"token\":1}"[..])
    );
    assert!(
        !store.put_if_absent("dedup/slack/Ev1", Bytes::new(), None).await.unwrap(),
        "a retry after a restart is still a duplicate"
    );
    clock.advance(Duration::from_secs(601));
    assert_eq!(store.get("oauth/state/s1").await.unwrap(), None, "expiry survives the restart");
    assert_eq!(store.scan("oauth/").await.unwrap(), [], "and scans leave the expired entry out");
    drop_schema(&schema).await;
}

#[ignore = "needs a local PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_have_the_documented_layout() {
    let schema = schema_name("layout");
    let clock = clock();
    let store = store_in(&schema, &clock).await;
    store
        .put(
            "slack/installation/E1/T1",
            Bytes::from_static(b"\x00\xffjson"),
            Some(Duration::from_millis(90_500)),
        )
        .await
        .unwrap();
    store.put("dedup/slack/Ev1", Bytes::new(), None).await.unwrap();

    let admin = admin().await;
    let rows = admin
        .query(
            &format!(
                "SELECT key, value, expires_at FROM \"{schema}\".chatbridge_store ORDER BY key"
            ),
            &[],
        )
        .await
        .unwrap();
    let rows: Vec<(String, Vec<u8>, Option<i64>)> =
        rows.iter().map(|row| (row.get(0), row.get(1), row.get(2))).collect();
    assert_eq!(
        rows,
        [
            ("dedup/slack/Ev1".to_owned(), vec![], None),
            (
                "slack/installation/E1/T1".to_owned(),
                b"\x00\xffjson".to_vec(),
                Some(1_700_000_090_500)
            ),
        ]
    );
    let collation: Option<String> = admin
        .query_one(
            "SELECT collation_name::text FROM information_schema.columns
             WHERE table_schema = $1 AND table_name = 'chatbridge_store' AND column_name = 'key'",
            &[&schema],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(collation.as_deref(), Some("C"), "keys compare byte by byte");

    // An expired row is absent until a sweep deletes it; a row without expiry stays.
    store.put("old", Bytes::from_static(b"v"), Some(Duration::from_secs(1))).await.unwrap();
    clock.advance(Duration::from_secs(2));
    assert_eq!(store.get("old").await.unwrap(), None);
    assert_eq!(store.sweep_expired().await.unwrap(), 1, "the 1 s entry");
    clock.advance(Duration::from_secs(88));
    assert!(store.get("slack/installation/E1/T1").await.unwrap().is_some(), "90.5 s not yet up");
    assert_eq!(store.sweep_expired().await.unwrap(), 0);
    clock.advance(Duration::from_secs(1));
    assert_eq!(store.get("slack/installation/E1/T1").await.unwrap(), None);
    assert_eq!(store.sweep_expired().await.unwrap(), 1, "the 90.5 s entry");
    assert!(store.get("dedup/slack/Ev1").await.unwrap().is_some());

    // PostgreSQL text cannot hold NUL: an error, not a panic.
    let error = store.put("a\0b", Bytes::new(), None).await.expect_err("NUL in a key");
    assert!(matches!(error, StoreError::Backend(_)), "{error:?}");
    drop_schema(&schema).await;
}

#[ignore = "needs a local PostgreSQL: eval \"$(scripts/postgres-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_and_errors_never_show_the_password() {
    let url = url();
    let config = tokio_postgres::Config::from_str(&url).expect("the script's URL");
    let password = String::from_utf8(config.get_password().expect("a password").to_vec()).unwrap();
    assert!(password.len() >= 16);

    let builder = PostgresStore::builder(&url);
    let debug = format!("{builder:?}");
    assert!(debug.contains("127.0.0.1") && !debug.contains(&password), "{debug}");
    let store = builder.schema(schema_name("debug")).connect().await.expect("connect");
    let debug = format!("{store:?}");
    assert!(debug.contains("127.0.0.1") && debug.contains("chatbridge"), "{debug}");
    assert!(!debug.contains(&password), "{debug}");
    drop_schema(store.schema()).await;

    let wrong = url.replace(&password, "not-the-password-0123");
    let error = PostgresStore::connect(&wrong).await.expect_err("a wrong password is refused");
    assert!(matches!(error, StoreError::Backend(_)), "{error:?}");
    let mut shown = format!("{error} {error:?}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        shown.push_str(&format!(" / {cause}"));
        source = cause.source();
    }
    assert!(shown.contains("password authentication failed"), "{shown}");
    assert!(!shown.contains("not-the-password-0123") && !shown.contains(&password), "{shown}");
}

#[tokio::test]
async fn an_unreachable_server_is_a_backend_error() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let error =
        PostgresStore::connect("postgres://bot:pw@127.0.0.1:1/chatbridge?connect_timeout=5")
            .await
            .expect_err("nothing listens on port 1");
    assert!(matches!(error, StoreError::Backend(_)), "{error:?}");
    let error = PostgresStore::connect("mysql://bot@127.0.0.1/db").await.expect_err("not postgres");
    assert!(error.to_string().contains("store backend failed"), "{error}");
    let error = PostgresStore::builder("postgres://bot@127.0.0.1:1/db")
        .schema("")
        .connect()
        .await
        .expect_err("an empty schema name");
    assert!(matches!(error, StoreError::Backend(_)), "{error:?}");
}

#[test]
fn stores_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<PostgresStore>();
    assert_send_sync::<chatbridge_core::store::PostgresStoreBuilder>();
}
