//! Property tests (proptest, modest case counts): any bytes parse or get a 400 and never
//! panic; tolerant values (strings, numbers, booleans, `null` slots) round-trip as strings.

use std::collections::BTreeMap;

use crate::common::{fixture_json, post};
use chatbridge_core::Reply;
use chatbridge_core::adapter::Accepted;
use chatbridge_lex::LexAdapter;
use chatbridge_lex::LexEvent;
use chatbridge_lex::v1::V1Event;
use proptest::prelude::*;
use serde_json::{Value, json};

fn config() -> ProptestConfig {
    ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() }
}

/// A scalar as Lex (or AWS's sample generators) might send it, and the text it stands for.
fn scalar() -> impl Strategy<Value = (Value, String)> {
    prop_oneof![
        any::<String>().prop_map(|s| (json!(s), s)),
        any::<i64>().prop_map(|n| (json!(n), n.to_string())),
        any::<u64>().prop_map(|n| (json!(n), n.to_string())),
        any::<bool>().prop_map(|b| (json!(b), b.to_string())),
    ]
}

fn names() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_]{0,12}"
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_bytes_parse_or_get_a_400(body in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        "[{}\\[\\]\":,a-zA-Z0-9 ]{0,256}".prop_map(String::into_bytes),
    ]) {
        let adapter = LexAdapter::new();
        match crate::common::try_accept(&adapter, post(body)) {
            Ok(Accepted::Incoming(incoming)) => {
                let rendered = incoming.responder.respond(vec![Reply::text("ok")]);
                prop_assert!(rendered.is_ok());
            }
            Ok(_) => {}
            Err(error) => prop_assert_eq!(error.status().as_u16(), 400),
        }
    }

    #[test]
    fn tolerant_v1_values_round_trip_as_strings(
        attributes in proptest::collection::btree_map(names(), scalar(), 0..6),
        slots in proptest::collection::btree_map(names(), proptest::option::of(scalar()), 0..6),
    ) {
        let mut event = fixture_json("v1/dialog_console.json");
        event["sessionAttributes"] =
            Value::Object(attributes.iter().map(|(k, (v, _))| (k.clone(), v.clone())).collect());
        event["currentIntent"]["slots"] = Value::Object(
            slots.iter().map(|(k, v)| (k.clone(), v.as_ref().map_or(Value::Null, |(v, _)| v.clone()))).collect(),
        );
        let bytes = serde_json::to_vec(&event).unwrap_or_default();
        let parsed = LexEvent::from_slice(&bytes);
        prop_assert!(parsed.is_ok(), "{parsed:?}");
        let Ok(parsed) = parsed else { return Ok(()) };
        for (name, (_, text)) in &attributes {
            prop_assert_eq!(parsed.session_attribute(name), Some(text.as_str()));
        }
        for (name, value) in &slots {
            prop_assert_eq!(parsed.slot(name), value.as_ref().map(|(_, t)| t.as_str()));
        }
        // Written back: strings everywhere, `null` only for an empty slot; and read again, equal.
        let typed: V1Event = serde_json::from_slice(&bytes).unwrap_or_else(|_| unreachable!());
        let written = serde_json::to_value(&typed).unwrap_or_default();
        let expected_attributes: BTreeMap<_, _> =
            attributes.iter().map(|(k, (_, t))| (k.clone(), json!(t))).collect();
        let written_attributes: BTreeMap<_, _> = written["sessionAttributes"]
            .as_object().cloned().unwrap_or_default().into_iter().collect();
        prop_assert_eq!(written_attributes, expected_attributes);
        for (name, value) in &slots {
            let expected = value.as_ref().map_or(Value::Null, |(_, t)| json!(t));
            prop_assert_eq!(&written["currentIntent"]["slots"][name], &expected);
        }
        let again: V1Event = serde_json::from_value(written).unwrap_or_else(|_| unreachable!());
        prop_assert_eq!(again, typed);
    }
}

#[test]
fn json_nested_deep_enough_to_hurt_is_a_400_without_a_stack_overflow() {
    let adapter = LexAdapter::new();
    for depth in [200, 20_000] {
        let v1 =
            format!(r#"{{"currentIntent":{{"name":"X","slots":{}}}}}"#, "{\"a\":".repeat(depth));
        let v2 = format!(r#"{{"sessionState":{{"x":{}}}}}"#, "[".repeat(depth));
        for body in [v1, v2] {
            let refused =
                crate::common::try_accept(&adapter, post(body)).err().map(|e| e.status().as_u16());
            assert_eq!(refused, Some(400), "{depth}");
        }
    }
}
