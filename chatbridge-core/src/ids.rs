//! Identifier newtypes, so a channel id is never passed where a user id belongs, and
//! [`Text`]. All of them are cheap to clone: up to 23 bytes are kept inline, longer strings
//! are shared, so copying a message (the context keeps one beside the handler's) copies no
//! string.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;

use smol_str::SmolStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(SmolStr);

        impl $name {
            /// Wraps a platform identifier.
            pub fn new(id: impl AsRef<str>) -> Self {
                Self(SmolStr::new(id))
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

        impl From<&String> for $name {
            fn from(id: &String) -> Self {
                Self::new(id)
            }
        }

        impl From<Cow<'_, str>> for $name {
            fn from(id: Cow<'_, str>) -> Self {
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

/// Text a message carries: its text, a command's name and arguments, a sender's name.
///
/// Reads as a `&str` (it dereferences to one, and compares with `str`, `&str` and `String`),
/// but clones without copying: up to 23 bytes are kept inline, longer text is shared.
///
/// ```
/// use chatbridge_core::Text;
///
/// let text = Text::from("hello there");
/// assert_eq!(text, "hello there");
/// assert!(text.starts_with("hello"));
/// let owned: String = text.clone().into();
/// assert_eq!(owned, text.as_str());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Text(SmolStr);

impl Text {
    /// Text with the given contents.
    pub fn new(text: impl AsRef<str>) -> Self {
        Self(SmolStr::new(text))
    }

    /// The text as a `&str`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self(SmolStr::from(text))
    }
}

impl From<&String> for Text {
    fn from(text: &String) -> Self {
        Self::new(text)
    }
}

impl From<Cow<'_, str>> for Text {
    fn from(text: Cow<'_, str>) -> Self {
        Self::new(text)
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.0.into()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_clones_share_long_contents_and_compare_as_str() {
        let long = Text::from("a sentence longer than twenty-three bytes".to_owned());
        let copy = long.clone();
        assert_eq!(copy.as_ptr(), long.as_ptr(), "a clone shares the text");
        assert_eq!(copy, "a sentence longer than twenty-three bytes");
        assert_eq!(String::from(copy), long.as_str());
        assert_eq!(format!("{long:?}"), "\"a sentence longer than twenty-three bytes\"");
        assert!(Text::default().is_empty());
    }

    #[test]
    fn ids_keep_what_they_wrap() {
        let id = UserId::new(String::from("U0123ABCDEF"));
        assert_eq!(id, "U0123ABCDEF");
        assert_eq!(format!("{id:?}"), "UserId(\"U0123ABCDEF\")");
        assert_eq!(id.to_string(), "U0123ABCDEF");
    }
}
