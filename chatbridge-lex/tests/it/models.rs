//! Events written from the AWS docs: parsing, round trips, version detection, tolerant values
//! and the messaging-channel attributes.

use crate::common::{fixture, fixture_json, message, post};
use chatbridge_core::{AdapterError, MessageKind, Platform};
use chatbridge_lex::v1::{V1Event, V1Response};
use chatbridge_lex::v2::{V2Event, V2Response};
use chatbridge_lex::{
    ChannelPlatform, ConfirmationStatus, InputMode, IntentState, InvocationSource, LexAdapter,
    LexEvent, LexMessageExt, LexVersion, SlotShape,
};

const V1_FIXTURES: &[&str] = &[
    "v1/dialog_console.json",
    "v1/fulfillment_numeric.json",
    "v1/facebook.json",
    "v1/kik.json",
    "v1/slack.json",
    "v1/twilio.json",
];

const V2_FIXTURES: &[&str] = &[
    "v2/dialog_console.json",
    "v2/fulfillment_numeric.json",
    "v2/slack.json",
    "v2/facebook.json",
    "v2/twilio.json",
];

#[test]
fn every_fixture_is_detected_as_its_version() {
    for path in V1_FIXTURES {
        let event = LexEvent::from_slice(&fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(event.version(), LexVersion::V1, "{path}");
    }
    for path in V2_FIXTURES {
        let event = LexEvent::from_slice(&fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(event.version(), LexVersion::V2, "{path}");
    }
}

#[test]
fn parse_serialize_parse_round_trips() {
    for path in V1_FIXTURES {
        let first: V1Event = serde_json::from_slice(&fixture(path)).unwrap();
        let text = serde_json::to_string(&first).unwrap();
        let second: V1Event = serde_json::from_str(&text).unwrap();
        assert_eq!(first, second, "{path}");
        assert_eq!(LexEvent::from_slice(text.as_bytes()).unwrap().version(), LexVersion::V1);
    }
    for path in V2_FIXTURES {
        let first: V2Event = serde_json::from_slice(&fixture(path)).unwrap();
        let text = serde_json::to_string(&first).unwrap();
        let second: V2Event = serde_json::from_str(&text).unwrap();
        assert_eq!(first, second, "{path}");
        assert_eq!(LexEvent::from_slice(text.as_bytes()).unwrap().version(), LexVersion::V2);
    }
}

#[test]
fn a_v2_event_never_parses_as_v1_nor_the_reverse() {
    for path in V2_FIXTURES {
        let err = serde_json::from_slice::<V1Event>(&fixture(path)).unwrap_err();
        assert!(err.to_string().contains("missing field"), "{path}: {err}");
    }
    for path in V1_FIXTURES {
        let err = serde_json::from_slice::<V2Event>(&fixture(path)).unwrap_err();
        assert!(err.to_string().contains("missing field"), "{path}: {err}");
    }
    // Responses are not events either.
    let v2_response = r#"{"sessionState":{"dialogAction":{"type":"Close"}}}"#;
    assert!(LexEvent::from_slice(v2_response.as_bytes()).is_err());
    assert!(serde_json::from_str::<V2Response>(v2_response).is_ok());
    assert!(serde_json::from_str::<V1Response>(v2_response).is_err());
}

#[test]
fn bodies_of_neither_version_get_a_clear_400() {
    let adapter = LexAdapter::new();
    let cases: &[(&[u8], &str)] = &[
        (b"{}", "expected `currentIntent` (V1) or `sessionState` (V2)"),
        (br#"{"type":"event_callback","event":{}}"#, "expected `currentIntent`"),
        (b"[1,2]", "not a JSON object"),
        (b"not json", "not JSON"),
        (br#"{"currentIntent":{},"sessionState":{}}"#, "both"),
        (br#"{"currentIntent":{"name":"X"},"messageVersion":"1.0"}"#, "missing field `userId`"),
        (br#"{"sessionId":"s","sessionState":{},"bot":{"name":"B"}}"#, "`localeId`"),
    ];
    for (body, expected) in cases {
        let Err(err) = crate::common::try_accept(&adapter, post(body.to_vec())) else {
            panic!("{} parsed", String::from_utf8_lossy(body));
        };
        assert!(matches!(err, AdapterError::BadRequest(_)), "{err:?}");
        assert_eq!(err.status(), http::StatusCode::BAD_REQUEST);
        let text = err.to_string();
        assert!(text.contains("not a Lex V1 or V2 event"), "{text}");
        assert!(text.contains(expected), "{text} should mention {expected}");
    }
}

#[test]
fn wrong_types_are_reported_without_quoting_the_body() {
    let body = br#"{"messageVersion":"1.0","userId":"u","currentIntent":{"name":"X","slots":"private text"}}"#;
    let err = LexEvent::from_slice(body).unwrap_err().to_string();
    assert!(!err.contains("private text"), "{err}");
    assert!(err.contains("wrong type"), "{err}");
}

#[test]
fn v1_fields_from_the_docs() {
    let event: V1Event = serde_json::from_slice(&fixture("v1/dialog_console.json")).unwrap();
    assert_eq!(event.invocation_source, Some(InvocationSource::DialogCodeHook));
    assert_eq!(event.bot.alias.as_deref(), Some("$LATEST"));
    assert_eq!(event.current_intent.slots["FlowerType"].as_deref(), Some("roses"));
    assert_eq!(event.current_intent.slots["PickupDate"], None);
    assert_eq!(event.current_intent.confirmation_status, Some(ConfirmationStatus::None));
    let detail = event.current_intent.slot_details["FlowerType"].as_ref().unwrap();
    assert_eq!(detail.original_value.as_deref(), Some("roses"));
    assert_eq!(event.recent_intent_summary_view[0].slot_to_elicit.as_deref(), Some("PickupDate"));
    assert!(event.request_attributes.is_empty(), "null request attributes read as empty");
}

#[test]
fn numbers_and_booleans_become_strings() {
    let v1 = LexEvent::from_slice(&fixture("v1/fulfillment_numeric.json")).unwrap();
    assert_eq!(v1.slot("Count"), Some("12"));
    assert_eq!(v1.slot("GiftWrap"), Some("false"));
    assert_eq!(v1.session_attribute("orders"), Some("3"));
    assert_eq!(v1.session_attribute("vip"), Some("true"));
    assert_eq!(v1.session_attribute("discount"), Some("0.15"));
    assert_eq!(v1.request_attributes().get("retries"), Some("2"));

    let v2 = LexEvent::from_slice(&fixture("v2/fulfillment_numeric.json")).unwrap();
    assert_eq!(v2.slot("Count"), Some("12"));
    assert_eq!(v2.slot("GiftWrap"), Some("false"));
    assert_eq!(v2.slot("PickupDate"), None);
    assert_eq!(v2.session_attribute("vip"), Some("true"));
    let inner = v2.v2().unwrap();
    assert_eq!(inner.input_mode, Some(InputMode::Speech));
    let state = &inner.session_state.intent.as_ref().unwrap().state;
    assert_eq!(state, &Some(IntentState::ReadyForFulfillment));
    // Written back as strings.
    let written = serde_json::to_value(&v2).unwrap();
    assert_eq!(written["sessionState"]["sessionAttributes"]["orders"], "3");
    assert_eq!(
        written["sessionState"]["intent"]["slots"]["Count"]["value"]["interpretedValue"],
        "12"
    );
}

#[test]
fn v2_fields_from_the_docs() {
    let event: V2Event = serde_json::from_slice(&fixture("v2/dialog_console.json")).unwrap();
    assert_eq!(event.bot.locale_id, "en_US");
    assert_eq!(event.interpretations.len(), 2);
    let colors = event.interpretations[0].intent.slots["Colors"].as_ref().unwrap();
    assert_eq!(colors.shape, Some(SlotShape::List));
    assert_eq!(colors.values[1].interpreted(), Some("white"));
    assert_eq!(event.session_state.active_contexts[0].context_attributes["flower"], "roses");
    let proposed = event.proposed_next_state.as_ref().unwrap();
    assert_eq!(
        proposed.dialog_action.as_ref().unwrap().slot_to_elicit.as_deref(),
        Some("PickupDate")
    );
    assert_eq!(event.transcriptions.len(), 1);
}

#[test]
fn unknown_fields_and_enum_values_are_tolerated() {
    let mut event = fixture_json("v2/slack.json");
    event["brandNewField"] = serde_json::json!({"x": 1});
    event["invocationSource"] = "SomeFutureHook".into();
    event["sessionState"]["intent"]["state"] = "Pondering".into();
    let parsed = LexEvent::from_slice(event.to_string().as_bytes()).unwrap();
    assert_eq!(
        parsed.invocation_source(),
        Some(&InvocationSource::Unknown("SomeFutureHook".into()))
    );
    let written = serde_json::to_value(&parsed).unwrap();
    assert_eq!(written["sessionState"]["intent"]["state"], "Pondering");
}

#[test]
fn v1_channel_attributes_for_the_four_platforms() {
    let cases = [
        ("v1/facebook.json", ChannelPlatform::Facebook, Some("1234567890123456")),
        ("v1/kik.json", ChannelPlatform::Kik, None),
        ("v1/slack.json", ChannelPlatform::Slack, Some("U012AB3CD")),
        ("v1/twilio.json", ChannelPlatform::TwilioSms, Some("+15555550100")),
    ];
    for (path, platform, user) in cases {
        let event = LexEvent::from_slice(&fixture(path)).unwrap();
        let channel = event.channel().unwrap_or_else(|| panic!("{path}: no channel"));
        assert_eq!(channel.platform.as_ref(), Some(&platform), "{path}");
        assert!(channel.id.is_some() && channel.name.is_some(), "{path}");
        assert!(channel.webhook_endpoint_url.as_deref().unwrap().starts_with("https://"));
        assert_eq!(channel.user_id.as_deref(), user, "{path}");
    }
    let facebook = LexEvent::from_slice(&fixture("v1/facebook.json")).unwrap().channel().unwrap();
    assert_eq!(facebook.facebook_page_id.as_deref(), Some("987654321098765"));
    let kik = LexEvent::from_slice(&fixture("v1/kik.json")).unwrap().channel().unwrap();
    assert_eq!(kik.kik_chat_type.as_deref(), Some("direct"));
    assert_eq!(kik.kik_message_type.as_deref(), Some("text"));
    assert!(kik.kik_chat_id.is_some() && kik.kik_message_id.is_some());
    let twilio = LexEvent::from_slice(&fixture("v1/twilio.json")).unwrap().channel().unwrap();
    assert_eq!(twilio.twilio_target_phone_number.as_deref(), Some("+15555550199"));
    let slack = LexEvent::from_slice(&fixture("v1/slack.json")).unwrap().channel().unwrap();
    assert_eq!(slack.slack_team_id.as_deref(), Some("T0AB1CD2E"));
    let token = slack.slack_bot_token.as_ref().unwrap();
    assert_eq!(token.expose_secret(), "xoxb-test-not-a-real-token-0000");
}

#[test]
fn v2_platform_attribute() {
    let cases = [
        ("v2/slack.json", ChannelPlatform::Slack),
        ("v2/facebook.json", ChannelPlatform::Facebook),
        ("v2/twilio.json", ChannelPlatform::TwilioSms),
    ];
    for (path, platform) in cases {
        let event = LexEvent::from_slice(&fixture(path)).unwrap();
        assert_eq!(event.channel().unwrap().platform, Some(platform), "{path}");
        assert!(event.request_attributes().lex("channels:platform").is_some());
    }
    let console = LexEvent::from_slice(&fixture("v2/dialog_console.json")).unwrap();
    assert!(console.channel().is_none());
}

#[test]
fn the_slack_bot_token_never_shows_in_debug() {
    let event = LexEvent::from_slice(&fixture("v1/slack.json")).unwrap();
    let adapter = LexAdapter::new();
    let msg = message(&adapter, "v1/slack.json");
    let printed = [
        format!("{event:?}"),
        format!("{event:#?}"),
        format!("{:?}", event.request_attributes()),
        format!("{:?}", event.channel()),
        format!("{msg:?}"),
        format!("{:?}", msg.lex()),
    ];
    for text in printed {
        assert!(!text.contains("xoxb-test-not-a-real-token"), "token leaked: {text}");
    }
    let attrs = format!("{:?}", event.request_attributes());
    assert!(attrs.contains("x-amz-lex:slack-bot-token") && attrs.contains("[REDACTED]"));
    assert!(format!("{:?}", event.channel()).contains("Secret([REDACTED])"));
    // Still there for the code that needs it, and written back unchanged.
    let raw = event.request_attributes().raw();
    assert_eq!(raw["x-amz-lex:slack-bot-token"], "xoxb-test-not-a-real-token-0000");
}

#[test]
fn the_message_maps_intent_transcript_and_sender() {
    let adapter = LexAdapter::new();

    let slack = message(&adapter, "v1/slack.json");
    assert_eq!(slack.platform, Platform::LEX);
    assert_eq!(slack.kind, MessageKind::Intent);
    assert_eq!(slack.text, "hello there");
    assert_eq!(slack.command_name(), Some("HelloThere"));
    assert_eq!(slack.command.as_ref().unwrap().args, "hello there");
    assert_eq!(slack.sender.id, "U012AB3CD", "the channel's user id wins");
    assert_eq!(slack.conversation, "T0AB1CD2E:U012AB3CD");
    assert_eq!(slack.workspace.as_ref().unwrap(), "T0AB1CD2E");
    assert_eq!(slack.lex().unwrap().session_attribute("greeted"), Some("true"));

    let console = message(&adapter, "v1/dialog_console.json");
    assert_eq!(console.sender.id, "jd8n2r1xq0utl0vq8w3kg0kh5ryf4xg1", "userId without a channel");

    let v2 = message(&adapter, "v2/dialog_console.json");
    assert_eq!(v2.sender.id, "123456789012345", "sessionId without a channel");
    assert_eq!(v2.conversation, "123456789012345");
    assert_eq!(v2.command_name(), Some("OrderFlowers"));
    let lex = v2.lex().unwrap();
    assert_eq!(lex.slot("FlowerType"), Some("roses"));
    assert_eq!(lex.slots().len(), 3);
}
