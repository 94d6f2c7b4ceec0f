//! Slash commands: the form Slack posts when a user runs `/command text`.
//!
//! See Slack's page "Implementing slash commands".

use std::borrow::Cow;
use std::fmt;

use chatbridge_core::{ConversationId, UserId, WorkspaceId};

/// A slash command invocation. The legacy verification `token` is deliberately not kept.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct SlashCommand {
    /// The command, with its slash: `/hello-there`.
    pub command: String,
    /// What the user typed after the command.
    pub text: String,
    /// Who ran it.
    pub user_id: UserId,
    /// Their user name (deprecated by Slack, still sent).
    pub user_name: Option<String>,
    /// Where it was run.
    pub channel_id: ConversationId,
    /// The channel's name.
    pub channel_name: Option<String>,
    /// The workspace.
    pub team_id: Option<WorkspaceId>,
    /// The workspace's domain.
    pub team_domain: Option<String>,
    /// The enterprise, on Enterprise Grid.
    pub enterprise_id: Option<String>,
    /// The app the command belongs to.
    pub api_app_id: Option<String>,
    /// Where delayed replies go: up to 5 posts within 30 minutes.
    pub response_url: Option<String>,
    /// Opens a modal within 3 seconds.
    pub trigger_id: Option<String>,
    /// Whether the app is installed for the whole enterprise.
    pub is_enterprise_install: bool,
}

impl SlashCommand {
    /// Parses a slash-command form body; `None` when it has no `command` field.
    ///
    /// ```
    /// use chatbridge_slack::SlashCommand;
    ///
    /// let cmd = SlashCommand::from_form(b"command=%2Fhello-there&text=help&user_id=U1&channel_id=C1")
    ///     .unwrap();
    /// assert_eq!(cmd.command, "/hello-there");
    /// assert_eq!(cmd.text, "help");
    /// ```
    #[must_use]
    pub fn from_form(body: &[u8]) -> Option<Self> {
        match read_form(body, false) {
            Form::Command(cmd) => Some(cmd),
            Form::Interaction(_) | Form::Neither => None,
        }
    }
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
/// `command` field. Only the fields kept are copied out of the body.
pub(crate) fn read_form(body: &[u8], payload: bool) -> Form<'_> {
    let mut cmd = SlashCommand::default();
    let mut has_command = false;
    for (key, value) in crate::form::fields(body) {
        match &*key {
            "payload" if payload => return Form::Interaction(value.decode()),
            "command" => {
                has_command = true;
                cmd.command = value.into_string();
            }
            "text" => cmd.text = value.into_string(),
            "user_id" => cmd.user_id = UserId::new(value.decode()),
            "user_name" => cmd.user_name = Some(value.into_string()),
            "channel_id" => cmd.channel_id = ConversationId::new(value.decode()),
            "channel_name" => cmd.channel_name = Some(value.into_string()),
            "team_id" => cmd.team_id = Some(WorkspaceId::new(value.decode())),
            "team_domain" => cmd.team_domain = Some(value.into_string()),
            "enterprise_id" => cmd.enterprise_id = non_empty(value.into_string()),
            "api_app_id" => cmd.api_app_id = Some(value.into_string()),
            "response_url" => cmd.response_url = non_empty(value.into_string()),
            "trigger_id" => cmd.trigger_id = Some(value.into_string()),
            "is_enterprise_install" => cmd.is_enterprise_install = value.is("true"),
            _ => {}
        }
    }
    if has_command { Form::Command(cmd) } else { Form::Neither }
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

fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
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
        assert_eq!((cmd.command.as_str(), cmd.text.as_str()), ("/hello", "hi"));
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
        assert_eq!(cmd.enterprise_id, None);
        assert_eq!(cmd.response_url, None);
        assert!(cmd.is_enterprise_install);
        assert_eq!(cmd.team_id.as_ref().map(WorkspaceId::as_str), Some("T1"));
    }
}
