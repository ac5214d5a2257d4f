//! A typed TwiML builder for the verbs Frontdesk uses.
//!
//! Every text and attribute value passes through one escaper, so no caller-supplied string
//! can change the document's structure. Characters XML 1.0 forbids (most C0 controls,
//! U+FFFE, U+FFFF) are dropped, because no escape can carry them. Output matches Twilio's
//! SDKs: the XML declaration directly followed by `<Response>`, lowerCamel attributes,
//! `true`/`false` booleans.

use std::fmt::Write as _;

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// HTTP method for a callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

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

#[derive(Clone, Debug)]
enum Verb {
    Say(Say),
    Play(Play),
    Pause(Pause),
    Record(Record),
    Gather(Gather),
    Connect(Connect),
    Redirect(Redirect),
    Hangup,
    Reject(Option<RejectReason>),
}

/// A voice `<Response>`.
#[derive(Clone, Debug, Default)]
pub struct VoiceResponse {
    verbs: Vec<Verb>,
}

impl VoiceResponse {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn say(mut self, say: Say) -> Self {
        self.verbs.push(Verb::Say(say));
        self
    }

    pub fn play(mut self, play: Play) -> Self {
        self.verbs.push(Verb::Play(play));
        self
    }

    pub fn pause(mut self, pause: Pause) -> Self {
        self.verbs.push(Verb::Pause(pause));
        self
    }

    pub fn record(mut self, record: Record) -> Self {
        self.verbs.push(Verb::Record(record));
        self
    }

    pub fn gather(mut self, gather: Gather) -> Self {
        self.verbs.push(Verb::Gather(gather));
        self
    }

    pub fn connect(mut self, connect: Connect) -> Self {
        self.verbs.push(Verb::Connect(connect));
        self
    }

    pub fn redirect(mut self, redirect: Redirect) -> Self {
        self.verbs.push(Verb::Redirect(redirect));
        self
    }

    pub fn hangup(mut self) -> Self {
        self.verbs.push(Verb::Hangup);
        self
    }

    pub fn reject(mut self, reason: Option<RejectReason>) -> Self {
        self.verbs.push(Verb::Reject(reason));
        self
    }

    /// Appends every verb of `other` (a fallback after `<Connect>` or `<Gather>`).
    pub fn then(mut self, other: VoiceResponse) -> Self {
        self.verbs.extend(other.verbs);
        self
    }

    pub fn to_xml(&self) -> String {
        let mut xml = Xml::document();
        if self.verbs.is_empty() {
            xml.out.push_str("<Response/>");
            return xml.out;
        }
        xml.out.push_str("<Response>");
        for verb in &self.verbs {
            write_verb(&mut xml, verb);
        }
        xml.out.push_str("</Response>");
        xml.out
    }
}

fn write_say(xml: &mut Xml, say: &Say) {
    xml.open("Say")
        .attr_opt("voice", say.voice.as_deref())
        .attr_opt("language", say.language.as_deref())
        .attr_num("loop", say.loop_count)
        .text_and_close("Say", &say.text);
}

fn write_play(xml: &mut Xml, play: &Play) {
    xml.open("Play")
        .attr_num("loop", play.loop_count)
        .attr_opt("digits", play.digits.as_deref())
        .text_and_close("Play", &play.url);
}

fn write_pause(xml: &mut Xml, pause: &Pause) {
    xml.open("Pause").attr_num("length", pause.length).empty();
}

