//! [`Reply`]: what a handler answers, and [`IntoReply`] for the shorthand return types.

use std::fmt;

use http::Extensions;

use crate::{Card, CardError, Form};

/// Who sees a reply.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub enum Visibility {
    /// The platform's default: ephemeral for Slack slash commands, public elsewhere.
    #[default]
    Default,
    /// Everyone in the conversation.
    InChannel,
    /// Only the user who triggered it.
    Ephemeral,
}

/// A reply to a [`Message`](crate::Message), built with chained calls.
///
/// The portable parts are text, visibility, a reaction to the source message, threading and
/// replacing the original; what only one platform has (Slack blocks, Discord embeds, Lex dialog
/// actions) goes in [`extensions`](Self::extensions) through the adapters' extension traits.
///
/// ```
/// use chatbridge_core::{Reply, Visibility};
///
/// let reply = Reply::text("General Kenobi!").in_channel();
/// assert_eq!(reply.text.as_deref(), Some("General Kenobi!"));
/// assert_eq!(reply.visibility, Visibility::InChannel);
///
/// let reaction = Reply::reaction("pizza");
/// assert_eq!(reaction.reaction.unwrap().name(), Some("pizza"));
/// ```
#[derive(Clone, Default)]
#[non_exhaustive]
#[must_use]
pub struct Reply {
    /// The text to send.
    pub text: Option<String>,
    /// Who sees it.
    pub visibility: Visibility,
    /// An emoji to react to the source message with.
    pub reaction: Option<Emoji>,
    /// Whether to answer in the source message's thread.
    pub in_thread: bool,
    /// Whether to replace the message the interaction came from (buttons, menus).
    pub replace_original: bool,
    /// A card with buttons and menus, checked by [`with_card`](Self::with_card) (boxed: most
    /// replies have none).
    pub card: Option<Box<Card>>,
    /// A form to open instead of a message, checked by [`with_form`](Self::with_form).
    pub form: Option<Box<Form>>,
    /// Errors to show on a submitted form's fields, by field name: the form stays open
    /// (Slack), or the user is told privately (Discord).
    pub form_errors: Vec<(String, String)>,
    /// Platform-only parts, set through the adapters' extension traits.
    pub extensions: Extensions,
}

impl Reply {
    /// A reply with nothing in it yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A text reply.
    pub fn text(text: impl Into<String>) -> Self {
        Self { text: Some(text.into()), ..Self::default() }
    }

    /// A reaction to the source message, with no text.
    pub fn reaction(emoji: impl Into<Emoji>) -> Self {
        Self { reaction: Some(emoji.into()), ..Self::default() }
    }

    /// Sets the text.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Adds a reaction to the source message.
    pub fn with_reaction(mut self, emoji: impl Into<Emoji>) -> Self {
        self.reaction = Some(emoji.into());
        self
    }

    /// Everyone in the conversation sees it.
    pub fn in_channel(mut self) -> Self {
        self.visibility = Visibility::InChannel;
        self
    }

    /// Only the user who triggered it sees it.
    pub fn ephemeral(mut self) -> Self {
        self.visibility = Visibility::Ephemeral;
        self
    }

    /// Answer in the source message's thread.
    pub fn in_thread(mut self) -> Self {
        self.in_thread = true;
        self
    }

    /// Replace the message the interaction came from.
    pub fn replace_original(mut self) -> Self {
        self.replace_original = true;
        self
    }

    /// Attaches a card, once it is checked against what every platform takes
    /// ([`Card::validate`]).
    ///
    /// # Errors
    ///
    /// The card is past a limit: an over-long label, too many buttons, a repeated id.
    pub fn with_card(mut self, card: Card) -> Result<Self, CardError> {
        card.validate()?;
        self.card = Some(Box::new(card));
        Ok(self)
    }

    /// Opens a form (a Slack modal, a Discord modal), once it is checked against what every
    /// platform takes ([`Form::validate`]). Lex has no forms: there, such a reply is refused.
    ///
    /// # Errors
    ///
    /// The form is past a limit: a long title, too many fields, a repeated name.
    pub fn with_form(mut self, form: Form) -> Result<Self, CardError> {
        form.validate()?;
        self.form = Some(Box::new(form));
        Ok(self)
    }

    /// Answers a submitted form with an error on one of its fields (call again for more).
    pub fn form_error(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.form_errors.push((field.into(), message.into()));
        self
    }

