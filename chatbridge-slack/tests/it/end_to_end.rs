//! End to end: the real server on loopback, a fake Slack Web API on loopback that records what
//! it receives, and requests signed as Slack signs them.

use std::time::Duration;

use crate::common::*;
use bytes::Bytes;
use chatbridge_core::host::server::Server;
use chatbridge_core::testing::{FakeApi, FakeResponse, Recorded};
use chatbridge_core::{Bot, Context, HandlerError, Message, MessageKind, Reply, Router, Secret};
use chatbridge_slack::{SlackAdapter, SlackAdapterBuilder, SlackContextExt};
use serde_json::json;

const TOKEN: &str = "xoxb-test-token-9f8e7d";

struct Harness {
    api: FakeApi,
    url: String,
    http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Harness {
    async fn start(adapter: impl FnOnce(SlackAdapterBuilder) -> SlackAdapterBuilder) -> Self {
        let api = FakeApi::start().await;
        let built: SlackAdapter =
            adapter(builder().bot_token(Secret::new(TOKEN)).api_url(format!("{}/api/", api.url())))
                .build()
                .unwrap();
        let bot = Bot::builder().mount(PATH, built).handler(router()).build();
        let server = Server::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}{PATH}", server.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.serve_with_shutdown(bot, async {
            let _ = stopped.await;
        }));
        Self { api, url, http: reqwest::Client::new(), stop: Some(stop) }
    }

    async fn send(&self, request: http::Request<Bytes>) -> reqwest::Response {
        let (parts, body) = request.into_parts();
        self.http.post(&self.url).headers(parts.headers).body(body).send().await.unwrap()
    }

    /// What the fake API received, waiting for `count` calls; then a little longer, so that a
    /// call that should not happen has its chance to show up.
    async fn calls(&self, count: usize) -> Vec<Recorded> {
        self.api.wait_for(count, Duration::from_secs(5)).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.api.requests()
    }

    /// What the fake API received after a quiet half second (for calls that must not happen).
    async fn quiet(&self) -> Vec<Recorded> {
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.api.requests()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn router() -> Router {
    Router::new()
        .command("hello-there", hello)
        .command("chatty", chatty)
        .command("announce", announce)
        .on(MessageKind::Message, on_message)
        .on(MessageKind::Action, on_action)
}

async fn on_action(_cx: Context, msg: Message) -> Reply {
    Reply::text(format!("one {} coming up", msg.text)).replace_original()
}

async fn hello(cx: Context, _msg: Message) -> Result<(), HandlerError> {
    cx.reply(Reply::text("General Kenobi!").in_channel()).await?;
    cx.reply("You _are_ a bold one.").await?;
    Ok(())
}

/// Seven replies: one inline, five through the response_url, one past its budget.
async fn chatty(cx: Context, _msg: Message) -> Result<(), HandlerError> {
    for i in 0..7 {
        cx.reply(Reply::text(format!("reply {i}")).in_channel()).await?;
    }
    Ok(())
}

/// A proactive call through the client in the context.
async fn announce(cx: Context, _msg: Message) -> Result<(), HandlerError> {
    let slack = cx.slack().ok_or_else(|| HandlerError::msg("no slack client"))?;
    slack.chat_post_message(&json!({"channel": "C999", "text": "pizza is here"})).await?;
    Ok(())
}

async fn on_message(_cx: Context, msg: Message) -> Reply {
    match msg.text.as_str() {
        "pizza in the thread" => Reply::text("on its way").in_thread(),
        "Hello hello can you hear me?" => Reply::text("only you can see this").ephemeral(),
        "Hello world" => Reply::reaction("🍕"),
        _ => Reply::reaction(":pizza:"),
    }
}

fn only(calls: &[Recorded], path: &str) -> Vec<Recorded> {
    calls.iter().filter(|c| c.path == path).cloned().collect()
}

#[tokio::test]
async fn slash_command_gets_its_inline_reply_and_a_response_url_follow_up() {
    let h = Harness::start(|b| b).await;
    let response_url = format!("{}/commands/T0001/1234/abcd", h.api.url());
    let body = fixture_with_url("slash_command.txt", &response_url, true);
    let response = h.send(signed(FORM, body)).await;
    assert_eq!(response.status(), 200);
    let inline: serde_json::Value = response.json().await.unwrap();
    assert_eq!(inline, json!({"response_type": "in_channel", "text": "General Kenobi!"}));

    let calls = h.calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].path, "/commands/T0001/1234/abcd");
    assert_eq!(
        calls[0].json(),
        json!({"response_type": "ephemeral", "text": "You _are_ a bold one."})
    );
    // A response_url needs no token, and must never be handed one.
    assert!(calls[0].header("authorization").is_none());
}

