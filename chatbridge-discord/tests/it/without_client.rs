//! Built without the `client` feature, the adapter still answers inline, and a reply after the
//! inline one is refused as unsupported (it reaches the error hook), never sent or dropped
//! silently. Run with `cargo test -p chatbridge-discord --no-default-features`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use chatbridge_core::{Bot, BotError, Context, DeliveryError, HandlerError, Message, Router};
use serde_json::json;

#[tokio::test]
async fn a_reply_after_the_inline_one_is_unsupported() {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&errors);
    let router = Router::new().fallback(|cx: Context, _msg: Message| async move {
        cx.reply("first").await?;
        cx.reply("second").await?;
        Ok::<(), HandlerError>(())
    });
    let bot = Bot::builder()
        .mount("/discord", adapter())
        .handler(router)
        .on_error(move |error| {
            if let BotError::Delivery { error: DeliveryError::Unsupported { reason, .. }, .. } =
                error
            {
                seen.lock().unwrap().push(reason.to_owned());
            }
        })
        .build();
    let response = bot.handle(signed("/discord", fixture("command_options.json"))).await;
    assert_eq!(body_json(&response), json!({"type": 4, "data": {"content": "first"}}));
    assert!(bot.drain(Duration::from_secs(5)).await);
    assert_eq!(*errors.lock().unwrap(), ["built without the client feature"]);
}
