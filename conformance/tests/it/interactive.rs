//! Routing by id on real payloads: Slack's `block_actions`, `view_submission`,
//! `block_suggestion` and shortcuts, Discord's component presses, selects, modal submits and
//! autocomplete reach the route for their id, through the real server and the Lambda host,
//! with the same neutral [`Action`](chatbridge_core::Action) on both platforms: the id, the
//! chosen values, the fields by name and the message the element is on.

use std::time::Duration;

use bytes::Bytes;
use chatbridge_conformance::fixtures;
use chatbridge_core::{Context, Message, Router};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::discord::jsonc_to_json;
use crate::harness::{DISCORD, Harness, SLACK, discord_signer, slack_signer};

/// What a route saw: its name, the kind, the action's id, values, fields and source, and the
/// captures it asked for.
type Seen = Value;

fn record(route: &'static str, seen: mpsc::UnboundedSender<Seen>) -> impl chatbridge_core::Handler {
    move |_cx: Context, msg: Message| {
        let seen = seen.clone();
        async move {
            let action = msg.action.clone().unwrap_or_default();
            let fields: serde_json::Map<String, Value> = action
                .fields
                .iter()
                .map(|(name, values)| {
                    (name.to_string(), json!(values.iter().map(|v| v.as_str()).collect::<Vec<_>>()))
                })
                .collect();
            let _ = seen.send(json!({
                "route": route,
                "kind": msg.kind.name(),
                "id": action.id.as_str(),
                "values": action.values.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
                "fields": fields,
                "source": action.source.as_ref().map(|s| json!([s.id.as_str(), s.conversation.as_str()])),
                "trigger": action.trigger.is_some(),
                "param": msg.param("x"),
            }));
        }
    }
}

/// Routes for the ids in the corpus, with one capture, and one id no payload has.
fn router(seen: &mpsc::UnboundedSender<Seen>) -> Router {
    Router::new()
        .action("never-sent", record("unused", seen.clone()))
        .action("{x}", record("action", seen.clone()))
        .submission("{x}", record("submission", seen.clone()))
        .options("{x}", record("options", seen.clone()))
        .shortcut("test-{x}", record("shortcut", seen.clone()))
}

fn slack_form(name: &str) -> Vec<u8> {
    let fixture =
        fixtures("slack", "").into_iter().find(|f| f.name.replace('\\', "/").ends_with(name));
    fixture.unwrap_or_else(|| panic!("{name} is in the corpus")).bytes
}

fn discord_body(name: &str) -> Vec<u8> {
    let fixture =
        fixtures("discord", "").into_iter().find(|f| f.name.replace('\\', "/").ends_with(name));
    let fixture = fixture.unwrap_or_else(|| panic!("{name} is in the corpus"));
    if name.ends_with(".jsonc") {
        jsonc_to_json(&String::from_utf8_lossy(&fixture.bytes)).into_bytes()
    } else {
        fixture.bytes
    }
}

/// Sends one request to both hosts and returns what the routes saw (twice the same) and the
/// answers' statuses.
async fn route(request: http::Request<Bytes>) -> (Vec<Seen>, Vec<u16>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let harness = Harness::start(router(&tx)).await;
    let answers = harness.both(&request).await;
    let statuses = answers.iter().map(|a| a.status.as_u16()).collect();
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(one)) => seen.push(one),
            _ => break,
        }
    }
    harness.stop().await;
    (seen, statuses)
}

async fn slack(name: &str) -> Value {
    let request =
        slack_signer().request(SLACK, "application/x-www-form-urlencoded", slack_form(name));
    let (seen, statuses) = route(request).await;
    assert_eq!(statuses, [200, 200], "{name}");
    assert_eq!(seen.len(), 2, "{name}: routed on both hosts");
    assert_eq!(seen[0], seen[1], "{name}: the same on both hosts");
    seen[0].clone()
}

