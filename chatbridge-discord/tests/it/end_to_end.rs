//! The real server on loopback, with a fake Discord API (also on loopback) that records every
//! call the bot makes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use chatbridge_core::host::server::Server;
use chatbridge_core::testing::{FakeApi, FakeResponse, Recorded};
use chatbridge_core::{Bot, Context, HandlerError, Message, Reply, Router, Visibility};
use chatbridge_discord::DiscordAdapter;
use serde_json::json;
use tokio::sync::{Notify, oneshot};

const TOKEN: &str = "aW50ZXJhY3Rpb246MTE5MDAwMDAwMDAwMDAwMDAwMjpjb21tYW5k";

struct Running {
    addr: SocketAddr,
    api: FakeApi,
    stop: Option<oneshot::Sender<()>>,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(router: Router) -> Self {
        let api = FakeApi::start().await;
        let adapter: DiscordAdapter = builder()
            .api_url(format!("{}/api/v10", api.url()))
            .bot_token("test-bot-token")
            .build()
            .unwrap();
        let bot = Bot::builder()
            .mount("/discord/interactions", adapter)
            .handler(router)
            .ack_budget(Duration::from_millis(200))
            .build();
        let server = Server::bind("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
            let _ = stopped.await;
        }));
        Self { addr, api, stop: Some(stop), serving }
    }

    /// Sends a signed interaction; returns the response JSON and what the fake API had seen
    /// when it arrived.
    async fn send(&self, body: Vec<u8>) -> (serde_json::Value, Vec<Recorded>) {
        let request = signed("/discord/interactions", body);
        let response = reqwest::Client::new()
            .post(format!("http://{}/discord/interactions", self.addr))
            .headers(request.headers().clone())
            .body(request.into_body())
            .send()
            .await
            .unwrap();
        let seen = self.api.requests();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        let json = response.json().await.unwrap();
        (json, seen)
    }

    /// Stops the server; graceful shutdown waits for pending deliveries.
    async fn stop(mut self) -> Vec<Recorded> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.serving).await.unwrap().unwrap();
        self.api.requests()
    }
}

fn assert_webhook_call(call: &Recorded) {
    // Webhook calls never carry the bot token, and always Discord's User-Agent.
    assert!(call.header("authorization").is_none(), "{call:?}");
    assert!(call.header("user-agent").unwrap().starts_with("DiscordBot (https://"), "{call:?}");
}

#[tokio::test]
async fn a_command_gets_its_inline_reply() {
    let running =
        Running::start(Router::new().command("order", |_cx: Context, msg: Message| async move {
            Reply::text(format!("ordered: {}", msg.text.split(' ').next().unwrap_or_default()))
                .in_channel()
        }))
        .await;
    let (json, _) = running.send(fixture("command_options.json")).await;
    assert_eq!(json, json!({"type": 4, "data": {"content": "ordered: margherita"}}));
    let ping = running.send(fixture("ping.json")).await.0;
    assert_eq!(ping, json!({"type": 1}));
    assert!(running.stop().await.is_empty(), "nothing goes to the API for an inline reply");
}

#[tokio::test]
async fn a_slow_handler_is_deferred_then_patches_original_exactly_once() {
    let gate = Arc::new(Notify::new());
    let running = Running::start(held(&gate, |cx| {
        Box::pin(async move {
            cx.reply("Your pizza is ready").await?;
            Ok(())
        })
    }))
    .await;
    let (json, seen_at_response) = running.send(fixture("command_options.json")).await;
    assert_eq!(json, json!({"type": 5}));
    assert!(seen_at_response.is_empty(), "nothing may reach the API before the initial response");
    gate.notify_one();
    // Stopping waits for the handler and its deliveries: every call it made is recorded.
    let calls = running.stop().await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    let patch = &calls[0];
    assert_eq!(patch.method, http::Method::PATCH);
    assert_eq!(patch.path, format!("/api/v10/webhooks/{APP_ID}/{TOKEN}/messages/@original"));
    assert_eq!(patch.json(), json!({"content": "Your pizza is ready"}));
    assert_eq!(patch.header("content-type"), Some("application/json"));
    assert_webhook_call(patch);
}

