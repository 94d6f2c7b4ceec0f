//! Slack Socket Mode: every file of `fixtures/slack-socket-mode/`, a whole envelope as Slack
//! sends it, sent as a text frame by the fake Socket Mode server to the real server's Socket
//! Mode connection. Each is acknowledged by its `envelope_id` (a command with its inline answer
//! as the `payload`) and reaches the handler as the kind it is, or not at all for the bot's own.

use std::time::Duration;

use chatbridge_conformance::fixtures;
use chatbridge_core::host::server::Server;
use chatbridge_core::testing::FakeApi;
use chatbridge_core::{Bot, Context, Message, MessageKind, Reply, Router, Secret};
use chatbridge_slack::SlackAdapter;
use chatbridge_slack::testing::FakeSocketMode;
use serde_json::json;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(5);

/// What the handler must see of a fixture: its kind and command, or `None` when it must not run.
type Expect = Option<(&'static str, Option<&'static str>)>;

/// Every file of the corpus, with what it must get.
const CORPUS: &[(&str, Expect)] = &[
    // Its mention is by U222, the bot user its authorizations name: the bot's own.
    ("python-slack-sdk/events_api_app_mention.json", None),
    ("python-slack-sdk/events_api_message.json", Some(("message", None))),
    ("python-slack-sdk/interactive_shortcut.json", Some(("shortcut", None))),
    ("python-slack-sdk/slash_commands.json", Some(("command", Some("hello-socket-mode")))),
];

type Seen = (String, Option<String>);

fn router(seen: mpsc::UnboundedSender<Seen>) -> Router {
    Router::new().fallback(move |_cx: Context, msg: Message| {
        let seen = seen.clone();
        async move {
            let _ = seen.send((msg.kind.name().to_owned(), msg.command_name().map(str::to_owned)));
            (msg.kind == MessageKind::Command).then(|| Reply::text("conformance").in_channel())
        }
    })
}

#[tokio::test]
async fn every_envelope_is_acknowledged_and_handled_as_its_kind() {
    let files = fixtures("slack-socket-mode", "");
    let mut names: Vec<String> = files
        .iter()
        .map(|f| f.name.replace('\\', "/").trim_start_matches("slack-socket-mode/").to_owned())
        .collect();
    names.sort_unstable();
    let listed: Vec<&str> = CORPUS.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, listed, "every file in fixtures/slack-socket-mode has an expectation");

    let api = FakeApi::start().await;
    let slack = FakeSocketMode::start(&api).await;
    let socket = SlackAdapter::builder_for_socket_mode()
        .api_url(slack.api_url())
        .socket_mode(Secret::new("xapp-conformance"))
        .unwrap();
    let (tx, mut seen) = mpsc::unbounded_channel();
    let bot = Bot::builder().handler(router(tx)).build();
    let server = Server::bind("127.0.0.1:0").await.unwrap().connection(socket);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve_with_shutdown(bot, async {
        let _ = stopped.await;
    }));
    slack.wait_connected(1).await;

    for fixture in &files {
        let name = fixture.name.replace('\\', "/");
        let (_, expect) = CORPUS.iter().find(|(listed, _)| name.ends_with(listed)).unwrap();
        let envelope = fixture.json();
        let id = envelope["envelope_id"].as_str().unwrap();
        slack.send_raw(std::str::from_utf8(&fixture.bytes).unwrap());
        let ack = slack.ack_of(id, WAIT).await.unwrap_or_else(|| panic!("{name}: no ack"));
        match expect {
            Some(("command", command)) => {
                let payload = json!({"response_type": "in_channel", "text": "conformance"});
                assert_eq!(ack, json!({"envelope_id": id, "payload": payload}), "{name}");
                let got = tokio::time::timeout(WAIT, seen.recv()).await.unwrap().unwrap();
                assert_eq!(got, ("command".to_owned(), command.map(str::to_owned)), "{name}");
            }
            Some((kind, command)) => {
                assert_eq!(ack, json!({"envelope_id": id}), "{name}");
                let got = tokio::time::timeout(WAIT, seen.recv()).await.unwrap().unwrap();
                assert_eq!(got, ((*kind).to_owned(), command.map(str::to_owned)), "{name}");
            }
            None => {
                assert_eq!(ack, json!({"envelope_id": id}), "{name}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                assert!(seen.try_recv().is_err(), "{name}: the bot's own reached the handler");
            }
        }
    }
    assert_eq!(slack.connections(), 1);
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
    assert_eq!(slack.wait_closed(1).await, [1000_u16]);
}
