//! The examples' scheduled job: a weekday-morning message to a Slack channel. On the local
//! server it runs in-process; on Lambda the deploy template's `DailyDigest` rule invokes it.

use chatbridge_core::HandlerError;
use chatbridge_core::jobs::{Job, JobContext, Schedule};
use chatbridge_slack::SlackClient;

/// The job's name: what the template's rule passes as `{"chatbridge_job": "daily-digest"}`.
pub const NAME: &str = "daily-digest";
/// 09:00 UTC, Monday to Friday (the template's rule says the same).
pub const SCHEDULE: &str = "cron(0 9 ? * MON-FRI *)";

/// Where the digest goes: set when Slack has a bot token and `SLACK_DIGEST_CHANNEL` is set.
#[derive(Clone, Debug)]
pub struct Digest {
    /// The Slack Web API client, with the bot token.
    pub client: SlackClient,
    /// The channel id to post to.
    pub channel: String,
}

/// The job.
pub fn job() -> Job {
    let schedule = Schedule::parse(SCHEDULE).expect("SCHEDULE is a valid expression");
    Job::new(NAME, schedule, run)
}

async fn run(cx: JobContext) -> Result<(), HandlerError> {
    let Some(digest) = cx.extensions().get::<Digest>() else {
        tracing::info!(
            "{NAME}: SLACK_BOT_TOKEN or SLACK_DIGEST_CHANNEL is not set, nothing to post"
        );
        return Ok(());
    };
    let text = "General Kenobi! Here is your daily digest.";
    digest
        .client
        .chat_post_message(&serde_json::json!({ "channel": digest.channel, "text": text }))
        .await?;
    Ok(())
}
