//! The store suite against `SqliteStore`, plus what only a file store has to show: persistence
//! across a restart and several connections (as several processes would) sharing one file.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::StoreError;
use chatbridge_core::store::{SqliteStore, Store};
use chatbridge_core::testing::{ManualClock, store_suite};

fn clock() -> ManualClock {
    ManualClock::at_unix(1_700_000_000)
}

fn open(path: &std::path::Path, clock: &ManualClock) -> Arc<SqliteStore> {
    Arc::new(
        SqliteStore::open(path).expect("open sqlite store").with_clock(Arc::new(clock.clone())),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_passes_the_suite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = clock();
    let store = open(&dir.path().join("store.sqlite3"), &clock);
    store_suite(store.clone(), clock.clone()).await;
    store_suite(store, clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_in_memory_passes_the_suite() {
    let clock = clock();
    let store =
        SqliteStore::in_memory().expect("in-memory store").with_clock(Arc::new(clock.clone()));
    assert!(store.path().is_none());
    store_suite(Arc::new(store), clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_survive_a_restart_and_still_expire() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.sqlite3");
    let clock = clock();
    {
        let store = open(&path, &clock);
        store
            .put("slack/installation/E1/T1", Bytes::from_static(b"{\"token\":1}"), None)
            .await
            .unwrap();
        store
            .put("oauth/state/s1", Bytes::from_static(b"x"), Some(Duration::from_secs(600)))
            .await
            .unwrap();
        store
            .put_if_absent("dedup/slack/Ev1", Bytes::new(), Some(Duration::from_secs(3600)))
            .await
            .unwrap();
    } // dropped: the "process" exits

    let store = open(&path, &clock);
    assert_eq!(store.path(), Some(path.as_path()));
    assert_eq!(
        store.get("slack/installation/E1/T1").await.unwrap().as_deref(),
        Some(&b"{\"token\":1}"[..])
    );
    assert_eq!(store.get("oauth/state/s1").await.unwrap().as_deref(), Some(&b"x"[..]));
    assert!(
        !store.put_if_absent("dedup/slack/Ev1", Bytes::new(), None).await.unwrap(),
        "a retry after a restart is still a duplicate"
    );

    clock.advance(Duration::from_secs(601));
    assert_eq!(store.get("oauth/state/s1").await.unwrap(), None, "expiry survives the restart");
    assert!(store.get("slack/installation/E1/T1").await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_sharing_a_file_agree_on_one_winner() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.sqlite3");
    let clock = clock();
    // Four stores, four connections to one file: as four processes would have.
    let stores: Vec<Arc<SqliteStore>> = (0..4).map(|_| open(&path, &clock)).collect();

    for round in 0..5 {
        let key = format!("dedup/slack/Ev{round}");
        let barrier = Arc::new(tokio::sync::Barrier::new(32));
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let store = Arc::clone(&stores[i % stores.len()]);
                let (key, barrier) = (key.clone(), Arc::clone(&barrier));
                tokio::spawn(async move {
                    barrier.wait().await;
                    store
                        .put_if_absent(
                            &key,
                            Bytes::from(format!("{i}")),
                            Some(Duration::from_secs(60)),
                        )
                        .await
                })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            if task.await.expect("task").expect("put_if_absent") {
                winners += 1;
            }
        }
        assert_eq!(winners, 1, "round {round}: exactly one winner across connections");
    }

    stores[0].put("shared", Bytes::from_static(b"from 0"), None).await.unwrap();
    for store in &stores {
        assert_eq!(store.get("shared").await.unwrap().as_deref(), Some(&b"from 0"[..]));
    }
    stores[3].delete("shared").await.unwrap();
    assert_eq!(stores[1].get("shared").await.unwrap(), None);
}

#[tokio::test]
async fn sweep_removes_expired_rows_only() {
    let clock = clock();
    let store = SqliteStore::in_memory().unwrap().with_clock(Arc::new(clock.clone()));
    for i in 0..10 {
        store
            .put(&format!("short/{i}"), Bytes::from_static(b"v"), Some(Duration::from_secs(10)))
            .await
            .unwrap();
    }
    store.put("long", Bytes::from_static(b"v"), Some(Duration::from_secs(1000))).await.unwrap();
    store.put("forever", Bytes::from_static(b"v"), None).await.unwrap();
    assert_eq!(store.sweep_expired().await.unwrap(), 0);
    clock.advance(Duration::from_secs(11));
    assert_eq!(store.sweep_expired().await.unwrap(), 10);
    assert!(store.get("long").await.unwrap().is_some());
    assert!(store.get("forever").await.unwrap().is_some());
}

#[tokio::test]
async fn writes_sweep_expired_rows_now_and_then() {
    let clock = clock();
    let store = SqliteStore::in_memory().unwrap().with_clock(Arc::new(clock.clone()));
    for i in 0..100 {
        store.put(&format!("old/{i}"), Bytes::new(), Some(Duration::from_secs(1))).await.unwrap();
    }
    clock.advance(Duration::from_secs(2));
    for i in 0..300 {
        store.put(&format!("new/{i}"), Bytes::new(), None).await.unwrap();
    }
    assert_eq!(store.sweep_expired().await.unwrap(), 0, "the writes already swept the old rows");
}

#[test]
fn a_file_that_is_not_a_database_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("not-a-db");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let err = SqliteStore::open(&path).expect_err("not a database");
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    let err = SqliteStore::open(dir.path().join("missing-dir/store.sqlite3"))
        .expect_err("no such directory");
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
}

#[test]
fn debug_shows_the_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("store.sqlite3")).unwrap();
    let debug = format!("{store:?}");
    assert!(debug.starts_with("SqliteStore") && debug.contains("store.sqlite3"), "{debug}");
}

#[test]
fn stores_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<SqliteStore>();
}

