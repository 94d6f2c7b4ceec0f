//! `/hello-there`: "General Kenobi!" at once, then, about 5 seconds later, "You _are_ a bold
//! one." as a follow-up. `help` as the argument gives usage, ephemerally. On Lex, the
//! HelloThere intent is closed with "General Kenobi!" (Lex has no follow-ups).

use std::time::Duration;

use chatbridge_core::{Context, HandlerError, Message, Reply, Router};

/// How long the bot waits before its follow-up.
pub const PAUSE: Duration = Duration::from_secs(5);

/// The usage text.
pub const USAGE: &str = "Usage: `/hello-there` — the bot greets you as General Grievous would.";

/// The bot's routes: the slash command and the Lex intent.
pub fn router() -> Router {
    router_with_pause(PAUSE)
}

/// The routes with another pause (tests use a short one).
pub fn router_with_pause(pause: Duration) -> Router {
    let handler = move |cx: Context, msg: Message| hello_there(cx, msg, pause);
    Router::new().command("hello-there", handler).command("HelloThere", handler)
}

/// Greets, pauses, and follows up.
///
/// # Errors
///
/// A reply the platform refused.
pub async fn hello_there(cx: Context, msg: Message, pause: Duration) -> Result<(), HandlerError> {
    let args = msg.command.as_ref().map_or(msg.text.as_str(), |c| c.args.as_str());
    if args.trim().eq_ignore_ascii_case("help") {
        cx.reply(Reply::text(USAGE).ephemeral()).await?;
        return Ok(());
    }
    cx.reply(Reply::text("General Kenobi!").in_channel()).await?;
    if cx.has_follow_ups() {
        tokio::time::sleep(pause).await;
        cx.reply(Reply::text("You _are_ a bold one.").in_channel()).await?;
    }
    Ok(())
}