async fn discord(name: &str) -> Value {
    let (seen, statuses) = route(discord_signer().request(DISCORD, discord_body(name))).await;
    assert_eq!(statuses, [200, 200], "{name}");
    assert_eq!(seen.len(), 2, "{name}: routed on both hosts");
    seen[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_interactions_reach_the_route_for_their_id() {
    let press = slack("interactions/bolt-python/block_actions.txt").await;
    assert_eq!(press["route"], "action");
    assert_eq!((press["id"].clone(), press["param"].clone()), (json!("a"), json!("a")));
    assert_eq!(press["values"], json!(["click_me_123"]));
    assert_eq!(press["source"], json!(["111.222", "C111"]));
    assert_eq!(press["trigger"], true);

    let form = slack("interactions/bolt-python/view_submission.txt").await;
    assert_eq!(
        (form["route"].clone(), form["id"].clone()),
        (json!("submission"), json!("view-id"))
    );
    assert_eq!(form["fields"], json!({"maBWU": ["test"]}));

    let typed = slack("interactions/bolt-python/block_suggestion.txt").await;
    assert_eq!((typed["route"].clone(), typed["id"].clone()), (json!("options"), json!("es_a")));
    assert_eq!(typed["values"], json!(["search word"]));

    let shortcut = slack("interactions/bolt-python/shortcut.txt").await;
    assert_eq!(shortcut["route"], "shortcut");
    assert_eq!(
        (shortcut["id"].clone(), shortcut["param"].clone()),
        (json!("test-shortcut"), json!("shortcut"))
    );
    let on_message = slack("interactions/bolt-python/message_action.txt").await;
    assert_eq!(
        (on_message["kind"].clone(), on_message["route"].clone()),
        (json!("shortcut"), json!("shortcut"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_interactions_reach_the_route_for_their_id() {
    let press = discord("slash-create/button.json").await;
    assert_eq!((press["route"].clone(), press["id"].clone()), (json!("action"), json!("0")));
    assert_eq!(press["values"], json!([]), "a Discord button carries no value");
    assert_eq!(press["source"], json!(["1234", "0"]), "the message's own channel_id");

    let select = discord("slash-create/string_select.json").await;
    assert_eq!(select["values"], json!(["1", "2"]));

    let modal = discord("slash-create/modal_action_row.json").await;
    assert_eq!(
        (modal["route"].clone(), modal["id"].clone()),
        (json!("submission"), json!("modal"))
    );
    assert_eq!(modal["fields"], json!({"text": ["hi"]}));
    let labelled = discord("discord-api-docs/text_input_modal.jsonc").await;
    assert_eq!(labelled["id"], "game_feedback_modal");
    assert_eq!(
        labelled["fields"]["game_feedback"][0],
        "The recent changes to acceleration feel much better, but shadows still need help"
    );
    let checkbox = discord("discord-api-docs/checkbox_group_modal.jsonc").await;
    assert!(checkbox["fields"].as_object().is_some_and(|f| !f.is_empty()), "{checkbox}");

    let typed = discord("discord-api-docs/autocomplete.json").await;
    assert_eq!(
        (typed["route"].clone(), typed["id"].clone()),
        (json!("options"), json!("airhorn:variant"))
    );
    assert_eq!(typed["values"], json!(["data a user is typ"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_no_route_wants_is_acknowledged_and_runs_nothing() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let harness = Harness::start(Router::new().action("only-this", record("action", tx))).await;
    let slack = slack_signer().request(
        SLACK,
        "application/x-www-form-urlencoded",
        slack_form("interactions/bolt-python/block_actions.txt"),
    );
    for answer in harness.both(&slack).await {
        assert_eq!((answer.status.as_u16(), answer.body.len()), (200, 0), "{}", answer.host);
    }
    let discord = discord_signer().request(DISCORD, discord_body("slash-create/button.json"));
    for answer in harness.both(&discord).await {
        assert_eq!(answer.status, 200);
        assert_eq!(answer.json(), json!({"type": 6}), "{}: acknowledged, unchanged", answer.host);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(rx.try_recv().is_err(), "no handler ran");
    harness.stop().await;
}
