//! Installations as Bolt keeps them: the workspace's bot (the latest install wins) and one
//! record per installing user, so that every user keeps their own user token; lifecycle events
//! remove what they name.

use std::sync::Arc;

use crate::common::{FORM, JSON, NOW, PATH, builder, signed};
use bytes::Bytes;
use chatbridge_core::clock::ManualClock;
use chatbridge_core::store::{MemoryStore, SharedStore};
use chatbridge_core::testing::{FakeApi, FakeResponse};
use chatbridge_core::{Bot, Context, HandlerError, Message, Router, Secret};
use chatbridge_slack::SlackContextExt;
use chatbridge_slack::oauth::{Installation, SlackOAuth};
use http::Request;
use serde_json::json;
use sha2::{Digest, Sha256};

const WORKSPACE: &str = "slack/installation/-/T1";

struct Setup {
    api: FakeApi,
    store: SharedStore,
    oauth: SlackOAuth,
    bot: Bot,
}

/// Answers a command with the user token of the installation it was served with.
async fn whose_token(cx: Context, _msg: Message) -> Result<String, HandlerError> {
    let installation = cx.slack_installation().ok_or_else(|| HandlerError::msg("none"))?;
    let user = installation.user_token.as_ref().map_or("none", |t| t.expose_secret());
    let bot = installation.bot_token.as_ref().map_or("none", |t| t.expose_secret());
    Ok(format!("{user} {bot}"))
}

impl Setup {
    async fn new() -> Self {
        let api = FakeApi::start().await;
        api.respond("POST", "/api/auth.test", FakeResponse::json(200, r#"{"ok":true}"#));
        let clock = ManualClock::at_unix(NOW);
        let store: SharedStore = Arc::new(MemoryStore::with_clock(Arc::new(clock.clone())));
        let oauth =
            SlackOAuth::builder("123.456", Secret::new("client-secret"), Arc::clone(&store))
                .api_url(format!("{}/api/", api.url()))
                .scopes(["commands"])
                .user_scopes(["search:read"])
                .clock(Arc::new(clock.clone()))
                .build()
                .unwrap();
        let adapter = builder()
            .clock(Arc::new(clock))
            .api_url(format!("{}/api/", api.url()))
            .oauth(&oauth)
            .build()
            .unwrap();
        let bot = oauth
            .routes(Bot::builder().store(Arc::clone(&store)).mount(PATH, adapter))
            .handler(Router::new().command("whose", whose_token))
            .build();
        Self { api, store, oauth, bot }
    }

    /// One user's trip through the install page and the redirect, Slack granting `bot` and
    /// `user` tokens.
    async fn install(&self, user: &str, bot: &str, user_token: &str) {
        let answer = json!({"ok": true, "app_id": "A1", "access_token": bot, "scope": "commands",
                            "bot_user_id": "UBOT", "team": {"id": "T1", "name": "Jedi"},
                            "enterprise": null, "is_enterprise_install": false,
                            "authed_user": {"id": user, "scope": "search:read",
                                            "access_token": user_token, "token_type": "user"}});
        self.api.respond_once(
            "POST",
            "/api/oauth.v2.access",
            FakeResponse::json(200, answer.to_string()),
        );
        let page = self.bot.handle(get("/slack/install", None)).await;
        let cookie = page.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let state = cookie.split_once('=').unwrap().1;
        let stored = format!("slack/oauth-state/{}", hex::encode(Sha256::digest(state)));
        assert!(self.raw(&stored).await.is_some(), "the state is kept, hashed, at {stored}");
        let back = format!("/slack/oauth_redirect?code=code-{user}&state={state}");
        assert_eq!(self.bot.handle(get(&back, Some(&cookie))).await.status(), 200);
    }

    /// What the `whose` command answers when `user` runs it.
    async fn command_as(&self, user: &str) -> String {
        let body = format!(
            "command=%2Fwhose&text=&user_id={user}&channel_id=C1&team_id=T1&trigger_id={user}"
        );
        let response = self.bot.handle(signed(FORM, body.into_bytes())).await;
        assert_eq!(response.status(), 200);
        crate::common::json_body(&response)["text"].as_str().unwrap().to_owned()
    }

    async fn raw(&self, key: &str) -> Option<String> {
        let bytes = self.store.get(key).await.unwrap()?;
        Some(String::from_utf8(bytes.to_vec()).unwrap())
    }
}

fn get(path: &str, cookie: Option<&str>) -> Request<Bytes> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Bytes::new()).unwrap()
}

