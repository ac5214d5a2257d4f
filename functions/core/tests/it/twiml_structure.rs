//! Property: no caller-supplied string can change a TwiML document's structure, and every
//! document parses as XML with the values intact.

use frontdesk::twilio::twiml::{
    xml_safe, Connect, Gather, Message, MessagingResponse, Play, Prompt, Record, Say, Stream,
    VoiceResponse,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

/// An element as parsed: name, attributes, direct text.
#[derive(Debug, PartialEq)]
struct Node {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    depth: usize,
}

fn parse(xml: &str) -> Vec<Node> {
    assert!(
        xml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><Response"#),
        "{xml}"
    );
    let mut reader = Reader::from_str(xml);
    let mut nodes: Vec<Node> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let attributes = |e: &quick_xml::events::BytesStart| -> Vec<(String, String)> {
        e.attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                (
                    a.key.into_inner().to_string(),
                    a.normalized_value(XmlVersion::Explicit1_0)
                        .expect("attribute unescapes")
                        .into_owned(),
                )
            })
            .collect()
    };
    loop {
        match reader.read_event().expect("document is well-formed XML") {
            Event::Start(e) => {
                nodes.push(Node {
                    name: e.name().into_inner().to_string(),
                    attributes: attributes(&e),
                    text: String::new(),
                    depth: open.len(),
                });
                open.push(nodes.len() - 1);
            }
            Event::Empty(e) => nodes.push(Node {
                name: e.name().into_inner().to_string(),
                attributes: attributes(&e),
                text: String::new(),
                depth: open.len(),
            }),
            Event::Text(t) => {
                let index = *open.last().expect("text only inside elements");
                nodes[index]
                    .text
                    .push_str(&t.xml_content(XmlVersion::Explicit1_0));
            }
            Event::GeneralRef(r) => {
                let index = *open.last().expect("references only inside elements");
                let resolved = match r.resolve_char_ref().expect("valid character reference") {
                    Some(c) => c.to_string(),
                    None => match r.xml_content(XmlVersion::Explicit1_0).as_ref() {
                        "amp" => "&".to_string(),
                        "lt" => "<".to_string(),
                        "gt" => ">".to_string(),
                        "quot" => "\"".to_string(),
                        "apos" => "'".to_string(),
                        other => panic!("unknown entity {other}"),
                    },
                };
                nodes[index].text.push_str(&resolved);
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Eof => break,
            Event::Decl(_) => {}
            other => panic!("unexpected event {other:?} in {xml}"),
        }
    }
    assert!(open.is_empty(), "unclosed elements in {xml}");
    nodes
}

/// Text with every character class that could break XML.
fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("<".to_string()),
            Just(">".to_string()),
            Just("&".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("]]>".to_string()),
            Just("<![CDATA[".to_string()),
            Just("</Say><Hangup/>".to_string()),
            Just("&amp;".to_string()),
            Just("\r\n\t".to_string()),
            (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap().to_string()),
            Just("\u{FFFE}\u{FFFF}".to_string()),
            Just("שלום".to_string()),
            "\\PC{0,8}",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        // Saved failures stay beside this file (`twiml_structure.proptest-regressions`).
        // proptest's default looks beside the nearest main.rs instead, and this binary has one.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions"
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn voice_documents_keep_their_structure(text in hostile(), attr in hostile(), name in hostile(), value in hostile()) {
        let xml = VoiceResponse::new()
            .say(Say::new(text.clone()).language(attr.clone()).voice(attr.clone()))
            .play(Play::new(text.clone()))
            .record(Record { action: Some(attr.clone()), finish_on_key: Some(attr.clone()), ..Record::default() })
            .gather(Gather { hints: Some(attr.clone()), prompts: vec![Prompt::Say(Say::new(text.clone()))], ..Gather::default() })
            .connect(Connect { stream: Stream { url: attr.clone(), parameters: vec![(name.clone(), value.clone())], ..Stream::default() }, ..Connect::default() })
            .hangup()
            .to_xml();
        let nodes = parse(&xml);
        let shape: Vec<(&str, usize)> = nodes.iter().map(|n| (n.name.as_str(), n.depth)).collect();
        prop_assert_eq!(shape, vec![
            ("Response", 0), ("Say", 1), ("Play", 1), ("Record", 1), ("Gather", 1), ("Say", 2),
            ("Connect", 1), ("Stream", 2), ("Parameter", 3), ("Hangup", 1),
        ]);
        let (text, attr, name, value) = (xml_safe(&text), xml_safe(&attr), xml_safe(&name), xml_safe(&value));
        prop_assert_eq!(&nodes[1].text, &text);
        prop_assert_eq!(&nodes[1].attributes, &vec![("voice".to_string(), attr.clone()), ("language".to_string(), attr.clone())]);
        prop_assert_eq!(&nodes[2].text, &text);
        prop_assert_eq!(&nodes[3].attributes[0], &("action".to_string(), attr.clone()));
        prop_assert_eq!(&nodes[5].text, &text);
        prop_assert_eq!(&nodes[7].attributes[0], &("url".to_string(), attr.clone()));
        prop_assert_eq!(&nodes[8].attributes, &vec![("name".to_string(), name), ("value".to_string(), value)]);
    }

    #[test]
    fn messaging_documents_keep_their_structure(body in hostile(), to in hostile()) {
        let xml = MessagingResponse::new()
            .message(Message { to: Some(to.clone()), ..Message::new(body.clone()) })
            .to_xml();
        let nodes = parse(&xml);
        prop_assert_eq!(nodes.len(), 2);
        prop_assert_eq!(&nodes[1].name, "Message");
        prop_assert_eq!(&nodes[1].text, &xml_safe(&body));
        prop_assert_eq!(&nodes[1].attributes, &vec![("to".to_string(), xml_safe(&to))]);
    }
}
