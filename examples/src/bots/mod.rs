//! The example bots' handlers, shared by their binaries, the simulator and the tests.

pub mod emojibot;
pub mod hello_there;
pub mod poll;
pub mod timing;
