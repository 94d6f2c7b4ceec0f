//! Every published Lambda envelope with a signed Slack request placed in it, through the
//! Lambda host: answered 200 in that envelope's response shape, and 401 when tampered with.
//! And a Lex V2 event invoked raw, answered with a Lex response.

use std::collections::BTreeSet;

use bytes::Bytes;
use chatbridge_conformance::fixtures;
use chatbridge_core::{Context, Message, Reply, Router};
use chatbridge_slack::testing::payload;
use http::Request;
use serde_json::Value;

use crate::harness::{Harness, lambda_answer, place_in_envelope, slack_signer};

/// The response format an envelope asks for.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// API Gateway REST API (payload 1.0).
    Rest,
    /// API Gateway HTTP API (payload 2.0) and Function URLs.
    Http,
    /// Application Load Balancer.
    Alb,
}

/// Each HTTP envelope of the corpus, its response format, and the path inside the API it
/// addresses (what a bot mounts at: never the stage, never a custom domain's base path).
const ENVELOPES: &[(&str, Shape, &str)] = &[
    ("lambda/aws-lambda-go/apigw-request.json", Shape::Rest, "/hello/world"),
    ("lambda/aws-lambda-go/apigw-v2-request-no-authorizer.json", Shape::Http, "/"),
    ("lambda/aws-lambda-go/apigw-v2-request-iam.json", Shape::Http, "/my/path"),
    ("lambda/aws-lambda-go/lambda-urls-request.json", Shape::Http, "/my/path"),
    ("lambda/aws-lambda-go/alb-lambda-target-request-headers-only.json", Shape::Alb, "/"),
    ("lambda/aws-lambda-go/alb-lambda-target-request-multivalue-headers.json", Shape::Alb, "/"),
    ("lambda/aws-lambda-rust-runtime/apigw_proxy_request.json", Shape::Rest, "/hello"),
    (
        "lambda/aws-lambda-rust-runtime/apigw_multi_value_proxy_request.json",
        Shape::Rest,
        "/hello/world",
    ),
    ("lambda/aws-lambda-rust-runtime/apigw_v2_proxy_request.json", Shape::Http, "/my/path"),
    (
        "lambda/aws-lambda-rust-runtime/apigw_v2_proxy_request_with_stage_in_path.json",
        Shape::Http,
        "/my/path",
    ),
    ("lambda/aws-lambda-rust-runtime/apigw_v2_sam_local.json", Shape::Http, "/hello"),
    ("lambda/aws-lambda-rust-runtime/lambda_function_url_request.json", Shape::Http, "/my/path"),
    ("lambda/aws-lambda-rust-runtime/alb_request.json", Shape::Alb, "/"),
    ("lambda/aws-lambda-rust-runtime/alb_multi_value_request.json", Shape::Alb, "/"),
    ("lambda/aws-lambda-rust-runtime/example-apigw-sam-rest-request.json", Shape::Rest, "/test"),
    ("lambda/aws-lambda-rust-runtime/example-apigw-sam-http-request.json", Shape::Http, "/dump"),
    (
        "lambda/aws-lambda-rust-runtime/example-apigw-console-request.json",
        Shape::Rest,
        "/path/to/resource",
    ),
    ("lambda/sam-cli/apigateway-aws-proxy.json", Shape::Rest, "/path/to/resource"),
    ("lambda/sam-cli/apigateway-http-api-proxy.json", Shape::Http, "/path/to/resource"),
    ("lambda/sam-cli/apigateway-http-api-proxy-stage-prod.json", Shape::Http, "/path/to/resource"),
    ("lambda/sam-cli/alb-request.json", Shape::Alb, "/path/to/resource"),
];

/// The raw (non-HTTP) events: a Lex V2 code hook's.
const RAW_EVENTS: &[&str] = &["lambda/sam-cli/lex-v2-book-car.json"];

const REPLY: &str = "Signed, sealed, delivered";

async fn reply(_cx: Context, _msg: Message) -> Reply {
    Reply::text(REPLY).in_channel()
}

fn slash_command() -> Request<Bytes> {
    let body = payload::slash_command("/ping", "", "https://hooks.slack.com/commands/T0/1/x");
    slack_signer().request("/ignored", payload::FORM, body)
}

/// The keys each response format allows (API Gateway REST answers 502 to any other).
fn allowed_keys(shape: Shape) -> &'static [&'static str] {
    match shape {
        Shape::Rest => &["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"],
        Shape::Http => &["statusCode", "headers", "body", "isBase64Encoded", "cookies"],
        Shape::Alb => &[
            "statusCode",
            "statusDescription",
            "headers",
            "multiValueHeaders",
            "body",
            "isBase64Encoded",
        ],
    }
}

