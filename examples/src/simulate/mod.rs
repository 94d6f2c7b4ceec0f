//! The local simulator: a bot end to end on this machine, with no accounts.
//!
//! It makes development credentials, starts the bot's real HTTP server on loopback, signs
//! requests exactly as Slack and Discord would (and sends Lex events as Lex would), plays the
//! platform's API on loopback, and prints the conversation as it happens: what was sent, the
//! inline reply and how long it took, and the follow-ups as they arrive.
//!
//! Bot authors can drive their own bots with [`Session`] in tests.

#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chatbridge_core::testing::{Exchange, Recorded, Simulator};
use chatbridge_core::{BoxError, Router};
use chatbridge_discord::testing::{TestSigner as DiscordSigner, payload as discord_payload};
use chatbridge_slack::testing::{TestSigner as SlackSigner, payload as slack_payload};
use rand::RngCore;
use serde_json::{Value, json};

use crate::app::{DISCORD_PATH, LEX_PATH, SLACK_PATH, build_bot};

mod describe;

use describe::{buttons, describe_response, form_json, percent_decode, text};

/// The simulated Discord application's id.
pub const DISCORD_APPLICATION_ID: &str = "1000000000000000001";
/// The simulated Slack channel.
pub const SLACK_CHANNEL: &str = "C0SIMCHAN";
/// How long the simulator waits for follow-ups before it stops the bot.
const SETTLE: Duration = Duration::from_secs(30);

/// A platform to simulate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// Slack: messages are channel events, `/commands` are slash commands.
    Slack,
    /// Discord: `/commands` are application commands; other text is a message the user runs
    /// the bot's message command on.
    Discord,
    /// Amazon Lex: text is what the user said, for the bot's intent.
    Lex,
}

impl std::str::FromStr for Platform {
    type Err = BoxError;

    fn from_str(s: &str) -> Result<Self, BoxError> {
        match s.to_ascii_lowercase().as_str() {
            "slack" => Ok(Self::Slack),
            "discord" => Ok(Self::Discord),
            "lex" => Ok(Self::Lex),
            other => Err(format!("unknown platform {other:?}: use slack, discord or lex").into()),
        }
    }
}

/// How a bot is reached beyond slash commands.
#[derive(Clone, Copy, Debug)]
pub struct Profile {
    /// The Discord message command plain text goes through, if the bot has one.
    pub discord_message_command: Option<&'static str>,
    /// The Lex intent plain text is recognised as.
    pub lex_intent: &'static str,
}

/// The simulator's profile for each example bot.
#[must_use]
pub fn profile(bot: &str) -> Profile {
    match bot {
        "emojibot" => Profile {
            discord_message_command: Some(crate::bots::emojibot::EMOJIFY),
            lex_intent: "Emojify",
        },
        "poll" => Profile { discord_message_command: None, lex_intent: "Poll" },
        _ => Profile { discord_message_command: None, lex_intent: "HelloThere" },
    }
}

/// `simulate <platform> <text...>` for the example binaries.
///
/// # Errors
///
/// Bad arguments, or a bot that cannot be built.
pub async fn run(
    name: &'static str,
    router: fn() -> Router,
    args: &[String],
) -> Result<(), BoxError> {
    let (Some(platform), Some(_)) = (args.first(), args.get(1)) else {
        return Err(format!(
            "usage: cargo run --example {name} -- simulate <slack|discord|lex> \"<text>\""
        )
        .into());
    };
    let platform: Platform = platform.parse()?;
    let text = args[1..].join(" ");
    let session = Session::start(name, router()).await?;
    session.say(platform, &text).await?;
    session.finish().await;
    Ok(())
}

/// A running simulation of one bot.
#[derive(Debug)]
pub struct Session {
    name: &'static str,
    sim: Simulator,
    slack: SlackSigner,
    discord: DiscordSigner,
    profile: Profile,
    started: Instant,
}

impl Session {
    /// Makes credentials, starts the fake platform API and the bot's server on loopback.
    ///
    /// # Errors
    ///
    /// The bot could not be built from the simulated configuration.
    pub async fn start(name: &'static str, router: Router) -> Result<Self, BoxError> {
        Self::start_with_store(name, router, ":memory:").await
    }

