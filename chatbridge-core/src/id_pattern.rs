//! [`IdPattern`]: an action, form or shortcut id to match exactly, or with `{name}` captures.

use std::fmt;

use crate::Text;
use crate::action::Captures;

/// An id pattern for the [`Router`](crate::Router)'s id routes.
///
/// Text outside braces matches itself; `{name}` captures one or more characters up to the next
/// literal text (the last capture takes the rest). A pattern without braces matches its id
/// exactly.
///
/// ```
/// use chatbridge_core::IdPattern;
///
/// let vote = IdPattern::new("vote:{poll}:{option}");
/// let captures = vote.matches("vote:p-17:2").unwrap();
/// assert_eq!(captures.get("poll"), Some("p-17"));
/// assert_eq!(captures.get("option"), Some("2"));
/// assert!(vote.matches("vote::2").is_none(), "a capture is never empty");
/// assert!(IdPattern::new("order").matches("order-2").is_none(), "no braces: exact");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct IdPattern {
    source: String,
    parts: Vec<Part>,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Part {
    Literal(String),
    Capture(String),
}

impl IdPattern {
    /// Parses a pattern. An unclosed `{` is literal text.
    #[must_use]
    pub fn new(pattern: impl Into<String>) -> Self {
        let source = pattern.into();
        let mut parts = Vec::new();
        let mut rest = source.as_str();
        while !rest.is_empty() {
            let open = rest.find('{');
            let close = open.and_then(|o| rest[o..].find('}').map(|c| o + c));
            match (open, close) {
                (Some(open), Some(close)) => {
                    if open > 0 {
                        push_literal(&mut parts, &rest[..open]);
                    }
                    parts.push(Part::Capture(rest[open + 1..close].to_owned()));
                    rest = &rest[close + 1..];
                }
                _ => {
                    push_literal(&mut parts, rest);
                    rest = "";
                }
            }
        }
        Self { source, parts }
    }

    /// The pattern as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The captures, when `id` matches.
    #[must_use]
    pub fn matches(&self, id: &str) -> Option<Captures> {
        let mut captures = Vec::new();
        let mut rest = id;
        let mut parts = self.parts.iter().peekable();
        while let Some(part) = parts.next() {
            match part {
                Part::Literal(text) => rest = rest.strip_prefix(text.as_str())?,
                Part::Capture(name) => {
                    let end = match parts.peek() {
                        // Up to the next literal, at least one character in.
                        Some(Part::Literal(next)) => {
                            let skip = rest.chars().next()?.len_utf8();
                            skip + rest[skip..].find(next.as_str())?
                        }
                        // Two captures in a row: the first takes one character.
                        Some(Part::Capture(_)) => rest.chars().next()?.len_utf8(),
                        None => rest.len(),
                    };
                    if end == 0 {
                        return None;
                    }
                    captures.push((name.clone(), Text::new(&rest[..end])));
                    rest = &rest[end..];
                }
            }
        }
        rest.is_empty().then_some(Captures(captures))
    }
}

fn push_literal(parts: &mut Vec<Part>, text: &str) {
    match parts.last_mut() {
        Some(Part::Literal(last)) => last.push_str(text),
        _ => parts.push(Part::Literal(text.to_owned())),
    }
}

impl From<&str> for IdPattern {
    fn from(pattern: &str) -> Self {
        Self::new(pattern)
    }
}

impl From<String> for IdPattern {
    fn from(pattern: String) -> Self {
        Self::new(pattern)
    }
}

impl fmt::Debug for IdPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdPattern").field(&self.source).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_stop_at_the_next_literal_and_the_last_takes_the_rest() {
        let p = IdPattern::new("a/{x}/b/{y}");
        let c = p.matches("a/1/b/2/3").unwrap();
        assert_eq!((c.get("x"), c.get("y")), (Some("1"), Some("2/3")));
        assert!(p.matches("a/1/c/2").is_none());
        assert!(p.matches("a/1/b/").is_none());
        let exact = IdPattern::new("help");
        assert_eq!(exact.matches("help"), Some(Captures::default()));
        assert!(exact.matches("Help").is_none());
        let unclosed = IdPattern::new("x{y");
        assert!(unclosed.matches("x{y").is_some());
        let p = IdPattern::new("{poll}:{option}");
        let c = p.matches("ünï:3").unwrap();
        assert_eq!((c.get("poll"), c.get("option")), (Some("ünï"), Some("3")));
    }
}
