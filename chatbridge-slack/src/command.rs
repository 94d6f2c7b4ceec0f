//! Slash commands: the form Slack posts when a user runs `/command text`.
//!
//! See Slack's page "Implementing slash commands".

use std::fmt;

/// A slash command invocation. The legacy verification `token` is deliberately not kept.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct SlashCommand {
    /// The command, with its slash: `/hello-there`.
    pub command: String,
    /// What the user typed after the command.
    pub text: String,
    /// Who ran it.
    pub user_id: String,
    /// Their user name (deprecated by Slack, still sent).
    pub user_name: Option<String>,
    /// Where it was run.
    pub channel_id: String,
    /// The channel's name.
    pub channel_name: Option<String>,
    /// The workspace.
    pub team_id: Option<String>,
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
        let mut cmd = Self::default();
        let mut has_command = false;
        // Only the fields kept are copied out of the body.
        for (key, value) in crate::form::pairs(body) {
            match &*key {
                "command" => {
                    has_command = true;
                    cmd.command = value.into_owned();
                }
                "text" => cmd.text = value.into_owned(),
                "user_id" => cmd.user_id = value.into_owned(),
                "user_name" => cmd.user_name = Some(value.into_owned()),
                "channel_id" => cmd.channel_id = value.into_owned(),
                "channel_name" => cmd.channel_name = Some(value.into_owned()),
                "team_id" => cmd.team_id = Some(value.into_owned()),
                "team_domain" => cmd.team_domain = Some(value.into_owned()),
                "enterprise_id" => cmd.enterprise_id = non_empty(value.into_owned()),
                "api_app_id" => cmd.api_app_id = Some(value.into_owned()),
                "response_url" => cmd.response_url = non_empty(value.into_owned()),
                "trigger_id" => cmd.trigger_id = Some(value.into_owned()),
                "is_enterprise_install" => cmd.is_enterprise_install = value == "true",
                _ => {}
            }
        }
        has_command.then_some(cmd)
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

fn non_empty(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}
