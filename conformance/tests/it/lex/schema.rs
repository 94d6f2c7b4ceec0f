//! The response schemas a Lex answer must satisfy: AWS's JSON schema for V2 code-hook responses,
//! and the V1 response format transcribed from the V1 guide (both under `fixtures/lex/schema/`).

use std::sync::OnceLock;

use boon::{Compiler, SchemaIndex, Schemas};
use chatbridge_conformance::root;
use serde_json::Value;

/// Which Lex version an answer is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Version {
    V1,
    V2,
}

impl Version {
    /// The version of an event: V1 events carry `currentIntent`, V2 events `sessionState`.
    pub fn of_event(event: &Value) -> Self {
        match (event.get("currentIntent"), event.get("sessionState")) {
            (Some(_), None) => Self::V1,
            (None, Some(_)) => Self::V2,
            _ => panic!("neither a V1 nor a V2 event: {event}"),
        }
    }

    /// The version an answer is of: V1 answers have a top-level `dialogAction`, V2 answers a
    /// `sessionState`, never both.
    pub fn of_answer(answer: &Value) -> Self {
        match (answer.get("dialogAction"), answer.get("sessionState")) {
            (Some(_), None) => Self::V1,
            (None, Some(_)) => Self::V2,
            _ => panic!("neither a V1 nor a V2 answer: {answer}"),
        }
    }
}

struct Compiled {
    schemas: Schemas,
    v1: SchemaIndex,
    v2: SchemaIndex,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let mut schemas = Schemas::new();
        let mut compiler = Compiler::new();
        let mut compile = |file: &str| {
            let path = root().join("lex/schema").join(file);
            compiler
                .compile(&path.display().to_string(), &mut schemas)
                .unwrap_or_else(|error| panic!("{file} does not compile: {error:#}"))
        };
        let v1 = compile("v1-response.schema.json");
        let v2 = compile("v2-code-hook-response.schema.json");
        Compiled { schemas, v1, v2 }
    })
}

/// Checks an answer against its version's schema; the error lists every violation.
pub fn check(version: Version, answer: &Value) -> Result<(), String> {
    let compiled = compiled();
    let index = match version {
        Version::V1 => compiled.v1,
        Version::V2 => compiled.v2,
    };
    compiled.schemas.validate(answer, index).map_err(|error| format!("{error}"))
}

/// Panics with the violations and the answer when it does not satisfy its schema.
pub fn assert_valid(version: Version, answer: &Value, what: &str) {
    if let Err(error) = check(version, answer) {
        panic!("{what}: the {version:?} answer breaks the schema:\n{error}\n{answer:#}");
    }
}
