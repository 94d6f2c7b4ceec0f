//! Replays: a slash command or an interaction sent again with the same signature, within the
//! window in which that signature verifies, is acknowledged and not handled again.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::common::*;
use async_trait::async_trait;
use chatbridge_core::clock::ManualClock;
use chatbridge_core::store::MemoryStore;
use chatbridge_core::testing::Simulator;
use chatbridge_core::{Bot, Context, Handler, HandlerError, Message, Reply};
use chatbridge_slack::verify::MAX_SKEW_SECS;

/// Counts its calls and answers each with text.
struct Counting(Arc<AtomicUsize>);

#[async_trait]
impl Handler for Counting {
    async fn call(&self, _cx: Context, _msg: Message) -> Result<Option<Reply>, HandlerError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(Some(Reply::text("counted")))
    }
}

fn counting_bot(adapter: chatbridge_slack::SlackAdapter, calls: &Arc<AtomicUsize>) -> Bot {
    Bot::builder().mount(PATH, adapter).handler(Counting(Arc::clone(calls))).build()
}

#[tokio::test]
async fn a_replayed_command_runs_its_handler_once_over_the_real_server() {
    let calls = Arc::new(AtomicUsize::new(0));
    let sim = Simulator::start(|_| counting_bot(builder().build().unwrap(), &calls)).await;
    let command = signed(FORM, fixture("slash_command.txt"));
    let copy = || {
        let mut request = http::Request::new(command.body().clone());
        *request.method_mut() = command.method().clone();
        *request.uri_mut() = command.uri().clone();
        *request.headers_mut() = command.headers().clone();
        request
    };

    let first = sim.send(copy()).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["text"], "counted");
    let replay = sim.send(copy()).await;
    assert_eq!(replay.status, 200);
    assert!(replay.body.is_empty(), "a replay gets an empty acknowledgement: {}", replay.text());
    assert_eq!(replay.headers["x-slack-no-retry"], "1");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the handler ran once");

    // The same command signed again at another second is a new request.
    let resigned = signed_at(FORM, fixture("slash_command.txt"), NOW + 1);
    assert_eq!(sim.send(resigned).await.json()["text"], "counted");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    sim.stop().await;
}

#[tokio::test]
async fn a_replayed_interaction_runs_its_handler_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let bot = counting_bot(builder().build().unwrap(), &calls);
    let body = payload_form(&fixture("block_actions.json"));
    for _ in 0..3 {
        let response = bot.handle(signed(FORM, body.clone())).await;
        assert_eq!(response.status(), 200);
        assert!(response.body().is_empty());
    }
    tokio::time::timeout(Duration::from_secs(5), async {
        while calls.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// The mark outlives the whole window: a request first seen at the earliest moment its
/// signature verifies is still recognised at the latest.
#[tokio::test]
async fn the_mark_covers_the_window_in_both_directions() {
    let signed_ts = NOW;
    let clock = ManualClock::at_unix(signed_ts - MAX_SKEW_SECS);
    let adapter = builder().clock(Arc::new(clock.clone())).build().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let bot = Bot::builder()
        .mount(PATH, adapter)
        .handler(Counting(Arc::clone(&calls)))
        .store(Arc::new(MemoryStore::with_clock(Arc::new(clock.clone()))))
        .build();
    let body = fixture("slash_command.txt");

    let first = bot.handle(signed_at(FORM, body.clone(), signed_ts)).await;
    assert_eq!(json_body(&first)["text"], "counted");
    clock.advance(Duration::from_secs(2 * MAX_SKEW_SECS));
    let last_moment = bot.handle(signed_at(FORM, body.clone(), signed_ts)).await;
    assert_eq!(last_moment.status(), 200);
    assert!(last_moment.body().is_empty());
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    clock.advance(Duration::from_secs(1));
    let late = bot.handle(signed_at(FORM, body, signed_ts)).await;
    assert_eq!(late.status(), 401, "past the window the signature no longer verifies");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// The marks are where `docs/stores.md` says: `dedup/slack/{event_id}` for an event,
/// `dedup/slack/request/{signature}` for a command.
#[tokio::test]
async fn the_marks_are_kept_under_the_documented_keys() {
    let store: chatbridge_core::store::SharedStore = Arc::new(MemoryStore::new());
    let calls = Arc::new(AtomicUsize::new(0));
    let bot = Bot::builder()
        .mount(PATH, builder().build().unwrap())
        .handler(Counting(Arc::clone(&calls)))
        .store(Arc::clone(&store))
        .build();
    let command = signed(FORM, fixture("slash_command.txt"));
    let signature = command.headers()["x-slack-signature"].to_str().unwrap().to_owned();
    assert_eq!(bot.handle(command).await.status(), 200);
    let key = format!("dedup/slack/request/{}", signature.strip_prefix("v0=").unwrap());
    assert!(store.get(&key).await.unwrap().is_some(), "{key}");

    let event = fixture("message_channel.json");
    let id = serde_json::from_slice::<serde_json::Value>(&event).unwrap()["event_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(bot.handle(signed(JSON, event)).await.status(), 200);
    assert!(store.get(&format!("dedup/slack/{id}")).await.unwrap().is_some());
}

/// With de-duplication off (load tests send one signed request over and over), every copy runs
/// its handler and the store is not written.
#[tokio::test]
async fn deduplication_can_be_turned_off() {
    let store: chatbridge_core::store::SharedStore = Arc::new(MemoryStore::new());
    let calls = Arc::new(AtomicUsize::new(0));
    let bot = Bot::builder()
        .mount(PATH, builder().deduplicate(false).build().unwrap())
        .handler(Counting(Arc::clone(&calls)))
        .store(Arc::clone(&store))
        .build();
    let command = signed(FORM, fixture("slash_command.txt"));
    let signature = command.headers()["x-slack-signature"].to_str().unwrap().to_owned();
    for _ in 0..3 {
        let copy = signed(FORM, fixture("slash_command.txt"));
        assert_eq!(copy.headers()["x-slack-signature"], signature.as_str(), "the same request");
        let response = bot.handle(copy).await;
        assert_eq!(json_body(&response)["text"], "counted");
        assert!(response.headers().get("x-slack-no-retry").is_none());
    }
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let key = format!("dedup/slack/request/{}", signature.strip_prefix("v0=").unwrap());
    assert!(store.get(&key).await.unwrap().is_none(), "nothing written");

    let event = fixture("message_channel.json");
    for _ in 0..2 {
        assert_eq!(bot.handle(signed(JSON, event.clone())).await.status(), 200);
    }
    tokio::time::timeout(Duration::from_secs(5), async {
        while calls.load(Ordering::SeqCst) < 5 {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("both copies of the event were handled");
}