#[tokio::test]
async fn response_url_budget_falls_back_to_chat_post_message() {
    let h = Harness::start(|b| b).await;
    let response_url = format!("{}/commands/T0001/1234/budget", h.api.url());
    let body = fixture_with_url("slash_command.txt", &response_url, true);
    let body = String::from_utf8(body).unwrap().replace("hello-there", "chatty").into_bytes();
    let response = h.send(signed(FORM, body)).await;
    let inline: serde_json::Value = response.json().await.unwrap();
    assert_eq!(inline["text"], "reply 0");
    let calls = h.calls(6).await;
    let hooks = only(&calls, "/commands/T0001/1234/budget");
    assert_eq!(hooks.len(), 5);
    let posts = only(&calls, "/api/chat.postMessage");
    assert_eq!(posts.len(), 1, "{calls:?}");
    assert_eq!(posts[0].json(), json!({"channel": "C2147483705", "text": "reply 6"}));
}

#[tokio::test]
async fn channel_message_gets_a_reaction_on_the_right_message() {
    let h = Harness::start(|b| b).await;
    let response = h.send(signed(JSON, fixture("message_channel.json"))).await;
    assert_eq!(response.status(), 200);
    let calls = h.calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].path, "/api/reactions.add");
    assert_eq!(
        calls[0].json(),
        json!({"channel": "C123ABC456", "timestamp": "1355517523.000005", "name": "pizza"})
    );
    assert_eq!(calls[0].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
}

#[tokio::test]
async fn thread_and_ephemeral_replies_to_events() {
    let h = Harness::start(|b| b).await;
    h.send(signed(JSON, fixture("message_thread.json"))).await;
    let calls = h.calls(1).await;
    assert_eq!(calls[0].path, "/api/chat.postMessage");
    assert_eq!(
        calls[0].json(),
        json!({"channel": "C123ABC456", "text": "on its way", "thread_ts": "1355517523.000005"})
    );
    h.send(signed(JSON, fixture("message_im.json"))).await;
    let calls = h.calls(2).await;
    assert_eq!(calls[1].path, "/api/chat.postEphemeral");
    assert_eq!(
        calls[1].json(),
        json!({"channel": "D024BE91L", "user": "U2147483697", "text": "only you can see this"})
    );
}

#[tokio::test]
async fn the_bots_own_messages_lead_to_no_call() {
    let h = Harness::start(|b| b).await;
    for name in [
        "own_post_message.json",
        "own_response_url.json",
        "own_message_changed.json",
        "own_reaction.json",
        "other_bot_message.json",
    ] {
        assert_eq!(h.send(signed(JSON, fixture(name))).await.status(), 200, "{name}");
    }
    let calls = h.quiet().await;
    assert!(calls.is_empty(), "{calls:?}");
}

