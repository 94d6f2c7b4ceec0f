//! The install flow over an SQLite file: the installation survives a restart (a new store on
//! the same file), and events after the restart use the installed token.

use std::sync::Arc;
use std::time::Duration;

use crate::common::{JSON, NOW, PATH, builder, signed};
use bytes::Bytes;
use chatbridge_core::clock::ManualClock;
use chatbridge_core::store::{SharedStore, SqliteStore};
use chatbridge_core::testing::{FakeApi, FakeResponse};
use chatbridge_core::{Bot, Context, Message, MessageKind, Reply, Router, Secret};
use chatbridge_slack::oauth::SlackOAuth;
use http::Request;
use serde_json::json;

async fn react(_cx: Context, _msg: Message) -> Reply {
    Reply::reaction("pizza")
}

fn bot(api: &FakeApi, path: &std::path::Path) -> (Bot, SlackOAuth) {
    let clock = ManualClock::at_unix(NOW);
    let store: SharedStore =
        Arc::new(SqliteStore::open(path).unwrap().with_clock(Arc::new(clock.clone())));
    let oauth = SlackOAuth::builder("123.456", Secret::new("client-secret"), Arc::clone(&store))
        .api_url(format!("{}/api/", api.url()))
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
        .routes(Bot::builder().store(store).mount(PATH, adapter))
        .handler(Router::new().on(MessageKind::Message, react))
        .build();
    (bot, oauth)
}

fn get(path: &str, cookie: Option<&str>) -> Request<Bytes> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Bytes::new()).unwrap()
}

#[tokio::test]
async fn installations_survive_a_restart_on_an_sqlite_file() {
    let dir = std::env::temp_dir().join(format!("chatbridge-oauth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("store.sqlite3");
    let _ = std::fs::remove_file(&file);
    let api = FakeApi::start().await;
    let answer = json!({"ok": true, "access_token": "xoxb-sqlite", "bot_user_id": "UBOT",
                        "app_id": "A1", "team": {"id": "T1", "name": "One"}});
    api.respond("POST", "/api/oauth.v2.access", FakeResponse::json(200, answer.to_string()));

    let (cookie, back) = {
        let (bot, _oauth) = bot(&api, &file);
        let page = bot.handle(get("/slack/install", None)).await;
        let cookie = page.headers()["set-cookie"].to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        let state = cookie.split_once('=').unwrap().1;
        let back = format!("/slack/oauth_redirect?code=c&state={state}");
        assert_eq!(bot.handle(get(&back, Some(&cookie))).await.status(), 200);
        (cookie, back)
    };

    // A new process: a new store on the same file, a new configuration, a new bot.
    let (bot, oauth) = bot(&api, &file);
    let found = oauth.installations().find(None, Some("T1")).await.unwrap().unwrap();
    assert_eq!(found.bot_token, Some(Secret::new("xoxb-sqlite")));
    assert_eq!(bot.handle(get(&back, Some(&cookie))).await.status(), 403, "still single use");
    let body = json!({"type": "event_callback", "team_id": "T1", "event_id": "Ev1",
                      "event": {"type": "message", "channel": "C1", "user": "U9",
                                "text": "hi", "ts": "1.1"}});
    assert_eq!(bot.handle(signed(JSON, body.to_string().into_bytes())).await.status(), 200);
    // oauth.v2.access, auth.test, then the reaction.
    let seen = api.wait_for(3, Duration::from_secs(5)).await;
    let reaction = seen.iter().find(|r| r.path == "/api/reactions.add").unwrap();
    assert_eq!(reaction.header("authorization"), Some("Bearer xoxb-sqlite"));
    let _ = std::fs::remove_dir_all(&dir);
}
