//! The one escaper every TwiML text and attribute value passes through.

/// True for characters XML 1.0 allows in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The one escaper. In attributes, tab, newline and carriage return are written as character
/// references, so attribute-value normalisation cannot turn them into spaces.
pub(super) fn escape_into(out: &mut String, value: &str, attribute: bool) {
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
    use crate::twilio::twiml::{Say, VoiceResponse};

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
}
