//! The API client against a fake Discord on loopback: rate limits, early 404s, expired
//! tokens, the bot token, and command registration that writes nothing when nothing changed.

use std::time::Duration;

use chatbridge_core::testing::{FakeApi, FakeResponse};
use chatbridge_core::{DeliveryError, Reply};
use chatbridge_discord::client::MessageBody;
use chatbridge_discord::model::{ContextType, InteractionToken, OptionType};
use chatbridge_discord::register::{CommandDefinition, OptionDefinition, Scope, SyncOutcome};
use chatbridge_discord::{DiscordClient, RetryPolicy};
use serde_json::json;

const APP: &str = "1180000000000000000";

async fn client(token: Option<&str>) -> (FakeApi, DiscordClient) {
    let api = FakeApi::start().await;
    let mut policy = RetryPolicy::default();
    policy.not_found_delay = Duration::from_millis(20);
    policy.max_rate_limit_wait = Duration::from_secs(1);
    let client = DiscordClient::with_policy(
        APP,
        token.map(Into::into),
        &format!("{}/api/v10", api.url()),
        policy,
    )
    .unwrap();
    (api, client)
}

fn token() -> InteractionToken {
    InteractionToken::new("tok-en")
}

#[tokio::test]
async fn a_429_is_waited_out_using_its_float_retry_after() {
    let (api, client) = client(None).await;
    let path = format!("/api/v10/webhooks/{APP}/tok-en");
    api.respond_once(
        "POST",
        &path,
        FakeResponse::json(
            429,
            r#"{"message":"You are being rate limited.","retry_after":0.15,"global":false}"#,
        )
        .header("x-ratelimit-scope", "user"),
    );
    api.respond("POST", &path, FakeResponse::json(200, r#"{"id":"77"}"#));
    let id = client.create_followup(&token(), &MessageBody::text("hi")).await.unwrap();
    // The answer is the retry's: the call went out again after the 429, the same call. (The
    // wait itself is timed on a paused clock in the rate limiter's unit tests.)
    assert_eq!(id, "77");
    let calls = api.requests();
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|c| c.method == http::Method::POST && c.path == path), "{calls:?}");
    assert_eq!(calls[0].body, calls[1].body);
}