fn write_verb(xml: &mut Xml, verb: &Verb) {
    match verb {
        Verb::Say(say) => write_say(xml, say),
        Verb::Play(play) => write_play(xml, play),
        Verb::Pause(pause) => write_pause(xml, pause),
        Verb::Record(r) => {
            let events = join(r.recording_status_callback_event.iter().map(|e| match e {
                RecordingEvent::InProgress => "in-progress",
                RecordingEvent::Completed => "completed",
                RecordingEvent::Absent => "absent",
            }));
            xml.open("Record")
                .attr_opt("action", r.action.as_deref())
                .attr_opt("method", r.method.map(Method::as_str))
                .attr_num("timeout", r.timeout)
                .attr_opt("finishOnKey", r.finish_on_key.as_deref())
                .attr_num("maxLength", r.max_length)
                .attr_bool("playBeep", r.play_beep)
                .attr_opt(
                    "trim",
                    r.trim.map(|t| match t {
                        Trim::TrimSilence => "trim-silence",
                        Trim::DoNotTrim => "do-not-trim",
                    }),
                )
                .attr_opt(
                    "recordingStatusCallback",
                    r.recording_status_callback.as_deref(),
                )
                .attr_opt(
                    "recordingStatusCallbackMethod",
                    r.recording_status_callback_method.map(Method::as_str),
                )
                .attr_opt("recordingStatusCallbackEvent", events.as_deref())
                .attr_bool("transcribe", r.transcribe)
                .attr_opt("transcribeCallback", r.transcribe_callback.as_deref())
                .attr_opt(
                    "recordingConfigurationId",
                    r.recording_configuration_id.as_deref(),
                )
                .empty();
        }
        Verb::Gather(g) => {
            let input = join(g.input.iter().map(|i| match i {
                GatherInput::Dtmf => "dtmf",
                GatherInput::Speech => "speech",
            }));
            xml.open("Gather")
                .attr_opt("input", input.as_deref())
                .attr_opt("action", g.action.as_deref())
                .attr_opt("method", g.method.map(Method::as_str))
                .attr_num("timeout", g.timeout)
                .attr_opt("speechTimeout", g.speech_timeout.as_deref())
                .attr_num("maxSpeechTime", g.max_speech_time)
                .attr_opt("finishOnKey", g.finish_on_key.as_deref())
                .attr_num("numDigits", g.num_digits)
                .attr_opt("language", g.language.as_deref())
                .attr_opt("hints", g.hints.as_deref())
                .attr_bool("bargeIn", g.barge_in)
                .attr_bool("profanityFilter", g.profanity_filter)
                .attr_bool("actionOnEmptyResult", g.action_on_empty_result)
                .attr_opt("speechModel", g.speech_model.as_deref())
                .attr_bool("enhanced", g.enhanced)
                .attr_opt(
                    "partialResultCallback",
                    g.partial_result_callback.as_deref(),
                )
                .attr_opt(
                    "partialResultCallbackMethod",
                    g.partial_result_callback_method.map(Method::as_str),
                )
                .attr_bool("debug", g.debug);
            if g.prompts.is_empty() {
                xml.empty();
            } else {
                xml.end_open();
                for prompt in &g.prompts {
                    match prompt {
                        Prompt::Say(say) => write_say(xml, say),
                        Prompt::Play(play) => write_play(xml, play),
                        Prompt::Pause(pause) => write_pause(xml, pause),
                    }
                }
                xml.close("Gather");
            }
        }
        Verb::Connect(c) => {
            xml.open("Connect")
                .attr_opt("action", c.action.as_deref())
                .attr_opt("method", c.method.map(Method::as_str))
                .end_open();
            let s = &c.stream;
            xml.open("Stream")
                .attr("url", &s.url)
                .attr_opt("name", s.name.as_deref())
                .attr_opt("statusCallback", s.status_callback.as_deref())
                .attr_opt(
                    "statusCallbackMethod",
                    s.status_callback_method.map(Method::as_str),
                );
            if s.parameters.is_empty() {
                xml.empty();
            } else {
                xml.end_open();
                for (name, value) in &s.parameters {
                    xml.open("Parameter")
                        .attr("name", name)
                        .attr("value", value)
                        .empty();
                }
                xml.close("Stream");
            }
            xml.close("Connect");
        }
        Verb::Redirect(r) => {
            xml.open("Redirect")
                .attr_opt("method", r.method.map(Method::as_str))
                .text_and_close("Redirect", &r.url);
        }
        Verb::Hangup => xml.open("Hangup").empty(),
        Verb::Reject(reason) => {
            xml.open("Reject")
                .attr_opt(
                    "reason",
                    reason.map(|r| match r {
                        RejectReason::Rejected => "rejected",
                        RejectReason::Busy => "busy",
                    }),
                )
                .empty();
        }
    }
}

