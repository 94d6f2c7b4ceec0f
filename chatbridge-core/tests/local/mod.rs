//! Tests against local AWS-compatible servers (dynalite, moto) that CI starts.
#![allow(dead_code, unreachable_pub)]

use std::io::Write as _;

/// A local server the tests need: the variable its start script sets, the variable that makes
/// its absence a failure (CI sets it), and the script to run.
pub struct LocalServer {
    pub endpoint_var: &'static str,
    pub require_var: &'static str,
    pub script: &'static str,
}

/// The DynamoDB-compatible server of `scripts/dynamodb-local.sh`.
pub const DYNAMODB: LocalServer = LocalServer {
    endpoint_var: "CHATBRIDGE_TEST_DYNAMODB_ENDPOINT",
    require_var: "CHATBRIDGE_REQUIRE_DYNAMODB",
    script: "scripts/dynamodb-local.sh",
};

/// moto's server of `scripts/moto-local.sh`.
pub const MOTO: LocalServer = LocalServer {
    endpoint_var: "CHATBRIDGE_TEST_MOTO_ENDPOINT",
    require_var: "CHATBRIDGE_REQUIRE_MOTO",
    script: "scripts/moto-local.sh",
};

impl LocalServer {
    /// The server's endpoint, or `None` after saying (past the test harness's capture) that
    /// `test` is skipped. Panics instead when the require variable is set.
    pub fn endpoint(&self, test: &str) -> Option<String> {
        let Self { endpoint_var, require_var, script } = self;
        match std::env::var(endpoint_var) {
            Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
            _ => {
                assert!(
                    std::env::var(require_var).map_or(true, |v| v.is_empty() || v == "0"),
                    "{require_var} is set but {endpoint_var} is not: start {script}"
                );
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED {test}: {endpoint_var} is not set (run `eval \"$({script} start)\"`)"
                );
                None
            }
        }
    }
}
