//! The emojibot's matcher: words to a tenuously related emoji.
//!
//! As the original emojibot did it: split the text into words, drop stop words, turn plurals
//! into singulars, and look the words up among the emoji cheat sheet's names and tags (gemoji's
//! data); then pick one of the candidates at random. Closer matches win: a word that is an
//! emoji's whole name beats one of its tags, which beats a word of its name or description.

use std::collections::HashMap;
use std::sync::OnceLock;

use chatbridge_core::Emoji;
use rand::seq::IndexedRandom;

const GEMOJI: &str = include_str!("../data/gemoji.tsv");

/// Words that say nothing about an emoji.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be",
    "because", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does",
    "doing", "don't", "for", "from", "had", "has", "have", "having", "he", "her", "here", "hers",
    "him", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just", "me",
    "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or",
    "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such",
    "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours", "also", "really", "get", "got", "let", "lets", "let's", "hey", "hi", "hello",
];

/// One emoji of the data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The emoji itself.
    pub character: &'static str,
    /// Its first gemoji name, the one Slack reactions use.
    pub name: &'static str,
}

impl From<Entry> for Emoji {
    fn from(entry: Entry) -> Self {
        Emoji::new(entry.name, entry.character)
    }
}

/// How closely an emoji matches a word: lower is closer.
type Tier = u8;
const WHOLE_NAME: Tier = 0;
const TAG: Tier = 1;
const LOOSE: Tier = 2;

/// Every emoji related to a word of `text`, without duplicates, closest matches first.
#[must_use]
pub fn candidates(text: &str) -> Vec<Entry> {
    ranked(text).into_iter().map(|(entry, _)| entry).collect()
}

/// A random emoji among the closest matches for `text`, if any matches.
#[must_use]
pub fn emojify(text: &str) -> Option<Entry> {
    let ranked = ranked(text);
    let best = ranked.first()?.1;
    let closest: Vec<Entry> =
        ranked.iter().take_while(|(_, tier)| *tier == best).map(|(entry, _)| *entry).collect();
    closest.choose(&mut rand::rng()).copied()
}

fn ranked(text: &str) -> Vec<(Entry, Tier)> {
    let index = index();
    let mut found: Vec<(Entry, Tier)> = Vec::new();
    for word in words(text) {
        for (entry, tier) in index.get(word.as_str()).into_iter().flatten() {
            match found.iter_mut().find(|(e, _)| e == entry) {
                Some((_, best)) => *best = (*best).min(*tier),
                None => found.push((*entry, *tier)),
            }
        }
    }
    found.sort_by_key(|(_, tier)| *tier);
    found
}

/// The words of `text` worth looking up: lowercase, no punctuation, no stop words, no Slack
/// mentions or links, plurals made singular.
#[must_use]
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|token| !(token.starts_with('<') && token.ends_with('>')))
        .map(|token| {
            token
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .trim_matches('\'')
                .to_lowercase()
        })
        .filter(|word| !word.is_empty() && !STOP_WORDS.contains(&word.as_str()))
        .map(|word| singular(&word))
        .collect()
}

/// English plural to singular, for the regular cases (and a few common irregular ones).
#[must_use]
pub fn singular(word: &str) -> String {
    const IRREGULAR: &[(&str, &str)] = &[
        ("people", "person"),
        ("men", "man"),
        ("women", "woman"),
        ("children", "child"),
        ("mice", "mouse"),
        ("geese", "goose"),
        ("teeth", "tooth"),
        ("feet", "foot"),
        ("knives", "knife"),
        ("leaves", "leaf"),
        ("wolves", "wolf"),
    ];
    if let Some((_, one)) = IRREGULAR.iter().find(|(many, _)| *many == word) {
        return (*one).to_owned();
    }
    let n = word.len();
    if n > 4 && word.ends_with("ies") {
        return format!("{}y", &word[..n - 3]);
    }
    for suffix in ["ches", "shes", "sses", "xes", "zes", "oes"] {
        if n > suffix.len() + 1 && word.ends_with(suffix) {
            return word[..n - 2].to_owned();
        }
    }
    if n > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return word[..n - 1].to_owned();
    }
    word.to_owned()
}

/// Word → emoji, from names (whole, and split on `_`), tags and description words.
fn index() -> &'static HashMap<&'static str, Vec<(Entry, Tier)>> {
    static INDEX: OnceLock<HashMap<&'static str, Vec<(Entry, Tier)>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<&'static str, Vec<(Entry, Tier)>> = HashMap::new();
        for line in GEMOJI.lines().filter(|l| !l.starts_with('#')) {
            let mut fields = line.split('\t');
            let (Some(character), Some(names), tags, description) = (
                fields.next(),
                fields.next(),
                fields.next().unwrap_or(""),
                fields.next().unwrap_or(""),
            ) else {
                continue;
            };
            let Some(name) = names.split(',').next().filter(|n| !n.is_empty()) else { continue };
            let entry = Entry { character, name };
            let keys = names
                .split(',')
                .map(|n| (n, WHOLE_NAME))
                .chain(tags.split(',').map(|t| (t, TAG)))
                .chain(names.split(['_', ',']).map(|n| (n, LOOSE)))
                .chain(description.split(' ').map(|d| (d, LOOSE)))
                .filter(|(k, _)| k.len() > 1 && !STOP_WORDS.contains(k));
            for (key, tier) in keys {
                let entries = index.entry(key).or_default();
                match entries.iter_mut().find(|(e, _)| *e == entry) {
                    Some((_, best)) => *best = (*best).min(tier),
                    None => entries.push((entry, tier)),
                }
            }
        }
        index
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&'static str> {
        candidates(text).iter().map(|e| e.name).collect()
    }

    #[test]
    fn plurals_become_singular() {
        assert_eq!(singular("pizzas"), "pizza");
        assert_eq!(singular("cherries"), "cherry");
        assert_eq!(singular("boxes"), "box");
        assert_eq!(singular("peaches"), "peach");
        assert_eq!(singular("people"), "person");
        assert_eq!(singular("bus"), "bus");
        assert_eq!(singular("glass"), "glass");
        assert!(names("I love pizzas").contains(&"pizza"));
    }

    #[test]
    fn stop_words_punctuation_and_case_are_ignored() {
        assert_eq!(words("The PIZZA, and the Cats!"), ["pizza", "cat"]);
        assert_eq!(words("<@U123> hi there, <https://example.com|link>"), Vec::<String>::new());
        assert!(names("PIZZA!!!").contains(&"pizza"));
    }

    #[test]
    fn tags_and_names_both_match() {
        // "happy" is a tag of several smileys; "taco" is a name.
        assert!(!names("so happy").is_empty());
        assert!(names("tacos for lunch").contains(&"taco"));
    }

    #[test]
    fn no_candidate_means_no_emoji() {
        assert!(candidates("the of and").is_empty());
        assert!(emojify("").is_none());
        assert!(emojify("zzzqqq xyzzy").is_none());
    }

    #[test]
    fn a_whole_name_beats_a_tag_or_a_loose_word() {
        for _ in 0..20 {
            assert_eq!(emojify("I love pizzas").map(|e| e.name), Some("pizza"));
        }
    }

    #[test]
    fn the_pick_is_one_of_the_candidates() {
        let all = candidates("pizza party");
        for _ in 0..20 {
            let picked = emojify("pizza party").unwrap();
            assert!(all.contains(&picked));
        }
    }
}