    /// As [`start`](Self::start), with the store `CHATBRIDGE_STORE` would name (a SQLite
    /// file's path, say, to share counts between two bots or across a restart).
    ///
    /// # Errors
    ///
    /// The bot could not be built from the simulated configuration.
    pub async fn start_with_store(
        name: &'static str,
        router: Router,
        store: &str,
    ) -> Result<Self, BoxError> {
        // Development credentials, new for every run.
        let (seed, slack_secret) = {
            let mut rng = rand::rng();
            let mut seed = [0u8; 32];
            rng.fill_bytes(&mut seed);
            let mut secret = [0u8; 16];
            rng.fill_bytes(&mut secret);
            (seed, secret.iter().map(|b| format!("{b:02x}")).collect::<String>())
        };
        let slack = SlackSigner::new(slack_secret.clone());
        let discord = DiscordSigner::from_seed(seed);
        let discord_key = discord.public_key_hex();
        let api = chatbridge_core::testing::FakeApi::start().await;
        let url = api.url();
        let vars: HashMap<&str, String> = HashMap::from([
            ("CHATBRIDGE_STORE", store.to_owned()),
            ("SLACK_SIGNING_SECRET", slack_secret),
            ("SLACK_BOT_TOKEN", "xoxb-simulated-token".to_owned()),
            ("SLACK_API_URL", format!("{url}/api/")),
            ("DISCORD_PUBLIC_KEY", discord_key),
            ("DISCORD_APPLICATION_ID", DISCORD_APPLICATION_ID.to_owned()),
            ("DISCORD_BOT_TOKEN", "simulated-discord-bot-token".to_owned()),
            ("DISCORD_API_URL", format!("{url}/api/v10")),
        ]);
        let lookup = move |name: &str| vars.get(name).cloned();
        let bot = build_bot(router, &lookup).await?;
        let sim = Simulator::with_api(api, bot).await;
        println!("chatbridge simulator: {name}, on this machine only (no accounts, no network)");
        println!("  bot:               {}", sim.url());
        println!("  fake platform API: {}", sim.api().url());
        Ok(Self { name, sim, slack, discord, profile: profile(name), started: Instant::now() })
    }

    /// The underlying simulator (the bot's URL, the fake API and what it recorded).
    #[must_use]
    pub fn simulator(&self) -> &Simulator {
        &self.sim
    }

    /// The signer of simulated Slack requests (for payloads [`say`](Self::say) does not make).
    #[must_use]
    pub fn slack_signer(&self) -> &SlackSigner {
        &self.slack
    }

    /// The signer of simulated Discord requests.
    #[must_use]
    pub fn discord_signer(&self) -> &DiscordSigner {
        &self.discord
    }

    /// Sends `text` as a user on `platform` would, prints the exchange and returns it.
    ///
    /// # Errors
    ///
    /// Text the bot cannot be reached with on that platform.
    pub async fn say(&self, platform: Platform, text: &str) -> Result<Exchange, BoxError> {
        let (label, request) = match platform {
            Platform::Slack => self.slack_request(text),
            Platform::Discord => self.discord_request(text)?,
            Platform::Lex => self.lex_request(text),
        };
        println!();
        println!("→ {label}");
        let before = self.sim.api().requests().len();
        let exchange = self.sim.send(request).await;
        println!(
            "← {} in {:.1} ms{}",
            exchange.status.as_u16(),
            exchange.elapsed.as_secs_f64() * 1000.0,
            describe_response(platform, &exchange)
        );
        self.print_calls(before, Duration::from_millis(300)).await;
        Ok(exchange)
    }

    /// Presses the button `action_id` (showing `label`) as the user `user` would, on a message
    /// the bot posted; prints the exchange and returns it.
    ///
    /// # Errors
    ///
    /// A platform without buttons that send actions (Lex's send their value as text).
    pub async fn press(
        &self,
        platform: Platform,
        action_id: &str,
        label: &str,
        user: &str,
    ) -> Result<Exchange, BoxError> {
        let request = match platform {
            Platform::Slack => {
                let url = format!("{}/hooks/response-url/press", self.sim.api().url());
                let body = slack_payload::block_actions(
                    action_id,
                    label,
                    user,
                    SLACK_CHANNEL,
                    "1700000000.000100",
                    &url,
                );
                self.slack.request(SLACK_PATH, slack_payload::FORM, body)
            }
            Platform::Discord => {
                let body = discord_payload::button_by(DISCORD_APPLICATION_ID, action_id, user);
                self.discord.request(DISCORD_PATH, body)
            }
            Platform::Lex => {
                return Err("a Lex button sends its value as what the user says: use say".into());
            }
        };
        println!();
        println!("→ {user} presses {label:?} ({action_id}) on {platform:?}");
        let before = self.sim.api().requests().len();
        let exchange = self.sim.send(request).await;
        println!(
            "← {} in {:.1} ms{}",
            exchange.status.as_u16(),
            exchange.elapsed.as_secs_f64() * 1000.0,
            describe_response(platform, &exchange)
        );
        self.print_calls(before, Duration::from_millis(300)).await;
        Ok(exchange)
    }

    /// Waits for the follow-ups still on their way, printing them as they arrive, then stops
    /// the bot gracefully.
    pub async fn finish(self) {
        let mut seen = self.sim.api().requests().len();
        let deadline = Instant::now() + SETTLE;
        loop {
            let calls = self.sim.api().wait_for(seen + 1, Duration::from_millis(200)).await;
            for call in calls.iter().skip(seen) {
                println!("{}", self.describe_call(call));
            }
            let idle = calls.len() == seen && self.sim.bot().tasks().is_empty();
            seen = calls.len();
            if idle || Instant::now() > deadline {
                break;
            }
        }
        println!();
        println!("{}: done after {:.1} s", self.name, self.started.elapsed().as_secs_f64());
        self.sim.stop().await;
    }

