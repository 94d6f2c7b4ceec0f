//! The poll example's counts, in the bot's store: one vote per user per poll, a vote moved by
//! pressing another option, and concurrent presses all counted, on any store (memory, SQLite
//! shared by processes, DynamoDB), with nothing but `get`, `put` and `put_if_absent`.
//!
//! A poll is a chain of versions, `poll/{id}/v/{n}`, each the whole poll as JSON. A vote reads
//! the newest version and writes the next one with `put_if_absent`: of two presses at the same
//! moment one wins the next number and the other reads again and writes the one after. The
//! key `poll/{id}/head` remembers a recent number so that a read need not start at 0; it is
//! only a hint (a late writer may set it back), since the newest version is found by reading
//! forward from it.

use chatbridge_core::StoreError;
use chatbridge_core::store::Store;
use serde_json::{Map, Value, json};

/// How many times a vote reads again after losing a race before it gives up.
const ATTEMPTS: usize = 64;

/// A poll: its question, options and who voted for what.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Poll {
    /// The question.
    pub question: String,
    /// The options, in order.
    pub options: Vec<String>,
    /// Each voter's option, by index.
    votes: Map<String, Value>,
}

impl Poll {
    /// A poll nobody has voted in.
    #[must_use]
    pub fn new(question: impl Into<String>, options: Vec<String>) -> Self {
        Self { question: question.into(), options, votes: Map::new() }
    }

    /// How many votes each option has, in the options' order.
    #[must_use]
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.options.len()];
        for option in self.votes.values().filter_map(Value::as_u64) {
            if let Some(count) = usize::try_from(option).ok().and_then(|i| counts.get_mut(i)) {
                *count += 1;
            }
        }
        counts
    }

    /// The option `voter` chose, if any.
    #[must_use]
    pub fn vote_of(&self, voter: &str) -> Option<usize> {
        self.votes.get(voter).and_then(Value::as_u64).and_then(|i| usize::try_from(i).ok())
    }

    fn to_bytes(&self) -> bytes::Bytes {
        let json = json!({"question": self.question, "options": self.options, "votes": self.votes});
        bytes::Bytes::from(json.to_string())
    }

    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let json: Value = serde_json::from_slice(bytes).ok()?;
        Some(Self {
            question: json["question"].as_str()?.to_owned(),
            options: json["options"]
                .as_array()?
                .iter()
                .filter_map(|o| o.as_str().map(str::to_owned))
                .collect(),
            votes: json["votes"].as_object().cloned().unwrap_or_default(),
        })
    }
}

/// Why a vote was not counted.
#[derive(Debug)]
pub enum VoteError {
    /// The store does not know the poll (another deployment's message, say).
    UnknownPoll,
    /// The poll has no such option.
    UnknownOption,
    /// The store failed.
    Store(StoreError),
    /// Other voters kept winning: the vote was not counted.
    Contended,
}

impl std::fmt::Display for VoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownPoll => f.write_str("unknown poll"),
            Self::UnknownOption => f.write_str("unknown option"),
            Self::Store(error) => write!(f, "store: {error}"),
            Self::Contended => f.write_str("too many concurrent votes"),
        }
    }
}

impl std::error::Error for VoteError {}

impl From<StoreError> for VoteError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

fn version_key(id: &str, n: u64) -> String {
    format!("poll/{id}/v/{n}")
}

fn head_key(id: &str) -> String {
    format!("poll/{id}/head")
}

/// Saves a new poll under `id`. Returns `false` when the id is taken.
///
/// # Errors
///
/// The store failed.
pub async fn create(store: &dyn Store, id: &str, poll: &Poll) -> Result<bool, StoreError> {
    store.put_if_absent(&version_key(id, 0), poll.to_bytes(), None).await
}

/// The poll as it is now, if the store knows it.
///
/// # Errors
///
/// The store failed.
pub async fn load(store: &dyn Store, id: &str) -> Result<Option<Poll>, StoreError> {
    Ok(newest(store, id).await?.map(|(_, poll)| poll))
}

/// Records `voter`'s vote for `option` (moving an earlier vote) and returns the poll after it.
/// Voting again for the same option changes nothing.
///
/// # Errors
///
/// An unknown poll or option, a failed store, or a race lost too often.
pub async fn vote(
    store: &dyn Store,
    id: &str,
    voter: &str,
    option: usize,
) -> Result<Poll, VoteError> {
    for _ in 0..ATTEMPTS {
        let (n, mut poll) = newest(store, id).await?.ok_or(VoteError::UnknownPoll)?;
        if option >= poll.options.len() {
            return Err(VoteError::UnknownOption);
        }
        if poll.vote_of(voter) == Some(option) {
            return Ok(poll);
        }
        poll.votes.insert(voter.to_owned(), json!(option));
        if store.put_if_absent(&version_key(id, n + 1), poll.to_bytes(), None).await? {
            store.put(&head_key(id), bytes::Bytes::from((n + 1).to_string()), None).await?;
            return Ok(poll);
        }
        // Another vote took version n + 1: read again.
    }
    Err(VoteError::Contended)
}

/// The newest version's number and poll: from the head hint, forward while a next one exists.
async fn newest(store: &dyn Store, id: &str) -> Result<Option<(u64, Poll)>, StoreError> {
    let hint = store
        .get(&head_key(id))
        .await?
        .and_then(|b| std::str::from_utf8(&b).ok()?.parse::<u64>().ok())
        .unwrap_or(0);
    let Some(mut bytes) = store.get(&version_key(id, hint)).await? else {
        // No hint, or a hint from a store that lost it: only version 0 says the poll exists.
        return Ok(store
            .get(&version_key(id, 0))
            .await?
            .and_then(|b| Poll::from_bytes(&b))
            .map(|p| (0, p)));
    };
    let mut n = hint;
    while let Some(next) = store.get(&version_key(id, n + 1)).await? {
        n += 1;
        bytes = next;
    }
    Ok(Poll::from_bytes(&bytes).map(|poll| (n, poll)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chatbridge_core::store::MemoryStore;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_vote_per_user_moved_by_another_press_and_concurrent_votes_all_count() {
        let store = Arc::new(MemoryStore::new());
        let poll = Poll::new("Lunch?", vec!["Pizza".into(), "Tacos".into()]);
        assert!(create(&*store, "p1", &poll).await.unwrap());
        assert!(!create(&*store, "p1", &poll).await.unwrap(), "an id is taken once");
        assert_eq!(vote(&*store, "p1", "U1", 0).await.unwrap().counts(), [1, 0]);
        assert_eq!(vote(&*store, "p1", "U1", 0).await.unwrap().counts(), [1, 0]);
        assert_eq!(vote(&*store, "p1", "U1", 1).await.unwrap().counts(), [0, 1]);
        let voters: Vec<_> = (0..20)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move { vote(&*store, "p1", &format!("V{i}"), i % 2).await })
            })
            .collect();
        for voter in voters {
            voter.await.unwrap().unwrap();
        }
        assert_eq!(load(&*store, "p1").await.unwrap().unwrap().counts(), [10, 11]);
        assert!(matches!(vote(&*store, "nope", "U1", 0).await, Err(VoteError::UnknownPoll)));
        assert!(matches!(vote(&*store, "p1", "U1", 9).await, Err(VoteError::UnknownOption)));
    }
}
