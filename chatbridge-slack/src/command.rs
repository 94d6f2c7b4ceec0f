//! Slash commands: the form Slack posts when a user runs `/command text`.
//!
//! See Slack's page "Implementing slash commands".

use std::borrow::Cow;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::OnceLock;

use chatbridge_core::{ConversationId, UserId, WorkspaceId};

use crate::form::Value;

/// A slash command invocation. The legacy verification `token` is deliberately not kept.
///
/// Its text fields are read through methods: they live in one buffer (a command is a dozen
/// short strings, and one allocation for them all instead of one each is a measurable part of
/// answering it), decoded, except the `response_url`, which is decoded on first use.
#[derive(Clone, Default)]
pub struct SlashCommand {
    /// Every kept value, decoded, one after another.
    values: String,
    command: Span,
    text: Span,
    user_id: UserId,
    user_name: Option<Span>,
    channel_id: ConversationId,
    channel_name: Option<Span>,
    team_id: Option<WorkspaceId>,
    team_domain: Option<Span>,
    enterprise_id: Option<Span>,
    api_app_id: Option<Span>,
    /// Kept as sent, percent-encoded when `response_url_encoded`, and then decoded on first
    /// use into `decoded_url`: only follow-ups need it, and decoding its dozen escapes on every
    /// command was a tenth of the time taken to answer one.
    response_url: Option<Span>,
    response_url_encoded: bool,
    decoded_url: OnceLock<Box<str>>,
    trigger_id: Option<Span>,
    is_enterprise_install: bool,
}

/// Where one value lies in [`SlashCommand::values`].
#[derive(Clone, Copy, Default)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn non_empty(self) -> Option<Self> {
        (self.end > self.start).then_some(self)
    }
}

impl SlashCommand {
    /// Parses a slash-command form body; `None` when it has no `command` field.
    ///
    /// ```
    /// use chatbridge_slack::SlashCommand;
    ///
    /// let cmd = SlashCommand::from_form(b"command=%2Fhello-there&text=help&user_id=U1&channel_id=C1")
    ///     .unwrap();
    /// assert_eq!(cmd.command(), "/hello-there");
    /// assert_eq!(cmd.text(), "help");
    /// assert_eq!(cmd.user_id().as_str(), "U1");
    /// assert_eq!(cmd.response_url(), None);
    /// ```
    #[must_use]
    pub fn from_form(body: &[u8]) -> Option<Self> {
        match read_form(body, false) {
            Form::Command(cmd) => Some(cmd),
            Form::Interaction(_) | Form::Neither => None,
        }
    }

    /// The command, with its slash: `/hello-there`.
    #[must_use]
    pub fn command(&self) -> &str {
        self.get(self.command)
    }

    /// What the user typed after the command.
    #[must_use]
    pub fn text(&self) -> &str {
        self.get(self.text)
    }

    /// Who ran it.
    #[must_use]
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    /// Their user name (deprecated by Slack, still sent).
    #[must_use]
    pub fn user_name(&self) -> Option<&str> {
        self.user_name.map(|span| self.get(span))
    }

    /// Where it was run.
    #[must_use]
    pub fn channel_id(&self) -> &ConversationId {
        &self.channel_id
    }

    /// The channel's name.
    #[must_use]
    pub fn channel_name(&self) -> Option<&str> {
        self.channel_name.map(|span| self.get(span))
    }

    /// The workspace.
    #[must_use]
    pub fn team_id(&self) -> Option<&WorkspaceId> {
        self.team_id.as_ref()
    }

    /// The workspace's domain.
    #[must_use]
    pub fn team_domain(&self) -> Option<&str> {
        self.team_domain.map(|span| self.get(span))
    }

    /// The enterprise, on Enterprise Grid.
    #[must_use]
    pub fn enterprise_id(&self) -> Option<&str> {
        self.enterprise_id.map(|span| self.get(span))
    }

    /// The app the command belongs to.
    #[must_use]
    pub fn api_app_id(&self) -> Option<&str> {
        self.api_app_id.map(|span| self.get(span))
    }

