//! [`Message`]: what a platform said to the bot, in platform-neutral form.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use http::Extensions;

use crate::Platform;
use crate::action::{Action, Captures};
use crate::ids::{ConversationId, MessageId, Text, ThreadId, UserId, WorkspaceId};

/// What kind of thing happened. Routers dispatch on it.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum MessageKind {
    /// A plain message in a conversation.
    Message,
    /// A message that mentions the bot.
    Mention,
    /// A command: a Slack slash command, a Discord application command.
    Command,
    /// A press on a button, a choice in a menu.
    Action,
    /// A submitted form: a Slack view, a Discord modal.
    Submission,
    /// A request for suggestions while the user types (Discord autocomplete).
    Autocomplete,
    /// A recognised intent (Amazon Lex).
    Intent,
    /// A reaction added to a message.
    Reaction,
    /// A shortcut: a Slack global or message shortcut.
    Shortcut,
    /// Anything else, named by the platform's own event type.
    Other(Cow<'static, str>),
}

impl MessageKind {
    /// A short name for logs: `message`, `command`, … or the platform's event type.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Message => "message",
            Self::Mention => "mention",
            Self::Command => "command",
            Self::Action => "action",
            Self::Submission => "submission",
            Self::Autocomplete => "autocomplete",
            Self::Intent => "intent",
            Self::Reaction => "reaction",
            Self::Shortcut => "shortcut",
            Self::Other(name) => name,
        }
    }
}

/// A command invocation: `/hello-there help` is name `hello-there`, args `help`.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub struct Command {
    /// The command's name without a leading slash.
    pub name: Text,
    /// Everything the user typed after the name (Slack), or the options joined (Discord).
    pub args: Text,
}

impl Command {
    /// A command with a name and its argument text.
    pub fn new(name: impl AsRef<str>, args: impl Into<Text>) -> Self {
        let name = name.as_ref();
        Self { name: Text::new(name.strip_prefix('/').unwrap_or(name)), args: args.into() }
    }
}

/// Who sent a message.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
#[non_exhaustive]
pub struct Sender {
    /// The platform's user id.
    pub id: UserId,
    /// A display or user name, when the platform sent one.
    pub name: Option<Text>,
    /// Whether the sender is a bot or an app.
    pub is_bot: bool,
}

impl Sender {
    /// A sender with the given id.
    pub fn new(id: impl Into<UserId>) -> Self {
        Self { id: id.into(), name: None, is_bot: false }
    }
}

/// A message from a chat platform, in platform-neutral form.
///
/// Adapters build it; handlers read it. What is not portable stays reachable: each adapter
/// attaches the platform's own request as the message's [payload](Self::payload), read back
/// through a typed extension trait (`msg.slack()`, `msg.discord()`, `msg.lex()`). Cloning a
/// message shares its payload rather than copying it.
///
/// ```
/// use chatbridge_core::{Command, Message, MessageKind, Platform};
///
/// let msg = Message::new(Platform::SLACK, MessageKind::Command)
///     .with_text("help")
///     .with_command(Command::new("/hello-there", "help"));
/// assert_eq!(msg.command_name(), Some("hello-there"));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Message {
    /// Where the message came from.
    pub platform: Platform,
    /// What kind of thing happened.
    pub kind: MessageKind,
    /// The message's own id, when it has one (reactions target it).
    pub id: Option<MessageId>,
    /// Where it was said.
    pub conversation: ConversationId,
    /// Whether the conversation is a direct message with the bot.
    pub is_direct: bool,
    /// Who said it.
    pub sender: Sender,
    /// The workspace, team or guild, when there is one.
    pub workspace: Option<WorkspaceId>,
    /// The text of the message (a command's argument text, a Lex transcript).
    pub text: Text,
    /// The command, for [`MessageKind::Command`] (and Lex intents).
    pub command: Option<Command>,
    /// The thread the message is in, when it is in one.
    pub thread: Option<ThreadId>,
    /// The press, choice, submitted form or suggestion request, for [`MessageKind::Action`],
    /// [`Submission`](MessageKind::Submission), [`Autocomplete`](MessageKind::Autocomplete)
    /// and [`Shortcut`](MessageKind::Shortcut).
    pub action: Option<Action>,
    /// Other data attached to the message, one value per type.
    pub extensions: Extensions,
    /// The platform's own request, shared between clones.
    payload: Option<Arc<dyn Any + Send + Sync>>,
}

impl Message {
    /// An empty message of a kind, from a platform; adapters fill it with the `with_*` methods.
    #[must_use]
    pub fn new(platform: Platform, kind: MessageKind) -> Self {
        Self {
            platform,
            kind,
            id: None,
            conversation: ConversationId::default(),
            is_direct: false,
            sender: Sender::default(),
            workspace: None,
            text: Text::default(),
            command: None,
            thread: None,
            action: None,
            extensions: Extensions::new(),
            payload: None,
        }
    }

