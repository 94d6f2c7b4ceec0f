//! [`Router`]: picks a handler by action id, command name, message kind or text pattern, with a
//! fallback.

use std::fmt;
use std::sync::Arc;

use crate::action::Captures;
use crate::handler::BoxedCall;
use crate::{Context, Handler, IdPattern, Message, MessageKind};

/// Routes messages to handlers.
///
/// The first match wins, in this order: an action, submission, suggestion request or shortcut
/// by its id ([`IdPattern`]: exact, or with `{name}` captures the handler reads with
/// [`Message::param`]), then a command by name (case-insensitive, leading `/` ignored), then
/// kinds, then text patterns in the order they were added, then the fallback. A message
/// nothing matches is not wanted: the bot acknowledges it and runs nothing (a button press
/// whose id no route wants gets a 200).
///
/// ```
/// use chatbridge_core::{Context, Message, MessageKind, Router};
///
/// async fn hello(_cx: Context, _msg: Message) -> &'static str { "General Kenobi!" }
/// async fn pizza(_cx: Context, _msg: Message) -> &'static str { "🍕" }
/// async fn other(_cx: Context, _msg: Message) {}
///
/// let router = Router::new()
///     .command("hello-there", hello)
///     .text("pizza", pizza)
///     .on(MessageKind::Mention, other)
///     .fallback(other);
/// # let _ = router;
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct Router {
    ids: Vec<(MessageKind, IdPattern, Arc<dyn Handler>)>,
    commands: Vec<(String, Arc<dyn Handler>)>,
    kinds: Vec<(MessageKind, Arc<dyn Handler>)>,
    patterns: Vec<(Pattern, Arc<dyn Handler>)>,
    fallback: Option<Arc<dyn Handler>>,
}

impl Router {
    /// An empty router: it wants nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Routes a command (`/hello-there` or `hello-there`; a Lex intent name) to a handler.
    pub fn command(mut self, name: impl Into<String>, handler: impl Handler) -> Self {
        let name = name.into();
        let name = name.strip_prefix('/').map(str::to_owned).unwrap_or(name);
        self.commands.push((name, Arc::new(handler)));
        self
    }

    /// Routes button presses and menu choices ([`MessageKind::Action`]) by their id:
    /// `"order"`, or `"vote:{poll}:{option}"` with captures.
    pub fn action(self, id: impl Into<IdPattern>, handler: impl Handler) -> Self {
        self.by_id(MessageKind::Action, id, handler)
    }

    /// Routes submitted forms ([`MessageKind::Submission`]: a Slack view by its
    /// `callback_id`, a Discord modal by its `custom_id`).
    pub fn submission(self, id: impl Into<IdPattern>, handler: impl Handler) -> Self {
        self.by_id(MessageKind::Submission, id, handler)
    }

    /// Routes requests for suggestions ([`MessageKind::Autocomplete`]: a Slack external
    /// select by its `action_id`, a Discord option as `{command}:{option}`).
    pub fn options(self, id: impl Into<IdPattern>, handler: impl Handler) -> Self {
        self.by_id(MessageKind::Autocomplete, id, handler)
    }

    /// Routes shortcuts ([`MessageKind::Shortcut`]) by their `callback_id`.
    pub fn shortcut(self, callback_id: impl Into<IdPattern>, handler: impl Handler) -> Self {
        self.by_id(MessageKind::Shortcut, callback_id, handler)
    }

    fn by_id(mut self, kind: MessageKind, id: impl Into<IdPattern>, handler: impl Handler) -> Self {
        self.ids.push((kind, id.into(), Arc::new(handler)));
        self
    }

    /// Routes every message of a kind to a handler.
    pub fn on(mut self, kind: MessageKind, handler: impl Handler) -> Self {
        self.kinds.push((kind, Arc::new(handler)));
        self
    }

    /// Routes messages whose text matches a pattern to a handler.
    ///
    /// A `&str` or `String` matches text that contains it, ignoring ASCII case; a closure
    /// `Fn(&str) -> bool` matches what it accepts.
    pub fn text(mut self, pattern: impl Into<Pattern>, handler: impl Handler) -> Self {
        self.patterns.push((pattern.into(), Arc::new(handler)));
        self
    }

