//! The Lambda host's HTTP events: mounts are stage-free on every API Gateway flavour, a body
//! that is not the base64 it claims to be is a 400, and ALB events are answered in ALB's shape.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::TestAdapter;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chatbridge_core::host::lambda::LambdaHost;
use chatbridge_core::{Bot, Context, Message, Reply, Router, handler_fn};
use serde_json::{Value, json};

const BODY: &str = r#"{"text":"hi"}"#;

async fn hello(_cx: Context, _msg: Message) -> Reply {
    Reply::text("General Kenobi!").in_channel()
}

/// A host with the test adapter mounted at each of `paths`.
fn host(paths: &[&str]) -> LambdaHost {
    let mut bot = Bot::builder();
    for path in paths {
        bot = bot.mount(*path, TestAdapter::default());
    }
    LambdaHost::new(bot.handler(Router::new().fallback(hello)).build())
}

async fn invoke(host: &LambdaHost, event: Value) -> Value {
    let mut context = lambda_runtime::Context::default();
    context.request_id = "r1".to_owned();
    host.invoke(event, context).await.expect("an HTTP event is answered")
}

fn now_ms() -> u64 {
    u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

fn reply_text(response: &Value) -> String {
    let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
    body["replies"][0]["text"].as_str().unwrap().to_owned()
}

/// An HTTP API (payload 2.0) event for `raw_path` on `stage`, through `domain`, matched by
/// `route` (`$default`, or a template such as `ANY /{proxy+}` filled by `parameters`).
fn http_api(raw_path: &str, stage: &str, domain: &str, route: &str, parameters: Value) -> Value {
    json!({
        "version": "2.0",
        "routeKey": route,
        "rawPath": raw_path,
        "rawQueryString": "a=1",
        "headers": {"x-test-signature": "ok", "content-type": "application/json", "host": domain},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdefghij",
            "domainName": domain,
            "domainPrefix": domain.split('.').next().unwrap(),
            "http": {"method": "POST", "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "Slackbot 1.0"},
            "requestId": "r1",
            "routeKey": route,
            "stage": stage,
            "time": "22/Nov/2026:12:00:00 +0000",
            "timeEpoch": now_ms()
        },
        "pathParameters": parameters,
        "body": BODY,
        "isBase64Encoded": false
    })
}

/// A REST API (payload 1.0) event: `path` as API Gateway sends it, the resource template and
/// its parameters, the stage, and the full path the client asked for.
fn rest_api(path: &str, resource: &str, parameters: Value, stage: &str, domain: &str) -> Value {
    let client_path =
        if domain.contains(".execute-api.") { format!("/{stage}{path}") } else { path.to_owned() };
    json!({
        "resource": resource,
        "path": path,
        "httpMethod": "POST",
        "headers": {"x-test-signature": "ok", "Host": domain},
        "multiValueHeaders": {"x-test-signature": ["ok"], "Host": [domain]},
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": parameters,
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "abc123",
            "stage": stage,
            "requestId": "r1",
            "requestTimeEpoch": now_ms(),
            "identity": {"sourceIp": "192.0.2.1"},
            "resourcePath": resource,
            "httpMethod": "POST",
            "apiId": "abcdefghij",
            "domainName": domain,
            "path": client_path
        },
        "body": BODY,
        "isBase64Encoded": false
    })
}