    /// Adds a platform-only part; adapters' extension traits wrap this.
    pub fn with_extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Whether the reply carries nothing at all to send.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.text.is_none()
            && self.reaction.is_none()
            && self.card.is_none()
            && self.form.is_none()
            && self.form_errors.is_empty()
            && self.extensions.is_empty()
    }

    /// Splits off the reaction, which always goes out through the platform's API rather than
    /// in an HTTP response. Returns the reply without it, and the reaction.
    pub fn take_reaction(mut self) -> (Self, Option<Emoji>) {
        let reaction = self.reaction.take();
        (self, reaction)
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("text_len", &self.text.as_ref().map(String::len))
            .field("visibility", &self.visibility)
            .field("reaction", &self.reaction)
            .field("in_thread", &self.in_thread)
            .field("replace_original", &self.replace_original)
            .field("card", &self.card.is_some())
            .field("form", &self.form.as_ref().map(|f| &f.id))
            .field("form_errors", &self.form_errors.len())
            .finish_non_exhaustive()
    }
}

/// An emoji, by name (`pizza`, as Slack wants it), by character (`🍕`, as Discord and text
/// want it), or both. Platforms pick the form they need; give both when you can.
///
/// ```
/// use chatbridge_core::Emoji;
///
/// let both = Emoji::new("pizza", "🍕");
/// assert_eq!(both.name(), Some("pizza"));
/// assert_eq!(both.character(), Some("🍕"));
/// // A plain string is a name if it is ASCII (colons stripped), a character otherwise.
/// assert_eq!(Emoji::from(":thumbsup:").name(), Some("thumbsup"));
/// assert_eq!(Emoji::from("👍").character(), Some("👍"));
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Hash)]
pub struct Emoji {
    name: Option<String>,
    character: Option<String>,
}

impl Emoji {
    /// An emoji with both its name and its character.
    pub fn new(name: impl Into<String>, character: impl Into<String>) -> Self {
        Self { name: Some(strip_colons(name.into())), character: Some(character.into()) }
    }

    /// An emoji known by name only (`pizza`, `:pizza:`, or a custom one).
    pub fn from_name(name: impl Into<String>) -> Self {
        Self { name: Some(strip_colons(name.into())), character: None }
    }

    /// An emoji known by character only.
    pub fn from_character(character: impl Into<String>) -> Self {
        Self { name: None, character: Some(character.into()) }
    }

    /// The name, without colons.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The character(s).
    #[must_use]
    pub fn character(&self) -> Option<&str> {
        self.character.as_deref()
    }
}

fn strip_colons(name: String) -> String {
    match name.strip_prefix(':').and_then(|n| n.strip_suffix(':')) {
        Some(inner) => inner.to_owned(),
        None => name,
    }
}

impl From<&str> for Emoji {
    fn from(emoji: &str) -> Self {
        if emoji.is_ascii() { Self::from_name(emoji) } else { Self::from_character(emoji) }
    }
}

impl From<String> for Emoji {
    fn from(emoji: String) -> Self {
        if emoji.is_ascii() { Self::from_name(emoji) } else { Self::from_character(emoji) }
    }
}

/// Turns a handler's return value into an optional [`Reply`].
///
/// Implemented for `()` (no reply), `&str`, `String`, `Reply`, and `Option` of any of them.
///
/// ```
/// use chatbridge_core::IntoReply;
///
/// assert!(().into_reply().is_none());
/// assert_eq!("hi".into_reply().unwrap().text.as_deref(), Some("hi"));
/// assert!(None::<String>.into_reply().is_none());
/// ```
pub trait IntoReply {
    /// The reply, or `None` for "say nothing".
    fn into_reply(self) -> Option<Reply>;
}

impl IntoReply for () {
    fn into_reply(self) -> Option<Reply> {
        None
    }
}

impl IntoReply for Reply {
    fn into_reply(self) -> Option<Reply> {
        Some(self)
    }
}

impl IntoReply for String {
    fn into_reply(self) -> Option<Reply> {
        Some(Reply::text(self))
    }
}

impl IntoReply for &str {
    fn into_reply(self) -> Option<Reply> {
        Some(Reply::text(self))
    }
}

impl IntoReply for std::borrow::Cow<'_, str> {
    fn into_reply(self) -> Option<Reply> {
        Some(Reply::text(self.into_owned()))
    }
}

impl<T: IntoReply> IntoReply for Option<T> {
    fn into_reply(self) -> Option<Reply> {
        self.and_then(IntoReply::into_reply)
    }
}
