//! Running a handler against the platform's ack budget.
//!
//! The handler's future is polled right here, in the request's task, so a handler that answers
//! at once costs no task spawn and no timer (the timer is only set once the handler has had to
//! wait). When the request must be answered before the
//! handler is done (a first reply, a deferral, the budget spent), the rest of the future moves
//! to a tracked task and keeps going; if the host drops the request (the client went away), a
//! guard moves it there too, so nothing accepted is cancelled.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

use bytes::Bytes;
use futures_util::FutureExt;
use http::{Extensions, Response, StatusCode};
use tokio_util::task::TaskTracker;

use super::{Bot, DEDUP_TTL, plain};
use crate::adapter::{Ack, Adapter, Dispatch, Initial, Prepared, ReplyMode};
use crate::context::{First, FirstReply, Placed, Task, spawn_tracked};
use crate::{BotError, Context, HandlerError, Platform};

type HandlerTask = Pin<Box<dyn Future<Output = Result<(), Failed>> + Send>>;

impl Bot {
    pub(super) async fn dispatch(
        &self,
        adapter: Arc<dyn Adapter>,
        dispatch: Dispatch,
        received: Instant,
        scope: Option<TaskTracker>,
    ) -> Response<Bytes> {
        let Dispatch { mut message, mode, budget, dedup_key, always_prepare, .. } = dispatch;
        let platform = adapter.platform();
        let inner = &self.inner;
        let wanted = inner.handler.wants(&message);
        if !wanted && !always_prepare {
            tracing::debug!(%platform, kind = message.kind.name(), "no handler wants the message");
            return adapter.acknowledge(&message, Ack::Nothing);
        }
        let mut extensions = Extensions::new();
        match adapter.prepare(&mut message, &mut extensions).await {
            Ok(Prepared::Handle) if !wanted => {
                tracing::debug!(%platform, kind = message.kind.name(), "no handler wants the message");
                return adapter.acknowledge(&message, Ack::Nothing);
            }
            Ok(Prepared::Handle) => {}
            Ok(Prepared::Skip(reason)) => {
                tracing::debug!(%platform, reason, "message skipped");
                return adapter.acknowledge(&message, Ack::Nothing);
            }
            Err(error) => {
                let status = error.status();
                tracing::warn!(%platform, %error, "prepare failed");
                self.report(BotError::Rejected { platform, error });
                return plain(status, status.canonical_reason().unwrap_or("error"));
            }
        }
        if let Some(key) = dedup_key {
            let key = format!("dedup/{platform}/{key}");
            match inner.store.put_if_absent(&key, Bytes::new(), Some(DEDUP_TTL)).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(%platform, "duplicate delivery acknowledged, not handled again");
                    return adapter.acknowledge(&message, Ack::Duplicate);
                }
                Err(error) => {
                    // Refuse rather than risk a double answer; the platform retries later.
                    tracing::error!(%platform, %error, "de-duplication store failed");
                    self.report(BotError::Store(error));
                    return plain(StatusCode::SERVICE_UNAVAILABLE, "try again later");
                }
            }
        }

        let deadline = received + inner.budget.unwrap_or(budget);
        let first = match mode {
            ReplyMode::Inline => First::Inline,
            ReplyMode::Collect => First::Collect(Vec::new()),
            _ => First::Settled(Initial::Acknowledged),
        };
        let handler_message = message.clone();
        let cx = Context::new(
            message,
            Arc::clone(&adapter),
            received,
            deadline,
            extensions,
            self.clone(),
            scope,
            first,
        );
        // Follow-ups wait for the response; if this request is dropped, they need not.
        let sent = Sent(&cx);
        let message = cx.message();
        tracing::debug!(%platform, kind = message.kind.name(), ?mode, "dispatching");
        let mut task = Guard::new(cx.clone(), self.run_handler(cx.clone(), handler_message));

        if !matches!(mode, ReplyMode::Inline | ReplyMode::Collect) {
            task.detach();
            return sent.respond(adapter.acknowledge(message, Ack::Nothing));
        }

        // Most handlers answer without waiting: they need no timer.
        let outcome = match task.poll_once().await {
            Poll::Ready(done) => Outcome::Finished(done),
            Poll::Pending => match cx.take_first() {
                Some(first) => Outcome::First(Some(first)),
                None => {
                    let sleep = tokio::time::sleep_until(deadline.into());
                    tokio::pin!(sleep);
                    tokio::select! {
                        biased;
                        done = task.poll_fut() => Outcome::Finished(done),
                        () = cx.first_given(), if mode == ReplyMode::Inline => {
                            Outcome::First(cx.take_first())
                        }
                        () = &mut sleep => Outcome::OutOfTime,
                    }
                }
            },
        };

        let response = match outcome {
            Outcome::First(Some(given)) => {
                task.detach();
                self.render_first(&*adapter, &cx, given)
            }
            Outcome::First(None) | Outcome::OutOfTime => {
                task.detach();
                self.settle_late(&*adapter, &cx)
            }
            Outcome::Finished(result) => self.settle_finished(&*adapter, &cx, result),
        };
        sent.respond(response)
    }

    /// The handler, with its panics caught and its errors reported, replying through `cx`.
    fn run_handler(
        &self,
        cx: Context,
        message: crate::Message,
    ) -> impl Future<Output = Result<(), Failed>> + Send + 'static {
        let handler = Arc::clone(&self.inner.handler);
        let platform = message.platform;
        async move {
            let result = AssertUnwindSafe(async {
                let reply = handler.call(cx.clone(), message).await?;
                // Boxed, and only when a follow-up is due: a reply that goes inline (the common
                // case) then keeps this future small.
                if let Some(reply) = reply
                    && let Placed::Deliver(rest) = cx.place(reply)
                {
                    Box::pin(cx.deliver_rest(rest)).await?;
                }
                Ok::<(), HandlerError>(())
            })
            .catch_unwind()
            .await
            .unwrap_or_else(|_| Err(HandlerError::msg("handler panicked")));
            result.map_err(|error| {
                tracing::warn!(%platform, %error, "handler failed");
                cx.bot().report(BotError::Handler { platform, error });
                Failed
            })
        }
    }

    /// The budget ran out: answer with whatever is settled.
    fn settle_late(&self, adapter: &dyn Adapter, cx: &Context) -> Response<Bytes> {
        let message = cx.message();
        let deferred = Ack::Deferred { visibility: Default::default() };
        if let Some(given) = cx.take_first() {
            // A reply or deferral raced the timer: honour it.
            return self.render_first(adapter, cx, given);
        }
        let mut first = cx.lock_first();
        match std::mem::replace(&mut *first, First::Settled(Initial::Deferred)) {
            First::Collect(replies) if !replies.is_empty() => {
                *first = First::Settled(Initial::Replied);
                drop(first);
                self.render_or_fail(adapter, cx, replies)
            }
            First::Settled(initial) => {
                *first = First::Settled(initial);
                drop(first);
                adapter.acknowledge(message, deferred)
            }
            First::Inline | First::Collect(_) | First::Given(_) => {
                drop(first);
                adapter.acknowledge(message, deferred)
            }
        }
    }

    /// The handler finished before the budget ran out.
    fn settle_finished(
        &self,
        adapter: &dyn Adapter,
        cx: &Context,
        result: Result<(), Failed>,
    ) -> Response<Bytes> {
        if let Some(given) = cx.take_first() {
            return self.render_first(adapter, cx, given);
        }
        let message = cx.message();
        let mut first = cx.lock_first();
        let state = std::mem::replace(&mut *first, First::Settled(Initial::Acknowledged));
        match (state, result) {
            (First::Collect(replies), Ok(())) if !replies.is_empty() => {
                *first = First::Settled(Initial::Replied);
                drop(first);
                self.render_or_fail(adapter, cx, replies)
            }
            (First::Settled(initial), _) => {
                *first = First::Settled(initial);
                drop(first);
                adapter.acknowledge(message, Ack::Nothing)
            }
            (_, Err(_)) => plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
            (_, Ok(())) => {
                drop(first);
                adapter.acknowledge(message, Ack::Nothing)
            }
        }
    }

    /// The response for the handler's first reply or deferral.
    fn render_first(
        &self,
        adapter: &dyn Adapter,
        cx: &Context,
        given: FirstReply,
    ) -> Response<Bytes> {
        match given {
            FirstReply::Reply(reply) => self.render_or_fail(adapter, cx, vec![reply]),
            FirstReply::Defer(visibility) => {
                adapter.acknowledge(cx.message(), Ack::Deferred { visibility })
            }
        }
    }

    fn render_or_fail(
        &self,
        adapter: &dyn Adapter,
        cx: &Context,
        replies: Vec<crate::Reply>,
    ) -> Response<Bytes> {
        match adapter.render(cx.message(), replies) {
            Ok(response) => response,
            Err(error) => {
                let platform: Platform = adapter.platform();
                tracing::error!(%platform, %error, "reply could not be rendered");
                let status = error.status();
                self.report(BotError::Rejected { platform, error });
                plain(status, "internal error")
            }
        }
    }
}