#[tokio::test]
async fn a_deferral_and_an_immediate_reply_still_patch_after_the_response() {
    let running = Running::start(Router::new().fallback(|cx: Context, _msg: Message| async move {
        cx.defer(Visibility::Ephemeral);
        cx.reply(Reply::text("secret").ephemeral()).await?;
        Ok::<(), HandlerError>(())
    }))
    .await;
    // Discord answers 404 to a PATCH before it has the initial response: one early 404 is
    // retried.
    let path = format!("/api/v10/webhooks/{APP_ID}/{TOKEN}/messages/@original");
    running.api.respond_once(
        "PATCH",
        &path,
        FakeResponse::json(404, r#"{"message":"Unknown Webhook","code":10015}"#),
    );
    let (json, _) = running.send(fixture("command_options.json")).await;
    assert_eq!(json, json!({"type": 5, "data": {"flags": 64}}));
    running.api.wait_for(2, Duration::from_secs(5)).await;
    let calls = running.stop().await;
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls.iter().all(|c| c.method == http::Method::PATCH && c.path == path));
    // The flags of an edit are the deferral's business.
    assert_eq!(calls[1].json(), json!({"content": "secret"}));
}

#[tokio::test]
async fn a_follow_up_post_arrives_after_the_inline_reply() {
    let running = Running::start(Router::new().fallback(|cx: Context, _msg: Message| async move {
        cx.reply("General Kenobi!").await?;
        cx.reply(Reply::text("You are a bold one.").ephemeral()).await?;
        Ok::<(), HandlerError>(())
    }))
    .await;
    let path = format!("/api/v10/webhooks/{APP_ID}/{TOKEN}");
    running.api.respond("POST", &path, FakeResponse::json(200, r#"{"id":"1165000000000000099"}"#));
    let (json, _) = running.send(fixture("command_options.json")).await;
    assert_eq!(json, json!({"type": 4, "data": {"content": "General Kenobi!"}}));
    running.api.wait_for(1, Duration::from_secs(5)).await;
    let calls = running.stop().await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].method, http::Method::POST);
    assert_eq!(calls[0].path, path);
    assert_eq!(calls[0].query.as_deref(), Some("wait=true"));
    assert_eq!(calls[0].json(), json!({"content": "You are a bold one.", "flags": 64}));
    assert_webhook_call(&calls[0]);
}

#[tokio::test]
async fn a_reaction_is_added_with_the_bot_token() {
    let running = Running::start(
        Router::new()
            .command("Emojify", |_cx: Context, _msg: Message| async { Reply::reaction("pizza") }),
    )
    .await;
    let (json, _) = running.send(fixture("command_message.json")).await;
    // The reaction goes out through the API; the interaction itself still gets an answer.
    assert_eq!(json["type"], 4);
    running.api.wait_for(1, Duration::from_secs(5)).await;
    let calls = running.stop().await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    let put = &calls[0];
    assert_eq!(put.method, http::Method::PUT);
    assert_eq!(
        put.path,
        "/api/v10/channels/1160000000000000000/messages/1165000000000000007/reactions/%F0%9F%8D%95/@me"
    );
    assert_eq!(put.header("authorization"), Some("Bot test-bot-token"));
    assert!(put.header("user-agent").unwrap().starts_with("DiscordBot ("));
}

#[tokio::test]
async fn a_component_reply_that_replaces_the_message_after_a_deferral_patches_it() {
    let gate = Arc::new(Notify::new());
    let running = Running::start(held(&gate, |cx| {
        Box::pin(async move {
            cx.reply(Reply::text("Order confirmed").replace_original()).await?;
            Ok(())
        })
    }))
    .await;
    let (json, _) = running.send(fixture("component_button.json")).await;
    assert_eq!(json, json!({"type": 6}));
    gate.notify_one();
    let calls = running.stop().await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].method, http::Method::PATCH);
    assert!(calls[0].path.ends_with("/messages/@original"));
    // The message keeps its visibility: no flags in an edit.
    assert_eq!(calls[0].json(), json!({"content": "Order confirmed"}));
}

