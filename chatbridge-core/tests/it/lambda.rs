//! The Lambda host: API Gateway REST, HTTP API / Function URL and raw events through one entry.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chatbridge_core::host::lambda::LambdaHost;
use chatbridge_core::{Bot, Context, Message, Reply, Router, handler_fn};
use serde_json::{Value, json};

use crate::common::TestAdapter;

async fn hello(_cx: Context, _msg: Message) -> Reply {
    Reply::text("General Kenobi!").in_channel()
}

fn host(adapter: TestAdapter) -> LambdaHost {
    let bot = Bot::builder().mount("/test", adapter).handler(Router::new().fallback(hello)).build();
    LambdaHost::new(bot).raw_events_to("/test")
}

fn context(id: &str) -> lambda_runtime::Context {
    let mut context = lambda_runtime::Context::default();
    context.request_id = id.to_owned();
    context
}

fn now_ms() -> u64 {
    u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

fn function_url_event(body: &str, base64: bool) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/test",
        "rawQueryString": "",
        "headers": {"X-Test-Signature": "ok", "content-type": "application/json"},
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abcdefgh",
            "domainName": "abcdefgh.lambda-url.us-east-1.on.aws",
            "domainPrefix": "abcdefgh",
            "http": {"method": "POST", "path": "/test", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "Slackbot 1.0"},
            "requestId": "r1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:12:00:00 +0000",
            "timeEpoch": now_ms()
        },
        "body": if base64 { STANDARD.encode(body) } else { body.to_owned() },
        "isBase64Encoded": base64
    })
}

fn reply_text(response: &Value) -> String {
    let body = response["body"].as_str().unwrap();
    let json: Value = serde_json::from_str(body).unwrap();
    json["replies"][0]["text"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_function_url_event_with_a_base64_body_is_answered() {
    let response = host(TestAdapter::default())
        .invoke(function_url_event(r#"{"text":"hi"}"#, true), context("r1"))
        .await
        .unwrap();
    assert_eq!(response["statusCode"], 200);
    assert_eq!(reply_text(&response), "General Kenobi!");
}

#[tokio::test]
async fn header_case_does_not_matter_and_a_bad_signature_is_401() {
    let mut event = function_url_event(r#"{"text":"hi"}"#, false);
    event["headers"] = json!({"x-test-signature": "forged"});
    let response = host(TestAdapter::default()).invoke(event, context("r2")).await.unwrap();
    assert_eq!(response["statusCode"], 401);
}

#[tokio::test]
async fn an_api_gateway_rest_event_is_answered() {
    let event = json!({
        "resource": "/test",
        "path": "/test",
        "httpMethod": "POST",
        "headers": {"x-test-signature": "ok"},
        "multiValueHeaders": {"x-test-signature": ["ok"]},
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": null,
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "abc",
            "stage": "prod",
            "requestId": "r3",
            "requestTimeEpoch": now_ms(),
            "identity": {"sourceIp": "127.0.0.1"},
            "resourcePath": "/test",
            "httpMethod": "POST",
            "apiId": "1234567890",
            "path": "/prod/test"
        },
        "body": "{\"text\":\"hi\"}",
        "isBase64Encoded": false
    });
    let response = host(TestAdapter::default()).invoke(event, context("r3")).await.unwrap();
    assert_eq!(response["statusCode"], 200);
    assert_eq!(reply_text(&response), "General Kenobi!");
}

#[tokio::test]
async fn a_raw_event_goes_to_the_raw_events_path_and_its_body_is_the_result() {
    let event = json!({"text": "hi", "mode": "collect"});
    let mut raw_host = {
        let bot = Bot::builder()
            .mount("/test", TestAdapter::default())
            .handler(Router::new().fallback(hello))
            .build();
        LambdaHost::new(bot).raw_events_to("/test")
    };
    // The test adapter wants a signature in raw events too: without one it refuses, and the
    // refusal is the invocation's error.
    let refused = raw_host.invoke(event.clone(), context("r4")).await.unwrap_err();
    assert!(refused.to_string().contains("invalid request signature"), "{refused}");
    let signed = json!({"text": "hi", "mode": "collect", "signature": "ok"});
    let answered = raw_host.invoke(signed, context("r6")).await.unwrap();
    assert_eq!(answered["replies"][0]["text"], "General Kenobi!", "{answered}");
    raw_host = LambdaHost::new(Bot::builder().build());
    let unrouted = raw_host.invoke(event, context("r5")).await.unwrap_err();
    assert!(unrouted.to_string().contains("no raw-events path"), "{unrouted}");
}

#[tokio::test]
async fn follow_ups_of_an_invocation_keep_running_after_it_returns() {
    let adapter = TestAdapter { budget: Some(Duration::from_millis(50)), ..Default::default() };
    let slow = handler_fn(|_cx, _msg| async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        "later"
    });
    let bot = Bot::builder()
        .mount("/test", adapter.clone())
        .handler(Router::new().fallback(slow))
        .build();
    let host = LambdaHost::new(bot.clone());
    let response =
        host.invoke(function_url_event(r#"{"text":"hi"}"#, false), context("r6")).await.unwrap();
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["ack"], "deferred:Default");
    assert!(bot.drain(Duration::from_secs(5)).await);
    assert_eq!(adapter.delivered_texts(), ["later"]);
}