/// `<Message>`: a reply to an inbound message.
#[derive(Clone, Debug, Default)]
pub struct Message {
    pub body: String,
    pub to: Option<String>,
    pub from: Option<String>,
    pub action: Option<String>,
    pub method: Option<Method>,
    pub media: Vec<String>,
}

impl Message {
    pub fn new(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            ..Self::default()
        }
    }
}

/// A messaging `<Response>`. Empty means "no reply".
#[derive(Clone, Debug, Default)]
pub struct MessagingResponse {
    messages: Vec<Message>,
    redirect: Option<Redirect>,
}

impl MessagingResponse {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn message(mut self, message: Message) -> Self {
        self.messages.push(message);
        self
    }

    pub fn redirect(mut self, redirect: Redirect) -> Self {
        self.redirect = Some(redirect);
        self
    }

    pub fn to_xml(&self) -> String {
        let mut xml = Xml::document();
        if self.messages.is_empty() && self.redirect.is_none() {
            xml.out.push_str("<Response/>");
            return xml.out;
        }
        xml.out.push_str("<Response>");
        for m in &self.messages {
            xml.open("Message")
                .attr_opt("to", m.to.as_deref())
                .attr_opt("from", m.from.as_deref())
                .attr_opt("action", m.action.as_deref())
                .attr_opt("method", m.method.map(Method::as_str));
            if m.media.is_empty() {
                xml.text_and_close("Message", &m.body);
            } else {
                xml.end_open();
                xml.open("Body").text_and_close("Body", &m.body);
                for url in &m.media {
                    xml.open("Media").text_and_close("Media", url);
                }
                xml.close("Message");
            }
        }
        if let Some(r) = &self.redirect {
            write_verb(&mut xml, &Verb::Redirect(r.clone()));
        }
        xml.out.push_str("</Response>");
        xml.out
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>) -> Option<String> {
    let joined = items.collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// A minimal XML writer: element names are this module's constants, so only values need escaping.
struct Xml {
    out: String,
}

impl Xml {
    fn document() -> Self {
        let mut out = String::with_capacity(512);
        out.push_str(DECLARATION);
        Self { out }
    }

    fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self
    }

    fn attr(&mut self, name: &str, value: &str) -> &mut Self {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
        self
    }

    fn attr_opt(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.attr(name, value);
        }
        self
    }

    fn attr_num(&mut self, name: &str, value: Option<u32>) -> &mut Self {
        if let Some(value) = value {
            let _ = write!(self.out, " {name}=\"{value}\"");
        }
        self
    }

    fn attr_bool(&mut self, name: &str, value: Option<bool>) -> &mut Self {
        self.attr_opt(name, value.map(|v| if v { "true" } else { "false" }))
    }

    fn end_open(&mut self) {
        self.out.push('>');
    }

    fn empty(&mut self) {
        self.out.push_str("/>");
    }

    fn text_and_close(&mut self, name: &str, text: &str) {
        self.out.push('>');
        escape_into(&mut self.out, text, false);
        self.close(name);
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }
}

/// True for characters XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The one escaper. In attributes, tab, newline and carriage return are written as character
/// references, so attribute-value normalisation cannot turn them into spaces.
fn escape_into(out: &mut String, value: &str, attribute: bool) {
    // Runs of characters that need nothing are copied whole: most values need nothing at all.
    let mut start = 0;
    for (i, c) in value.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' if attribute => "&quot;",
            '\'' if attribute => "&apos;",
            '\t' if attribute => "&#9;",
            '\n' if attribute => "&#10;",
            '\r' => "&#13;",
            c if is_xml_char(c) => continue,
            _ => "",
        };
        out.push_str(&value[start..i]);
        out.push_str(replacement);
        start = i + c.len_utf8();
    }
    out.push_str(&value[start..]);
}