fn event(id: &str, event: serde_json::Value) -> Request<Bytes> {
    let body = json!({"type": "event_callback", "team_id": "T1", "event_id": id,
                      "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": true}],
                      "event": event});
    signed(JSON, body.to_string().into_bytes())
}

#[tokio::test]
async fn two_users_install_into_one_team_and_each_keeps_their_own_token() {
    let setup = Setup::new().await;
    setup.install("U1", "xoxb-first", "xoxp-one").await;
    setup.install("U2", "xoxb-second", "xoxp-two").await;
    let installations = setup.oauth.installations();

    for (user, token) in [("U1", "xoxp-one"), ("U2", "xoxp-two")] {
        let found = installations.find_user(None, Some("T1"), Some(user)).await.unwrap().unwrap();
        assert_eq!(found.user_id.as_deref(), Some(user));
        assert_eq!(found.user_token, Some(Secret::new(token)), "{user} keeps their token");
        assert_eq!(found.user_scopes, ["search:read"]);
        assert_eq!(found.bot_token, Some(Secret::new("xoxb-second")), "the latest bot token");
    }
    let latest = installations.find(None, Some("T1")).await.unwrap().unwrap();
    assert_eq!(latest.user_id.as_deref(), Some("U2"));
    assert_eq!(latest.user_token, Some(Secret::new("xoxp-two")));
    assert_eq!(latest.bot_token, Some(Secret::new("xoxb-second")));

    // Each token is stored once: the bot's with the workspace, a user's with that user.
    let workspace = setup.raw(WORKSPACE).await.unwrap();
    assert!(workspace.contains("xoxb-second") && !workspace.contains("xoxp"), "{workspace}");
    let own = setup.raw(&format!("{WORKSPACE}/user/U1")).await.unwrap();
    assert!(own.contains("xoxp-one") && !own.contains("xoxb"), "{own}");

    // A request is served with its own user's token, and never with another user's.
    assert_eq!(setup.command_as("U1").await, "xoxp-one xoxb-second");
    assert_eq!(setup.command_as("U2").await, "xoxp-two xoxb-second");
    assert_eq!(setup.command_as("U3").await, "none xoxb-second");
    let stranger = installations.find_user(None, Some("T1"), Some("U3")).await.unwrap().unwrap();
    assert_eq!((stranger.user_id, stranger.user_token), (None, None));
}

#[tokio::test]
async fn lifecycle_events_remove_what_they_name() {
    let setup = Setup::new().await;
    setup.install("U1", "xoxb-first", "xoxp-one").await;
    setup.install("U2", "xoxb-second", "xoxp-two").await;
    let installations = setup.oauth.installations();

    let revoked = event("Ev1", json!({"type": "tokens_revoked", "tokens": {"oauth": ["U1"]}}));
    assert_eq!(setup.bot.handle(revoked).await.status(), 200);
    let first = installations.find_user(None, Some("T1"), Some("U1")).await.unwrap().unwrap();
    assert_eq!(first.user_token, None, "U1's token is gone");
    assert_eq!(first.bot_token, Some(Secret::new("xoxb-second")), "the bot stays");
    let second = installations.find_user(None, Some("T1"), Some("U2")).await.unwrap().unwrap();
    assert_eq!(second.user_token, Some(Secret::new("xoxp-two")), "U2's token stays");

    // The bot revoked: the users' tokens still serve them.
    let revoked = event("Ev2", json!({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}));
    assert_eq!(setup.bot.handle(revoked).await.status(), 200);
    assert_eq!(setup.raw(WORKSPACE).await, None);
    let second = installations.find_user(None, Some("T1"), Some("U2")).await.unwrap().unwrap();
    assert_eq!((second.bot_token, second.user_token), (None, Some(Secret::new("xoxp-two"))));

    setup.install("U1", "xoxb-third", "xoxp-one-again").await;
    let uninstalled = event("Ev3", json!({"type": "app_uninstalled"}));
    assert_eq!(setup.bot.handle(uninstalled).await.status(), 200);
    for user in ["U1", "U2"] {
        assert!(installations.find_user(None, Some("T1"), Some(user)).await.unwrap().is_none());
        assert_eq!(setup.raw(&format!("{WORKSPACE}/user/{user}")).await, None);
    }
    assert_eq!(setup.raw(WORKSPACE).await, None);
    assert_eq!(setup.raw(&format!("{WORKSPACE}/users")).await, None);
}

