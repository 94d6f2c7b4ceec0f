//! The conformance corpus: payloads gathered from the platforms' documentation and from the
//! test suites of other libraries, each with its source in `fixtures/SOURCES.md`.
//!
//! The tests in `tests/it` feed every file through the real HTTP server and the Lambda host and
//! check the answer against what the platform accepts.

use std::path::{Path, PathBuf};

/// One fixture file: its path relative to `fixtures/`, and its bytes.
#[derive(Debug)]
pub struct Fixture {
    /// The path under `fixtures/` (`discord/ping.json`), for failure messages.
    pub name: String,
    /// The file's bytes, exactly as stored.
    pub bytes: Vec<u8>,
}

impl Fixture {
    /// The bytes as JSON.
    ///
    /// # Panics
    ///
    /// The file is not JSON (a corpus error, caught by the tests).
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|error| panic!("{} is not JSON: {error}", self.name))
    }
}

/// The directory that holds the corpus.
#[must_use]
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every file under `fixtures/<dir>` (recursively) whose name ends with `extension`, sorted by
/// name, so that a failure names the same file on every run.
///
/// # Panics
///
/// The directory cannot be read.
#[must_use]
pub fn fixtures(dir: &str, extension: &str) -> Vec<Fixture> {
    let root = root();
    let mut paths = Vec::new();
    collect(&root.join(dir), extension, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            let name = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
            Fixture { name, bytes }
        })
        .collect()
}

fn collect(dir: &Path, extension: &str, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, extension, out);
        } else if path.to_string_lossy().ends_with(extension) {
            out.push(path);
        }
    }
}
