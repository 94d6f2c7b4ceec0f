//! The Web API client against a fake Slack on loopback: typed errors, rate limits, timeouts,
//! and secrets kept out of Debug and errors.

use std::time::Duration;

use chatbridge_core::testing::{FakeApi, FakeResponse};
use chatbridge_core::{ConfigError, DeliveryError, Secret};
use chatbridge_slack::{ApiError, SlackAdapter, SlackClient};
use serde_json::json;

const TOKEN: &str = "xoxb-client-test-5a6b7c";

fn client(api: &FakeApi) -> SlackClient {
    SlackClient::builder()
        .token(Secret::new(TOKEN))
        .api_url(format!("{}/api", api.url()))
        .timeout(Duration::from_millis(500))
        .rate_limit_retries(1, Duration::from_secs(2))
        .build()
        .unwrap()
}

#[tokio::test]
async fn ok_false_is_a_typed_error_with_slacks_code() {
    let api = FakeApi::start().await;
    api.respond(
        "POST",
        "/api/chat.postMessage",
        FakeResponse::json(200, r#"{"ok":false,"error":"channel_not_found"}"#),
    );
    let err = client(&api).chat_post_message(&json!({"channel": "C1", "text": "hi"})).await;
    let err = err.unwrap_err();
    assert!(matches!(&err, ApiError::Slack { code, .. } if code == "channel_not_found"), "{err}");
    assert!(!format!("{err} {err:?}").contains(TOKEN));
    let delivery: DeliveryError = err.into();
    assert!(
        matches!(delivery, DeliveryError::Platform { reason, .. } if reason == "channel_not_found")
    );
}

#[tokio::test]
async fn rate_limits_past_the_bound_are_reported() {
    let api = FakeApi::start().await;
    api.respond(
        "POST",
        "/api/reactions.add",
        FakeResponse::json(429, r#"{"ok":false,"error":"ratelimited"}"#).header("Retry-After", "1"),
    );
    let err = client(&api).reactions_add("C1", "1.2", "pizza").await.unwrap_err();
    assert!(
        matches!(err, ApiError::RateLimited { retry_after, .. } if retry_after == Duration::from_secs(1))
    );
    assert_eq!(api.requests().len(), 2, "one call and one bounded retry");

    // A Retry-After longer than the longest wait is not waited for at all.
    let api = FakeApi::start().await;
    api.respond("POST", "/api/auth.test", FakeResponse::status(429).header("Retry-After", "60"));
    let err = client(&api).auth_test().await.unwrap_err();
    assert!(matches!(err, ApiError::RateLimited { .. }));
    assert_eq!(api.requests().len(), 1);
}

/// A call slower than the client's timeout fails as a timeout, not with the late answer.
#[tokio::test]
async fn every_call_has_a_timeout() {
    let api = FakeApi::start().await;
    api.respond(
        "POST",
        "/api/chat.postMessage",
        FakeResponse::json(200, r#"{"ok":true}"#).delay(Duration::from_secs(3)),
    );
    let err = client(&api).chat_post_message(&json!({"channel": "C1"})).await.unwrap_err();
    let ApiError::Transport { source, .. } = &err else { panic!("not a transport error: {err}") };
    let cause = source.downcast_ref::<reqwest::Error>().expect("reqwest's error");
    assert!(cause.is_timeout(), "{cause}");
}

#[tokio::test]
async fn response_url_errors_never_show_the_url() {
    let api = FakeApi::start().await;
    let url = format!("{}/commands/T1/secret-capability", api.url());
    api.respond(
        "POST",
        "/commands/T1/secret-capability",
        FakeResponse::json(404, r#"{"ok":false,"error":"expired_url"}"#),
    );
    let err = client(&api).respond(&url, &json!({"text": "late"})).await.unwrap_err();
    assert!(matches!(&err, ApiError::Slack { code, .. } if code == "expired_url"), "{err}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("secret-capability"), "{shown}");
    // A closed port: a transport error, still without the URL.
    let err = client(&api)
        .respond("http://127.0.0.1:9/commands/secret-capability", &json!({}))
        .await
        .unwrap_err();
    let mut shown = format!("{err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(inner) = source {
        shown.push_str(&inner.to_string());
        source = inner.source();
    }
    assert!(!shown.contains("secret-capability"), "{shown}");
}

#[tokio::test]
async fn error_statuses_carry_slacks_code_when_it_gives_one() {
    let api = FakeApi::start().await;
    api.respond("POST", "/hooks/used", FakeResponse::status(400).header("x", "y"));
    api.respond("POST", "/hooks/text", FakeResponse::json(404, "used_url"));
    api.respond("POST", "/hooks/html", FakeResponse::json(502, "<html>bad gateway</html>"));
    let c = client(&api);
    let err = c.respond(&format!("{}/hooks/used", api.url()), &json!({})).await.unwrap_err();
    assert!(matches!(err, ApiError::Status { status: 400, .. }), "{err}");
    let err = c.respond(&format!("{}/hooks/text", api.url()), &json!({})).await.unwrap_err();
    assert!(matches!(&err, ApiError::Slack { code, .. } if code == "used_url"), "{err}");
    let err = c.respond(&format!("{}/hooks/html", api.url()), &json!({})).await.unwrap_err();
    assert!(matches!(err, ApiError::Status { status: 502, .. }), "{err}");
}

#[tokio::test]
async fn views_open_sends_the_trigger_and_the_view_with_the_token() {
    let api = FakeApi::start().await;
    let view = json!({"type": "modal", "title": {"type": "plain_text", "text": "Pizza"}});
    client(&api).views_open("123.456.abc", &view).await.unwrap();
    let seen = api.requests();
    assert_eq!(seen[0].path, "/api/views.open");
    assert_eq!(seen[0].json(), json!({"trigger_id": "123.456.abc", "view": view}));
    assert_eq!(seen[0].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
}

#[tokio::test]
async fn calls_without_a_token_fail_without_a_request() {
    let api = FakeApi::start().await;
    let client = SlackClient::builder().api_url(api.url()).build().unwrap();
    let err = client.auth_test().await.unwrap_err();
    assert!(matches!(err, ApiError::NoToken { .. }));
    assert!(api.requests().is_empty());
}

#[test]
fn debug_redacts_secrets() {
    let adapter = SlackAdapter::builder(Secret::new("signing-secret-shh"))
        .bot_token(Secret::new(TOKEN))
        .build()
        .unwrap();
    let shown = format!("{adapter:?} {adapter:#?} {:?}", adapter.client());
    assert!(!shown.contains("signing-secret-shh"), "{shown}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("REDACTED"));
    let builder =
        SlackAdapter::builder(Secret::new("signing-secret-shh")).bot_token(Secret::new(TOKEN));
    let shown = format!("{builder:?}");
    assert!(!shown.contains("signing-secret-shh") && !shown.contains(TOKEN), "{shown}");
}

#[test]
fn configuration_from_variables_names_what_is_missing_never_a_value() {
    let err = SlackAdapter::from_lookup(|name| match name {
        "SLACK_BOT_TOKEN" => Some(TOKEN.to_owned()),
        _ => None,
    })
    .unwrap_err();
    assert!(matches!(err, ConfigError::Missing("SLACK_SIGNING_SECRET")));
    assert!(err.to_string().contains("SLACK_SIGNING_SECRET"));
    assert!(!err.to_string().contains(TOKEN));
    let err = SlackAdapter::from_lookup(|name| {
        (name == "SLACK_SIGNING_SECRET").then(|| "   ".to_owned())
    })
    .unwrap_err();
    assert!(matches!(err, ConfigError::Missing("SLACK_SIGNING_SECRET")));
    let adapter = SlackAdapter::from_lookup(|name| match name {
        "SLACK_SIGNING_SECRET" => Some("s".to_owned()),
        "SLACK_BOT_TOKEN" => Some(TOKEN.to_owned()),
        "SLACK_API_URL" => Some("http://127.0.0.1:9/api".to_owned()),
        _ => None,
    })
    .unwrap();
    assert!(adapter.client().has_token());
    assert!(matches!(
        SlackAdapter::builder(Secret::new("")).build(),
        Err(ConfigError::Missing("SLACK_SIGNING_SECRET"))
    ));
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SlackAdapter>();
    assert_send_sync::<SlackClient>();
    assert_send_sync::<ApiError>();
    assert_send_sync::<ConfigError>();
    assert_send_sync::<chatbridge_slack::SlackPayload>();
    assert_send_sync::<chatbridge_slack::SlackReply>();
    assert_send_sync::<chatbridge_slack::verify::Verifier>();
}

/// Every handler reaches a client through its context, token or not: the adapter's own when
/// it serves no installations.
#[tokio::test]
async fn every_handler_has_a_client_in_its_context() {
    use chatbridge_core::{Bot, Context, Message, Router};
    use chatbridge_slack::SlackContextExt;

    async fn which(cx: Context, _msg: Message) -> String {
        match cx.slack() {
            Some(client) => format!("client, token: {}", client.has_token()),
            None => "no client".to_owned(),
        }
    }
    for (adapter, expected) in [
        (crate::common::builder().build().unwrap(), "client, token: false"),
        (
            crate::common::builder().bot_token(Secret::new(TOKEN)).build().unwrap(),
            "client, token: true",
        ),
    ] {
        let bot = Bot::builder()
            .mount(crate::common::PATH, adapter)
            .handler(Router::new().command("hello-there", which))
            .build();
        let body = crate::common::fixture_with_url("slash_command.txt", "", true);
        let response = bot.handle(crate::common::signed(crate::common::FORM, body)).await;
        assert_eq!(crate::common::json_body(&response)["text"], expected);
    }
}

#[tokio::test]
async fn an_earlier_message_is_updated_and_deleted_by_channel_and_ts() {
    let api = FakeApi::start().await;
    let client = client(&api);
    client.chat_update("C1", "1700000000.000100", &json!({"text": "edited"})).await.unwrap();
    client.chat_delete("C1", "1700000000.000100").await.unwrap();
    let calls = api.requests();
    assert_eq!(calls[0].path, "/api/chat.update");
    assert_eq!(
        calls[0].json(),
        json!({"channel": "C1", "ts": "1700000000.000100", "text": "edited"})
    );
    assert_eq!(calls[1].path, "/api/chat.delete");
    assert_eq!(calls[1].json(), json!({"channel": "C1", "ts": "1700000000.000100"}));
}
