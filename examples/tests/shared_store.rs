//! emojibot as two processes on one SQLite store, as two instances behind a load balancer: a
//! Slack event sent to one and its retry to the other at the same time gets one reaction; an
//! event whose first process is killed right after acknowledging it still gets exactly one,
//! from the other. Counted at the fake platform API.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use chatbridge_slack::testing::{TestSigner as SlackSigner, payload as slack_payload};
use support::{SLACK_SECRET, Setup, kill, stop};

/// A channel message emojibot reacts to, with an `event_id` no other run uses (the store
/// remembers event ids for an hour).
fn event() -> Vec<u8> {
    let body = slack_payload::message("C0SHARED", "I love pizza", false);
    let mut json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    json["event_id"] = format!("Ev{nanos}").into();
    serde_json::to_vec(&json).unwrap()
}

/// The event as Slack delivers it: the first time, or as retry `retry`.
fn delivery(body: &[u8], retry: Option<u32>) -> http::Request<Bytes> {
    let signer = SlackSigner::new(SLACK_SECRET);
    let mut request = signer.request("/slack/events", slack_payload::JSON, body.to_vec());
    if let Some(n) = retry {
        let headers = request.headers_mut();
        headers.insert("x-slack-retry-num", n.into());
        headers.insert("x-slack-retry-reason", http::HeaderValue::from_static("http_timeout"));
    }
    request
}

async fn post(url: &str, request: http::Request<Bytes>) -> u16 {
    let (parts, body) = request.into_parts();
    let response = reqwest::Client::new()
        .post(format!("{url}{}", parts.uri.path()))
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .expect("the bot answers");
    response.status().as_u16()
}

fn reactions(setup: &Setup) -> usize {
    setup.api.requests().iter().filter(|c| c.path.ends_with("reactions.add")).count()
}

async fn wait_for_a_reaction(setup: &Setup) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    while reactions(setup) == 0 {
        assert!(tokio::time::Instant::now() < deadline, "no reaction came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_and_its_retry_at_two_processes_at_once_get_one_reaction() {
    let setup = Setup::new(None).await;
    let (a, b) = (setup.start("emojibot", 1).await, setup.start("emojibot", 2).await);
    let body = event();
    let (first, retry) =
        tokio::join!(post(&a.url, delivery(&body, None)), post(&b.url, delivery(&body, Some(1))));
    assert_eq!((first, retry), (200, 200));
    wait_for_a_reaction(&setup).await;
    // Stopped gracefully, both deliver whatever they still had; after that nothing can come.
    stop(a);
    stop(b);
    assert_eq!(reactions(&setup), 1, "{}\n{}", setup.log(1), setup.log(2));
    let call = setup.api.requests().into_iter().find(|c| c.path.ends_with("reactions.add"));
    assert_eq!(call.map(|c| c.json()["name"].clone()), Some("pizza".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_whose_process_is_killed_after_acknowledging_gets_one_reaction_from_the_other() {
    let setup = Setup::new(None).await;
    let (a, b) = (setup.start("emojibot", 1).await, setup.start("emojibot", 2).await);
    assert_eq!(post(&a.url, delivery(&event(), None)).await, 200);
    kill(a);
    // Either the first process reacted before it died and the journal has it, or the other
    // process recovers the event once its lease expires and reacts.
    wait_for_a_reaction(&setup).await;
    setup.wait_for_empty_inbox("slack").await;
    stop(b);
    assert_eq!(reactions(&setup), 1, "{}\n{}", setup.log(1), setup.log(2));
}