fn alb(headers: Value, multi_value: bool, body: &str, base64: bool) -> Value {
    let mut event = json!({
        "requestContext": {"elb": {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bot/0123456789abcdef"}},
        "httpMethod": "POST",
        "path": "/test",
        "body": body,
        "isBase64Encoded": base64
    });
    if multi_value {
        event["multiValueQueryStringParameters"] = json!({});
        event["multiValueHeaders"] = headers;
    } else {
        event["queryStringParameters"] = json!({});
        event["headers"] = headers;
    }
    event
}

const EXECUTE_API: &str = "abcdefghij.execute-api.us-east-1.amazonaws.com";
const CUSTOM_DOMAIN: &str = "bots.example.com";

#[tokio::test]
async fn an_http_api_with_a_named_stage_reaches_a_stage_free_mount() {
    let event = http_api("/prod/test", "prod", EXECUTE_API, "$default", Value::Null);
    let response = invoke(&host(&["/test"]), event).await;
    assert_eq!(response["statusCode"], 200, "{response}");
    assert_eq!(reply_text(&response), "General Kenobi!");
}

#[tokio::test]
async fn an_http_api_on_its_default_stage_and_a_templated_route_reach_the_mount() {
    let default = http_api("/test", "$default", EXECUTE_API, "$default", Value::Null);
    assert_eq!(invoke(&host(&["/test"]), default).await["statusCode"], 200);
    let proxy = json!({"proxy": "test"});
    let templated = http_api("/prod/test", "prod", EXECUTE_API, "ANY /{proxy+}", proxy);
    assert_eq!(invoke(&host(&["/test"]), templated).await["statusCode"], 200);
}

#[tokio::test]
async fn a_mount_that_begins_with_the_stage_name_is_kept_where_the_event_tells_it_apart() {
    let only = |path| host(&[path]);
    // HTTP API on its execute-api domain: the stage is always in front, so once is removed.
    let event = http_api("/prod/prod/test", "prod", EXECUTE_API, "$default", Value::Null);
    assert_eq!(invoke(&only("/prod/test"), event.clone()).await["statusCode"], 200);
    assert_eq!(invoke(&only("/test"), event).await["statusCode"], 404);
    // A templated route names the path inside the API exactly.
    let proxy = json!({"proxy": "prod/test"});
    let event = http_api("/prod/prod/test", "prod", EXECUTE_API, "POST /{proxy+}", proxy);
    assert_eq!(invoke(&only("/prod/test"), event).await["statusCode"], 200);
    // A REST API's `path` never carries the stage.
    let proxy = json!({"proxy": "prod/test"});
    let event = rest_api("/prod/test", "/{proxy+}", proxy, "prod", EXECUTE_API);
    assert_eq!(invoke(&only("/prod/test"), event.clone()).await["statusCode"], 200);
    assert_eq!(invoke(&only("/test"), event).await["statusCode"], 404);
}

#[tokio::test]
async fn a_rest_api_on_a_stage_and_behind_a_base_path_mapping_reaches_the_mount() {
    let proxy = json!({"proxy": "test"});
    let staged = rest_api("/test", "/{proxy+}", proxy.clone(), "prod", EXECUTE_API);
    let response = invoke(&host(&["/test"]), staged).await;
    assert_eq!(response["statusCode"], 200, "{response}");
    assert_eq!(reply_text(&response), "General Kenobi!");
    // A custom domain with the base path `bot` mapped to the API: `path` carries it.
    let mapped = rest_api("/bot/test", "/{proxy+}", proxy, "prod", CUSTOM_DOMAIN);
    assert_eq!(invoke(&host(&["/test"]), mapped).await["statusCode"], 200);
    // A resource without parameters.
    let literal = rest_api("/bot/test", "/test", Value::Null, "prod", CUSTOM_DOMAIN);
    assert_eq!(invoke(&host(&["/test"]), literal).await["statusCode"], 200);
}

#[tokio::test]
async fn an_http_api_behind_an_api_mapping_with_a_templated_route_reaches_the_mount() {
    let proxy = json!({"proxy": "test"});
    let event = http_api("/bot/test", "prod", CUSTOM_DOMAIN, "ANY /{proxy+}", proxy);
    assert_eq!(invoke(&host(&["/test"]), event).await["statusCode"], 200);
}

#[tokio::test]
async fn a_body_flagged_base64_that_is_not_base64_is_a_400_in_every_envelope() {
    let not_base64 = "{\"text\":\"hi\"}";
    let mut v2 = http_api("/test", "$default", EXECUTE_API, "$default", Value::Null);
    v2["body"] = json!(not_base64);
    v2["isBase64Encoded"] = json!(true);
    let mut v1 = rest_api("/test", "/test", Value::Null, "prod", EXECUTE_API);
    v1["body"] = json!(not_base64);
    v1["isBase64Encoded"] = json!(true);
    let alb = alb(json!({"x-test-signature": "ok"}), false, not_base64, true);
    for (name, event) in [("v2", v2), ("v1", v1), ("alb", alb)] {
        let response = invoke(&host(&["/test"]), event).await;
        assert_eq!(response["statusCode"], 400, "{name}: {response}");
        let body = response["body"].as_str().unwrap();
        assert!(body.contains("not valid base64"), "{name}: {body}");
    }
}

#[tokio::test]
async fn a_valid_base64_body_is_still_decoded() {
    let mut event = rest_api("/test", "/test", Value::Null, "prod", EXECUTE_API);
    event["body"] = json!(STANDARD.encode(BODY));
    event["isBase64Encoded"] = json!(true);
    let response = invoke(&host(&["/test"]), event).await;
    assert_eq!(response["statusCode"], 200, "{response}");
    assert_eq!(reply_text(&response), "General Kenobi!");
}

#[tokio::test]
async fn an_alb_event_is_answered_in_albs_shape() {
    let headers = json!({"x-test-signature": "ok", "content-type": "application/json"});
    let response = invoke(&host(&["/test"]), alb(headers, false, BODY, false)).await;
    assert_eq!(response["statusCode"], 200, "{response}");
    assert_eq!(response["statusDescription"], "200 OK");
    assert_eq!(response["isBase64Encoded"], false);
    assert_eq!(reply_text(&response), "General Kenobi!");
    let forged = json!({"x-test-signature": "forged"});
    let refused = invoke(&host(&["/test"]), alb(forged, false, BODY, false)).await;
    assert_eq!(refused["statusCode"], 401);
    assert_eq!(refused["statusDescription"], "401 Unauthorized");
}

#[tokio::test]
async fn an_alb_event_with_multi_value_headers_and_a_base64_body_is_answered() {
    let headers = json!({"x-test-signature": ["ok"], "content-type": ["application/json"]});
    let event = alb(headers, true, &STANDARD.encode(BODY), true);
    let response = invoke(&host(&["/test"]), event).await;
    assert_eq!(response["statusCode"], 200, "{response}");
    assert_eq!(response["statusDescription"], "200 OK");
    assert!(response["multiValueHeaders"].is_object(), "{response}");
    assert_eq!(reply_text(&response), "General Kenobi!");
}

#[tokio::test]
async fn a_host_scheme_or_query_that_forms_no_uri_does_not_stop_the_request() {
    let mut placeholder = http_api(
        "/test",
        "$default",
        "<url-id>.lambda-url.us-west-2.on.aws",
        "$default",
        Value::Null,
    );
    placeholder["headers"].as_object_mut().unwrap().remove("host");
    let mut bad_host = http_api("/test", "$default", EXECUTE_API, "$default", Value::Null);
    bad_host["headers"]["host"] = json!("exa mple.com");
    let mut bad_scheme = rest_api("/test", "/test", Value::Null, "prod", EXECUTE_API);
    bad_scheme["headers"]["X-Forwarded-Proto"] = json!("http, https");
    let mut alb_host =
        alb(json!({"x-test-signature": "ok", "host": "xn--.example"}), false, BODY, false);
    alb_host["path"] = json!("/test");
    let mut query = http_api("/test", "$default", EXECUTE_API, "$default", Value::Null);
    query["rawQueryString"] = json!("q=\"quoted words\"");
    for (name, event) in [
        ("query", query),
        ("placeholder", placeholder),
        ("host", bad_host),
        ("scheme", bad_scheme),
        ("alb", alb_host),
    ] {
        let response = invoke(&host(&["/test"]), event).await;
        assert_eq!(response["statusCode"], 200, "{name}: {response}");
        assert_eq!(reply_text(&response), "General Kenobi!", "{name}");
    }
}

/// The ack budget starts when API Gateway received the request (`timeEpoch`,
/// `requestTimeEpoch`): a request that waited through a cold start has less of it left.
#[tokio::test]
async fn the_ack_budget_starts_when_api_gateway_received_the_request() {
    let slow = handler_fn(|_cx, _msg| async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        "in time"
    });
    let adapter = TestAdapter { budget: Some(Duration::from_secs(2)), ..Default::default() };
    let bot = Bot::builder().mount("/test", adapter).handler(Router::new().fallback(slow)).build();
    let host = LambdaHost::new(bot.clone());
    let fresh_v2 = http_api("/test", "$default", EXECUTE_API, "$default", Value::Null);
    let fresh_v1 = rest_api("/test", "/test", Value::Null, "prod", EXECUTE_API);
    for (name, event) in [("v2", fresh_v2.clone()), ("v1", fresh_v1.clone())] {
        let response = invoke(&host, event).await;
        assert_eq!(reply_text(&response), "in time", "{name}: {response}");
    }
    let ten_seconds_ago = json!(now_ms() - 10_000);
    let mut late_v2 = fresh_v2;
    late_v2["requestContext"]["timeEpoch"] = ten_seconds_ago.clone();
    let mut late_v1 = fresh_v1;
    late_v1["requestContext"]["requestTimeEpoch"] = ten_seconds_ago;
    for (name, event) in [("v2", late_v2), ("v1", late_v1)] {
        let response = invoke(&host, event).await;
        let body: Value = serde_json::from_str(response["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["ack"], "deferred:Default", "{name}: {response}");
    }
    assert!(bot.drain(Duration::from_secs(5)).await);
}