/// What a value reads as after escaping and parsing: the characters XML can carry.
pub fn xml_safe(value: &str) -> String {
    value.chars().filter(|&c| is_xml_char(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_response_is_self_closing() {
        assert_eq!(
            VoiceResponse::new().to_xml(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#
        );
        assert_eq!(
            MessagingResponse::new().to_xml(),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response/>"#
        );
    }

    #[test]
    fn greeting_then_voicemail_matches_twilio_sdk_format() {
        let xml = VoiceResponse::new()
            .play(Play::new("https://cdn.example/greeting-he.mp3"))
            .record(Record {
                action: Some("/voice/recorded".into()),
                method: Some(Method::Post),
                max_length: Some(120),
                timeout: Some(5),
                finish_on_key: Some("#".into()),
                play_beep: Some(true),
                recording_status_callback: Some("/voice/recording-status".into()),
                recording_status_callback_event: vec![RecordingEvent::Completed],
                ..Record::default()
            })
            .hangup()
            .to_xml();
        assert_eq!(
            xml,
            r##"<?xml version="1.0" encoding="UTF-8"?><Response><Play>https://cdn.example/greeting-he.mp3</Play><Record action="/voice/recorded" method="POST" timeout="5" finishOnKey="#" maxLength="120" playBeep="true" recordingStatusCallback="/voice/recording-status" recordingStatusCallbackEvent="completed"/><Hangup/></Response>"##
        );
    }

    #[test]
    fn say_escapes_text_and_attributes() {
        let xml = VoiceResponse::new()
            .say(Say::new("a < b & \"c\" ]]> 'd'").language("he-IL\"x"))
            .to_xml();
        assert!(
            xml.contains(r#"<Say language="he-IL&quot;x">a &lt; b &amp; "c" ]]&gt; 'd'</Say>"#),
            "{xml}"
        );
    }

    #[test]
    fn control_characters_are_dropped() {
        let xml = VoiceResponse::new()
            .say(Say::new("a\u{0}b\u{1b}c\u{FFFF}"))
            .to_xml();
        assert!(xml.contains("<Say>abc</Say>"), "{xml}");
    }

    #[test]
    fn connect_stream_carries_parameters() {
        let xml = VoiceResponse::new()
            .connect(Connect {
                stream: Stream {
                    url: "wss://agent.example/media-stream".into(),
                    parameters: vec![("From".into(), "+972500000000".into())],
                    ..Stream::default()
                },
                ..Connect::default()
            })
            .to_xml();
        assert!(xml.contains(r#"<Connect><Stream url="wss://agent.example/media-stream"><Parameter name="From" value="+972500000000"/></Stream></Connect>"#), "{xml}");
    }

    #[test]
    fn gather_nests_its_prompts() {
        let xml = VoiceResponse::new()
            .gather(Gather {
                num_digits: Some(6),
                action: Some("https://x/webhook/gather".into()),
                input: vec![GatherInput::Dtmf],
                prompts: vec![
                    Prompt::Say(Say::new("code")),
                    Prompt::Pause(Pause::seconds(1)),
                ],
                ..Gather::default()
            })
            .to_xml();
        assert!(xml.contains(r#"<Gather input="dtmf" action="https://x/webhook/gather" numDigits="6"><Say>code</Say><Pause length="1"/></Gather>"#), "{xml}");
    }

    #[test]
    fn reject_and_redirect() {
        let xml = VoiceResponse::new()
            .reject(Some(RejectReason::Busy))
            .redirect(Redirect {
                url: "https://x/a?b=1&c=2".into(),
                method: Some(Method::Post),
            })
            .to_xml();
        assert!(xml.contains(r#"<Reject reason="busy"/><Redirect method="POST">https://x/a?b=1&amp;c=2</Redirect>"#), "{xml}");
    }

    #[test]
    fn message_with_media_uses_body_and_media_children() {
        let xml = MessagingResponse::new()
            .message(Message {
                media: vec!["https://x/a.jpg".into()],
                ..Message::new("שלום & hi")
            })
            .to_xml();
        assert!(
            xml.contains(
                "<Message><Body>שלום &amp; hi</Body><Media>https://x/a.jpg</Media></Message>"
            ),
            "{xml}"
        );
    }
}