#[tokio::test]
async fn a_rate_limit_past_the_bound_is_reported_without_waiting() {
    let (api, client) = client(None).await;
    let path = format!("/api/v10/webhooks/{APP}/tok-en");
    api.respond("POST", &path, FakeResponse::json(429, r#"{"retry_after":60.5,"global":true}"#));
    let error = client.create_followup(&token(), &MessageBody::text("hi")).await.unwrap_err();
    let DeliveryError::RateLimited { retry_after, .. } = error else { panic!("{error:?}") };
    assert_eq!(retry_after, Duration::from_millis(60_500));
    // The global limit is remembered: the next call does not even go out.
    let error = client.edit_original(&token(), &MessageBody::text("x")).await.unwrap_err();
    assert!(matches!(error, DeliveryError::RateLimited { .. }), "{error:?}");
    assert_eq!(api.requests().len(), 1);
}

#[tokio::test]
async fn an_exhausted_bucket_makes_the_next_call_wait() {
    let (api, client) = client(None).await;
    let path = format!("/api/v10/webhooks/{APP}/tok-en/messages/@original");
    api.respond_once(
        "PATCH",
        &path,
        FakeResponse::json(200, "{}")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset-after", "0.2"),
    );
    client.edit_original(&token(), &MessageBody::text("a")).await.unwrap();
    // A reset within the policy's bound is waited out, not reported: the edit goes out.
    client.edit_original(&token(), &MessageBody::text("b")).await.unwrap();
    let sent: Vec<_> = api.requests().iter().map(|c| c.json()["content"].clone()).collect();
    assert_eq!(sent, [json!("a"), json!("b")]);
}

#[tokio::test]
async fn calls_in_an_exhausted_bucket_wait_and_other_interactions_do_not() {
    let (api, client) = client(None).await;
    let hook = format!("/api/v10/webhooks/{APP}/tok-en");
    // The edit learns its bucket with calls to spare; the follow-up, in the same bucket, uses
    // it up for a minute.
    api.respond(
        "PATCH",
        &format!("{hook}/messages/@original"),
        FakeResponse::json(200, "{}")
            .header("x-ratelimit-bucket", "8a1b7f0e")
            .header("x-ratelimit-remaining", "4")
            .header("x-ratelimit-reset-after", "1"),
    );
    api.respond(
        "POST",
        &hook,
        FakeResponse::json(200, r#"{"id":"5"}"#)
            .header("x-ratelimit-bucket", "8a1b7f0e")
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset-after", "60"),
    );
    client.edit_original(&token(), &MessageBody::text("a")).await.unwrap();
    client.create_followup(&token(), &MessageBody::text("b")).await.unwrap();
    assert_eq!(api.requests().len(), 2);
    // A minute is past the policy's bound: the edit is refused at once, without a call.
    let error = client.edit_original(&token(), &MessageBody::text("c")).await.unwrap_err();
    let DeliveryError::RateLimited { retry_after, .. } = error else { panic!("{error:?}") };
    assert!(retry_after > Duration::from_secs(50), "{retry_after:?}");
    assert_eq!(api.requests().len(), 2);
    // Another interaction's token is another major parameter: its edit goes out.
    let other = InteractionToken::new("other-token");
    client.edit_original(&other, &MessageBody::text("d")).await.unwrap();
    let calls = api.requests();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[2].path, format!("/api/v10/webhooks/{APP}/other-token/messages/@original"));
}

#[tokio::test]
async fn early_404s_are_retried_briefly_then_reported() {
    let (api, client) = client(None).await;
    let path = format!("/api/v10/webhooks/{APP}/tok-en/messages/@original");
    let unknown = || FakeResponse::json(404, r#"{"message":"Unknown Webhook","code":10015}"#);
    api.respond_once("PATCH", &path, unknown());
    api.respond_once("PATCH", &path, unknown());
    client.edit_original(&token(), &MessageBody::text("hi")).await.unwrap();
    assert_eq!(api.requests().len(), 3);

    api.respond("PATCH", &path, unknown());
    let error = client.edit_original(&token(), &MessageBody::text("hi")).await.unwrap_err();
    let DeliveryError::Platform { reason, status, .. } = error else { panic!() };
    assert_eq!((reason.as_str(), status), ("Unknown Webhook", Some(404)));
    assert_eq!(api.requests().len(), 3 + 4, "the first try and three retries");
}

#[tokio::test]
async fn an_invalid_webhook_token_is_reported_as_expired() {
    let (api, client) = client(None).await;
    api.respond(
        "POST",
        &format!("/api/v10/webhooks/{APP}/tok-en"),
        FakeResponse::json(401, r#"{"message":"Invalid Webhook Token","code":50027}"#),
    );
    let error = client.create_followup(&token(), &MessageBody::text("late")).await.unwrap_err();
    assert!(matches!(error, DeliveryError::Expired { .. }), "{error:?}");
}

#[tokio::test]
async fn follow_ups_can_be_edited_and_deleted_and_rest_needs_the_bot_token() {
    let (api, client) = client(None).await;
    client
        .edit_followup(&token(), "55", &MessageBody::from_reply(&Reply::text("edited")))
        .await
        .unwrap();
    client.delete_followup(&token(), "55").await.unwrap();
    client.delete_original(&token()).await.unwrap();
    let calls = api.requests();
    let seen: Vec<_> = calls.iter().map(|c| (c.method.as_str(), c.path.as_str())).collect();
    assert_eq!(
        seen,
        [
            ("PATCH", "/api/v10/webhooks/1180000000000000000/tok-en/messages/55"),
            ("DELETE", "/api/v10/webhooks/1180000000000000000/tok-en/messages/55"),
            ("DELETE", "/api/v10/webhooks/1180000000000000000/tok-en/messages/@original"),
        ]
    );
    let error = client.add_reaction("1", "2", "🍕").await.unwrap_err();
    assert!(matches!(error, DeliveryError::Unsupported { .. }), "{error:?}");
    let error = client.create_message("1", &MessageBody::text("hi")).await.unwrap_err();
    assert!(matches!(error, DeliveryError::Unsupported { .. }), "{error:?}");
    assert_eq!(api.requests().len(), 3, "nothing sent without a token");

    let (api, client) = client_with_token().await;
    api.respond("POST", "/api/v10/channels/1/messages", FakeResponse::json(200, r#"{"id":"9"}"#));
    assert_eq!(client.create_message("1", &MessageBody::text("hi")).await.unwrap(), "9");
    client.add_reaction("1", "2", "blobwave:123").await.unwrap();
    let calls = api.requests();
    assert_eq!(calls[0].json(), json!({"content": "hi"}));
    assert_eq!(calls[0].header("authorization"), Some("Bot bot-token"));
    assert_eq!(calls[1].path, "/api/v10/channels/1/messages/2/reactions/blobwave:123/@me");
}

async fn client_with_token() -> (FakeApi, DiscordClient) {
    client(Some("bot-token")).await
}

fn commands() -> Vec<CommandDefinition> {
    vec![
        CommandDefinition::chat_input("order", "Order a pizza")
            .option(
                OptionDefinition::new(OptionType::String, "kind", "Which pizza")
                    .required()
                    .choice("Margherita", "margherita")
                    .localize("fr", "sorte", "Quelle pizza"),
            )
            .option(OptionDefinition::new(OptionType::Integer, "count", "How many").range(1, 10))
            .localize("fr", "commander", "Commander une pizza")
            .default_member_permissions("0")
            .contexts([ContextType::Guild, ContextType::BotDm])
            .integration_types([0]),
        CommandDefinition::message("Emojify"),
    ]
}

/// What Discord's GET returns for `commands()`: ids, versions, defaults and nulls added, the
/// order changed.
fn registered() -> serde_json::Value {
    json!([
        {"id": "2", "application_id": APP, "version": "1", "type": 3, "name": "Emojify", "description": "",
         "default_member_permissions": null, "dm_permission": true, "nsfw": false, "contexts": null,
         "integration_types": [0], "name_localizations": null, "description_localizations": null},
        {"id": "1", "application_id": APP, "version": "1", "type": 1, "name": "order", "description": "Order a pizza",
         "default_member_permissions": "0", "dm_permission": true, "nsfw": false, "contexts": [0, 1],
         "integration_types": [0], "name_localizations": {"fr": "commander"},
         "description_localizations": {"fr": "Commander une pizza"},
         "options": [
            {"type": 3, "name": "kind", "description": "Which pizza", "required": true,
             "name_localizations": {"fr": "sorte"}, "description_localizations": {"fr": "Quelle pizza"},
             "choices": [{"name": "Margherita", "value": "margherita", "name_localizations": null}]},
            {"type": 4, "name": "count", "description": "How many", "required": false, "min_value": 1.0, "max_value": 10}
         ]}
    ])
}

#[tokio::test]
async fn registration_with_nothing_changed_makes_no_write() {
    let (api, client) = client_with_token().await;
    let path = format!("/api/v10/applications/{APP}/commands");
    api.respond("GET", &path, FakeResponse::json(200, registered().to_string()));
    let outcome = client.sync_commands(&Scope::Global, &commands()).await.unwrap();
    assert_eq!(outcome, SyncOutcome::Unchanged);
    let calls = api.requests();
    assert_eq!(calls.len(), 1, "only the GET: {calls:?}");
    assert_eq!(calls[0].method, http::Method::GET);
    assert_eq!(calls[0].header("authorization"), Some("Bot bot-token"));
}

#[tokio::test]
async fn registration_overwrites_in_bulk_when_something_changed() {
    let (api, client) = client_with_token().await;
    let path = format!("/api/v10/applications/{APP}/guilds/1170000000000000000/commands");
    let mut stale = registered();
    stale[1]["description"] = json!("Order pizza");
    api.respond("GET", &path, FakeResponse::json(200, stale.to_string()));
    api.respond("PUT", &path, FakeResponse::json(200, "[]"));
    let scope = Scope::Guild("1170000000000000000".into());
    assert_eq!(client.sync_commands(&scope, &commands()).await.unwrap(), SyncOutcome::Overwritten);
    let calls = api.requests();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].method, http::Method::PUT);
    assert_eq!(calls[1].path, path);
    let sent = calls[1].json();
    assert_eq!(sent[0]["name"], "order");
    assert_eq!(
        sent[0]["options"][0]["choices"][0],
        json!({"name": "Margherita", "value": "margherita"})
    );
    assert_eq!(sent[0]["contexts"], json!([0, 1]));
    assert_eq!(sent[1], json!({"type": 3, "name": "Emojify", "description": ""}));

    // A removed option is a change too.
    let mut fewer = commands();
    fewer[0].options.pop();
    assert!(!chatbridge_discord::register::is_up_to_date(&fewer, &registered()));
    assert!(chatbridge_discord::register::is_up_to_date(&commands(), &registered()));
}

#[tokio::test]
async fn an_earlier_message_is_edited_and_deleted_by_id_with_the_bot_token() {
    let (_bare, tokenless) = client(None).await;
    let (api, client) = client(Some("bot-token-1")).await;
    let body = MessageBody::from_reply(&Reply::text("edited"));
    client.edit_message("1160000000000000000", "1165000000000000101", &body).await.unwrap();
    client.delete_message("1160000000000000000", "1165000000000000101").await.unwrap();
    let calls = api.requests();
    let path = "/api/v10/channels/1160000000000000000/messages/1165000000000000101";
    assert_eq!((calls[0].method.as_str(), calls[0].path.as_str()), ("PATCH", path));
    assert_eq!(calls[0].json(), json!({"content": "edited"}));
    assert_eq!((calls[1].method.as_str(), calls[1].path.as_str()), ("DELETE", path));
    assert!(calls.iter().all(|c| c.header("authorization") == Some("Bot bot-token-1")));
    let refused = tokenless.delete_message("1", "2").await.unwrap_err();
    assert!(matches!(refused, DeliveryError::Unsupported { .. }), "{refused}");
}