    /// Where delayed replies go: up to 5 posts within 30 minutes.
    #[must_use]
    pub fn response_url(&self) -> Option<&str> {
        let span = self.response_url?;
        if !self.response_url_encoded {
            return Some(self.get(span));
        }
        Some(self.decoded_url.get_or_init(|| crate::form::decode_str(self.get(span)).into()))
    }

    /// Opens a modal within 3 seconds.
    #[must_use]
    pub fn trigger_id(&self) -> Option<&str> {
        self.trigger_id.map(|span| self.get(span))
    }

    /// Whether the app is installed for the whole enterprise.
    #[must_use]
    pub fn is_enterprise_install(&self) -> bool {
        self.is_enterprise_install
    }

    fn get(&self, span: Span) -> &str {
        // Spans are only ever made by `keep` and `keep_encoded`, at the ends of whole values.
        self.values.get(span.start as usize..span.end as usize).unwrap_or_default()
    }

    /// Appends a value to the buffer and says where it went.
    fn keep(&mut self, value: Value<'_>) -> Span {
        let start = self.values.len();
        value.decode_into(&mut self.values);
        self.span_from(start)
    }

    /// Appends the value still encoded when it can (the body is text), and says where it went
    /// and whether it is still to be decoded; otherwise keeps it decoded.
    fn keep_encoded(&mut self, value: Value<'_>) -> (Span, bool) {
        match value.encoded() {
            Some((encoded, escaped)) => {
                let start = self.values.len();
                self.values.push_str(encoded);
                (self.span_from(start), escaped)
            }
            None => (self.keep(value), false),
        }
    }

    /// Where what was appended to the buffer since `start` lies.
    fn span_from(&self, start: usize) -> Span {
        Span { start: offset(start), end: offset(self.values.len()) }
    }

    /// [`keep`](Self::keep), `None` for an empty value.
    fn keep_non_empty(&mut self, value: Value<'_>) -> Option<Span> {
        self.keep(value).non_empty()
    }
}

/// A buffer offset as a span end: bodies are far below 4 GiB (the bot's body limit is 1 MiB by
/// default), and a larger one only saturates, never wraps.
fn offset(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// What a form body Slack posts holds.
// Made once per request and taken apart at once: a box would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Form<'a> {
    /// An interaction: the `payload` field's JSON.
    Interaction(Cow<'a, str>),
    /// A slash command.
    Command(SlashCommand),
    /// Neither.
    Neither,
}

/// Reads a form in one pass: with `payload`, the first field called `payload` makes it an
/// interaction (and no other value is decoded); otherwise it is a command if it has a
/// `command` field. Only the fields kept are copied out of the body, into one buffer.
pub(crate) fn read_form(body: &[u8], payload: bool) -> Form<'_> {
    let mut cmd = SlashCommand { values: String::with_capacity(body.len()), ..Default::default() };
    let mut has_command = false;
    let interaction = crate::form::for_each_field(body, |key, value| {
        match &*key {
            "payload" if payload => return ControlFlow::Break(value.decode()),
            "command" => {
                has_command = true;
                cmd.command = cmd.keep(value);
            }
            "text" => cmd.text = cmd.keep(value),
            "user_id" => cmd.user_id = UserId::new(value.decode()),
            "user_name" => cmd.user_name = Some(cmd.keep(value)),
            "channel_id" => cmd.channel_id = ConversationId::new(value.decode()),
            "channel_name" => cmd.channel_name = Some(cmd.keep(value)),
            "team_id" => cmd.team_id = Some(WorkspaceId::new(value.decode())),
            "team_domain" => cmd.team_domain = Some(cmd.keep(value)),
            "enterprise_id" => cmd.enterprise_id = cmd.keep_non_empty(value),
            "api_app_id" => cmd.api_app_id = Some(cmd.keep(value)),
            "response_url" => {
                let (span, encoded) = cmd.keep_encoded(value);
                // Decoding never empties a value: empty encoded is empty decoded.
                cmd.response_url = span.non_empty();
                cmd.response_url_encoded = encoded;
            }
            "trigger_id" => cmd.trigger_id = Some(cmd.keep(value)),
            "is_enterprise_install" => cmd.is_enterprise_install = value.is("true"),
            _ => {}
        }
        ControlFlow::Continue(())
    });
    if let ControlFlow::Break(json) = interaction {
        return Form::Interaction(json);
    }
    if has_command { Form::Command(cmd) } else { Form::Neither }
}

