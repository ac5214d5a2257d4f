//! Meta's interactive messages: reply buttons (at most 3) and a list (at most 10 rows). Built
//! through [`Buttons::new`] and [`List::new`], which keep every text within the Cloud API's
//! limits (longer text is cut with `…`, extra options dropped), so the Graph API never refuses
//! one for its length. Each option carries an id the customer's reply comes back with
//! (`interactive.button_reply.id` / `list_reply.id`).

use serde_json::{json, Value};

/// The Cloud API's limits, in characters.
pub const MAX_BUTTONS: usize = 3;
pub const MAX_ROWS: usize = 10;
const BODY_CHARS: usize = 1024;
const FOOTER_CHARS: usize = 60;
const BUTTON_TITLE_CHARS: usize = 20;
const BUTTON_ID_CHARS: usize = 256;
const ROW_TITLE_CHARS: usize = 24;
const ROW_DESCRIPTION_CHARS: usize = 72;
const ROW_ID_CHARS: usize = 200;
const LIST_BUTTON_CHARS: usize = 20;

/// One option: the id a reply carries back, what it shows, and (list rows only) a second line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

impl Choice {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            description: None,
        }
    }

    pub fn described(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// Reply buttons: a body and one to three buttons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buttons {
    pub body: String,
    pub footer: Option<String>,
    pub buttons: Vec<Choice>,
}

impl Buttons {
    /// Within the limits: the first three options, titles of at most 20 characters, no
    /// descriptions (buttons have none).
    pub fn new(body: &str, footer: Option<&str>, options: &[Choice]) -> Self {
        Self {
            body: clip(body, BODY_CHARS),
            footer: footer.map(|f| clip(f, FOOTER_CHARS)),
            buttons: options
                .iter()
                .take(MAX_BUTTONS)
                .map(|c| Choice {
                    id: clip_id(&c.id, BUTTON_ID_CHARS),
                    title: clip(&c.title, BUTTON_TITLE_CHARS),
                    description: None,
                })
                .collect(),
        }
    }

    /// The Graph API's `interactive` object.
    pub fn meta_json(&self) -> Value {
        let buttons: Vec<Value> = self
            .buttons
            .iter()
            .map(|b| json!({ "type": "reply", "reply": { "id": b.id, "title": b.title } }))
            .collect();
        with_footer(
            json!({ "type": "button", "body": { "text": self.body }, "action": { "buttons": buttons } }),
            self.footer.as_deref(),
        )
    }
}

/// A list: a body, the label of the button that opens it, and one to ten rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List {
    pub body: String,
    pub footer: Option<String>,
    pub button: String,
    pub rows: Vec<Choice>,
}

impl List {
    /// Within the limits: the first ten options, titles of at most 24 characters,
    /// descriptions of at most 72, a button label of at most 20.
    pub fn new(body: &str, footer: Option<&str>, button: &str, options: &[Choice]) -> Self {
        Self {
            body: clip(body, BODY_CHARS),
            footer: footer.map(|f| clip(f, FOOTER_CHARS)),
            button: clip(button, LIST_BUTTON_CHARS),
            rows: options
                .iter()
                .take(MAX_ROWS)
                .map(|c| Choice {
                    id: clip_id(&c.id, ROW_ID_CHARS),
                    title: clip(&c.title, ROW_TITLE_CHARS),
                    description: c
                        .description
                        .as_deref()
                        .map(|d| clip(d, ROW_DESCRIPTION_CHARS)),
                })
                .collect(),
        }
    }

    /// The Graph API's `interactive` object: one section holding every row.
    pub fn meta_json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let mut row = json!({ "id": r.id, "title": r.title });
                if let Some(description) = &r.description {
                    row["description"] = description.as_str().into();
                }
                row
            })
            .collect();
        with_footer(
            json!({ "type": "list", "body": { "text": self.body },
                    "action": { "button": self.button, "sections": [{ "rows": rows }] } }),
            self.footer.as_deref(),
        )
    }
}

fn with_footer(mut interactive: Value, footer: Option<&str>) -> Value {
    if let Some(footer) = footer.filter(|f| !f.is_empty()) {
        interactive["footer"] = json!({ "text": footer });
    }
    interactive
}

/// `text` in at most `max` characters, cut with `…` when longer.
pub fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Ids are matched exactly, so they are cut without a mark (ours are far shorter).
fn clip_id(id: &str, max: usize) -> String {
    id.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(n: usize) -> Vec<Choice> {
        (1..=n)
            .map(|i| {
                Choice::new(format!("{i}@7"), format!("יום שלישי, 24 בנובמבר, 1{i}:00")).described(
                    "a description that is rather longer than seventy-two characters, as some are",
                )
            })
            .collect()
    }

    #[test]
    fn buttons_keep_three_options_and_twenty_character_titles() {
        let buttons = Buttons::new("Free times:", Some("Or write a day"), &options(5));
        assert_eq!(buttons.buttons.len(), 3);
        for b in &buttons.buttons {
            assert!(b.title.chars().count() <= 20, "{}", b.title);
            assert!(b.title.ends_with('…'));
            assert_eq!(b.description, None);
        }
        let json = buttons.meta_json();
        assert_eq!(json["type"], "button");
        assert_eq!(json["body"]["text"], "Free times:");
        assert_eq!(json["footer"]["text"], "Or write a day");
        assert_eq!(json["action"]["buttons"][1]["type"], "reply");
        assert_eq!(json["action"]["buttons"][1]["reply"]["id"], "2@7");
    }

    #[test]
    fn lists_keep_ten_rows_within_their_limits() {
        let list = List::new(
            &"x".repeat(2000),
            None,
            "Choose an appointment time",
            &options(12),
        );
        assert_eq!(list.rows.len(), 10);
        assert_eq!(list.body.chars().count(), 1024);
        assert!(list.button.chars().count() <= 20);
        for row in &list.rows {
            assert!(row.title.chars().count() <= 24);
            assert!(row.description.as_ref().unwrap().chars().count() <= 72);
        }
        let json = list.meta_json();
        assert_eq!(json["type"], "list");
        assert!(json.get("footer").is_none());
        assert_eq!(
            json["action"]["sections"][0]["rows"]
                .as_array()
                .unwrap()
                .len(),
            10
        );
        assert_eq!(json["action"]["sections"][0]["rows"][0]["id"], "1@7");
    }

    #[test]
    fn short_text_is_kept_as_it_is() {
        assert_eq!(clip(" Tue 24 Nov, 15:00 ", 20), "Tue 24 Nov, 15:00");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
