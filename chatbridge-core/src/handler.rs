//! [`Handler`]: the bot author's code, and the conversions that let a plain async fn be one.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use futures_util::FutureExt;

use crate::{Context, HandlerError, IntoReply, Message, Reply};

/// Answers messages. Object-safe, so routers hold `Arc<dyn Handler>`.
///
/// Any `async fn(Context, Message) -> R` is a handler when `R` is a reply-like value (`()`,
/// `&str`, `String`, [`Reply`], `Option<_>`) or a `Result` of one; implement the trait by hand
/// for handlers with state.
///
/// ```
/// use chatbridge_core::{Context, Handler, HandlerError, Message, Reply};
///
/// async fn hello(_cx: Context, msg: Message) -> Result<Reply, HandlerError> {
///     Ok(Reply::text(format!("hello, {}", msg.sender.id)))
/// }
///
/// fn assert_handler(_: impl Handler) {}
/// assert_handler(hello);
/// ```
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// Handles one message. Return a reply, or `None` when the handler replied through
    /// [`Context::reply`] (or has nothing to say).
    ///
    /// # Errors
    ///
    /// Whatever the handler's own code fails with; the bot reports it to its error hook and
    /// answers the platform with a generic failure when nothing was sent yet.
    async fn call(&self, cx: Context, msg: Message) -> Result<Option<Reply>, HandlerError>;

    /// Whether this handler wants the message at all. A message nobody wants is acknowledged
    /// without running anything (so a platform never retries it). Defaults to `true`.
    fn wants(&self, msg: &Message) -> bool {
        let _ = msg;
        true
    }
}

/// What a handler function may return: a reply-like value or a `Result` of one.
pub trait HandlerOutput: Send {
    /// The normalised result.
    ///
    /// # Errors
    ///
    /// The handler's own error.
    fn into_result(self) -> Result<Option<Reply>, HandlerError>;
}

impl<T: IntoReply + Send> HandlerOutput for T {
    fn into_result(self) -> Result<Option<Reply>, HandlerError> {
        Ok(self.into_reply())
    }
}

impl<T: IntoReply + Send, E: Into<HandlerError> + Send> HandlerOutput for Result<T, E> {
    fn into_result(self) -> Result<Option<Reply>, HandlerError> {
        self.map(IntoReply::into_reply).map_err(Into::into)
    }
}

impl<F, Fut, O> Handler for F
where
    F: Fn(Context, Message) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = O> + Send + 'static,
    O: HandlerOutput + 'static,
{
    // Written out rather than through `async_trait`: the box holds the function's future
    // alone, not that future beside a second copy of its arguments.
    fn call<'life0, 'async_trait>(
        &'life0 self,
        cx: Context,
        msg: Message,
    ) -> BoxedCall<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin((self)(cx, msg).map(HandlerOutput::into_result))
    }
}

/// The future [`Handler::call`] returns, as `async_trait` spells it.
pub(crate) type BoxedCall<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Reply>, HandlerError>> + Send + 'a>>;

/// Turns a closure into a [`Handler`], giving the compiler the argument types it needs.
///
/// ```
/// use chatbridge_core::{handler_fn, Router};
///
/// let router = Router::new().fallback(handler_fn(|_cx, msg| async move {
///     format!("you said {}", msg.text)
/// }));
/// # let _ = router;
/// ```
pub fn handler_fn<F, Fut, O>(f: F) -> HandlerFn<F>
where
    F: Fn(Context, Message) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = O> + Send + 'static,
    O: HandlerOutput + 'static,
{
    HandlerFn(f)
}

/// A closure made into a [`Handler`] by [`handler_fn`].
#[derive(Clone, Copy)]
pub struct HandlerFn<F>(F);

impl<F, Fut, O> Handler for HandlerFn<F>
where
    F: Fn(Context, Message) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = O> + Send + 'static,
    O: HandlerOutput + 'static,
{
    fn call<'life0, 'async_trait>(
        &'life0 self,
        cx: Context,
        msg: Message,
    ) -> BoxedCall<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Handler::call(&self.0, cx, msg)
    }
}

impl<F> fmt::Debug for HandlerFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HandlerFn")
    }
}