/// `auth.test` is waited for a bounded time: when Slack does not answer it, the event is
/// still acknowledged and handled, without the ids.
#[tokio::test]
async fn an_unanswered_auth_test_does_not_hold_the_event_up() {
    let h = Harness::start(|b| b.bot_ids(chatbridge_slack::BotIds::new())).await;
    let never =
        FakeResponse::json(200, r#"{"ok":true,"user_id":"UBOT"}"#).delay(Duration::from_secs(60));
    h.api.respond("POST", "/api/auth.test", never);
    let response = h.send(signed(JSON, fixture("message_channel.json"))).await;
    assert_eq!(response.status(), 200);
    let calls = h.calls(2).await;
    assert_eq!(only(&calls, "/api/reactions.add").len(), 1, "handled all the same: {calls:?}");
}

#[tokio::test]
async fn own_ids_come_from_auth_test_once() {
    let h = Harness::start(|b| b.bot_ids(chatbridge_slack::BotIds::new())).await;
    h.api.respond(
        "POST",
        "/api/auth.test",
        FakeResponse::json(200, r#"{"ok":true,"user_id":"UBOT","bot_id":"BBOT","team_id":"T1"}"#),
    );
    h.send(signed(JSON, fixture("own_post_message.json"))).await;
    h.send(signed(JSON, fixture("own_reaction.json"))).await;
    h.send(signed(JSON, fixture("message_channel.json"))).await;
    let calls = h.calls(2).await;
    assert_eq!(only(&calls, "/api/auth.test").len(), 1, "{calls:?}");
    assert_eq!(only(&calls, "/api/reactions.add").len(), 1, "{calls:?}");
    assert_eq!(calls.len(), 2, "{calls:?}");
}

#[tokio::test]
async fn the_same_event_twice_leads_to_one_call() {
    let h = Harness::start(|b| b).await;
    let first = h.send(signed(JSON, fixture("message_channel.json"))).await;
    assert_eq!(first.status(), 200);
    let mut retry = signed(JSON, fixture("message_channel.json"));
    retry.headers_mut().insert("x-slack-retry-num", "1".parse().unwrap());
    retry.headers_mut().insert("x-slack-retry-reason", "http_timeout".parse().unwrap());
    let second = h.send(retry).await;
    assert_eq!(second.status(), 200);
    h.api.wait_for(1, Duration::from_secs(5)).await;
    let calls = h.quiet().await;
    assert_eq!(calls.len(), 1, "{calls:?}");
}

#[tokio::test]
async fn a_rate_limited_reaction_waits_and_retries() {
    let h = Harness::start(|b| b).await;
    h.api.respond_once(
        "POST",
        "/api/reactions.add",
        FakeResponse::json(429, r#"{"ok":false,"error":"ratelimited"}"#).header("retry-after", "1"),
    );
    h.send(signed(JSON, fixture("message_channel.json"))).await;
    let calls = h.calls(2).await;
    assert_eq!(only(&calls, "/api/reactions.add").len(), 2, "{calls:?}");
}

#[tokio::test]
async fn handlers_reach_the_client_through_the_context() {
    let h = Harness::start(|b| b).await;
    let body = fixture_with_url("slash_command.txt", "https://hooks.slack.com/x", true);
    let body = String::from_utf8(body).unwrap().replace("hello-there", "announce").into_bytes();
    h.send(signed(FORM, body)).await;
    let calls = h.calls(1).await;
    assert_eq!(calls[0].path, "/api/chat.postMessage");
    assert_eq!(calls[0].json(), json!({"channel": "C999", "text": "pizza is here"}));
}

#[tokio::test]
async fn requests_to_the_server_are_verified() {
    let h = Harness::start(|b| b).await;
    let response = h.send(unsigned(JSON, fixture("message_channel.json"))).await;
    assert_eq!(response.status(), 401);
    let response = h.send(unsigned(FORM, b"ssl_check=1&token=x".to_vec())).await;
    assert_eq!(response.status(), 200);
    assert!(h.quiet().await.is_empty());
}

#[tokio::test]
async fn a_button_press_replaces_the_original_through_the_response_url() {
    let h = Harness::start(|b| b).await;
    let response_url = format!("{}/actions/T1/42/xyz", h.api.url());
    let body = payload_form(&fixture_with_url("block_actions.json", &response_url, false));
    let response = h.send(signed(FORM, body)).await;
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.unwrap().is_empty());
    let calls = h.calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].path, "/actions/T1/42/xyz");
    assert_eq!(
        calls[0].json(),
        json!({"text": "one margherita coming up", "replace_original": true})
    );
}

#[tokio::test]
async fn a_character_only_reaction_makes_no_call() {
    let h = Harness::start(|b| b).await;
    assert_eq!(h.send(signed(JSON, fixture("message_group.json"))).await.status(), 200);
    let calls = h.quiet().await;
    assert!(calls.is_empty(), "{calls:?}");
}

/// `already_reacted` means the reaction is there (a rerun after a crash repeated it): delivered,
/// not a failure. Another refusal still reaches the error hook.
#[tokio::test]
async fn already_reacted_counts_as_delivered() {
    for (answer, failures) in [("already_reacted", 0), ("channel_not_found", 1)] {
        let api = FakeApi::start().await;
        let body = format!(r#"{{"ok":false,"error":"{answer}"}}"#);
        api.respond("POST", "/api/reactions.add", FakeResponse::json(200, body));
        let adapter = builder()
            .bot_token(Secret::new(TOKEN))
            .api_url(format!("{}/api/", api.url()))
            .build()
            .unwrap();
        let errors = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = std::sync::Arc::clone(&errors);
        let bot = Bot::builder()
            .mount(PATH, adapter)
            .handler(router())
            .on_error(move |e| seen.lock().unwrap().push(e.to_string()))
            .build();
        let response = bot.handle(signed(JSON, fixture("message_channel.json"))).await;
        assert_eq!(response.status(), 200);
        assert!(bot.drain(Duration::from_secs(5)).await);
        assert_eq!(only(&api.requests(), "/api/reactions.add").len(), 1);
        assert_eq!(
            errors.lock().unwrap().len(),
            failures,
            "{answer}: {:?}",
            errors.lock().unwrap()
        );
    }
}
