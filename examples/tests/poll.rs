//! `poll` over the real server with the fake platform API: posting, voting, moving a vote,
//! concurrent presses, a restart on the same SQLite file, unknown polls and ids. Presses are
//! real payloads (bolt-python's `block_actions`, slash-create's button press, from the
//! conformance corpus) with the ids, user and `response_url` of the test.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use chatbridge_core::testing::Exchange;
use chatbridge_examples::app::{DISCORD_PATH, SLACK_PATH};
use chatbridge_examples::bots::poll::{UNKNOWN_POLL, USAGE, router};
use chatbridge_examples::simulate::{Platform, Session};
use futures_util::future::join_all;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(10);
const FORM: &str = "application/x-www-form-urlencoded";

fn fixture(path: &str) -> String {
    let path = format!("{}/../conformance/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).expect("the conformance corpus is beside the examples")
}

static NEXT: AtomicU64 = AtomicU64::new(1);

/// bolt-python's `block_actions`, pressed by `user` on `action_id` of the message `1.2`,
/// answering at `{api}/hooks/press/{n}`.
fn slack_press(s: &Session, action_id: &str, user: &str) -> (http::Request<Bytes>, String) {
    let form = fixture("slack/interactions/bolt-python/block_actions.txt");
    let payload = form_urlencoded::parse(form.as_bytes())
        .find(|(k, _)| k == "payload")
        .map(|(_, v)| v.into_owned())
        .expect("a payload");
    let mut payload: Value = serde_json::from_str(&payload).expect("JSON");
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let hook = format!("/hooks/press/{n}");
    payload["actions"][0]["action_id"] = json!(action_id);
    payload["user"]["id"] = json!(user);
    payload["response_url"] = json!(format!("{}{hook}", s.simulator().api().url()));
    payload["trigger_id"] = json!(format!("{n}.222.valid"));
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload.to_string())
        .finish();
    (s.slack_signer().request(SLACK_PATH, FORM, body.into_bytes()), hook)
}

/// slash-create's button press, by `user` on `custom_id`, with an interaction id of its own.
fn discord_press(s: &Session, custom_id: &str, user: &str) -> http::Request<Bytes> {
    let mut body: Value =
        serde_json::from_str(&fixture("discord/slash-create/button.json")).expect("JSON");
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    body["id"] = json!(format!("{}", 1_200_000_000_000_000_000_u64 + n));
    body["token"] = json!(format!("press-token-{n}"));
    body["data"]["custom_id"] = json!(custom_id);
    body["member"]["user"]["id"] = json!(user);
    s.discord_signer().request(DISCORD_PATH, body.to_string())
}

/// The action ids of a posted poll's buttons (Slack blocks, Discord rows) and their labels.
fn buttons(json: &Value) -> Vec<(String, String)> {
    let rows = json["blocks"].as_array().or(json["data"]["components"].as_array());
    rows.into_iter()
        .flatten()
        .flat_map(|r| r["elements"].as_array().or(r["components"].as_array()).cloned())
        .flatten()
        .map(|e| {
            let id = e["action_id"].as_str().or(e["custom_id"].as_str()).unwrap_or_default();
            let label = e["text"]["text"].as_str().or(e["label"].as_str()).unwrap_or_default();
            (id.to_owned(), label.to_owned())
        })
        .collect()
}

fn labels(json: &Value) -> Vec<String> {
    buttons(json).into_iter().map(|(_, label)| label).collect()
}

/// Sends a Slack press and returns the update posted to its `response_url`.
async fn slack_vote(s: &Session, action_id: &str, user: &str) -> Value {
    let (request, hook) = slack_press(s, action_id, user);
    let exchange = s.simulator().send(request).await;
    assert_eq!(exchange.status, 200);
    assert!(exchange.body.is_empty(), "a press is acknowledged with an empty 200");
    let calls = wait_for_path(s, &hook).await;
    calls.json()
}

async fn wait_for_path(s: &Session, path: &str) -> chatbridge_core::testing::Recorded {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let calls = s.simulator().api().requests();
        if let Some(call) = calls.into_iter().find(|c| c.path == path) {
            return call;
        }
        assert!(tokio::time::Instant::now() < deadline, "no call to {path}");
        s.simulator().api_calls(usize::MAX, Duration::from_millis(50)).await;
    }
}

async fn slack_post(s: &Session, text: &str) -> Vec<String> {
    let posted = s.say(Platform::Slack, text).await.unwrap().json();
    assert_eq!(posted["response_type"], "in_channel");
    assert_eq!(posted["text"], "Lunch?");
    buttons(&posted).into_iter().map(|(id, _)| id).collect()
}

