//! The Postgres store's schema: versioned migrations, applied once under an advisory lock.

use tokio_postgres::Client;

/// One step of the schema. `{schema}` in the SQL stands for the quoted schema name.
pub(super) struct Migration {
    pub(super) version: i32,
    pub(super) name: &'static str,
    sql: &'static str,
}

/// Every migration, in order. A released version's entry never changes; a change to the
/// schema is a new entry.
pub(super) const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "store table",
    // `COLLATE "C"`: keys compare byte by byte, so a prefix scan is a range of the primary key.
    sql: r#"
        CREATE TABLE {schema}.chatbridge_store (
            key        text COLLATE "C" PRIMARY KEY,
            value      bytea NOT NULL,
            expires_at bigint
        );
        CREATE INDEX chatbridge_store_expires_at
            ON {schema}.chatbridge_store (expires_at) WHERE expires_at IS NOT NULL;
    "#,
}];

/// The advisory lock every chatbridge process takes while migrating: "chatbrdg" in ASCII.
const LOCK: i64 = 0x6368_6174_6272_6467;

/// Applies the migrations `schema` lacks, in one transaction that holds [`LOCK`]: processes
/// starting at once wait for each other, and the second finds the work done. Returns the
/// versions this call applied.
pub(super) async fn migrate(
    client: &mut Client,
    schema: &str,
) -> Result<Vec<i32>, tokio_postgres::Error> {
    let quoted = quote_ident(schema);
    let tx = client.transaction().await?;
    // Bounded: a process stuck inside a migration makes the others fail, not hang.
    tx.batch_execute("SET LOCAL lock_timeout = '60s'").await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK]).await?;
    // Checked first: CREATE SCHEMA needs a privilege on the database even when it exists.
    let exists = tx.query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema]).await?;
    if exists.is_none() {
        tx.batch_execute(&format!("CREATE SCHEMA {quoted}")).await?;
    }
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {quoted}.chatbridge_migrations (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )"
    ))
    .await?;
    let done: Vec<i32> = tx
        .query(&format!("SELECT version FROM {quoted}.chatbridge_migrations"), &[])
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let record =
        format!("INSERT INTO {quoted}.chatbridge_migrations (version, name) VALUES ($1, $2)");
    let mut applied = Vec::new();
    for migration in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
        tx.batch_execute(&migration.sql.replace("{schema}", &quoted)).await?;
        tx.execute(&record, &[&migration.version, &migration.name]).await?;
        applied.push(migration.version);
    }
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if let Some(newer) = done.iter().copied().filter(|&v| v > known).max() {
        tracing::warn!(schema, newer, known, "postgres store schema is newer than this build");
    }
    tx.commit().await?;
    Ok(applied)
}

/// `name` as an SQL identifier in double quotes.
pub(super) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("public"), "\"public\"");
        assert_eq!(quote_ident("my \"bot\""), "\"my \"\"bot\"\"\"");
    }

    #[test]
    fn versions_increase() {
        assert!(MIGRATIONS.windows(2).all(|pair| pair[0].version < pair[1].version));
        assert!(MIGRATIONS.iter().all(|m| m.sql.contains("{schema}")));
    }
}