    /// The handler for messages no other route takes.
    pub fn fallback(mut self, handler: impl Handler) -> Self {
        self.fallback = Some(Arc::new(handler));
        self
    }

    /// The handler a message goes to, if any.
    #[must_use]
    pub fn route(&self, msg: &Message) -> Option<&Arc<dyn Handler>> {
        self.find(msg).map(|(handler, _)| handler)
    }

    /// The handler a message goes to, and the captures of the id route that took it.
    fn find(&self, msg: &Message) -> Option<(&Arc<dyn Handler>, Option<Captures>)> {
        if let Some(id) = msg.action_id() {
            let by_id = self.ids.iter().filter(|(kind, _, _)| *kind == msg.kind);
            for (_, pattern, handler) in by_id {
                if let Some(captures) = pattern.matches(id) {
                    return Some((handler, Some(captures)));
                }
            }
        }
        self.find_by_name(msg).map(|handler| (handler, None))
    }

    fn find_by_name(&self, msg: &Message) -> Option<&Arc<dyn Handler>> {
        if let Some(name) = msg.command_name() {
            let name = name.strip_prefix('/').unwrap_or(name);
            if let Some((_, h)) = self.commands.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                return Some(h);
            }
        }
        if let Some((_, h)) = self.kinds.iter().find(|(k, _)| *k == msg.kind) {
            return Some(h);
        }
        if let Some((_, h)) = self.patterns.iter().find(|(p, _)| p.matches(&msg.text)) {
            return Some(h);
        }
        self.fallback.as_ref()
    }
}

impl Handler for Router {
    // Written out rather than through `async_trait`: the routed handler's future is returned
    // as it is, not boxed a second time inside the router's.
    fn call<'life0, 'async_trait>(
        &'life0 self,
        cx: Context,
        msg: Message,
    ) -> BoxedCall<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        match self.find(&msg) {
            Some((handler, captures)) => {
                let mut msg = msg;
                if let Some(captures) = captures {
                    msg.extensions.insert(captures);
                }
                handler.call(cx, msg)
            }
            None => Box::pin(std::future::ready(Ok(None))),
        }
    }

    fn wants(&self, msg: &Message) -> bool {
        self.route(msg).is_some_and(|h| h.wants(msg))
    }
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field("ids", &self.ids.iter().map(|(k, p, _)| (k, p)).collect::<Vec<_>>())
            .field("commands", &self.commands.iter().map(|(n, _)| n).collect::<Vec<_>>())
            .field("kinds", &self.kinds.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("patterns", &self.patterns.len())
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}

/// A text pattern for [`Router::text`].
#[derive(Clone)]
pub struct Pattern(PatternKind);

#[derive(Clone)]
enum PatternKind {
    Contains(String),
    Predicate(Arc<dyn Fn(&str) -> bool + Send + Sync>),
}

impl Pattern {
    /// Matches text that contains `needle`, ignoring ASCII case.
    pub fn contains(needle: impl Into<String>) -> Self {
        Self(PatternKind::Contains(needle.into().to_ascii_lowercase()))
    }

    /// Matches text the predicate accepts.
    pub fn predicate(f: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        Self(PatternKind::Predicate(Arc::new(f)))
    }

    /// Whether the text matches.
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        match &self.0 {
            PatternKind::Contains(needle) => contains_ignore_ascii_case(text, needle),
            PatternKind::Predicate(f) => f(text),
        }
    }
}

fn contains_ignore_ascii_case(haystack: &str, lower_needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), lower_needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

impl From<&str> for Pattern {
    fn from(needle: &str) -> Self {
        Self::contains(needle)
    }
}

impl From<String> for Pattern {
    fn from(needle: String) -> Self {
        Self::contains(needle)
    }
}

impl<F: Fn(&str) -> bool + Send + Sync + 'static> From<F> for Pattern {
    fn from(f: F) -> Self {
        Self::predicate(f)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            PatternKind::Contains(n) => f.debug_tuple("Contains").field(n).finish(),
            PatternKind::Predicate(_) => f.write_str("Predicate"),
        }
    }
}
