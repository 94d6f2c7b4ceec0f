//! Slash commands: the form Slack posts when a user runs `/command text`, read with
//! `serde_urlencoded`.
//!
//! See Slack's page "Implementing slash commands".

use std::fmt;

use chatbridge_core::{ConversationId, UserId, WorkspaceId};
use serde::Deserialize;
use serde::de::{Deserializer, Visitor};

/// A slash command invocation. The legacy verification `token` is deliberately not kept, and
/// fields Slack adds later are ignored.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct SlashCommand {
    command: String,
    text: String,
    #[serde(deserialize_with = "id")]
    user_id: UserId,
    #[serde(deserialize_with = "non_empty")]
    user_name: Option<String>,
    #[serde(deserialize_with = "id")]
    channel_id: ConversationId,
    #[serde(deserialize_with = "non_empty")]
    channel_name: Option<String>,
    #[serde(deserialize_with = "non_empty_id")]
    team_id: Option<WorkspaceId>,
    #[serde(deserialize_with = "non_empty")]
    team_domain: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    enterprise_id: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    api_app_id: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    response_url: Option<String>,
    #[serde(deserialize_with = "non_empty")]
    trigger_id: Option<String>,
    #[serde(deserialize_with = "flag")]
    is_enterprise_install: bool,
    /// An interaction's JSON: a form that has it is an interaction, and it is taken out when
    /// the form is read, so a command never holds one.
    #[serde(deserialize_with = "non_empty")]
    payload: Option<String>,
}

impl SlashCommand {
    /// Reads a slash-command form body; `None` when it has no `command` field, or is not a
    /// form Slack sends (a field given twice, say).
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
        Self::read(body).ok().filter(|command| !command.command.is_empty())
    }

    /// The form's fields, an interaction's `payload` among them.
    pub(crate) fn read(body: &[u8]) -> Result<Self, serde_urlencoded::de::Error> {
        serde_urlencoded::from_bytes(body)
    }

    /// Takes out the interaction JSON of a form that carries one.
    pub(crate) fn take_payload(&mut self) -> Option<String> {
        self.payload.take()
    }

    /// Whether the form named a command.
    pub(crate) fn has_command(&self) -> bool {
        !self.command.is_empty()
    }

    /// The command, with its slash: `/hello-there`.
    #[must_use]
    pub fn command(&self) -> &str {
        &self.command
    }

    /// What the user typed after the command.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Who ran it.
    #[must_use]
    pub fn user_id(&self) -> &UserId {
        &self.user_id
    }

    /// Their user name (deprecated by Slack, still sent).
    #[must_use]
    pub fn user_name(&self) -> Option<&str> {
        self.user_name.as_deref()
    }

    /// Where it was run.
    #[must_use]
    pub fn channel_id(&self) -> &ConversationId {
        &self.channel_id
    }

    /// The channel's name.
    #[must_use]
    pub fn channel_name(&self) -> Option<&str> {
        self.channel_name.as_deref()
    }

    /// The workspace.
    #[must_use]
    pub fn team_id(&self) -> Option<&WorkspaceId> {
        self.team_id.as_ref()
    }

    /// The workspace's domain.
    #[must_use]
    pub fn team_domain(&self) -> Option<&str> {
        self.team_domain.as_deref()
    }

    /// The enterprise, on Enterprise Grid.
    #[must_use]
    pub fn enterprise_id(&self) -> Option<&str> {
        self.enterprise_id.as_deref()
    }

    /// The app the command belongs to.
    #[must_use]
    pub fn api_app_id(&self) -> Option<&str> {
        self.api_app_id.as_deref()
    }

    /// Where delayed replies go: up to 5 posts within 30 minutes.
    #[must_use]
    pub fn response_url(&self) -> Option<&str> {
        self.response_url.as_deref()
    }

    /// Opens a modal within 3 seconds.
    #[must_use]
    pub fn trigger_id(&self) -> Option<&str> {
        self.trigger_id.as_deref()
    }

    /// Whether the app is installed for the whole enterprise.
    #[must_use]
    pub fn is_enterprise_install(&self) -> bool {
        self.is_enterprise_install
    }
}

impl fmt::Debug for SlashCommand {
    // The text is user content and the response_url a capability: neither goes in Debug.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlashCommand")
            .field("command", &self.command)
            .field("user_id", &self.user_id)
            .field("channel_id", &self.channel_id)
            .field("team_id", &self.team_id)
            .finish_non_exhaustive()
    }
}

/// A form value as text, borrowed from the body when it had nothing to decode.
struct Text;

