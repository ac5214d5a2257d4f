//! The voice verbs as data: every attribute Twilio documents that Frontdesk may set.

use super::Method;

/// `<Say>`: text spoken by Twilio's text-to-speech.
#[derive(Clone, Debug, Default)]
pub struct Say {
    pub text: String,
    pub voice: Option<String>,
    pub language: Option<String>,
    pub loop_count: Option<u32>,
}

impl Say {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            ..Self::default()
        }
    }

    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    pub fn voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = Some(voice.into());
        self
    }
}

/// `<Play>`: an audio file by URL.
#[derive(Clone, Debug, Default)]
pub struct Play {
    pub url: String,
    pub loop_count: Option<u32>,
    pub digits: Option<String>,
}

impl Play {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }
}

/// `<Pause>`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pause {
    pub length: Option<u32>,
}

impl Pause {
    pub fn seconds(length: u32) -> Self {
        Self {
            length: Some(length),
        }
    }
}

/// `trim` on `<Record>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trim {
    TrimSilence,
    DoNotTrim,
}

/// Events `recordingStatusCallbackEvent` may ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordingEvent {
    InProgress,
    Completed,
    Absent,
}

/// `<Record>` with every attribute Twilio documents.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub action: Option<String>,
    pub method: Option<Method>,
    pub timeout: Option<u32>,
    pub finish_on_key: Option<String>,
    pub max_length: Option<u32>,
    pub play_beep: Option<bool>,
    pub trim: Option<Trim>,
    pub recording_status_callback: Option<String>,
    pub recording_status_callback_method: Option<Method>,
    pub recording_status_callback_event: Vec<RecordingEvent>,
    pub transcribe: Option<bool>,
    pub transcribe_callback: Option<String>,
    pub recording_configuration_id: Option<String>,
}

/// What `<Gather>` listens for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatherInput {
    Dtmf,
    Speech,
}

/// The verbs `<Gather>` may nest.
#[derive(Clone, Debug)]
pub enum Prompt {
    Say(Say),
    Play(Play),
    Pause(Pause),
}

/// `<Gather>` with its nested prompts.
#[derive(Clone, Debug, Default)]
pub struct Gather {
    pub input: Vec<GatherInput>,
    pub action: Option<String>,
    pub method: Option<Method>,
    pub timeout: Option<u32>,
    /// Seconds, or `auto`.
    pub speech_timeout: Option<String>,
    pub max_speech_time: Option<u32>,
    pub finish_on_key: Option<String>,
    pub num_digits: Option<u32>,
    pub language: Option<String>,
    pub hints: Option<String>,
    pub barge_in: Option<bool>,
    pub profanity_filter: Option<bool>,
    pub action_on_empty_result: Option<bool>,
    pub speech_model: Option<String>,
    pub enhanced: Option<bool>,
    pub partial_result_callback: Option<String>,
    pub partial_result_callback_method: Option<Method>,
    pub debug: Option<bool>,
    pub prompts: Vec<Prompt>,
}

/// `<Stream>` inside `<Connect>`: a bidirectional media stream to a WebSocket voice agent.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    pub url: String,
    pub name: Option<String>,
    pub status_callback: Option<String>,
    pub status_callback_method: Option<Method>,
    /// `<Parameter name value/>` children, delivered in the stream's `start` message.
    pub parameters: Vec<(String, String)>,
}

/// `<Connect>`.
#[derive(Clone, Debug, Default)]
pub struct Connect {
    pub action: Option<String>,
    pub method: Option<Method>,
    pub stream: Stream,
}

/// `<Dial>` to one phone number (the number as the verb's text): connects the call to it.
#[derive(Clone, Debug, Default)]
pub struct Dial {
    pub number: String,
    /// The caller ID the dialled party sees: one of the account's numbers.
    pub caller_id: Option<String>,
    /// Seconds to ring before giving up.
    pub timeout: Option<u32>,
    pub action: Option<String>,
    pub method: Option<Method>,
}

impl Dial {
    pub fn number(number: impl Into<String>) -> Self {
        Self {
            number: number.into(),
            ..Self::default()
        }
    }
}

/// `<Redirect>`.
#[derive(Clone, Debug, Default)]
pub struct Redirect {
    pub url: String,
    pub method: Option<Method>,
}

/// Why `<Reject>` refuses a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectReason {
    Rejected,
    Busy,
}
