//! Tests against local servers (dynalite, moto, PostgreSQL). They are `#[ignore]`d, so that
//! `cargo test` passes on a machine without them; CI starts the servers and runs them with
//! `cargo test -- --ignored`.

/// A local server the tests need: the variable its start script sets, and the script.
pub struct LocalServer {
    pub endpoint_var: &'static str,
    pub script: &'static str,
}

/// The DynamoDB-compatible server of `scripts/dynamodb-local.sh`.
pub const DYNAMODB: LocalServer = LocalServer {
    endpoint_var: "CHATBRIDGE_TEST_DYNAMODB_ENDPOINT",
    script: "scripts/dynamodb-local.sh",
};

/// moto's server of `scripts/moto-local.sh`.
pub const MOTO: LocalServer =
    LocalServer { endpoint_var: "CHATBRIDGE_TEST_MOTO_ENDPOINT", script: "scripts/moto-local.sh" };

/// The PostgreSQL cluster of `scripts/postgres-local.sh`: its URL.
pub const POSTGRES: LocalServer = LocalServer {
    endpoint_var: "CHATBRIDGE_TEST_POSTGRES_URL",
    script: "scripts/postgres-local.sh",
};

/// The CA file of the PostgreSQL cluster's server certificate.
pub const POSTGRES_ROOT_CERT: LocalServer = LocalServer {
    endpoint_var: "CHATBRIDGE_TEST_POSTGRES_ROOT_CERT",
    script: "scripts/postgres-local.sh",
};

impl LocalServer {
    /// The server's endpoint.
    ///
    /// # Panics
    ///
    /// When the start script's variable is not set: a test that needs the server never passes
    /// without it.
    pub fn endpoint(&self) -> String {
        let Self { endpoint_var, script } = self;
        match std::env::var(endpoint_var) {
            Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => panic!("{endpoint_var} is not set: run `eval \"$({script} start)\"` first"),
        }
    }
}
