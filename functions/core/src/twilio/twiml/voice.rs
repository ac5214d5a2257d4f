//! A voice `<Response>`: the verbs in order, written as Twilio's SDKs write them.

use super::verbs::{
    Connect, Dial, Gather, GatherInput, Pause, Play, Prompt, Record, RecordingEvent, Redirect,
    RejectReason, Say, Trim,
};
use super::xml::{join, Xml};
use super::Method;

#[derive(Clone, Debug)]
enum Verb {
    Say(Say),
    Play(Play),
    Pause(Pause),
    Record(Record),
    Gather(Gather),
    Connect(Connect),
    Dial(Dial),
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

    pub fn dial(mut self, dial: Dial) -> Self {
        self.verbs.push(Verb::Dial(dial));
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

/// `<Redirect>`, which a messaging response may end with too.
pub(super) fn write_redirect(xml: &mut Xml, redirect: &Redirect) {
    xml.open("Redirect")
        .attr_opt("method", redirect.method.map(Method::as_str))
        .text_and_close("Redirect", &redirect.url);
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
        Verb::Dial(d) => {
            xml.open("Dial")
                .attr_opt("action", d.action.as_deref())
                .attr_opt("method", d.method.map(Method::as_str))
                .attr_num("timeout", d.timeout)
                .attr_opt("callerId", d.caller_id.as_deref())
                .text_and_close("Dial", &d.number);
        }
        Verb::Redirect(redirect) => write_redirect(xml, redirect),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::twilio::twiml::Stream;

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
    fn dial_connects_one_number_with_a_caller_id() {
        let xml = VoiceResponse::new()
            .dial(Dial {
                caller_id: Some("+15550001111".into()),
                timeout: Some(30),
                ..Dial::number("+972501234567")
            })
            .to_xml();
        assert_eq!(
            xml,
            r##"<?xml version="1.0" encoding="UTF-8"?><Response><Dial timeout="30" callerId="+15550001111">+972501234567</Dial></Response>"##
        );
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
}