/// A handler held until the test lets it go: it runs past the ack budget without a timer.
fn held(gate: &Arc<Notify>, reply: impl Fn(Context) -> BoxReply + Send + Sync + 'static) -> Router {
    let gate = Arc::clone(gate);
    let reply = Arc::new(reply);
    Router::new().fallback(move |cx: Context, _msg: Message| {
        let (gate, reply) = (Arc::clone(&gate), Arc::clone(&reply));
        async move {
            gate.notified().await;
            reply(cx).await
        }
    })
}

type BoxReply =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), HandlerError>> + Send>>;

#[tokio::test]
async fn an_ephemeral_reply_after_the_automatic_deferral_stays_private() {
    let gate = Arc::new(Notify::new());
    let running = Running::start(held(&gate, |cx| {
        Box::pin(async move {
            cx.reply(Reply::text("Only you can see this").ephemeral()).await?;
            cx.reply("And this is for everyone").await?;
            Ok(())
        })
    }))
    .await;
    let (json, _) = running.send(fixture("command_options.json")).await;
    // The budget ran out: a public "thinking…" message.
    assert_eq!(json, json!({"type": 5}));
    gate.notify_one();
    running.api.wait_for(3, Duration::from_secs(5)).await;
    let calls = running.stop().await;
    let original = format!("/api/v10/webhooks/{APP_ID}/{TOKEN}/messages/@original");
    let hook = format!("/api/v10/webhooks/{APP_ID}/{TOKEN}");
    let seen: Vec<(&str, &str)> =
        calls.iter().map(|c| (c.method.as_str(), c.path.as_str())).collect();
    // The public placeholder is removed first, or Discord would put the follow-up in its place.
    assert_eq!(
        seen,
        [("DELETE", original.as_str()), ("POST", hook.as_str()), ("POST", hook.as_str())]
    );
    assert_eq!(calls[1].json(), json!({"content": "Only you can see this", "flags": 64}));
    assert_eq!(calls[2].json(), json!({"content": "And this is for everyone"}));
    calls.iter().for_each(assert_webhook_call);
}

#[tokio::test]
async fn a_public_deferral_asked_for_then_an_ephemeral_reply_stays_private_too() {
    let running = Running::start(Router::new().fallback(|cx: Context, _msg: Message| async move {
        cx.defer(Visibility::InChannel);
        cx.reply(Reply::text("psst").ephemeral()).await?;
        Ok::<(), HandlerError>(())
    }))
    .await;
    let (json, _) = running.send(fixture("command_options.json")).await;
    assert_eq!(json, json!({"type": 5}));
    running.api.wait_for(2, Duration::from_secs(5)).await;
    let calls = running.stop().await;
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(methods, ["DELETE", "POST"]);
    assert_eq!(calls[1].json(), json!({"content": "psst", "flags": 64}));
}

#[tokio::test]
async fn when_the_placeholder_cannot_be_removed_the_private_reply_is_not_posted() {
    let gate = Arc::new(Notify::new());
    let running = Running::start(held(&gate, |cx| {
        Box::pin(async move {
            // The delivery fails in the background; the handler's own call still returns.
            let _ = cx.reply(Reply::text("secret").ephemeral()).await;
            Ok(())
        })
    }))
    .await;
    let original = format!("/api/v10/webhooks/{APP_ID}/{TOKEN}/messages/@original");
    running.api.respond("DELETE", &original, FakeResponse::json(500, r#"{"message":"oops"}"#));
    let (json, _) = running.send(fixture("command_options.json")).await;
    assert_eq!(json, json!({"type": 5}));
    gate.notify_one();
    running.api.wait_for(1, Duration::from_secs(5)).await;
    let calls = running.stop().await;
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(methods, ["DELETE"], "nothing may take the public placeholder's place");
}
