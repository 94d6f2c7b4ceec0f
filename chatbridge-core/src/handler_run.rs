//! Running the handler: its panics caught, its errors reported, and its future polled in the
//! request's task until it must move to a tracked task.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::Poll;

use futures_util::FutureExt;

use crate::answer::Tasks;
use crate::{BotError, Context, Handler, HandlerError, Message};
use std::sync::Arc;

/// The handler failed; its error already went to the error hook.
pub(crate) struct Failed;

/// The handler, its panics caught and its errors reported; its returned reply goes through
/// the context like any other.
pub(crate) async fn run_handler(
    handler: Arc<dyn Handler>,
    cx: Context,
    message: Message,
) -> Result<(), Failed> {
    let platform = message.platform;
    let result = AssertUnwindSafe(async {
        if let Some(reply) = handler.call(cx.clone(), message).await? {
            cx.reply(reply).await?;
        }
        Ok::<(), HandlerError>(())
    })
    .catch_unwind()
    .await
    .unwrap_or_else(|_| Err(HandlerError::msg("handler panicked")));
    result.map_err(|error| {
        tracing::warn!(%platform, %error, "handler failed");
        cx.report(BotError::Handler { platform, error });
        Failed
    })
}

type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), Failed>> + Send>>;

/// The handler's future while the request polls it; moved to a tracked task when detached or
/// dropped unfinished.
pub(crate) struct HandlerRun {
    tasks: Tasks,
    future: Option<HandlerFuture>,
}

impl HandlerRun {
    pub(crate) fn new(
        tasks: Tasks,
        future: impl Future<Output = Result<(), Failed>> + Send + 'static,
    ) -> Self {
        Self { tasks, future: Some(Box::pin(future)) }
    }

    /// Polls the handler once.
    pub(crate) async fn poll_once(&mut self) -> Poll<Result<(), Failed>> {
        std::future::poll_fn(|cx| {
            let Some(future) = self.future.as_mut() else { return Poll::Ready(Poll::Pending) };
            let polled = future.as_mut().poll(cx);
            if polled.is_ready() {
                self.future = None;
            }
            Poll::Ready(polled)
        })
        .await
    }

    /// Runs the handler to its end; pending forever once detached.
    pub(crate) async fn finish(&mut self) -> Result<(), Failed> {
        match self.future.as_mut() {
            Some(future) => {
                let done = future.await;
                self.future = None;
                done
            }
            None => std::future::pending().await,
        }
    }

    /// Moves the rest of the handler to a tracked task.
    pub(crate) fn detach(&mut self) {
        if let Some(future) = self.future.take() {
            self.tasks.spawn(async move {
                let _ = future.await;
            });
        }
    }
}

impl Drop for HandlerRun {
    fn drop(&mut self) {
        self.detach();
    }
}