/// Checks the answer's shape against its format; `status` is the expected status code.
fn check_shape(name: &str, shape: Shape, envelope: &Value, response: &Value, status: u16) {
    let object = response.as_object().unwrap_or_else(|| panic!("{name}: not an object"));
    for key in object.keys() {
        assert!(allowed_keys(shape).contains(&key.as_str()), "{name}: {key} in {response}");
    }
    assert_eq!(response["statusCode"], status, "{name}: {response}");
    assert!(response["body"].is_string(), "{name}: {response}");
    assert!(response["isBase64Encoded"].is_boolean(), "{name}: {response}");
    let content_type = |map: &Value| {
        map.as_object()
            .into_iter()
            .flatten()
            .find(|(key, _)| key.eq_ignore_ascii_case("content-type"))
            .map(|(_, value)| value.clone())
    };
    match shape {
        // API Gateway REST merges both maps: the host puts every header in the multi-value one.
        Shape::Rest => {
            let values = content_type(&response["multiValueHeaders"]);
            assert!(values.is_some_and(|v| v.is_array()), "{name}: {response}");
        }
        Shape::Http => {
            assert!(content_type(&response["headers"]).is_some_and(|v| v.is_string()), "{name}");
        }
        // ALB reads `multiValueHeaders` where the target group has multi-value headers on
        // (its events then carry `multiValueHeaders`), `headers` otherwise.
        Shape::Alb => {
            let reason = http::StatusCode::from_u16(status).unwrap().canonical_reason().unwrap();
            assert_eq!(response["statusDescription"], format!("{status} {reason}"), "{name}");
            if envelope.get("multiValueHeaders").is_some() {
                let values = content_type(&response["multiValueHeaders"]);
                assert!(values.is_some_and(|v| v.is_array()), "{name}: {response}");
            } else {
                let value = content_type(&response["headers"]);
                assert!(value.is_some_and(|v| v.is_string()), "{name}: {response}");
            }
        }
    }
}

#[tokio::test]
async fn every_envelope_is_answered_in_its_own_shape() {
    for (name, shape, mount) in ENVELOPES {
        let fixture = fixtures("lambda", ".json").into_iter().find(|f| f.name == *name);
        let envelope = fixture.unwrap_or_else(|| panic!("{name} is missing")).json();
        let harness = Harness::start_at(Router::new().fallback(reply), mount).await;

        let signed = slash_command();
        let response = harness.lambda_event(place_in_envelope(&envelope, &signed)).await;
        check_shape(name, *shape, &envelope, &response, 200);
        let answer = lambda_answer(&response);
        let body = answer.json();
        assert_eq!(body["text"], REPLY, "{name}: {body}");
        assert_eq!(body["response_type"], "in_channel", "{name}: {body}");

        let mut tampered = slash_command();
        *tampered.body_mut() =
            payload::slash_command("/ping", "forged", "https://example.com/").into();
        let response = harness.lambda_event(place_in_envelope(&envelope, &tampered)).await;
        check_shape(name, *shape, &envelope, &response, 401);
        harness.stop().await;
    }
}

#[tokio::test]
async fn every_lambda_fixture_is_exercised() {
    let listed: BTreeSet<&str> =
        ENVELOPES.iter().map(|(name, _, _)| *name).chain(RAW_EVENTS.iter().copied()).collect();
    for fixture in fixtures("lambda", "") {
        let name = fixture.name.replace('\\', "/");
        assert!(listed.contains(name.as_str()), "{name} is in no test of lambda.rs");
    }
}

#[tokio::test]
async fn a_lex_v2_event_invoked_raw_is_answered_with_a_lex_response() {
    let harness = Harness::start(Router::new().fallback(reply)).await;
    for name in RAW_EVENTS {
        let fixture = fixtures("lambda", ".json").into_iter().find(|f| f.name == *name);
        let event = fixture.unwrap_or_else(|| panic!("{name} is missing")).json();
        let response = harness.lambda_raw(event.clone()).await.expect("a Lex event is answered");
        let state = &response["sessionState"];
        let action = state["dialogAction"]["type"].as_str().unwrap_or_default();
        assert!(
            ["Close", "ConfirmIntent", "Delegate", "ElicitIntent", "ElicitSlot"].contains(&action),
            "{name}: {response}"
        );
        assert_eq!(state["intent"]["name"], event["sessionState"]["intent"]["name"], "{name}");
        assert_eq!(response["messages"][0]["contentType"], "PlainText", "{name}: {response}");
        assert_eq!(response["messages"][0]["content"], REPLY, "{name}: {response}");
    }
    harness.stop().await;
}
