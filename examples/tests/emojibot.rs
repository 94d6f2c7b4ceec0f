//! emojibot over the real server, with signed requests, on every platform it serves.

use std::time::Duration;

use chatbridge_core::testing::Recorded;
use chatbridge_examples::app::{LEX_PATH, SLACK_PATH};
use chatbridge_examples::bots::emojibot;
use chatbridge_examples::simulate::{Platform, Session, lex_v2_event};
use chatbridge_slack::testing::payload;
use serde_json::json;

async fn session() -> Session {
    Session::start("emojibot", emojibot::router()).await.unwrap()
}

fn calls_to(session: &Session, suffix: &str) -> Vec<Recorded> {
    session.simulator().api().requests().into_iter().filter(|c| c.path.ends_with(suffix)).collect()
}

async fn settle(session: &Session) {
    assert!(session.simulator().bot().drain(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn slack_channel_message_gets_a_reaction_on_that_message() {
    let s = session().await;
    let exchange = s.say(Platform::Slack, "I love pizzas").await.unwrap();
    assert_eq!(exchange.status, 200);
    settle(&s).await;
    let reactions = calls_to(&s, "/api/reactions.add");
    assert_eq!(reactions.len(), 1);
    let form: Vec<(String, String)> = form_urlencoded_pairs(&reactions[0]);
    let get = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let json = reactions[0].json();
    let field = |k: &str| json[k].as_str().map(str::to_owned).or_else(|| get(k));
    assert_eq!(field("name").as_deref(), Some("pizza"));
    assert_eq!(field("channel").as_deref(), Some("C0SIMCHAN"));
    assert!(field("timestamp").unwrap().starts_with("1700000000."));
    assert_eq!(reactions[0].header("authorization"), Some("Bearer xoxb-simulated-token"));
    s.finish().await;
}

#[tokio::test]
async fn slack_dm_gets_the_emoji_as_a_reply() {
    let s = session().await;
    let body = payload::message("D0SIMDM", "tacos", true);
    let exchange =
        s.simulator().send(s.slack_signer().request(SLACK_PATH, payload::JSON, body)).await;
    assert_eq!(exchange.status, 200);
    settle(&s).await;
    let posts = calls_to(&s, "/api/chat.postMessage");
    assert_eq!(posts.len(), 1, "{:?}", s.simulator().api().requests());
    assert_eq!(posts[0].json()["text"], "🌮");
    assert!(calls_to(&s, "/api/reactions.add").is_empty());
    s.finish().await;
}

#[tokio::test]
async fn slack_never_reacts_to_itself_or_other_bots_or_to_nothing() {
    let s = session().await;
    let own = json!({
        "type": "event_callback", "team_id": "T0SIMULATE", "api_app_id": "A0SIMAPP", "event_id": "Ev0OWN1",
        "event_time": 1_700_000_000,
        "authorizations": [{"team_id": "T0SIMULATE", "user_id": "U0SIMBOT", "is_bot": true}],
        "event": {"type": "message", "channel": "C0SIMCHAN", "channel_type": "channel", "user": "U0SIMBOT",
                  "bot_id": "B0SIMBOT", "text": "pizza", "ts": "1700000000.000900"}
    });
    let other_bot = json!({
        "type": "event_callback", "team_id": "T0SIMULATE", "api_app_id": "A0SIMAPP", "event_id": "Ev0OTHER1",
        "event_time": 1_700_000_000,
        "authorizations": [{"team_id": "T0SIMULATE", "user_id": "U0SIMBOT", "is_bot": true}],
        "event": {"type": "message", "subtype": "bot_message", "channel": "C0SIMCHAN", "bot_id": "B0OTHER",
                  "text": "pizza", "ts": "1700000000.000901"}
    });
    for body in [own, other_bot] {
        let request = s.slack_signer().request(SLACK_PATH, payload::JSON, body.to_string());
        assert_eq!(s.simulator().send(request).await.status, 200);
    }
    s.say(Platform::Slack, "the of and").await.unwrap();
    settle(&s).await;
    assert!(calls_to(&s, "/api/reactions.add").is_empty());
    assert!(calls_to(&s, "/api/chat.postMessage").is_empty());
    s.finish().await;
}

#[tokio::test]
async fn discord_emoji_command_replies_with_the_emoji() {
    let s = session().await;
    let exchange = s.say(Platform::Discord, "/emoji pizza").await.unwrap();
    let json = exchange.json();
    assert_eq!(json["type"], 4);
    assert_eq!(json["data"]["content"], "🍕");
    s.finish().await;
}

#[tokio::test]
async fn discord_emojify_reacts_to_the_message_with_the_bot_token() {
    let s = session().await;
    let exchange = s.say(Platform::Discord, "pizza for lunch").await.unwrap();
    assert_eq!(exchange.json()["type"], 4);
    settle(&s).await;
    let reactions = calls_to(&s, "/@me");
    assert_eq!(reactions.len(), 1);
    assert_eq!(reactions[0].method, "PUT");
    assert!(
        reactions[0].path.contains("/messages/1165000000000000100/reactions/%F0%9F%8D%95"),
        "{}",
        reactions[0].path
    );
    assert_eq!(reactions[0].header("authorization"), Some("Bot simulated-discord-bot-token"));
    s.finish().await;
}

#[tokio::test]
async fn lex_replies_carry_the_emoji() {
    let s = session().await;
    let exchange = s.say(Platform::Lex, "pizza").await.unwrap();
    let json = exchange.json();
    assert_eq!(json["sessionState"]["dialogAction"]["type"], "Close");
    assert_eq!(json["messages"][0]["content"], "🍕");
    let mut v2 = lex_v2_event("Emojify", "tacos");
    v2["sessionId"] = json!("another-session");
    let exchange = s
        .simulator()
        .send(
            http::Request::post(LEX_PATH)
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(bytes::Bytes::from(v2.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(exchange.json()["messages"][0]["content"], "🌮");
    s.finish().await;
}

fn form_urlencoded_pairs(call: &Recorded) -> Vec<(String, String)> {
    form_urlencoded::parse(&call.body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}