#[tokio::test]
async fn slack_posts_a_button_per_option_and_each_press_updates_the_counts() {
    let s = Session::start("poll", router()).await.unwrap();
    let posted = s.say(Platform::Slack, "/poll Lunch? | Pizza | Tacos | Salad").await.unwrap();
    let json = posted.json();
    assert_eq!(json["text"], "Lunch?");
    assert_eq!(labels(&json), ["Pizza", "Tacos", "Salad"]);
    let ids: Vec<String> = buttons(&json).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 3, "distinct ids");

    let update = slack_vote(&s, &ids[0], "U1").await;
    assert_eq!(update["replace_original"], true);
    assert_eq!(update["text"], "Lunch?");
    assert_eq!(labels(&update), ["Pizza · 1", "Tacos · 0", "Salad · 0"]);
    let update = slack_vote(&s, &ids[1], "U2").await;
    assert_eq!(labels(&update), ["Pizza · 1", "Tacos · 1", "Salad · 0"]);
    // U1 moves to Tacos; pressing it again changes nothing.
    let update = slack_vote(&s, &ids[1], "U1").await;
    assert_eq!(labels(&update), ["Pizza · 0", "Tacos · 2", "Salad · 0"]);
    let update = slack_vote(&s, &ids[1], "U1").await;
    assert_eq!(labels(&update), ["Pizza · 0", "Tacos · 2", "Salad · 0"]);
    s.finish().await;
}

#[tokio::test]
async fn usage_is_ephemeral_and_nothing_is_posted() {
    let s = Session::start("poll", router()).await.unwrap();
    for text in ["/poll help", "/poll Lunch? | Pizza", "/poll"] {
        let json = s.say(Platform::Slack, text).await.unwrap().json();
        assert_eq!(json["response_type"], "ephemeral", "{text}");
        assert_eq!(json["text"], USAGE);
        assert!(json.get("blocks").is_none());
    }
    let json = s.say(Platform::Discord, "/poll help").await.unwrap().json();
    assert_eq!((json["type"].clone(), json["data"]["flags"].clone()), (json!(4), json!(64)));
    assert!(s.simulator().bot().drain(WAIT).await);
    assert!(s.simulator().api().requests().is_empty(), "nothing was posted");
    s.finish().await;
}

#[tokio::test]
async fn discord_answers_with_buttons_and_updates_the_message_on_a_press() {
    let s = Session::start("poll", router()).await.unwrap();
    let json = s.say(Platform::Discord, "/poll Lunch? | Pizza | Tacos").await.unwrap().json();
    assert_eq!(json["type"], 4);
    assert_eq!(json["data"]["content"], "Lunch?");
    assert_eq!(json["data"]["components"][0]["type"], 1, "an action row");
    assert_eq!(labels(&json), ["Pizza", "Tacos"]);
    let ids: Vec<String> = buttons(&json).into_iter().map(|(id, _)| id).collect();
    assert_ne!(ids[0], ids[1]);

    let press = |id: &str, user: &str| s.simulator().send(discord_press(&s, id, user));
    let update = press(&ids[0], "101").await.json();
    assert_eq!(update["type"], 7, "the message is updated in the response");
    assert_eq!(update["data"]["content"], "Lunch?");
    assert_eq!(labels(&update), ["Pizza · 1", "Tacos · 0"]);
    let update = press(&ids[1], "101").await.json();
    assert_eq!(labels(&update), ["Pizza · 0", "Tacos · 1"]);
    let update = press(&ids[1], "102").await.json();
    assert_eq!(labels(&update), ["Pizza · 0", "Tacos · 2"]);
    s.finish().await;
}

#[tokio::test]
async fn lex_answers_with_a_response_card_of_at_most_five_options() {
    let s = Session::start("poll", router()).await.unwrap();
    let json = s.say(Platform::Lex, "Lunch? | Pizza | Tacos").await.unwrap().json();
    let messages = json["messages"].as_array().unwrap();
    assert_eq!(messages[0]["content"], "Lunch?");
    let card = &messages[1]["imageResponseCard"];
    assert_eq!(messages[1]["contentType"], "ImageResponseCard");
    assert_eq!(card["title"], "Lunch?");
    assert_eq!(
        card["buttons"],
        json!([{"text": "Pizza", "value": "Pizza"}, {"text": "Tacos", "value": "Tacos"}])
    );
    let six = s.say(Platform::Lex, "Q | a | b | c | d | e | f").await.unwrap();
    assert_eq!(six.status, 200);
    let text = six.json()["messages"][0]["content"].as_str().unwrap_or_default().to_owned();
    assert!(text.contains("at most 5"), "{text}");
    assert!(six.json()["messages"].as_array().is_some_and(|m| m.len() == 1));
    s.finish().await;
}

