//! The install page: its link asks for the scopes `SLACK_SCOPES` names, a link that asks for no
//! bot scopes is warned of (once), and its state cookie is `Secure` unless the redirect is plain
//! `http://`.

use std::sync::Arc;

use bytes::Bytes;
use chatbridge_core::Bot;
use chatbridge_core::store::MemoryStore;
use chatbridge_core::testing::LogCapture;
use chatbridge_slack::oauth::SlackOAuth;
use http::Request;

const WARNING: &str = "asks for no bot scopes";

fn oauth(scopes: Option<&str>) -> SlackOAuth {
    let scopes = scopes.map(str::to_owned);
    SlackOAuth::from_lookup(Arc::new(MemoryStore::new()), |name| match name {
        "SLACK_CLIENT_ID" => Some("123.456".into()),
        "SLACK_CLIENT_SECRET" => Some("client-secret".into()),
        "SLACK_SCOPES" => scopes.clone(),
        _ => None,
    })
    .unwrap()
}

/// The query parameters of the "Add to Slack" link on the install page.
async fn link_parameters(bot: &Bot) -> Vec<(String, String)> {
    let page = bot.handle(Request::get("/slack/install").body(Bytes::new()).unwrap()).await;
    assert_eq!(page.status(), 200);
    let html = std::str::from_utf8(page.body()).unwrap();
    let href = html.split("href=\"").nth(1).unwrap().split('"').next().unwrap();
    let query = href.replace("&amp;", "&");
    let query = query.split_once('?').unwrap().1;
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

fn parameter<'a>(parameters: &'a [(String, String)], name: &str) -> Option<&'a str> {
    parameters.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}

#[tokio::test]
async fn the_link_asks_for_the_configured_scopes_and_nothing_is_warned() {
    let capture = LogCapture::default();
    let _guard = capture.install();
    let oauth = oauth(Some(" chat:write, reactions:write ,commands"));
    let bot = oauth.routes(Bot::builder()).build();
    let parameters = link_parameters(&bot).await;
    assert_eq!(parameter(&parameters, "scope"), Some("chat:write,reactions:write,commands"));
    assert_eq!(parameter(&parameters, "client_id"), Some("123.456"));
    assert!(!capture.text().contains(WARNING), "{}", capture.text());
}

#[tokio::test]
async fn a_link_without_bot_scopes_is_warned_of_once() {
    let capture = LogCapture::default();
    let _guard = capture.install();
    let oauth = oauth(None);
    let bot = oauth.routes(Bot::builder()).build();
    assert!(capture.text().contains(WARNING), "warned when the page is built: {}", capture.text());
    let parameters = link_parameters(&bot).await;
    assert_eq!(parameter(&parameters, "scope"), Some(""));
    let _again = oauth.install_page();
    let _ = link_parameters(&bot).await;
    assert_eq!(capture.text().matches(WARNING).count(), 1, "{}", capture.text());
}

#[tokio::test]
async fn the_state_cookie_is_secure_unless_the_redirect_is_plain_http() {
    for (redirect, secure) in [
        ("https://bot.example/slack/oauth_redirect", true),
        ("http://127.0.0.1:3000/slack/oauth_redirect", false),
    ] {
        let oauth = SlackOAuth::builder(
            "123.456",
            chatbridge_core::Secret::new("s"),
            Arc::new(MemoryStore::new()),
        )
        .scopes(["commands"])
        .redirect_uri(redirect)
        .build()
        .unwrap();
        let bot = oauth.routes(Bot::builder()).build();
        let page = bot.handle(Request::get("/slack/install").body(Bytes::new()).unwrap()).await;
        let cookie = page.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert_eq!(cookie.contains("; Secure"), secure, "{redirect}: {cookie}");
    }
}