/// The handler failed; its error already went to the error hook.
struct Failed;

enum Outcome {
    Finished(Result<(), Failed>),
    First(Option<FirstReply>),
    OutOfTime,
}

/// Marks the response as leaving when it is returned, or when the request is dropped (the
/// response will then never leave): deliveries waiting to follow it may go.
struct Sent<'a>(&'a Context);

impl Sent<'_> {
    fn respond(self, response: Response<Bytes>) -> Response<Bytes> {
        drop(self);
        response
    }
}

impl Drop for Sent<'_> {
    fn drop(&mut self) {
        self.0.abandon_first();
        self.0.mark_sent();
    }
}

/// Owns the handler's future while the request polls it; hands it to the bot's task tracker
/// when detached or dropped unfinished.
struct Guard {
    cx: Context,
    fut: Option<HandlerTask>,
}

impl Guard {
    fn new(cx: Context, fut: impl Future<Output = Result<(), Failed>> + Send + 'static) -> Self {
        Self { cx, fut: Some(Box::pin(fut)) }
    }

    /// Polls the handler once.
    async fn poll_once(&mut self) -> Poll<Result<(), Failed>> {
        std::future::poll_fn(|cx| {
            Poll::Ready(match self.fut.as_mut() {
                Some(fut) => {
                    let polled = fut.as_mut().poll(cx);
                    if polled.is_ready() {
                        self.fut = None;
                    }
                    polled
                }
                None => Poll::Pending,
            })
        })
        .await
    }

    /// Polls the handler; pending forever once detached.
    async fn poll_fut(&mut self) -> Result<(), Failed> {
        match self.fut.as_mut() {
            Some(fut) => {
                let out = fut.await;
                self.fut = None;
                out
            }
            None => std::future::pending().await,
        }
    }

    /// Moves the rest of the handler to a tracked task.
    fn detach(&mut self) {
        if let Some(fut) = self.fut.take() {
            let task: Task = Box::pin(async move {
                let _ = fut.await;
            });
            spawn_tracked(self.cx.bot().tasks(), self.cx.scope(), task);
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.detach();
    }
}
