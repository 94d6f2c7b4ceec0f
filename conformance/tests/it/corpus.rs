//! The corpus itself: every file is listed in `SOURCES.md`, and every JSON file parses.

use chatbridge_conformance::{fixtures, root};

#[test]
fn every_fixture_names_its_source() {
    let sources = std::fs::read_to_string(root().join("SOURCES.md")).expect("SOURCES.md");
    for dir in ["discord", "slack", "lex", "lambda"] {
        for fixture in fixtures(dir, "") {
            let name = fixture.name.replace('\\', "/");
            assert!(sources.contains(&format!("`{name}`")), "{name} is not listed in SOURCES.md");
        }
    }
}

#[test]
fn every_json_fixture_is_json() {
    for dir in ["discord", "slack", "lex", "lambda"] {
        for fixture in fixtures(dir, ".json") {
            let _ = fixture.json();
        }
    }
}
