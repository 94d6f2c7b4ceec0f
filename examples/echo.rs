//! The smallest bot: echoes what it is told.
fn main() {}