    /// Prints the API calls that follow a request at once (reactions, posts), until the API
    /// has been quiet for a moment; later follow-ups are printed by [`finish`](Self::finish).
    async fn print_calls(&self, mut seen: usize, quiet: Duration) {
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            let calls = self.sim.api().wait_for(seen + 1, quiet).await;
            if calls.len() == seen {
                break;
            }
            for call in calls.iter().skip(seen) {
                println!("{}", self.describe_call(call));
            }
            seen = calls.len();
        }
    }

    fn describe_call(&self, call: &Recorded) -> String {
        let at = self.started.elapsed().as_secs_f64();
        let mut line = format!("⇢ +{at:.1} s  {} {}", call.method, call.path);
        let json = call.json();
        let body = if json.is_null() { form_json(&call.body) } else { json };
        let what = match call.path.rsplit('/').next().unwrap_or_default() {
            "auth.test" => "the bot looks up its own ids, to never answer itself".to_owned(),
            "reactions.add" => {
                format!("reaction :{}: on {}", text(&body["name"]), text(&body["timestamp"]))
            }
            "chat.postMessage" | "chat.postEphemeral" => format!("says {:?}", text(&body["text"])),
            "@original" => format!("edits the deferred reply: {:?}", text(&body["content"])),
            "@me" => format!(
                "reaction {}",
                percent_decode(call.path.rsplit('/').nth(1).unwrap_or_default())
            ),
            _ if call.path.starts_with("/hooks/") && body["replace_original"] == true => {
                format!("updates the message: {}", buttons(&body["blocks"]))
            }
            _ if call.path.starts_with("/hooks/") => format!("follow-up {:?}", text(&body["text"])),
            _ if call.path.starts_with("/api/v10/webhooks/") => {
                format!("follow-up {:?}", text(&body["content"]))
            }
            _ => String::new(),
        };
        if !what.is_empty() {
            let _ = write!(line, "  — {what}");
        }
        line
    }

    fn slack_request(&self, text: &str) -> (String, http::Request<Bytes>) {
        if let Some(command) = text.strip_prefix('/') {
            let (name, args) = command.split_once(' ').unwrap_or((command, ""));
            let response_url = format!("{}/hooks/response-url/{}", self.sim.api().url(), name);
            let body = slack_payload::slash_command(&format!("/{name}"), args, &response_url);
            (
                format!("Slack slash command /{name} {args:?} (signed with the signing secret)"),
                self.slack.request(SLACK_PATH, slack_payload::FORM, body),
            )
        } else {
            let body = slack_payload::message(SLACK_CHANNEL, text, false);
            (
                format!("Slack message in #general: {text:?} (Events API, signed)"),
                self.slack.request(SLACK_PATH, slack_payload::JSON, body),
            )
        }
    }

    fn discord_request(&self, text: &str) -> Result<(String, http::Request<Bytes>), BoxError> {
        if let Some(command) = text.strip_prefix('/') {
            let (name, args) = command.split_once(' ').unwrap_or((command, ""));
            let options: Vec<(&str, &str)> =
                if args.is_empty() { vec![] } else { vec![("text", args)] };
            let body = discord_payload::command(DISCORD_APPLICATION_ID, name, &options);
            return Ok((
                format!("Discord /{name} {args:?} (signed with Ed25519)"),
                self.discord.request(DISCORD_PATH, body),
            ));
        }
        let Some(menu) = self.profile.discord_message_command else {
            return Err(format!(
                "{} hears commands only on Discord: try \"/{}\"",
                self.name,
                self.name.replace('_', "-")
            )
            .into());
        };
        let body = discord_payload::message_command(DISCORD_APPLICATION_ID, menu, text);
        Ok((
            format!("Discord \"{menu}\" on the message {text:?} (signed with Ed25519)"),
            self.discord.request(DISCORD_PATH, body),
        ))
    }

    fn lex_request(&self, text: &str) -> (String, http::Request<Bytes>) {
        let event = lex_v2_event(self.profile.lex_intent, text);
        (
            format!("Lex V2 code hook, intent {}: {text:?}", self.profile.lex_intent),
            http::Request::post(LEX_PATH)
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(Bytes::from(event.to_string()))
                .expect("a valid request"),
        )
    }
}

/// A Lex V2 fulfillment event for `intent`, as a text channel sends it.
#[must_use]
pub fn lex_v2_event(intent: &str, transcript: &str) -> Value {
    json!({
        "messageVersion": "1.0",
        "invocationSource": "FulfillmentCodeHook",
        "inputMode": "Text",
        "responseContentType": "text/plain; charset=utf-8",
        "sessionId": "simulated-session",
        "inputTranscript": transcript,
        "bot": {"id": "SIMBOTID01", "name": "Simulated", "localeId": "en_US", "version": "DRAFT",
                "aliasId": "TSTALIASID", "aliasName": "TestBotAlias"},
        "interpretations": [{"intent": {"name": intent, "slots": {}, "state": "ReadyForFulfillment",
                                        "confirmationState": "None"}, "nluConfidence": 0.99}],
        "sessionState": {"intent": {"name": intent, "slots": {}, "state": "ReadyForFulfillment",
                                    "confirmationState": "None"}, "sessionAttributes": {}},
        "requestAttributes": {},
    })
}
