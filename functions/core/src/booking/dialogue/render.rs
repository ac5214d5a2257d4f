//! A reply as the provider sends it: numbered text through Twilio; through Meta, reply
//! buttons for up to three options whose titles fit a button, else a list.

use super::state::{Menu, Reply};
use super::words::plain;
use crate::domain::Provider;
use crate::whatsapp::interactive::{Buttons, Choice, List, MAX_BUTTONS, MAX_ROWS};
use crate::whatsapp::send::OutboundBody;

/// The longest title a reply button shows.
const BUTTON_TITLE: usize = 20;

pub fn body(reply: &Reply, provider: Provider) -> OutboundBody {
    match provider {
        Provider::Twilio => OutboundBody::Text(text(reply)),
        Provider::Meta => interactive(reply).unwrap_or_else(|| OutboundBody::Text(text(reply))),
    }
}

/// The reply as plain text: its options numbered, one a line, and how to answer them.
pub fn text(reply: &Reply) -> String {
    match reply.menu {
        Menu::None | Menu::Confirm => reply.text.clone(),
        Menu::Numbered { times } => {
            let mut text = reply.text.clone();
            for (i, option) in reply.options.iter().enumerate() {
                text.push_str(&format!("\n{}. {}", i + 1, option.line));
            }
            text.push('\n');
            text.push_str(plain::text_hint(reply.lang, times));
            text
        }
    }
}

/// Buttons or a list, when the reply has options Meta can show.
fn interactive(reply: &Reply) -> Option<OutboundBody> {
    if reply.menu == Menu::None || reply.options.is_empty() || reply.options.len() > MAX_ROWS {
        return None;
    }
    let footer = match reply.menu {
        Menu::Numbered { times: true } => Some(plain::times_footer(reply.lang)),
        _ => None,
    };
    let fits_buttons = reply.options.len() <= MAX_BUTTONS
        && reply
            .options
            .iter()
            .all(|o| o.title.chars().count() <= BUTTON_TITLE);
    if fits_buttons {
        let choices: Vec<Choice> = reply
            .options
            .iter()
            .map(|o| Choice::new(&o.id, &o.title))
            .collect();
        return Some(OutboundBody::Buttons(Buttons::new(
            &reply.text,
            footer,
            &choices,
        )));
    }
    let rows: Vec<Choice> = reply
        .options
        .iter()
        .map(|o| {
            let row = Choice::new(&o.id, &o.title);
            if o.line == o.title {
                row
            } else {
                row.described(&o.line)
            }
        })
        .collect();
    Some(OutboundBody::List(List::new(
        &reply.text,
        footer,
        plain::list_button(reply.lang),
        &rows,
    )))
}
