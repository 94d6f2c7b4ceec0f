//! OAuth v2 end to end: the real server on loopback, a fake Slack (`oauth.v2.access`,
//! `auth.test`, `reactions.add`) on loopback, and a browser that keeps cookies.

use std::sync::Arc;
use std::time::Duration;

use crate::common::{JSON, NOW, PATH, builder, signed};
use chatbridge_core::clock::ManualClock;
use chatbridge_core::host::server::Server;
use chatbridge_core::store::{MemoryStore, SharedStore};
use chatbridge_core::testing::{FakeApi, FakeResponse, Recorded};
use chatbridge_core::{Bot, Context, Message, MessageKind, Reply, Router, Secret};
use chatbridge_slack::oauth::{Installation, SlackOAuth};
use futures_util::future::join_all;
use serde_json::json;

const CLIENT_ID: &str = "123.456";
/// base64("123.456:client-secret")
const BASIC: &str = "Basic MTIzLjQ1NjpjbGllbnQtc2VjcmV0";
const AUTHORIZE: &str = "https://slack.test/oauth/v2/authorize";

async fn react(_cx: Context, _msg: Message) -> Reply {
    Reply::reaction("pizza")
}

struct App {
    api: FakeApi,
    base: String,
    clock: ManualClock,
    oauth: SlackOAuth,
    browser: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl App {
    async fn start() -> Self {
        let api = FakeApi::start().await;
        let clock = ManualClock::at_unix(NOW);
        let store: SharedStore = Arc::new(MemoryStore::with_clock(Arc::new(clock.clone())));
        let server = Server::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", server.local_addr().unwrap());
        let oauth = oauth(&api, &clock, &store, &base);
        let adapter = builder()
            .clock(Arc::new(clock.clone()))
            .api_url(format!("{}/api/", api.url()))
            .oauth(&oauth)
            .build()
            .unwrap();
        let bot = oauth
            .routes(Bot::builder().store(Arc::clone(&store)).mount(PATH, adapter))
            .handler(Router::new().on(MessageKind::Message, react))
            .build();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.serve_with_shutdown(bot, async {
            let _ = stopped.await;
        }));
        Self { api, base, clock, oauth, browser: browser(), stop: Some(stop) }
    }

