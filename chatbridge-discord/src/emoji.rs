//! Emoji names to what Discord's reaction endpoint takes: the character, or `name:id`.

/// Common emoji by the short names Slack and GitHub use, so a portable `Reply::reaction`
/// works on Discord too.
const NAMES: &[(&str, &str)] = &[
    ("+1", "👍"),
    ("-1", "👎"),
    ("100", "💯"),
    ("check", "✔️"),
    ("eyes", "👀"),
    ("fire", "🔥"),
    ("heart", "❤️"),
    ("joy", "😂"),
    ("ok_hand", "👌"),
    ("pizza", "🍕"),
    ("pray", "🙏"),
    ("rocket", "🚀"),
    ("smile", "😄"),
    ("star", "⭐"),
    ("tada", "🎉"),
    ("thumbsdown", "👎"),
    ("thumbsup", "👍"),
    ("wave", "👋"),
    ("white_check_mark", "✅"),
    ("x", "❌"),
];

/// The emoji as the reaction endpoint's path segment wants it (before percent-encoding).
pub(crate) fn for_url(emoji: &str) -> String {
    let trimmed = emoji.trim().trim_matches(':');
    // `<:name:id>` and `<a:name:id>`, as custom emoji appear in message text.
    let trimmed = trimmed
        .strip_prefix("<")
        .and_then(|e| e.strip_suffix('>'))
        .map_or(trimmed, |e| e.strip_prefix("a:").or_else(|| e.strip_prefix(':')).unwrap_or(e));
    match NAMES.iter().find(|(name, _)| *name == trimmed) {
        Some((_, character)) => (*character).to_owned(),
        None => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::for_url;

    #[test]
    fn names_characters_and_custom_emoji() {
        assert_eq!(for_url(":pizza:"), "🍕");
        assert_eq!(for_url("🍕"), "🍕");
        assert_eq!(for_url("blobwave:123456789012345678"), "blobwave:123456789012345678");
        assert_eq!(for_url("<:blobwave:123>"), "blobwave:123");
        assert_eq!(for_url("<a:dance:456>"), "dance:456");
    }
}
