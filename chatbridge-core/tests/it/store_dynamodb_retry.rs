//! `DynamoStore::put_if_absent` when the SDK retries a write that had landed: a proxy in front
//! of the local DynamoDB-compatible server forwards the first `PutItem` but answers it with a
//! 500, as if the answer had been lost; the SDK retries, meets its own item, and the call must
//! still report that it won.
//!
//! Needs `CHATBRIDGE_TEST_DYNAMODB_ENDPOINT` (see `tests/store_dynamodb.rs`).

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use axum::body::Body;
use axum::extract::State;
use bytes::Bytes;
use chatbridge_core::store::{DynamoStore, Store};
use http::{Request, Response, StatusCode, header};

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    fail_next_put: AtomicBool,
    puts: AtomicUsize,
}

async fn forward(State(proxy): State<Arc<Proxy>>, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20).await.expect("request body");
    let is_put =
        parts.headers.get("x-amz-target").is_some_and(|t| t == "DynamoDB_20120810.PutItem");
    let mut upstream = proxy.http.post(&proxy.upstream).body(body);
    for (name, value) in &parts.headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            upstream = upstream.header(name, value);
        }
    }
    let answer = upstream.send().await.expect("upstream answers");
    let (status, content_type) =
        (answer.status(), answer.headers().get(header::CONTENT_TYPE).cloned());
    let bytes = answer.bytes().await.expect("upstream body");
    if is_put {
        proxy.puts.fetch_add(1, Ordering::SeqCst);
        if proxy.fail_next_put.swap(false, Ordering::SeqCst) {
            // The write happened upstream; the caller is told it failed, transiently.
            let lost = r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"answer lost"}"#;
            return Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .header(header::CONTENT_TYPE, "application/x-amz-json-1.0")
                .body(Body::from(lost))
                .expect("response");
        }
    }
    let mut response = Response::builder().status(status);
    if let Some(content_type) = content_type {
        response = response.header(header::CONTENT_TYPE, content_type);
    }
    response.body(Body::from(bytes)).expect("response")
}

fn client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        // As `aws_config` sets it up; a bare client config does not retry.
        .retry_config(RetryConfig::standard())
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// Whether the server returns the item found when a condition fails (dynalite does not).
async fn returns_old_item(store: &DynamoStore) -> bool {
    let item = |w: &str| {
        [
            ("pk".to_owned(), AttributeValue::S("probe".into())),
            ("w".to_owned(), AttributeValue::S(w.into())),
        ]
        .into_iter()
        .collect()
    };
    let put = || store.client().put_item().table_name(store.table());
    put().set_item(Some(item("a"))).send().await.expect("probe put");
    let second = put()
        .set_item(Some(item("b")))
        .condition_expression("attribute_not_exists(pk)")
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match second.as_ref().map_err(|e| e.as_service_error()) {
        Err(Some(PutItemError::ConditionalCheckFailedException(e))) => e.item().is_some(),
        other => panic!("the probe's condition should have failed: {other:?}"),
    }
}

#[ignore = "needs a local DynamoDB-compatible server: eval \"$(scripts/dynamodb-local.sh start)\""]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_put_if_absent_that_had_landed_still_wins() {
    let upstream = crate::local::DYNAMODB.endpoint();
    let proxy = Arc::new(Proxy {
        upstream,
        http: reqwest::Client::new(),
        fail_next_put: AtomicBool::new(false),
        puts: AtomicUsize::new(0),
    });
    let app = axum::Router::new().fallback(forward).with_state(Arc::clone(&proxy));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    for via_builder in [false, true] {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let table = format!("chatbridge-retry-{secs}-{}-{via_builder}", std::process::id());
        let store = if via_builder {
            // The builder's client retries as every `aws_config` client does.
            DynamoStore::builder()
                .table(table)
                .endpoint_url(&url)
                .region("us-east-1")
                .static_credentials("test", "test")
                .build()
                .await
                .expect("build")
        } else {
            DynamoStore::from_client(client(&url), table)
        };
        lost_answer(&store, &proxy).await;
    }
}

async fn lost_answer(store: &DynamoStore, proxy: &Proxy) {
    store.create_table().await.expect("create table");
    let server_returns_item = returns_old_item(store).await;

    proxy.puts.store(0, Ordering::SeqCst);
    proxy.fail_next_put.store(true, Ordering::SeqCst);
    let won = store
        .put_if_absent("dedup/slack/Ev1", Bytes::from_static(b"mine"), None)
        .await
        .expect("put_if_absent");
    assert_eq!(
        proxy.puts.load(Ordering::SeqCst),
        2,
        "the SDK retried the PutItem whose answer was lost"
    );
    assert_eq!(store.get("dedup/slack/Ev1").await.unwrap().as_deref(), Some(&b"mine"[..]));
    if server_returns_item {
        assert!(won, "the retry found this call's own write: it won");
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "NOTE: this server returns no item on a failed condition (dynalite): the retry reported {won}; \
             against DynamoDB (or moto) it reports true"
        );
    }
    // A real loser still loses.
    assert!(
        !store.put_if_absent("dedup/slack/Ev1", Bytes::from_static(b"theirs"), None).await.unwrap()
    );
}
