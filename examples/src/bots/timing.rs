//! A bot that shows replies arriving on time by construction: `/quick` answers in 10 ms
//! (inline), `/slow` takes 10 s (the platform gets its acknowledgement within the budget and the
//! reply follows). It also answers `/hello-there`.

use std::time::Duration;

use chatbridge_core::{Context, Message, Router};

use super::hello_there;

/// How long `/slow` works before it answers.
pub const SLOW: Duration = Duration::from_secs(10);

/// `/quick`, `/slow` and `/hello-there`.
pub fn router() -> Router {
    let hello = |cx: Context, msg: Message| hello_there::hello_there(cx, msg, hello_there::PAUSE);
    Router::new()
        .command("quick", |_cx: Context, _msg: Message| async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            "quick answer"
        })
        .command("slow", |_cx: Context, _msg: Message| async {
            tokio::time::sleep(SLOW).await;
            "slow answer, delivered as a follow-up"
        })
        .command("hello-there", hello)
}
