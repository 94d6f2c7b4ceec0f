//! [`Platform`]: which chat platform a message came from.

use std::fmt;

/// A chat platform, named by a short lowercase string.
///
/// The built-in adapters use the constants; an adapter for another platform makes its own with
/// [`Platform::new`], so core never has to know every platform.
///
/// ```
/// use chatbridge_core::Platform;
///
/// const TELEGRAM: Platform = Platform::new("telegram");
/// assert_eq!(TELEGRAM.name(), "telegram");
/// assert_ne!(TELEGRAM, Platform::SLACK);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform(&'static str);

impl Platform {
    /// Slack.
    pub const SLACK: Self = Self("slack");
    /// Discord.
    pub const DISCORD: Self = Self("discord");
    /// Amazon Lex.
    pub const LEX: Self = Self("lex");

    /// A platform with the given short name.
    #[must_use]
    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }

    /// The platform's short name, as used in logs.
    #[must_use]
    pub const fn name(self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
