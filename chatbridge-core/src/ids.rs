//! Identifier newtypes, so a channel id is never passed where a user id belongs.

use std::fmt;
use std::sync::Arc;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Wraps a platform identifier.
            pub fn new(id: impl Into<Arc<str>>) -> Self {
                Self(id.into())
            }

            /// The identifier as the platform wrote it.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether the identifier is empty (the platform sent none).
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), &*self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self::new(id)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self::new(id)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                &*self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                &*self.0 == *other
            }
        }
    };
}

id_type!(
    /// Where a message was said: a Slack channel or DM, a Discord channel, a Lex session.
    ConversationId
);
id_type!(
    /// Who said it: a Slack or Discord user id, a Lex user id or channel user id.
    UserId
);
id_type!(
    /// A message's own id: a Slack `ts`, a Discord message id.
    MessageId
);
id_type!(
    /// The thread a message belongs to: a Slack `thread_ts`.
    ThreadId
);
id_type!(
    /// The tenant the bot was installed into: a Slack team, a Discord guild.
    WorkspaceId
);
