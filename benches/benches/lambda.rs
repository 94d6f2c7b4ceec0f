//! The Lambda entry point's warm per-invocation cost for an API Gateway HTTP API (payload 2.0,
//! the Function URL shape) event carrying the signed Slack `/hello` command, beside:
//!
//! - `bare_hmac`: the HMAC check alone;
//! - `bare_lambda_floor`: the harness's Rust floor for a Lambda handler (`serde_json` event,
//!   HMAC check, a form check, a response JSON), re-implemented here;
//! - `handle`: `Bot::handle` on the same request, no Lambda envelope.
//!
//! `invoke` is what the runtime does per event once it has the bytes: parse them into a
//! `serde_json::Value`, `LambdaHost::invoke`, serialise the response.
//!
//! `cargo bench -p chatbridge-benches --features lambda --bench lambda`

#![allow(missing_docs)]

mod common;

use std::hint::black_box;

use chatbridge_core::host::lambda::LambdaHost;
use common::*;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// A Function URL / HTTP API payload 2.0 event for a signed request.
fn event(request: &http::Request<bytes::Bytes>) -> Vec<u8> {
    let headers: serde_json::Map<String, Value> = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), json!(v.to_str().expect("ASCII headers"))))
        .collect();
    let now_ms = now() * 1000;
    let event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": SLACK_PATH,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abcdefgh",
            "domainName": "abcdefgh.lambda-url.us-east-1.on.aws",
            "domainPrefix": "abcdefgh",
            "http": {"method": "POST", "path": SLACK_PATH, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "Slackbot 1.0 (+https://api.slack.com/robots)"},
            "requestId": "r1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:12:00:00 +0000",
            "timeEpoch": now_ms
        },
        "body": std::str::from_utf8(request.body()).expect("a form is ASCII"),
        "isBase64Encoded": false
    });
    serde_json::to_vec(&event).expect("a JSON value serialises")
}

fn context() -> chatbridge_core::host::lambda::lambda_runtime::Context {
    let mut context = chatbridge_core::host::lambda::lambda_runtime::Context::default();
    context.request_id = "bench-request".to_owned();
    context
}

/// The harness's `floor_micro` Lambda handler for Slack, same steps.
fn lambda_floor(secret: &[u8], event: &[u8]) -> bool {
    let ev: Value = serde_json::from_slice(event).expect("JSON");
    let h = &ev["headers"];
    let ts = h["x-slack-request-timestamp"].as_str().unwrap_or("");
    let sig = h["x-slack-signature"].as_str().unwrap_or("");
    let body = ev["body"].as_str().unwrap_or("");
    let now = i64::try_from(now()).expect("a sane clock");
    if (now - ts.parse::<i64>().unwrap_or(0)).abs() > 300 {
        return false;
    }
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    m.update(b"v0:");
    m.update(ts.as_bytes());
    m.update(b":");
    m.update(body.as_bytes());
    let ours = hex::encode(m.finalize().into_bytes());
    let ok: bool = ours.as_bytes().ct_eq(sig.as_bytes().get(3..).unwrap_or(b"")).into();
    if !ok || !body.contains("command=%2Fhello") {
        return false;
    }
    let resp = json!({"statusCode": 200, "headers": {"Content-Type": "application/json"},
        "body": json!({"response_type": "in_channel", "text": "General Kenobi!"}).to_string()});
    !resp.to_string().is_empty()
}

fn slack_command(c: &mut Criterion) {
    let rt = runtime();
    let bot = bot();
    let host = LambdaHost::new(bot.clone());
    let request = slack_command_request();
    let event = event(&request);
    assert!(lambda_floor(SLACK_SECRET.as_bytes(), &event));
    let invoke = |event: Vec<u8>| {
        let host = &host;
        async move {
            let value: Value = serde_json::from_slice(&event).expect("JSON");
            let response = host.invoke(value, context()).await.expect("an answer");
            serde_json::to_vec(&response).expect("serialisable")
        }
    };
    let answer: Value =
        serde_json::from_slice(&rt.block_on(invoke(event.clone()))).expect("a JSON response");
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert!(answer["body"].as_str().unwrap_or("").contains("General Kenobi!"), "{answer}");

    let mut g = c.benchmark_group("lambda_slack_command");
    g.bench_function("bare_hmac", |b| {
        b.iter(|| raw_slack_hmac(black_box(SLACK_SECRET.as_bytes()), black_box(&request)))
    });
    g.bench_function("bare_lambda_floor", |b| {
        b.iter(|| lambda_floor(SLACK_SECRET.as_bytes(), black_box(&event)))
    });
    g.bench_function("handle", |b| {
        b.to_async(&rt).iter_batched(|| copy(&request), |r| bot.handle(r), BatchSize::SmallInput)
    });
    g.bench_function("invoke", |b| {
        b.to_async(&rt).iter_batched(|| event.clone(), invoke, BatchSize::SmallInput)
    });
    g.finish();
}

criterion_group!(benches, slack_command);
criterion_main!(benches);