    /// Opens the install page in `browser`; returns the state in the "Add to Slack" link.
    async fn install_page(&self, browser: &reqwest::Client) -> String {
        let response = browser.get(format!("{}/slack/install", self.base)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        let html = response.text().await.unwrap();
        let link = format!(
            "{AUTHORIZE}?client_id={CLIENT_ID}&amp;scope=chat%3Awrite%2Creactions%3Awrite&amp;user_scope=&amp;redirect_uri="
        );
        assert!(html.contains(&link), "{html}");
        assert!(html.contains("Add to Slack"));
        let state: String = html
            .split("state=")
            .nth(1)
            .unwrap()
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        assert_eq!(state.len(), 64, "256 bits of state");
        state
    }

    /// Slack sends `browser` back with `query`.
    async fn back(&self, browser: &reqwest::Client, query: &str) -> (u16, String) {
        let url = format!("{}/slack/oauth_redirect?{query}", self.base);
        let response = browser.get(url).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn event(&self, team: &str, event_id: &str) -> u16 {
        let body = json!({
            "type": "event_callback", "team_id": team, "api_app_id": "A1", "event_id": event_id,
            "authorizations": [{"team_id": team, "user_id": format!("UBOT-{team}"), "is_bot": true}],
            "event": {"type": "message", "channel": "C1", "user": "U9", "text": "pizza",
                      "ts": "1.1", "channel_type": "channel"}
        });
        self.post(body).await
    }

    async fn post(&self, body: serde_json::Value) -> u16 {
        let (parts, body) = signed(JSON, body.to_string().into_bytes()).into_parts();
        let url = format!("{}{PATH}", self.base);
        let response = self.browser.post(url).headers(parts.headers).body(body).send().await;
        response.unwrap().status().as_u16()
    }

    fn calls(&self, path: &str) -> Vec<Recorded> {
        self.api.requests().into_iter().filter(|r| r.path == path).collect()
    }

    async fn installation(&self, team: &str) -> Option<Installation> {
        self.oauth.installations().find(None, Some(team)).await.unwrap()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn oauth(api: &FakeApi, clock: &ManualClock, store: &SharedStore, base: &str) -> SlackOAuth {
    SlackOAuth::builder(CLIENT_ID, Secret::new("client-secret"), Arc::clone(store))
        .scopes(["chat:write", "reactions:write"])
        .redirect_uri(format!("{base}/slack/oauth_redirect"))
        .authorize_url(AUTHORIZE)
        .api_url(format!("{}/api/", api.url()))
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap()
}

/// A browser: keeps cookies, does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn access(team: &str, token: &str) -> FakeResponse {
    FakeResponse::json(
        200,
        json!({
            "ok": true, "access_token": token, "token_type": "bot",
            "scope": "chat:write,reactions:write", "bot_user_id": format!("UBOT-{team}"),
            "app_id": "A1", "team": {"id": team, "name": format!("Team <{team}>")},
            "enterprise": null, "is_enterprise_install": false,
            "authed_user": {"id": "U1"}
        })
        .to_string(),
    )
}

#[tokio::test]
async fn install_then_events_use_that_teams_token() {
    let app = App::start().await;
    app.api.respond(
        "POST",
        "/api/auth.test",
        FakeResponse::json(200, r#"{"ok":true,"user_id":"UBOT-T1","bot_id":"BBOT1"}"#),
    );
    app.api.respond_once("POST", "/api/oauth.v2.access", access("T1", "xoxb-team-one"));
    app.api.respond_once("POST", "/api/oauth.v2.access", access("T2", "xoxb-team-two"));

    let state = app.install_page(&app.browser).await;
    let (status, page) = app.back(&app.browser, &format!("code=code-1&state={state}")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Installed") && page.contains("Team &lt;T1&gt;"), "{page}");

    let exchange = &app.calls("/api/oauth.v2.access")[0];
    assert_eq!(exchange.header("authorization"), Some(BASIC), "client id and secret by HTTP Basic");
    let form: Vec<(String, String)> = form_urlencoded::parse(&exchange.body).into_owned().collect();
    assert!(form.contains(&("code".into(), "code-1".into())), "{form:?}");
    assert!(form.iter().any(|(k, v)| k == "redirect_uri" && v.ends_with("/slack/oauth_redirect")));
    assert!(!form.iter().any(|(k, _)| k == "client_secret"), "the secret is not in the body");

    let stored = app.installation("T1").await.unwrap();
    assert_eq!(stored.bot_token, Some(Secret::new("xoxb-team-one")));
    assert_eq!(stored.bot_user_id.as_deref(), Some("UBOT-T1"));
    assert_eq!(stored.bot_id.as_deref(), Some("BBOT1"), "from auth.test");
    assert_eq!(stored.bot_scopes, ["chat:write", "reactions:write"]);
    assert_eq!(stored.user_id.as_deref(), Some("U1"));
    assert_eq!(stored.installed_at, NOW);
    assert!(!format!("{stored:?}").contains("xoxb-team-one"), "Debug redacts tokens");

    // The same state again: refused, nothing exchanged.
    let (status, page) = app.back(&app.browser, &format!("code=code-1&state={state}")).await;
    assert_eq!(status, 403, "{page}");
    assert_eq!(app.calls("/api/oauth.v2.access").len(), 1);

    // A second workspace, from another browser.
    let other = browser();
    let state = app.install_page(&other).await;
    assert_eq!(app.back(&other, &format!("code=code-2&state={state}")).await.0, 200);

    assert_eq!(app.event("T1", "Ev1").await, 200);
    assert_eq!(app.event("T2", "Ev2").await, 200);
    app.api.wait_for(6, Duration::from_secs(5)).await;
    let mut tokens: Vec<String> = app
        .calls("/api/reactions.add")
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    tokens.sort();
    assert_eq!(tokens, ["Bearer xoxb-team-one", "Bearer xoxb-team-two"]);

    // The bot's own message in T1 (its bot user from the installation) is not answered.
    let own = json!({
        "type": "event_callback", "team_id": "T1", "event_id": "Ev3",
        "event": {"type": "message", "channel": "C1", "user": "UBOT-T1", "text": "pizza", "ts": "1.2"}
    });
    assert_eq!(app.post(own).await, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.calls("/api/reactions.add").len(), 2);
}

#[tokio::test]
async fn bad_redirects_are_refused_with_a_page_and_store_nothing() {
    let app = App::start().await;
    app.api.respond("POST", "/api/oauth.v2.access", access("T1", "xoxb-never"));

    // No cookie: the browser that comes back is not the one that started.
    let state = app.install_page(&app.browser).await;
    let (status, page) = app.back(&browser(), &format!("code=c&state={state}")).await;
    assert_eq!(status, 403);
    assert!(page.contains("did not start the installation"), "{page}");

    // A wrong state.
    let _ = app.install_page(&app.browser).await;
    let (status, page) = app.back(&app.browser, &format!("code=c&state={}", "0".repeat(64))).await;
    assert_eq!(status, 403);
    assert!(page.contains("does not belong to this browser"), "{page}");

    // Expired: 11 minutes later.
    let state = app.install_page(&app.browser).await;
    app.clock.advance(Duration::from_secs(11 * 60));
    let (status, page) = app.back(&app.browser, &format!("code=c&state={state}")).await;
    assert_eq!(status, 403);
    assert!(page.contains("expired or was already used"), "{page}");

    // Denied in Slack; the state is spent too.
    let state = app.install_page(&app.browser).await;
    let (status, page) =
        app.back(&app.browser, &format!("error=access_denied&state={state}")).await;
    assert_eq!(status, 403);
    assert!(page.contains("cancelled"), "{page}");
    let state2 = app.install_page(&app.browser).await;
    let (status, _) = app.back(&app.browser, &format!("code=c&state={state}")).await;
    assert_eq!(status, 403, "a denied state cannot be used afterwards");

    // Missing parameters.
    let (status, _) = app.back(&app.browser, &format!("state={state2}")).await;
    assert_eq!(status, 400);

    assert!(app.calls("/api/oauth.v2.access").is_empty(), "no code was exchanged");
    assert!(app.installation("T1").await.is_none());

    // Slack refuses the code.
    app.api.respond_once(
        "POST",
        "/api/oauth.v2.access",
        FakeResponse::json(200, r#"{"ok":false,"error":"invalid_code"}"#),
    );
    let state = app.install_page(&app.browser).await;
    let (status, page) = app.back(&app.browser, &format!("code=c&state={state}")).await;
    assert_eq!(status, 400);
    assert!(page.contains("Slack refused"), "{page}");
    assert!(!page.contains("invalid_code"), "Slack's error code is for the logs");
    assert!(app.installation("T1").await.is_none(), "nothing stored");
}

#[tokio::test]
async fn concurrent_duplicate_redirects_exchange_once() {
    let app = App::start().await;
    app.api.respond(
        "POST",
        "/api/oauth.v2.access",
        access("T1", "xoxb-1").delay(Duration::from_millis(100)),
    );
    let state = app.install_page(&app.browser).await;
    let query = format!("code=c&state={state}");
    let tries = (0..8).map(|_| app.back(&app.browser, &query));
    let statuses: Vec<u16> = join_all(tries).await.into_iter().map(|(s, _)| s).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(app.calls("/api/oauth.v2.access").len(), 1);
}
