//! [`LogCapture`]: every `tracing` event and span field as text, to check what logs carry.

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::{DefaultGuard, NoSubscriber};
use tracing::{Dispatch, Event, Metadata, Subscriber};

/// A `tracing` subscriber that records every event and span field, at every level, as text:
/// for tests that check no secret or user content reaches the logs.
///
/// ```
/// use chatbridge_core::testing::LogCapture;
///
/// let capture = LogCapture::default();
/// tracing::subscriber::with_default(capture.clone(), || {
///     tracing::info!(team = "T1", "installed");
/// });
/// assert!(capture.text().contains("team=\"T1\""));
/// ```
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<String>>);

impl LogCapture {
    /// Makes this capture the current thread's subscriber until the guard drops.
    ///
    /// Prefer it to `tracing::subscriber::set_default` in tests that run beside others: while
    /// only one subscriber is registered, `tracing` caches a callsite's interest from the
    /// subscriber of whichever thread reaches it first, so a test on another thread, with no
    /// subscriber, could hide that callsite from this capture for good. `install` keeps a second,
    /// idle subscriber registered, which makes `tracing` ask every thread's subscriber instead.
    ///
    /// ```
    /// use chatbridge_core::testing::LogCapture;
    ///
    /// let capture = LogCapture::default();
    /// let guard = capture.install();
    /// tracing::debug!(team = "T1", "installed");
    /// drop(guard);
    /// assert!(capture.text().contains("team=\"T1\""));
    /// ```
    #[must_use = "the capture is uninstalled when the guard drops"]
    pub fn install(&self) -> DefaultGuard {
        static IDLE: OnceLock<Dispatch> = OnceLock::new();
        IDLE.get_or_init(|| Dispatch::new(NoSubscriber::default()));
        tracing::subscriber::set_default(self.clone())
    }

    /// Everything recorded so far, one event a line.
    pub fn text(&self) -> MutexGuard<'_, String> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for LogCapture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogCapture").field("bytes", &self.text().len()).finish()
    }
}

struct Text<'a>(&'a mut String);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl Subscriber for LogCapture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        span.record(&mut Text(&mut self.text()));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Text(&mut self.text()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = self.text();
        let _ = write!(text, "\n{}", event.metadata().level());
        event.record(&mut Text(&mut text));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
