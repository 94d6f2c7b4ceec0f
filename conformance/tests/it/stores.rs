//! The store keys `docs/stores.md` names are the keys the code writes: an install through the
//! Slack OAuth flow and a Slack event, against a store that records every key written.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use chatbridge_core::StoreError;
use chatbridge_core::store::{MemoryStore, SharedStore, Store};
use chatbridge_core::testing::{FakeApi, FakeResponse};
use chatbridge_core::{Bot, Context, Message, Reply, Router, Secret};
use chatbridge_slack::SlackAdapter;
use chatbridge_slack::oauth::SlackOAuth;
use chatbridge_slack::testing::payload;
use http::Request;
use serde_json::json;

use crate::harness::{SLACK, SLACK_SECRET, slack_signer};

/// A memory store that records the key of every write.
#[derive(Debug, Default)]
struct Recording {
    inner: MemoryStore,
    written: Mutex<Vec<String>>,
}

#[async_trait]
impl Store for Recording {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, StoreError> {
        self.inner.get(key).await
    }

    async fn put(&self, key: &str, value: Bytes, ttl: Option<Duration>) -> Result<(), StoreError> {
        self.written.lock().unwrap().push(key.to_owned());
        self.inner.put(key, value, ttl).await
    }

    async fn put_if_absent(
        &self,
        key: &str,
        value: Bytes,
        ttl: Option<Duration>,
    ) -> Result<bool, StoreError> {
        self.written.lock().unwrap().push(key.to_owned());
        self.inner.put_if_absent(key, value, ttl).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }

    async fn scan(&self, prefix: &str) -> Result<Vec<(String, Bytes)>, StoreError> {
        self.inner.scan(prefix).await
    }
}

async fn nothing(_cx: Context, _msg: Message) -> Option<Reply> {
    None
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Bytes> {
    let mut request = Request::get(uri);
    if let Some(cookie) = cookie {
        request = request.header(http::header::COOKIE, cookie);
    }
    request.body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn the_keys_the_docs_name_are_the_keys_written() {
    let api = FakeApi::start().await;
    let access = json!({
        "ok": true, "access_token": "xoxb-installed", "token_type": "bot", "scope": "chat:write",
        "bot_user_id": "UBOT", "app_id": "A1", "team": {"id": "T1", "name": "Team"},
        "enterprise": null, "is_enterprise_install": false, "authed_user": {"id": "U1"}
    });
    api.respond("POST", "/api/oauth.v2.access", FakeResponse::json(200, access.to_string()));
    api.respond("POST", "/api/auth.test", FakeResponse::json(200, r#"{"ok":true,"bot_id":"B1"}"#));
    let recording = Arc::new(Recording::default());
    let store: SharedStore = recording.clone();
    let oauth = SlackOAuth::builder("123.456", Secret::new("client-secret"), Arc::clone(&store))
        .scopes(["chat:write"])
        .redirect_uri("https://bot.example.com/slack/oauth_redirect")
        .api_url(format!("{}/api/", api.url()))
        .build()
        .unwrap();
    let slack = SlackAdapter::builder(Secret::new(SLACK_SECRET))
        .api_url(format!("{}/api/", api.url()))
        .oauth(&oauth)
        .build()
        .unwrap();
    let bot = oauth
        .routes(Bot::builder().store(Arc::clone(&store)).mount(SLACK, slack))
        .handler(Router::new().fallback(nothing))
        .build();

    let page = bot.handle(get("/slack/install", None)).await;
    assert_eq!(page.status(), 200);
    let cookie = page.headers()[http::header::SET_COOKIE].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let html = String::from_utf8_lossy(page.body()).into_owned();
    let state: String = html.split("state=").nth(1).unwrap().chars().take(64).collect();
    let back = format!("/slack/oauth_redirect?code=c1&state={state}");
    let installed = bot.handle(get(&back, Some(&cookie))).await;
    assert_eq!(installed.status(), 200, "{}", String::from_utf8_lossy(installed.body()));

    let event_id = "Ev0STORES1";
    let event = json!({
        "type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": true}],
        "event": {"type": "message", "channel": "C1", "user": "U9", "text": "hello",
                  "ts": "1.1", "channel_type": "channel"}
    });
    let event = serde_json::to_vec(&event).unwrap();
    let response = bot.handle(slack_signer().request(SLACK, payload::JSON, event)).await;
    assert_eq!(response.status(), 200);

    let written = recording.written.lock().unwrap().clone();
    let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let state_key =
        written.iter().find(|k| k.strip_prefix("slack/oauth-state/").is_some_and(hex64));
    let state_key =
        state_key.unwrap_or_else(|| panic!("no slack/oauth-state/<hex> in {written:?}"));
    assert!(written.contains(&format!("{state_key}/used")), "{written:?}");
    assert!(written.contains(&"slack/installation/-/T1".to_owned()), "{written:?}");
    assert!(written.contains(&format!("dedup/slack/{event_id}")), "{written:?}");
}
