//! Token rotation on a manual clock, and the lifecycle events `app_uninstalled` and
//! `tokens_revoked`, against a fake Slack on loopback.

use std::sync::Arc;
use std::time::Duration;

use crate::common::{FORM, JSON, NOW, PATH, builder, payload_form, signed};
use chatbridge_core::clock::ManualClock;
use chatbridge_core::store::{MemoryStore, SharedStore};
use chatbridge_core::testing::{FakeApi, FakeResponse, Recorded};
use chatbridge_core::{Bot, Context, HandlerError, Message, MessageKind, Reply, Router, Secret};
use chatbridge_slack::SlackContextExt;
use chatbridge_slack::oauth::{Installation, SlackOAuth};
use futures_util::future::join_all;
use serde_json::json;

async fn react(_cx: Context, _msg: Message) -> Reply {
    Reply::reaction("pizza")
}

/// Posts through the context's client (the workspace's token, if the adapter found one),
/// naming the installation's team.
async fn post(cx: Context, _msg: Message) -> Result<(), HandlerError> {
    let slack = cx.slack().ok_or_else(|| HandlerError::msg("no slack client"))?;
    let team = cx.slack_installation().and_then(|i| i.team_id.clone()).unwrap_or_default();
    slack.chat_post_message(&json!({"channel": "C1", "text": team})).await?;
    Ok(())
}

struct Setup {
    api: FakeApi,
    clock: ManualClock,
    store: SharedStore,
}

impl Setup {
    async fn new() -> Self {
        let clock = ManualClock::at_unix(NOW);
        let store: SharedStore = Arc::new(MemoryStore::with_clock(Arc::new(clock.clone())));
        Self { api: FakeApi::start().await, clock, store }
    }

    /// An OAuth configuration over the shared store: one per simulated process.
    fn oauth(&self) -> SlackOAuth {
        SlackOAuth::builder("123.456", Secret::new("client-secret"), Arc::clone(&self.store))
            .api_url(format!("{}/api/", self.api.url()))
            .clock(Arc::new(self.clock.clone()))
            .build()
            .unwrap()
    }

    fn bot(&self, oauth: &SlackOAuth) -> Bot {
        self.bot_with(oauth, Router::new().on(MessageKind::Message, react))
    }

    fn bot_with(&self, oauth: &SlackOAuth, router: Router) -> Bot {
        let adapter = builder()
            .clock(Arc::new(self.clock.clone()))
            .api_url(format!("{}/api/", self.api.url()))
            .oauth(oauth)
            .build()
            .unwrap();
        Bot::builder().store(Arc::clone(&self.store)).mount(PATH, adapter).handler(router).build()
    }

    fn calls(&self, path: &str) -> Vec<Recorded> {
        self.api.requests().into_iter().filter(|r| r.path == path).collect()
    }
}

fn rotating(token: &str, refresh: &str, expires_at: u64) -> Installation {
    let mut installation = Installation::new(None, Some("T1".into()));
    installation.bot_token = Some(Secret::new(token));
    installation.bot_refresh_token = Some(Secret::new(refresh));
    installation.bot_token_expires_at = Some(expires_at);
    installation.bot_user_id = Some("UBOT".into());
    installation.user_id = Some("U1".into());
    installation
}

fn refreshed(token: &str, refresh: &str) -> FakeResponse {
    let body = json!({"ok": true, "access_token": token, "refresh_token": refresh,
                      "expires_in": 43_200, "token_type": "bot", "team": {"id": "T1"}});
    FakeResponse::json(200, body.to_string()).delay(Duration::from_millis(200))
}

fn event(id: &str, event: serde_json::Value) -> http::Request<bytes::Bytes> {
    let body = json!({"type": "event_callback", "team_id": "T1", "event_id": id,
                      "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": true}],
                      "event": event});
    signed(JSON, body.to_string().into_bytes())
}

fn message(id: &str) -> http::Request<bytes::Bytes> {
    event(id, json!({"type": "message", "channel": "C1", "user": "U9", "text": "hi", "ts": "1.1"}))
}

