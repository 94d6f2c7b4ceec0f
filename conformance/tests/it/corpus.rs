//! The corpus itself: every file is listed in `SOURCES.md`, and every JSON file parses.

use chatbridge_conformance::{fixtures, root};

#[test]
fn every_fixture_names_its_source() {
    let sources = std::fs::read_to_string(root().join("SOURCES.md")).expect("SOURCES.md");
    for dir in ["discord", "slack", "slack-socket-mode", "lex", "lambda"] {
        for fixture in fixtures(dir, "") {
            let name = fixture.name.replace('\\', "/");
            assert!(sources.contains(&format!("`{name}`")), "{name} is not listed in SOURCES.md");
        }
    }
}

#[test]
fn every_json_fixture_is_json() {
    for dir in ["discord", "slack", "slack-socket-mode", "lex", "lambda"] {
        for fixture in fixtures(dir, ".json") {
            let _ = fixture.json();
        }
    }
}

/// The harness itself: a signed PING is answered PONG by both hosts, a tampered one 401.
#[tokio::test]
async fn harness_answers_on_both_hosts() {
    use crate::harness::{DISCORD, DISCORD_APP, Harness, discord_signer};
    let harness = Harness::start(chatbridge_core::Router::new()).await;
    let body = format!(
        r#"{{"id":"1","application_id":"{DISCORD_APP}","type":1,"token":"t","version":1}}"#
    );
    let request = discord_signer().request(DISCORD, body.clone());
    for answer in harness.both(&request).await {
        assert_eq!(answer.status, 200, "{}", answer.host);
        assert_eq!(answer.json(), serde_json::json!({"type": 1}), "{}", answer.host);
    }
    let mut tampered = request;
    *tampered.body_mut() = body.replace("\"t\"", "\"u\"").into();
    for answer in harness.both(&tampered).await {
        assert_eq!(answer.status, 401, "{}", answer.host);
    }
    harness.stop().await;
}