    /// Sets the text.
    #[must_use]
    pub fn with_text(mut self, text: impl Into<Text>) -> Self {
        self.text = text.into();
        self
    }

    /// Sets the command.
    #[inline]
    #[must_use]
    pub fn with_command(mut self, command: Command) -> Self {
        self.command = Some(command);
        self
    }

    /// Sets the conversation.
    #[must_use]
    pub fn with_conversation(mut self, conversation: impl Into<ConversationId>) -> Self {
        self.conversation = conversation.into();
        self
    }

    /// Sets the sender.
    #[inline]
    #[must_use]
    pub fn with_sender(mut self, sender: Sender) -> Self {
        self.sender = sender;
        self
    }

    /// Sets the message id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<MessageId>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the thread.
    #[must_use]
    pub fn with_thread(mut self, thread: impl Into<ThreadId>) -> Self {
        self.thread = Some(thread.into());
        self
    }

    /// Sets the action.
    #[must_use]
    pub fn with_action(mut self, action: Action) -> Self {
        self.action = Some(action);
        self
    }

    /// A `{name}` part of the id the [`Router`](crate::Router) matched (`vote:{poll}:{option}`).
    ///
    /// ```
    /// use chatbridge_core::{Action, Context, Message, MessageKind, Router, Handler};
    ///
    /// async fn vote(_cx: Context, msg: Message) -> String {
    ///     format!("poll {} option {}", msg.param("poll").unwrap_or("?"), msg.param("option").unwrap_or("?"))
    /// }
    /// let router = Router::new().action("vote:{poll}:{option}", vote);
    /// let press = Message::new(chatbridge_core::Platform::SLACK, MessageKind::Action)
    ///     .with_action(Action::new("vote:p1:2"));
    /// assert!(router.wants(&press));
    /// ```
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        self.extensions.get::<Captures>()?.get(name)
    }

    /// The action's id, if the message is an action, a submission, a suggestion request or a
    /// shortcut.
    #[must_use]
    pub fn action_id(&self) -> Option<&str> {
        self.action.as_ref().map(|a| a.id.as_str())
    }

    /// Sets the workspace.
    #[must_use]
    pub fn with_workspace(mut self, workspace: impl Into<WorkspaceId>) -> Self {
        self.workspace = Some(workspace.into());
        self
    }

    /// Marks the conversation as a direct message (or not).
    #[inline]
    #[must_use]
    pub fn direct(mut self, is_direct: bool) -> Self {
        self.is_direct = is_direct;
        self
    }

    /// Attaches the platform's own request, for the adapter's extension trait to read back with
    /// [`payload`](Self::payload). A second payload replaces the first.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use chatbridge_core::{Message, MessageKind, Platform};
    ///
    /// struct Raw(u32);
    /// let msg = Message::new(Platform::SLACK, MessageKind::Message).with_payload(Arc::new(Raw(7)));
    /// assert_eq!(msg.clone().payload::<Raw>().map(|raw| raw.0), Some(7));
    /// assert!(msg.payload::<String>().is_none());
    /// ```
    #[must_use]
    pub fn with_payload<T: Any + Send + Sync>(mut self, payload: Arc<T>) -> Self {
        self.payload = Some(payload);
        self
    }

    /// The platform's own request, if one of type `T` is attached.
    #[must_use]
    pub fn payload<T: Any>(&self) -> Option<&T> {
        self.payload.as_deref()?.downcast_ref()
    }

    /// The platform's own request as a shared pointer, to keep past the message.
    #[must_use]
    pub fn payload_arc<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        Arc::clone(self.payload.as_ref()?).downcast().ok()
    }

    /// Stores other data with the message, one value per type.
    #[must_use]
    pub fn with_extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// The command's name, if this is a command.
    #[must_use]
    pub fn command_name(&self) -> Option<&str> {
        self.command.as_ref().map(|c| c.name.as_str())
    }
}

impl fmt::Debug for Message {
    // Text is user content: it is left out of Debug so that a `?msg` in a log line does not
    // copy what users wrote into the logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("platform", &self.platform)
            .field("kind", &self.kind)
            .field("id", &self.id)
            .field("conversation", &self.conversation)
            .field("is_direct", &self.is_direct)
            .field("sender", &self.sender.id)
            .field("workspace", &self.workspace)
            .field("text_len", &self.text.len())
            .field("command", &self.command_name())
            .field("thread", &self.thread)
            .field("action", &self.action_id())
            .finish_non_exhaustive()
    }
}