fn form(recorded: &Recorded) -> Vec<(String, String)> {
    form_urlencoded::parse(&recorded.body).into_owned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_expiring_token_is_refreshed_once_under_concurrent_requests() {
    let setup = Setup::new().await;
    let oauth = setup.oauth();
    // Expires in two minutes: inside the five-minute margin.
    oauth.installations().save(&rotating("xoxb-old", "xoxe-1", NOW + 120)).await.unwrap();
    setup.api.respond_once("POST", "/api/oauth.v2.access", refreshed("xoxb-new", "xoxe-2"));
    // A second refresh would be refused (and would show as the old token being used).
    setup.api.respond(
        "POST",
        "/api/oauth.v2.access",
        FakeResponse::json(200, r#"{"ok":false,"error":"invalid_refresh_token"}"#),
    );
    let bot = setup.bot(&oauth);

    let events = (0..16).map(|i| bot.handle(message(&format!("Ev{i}"))));
    let direct = (0..16).map(|_| oauth.authorize(None, Some("T1")));
    let (responses, found) = tokio::join!(join_all(events), join_all(direct));
    assert!(responses.iter().all(|r| r.status() == 200));
    for installation in found {
        assert_eq!(installation.unwrap().unwrap().bot_token, Some(Secret::new("xoxb-new")));
    }

    let refreshes = setup.calls("/api/oauth.v2.access");
    assert_eq!(refreshes.len(), 1, "exactly one refresh");
    assert_eq!(refreshes[0].header("authorization"), Some("Basic MTIzLjQ1NjpjbGllbnQtc2VjcmV0"));
    let sent = form(&refreshes[0]);
    assert!(sent.contains(&("grant_type".into(), "refresh_token".into())), "{sent:?}");
    assert!(sent.contains(&("refresh_token".into(), "xoxe-1".into())), "{sent:?}");

    setup.api.wait_for(17, Duration::from_secs(5)).await;
    let reactions = setup.calls("/api/reactions.add");
    assert_eq!(reactions.len(), 16);
    assert!(reactions.iter().all(|r| r.header("authorization") == Some("Bearer xoxb-new")));

    let stored = oauth.installations().find(None, Some("T1")).await.unwrap().unwrap();
    assert_eq!(stored.bot_token, Some(Secret::new("xoxb-new")));
    assert_eq!(stored.bot_refresh_token, Some(Secret::new("xoxe-2")), "the new refresh token");
    assert_eq!(stored.bot_token_expires_at, Some(NOW + 43_200));

    // Fresh now: no refresh. Twelve hours later: the next refresh spends the new refresh token.
    assert!(oauth.authorize(None, Some("T1")).await.unwrap().is_some());
    assert_eq!(setup.calls("/api/oauth.v2.access").len(), 1);
    setup.clock.advance(Duration::from_secs(43_200 - 100));
    setup.api.respond_once("POST", "/api/oauth.v2.access", refreshed("xoxb-newer", "xoxe-3"));
    let later = oauth.authorize(None, Some("T1")).await.unwrap().unwrap();
    assert_eq!(later.bot_token, Some(Secret::new("xoxb-newer")));
    let refreshes = setup.calls("/api/oauth.v2.access");
    assert_eq!(refreshes.len(), 2);
    assert!(form(&refreshes[1]).contains(&("refresh_token".into(), "xoxe-2".into())));
    let spent = refreshes.iter().filter(|r| form(r).iter().any(|(_, v)| v == "xoxe-1")).count();
    assert_eq!(spent, 1, "the old refresh token is never used again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn processes_sharing_a_store_refresh_an_expired_token_once() {
    let setup = Setup::new().await;
    let processes: Vec<SlackOAuth> = (0..3).map(|_| setup.oauth()).collect();
    // Already expired: every process needs the new token.
    processes[0].installations().save(&rotating("xoxb-old", "xoxe-1", NOW - 1)).await.unwrap();
    setup.api.respond_once("POST", "/api/oauth.v2.access", refreshed("xoxb-new", "xoxe-2"));
    setup.api.respond(
        "POST",
        "/api/oauth.v2.access",
        FakeResponse::json(200, r#"{"ok":false,"error":"invalid_refresh_token"}"#),
    );
    let calls = processes.iter().flat_map(|p| (0..5).map(move |_| p.authorize(None, Some("T1"))));
    for found in join_all(calls).await {
        assert_eq!(found.unwrap().unwrap().bot_token, Some(Secret::new("xoxb-new")));
    }
    assert_eq!(setup.calls("/api/oauth.v2.access").len(), 1);
}

#[tokio::test]
async fn tokens_revoked_and_app_uninstalled_remove_what_they_name() {
    let setup = Setup::new().await;
    let oauth = setup.oauth();
    let installations = oauth.installations();
    let mut installation = rotating("xoxb-1", "xoxe-1", NOW + 43_200);
    installation.user_token = Some(Secret::new("xoxp-1"));
    installations.save(&installation).await.unwrap();
    // The router wants none of these events: the adapter handles them all the same.
    let bot = setup.bot(&oauth);

    let revoked = |id: &str, users: &[&str], bots: &[&str]| {
        event(id, json!({"type": "tokens_revoked", "tokens": {"oauth": users, "bot": bots}}))
    };
    assert_eq!(bot.handle(revoked("Ev1", &["U1"], &[])).await.status(), 200);
    let left = installations.find(None, Some("T1")).await.unwrap().unwrap();
    assert_eq!(left.user_token, None, "the user token is gone");
    assert_eq!(left.bot_token, Some(Secret::new("xoxb-1")), "the bot token stays");

    assert_eq!(bot.handle(revoked("Ev2", &[], &["USOMEONE-ELSE"])).await.status(), 200);
    assert!(installations.find(None, Some("T1")).await.unwrap().is_some(), "not named: kept");

    assert_eq!(bot.handle(revoked("Ev3", &[], &["UBOT"])).await.status(), 200);
    assert!(installations.find(None, Some("T1")).await.unwrap().is_none(), "no token left");

    installations.save(&installation).await.unwrap();
    let uninstalled = event("Ev4", json!({"type": "app_uninstalled"}));
    assert_eq!(bot.handle(uninstalled).await.status(), 200);
    assert!(installations.find(None, Some("T1")).await.unwrap().is_none());
    assert!(setup.calls("/api/oauth.v2.access").is_empty());
}

#[tokio::test]
async fn org_wide_installs_are_found_for_every_team_of_the_organisation() {
    let setup = Setup::new().await;
    let oauth = setup.oauth();
    let mut org = Installation::new(Some("E1".into()), None);
    org.bot_token = Some(Secret::new("xoxb-org"));
    oauth.installations().save(&org).await.unwrap();
    let found = oauth.authorize(Some("E1"), Some("T7")).await.unwrap().unwrap();
    assert_eq!(found.bot_token, Some(Secret::new("xoxb-org")));
    assert!(oauth.authorize(None, Some("T7")).await.unwrap().is_none());
    assert!(oauth.authorize(Some("E2"), Some("T7")).await.unwrap().is_none());
}

#[tokio::test]
async fn commands_and_interactions_use_their_teams_token() {
    let setup = Setup::new().await;
    let oauth = setup.oauth();
    for (team, token) in [("T2", "xoxb-two"), ("T3", "xoxb-three")] {
        let mut installation = Installation::new(None, Some(team.into()));
        installation.bot_token = Some(Secret::new(token));
        oauth.installations().save(&installation).await.unwrap();
    }
    let router = Router::new().command("post", post).on(MessageKind::Action, post);
    let bot = setup.bot_with(&oauth, router);

    let command = b"command=%2Fpost&text=&user_id=U1&channel_id=C1&team_id=T2".to_vec();
    assert_eq!(bot.handle(signed(FORM, command)).await.status(), 200);
    let interaction = json!({"type": "block_actions", "team": {"id": "T3"}, "user": {"id": "U1"},
                             "channel": {"id": "C1"}, "actions": [{"action_id": "a", "value": "v"}]});
    let body = payload_form(interaction.to_string().as_bytes());
    assert_eq!(bot.handle(signed(FORM, body)).await.status(), 200);

    setup.api.wait_for(2, Duration::from_secs(5)).await;
    let mut tokens: Vec<String> = setup
        .calls("/api/chat.postMessage")
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    tokens.sort();
    assert_eq!(tokens, ["Bearer xoxb-three", "Bearer xoxb-two"]);
    let mut teams: Vec<String> = setup
        .calls("/api/chat.postMessage")
        .iter()
        .map(|r| r.json()["text"].as_str().unwrap().to_owned())
        .collect();
    teams.sort();
    assert_eq!(teams, ["T2", "T3"], "the handler sees its installation");
}

#[tokio::test]
async fn a_refused_refresh_keeps_the_working_token_and_backs_off() {
    let setup = Setup::new().await;
    let oauth = setup.oauth();
    oauth.installations().save(&rotating("xoxb-old", "xoxe-1", NOW + 120)).await.unwrap();
    setup.api.respond(
        "POST",
        "/api/oauth.v2.access",
        FakeResponse::json(200, r#"{"ok":false,"error":"invalid_refresh_token"}"#),
    );
    for _ in 0..5 {
        let found = oauth.authorize(None, Some("T1")).await.unwrap().unwrap();
        assert_eq!(found.bot_token, Some(Secret::new("xoxb-old")), "still valid: still used");
    }
    assert_eq!(setup.calls("/api/oauth.v2.access").len(), 1, "not retried by every request");
    // Expired, and the lock's backoff over: the refusal is an error now.
    setup.clock.advance(Duration::from_secs(121));
    assert!(oauth.authorize(None, Some("T1")).await.is_err());
    assert_eq!(setup.calls("/api/oauth.v2.access").len(), 2);
}

#[tokio::test]
async fn an_expiring_user_token_is_refreshed_too() {
    let setup = Setup::new().await;
    let oauth = setup.oauth();
    let mut installation = rotating("xoxb-1", "xoxe-bot", NOW + 43_200);
    installation.user_token = Some(Secret::new("xoxp-old"));
    installation.user_refresh_token = Some(Secret::new("xoxe-user"));
    installation.user_token_expires_at = Some(NOW + 60);
    oauth.installations().save(&installation).await.unwrap();
    let body = json!({"ok": true, "access_token": "xoxp-new", "refresh_token": "xoxe-user-2",
                      "expires_in": 43_200, "token_type": "user"});
    setup.api.respond_once(
        "POST",
        "/api/oauth.v2.access",
        FakeResponse::json(200, body.to_string()),
    );

    let found = oauth.authorize(None, Some("T1")).await.unwrap().unwrap();
    assert_eq!(found.user_token, Some(Secret::new("xoxp-new")));
    assert_eq!(found.user_refresh_token, Some(Secret::new("xoxe-user-2")));
    assert_eq!(found.bot_token, Some(Secret::new("xoxb-1")), "the bot token was not due");
    let refreshes = setup.calls("/api/oauth.v2.access");
    assert_eq!(refreshes.len(), 1);
    assert!(form(&refreshes[0]).contains(&("refresh_token".into(), "xoxe-user".into())));
}

/// A slow refresh does not hold a request whose token still works: the request goes on with
/// that token, and the refresh, in its own task, still finishes and stores the new one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_refresh_serves_the_working_token_and_still_completes() {
    let setup = Setup::new().await;
    let oauth = setup.oauth();
    oauth.installations().save(&rotating("xoxb-old", "xoxe-1", NOW + 120)).await.unwrap();
    let slow = refreshed("xoxb-new", "xoxe-2").delay(Duration::from_secs(3));
    setup.api.respond_once("POST", "/api/oauth.v2.access", slow);

    let found = oauth.authorize(None, Some("T1")).await.unwrap().unwrap();
    assert_eq!(found.bot_token, Some(Secret::new("xoxb-old")), "the working token serves");
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let stored = oauth.installations().find(None, Some("T1")).await.unwrap().unwrap();
            if stored.bot_token == Some(Secret::new("xoxb-new")) {
                assert_eq!(stored.bot_refresh_token, Some(Secret::new("xoxe-2")));
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the refresh completed after its caller went on");
    assert_eq!(setup.calls("/api/oauth.v2.access").len(), 1);
}