impl fmt::Debug for SlashCommand {
    // The text is user content and the response_url a capability: neither goes in Debug.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlashCommand")
            .field("command", &self.command())
            .field("user_id", &self.user_id)
            .field("channel_id", &self.channel_id)
            .field("team_id", &self.team_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_field_anywhere_makes_an_interaction() {
        let body = b"command=%2Fhello&text=hi&p%61yload=%7B%22type%22%3A1%7D&payload=second";
        let Form::Interaction(payload) = read_form(body, true) else {
            panic!("not an interaction")
        };
        assert_eq!(payload, r#"{"type":1}"#);
        let cmd = SlashCommand::from_form(body).expect("a command, read as one");
        assert_eq!((cmd.command(), cmd.text()), ("/hello", "hi"));
    }

    #[test]
    fn a_form_without_a_command_is_neither() {
        assert!(matches!(read_form(b"text=hi&user_id=U1", true), Form::Neither));
        assert!(SlashCommand::from_form(b"text=hi").is_none());
    }

    #[test]
    fn empty_ids_are_none_and_the_enterprise_flag_is_read() {
        let cmd = SlashCommand::from_form(
            b"command=%2Fx&enterprise_id=&response_url=&is_enterprise_install=true&team_id=T1",
        )
        .expect("a command");
        assert_eq!(cmd.enterprise_id(), None);
        assert_eq!(cmd.response_url(), None);
        assert!(cmd.is_enterprise_install());
        assert_eq!(cmd.team_id().map(WorkspaceId::as_str), Some("T1"));
    }

    #[test]
    fn the_response_url_is_decoded_once_on_first_use() {
        let cmd = SlashCommand::from_form(
            b"command=%2Fx&response_url=https%3A%2F%2Fa%2F1&response_url=https%3A%2F%2Fb%2F%E9",
        )
        .expect("a command");
        let url = cmd.response_url().expect("a response_url");
        assert_eq!(url, "https://b/\u{FFFD}", "the last one, decoded as form_urlencoded does");
        assert!(std::ptr::eq(url, cmd.response_url().unwrap()), "decoded once, then kept");
        assert_eq!(cmd.clone().response_url(), Some(url));
        let plain = SlashCommand::from_form(b"command=%2Fx&response_url=https://c/3").unwrap();
        assert_eq!(plain.response_url(), Some("https://c/3"));
        // A body that is not all UTF-8 has its URL decoded at once, the same way.
        let odd =
            SlashCommand::from_form(b"command=%2Fx&text=\xff&response_url=https%3A%2F%2Fd%2F%E9")
                .unwrap();
        assert_eq!(odd.response_url(), Some("https://d/\u{FFFD}"));
        assert_eq!(odd.text(), "\u{FFFD}");
    }

    #[test]
    fn every_field_reads_back_decoded_and_a_repeated_field_keeps_its_last_value() {
        let cmd = SlashCommand::from_form(
            b"command=%2Fhi&text=caf%C3%A9+%26+more&user_name=obi&channel_name=general&\
              team_domain=jedi&api_app_id=A1&trigger_id=1.2&text=again&\
              response_url=https%3A%2F%2Fhooks.slack.com%2Fx&user_id=U1&channel_id=D1",
        )
        .expect("a command");
        assert_eq!(cmd.command(), "/hi");
        assert_eq!(cmd.text(), "again");
        assert_eq!(cmd.user_name(), Some("obi"));
        assert_eq!(cmd.channel_name(), Some("general"));
        assert_eq!(cmd.team_domain(), Some("jedi"));
        assert_eq!(cmd.api_app_id(), Some("A1"));
        assert_eq!(cmd.trigger_id(), Some("1.2"));
        assert_eq!(cmd.response_url(), Some("https://hooks.slack.com/x"));
        assert_eq!((cmd.user_id().as_str(), cmd.channel_id().as_str()), ("U1", "D1"));
        assert!(!format!("{cmd:?}").contains("hooks.slack.com"), "no capability in Debug");
        let first = SlashCommand::from_form(b"command=%2Fx&text=caf%C3%A9+%26+more").unwrap();
        assert_eq!(first.text(), "café & more");
    }
}
