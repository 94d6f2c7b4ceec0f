//! The install flow and token rotation log no code, state, token, refresh token or client
//! secret, at any level, on success or failure.

use std::sync::Arc;

use crate::common::NOW;
use bytes::Bytes;
use chatbridge_core::clock::ManualClock;
use chatbridge_core::store::{MemoryStore, SharedStore};
use chatbridge_core::testing::{FakeApi, FakeResponse, LogCapture};
use chatbridge_core::{Bot, Secret};
use chatbridge_slack::oauth::SlackOAuth;
use http::Request;
use serde_json::json;

const CLIENT_SECRET: &str = "client-secret-5e6f";
const CODE: &str = "code-7a8b9c";
const TOKEN: &str = "xoxb-oauth-log-1d2e";
const REFRESH: &str = "xoxe-1-refresh-3f4a";
const NEW_TOKEN: &str = "xoxb-rotated-8c7d";
const NEW_REFRESH: &str = "xoxe-1-rotated-6b5a";

fn get(path: &str, cookie: Option<&str>) -> Request<Bytes> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn no_code_state_or_token_reaches_the_logs() {
    let capture = LogCapture::default();
    let _guard = capture.install();

    let api = FakeApi::start().await;
    api.respond_once(
        "POST",
        "/api/oauth.v2.access",
        FakeResponse::json(200, r#"{"ok":false,"error":"invalid_code"}"#),
    );
    let installed = json!({"ok": true, "access_token": TOKEN, "refresh_token": REFRESH,
                           "expires_in": 60, "bot_user_id": "UBOT", "team": {"id": "T1"}});
    api.respond_once(
        "POST",
        "/api/oauth.v2.access",
        FakeResponse::json(200, installed.to_string()),
    );
    let rotated = json!({"ok": true, "access_token": NEW_TOKEN, "refresh_token": NEW_REFRESH,
                         "expires_in": 43_200});
    api.respond_once("POST", "/api/oauth.v2.access", FakeResponse::json(200, rotated.to_string()));
    api.respond(
        "POST",
        "/api/auth.test",
        FakeResponse::json(200, r#"{"ok":false,"error":"invalid_auth"}"#),
    );

    let clock = ManualClock::at_unix(NOW);
    let store: SharedStore = Arc::new(MemoryStore::with_clock(Arc::new(clock.clone())));
    let oauth = SlackOAuth::builder("123.456", Secret::new(CLIENT_SECRET), store)
        .api_url(format!("{}/api/", api.url()))
        .clock(Arc::new(clock))
        .build()
        .unwrap();
    let bot = oauth.routes(Bot::builder()).build();

    let mut states = Vec::new();
    for _ in 0..2 {
        let page = bot.handle(get("/slack/install", None)).await;
        let cookie = page.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        states.push(cookie);
    }
    // Refused by Slack, then accepted, then replayed, then a wrong state.
    for (cookie, expect) in [(&states[0], 400), (&states[1], 200), (&states[1], 403)] {
        let state = cookie.split_once('=').unwrap().1;
        let path = format!("/slack/oauth_redirect?code={CODE}&state={state}");
        let response = bot.handle(get(&path, Some(cookie))).await;
        assert_eq!(response.status(), expect);
    }
    let path = format!("/slack/oauth_redirect?code={CODE}&state={}", "ab".repeat(32));
    assert_eq!(bot.handle(get(&path, Some(&states[0]))).await.status(), 403);
    // The token expires within the margin: rotated.
    let found = oauth.authorize(None, Some("T1")).await.unwrap().unwrap();
    assert_eq!(found.bot_token, Some(Secret::new(NEW_TOKEN)));

    let logs = capture.text().clone();
    assert!(logs.contains("installed") && logs.contains("refreshed"), "{logs}");
    let debug = format!("{oauth:?} {found:?}");
    for (what, needle) in [
        ("client secret", CLIENT_SECRET),
        ("code", CODE),
        ("bot token", TOKEN),
        ("refresh token", REFRESH),
        ("new token", NEW_TOKEN),
        ("new refresh token", NEW_REFRESH),
    ] {
        assert!(!logs.contains(needle), "{what} in the logs: {logs}");
        assert!(!debug.contains(needle), "{what} in Debug: {debug}");
    }
    for cookie in &states {
        let state = cookie.split_once('=').unwrap().1;
        assert!(!logs.contains(state), "a state in the logs: {logs}");
    }
}
