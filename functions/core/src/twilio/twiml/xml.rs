//! The XML writer both responses share.

use std::fmt::Write as _;

use super::escape::escape_into;

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// The space-separated value of a list attribute; `None` for an empty list, so it is left out.
pub(super) fn join<'a>(items: impl Iterator<Item = &'a str>) -> Option<String> {
    let joined = items.collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// A minimal XML writer: element names are the callers' constants, so only values need escaping.
pub(super) struct Xml {
    pub(super) out: String,
}

impl Xml {
    pub(super) fn document() -> Self {
        let mut out = String::with_capacity(512);
        out.push_str(DECLARATION);
        Self { out }
    }

    pub(super) fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self
    }

    pub(super) fn attr(&mut self, name: &str, value: &str) -> &mut Self {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
        self
    }

    pub(super) fn attr_opt(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.attr(name, value);
        }
        self
    }

    pub(super) fn attr_num(&mut self, name: &str, value: Option<u32>) -> &mut Self {
        if let Some(value) = value {
            let _ = write!(self.out, " {name}=\"{value}\"");
        }
        self
    }

    pub(super) fn attr_bool(&mut self, name: &str, value: Option<bool>) -> &mut Self {
        self.attr_opt(name, value.map(|v| if v { "true" } else { "false" }))
    }

    pub(super) fn end_open(&mut self) {
        self.out.push('>');
    }

    pub(super) fn empty(&mut self) {
        self.out.push_str("/>");
    }

    pub(super) fn text_and_close(&mut self, name: &str, text: &str) {
        self.out.push('>');
        escape_into(&mut self.out, text, false);
        self.close(name);
    }

    pub(super) fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }
}
