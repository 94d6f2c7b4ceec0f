//! Replies on time: inline when in time, a deferral and follow-ups otherwise, in order, once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{Initial, TestAdapter, body_json, request};
use chatbridge_core::{
    Bot, BotError, Context, HandlerError, Message, Reply, Router, Visibility, handler_fn,
};

fn bot_with(adapter: TestAdapter, router: Router) -> Bot {
    Bot::builder().mount("/test", adapter).handler(router).build()
}

async fn wait_until(mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("condition not reached within 2 s");
}

#[tokio::test(start_paused = true)]
async fn a_quick_reply_is_inline_and_nothing_is_delivered() {
    let adapter = TestAdapter::default();
    let bot = bot_with(
        adapter.clone(),
        Router::new().fallback(|_cx: Context, _m: Message| async { "quick" }),
    );
    let response = bot.handle(request(r#"{"text":"x"}"#)).await;
    assert_eq!(body_json(&response)["replies"][0]["text"], "quick");
    assert!(bot.drain(Duration::from_secs(2)).await);
    assert!(adapter.delivered_texts().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_slow_handler_is_deferred_and_its_reply_follows() {
    let adapter = TestAdapter { budget: Some(Duration::from_millis(100)), ..Default::default() };
    let slow = handler_fn(|_cx, _msg| async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        "slow but sure"
    });
    let bot = bot_with(adapter.clone(), Router::new().fallback(slow));
    let response = bot.handle(request(r#"{"text":"x"}"#)).await;
    assert_eq!(body_json(&response)["ack"], "deferred:Default");
    assert!(adapter.delivered_texts().is_empty(), "nothing before the handler is done");
    assert!(bot.drain(Duration::from_secs(5)).await);
    let delivered = adapter.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].0, Initial::Deferred);
    assert_eq!(delivered[0].2.text.as_deref(), Some("slow but sure"));
}

#[tokio::test(start_paused = true)]
async fn first_reply_inline_then_follow_ups_in_order_each_once() {
    let adapter = TestAdapter::default();
    let chatty = handler_fn(|cx: Context, _msg| async move {
        cx.reply(Reply::text("General Kenobi!").in_channel()).await?;
        tokio::time::sleep(Duration::from_millis(50)).await;
        cx.reply("You _are_ a bold one.").await?;
        cx.reply("Kill him!").await?;
        Ok::<_, HandlerError>(Some("Back away!"))
    });
    let bot = bot_with(adapter.clone(), Router::new().fallback(chatty));
    let response = bot.handle(request(r#"{"text":"x"}"#)).await;
    assert_eq!(body_json(&response)["replies"][0]["text"], "General Kenobi!");
    assert!(bot.drain(Duration::from_secs(5)).await);
    assert_eq!(adapter.delivered_texts(), ["You _are_ a bold one.", "Kill him!", "Back away!"]);
    let delivered = adapter.delivered.lock().unwrap().clone();
    let indexes: Vec<_> = delivered.iter().map(|(initial, index, _)| (*initial, *index)).collect();
    assert_eq!(indexes, [(Initial::Replied, 0), (Initial::Replied, 1), (Initial::Replied, 2)]);
}

#[tokio::test(start_paused = true)]
async fn an_explicit_defer_keeps_the_visibility() {
    let adapter = TestAdapter::default();
    let deferring = handler_fn(|cx: Context, _msg| async move {
        cx.defer(Visibility::Ephemeral);
        tokio::time::sleep(Duration::from_millis(20)).await;
        Reply::text("done").ephemeral()
    });
    let bot = bot_with(adapter.clone(), Router::new().fallback(deferring));
    let response = bot.handle(request(r#"{"text":"x"}"#)).await;
    assert_eq!(body_json(&response)["ack"], "deferred:Ephemeral");
    assert!(bot.drain(Duration::from_secs(5)).await);
    assert_eq!(adapter.delivered_texts(), ["done"]);
}

#[tokio::test(start_paused = true)]
async fn reactions_always_go_through_delivery() {
    let adapter = TestAdapter::default();
    let reacting = handler_fn(|_cx, _msg| async { Reply::text("nice").with_reaction("pizza") });
    let bot = bot_with(adapter.clone(), Router::new().fallback(reacting));
    let response = bot.handle(request(r#"{"text":"x"}"#)).await;
    assert_eq!(body_json(&response)["replies"][0]["text"], "nice");
    assert!(bot.drain(Duration::from_secs(5)).await);
    assert_eq!(adapter.delivered_texts(), ["pizza"]);
}

#[tokio::test(start_paused = true)]
async fn a_slow_reaction_does_not_hold_up_the_response() {
    let adapter = TestAdapter {
        budget: Some(Duration::from_millis(300)),
        reaction_delay: Duration::from_secs(1),
        ..Default::default()
    };
    let reacting = handler_fn(|_cx, _msg| async { Reply::reaction("pizza") });
    let bot = bot_with(adapter.clone(), Router::new().fallback(reacting));
    let response = bot.handle(request(r#"{"text":"x"}"#)).await;
    // Answered at once (not deferred at the budget), the reaction following in the background.
    assert_eq!(body_json(&response)["ack"], "nothing");
    assert!(adapter.delivered_texts().is_empty());
    assert!(bot.drain(Duration::from_secs(5)).await);
    assert_eq!(adapter.delivered_texts(), ["pizza"]);
}

#[tokio::test(start_paused = true)]
async fn acknowledge_mode_answers_at_once_and_delivers_every_reply() {
    let adapter = TestAdapter::default();
    let replying = handler_fn(|_cx, _msg| async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        Reply::reaction("pizza")
    });
    let bot = bot_with(adapter.clone(), Router::new().fallback(replying));
    let response = bot.handle(request(r#"{"text":"x","mode":"ack"}"#)).await;
    assert_eq!(body_json(&response)["ack"], "nothing");
    assert!(bot.drain(Duration::from_secs(5)).await);
    let delivered = adapter.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].0, Initial::Acknowledged);
}

#[tokio::test(start_paused = true)]
async fn collect_mode_combines_every_reply_into_one_response() {
    let adapter = TestAdapter::default();
    let twice = handler_fn(|cx: Context, _msg| async move {
        cx.reply("one").await?;
        cx.reply("two").await?;
        Ok::<_, HandlerError>(())
    });
    let bot = bot_with(adapter.clone(), Router::new().fallback(twice));
    let response = bot.handle(request(r#"{"text":"x","mode":"collect"}"#)).await;
    let body = body_json(&response);
    assert_eq!(body["replies"][0]["text"], "one");
    assert_eq!(body["replies"][1]["text"], "two");
    assert!(adapter.delivered_texts().is_empty());
}

#[tokio::test(start_paused = true)]
async fn collect_mode_out_of_time_is_acknowledged_as_deferred() {
    let adapter = TestAdapter { budget: Some(Duration::from_millis(50)), ..Default::default() };
    let slow = handler_fn(|_cx, _msg| async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        "late"
    });
    let bot = bot_with(adapter, Router::new().fallback(slow));
    let response = bot.handle(request(r#"{"text":"x","mode":"collect"}"#)).await;
    assert_eq!(body_json(&response)["ack"], "deferred:Default");
}

#[tokio::test(start_paused = true)]
async fn a_failed_delivery_reaches_the_error_hook_with_the_platform_reason() {
    let adapter = TestAdapter::default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let hook_seen = Arc::clone(&seen);
    let refused = handler_fn(|cx: Context, _msg| async move {
        cx.reply("first").await?;
        let second = cx.reply("refuse me").await;
        assert!(second.is_err());
        Ok::<_, HandlerError>(())
    });
    let bot = Bot::builder()
        .mount("/test", adapter)
        .handler(Router::new().fallback(refused))
        .on_error(move |e: &BotError| {
            let mut text = e.to_string();
            if let Some(source) = std::error::Error::source(e) {
                text.push_str(&format!(": {source}"));
            }
            hook_seen.lock().unwrap().push(text);
        })
        .build();
    bot.handle(request(r#"{"text":"x"}"#)).await;
    assert!(bot.drain(Duration::from_secs(5)).await);
    wait_until(|| !seen.lock().unwrap().is_empty()).await;
    let seen = seen.lock().unwrap();
    assert!(seen[0].contains("channel_not_found"), "{seen:?}");
}

#[tokio::test(start_paused = true)]
async fn a_handler_keeps_running_when_the_request_is_dropped() {
    let adapter = TestAdapter::default();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Arc::new(Mutex::new(Some(tx)));
    let slow = handler_fn(move |_cx, _msg| {
        let tx = Arc::clone(&tx);
        async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if let Some(tx) = tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
            "finished anyway"
        }
    });
    let bot = bot_with(adapter.clone(), Router::new().fallback(slow));
    // The client goes away after 10 ms: the host drops the request's future.
    let _ = tokio::time::timeout(Duration::from_millis(10), bot.handle(request(r#"{"text":"x"}"#)))
        .await;
    tokio::time::timeout(Duration::from_secs(2), rx).await.unwrap().unwrap();
    assert!(bot.drain(Duration::from_secs(2)).await);
    assert_eq!(adapter.delivered_texts(), ["finished anyway"]);
}
