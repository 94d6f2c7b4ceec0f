//! The store suite against `DynamoStore` on a local DynamoDB-compatible server.
//!
//! Start one with `scripts/dynamodb-local.sh start`, which prints the variable to set:
//! `CHATBRIDGE_TEST_DYNAMODB_ENDPOINT=http://127.0.0.1:PORT`. The tests are `#[ignore]`d; run
//! them with `cargo test -p chatbridge-core --all-features --test it -- --ignored`, where a
//! missing endpoint fails them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use bytes::Bytes;
use chatbridge_core::clock::Clock as _;
use chatbridge_core::store::{DynamoStore, Store};
use chatbridge_core::testing::{ManualClock, store_suite};
use chatbridge_core::{Secret, StoreError};

/// A client for the local server with fake credentials, as any test of a real deployment
/// would configure one.
pub(crate) fn client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// A table name no other test or run uses.
pub(crate) fn table_name(test: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("chatbridge-{test}-{secs}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// A manual clock at the real time: the server's own TTL sweep (if it has one) then never
/// deletes an entry the suite expects to be live.
pub(crate) fn clock_now() -> ManualClock {
    ManualClock::at_unix(SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()))
}

async fn store_on(endpoint: &str, test: &str, clock: &ManualClock) -> DynamoStore {
    let store = DynamoStore::from_client(client(endpoint), table_name(test))
        .with_clock(Arc::new(clock.clone()));
    store.create_table().await.expect("create table");
    store
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_passes_the_suite() {
    let endpoint = crate::local::DYNAMODB.endpoint();
    let clock = clock_now();
    let store = store_on(&endpoint, "suite", &clock).await;
    store.create_table().await.expect("creating an existing table changes nothing");
    let store = Arc::new(store);
    store_suite(store.clone(), clock.clone()).await;
    store_suite(store, clock).await;
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dynamodb_builder_passes_the_suite() {
    let endpoint = crate::local::DYNAMODB.endpoint();
    let clock = clock_now();
    let store = DynamoStore::builder()
        .table(table_name("builder"))
        .endpoint_url(endpoint)
        .region("us-east-1")
        .static_credentials("test", "test")
        .clock(Arc::new(clock.clone()))
        .build()
        .await
        .expect("build");
    store.create_table().await.expect("create table");
    store_suite(Arc::new(store), clock).await;
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_have_the_documented_layout() {
    let endpoint = crate::local::DYNAMODB.endpoint();
    let clock = clock_now();
    let store = store_on(&endpoint, "layout", &clock).await;
    let start = clock.unix_seconds();
    store
        .put(
            "slack/installation/E1/T1",
            Bytes::from_static(b"\x00\xffjson"),
            Some(Duration::from_millis(90_500)),
        )
        .await
        .unwrap();
    store.put("dedup/slack/Ev1", Bytes::new(), None).await.unwrap();

    let raw = |key: &str| {
        store
            .client()
            .get_item()
            .table_name(store.table())
            .key("pk", AttributeValue::S(key.into()))
            .consistent_read(true)
            .send()
    };
    let item = raw("slack/installation/E1/T1").await.unwrap().item.expect("item");
    assert_eq!(item.get("pk"), Some(&AttributeValue::S("slack/installation/E1/T1".into())));
    assert_eq!(
        item.get("v").and_then(|v| v.as_b().ok()).map(|b| b.as_ref()),
        Some(&b"\x00\xffjson"[..])
    );
    assert_eq!(
        item.get("expires_at"),
        Some(&AttributeValue::N((start + 91).to_string())),
        "rounded up to whole seconds"
    );
    assert_eq!(item.len(), 3);

    assert!(store.put_if_absent("oauth/state/s1", Bytes::from_static(b"n"), None).await.unwrap());
    let item = raw("oauth/state/s1").await.unwrap().item.expect("item");
    let token = item.get("w").and_then(|w| w.as_s().ok()).expect("a write token");
    assert!(token.len() == 32 && token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");

    let item = raw("dedup/slack/Ev1").await.unwrap().item.expect("item");
    assert_eq!(item.len(), 1, "an empty value and no TTL leave only the key: {item:?}");
    assert_eq!(store.get("dedup/slack/Ev1").await.unwrap().as_deref(), Some(&b""[..]));
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_item_the_server_kept_is_absent() {
    let endpoint = crate::local::DYNAMODB.endpoint();
    let clock = clock_now();
    let store = store_on(&endpoint, "lazy-ttl", &clock).await;
    let past = (clock.unix_seconds() - 10).to_string();
    // As DynamoDB leaves it until its lazy TTL deletion runs, possibly days later.
    for (key, expires_at) in [("k", past.as_str()), ("fraction", "12.5"), ("negative", "-3")] {
        store
            .client()
            .put_item()
            .table_name(store.table())
            .item("pk", AttributeValue::S(key.into()))
            .item("v", AttributeValue::B(b"stale".to_vec().into()))
            .item("expires_at", AttributeValue::N(expires_at.into()))
            .send()
            .await
            .unwrap();
        assert_eq!(store.get(key).await.unwrap(), None, "{key}");
        assert!(
            store.put_if_absent(key, Bytes::from_static(b"fresh"), None).await.unwrap(),
            "{key}"
        );
        assert_eq!(store.get(key).await.unwrap().as_deref(), Some(&b"fresh"[..]), "{key}");
    }

    store
        .client()
        .put_item()
        .table_name(store.table())
        .item("pk", AttributeValue::S("corrupt".into()))
        .item("v", AttributeValue::S("not binary".into()))
        .send()
        .await
        .unwrap();
    assert!(matches!(store.get("corrupt").await, Err(StoreError::Corrupt(_))));
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_clients_agree_on_one_winner() {
    let endpoint = crate::local::DYNAMODB.endpoint();
    let clock = clock_now();
    let first = store_on(&endpoint, "two-clients", &clock).await;
    // A second client and store on the same table, as a second Lambda instance would have.
    let second = DynamoStore::from_client(client(&endpoint), first.table())
        .with_clock(Arc::new(clock.clone()));
    let stores = [Arc::new(first), Arc::new(second)];
    let barrier = Arc::new(tokio::sync::Barrier::new(32));
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let (store, barrier) = (Arc::clone(&stores[i % 2]), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                store
                    .put_if_absent(
                        "dedup/slack/Ev1",
                        Bytes::from(i.to_string()),
                        Some(Duration::from_secs(60)),
                    )
                    .await
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap().unwrap());
    }
    assert_eq!(winners, 1);
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_reads_every_page_of_the_table() {
    let endpoint = crate::local::DYNAMODB.endpoint();
    let clock = clock_now();
    let store = store_on(&endpoint, "scan-pages", &clock).await;
    // 300 KB items: a `Scan` answers at most 1 MB a page, so 8 of them take several pages.
    let big = |i: u8| Bytes::from(vec![i; 300 * 1024]);
    for i in [5u8, 0, 3, 1, 4, 2] {
        store.put(&format!("inbox/{i}"), big(i), None).await.unwrap();
    }
    store.put("inbox/expired", big(9), Some(Duration::from_secs(1))).await.unwrap();
    store.put("other/1", big(7), None).await.unwrap();
    clock.advance(Duration::from_secs(2));

    let first_page = store.client().scan().table_name(store.table()).send().await.unwrap();
    assert!(first_page.last_evaluated_key.is_some(), "the table spans more than one page");

    let found = store.scan("inbox/").await.unwrap();
    let keys: Vec<&str> = found.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys, ["inbox/0", "inbox/1", "inbox/2", "inbox/3", "inbox/4", "inbox/5"]);
    assert!(found.iter().enumerate().all(|(i, (_, value))| *value == big(i as u8)));
    assert_eq!(store.scan("").await.unwrap().len(), 7, "an empty prefix: every live item");
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_table_is_a_backend_error() {
    let endpoint = crate::local::DYNAMODB.endpoint();
    let store = DynamoStore::from_client(client(&endpoint), table_name("never-created"));
    assert!(matches!(store.get("k").await, Err(StoreError::Backend(_))));
    assert!(matches!(
        store.put_if_absent("k", Bytes::new(), None).await,
        Err(StoreError::Backend(_))
    ));
}

#[test]
fn debug_never_shows_the_secret_key() {
    let builder = DynamoStore::builder()
        .table("t")
        .static_credentials("AKIDEXAMPLE", Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    let debug = format!("{builder:?}");
    assert!(debug.contains("AKIDEXAMPLE") && debug.contains("[REDACTED]"), "{debug}");
    assert!(!debug.contains("wJalr"), "{debug}");

    let store = DynamoStore::from_client(client("http://127.0.0.1:9"), "t");
    let debug = format!("{store:?}");
    assert!(debug.contains("\"t\"") && !debug.contains("test"), "{debug}");
}

#[test]
fn stores_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<DynamoStore>();
    assert_send_sync::<chatbridge_core::store::DynamoStoreBuilder>();
}
