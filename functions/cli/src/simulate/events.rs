//! The events `simulate` sends and the flags of each.

use clap::{Args, Subcommand};
use frontdesk::config::{ConfigError, PublicBaseUrl};
use frontdesk::domain::PhoneNumber;

use crate::signing::{parse_param, TokenArg};

/// The Meta phone number id of the demo clinic in `infra/seed/businesses.json`.
const DEFAULT_PHONE_NUMBER_ID: &str = "106540352242922";

#[derive(Args, Debug)]
pub struct SimulateArgs {
    #[command(subcommand)]
    pub(super) event: Event,
}

/// The webhook to send.
#[derive(Subcommand, Debug)]
pub(super) enum Event {
    /// An incoming call (POST /webhook/incoming_call); answered with TwiML.
    Call {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        call: CallArg,
    },
    /// A turn of booking by phone (POST /webhook/voice_booking?step=N): what the caller said
    /// or pressed on the booking menu `call` answered for a business that books by phone.
    /// Answered with the next question (a <Gather> naming the next step), the booking said
    /// aloud, or the voicemail. Neither --speech nor --digits: the caller was silent.
    Booking {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        call: CallArg,
        #[command(flatten)]
        turn: TurnArgs,
    },
    /// The voicemail <Record> action after the caller's message; answered with TwiML.
    Recording {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        call: CallArg,
        #[command(flatten)]
        recording: RecordingArg,
    },
    /// Twilio's recording status callback (sent without From and To, as Twilio sends it).
    RecordingStatus {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        call: CallArg,
        #[command(flatten)]
        recording: RecordingArg,
        /// RecordingStatus: in-progress, completed, absent or failed.
        #[arg(long, default_value = "completed")]
        status: String,
    },
    /// A call status callback (POST /webhook/call_status).
    Status {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        call: CallArg,
        /// CallStatus: queued, initiated, ringing, in-progress, completed, busy, failed,
        /// no-answer or canceled.
        #[arg(long, default_value = "completed")]
        status: String,
    },
    /// An incoming WhatsApp message through Twilio.
    Whatsapp {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        message: MessageArg,
        /// The message text.
        #[arg(long, default_value = "Hi, can I book an appointment?")]
        body: String,
    },
    /// A delivery status of a WhatsApp message the business sent through Twilio. From defaults
    /// to the business and To to the customer, as in Twilio's callback.
    WhatsappStatus {
        #[command(flatten)]
        twilio: TwilioArgs,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        message: MessageArg,
        /// MessageStatus: queued, sent, delivered, read, failed or undelivered.
        #[arg(long, default_value = "delivered")]
        status: String,
    },
    /// A WhatsApp Cloud API `messages` notification from Meta, signed with X-Hub-Signature-256.
    Meta {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        parties: Parties,
        #[command(flatten)]
        message: MessageArg,
        /// The message text.
        #[arg(long, default_value = "Hi, can I book an appointment?")]
        body: String,
        /// metadata.phone_number_id: the business's WhatsApp number at Meta (the default is the
        /// seed's demo clinic).
        #[arg(long, default_value = DEFAULT_PHONE_NUMBER_ID)]
        phone_number_id: String,
        /// The Meta app secret that keys X-Hub-Signature-256.
        #[arg(
            long,
            env = "META_APP_SECRET",
            hide_env_values = true,
            value_name = "SECRET"
        )]
        app_secret: Option<String>,
    },
}

/// Where the request goes and how the answer is printed.
#[derive(Args, Debug)]
pub(super) struct Target {
    /// The Frontdesk base URL (with any API Gateway stage); the route path is appended, and
    /// that exact URL is the one signed.
    #[arg(long, default_value = "http://127.0.0.1:3000", value_parser = parse_base)]
    pub(super) base: PublicBaseUrl,
    /// Print {"status":…,"headers":{…},"body":…} instead of the HTTP answer as text.
    #[arg(long)]
    pub(super) json: bool,
}

/// Everything a Twilio webhook needs besides its own parameters.
#[derive(Args, Debug)]
pub(super) struct TwilioArgs {
    #[command(flatten)]
    pub(super) target: Target,
    #[command(flatten)]
    pub(super) token: TokenArg,
    /// A form parameter to add, or to replace every default value of its key, as KEY=VALUE.
    /// Repeat it for each parameter.
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    pub(super) params: Vec<(String, String)>,
}

#[derive(Args, Debug)]
pub(super) struct Parties {
    /// From, in E.164 (default: the customer +15005550006; the business for whatsapp-status).
    #[arg(long, value_parser = parse_number)]
    pub(super) from: Option<PhoneNumber>,
    /// To, in E.164 (default: the seed's demo clinic +97233334444; the customer for
    /// whatsapp-status).
    #[arg(long, value_parser = parse_number)]
    pub(super) to: Option<PhoneNumber>,
}

#[derive(Args, Debug)]
pub(super) struct CallArg {
    /// The CallSid (default: a fresh CA followed by 32 hex digits).
    #[arg(long)]
    pub(super) call_sid: Option<String>,
}

/// One turn of booking by phone.
#[derive(Args, Debug)]
pub(super) struct TurnArgs {
    /// The turn: 1 answers the menu `simulate call` printed; each answer's <Gather> action
    /// names the next (`?step=N`). Use the same --call-sid on every turn of one call.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub(super) step: u32,
    /// What the caller said, as Twilio's SpeechResult: "מחר בשלוש", "tomorrow at 3".
    #[arg(long, conflicts_with = "digits")]
    pub(super) speech: Option<String>,
    /// Twilio's Confidence for the speech, 0 to 1 (not given: none is sent, and the text is
    /// trusted).
    #[arg(long, requires = "speech", value_parser = parse_confidence)]
    pub(super) confidence: Option<f32>,
    /// The key pressed, as Twilio's Digits: 1 confirms, 2 hears other times, 0 leaves a message.
    #[arg(long)]
    pub(super) digits: Option<String>,
    /// The call's URLs carry `greeting=1` (incoming_call found the business's greeting): the
    /// greeting plays before a message.
    #[arg(long)]
    pub(super) greeting: bool,
}

fn parse_confidence(raw: &str) -> Result<f32, String> {
    raw.parse::<f32>()
        .ok()
        .filter(|c| (0.0..=1.0).contains(c))
        .ok_or_else(|| "a number from 0 to 1".to_string())
}

#[derive(Args, Debug)]
pub(super) struct RecordingArg {
    /// The RecordingSid (default: a fresh RE followed by 32 hex digits).
    #[arg(long)]
    pub(super) recording_sid: Option<String>,
}

#[derive(Args, Debug)]
pub(super) struct MessageArg {
    /// The MessageSid, or the wamid for meta (default: a fresh SM… or wamid.…).
    #[arg(long)]
    pub(super) message_sid: Option<String>,
}

fn parse_base(raw: &str) -> Result<PublicBaseUrl, String> {
    PublicBaseUrl::parse(raw).map_err(|ConfigError::Invalid { reason, .. }| reason)
}

fn parse_number(raw: &str) -> Result<PhoneNumber, String> {
    PhoneNumber::parse(raw).map_err(|err| err.reason.to_string())
}
