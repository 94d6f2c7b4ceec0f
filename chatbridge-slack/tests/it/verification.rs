//! Verification through `Bot::handle`: Slack's published example, every kind of bad
//! signature, and the unsigned `ssl_check` probe with the tricks that tried to ride on it.

use std::sync::Arc;

use crate::common::*;
use bytes::Bytes;
use chatbridge_core::clock::ManualClock;
use chatbridge_core::{MessageKind, Reply, Secret};
use chatbridge_slack::SlackAdapter;
use http::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn url_verification_is_verified_too() {
    let (bot, _) = bot(None);
    let response = bot.handle(unsigned(JSON, fixture("url_verification.json"))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn published_example_verifies_at_its_own_timestamp() {
    let adapter = SlackAdapter::builder(Secret::new("8f742231b10e8888abcd99yyyzzz85a5"))
        .clock(Arc::new(ManualClock::at_unix(1_531_420_618)))
        .build()
        .unwrap();
    let (bot, mut seen) = bot_with(adapter, None);
    let request = http::Request::post(PATH)
        .header("content-type", FORM)
        .header("X-Slack-Request-Timestamp", "1531420618")
        .header(
            "X-Slack-Signature",
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
        )
        .body(Bytes::from(fixture("published_example.txt")))
        .unwrap();
    let response = bot.handle(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let msg = seen.next().await;
    assert_eq!(msg.kind, MessageKind::Command);
    assert_eq!(msg.command_name(), Some("webhook-collect"));
    assert_eq!(msg.conversation, "G8PSS9T3V");
}

#[tokio::test]
async fn every_verification_failure_is_a_401_and_reaches_no_handler() {
    let (bot, mut seen) = bot(Some(Reply::text("should never be sent")));
    let body = fixture("message_channel.json");
    let good = signed(JSON, body.clone());
    let sig = good.headers()["x-slack-signature"].to_str().unwrap().to_owned();
    let with = |ts: &str, sig: &str, body: Vec<u8>| {
        let mut r = unsigned(JSON, body);
        if !ts.is_empty() {
            r.headers_mut().insert("x-slack-request-timestamp", ts.parse().unwrap());
        }
        if !sig.is_empty() {
            r.headers_mut().insert("x-slack-signature", sig.parse().unwrap());
        }
        r
    };
    let now = NOW.to_string();
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'L').unwrap();
    tampered[at] = b'l';
    let wrong_secret = {
        let s = chatbridge_slack::verify::sign(&Secret::new("another-secret"), NOW, &body);
        with(&now, &s, body.clone())
    };
    let cases = vec![
        ("no headers", unsigned(JSON, body.clone())),
        ("no signature", with(&now, "", body.clone())),
        ("no timestamp", with("", &sig, body.clone())),
        ("not v0", with(&now, &sig.replacen("v0=", "v1=", 1), body.clone())),
        ("not hex", with(&now, &format!("v0={}", "zz".repeat(32)), body.clone())),
        ("short", with(&now, &sig[..20], body.clone())),
        ("bad timestamp", with("yesterday", &sig, body.clone())),
        ("wrong secret", wrong_secret),
        ("stale", signed_at(JSON, body.clone(), NOW - 301)),
        ("future", signed_at(JSON, body.clone(), NOW + 301)),
        ("tampered", with(&now, &sig, tampered)),
    ];
    for (name, request) in cases {
        let response = bot.handle(request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
        let text = String::from_utf8_lossy(response.body()).to_string();
        assert!(!text.contains(&sig[3..]), "{name}: {text}");
    }
    seen.none().await;
}

#[tokio::test]
async fn header_names_are_case_insensitive() {
    let (bot, mut seen) = bot(None);
    let body = fixture("app_mention.json");
    let signature = chatbridge_slack::verify::sign(&Secret::new(SECRET), NOW, &body);
    let request = http::Request::post(PATH)
        .header("CONTENT-TYPE", "Application/JSON; charset=UTF-8")
        .header("X-SLACK-REQUEST-TIMESTAMP", NOW.to_string())
        .header("x-slack-signature", signature)
        .body(Bytes::from(body))
        .unwrap();
    assert_eq!(bot.handle(request).await.status(), StatusCode::OK);
    seen.next().await;
}

#[tokio::test]
async fn bare_ssl_check_gets_an_empty_200_and_reaches_no_handler() {
    let (bot, mut seen) = bot(Some(Reply::text("nope")));
    let response = bot.handle(unsigned(FORM, b"ssl_check=1&token=abc".to_vec())).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.body().is_empty());
    seen.none().await;
}

#[tokio::test]
async fn ssl_check_smuggling_is_verified_and_refused() {
    let (bot, mut seen) = bot(Some(Reply::text("nope")));
    let command = fixture_with_url("slash_command.txt", "https://hooks.slack.com/c", true);
    let mut with_command = b"ssl_check=1&".to_vec();
    with_command.extend_from_slice(&command);
    let mut true_trick = b"ssl_check=true&".to_vec();
    true_trick.extend_from_slice(&command);
    let mut payload = payload_form(&fixture("block_actions.json"));
    payload.extend_from_slice(b"&ssl_check=1");
    let mut json_event: Value = serde_json::from_slice(&fixture("message_channel.json")).unwrap();
    json_event["ssl_check"] = json!("1");
    let cases = vec![
        ("ssl_check with a command", unsigned(FORM, with_command)),
        ("ssl_check=true", unsigned(FORM, true_trick)),
        ("bare ssl_check=true", unsigned(FORM, b"ssl_check=true".to_vec())),
        ("ssl_check twice", unsigned(FORM, b"ssl_check=1&ssl_check=1".to_vec())),
        ("ssl_check in a payload form", unsigned(FORM, payload)),
        ("ssl_check in JSON", unsigned(JSON, serde_json::to_vec(&json_event).unwrap())),
        (
            "an oversized probe",
            unsigned(FORM, format!("ssl_check=1&token={}", "x".repeat(300)).into()),
        ),
    ];
    for (name, request) in cases {
        let response = bot.handle(request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
    }
    seen.none().await;
}

/// A request the inbox runs again after a crash carries its arrival time: the five-minute
/// window is checked against that, not now; nothing from the network can set it.
#[tokio::test]
async fn a_redelivered_request_is_verified_as_of_its_arrival() {
    use chatbridge_core::host::Redelivery;
    use std::time::{Duration, UNIX_EPOCH};

    let (bot, mut seen) = bot(None);
    let an_hour_ago = NOW - 3600;
    let request = || signed_at(JSON, fixture("message_channel.json"), an_hour_ago);
    assert_eq!(bot.handle(request()).await.status(), StatusCode::UNAUTHORIZED);

    let mut stale = request();
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    stale.extensions_mut().insert(Redelivery { received: now });
    assert_eq!(bot.handle(stale).await.status(), StatusCode::UNAUTHORIZED, "still an hour old");

    let mut redelivered = request();
    let arrived = UNIX_EPOCH + Duration::from_secs(an_hour_ago + 1);
    redelivered.extensions_mut().insert(Redelivery { received: arrived });
    assert_eq!(bot.handle(redelivered).await.status(), StatusCode::OK);
    assert_eq!(seen.next().await.kind, MessageKind::Message);
}