/// Installs by many users at once lose none of them: an uninstall afterwards removes every
/// user's record.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_installs_are_all_removed_by_an_uninstall() {
    let store: SharedStore = Arc::new(MemoryStore::new());
    let installations = chatbridge_slack::oauth::InstallationStore::new(Arc::clone(&store));
    let saves = (0..16).map(|n| {
        let installations = installations.clone();
        tokio::spawn(async move {
            let mut installation = Installation::new(None, Some("T1".into()));
            installation.bot_token = Some(Secret::new(format!("xoxb-{n}")));
            installation.user_id = Some(format!("U{n}"));
            installation.user_token = Some(Secret::new(format!("xoxp-{n}")));
            installations.save(&installation).await
        })
    });
    for save in futures_util::future::join_all(saves).await {
        save.unwrap().unwrap();
    }
    let list: Vec<String> =
        serde_json::from_slice(&store.get(&format!("{WORKSPACE}/users")).await.unwrap().unwrap())
            .unwrap();
    assert_eq!(list.len(), 16, "{list:?}");

    installations.delete(None, Some("T1")).await.unwrap();
    for n in 0..16 {
        let own = store.get(&format!("{WORKSPACE}/user/U{n}")).await.unwrap();
        assert!(own.is_none(), "U{n}'s record is gone");
    }
    assert!(store.get(WORKSPACE).await.unwrap().is_none());
}

/// A workspace record written before users had records of their own holds its installer's
/// user token: another user's install keeps that token as the first user's own.
#[tokio::test]
async fn an_earlier_record_keeps_its_users_token_when_another_user_installs() {
    let setup = Setup::new().await;
    let mut earlier = Installation::new(None, Some("T1".into()));
    earlier.bot_token = Some(Secret::new("xoxb-first"));
    earlier.user_id = Some("U1".into());
    earlier.user_token = Some(Secret::new("xoxp-one"));
    let json = serde_json::to_vec(&earlier).unwrap();
    setup.store.put(WORKSPACE, Bytes::from(json), None).await.unwrap();
    let installations = setup.oauth.installations();
    let found = installations.find_user(None, Some("T1"), Some("U1")).await.unwrap().unwrap();
    assert_eq!(found.user_token, Some(Secret::new("xoxp-one")), "read as it was written");

    setup.install("U2", "xoxb-second", "xoxp-two").await;
    for (user, token) in [("U1", "xoxp-one"), ("U2", "xoxp-two")] {
        let found = installations.find_user(None, Some("T1"), Some(user)).await.unwrap().unwrap();
        assert_eq!(found.user_token, Some(Secret::new(token)), "{user}");
        assert_eq!(found.bot_token, Some(Secret::new("xoxb-second")));
    }
    let uninstalled = event("Ev1", json!({"type": "app_uninstalled"}));
    assert_eq!(setup.bot.handle(uninstalled).await.status(), 200);
    assert_eq!(setup.raw(&format!("{WORKSPACE}/user/U1")).await, None, "listed, so removed");
}