#[tokio::test]
async fn presses_at_the_same_moment_are_all_counted() {
    let s = Session::start("poll", router()).await.unwrap();
    let ids = slack_post(&s, "/poll Lunch? | Pizza | Tacos").await;
    let presses: Vec<_> =
        (0..12).map(|i| slack_press(&s, &ids[i % 2], &format!("U{i}")).0).collect();
    let answers: Vec<Exchange> = join_all(presses.into_iter().map(|r| s.simulator().send(r))).await;
    assert!(answers.iter().all(|a| a.status == 200));
    s.simulator().api_calls(12, WAIT).await;
    // A repeated vote changes nothing and shows the counts.
    let update = slack_vote(&s, &ids[0], "U0").await;
    assert_eq!(labels(&update), ["Pizza · 6", "Tacos · 6"]);
    let json = s.say(Platform::Discord, "/poll Lunch? | Pizza | Tacos").await.unwrap().json();
    let ids: Vec<String> = buttons(&json).into_iter().map(|(id, _)| id).collect();
    let presses: Vec<_> = (0..10).map(|i| discord_press(&s, &ids[0], &format!("{i}"))).collect();
    join_all(presses.into_iter().map(|r| s.simulator().send(r))).await;
    let update = s.simulator().send(discord_press(&s, &ids[1], "99")).await.json();
    assert_eq!(labels(&update), ["Pizza · 10", "Tacos · 1"]);
    s.finish().await;
}

#[tokio::test]
async fn counts_survive_a_restart_and_two_bots_on_one_sqlite_file_share_them() {
    let dir = std::env::temp_dir().join(format!("chatbridge-poll-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("poll.db");
    let store = file.to_str().unwrap().to_owned();
    let first = Session::start_with_store("poll", router(), &store).await.unwrap();
    let ids = slack_post(&first, "/poll Lunch? | Pizza | Tacos").await;
    slack_vote(&first, &ids[0], "U1").await;
    first.finish().await;

    // The bot restarts on the same file; a second one runs beside it.
    let again = Session::start_with_store("poll", router(), &store).await.unwrap();
    let beside = Session::start_with_store("poll", router(), &store).await.unwrap();
    let update = slack_vote(&again, &ids[1], "U2").await;
    assert_eq!(labels(&update), ["Pizza · 1", "Tacos · 1"]);
    let (a, b) = (slack_press(&again, &ids[0], "U3").0, slack_press(&beside, &ids[0], "U4").0);
    let (a, b) = tokio::join!(again.simulator().send(a), beside.simulator().send(b));
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (200, 200));
    again.simulator().api_calls(2, WAIT).await;
    beside.simulator().api_calls(1, WAIT).await;
    let update = slack_vote(&beside, &ids[1], "U2").await;
    assert_eq!(labels(&update), ["Pizza · 3", "Tacos · 1"]);
    again.finish().await;
    beside.finish().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_unknown_poll_gets_a_polite_private_answer_and_an_unknown_id_nothing() {
    let s = Session::start("poll", router()).await.unwrap();
    let update = slack_vote(&s, "vote:nosuchpoll:0", "U1").await;
    assert_eq!(update["text"], UNKNOWN_POLL);
    assert_eq!(update["response_type"], "ephemeral");
    assert_eq!(update["replace_original"], false);
    let json = s.simulator().send(discord_press(&s, "vote:nosuchpoll:1", "7")).await.json();
    assert_eq!((json["type"].clone(), json["data"]["flags"].clone()), (json!(4), json!(64)));
    assert_eq!(json["data"]["content"], UNKNOWN_POLL);

    // No route wants these ids: acknowledged, nothing runs.
    let before = s.simulator().api().requests().len();
    let (request, _) = slack_press(&s, "something-else", "U1");
    let exchange = s.simulator().send(request).await;
    assert_eq!((exchange.status.as_u16(), exchange.body.len()), (200, 0));
    let json = s.simulator().send(discord_press(&s, "something-else", "7")).await.json();
    assert_eq!(json["type"], 6, "a component nobody wants is acknowledged without a change");
    assert!(s.simulator().bot().drain(WAIT).await);
    assert_eq!(s.simulator().api().requests().len(), before);

    // A payload that is not JSON is a 400.
    let bad = s.slack_signer().request(SLACK_PATH, FORM, b"payload=%7Bnot-json".to_vec());
    assert_eq!(s.simulator().send(bad).await.status, 400);
    s.finish().await;
}