/// Set in the child processes of `processes_sharing_a_file_agree_on_one_winner`.
const CHILD_DB: &str = "CHATBRIDGE_TEST_SQLITE_CHILD_DB";
/// When the children start racing, in Unix milliseconds, so they overlap.
const CHILD_START: &str = "CHATBRIDGE_TEST_SQLITE_CHILD_START";
const KEYS: usize = 500;

fn unix_millis() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// Four processes (this test binary, re-run) race `put_if_absent` over the same keys of one
/// file: every key must have exactly one winner among them.
#[test]
fn processes_sharing_a_file_agree_on_one_winner() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.sqlite3");
    drop(SqliteStore::open(&path).expect("create the file first"));
    let exe = std::env::current_exe().expect("test binary");
    let start = (unix_millis() + 500).to_string();
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(&exe)
                .args([
                    "--exact",
                    "store_sqlite::sqlite_child_process",
                    "--nocapture",
                    "--test-threads",
                    "1",
                ])
                .env(CHILD_DB, &path)
                .env(CHILD_START, &start)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    let mut wins = vec![0; KEYS];
    let mut per_child = Vec::new();
    for child in children {
        let out = child.wait_with_output().expect("child output");
        assert!(out.status.success(), "a child failed: {out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("CHILD DONE"), "the child ran the race: {stdout}");
        per_child.push(stdout.matches("WON ").count());
        for line in stdout.lines() {
            // The harness's own "test … " may share the first line.
            if let Some((_, i)) = line.split_once("WON ") {
                wins[i.parse::<usize>().expect("index")] += 1;
            }
        }
    }
    assert!(wins.iter().all(|&n| n == 1), "every key has exactly one winner: {wins:?}");
    println!("wins per process: {per_child:?}");
}

/// The child side of `processes_sharing_a_file_agree_on_one_winner`; does nothing on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_child_process() {
    let Ok(path) = std::env::var(CHILD_DB) else { return };
    let store = SqliteStore::open(path).expect("open in child");
    let start: u128 = std::env::var(CHILD_START).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    let wait = start.saturating_sub(unix_millis());
    tokio::time::sleep(Duration::from_millis(u64::try_from(wait).unwrap_or(0))).await;
    for i in 0..KEYS {
        let key = format!("dedup/slack/Ev{i}");
        if store.put_if_absent(&key, Bytes::from_static(b"x"), None).await.expect("put_if_absent") {
            println!("WON {i}");
        }
    }
    println!("CHILD DONE");
}
