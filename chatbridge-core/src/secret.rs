//! [`Secret`]: a value that never shows itself by accident.

use std::fmt;

/// A secret string: a signing secret, a bot token, a client secret.
///
/// `Debug` prints `Secret([REDACTED])`; there is no `Display` and no `Serialize`, so a secret
/// cannot end up in a log line, an error message or a JSON body without an explicit
/// [`expose_secret`](Self::expose_secret) call at the point of use.
///
/// ```
/// use chatbridge_core::Secret;
///
/// let token = Secret::new("xoxb-123");
/// assert_eq!(format!("{token:?}"), "Secret([REDACTED])");
/// assert_eq!(token.expose_secret(), "xoxb-123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().into_boxed_str())
    }

    /// The secret itself. Call this only where the value is used, never to log it.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (an unset variable, usually).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_even_when_nested() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Config {
            token: Secret,
        }
        let printed = format!("{:?}", Config { token: Secret::new("xoxb-very-secret") });
        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(printed.contains("[REDACTED]"));
        let pretty = format!("{:#?}", Secret::new("hunter2"));
        assert!(!pretty.contains("hunter2"));
    }
}