impl<'de> Visitor<'de> for Text {
    type Value = std::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a form value")
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(value.into())
    }

    fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
        Ok(value.to_owned().into())
    }

    fn visit_string<E>(self, value: String) -> Result<Self::Value, E> {
        Ok(value.into())
    }
}

/// An id (kept inline when short, so most take no allocation).
fn id<'de, D: Deserializer<'de>, T: for<'a> From<&'a str>>(value: D) -> Result<T, D::Error> {
    value.deserialize_str(Text).map(|text| T::from(&text))
}

/// An id; `None` when empty.
fn non_empty_id<'de, D: Deserializer<'de>, T: for<'a> From<&'a str>>(
    value: D,
) -> Result<Option<T>, D::Error> {
    let text = value.deserialize_str(Text)?;
    Ok((!text.is_empty()).then(|| T::from(&text)))
}

/// A text value; `None` when empty.
fn non_empty<'de, D: Deserializer<'de>>(value: D) -> Result<Option<String>, D::Error> {
    let text = value.deserialize_str(Text)?;
    Ok((!text.is_empty()).then(|| text.into_owned()))
}

/// `true` only for `true`: anything else Slack might send is `false`, never an error.
fn flag<'de, D: Deserializer<'de>>(value: D) -> Result<bool, D::Error> {
    Ok(value.deserialize_str(Text)? == "true")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_with_a_payload_holds_it_for_the_reader() {
        let mut form = SlashCommand::read(b"p%61yload=%7B%22type%22%3A1%7D&text=hi").unwrap();
        assert_eq!(form.take_payload().as_deref(), Some(r#"{"type":1}"#));
        assert_eq!(form.take_payload(), None, "taken out once");
        assert!(!form.has_command());
    }

    #[test]
    fn a_form_without_a_command_is_none() {
        assert!(SlashCommand::from_form(b"text=hi&user_id=U1").is_none());
        assert!(SlashCommand::from_form(b"").is_none());
    }

    #[test]
    fn a_field_given_twice_is_not_a_form_slack_sends() {
        assert!(SlashCommand::read(b"command=%2Fx&text=a&text=b").is_err());
        assert!(SlashCommand::read(b"payload=%7B%7D&payload=%7B%7D").is_err());
        assert!(SlashCommand::from_form(b"command=%2Fx&command=%2Fy").is_none());
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
        let odd = SlashCommand::from_form(b"command=%2Fx&is_enterprise_install=1&team_id=")
            .expect("a flag Slack does not send is false, not an error");
        assert!(!odd.is_enterprise_install());
        assert_eq!(odd.team_id(), None);
    }

    #[test]
    fn every_field_reads_back_decoded() {
        let cmd = SlashCommand::from_form(
            b"command=%2Fhi&text=caf%C3%A9+%26+more&user_name=obi&channel_name=general&\
              team_domain=jedi&api_app_id=A1&trigger_id=1.2&locale=en-US&\
              response_url=https%3A%2F%2Fhooks.slack.com%2Fx&user_id=U1&channel_id=D1",
        )
        .expect("a command");
        assert_eq!(cmd.command(), "/hi");
        assert_eq!(cmd.text(), "café & more");
        assert_eq!(cmd.user_name(), Some("obi"));
        assert_eq!(cmd.channel_name(), Some("general"));
        assert_eq!(cmd.team_domain(), Some("jedi"));
        assert_eq!(cmd.api_app_id(), Some("A1"));
        assert_eq!(cmd.trigger_id(), Some("1.2"));
        assert_eq!(cmd.response_url(), Some("https://hooks.slack.com/x"));
        assert_eq!((cmd.user_id().as_str(), cmd.channel_id().as_str()), ("U1", "D1"));
        assert!(!format!("{cmd:?}").contains("hooks.slack.com"), "no capability in Debug");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_decoded_lossily() {
        let odd =
            SlashCommand::from_form(b"command=%2Fx&text=\xff&response_url=https%3A%2F%2Fd%2F%E9")
                .unwrap();
        assert_eq!(odd.response_url(), Some("https://d/\u{FFFD}"));
        assert_eq!(odd.text(), "\u{FFFD}");
    }

    #[test]
    fn the_published_example_reads() {
        let body = include_bytes!("../../tests/fixtures/published_example.txt");
        let cmd = SlashCommand::from_form(body).expect("Slack's own example");
        assert_eq!(cmd.command(), "/webhook-collect");
        assert_eq!(cmd.text(), "");
        assert_eq!(cmd.channel_id().as_str(), "G8PSS9T3V");
        assert_eq!(
            cmd.response_url(),
            Some(
                "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"
            )
        );
    }
}
