//! Slack: every file of `fixtures/slack/`, signed with the harness's secret over its bytes as
//! published (forms still URL-encoded), through the real server and the Lambda host. Each is
//! answered 2xx with what Slack accepts for its kind and reaches the handler as the kind it is
//! (or is acknowledged and skipped, for the bot's own and other apps' messages); a tampered
//! copy of each is refused 401.

use std::time::Duration;

use bytes::Bytes;
use chatbridge_conformance::{Fixture, fixtures};
use chatbridge_core::{Context, Message, MessageKind, Reply, Router};
use chatbridge_slack::SlackReplyExt;
use http::Request;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::harness::{Answer, Harness, SLACK, slack_signer};

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// What a fixture must get.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// `url_verification`: the challenge, echoed.
    Challenge(&'static str),
    /// An event: an empty 200, and the handler sees a message of this kind.
    Event(&'static str),
    /// An event the bot must not answer (its own, another app's): an empty 200, no handler.
    Skipped,
    /// A slash command: the handler's inline reply, and the command it saw (no slash).
    Command(&'static str),
    /// An interaction: the answer its kind takes, and the handler sees this kind.
    Interaction(&'static str),
    /// Slack's unsigned certificate probe: an empty 200.
    SslCheck,
}

/// Every file of the Slack corpus, with what it must get.
const CORPUS: &[(&str, Expect)] = &[
    ("commands/bolt-python/hello-world.txt", Expect::Command("hello-world")),
    ("commands/slack-docs/implementing-slash-commands.txt", Expect::Command("weather")),
    ("commands/slack-docs/verifying-requests.txt", Expect::Command("webhook-collect")),
    ("events/bolt-python/app_mention.json", Expect::Event("mention")),
    ("events/bolt-python/app_uninstalled.json", Expect::Event("app_uninstalled")),
    ("events/bolt-python/bot_message_event_payload.json", Expect::Skipped),
    ("events/bolt-python/classic_bot_message_event_payload.json", Expect::Skipped),
    ("events/bolt-python/message.json", Expect::Event("message")),
    ("events/bolt-python/message_changed.json", Expect::Event("message_changed")),
    ("events/bolt-python/reaction_added.json", Expect::Event("reaction")),
    ("events/bolt-python/tokens_revoked.json", Expect::Event("tokens_revoked")),
    (
        "events/bolt-python/url_verification.json",
        Expect::Challenge("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"),
    ),
    ("events/java-slack-sdk/ReactionAddedPayload.json", Expect::Event("reaction")),
    ("events/slack-docs/tokens_revoked.json", Expect::Event("tokens_revoked")),
    ("events/slack-morphism/app_context_changed.json", Expect::Event("app_context_changed")),
    // Its edited message's user is the installation's bot user: the bot's own edit.
    ("events/slack-morphism/message_changed.json", Expect::Skipped),
    ("events/slack-morphism/message_changed_by_bot.json", Expect::Skipped),
    ("events/slack-web/app_home_opened_home.json", Expect::Event("app_home_opened")),
    ("events/slack-web/botMessage.json", Expect::Skipped),
    ("events/slack-web/channel_shared.json", Expect::Event("channel_shared")),
    ("events/slack-web/createChannel.json", Expect::Event("channel_created")),
    ("events/slack-web/messageChange.json", Expect::Event("message_changed")),
    ("events/slack-web/messageExample.json", Expect::Event("message")),
    ("events/slack-web/messageIm.json", Expect::Event("message")),
    ("events/slack-web/message_deleted.json", Expect::Event("message_deleted")),
    ("events/slack-web/message_file_share.json", Expect::Event("message")),
    ("events/slack-web/message_subtype_bot_message.json", Expect::Skipped),
    ("interactions/bolt-python/block_actions.txt", Expect::Interaction("action")),
    ("interactions/bolt-python/block_suggestion.txt", Expect::Interaction("autocomplete")),
    ("interactions/bolt-python/dialog_submission.txt", Expect::Interaction("dialog_submission")),
    (
        "interactions/bolt-python/interactive_message.txt",
        Expect::Interaction("interactive_message"),
    ),
    ("interactions/bolt-python/message_action.txt", Expect::Interaction("shortcut")),
    ("interactions/bolt-python/shortcut.txt", Expect::Interaction("shortcut")),
    ("interactions/bolt-python/view_closed.txt", Expect::Interaction("view_closed")),
    ("interactions/bolt-python/view_submission.txt", Expect::Interaction("submission")),
    ("interactions/java-slack-sdk/BlockActionPayload.json", Expect::Interaction("action")),
    ("interactions/java-slack-sdk/MessageShortcutPayload.json", Expect::Interaction("shortcut")),
    ("interactions/java-slack-sdk/ViewSubmissionPayload.json", Expect::Interaction("submission")),
    (
        "interactions/slack-morphism/interaction_block_suggestion_message.json",
        Expect::Interaction("autocomplete"),
    ),
    (
        "interactions/slack-morphism/interaction_block_suggestion_view.json",
        Expect::Interaction("autocomplete"),
    ),
    ("ssl_check/bolt-python.txt", Expect::SslCheck),
];

/// The options a `block_suggestion` is answered with.
fn options() -> Value {
    json!({"options": [{"text": {"type": "plain_text", "text": "Maru"}, "value": "maru"}]})
}

/// What the handler saw: the message's kind, and the command's name for a command.
type Seen = (String, Option<String>);

/// A router whose one handler reports every message and answers each kind as Slack expects:
/// a command inline, a submission with `response_action`, a suggestion with options; nothing
/// for the rest (their replies would go to `response_url`s off this machine).
fn router(seen: mpsc::UnboundedSender<Seen>) -> Router {
    Router::new().fallback(move |_cx: Context, msg: Message| {
        let seen = seen.clone();
        async move {
            let _ = seen.send((msg.kind.name().to_owned(), msg.command_name().map(str::to_owned)));
            match msg.kind {
                MessageKind::Command => Some(Reply::text("conformance").in_channel()),
                MessageKind::Submission => {
                    Some(Reply::new().slack_inline_body(json!({"response_action": "clear"})))
                }
                MessageKind::Autocomplete => Some(Reply::new().slack_inline_body(options())),
                _ => None,
            }
        }
    })
}

/// The request Slack would send for a fixture: JSON events as they are, forms as they are, and
/// an interaction published as JSON in a `payload=` form.
fn body_of(fixture: &Fixture) -> (&'static str, Vec<u8>) {
    let name = fixture.name.replace('\\', "/");
    let name = name.trim_start_matches("slack/");
    if name.starts_with("events/") {
        return (JSON, fixture.bytes.clone());
    }
    if name.starts_with("interactions/") && name.ends_with(".json") {
        let payload = std::str::from_utf8(&fixture.bytes).expect("a JSON payload is text");
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", payload)
            .finish();
        return (FORM, form.into_bytes());
    }
    (FORM, fixture.bytes.clone())
}

/// The same body changed after signing, and still well-formed, so that only the signature
/// can refuse it.
fn tampered(content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut body = body.to_vec();
    if content_type == JSON {
        body.push(b' ');
    } else {
        body.extend_from_slice(b"&tampered=1");
    }
    body
}

fn unsigned(content_type: &str, body: Vec<u8>) -> Request<Bytes> {
    Request::post(SLACK)
        .header(http::header::CONTENT_TYPE, content_type)
        .body(Bytes::from(body))
        .expect("a valid request")
}

/// The corpus, each file with its expectation; every file is listed.
fn corpus() -> Vec<(Fixture, Expect)> {
    let mut listed: Vec<&str> = CORPUS.iter().map(|(name, _)| *name).collect();
    listed.sort_unstable();
    let files = fixtures("slack", "");
    let mut names: Vec<String> = files
        .iter()
        .map(|f| f.name.replace('\\', "/").trim_start_matches("slack/").to_owned())
        .collect();
    names.sort_unstable();
    assert_eq!(names, listed, "every file in fixtures/slack has an expectation, and no other");
    files
        .into_iter()
        .map(|fixture| {
            let name = fixture.name.replace('\\', "/");
            let expect = CORPUS
                .iter()
                .find(|(listed, _)| name.ends_with(listed))
                .map(|(_, expect)| *expect)
                .expect("listed");
            (fixture, expect)
        })
        .collect()
}

/// Checks one answer against what Slack accepts for the fixture's kind.
fn check(name: &str, expect: Expect, answer: &Answer) {
    let host = answer.host;
    assert_eq!(answer.status, 200, "{name} on {host}: {}", String::from_utf8_lossy(&answer.body));
    match expect {
        Expect::Challenge(challenge) => {
            assert_eq!(answer.json(), json!({ "challenge": challenge }), "{name} on {host}");
        }
        Expect::Event(_) | Expect::Skipped | Expect::SslCheck => {
            assert!(answer.body.is_empty(), "{name} on {host}: an empty acknowledgement");
        }
        Expect::Command(_) => {
            let body = answer.json();
            let object = body.as_object().expect("a JSON object");
            for key in object.keys() {
                assert!(
                    ["response_type", "text", "blocks", "attachments", "thread_ts", "mrkdwn"]
                        .contains(&key.as_str()),
                    "{name} on {host}: {key} is not a field of a command's response"
                );
            }
            assert!(
                matches!(body["response_type"].as_str(), Some("in_channel" | "ephemeral")),
                "{name} on {host}: {body}"
            );
            assert_eq!(body["text"], "conformance", "{name} on {host}");
        }
        Expect::Interaction("submission") => {
            let body = answer.json();
            assert!(
                matches!(
                    body["response_action"].as_str(),
                    Some("clear" | "update" | "push" | "errors")
                ),
                "{name} on {host}: {body}"
            );
        }
        Expect::Interaction("autocomplete") => {
            let body = answer.json();
            assert!(body["options"].is_array() || body["option_groups"].is_array(), "{body}");
            assert_eq!(body, options(), "{name} on {host}");
        }
        Expect::Interaction(_) => {
            assert!(answer.body.is_empty(), "{name} on {host}: an empty acknowledgement");
        }
    }
}

/// What the handler saw for both hosts' copies, waiting for them (events are handled after
/// the acknowledgement); for a skipped one, that it saw nothing.
async fn seen_twice(
    rx: &mut mpsc::UnboundedReceiver<Seen>,
    name: &str,
    expect: Expect,
) -> Vec<Seen> {
    if matches!(expect, Expect::Skipped | Expect::Challenge(_) | Expect::SslCheck) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(rx.try_recv().is_err(), "{name}: no handler may run");
        return Vec::new();
    }
    let mut seen = Vec::new();
    for _ in 0..2 {
        let next = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
        seen.push(next.unwrap_or_else(|_| panic!("{name}: the handler ran")).expect("open"));
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_slack_payload_is_answered_as_slack_expects_on_both_hosts() {
    let signer = slack_signer();
    for (fixture, expect) in corpus() {
        let name = fixture.name.clone();
        let (tx, mut rx) = mpsc::unbounded_channel();
        // A bot per file: files from one source share event ids, which the bot de-duplicates.
        let harness = Harness::start(router(tx)).await;
        let (content_type, body) = body_of(&fixture);
        let request = match expect {
            Expect::SslCheck => unsigned(content_type, body.clone()),
            _ => signer.request(SLACK, content_type, body.clone()),
        };
        for answer in harness.both(&request).await {
            check(&name, expect, &answer);
        }
        for (kind, command) in seen_twice(&mut rx, &name, expect).await {
            match expect {
                Expect::Event(want) | Expect::Interaction(want) => {
                    assert_eq!(kind, want, "{name}");
                }
                Expect::Command(want) => {
                    assert_eq!((kind.as_str(), command.as_deref()), ("command", Some(want)));
                }
                _ => unreachable!("no handler runs for {name}"),
            }
        }

        // Tampered after signing (still well-formed): refused before anything runs. The probe
        // is never signed: any field added to it makes it a request that must be.
        let mut forged = match expect {
            Expect::SslCheck => unsigned(content_type, tampered(content_type, &body)),
            _ => signer.request(SLACK, content_type, body.clone()),
        };
        *forged.body_mut() = Bytes::from(tampered(content_type, &body));
        for answer in harness.both(&forged).await {
            assert_eq!(answer.status, 401, "{name} tampered, on {}", answer.host);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(rx.try_recv().is_err(), "{name}: a tampered copy reached the handler");
        harness.stop().await;
    }
}
