//! Discord's corpus through the real server and the Lambda host: every interaction, signed with
//! the harness's key, is answered 2xx with a response type Discord allows for its interaction
//! type and a well-formed body, by the handler its kind routes to; a tampered copy gets 401.
//!
//! Files are sent as stored, except where `SOURCES.md` says a source prints less than a body:
//! `.jsonc` files (Discord's docs) lose their comments, trailing commas and the
//! `...additionalInteractionFields` line that stands for the fields they leave out; fragments
//! (`twilight/modal_submit_data/`, `serenity/command_options/`) are sent inside the smallest
//! interaction that carries them.

use chatbridge_conformance::{Fixture, fixtures};
use chatbridge_core::{Context, Message, MessageKind, Reply, Router};
use chatbridge_discord::{Choice, DiscordReplyExt};
use serde_json::{Value, json};

use crate::harness::{Answer, DISCORD, Harness, discord_signer};

/// One interaction to send, and where it came from.
struct Case {
    name: String,
    body: Vec<u8>,
}

#[tokio::test]
async fn every_interaction_is_answered_as_discord_allows_on_both_hosts() {
    let cases = cases();
    assert!(cases.len() >= 30, "the corpus shrank: {} interactions", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        // A harness per interaction: several sources reuse one interaction id, and the bot
        // runs each id once.
        let harness = Harness::start(router()).await;
        let request = discord_signer().request(DISCORD, case.body.clone());
        let sent: Value = serde_json::from_slice(&case.body).expect("a case is JSON");
        for answer in harness.both(&request).await {
            if let Err(why) = check(&sent, &answer) {
                failures.push(format!("{} ({}): {why}", case.name, answer.host));
            }
        }
        let mut tampered = request;
        let mut body = case.body.clone();
        body.push(b' ');
        *tampered.body_mut() = body.into();
        for answer in harness.both(&tampered).await {
            if answer.status != 401 {
                failures.push(format!(
                    "{} ({}): tampered copy got {}",
                    case.name, answer.host, answer.status
                ));
            }
        }
        harness.stop().await;
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn docs_jsonc_becomes_the_json_it_stands_for() {
    let jsonc = "{\n  \"type\": 3, // InteractionType.MESSAGE_COMPONENT\n  ...additionalInteractionFields, // See the Interaction documentation\n\n  \"data\": {\n    \"custom_id\": \"a // not a comment\",\n    \"values\": [\"x\",],\n  },\n}\n";
    let value: Value = serde_json::from_str(&jsonc_to_json(jsonc)).unwrap();
    assert_eq!(
        value,
        json!({"type": 3, "data": {"custom_id": "a // not a comment", "values": ["x"]}})
    );
}

/// A handler for each kind of interaction, each answering something the test can recognise.
fn router() -> Router {
    Router::new()
        .on(MessageKind::Command, |_cx: Context, msg: Message| async move {
            Reply::text(format!("command {}", msg.command_name().unwrap_or_default()))
        })
        .on(MessageKind::Action, |_cx: Context, msg: Message| async move {
            Reply::text(format!("pressed {}", msg.text)).replace_original()
        })
        .on(MessageKind::Autocomplete, |_cx: Context, msg: Message| async move {
            Reply::new().choices([Choice::new(format!("typed {}", msg.text), "choice")])
        })
        .on(MessageKind::Submission, |_cx: Context, msg: Message| async move {
            Reply::text(format!("submitted {}", msg.text)).ephemeral()
        })
}

/// Checks an answer against what Discord accepts for the interaction sent, and that the
/// handler for its kind gave it.
fn check(sent: &Value, answer: &Answer) -> Result<(), String> {
    if !answer.status.is_success() {
        return Err(format!("status {}: {}", answer.status, String::from_utf8_lossy(&answer.body)));
    }
    let content_type = answer.headers.get("content-type").and_then(|v| v.to_str().ok());
    if content_type != Some("application/json") {
        return Err(format!("content-type {content_type:?}"));
    }
    let response: Value = serde_json::from_slice(&answer.body).map_err(|e| format!("body: {e}"))?;
    let response_type = response["type"].as_u64().ok_or("no response type")?;
    let interaction_type = sent["type"].as_u64().ok_or("the case has no type")?;
    let allowed: &[u64] = match interaction_type {
        1 => &[1],
        2 => &[4, 5, 9],
        3 => &[4, 5, 6, 7, 9],
        4 => &[8],
        5 => &[4, 5, 6, 7],
        _ => return Err(format!("interaction type {interaction_type} is not in the corpus")),
    };
    if !allowed.contains(&response_type) {
        return Err(format!(
            "response type {response_type} for interaction type {interaction_type}"
        ));
    }
    well_formed(&response)?;
    let data = &sent["data"];
    let expected = match interaction_type {
        1 => return Ok(()),
        2 => format!("command {}", text(&data["name"])),
        3 => format!("pressed {}", text(&data["custom_id"])),
        4 => format!("typed {}", focused(&data["options"]).map(text).unwrap_or_default()),
        _ => format!("submitted {}", text(&data["custom_id"])),
    };
    let shown = if response_type == 8 {
        &response["data"]["choices"][0]["name"]
    } else {
        &response["data"]["content"]
    };
    if shown.as_str() != Some(expected.as_str()) {
        return Err(format!("expected {expected:?} from the handler, got {response}"));
    }
    Ok(())
}

/// The response's body as Discord's "Interaction Response Object" describes it.
fn well_formed(response: &Value) -> Result<(), String> {
    let object = response.as_object().ok_or("not an object")?;
    if let Some(key) = object.keys().find(|k| !matches!(k.as_str(), "type" | "data")) {
        return Err(format!("unexpected field {key}"));
    }
    let data = &response["data"];
    match response["type"].as_u64() {
        Some(1 | 6) if data.is_null() => Ok(()),
        Some(5) if data.is_null() || data.as_object().is_some_and(only_flags) => Ok(()),
        Some(4 | 7) => {
            let content = data["content"]
                .as_str()
                .is_some_and(|c| !c.is_empty() && c.chars().count() <= 2000);
            let embeds = data["embeds"].as_array().is_some_and(|e| !e.is_empty());
            let components = data["components"].as_array().is_some_and(|c| !c.is_empty());
            let flags = data.get("flags").is_none_or(|f| f.as_u64().is_some());
            if (content || embeds || components) && flags {
                Ok(())
            } else {
                Err(format!("a message without content, or with odd flags: {data}"))
            }
        }
        Some(8) => {
            let choices = data["choices"].as_array().ok_or("type 8 without data.choices")?;
            let valid = choices.len() <= 25
                && choices.iter().all(|c| {
                    c["name"].as_str().is_some_and(|n| (1..=100).contains(&n.chars().count()))
                        && (c["value"].is_string() || c["value"].is_number())
                });
            if valid { Ok(()) } else { Err(format!("choices: {data}")) }
        }
        Some(9)
            if data["custom_id"].is_string()
                && data["title"].is_string()
                && data["components"].is_array() =>
        {
            Ok(())
        }
        _ => Err(format!("malformed response {response}")),
    }
}

fn only_flags(data: &serde_json::Map<String, Value>) -> bool {
    data.iter().all(|(k, v)| k == "flags" && v.as_u64() == Some(64))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The option being typed in, below any subcommand.
fn focused(options: &Value) -> Option<&Value> {
    options.as_array()?.iter().find_map(|option| {
        if option["focused"] == true { Some(&option["value"]) } else { focused(&option["options"]) }
    })
}

/// Every interaction of the Discord corpus, as it is sent.
fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for fixture in fixtures("discord", ".json") {
        let name = fixture.name.replace('\\', "/");
        let body = if name.contains("/twilight/modal_submit_data/") {
            serde_json::to_vec(&json!({"type": 5, "data": fixture.json()})).unwrap()
        } else if name.contains("/serenity/command_options/") {
            serenity_command(&fixture)
        } else {
            fixture.bytes
        };
        cases.push(Case { name, body });
    }
    for fixture in fixtures("discord", ".jsonc") {
        let text = String::from_utf8(fixture.bytes).expect("a .jsonc file is UTF-8");
        let body = jsonc_to_json(&text);
        serde_json::from_str::<Value>(&body)
            .unwrap_or_else(|e| panic!("{} is not JSONC: {e}\n{body}", fixture.name));
        cases.push(Case { name: fixture.name, body: body.into_bytes() });
    }
    cases
}

/// Serenity tests option lists on their own: a list holding a focused option is sent as an
/// autocomplete request, a single option as a command, each in a chat-input command named for
/// the file.
fn serenity_command(fixture: &Fixture) -> Vec<u8> {
    let options = match fixture.json() {
        Value::Array(options) => options,
        option => vec![option],
    };
    let kind = if focused(&Value::Array(options.clone())).is_some() { 4 } else { 2 };
    let name =
        fixture.name.rsplit(['/', '\\']).next().unwrap_or_default().trim_end_matches(".json");
    let body = json!({"type": kind, "data": {"name": name, "type": 1, "options": options}});
    serde_json::to_vec(&body).unwrap()
}

/// Discord's docs print interactions as JSONC: `//` comments, trailing commas, and a
/// `...additionalInteractionFields` line standing for the fields they leave out. This is the
/// JSON without them.
pub(crate) fn jsonc_to_json(text: &str) -> String {
    let mut uncommented = String::with_capacity(text.len());
    for line in text.lines() {
        if line.trim_start().starts_with("...") {
            continue;
        }
        let (mut in_string, mut escaped, mut end) = (false, false, line.len());
        for (i, c) in line.char_indices() {
            match (in_string, c) {
                (true, _) if escaped => escaped = false,
                (true, '\\') => escaped = true,
                (_, '"') => in_string = !in_string,
                (false, '/') if line[i + 1..].starts_with('/') => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        uncommented.push_str(&line[..end]);
        uncommented.push('\n');
    }
    // Drop each comma that only whitespace separates from a closing bracket.
    let chars: Vec<char> = uncommented.chars().collect();
    let (mut json, mut in_string, mut escaped) = (String::with_capacity(chars.len()), false, false);
    for (i, &c) in chars.iter().enumerate() {
        match (in_string, c) {
            (true, _) if escaped => escaped = false,
            (true, '\\') => escaped = true,
            (_, '"') => in_string = !in_string,
            (false, ',') => {
                let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
                if matches!(next, Some('}' | ']')) {
                    continue;
                }
            }
            _ => {}
        }
        json.push(c);
    }
    json
}
