//! The TwiML builder: arbitrary text in every field gives well-formed XML with the same
//! elements at the same depths as benign text does, and text comes back as it went in (less
//! what XML cannot carry: `xml_safe`).
#![no_main]

use frontdesk::twilio::twiml::{
    xml_safe, Connect, Gather, Message, MessagingResponse, Play, Prompt, Record, Say, Stream,
    VoiceResponse,
};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

/// Element names with their depth, and every text and attribute value, in document order.
fn shape(xml: &str) -> (Vec<(String, usize)>, Vec<String>) {
    let mut reader = Reader::from_str(xml);
    let (mut names, mut values, mut depth) = (Vec::new(), Vec::new(), 0usize);
    let attributes = |e: &quick_xml::events::BytesStart, values: &mut Vec<String>| {
        for a in e.attributes() {
            let a = a.expect("well-formed attribute");
            values.push(
                a.normalized_value(XmlVersion::Explicit1_0)
                    .expect("attribute unescapes")
                    .into_owned(),
            );
        }
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                names.push((e.name().into_inner().to_string(), depth));
                attributes(&e, &mut values);
                depth += 1;
            }
            Event::Empty(e) => {
                names.push((e.name().into_inner().to_string(), depth));
                attributes(&e, &mut values);
            }
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            Event::Text(_) | Event::GeneralRef(_) | Event::Decl(_) => {}
            other => panic!("unexpected {other:?} in {xml}"),
        }
    }
    assert_eq!(depth, 0, "unclosed elements in {xml}");
    (names, values)
}

fn voice(text: &str, attr: &str, name: &str, value: &str) -> String {
    VoiceResponse::new()
        .say(Say::new(text).language(attr).voice(attr))
        .play(Play::new(text))
        .record(Record {
            action: Some(attr.to_string()),
            finish_on_key: Some(attr.to_string()),
            ..Record::default()
        })
        .gather(Gather {
            hints: Some(attr.to_string()),
            prompts: vec![Prompt::Say(Say::new(text))],
            ..Gather::default()
        })
        .connect(Connect {
            stream: Stream {
                url: attr.to_string(),
                parameters: vec![(name.to_string(), value.to_string())],
                ..Stream::default()
            },
            ..Connect::default()
        })
        .hangup()
        .to_xml()
}

/// The shape benign text gives.
static BENIGN: LazyLock<(Vec<(String, usize)>, Vec<String>)> =
    LazyLock::new(|| shape(&voice("a", "b", "c", "d")));

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.split('\u{1}');
    let mut next = || fields.next().unwrap_or_default().to_string();
    let (text, attr, name, value) = (next(), next(), next(), next());
    let xml = voice(&text, &attr, &name, &value);
    let (names, values) = shape(&xml);
    assert_eq!(names, BENIGN.0, "{xml}");
    for expected in [xml_safe(&attr), xml_safe(&name), xml_safe(&value)] {
        assert!(values.contains(&expected), "{expected:?} not kept in {xml}");
    }
    let sms = MessagingResponse::new()
        .message(Message::new(text.clone()))
        .to_xml();
    let (names, _) = shape(&sms);
    assert_eq!(
        names,
        vec![("Response".to_string(), 0), ("Message".to_string(), 1)]
    );
});
