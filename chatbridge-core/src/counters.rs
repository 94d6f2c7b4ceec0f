//! Counters through the [`metrics`] facade: whatever exporter the app installs (Prometheus,
//! StatsD, CloudWatch EMF) reads them; without one they cost next to nothing.
//!
//! | counter | labels | counts |
//! | --- | --- | --- |
//! | `chatbridge_requests_received_total` | `platform` | messages accepted for a handler |
//! | `chatbridge_requests_deduplicated_total` | `platform` | deliveries acknowledged as duplicates, not handled |
//! | `chatbridge_requests_deferred_total` | `platform` | responses that were an acknowledgement, replies following |
//! | `chatbridge_requests_replayed_total` | — | unfinished requests run again from the inbox |
//! | `chatbridge_deliveries_skipped_total` | — | deliveries a rerun skipped: the journal had them |
//! | `chatbridge_deliveries_failed_total` | `platform` | follow-ups and reactions the platform refused or that could not be made |
//! | `chatbridge_job_runs_total` | `job`, `outcome` (`ok`, `failed`, `elsewhere`) | job runs, and slots another instance took |

use crate::Platform;

/// Names of the counters, for exporters and dashboards.
pub mod names {
    /// Messages accepted for a handler.
    pub const RECEIVED: &str = "chatbridge_requests_received_total";
    /// Deliveries acknowledged as duplicates.
    pub const DEDUPLICATED: &str = "chatbridge_requests_deduplicated_total";
    /// Responses that were an acknowledgement.
    pub const DEFERRED: &str = "chatbridge_requests_deferred_total";
    /// Requests run again from the inbox.
    pub const REPLAYED: &str = "chatbridge_requests_replayed_total";
    /// Deliveries a rerun skipped.
    pub const SKIPPED: &str = "chatbridge_deliveries_skipped_total";
    /// Failed follow-ups and reactions.
    pub const FAILED_DELIVERIES: &str = "chatbridge_deliveries_failed_total";
    /// Job runs by outcome.
    pub const JOB_RUNS: &str = "chatbridge_job_runs_total";
}

pub(crate) fn received(platform: Platform) {
    ::metrics::counter!(names::RECEIVED, "platform" => platform.to_string()).increment(1);
}

pub(crate) fn deduplicated(platform: Platform) {
    ::metrics::counter!(names::DEDUPLICATED, "platform" => platform.to_string()).increment(1);
}

pub(crate) fn deferred(platform: Platform) {
    ::metrics::counter!(names::DEFERRED, "platform" => platform.to_string()).increment(1);
}

pub(crate) fn replayed() {
    ::metrics::counter!(names::REPLAYED).increment(1);
}

pub(crate) fn skipped() {
    ::metrics::counter!(names::SKIPPED).increment(1);
}

pub(crate) fn failed_delivery(platform: Platform) {
    ::metrics::counter!(names::FAILED_DELIVERIES, "platform" => platform.to_string()).increment(1);
}

pub(crate) fn job_run(job: &str, outcome: &'static str) {
    ::metrics::counter!(names::JOB_RUNS, "job" => job.to_owned(), "outcome" => outcome)
        .increment(1);
}
