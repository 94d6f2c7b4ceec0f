//! Scheduled invocations: keep-warm pings and jobs, recognised before anything else.
//!
//! Two shapes reach the function:
//!
//! - a rule's constant input, as the deploy template sets it: `{"chatbridge_keep_warm": true}`
//!   or `{"chatbridge_job": "daily-digest"}` (also what `aws lambda invoke` or a test sends);
//! - EventBridge's own scheduled event (`"source": "aws.events"`, `"detail-type": "Scheduled
//!   Event"`), when a rule has no input: the rule's name, the last part of the ARN in
//!   `resources`, says what to do. A name ending in `keep-warm` (or Zappa's
//!   `keep_warm_callback`) is a ping; otherwise the job is the one the name is, or ends with
//!   after a `-` (`my-stack-daily-digest` runs `daily-digest`; the longest such name wins).

use serde_json::Value;

/// What a scheduled invocation asks for.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Scheduled {
    /// A keep-warm ping: answer at once.
    KeepWarm,
    /// Run the job named (by the input), or the job a rule name points to.
    Job(String),
    /// Run the job whose name the rule's name ends with.
    Rule(String),
    /// A scheduled event that names nothing this host knows.
    Unrecognised,
}

/// Whether the event is a scheduled invocation, and of what.
pub(super) fn recognise(event: &Value) -> Option<Scheduled> {
    if event.get("chatbridge_keep_warm").and_then(Value::as_bool) == Some(true) {
        return Some(Scheduled::KeepWarm);
    }
    if let Some(name) = event.get("chatbridge_job").and_then(Value::as_str) {
        return Some(Scheduled::Job(name.to_owned()));
    }
    let scheduled = event.get("source").and_then(Value::as_str) == Some("aws.events")
        && event.get("detail-type").and_then(Value::as_str) == Some("Scheduled Event");
    if !scheduled {
        return None;
    }
    let rule = event
        .get("resources")
        .and_then(Value::as_array)
        .and_then(|resources| resources.first())
        .and_then(Value::as_str)
        .and_then(|arn| arn.rsplit_once(":rule/"))
        .map(|(_, path)| path.rsplit('/').next().unwrap_or(path));
    Some(match rule {
        Some(rule) if is_keep_warm_rule(rule) => Scheduled::KeepWarm,
        Some(rule) => Scheduled::Rule(rule.to_owned()),
        None => Scheduled::Unrecognised,
    })
}

/// The job a rule's name points to: the name itself, or the longest job name it ends with
/// after a `-`.
pub(super) fn job_for_rule<'a>(rule: &str, jobs: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    jobs.filter(|job| {
        rule == *job || rule.strip_suffix(job).is_some_and(|head| head.ends_with('-'))
    })
    .max_by_key(|job| job.len())
}

fn is_keep_warm_rule(rule: &str) -> bool {
    let rule = rule.to_ascii_lowercase();
    rule.ends_with("keep-warm")
        || rule.ends_with("keep_warm")
        || rule.ends_with("keep_warm_callback")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scheduled_event(rule_arn: &str) -> Value {
        // The shape from the EventBridge documentation ("Scheduled Event").
        json!({
            "version": "0",
            "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2015-10-08T16:53:06Z",
            "region": "us-east-1",
            "resources": [rule_arn],
            "detail": {}
        })
    }

    #[test]
    fn inputs() {
        assert_eq!(recognise(&json!({"chatbridge_keep_warm": true})), Some(Scheduled::KeepWarm));
        assert_eq!(
            recognise(&json!({"chatbridge_job": "digest"})),
            Some(Scheduled::Job("digest".into()))
        );
        assert_eq!(recognise(&json!({"chatbridge_keep_warm": false})), None);
        assert_eq!(recognise(&json!({"sessionId": "x", "inputTranscript": "hi"})), None);
    }

    #[test]
    fn scheduled_events_by_rule_name() {
        let arn = "arn:aws:events:us-east-1:123456789012:rule/my-bot-daily-digest";
        assert_eq!(
            recognise(&scheduled_event(arn)),
            Some(Scheduled::Rule("my-bot-daily-digest".into()))
        );
        let zappa = "arn:aws:events:us-east-1:1:rule/hello-there-prod-zappa-keep-warm-handler.keep_warm_callback";
        assert_eq!(recognise(&scheduled_event(zappa)), Some(Scheduled::KeepWarm));
        let ours = "arn:aws:events:us-east-1:1:rule/my-bot-keep-warm";
        assert_eq!(recognise(&scheduled_event(ours)), Some(Scheduled::KeepWarm));
        let on_bus = "arn:aws:events:us-east-1:1:rule/custom-bus/my-bot-sweep";
        assert_eq!(
            recognise(&scheduled_event(on_bus)),
            Some(Scheduled::Rule("my-bot-sweep".into()))
        );
        let mut nameless = scheduled_event("x");
        nameless["resources"] = json!([]);
        assert_eq!(recognise(&nameless), Some(Scheduled::Unrecognised));
    }

    #[test]
    fn rule_names_pick_the_longest_job() {
        let jobs = ["digest", "daily-digest", "sweep"];
        assert_eq!(job_for_rule("my-bot-daily-digest", jobs.into_iter()), Some("daily-digest"));
        assert_eq!(job_for_rule("digest", jobs.into_iter()), Some("digest"));
        assert_eq!(job_for_rule("my-bot-nightlydigest", jobs.into_iter()), None);
        assert_eq!(job_for_rule("other", jobs.into_iter()), None);
    }
}
