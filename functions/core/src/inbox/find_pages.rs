//! The customers page and the search page (maud; every stored value escaped by the template).
//! Both open with the search form; both page with links, without JavaScript.

use maud::{html, Markup};
use time::OffsetDateTime;

use super::find::{CustomerRow, HitRow, Shown};
use super::pages::{clip, local_time, page, top, Nav};
use super::words::Words;
use crate::domain::{Business, MessageDirection, MessageStatus, StoredMessage};

/// Where the find pages' own links point.
#[derive(Debug)]
pub struct FindLinks {
    /// The search form's action.
    pub search: String,
    /// The next page, when there is one.
    pub older: Option<String>,
    /// A search page that stopped at its read budget: how far back it got.
    pub searched_to: Option<OffsetDateTime>,
}

fn search_form(words: &Words, action: &str, value: &str) -> Markup {
    html! {
        form method="get" action=(action) role="search" style="display:flex;gap:8px;margin:8px 0" {
            input type="search" name="q" value=(value) required minlength="2" maxlength="100"
                aria-label=(words.search_label) placeholder=(words.search_label)
                style="flex:1;min-width:0;font:inherit;padding:8px";
            button type="submit" { (words.search) }
        }
    }
}

/// A message's first words: its text, else a caption, else its kind.
fn message_words(message: &StoredMessage) -> String {
    let Some(content) = &message.content else {
        return String::new();
    };
    content
        .body
        .as_deref()
        .filter(|body| !body.trim().is_empty())
        .or_else(|| content.media.iter().find_map(|m| m.caption.as_deref()))
        .unwrap_or(&content.kind)
        .to_string()
}

/// What a call or message was: the call's outcome and length, the message's way, status
/// (with its error code) and first words.
fn summary(words: &Words, shown: &Shown) -> Markup {
    html! {
        @match shown {
            Shown::Call { call, .. } => {
                span.outcome { (words.outcome(call)) }
                @if let Some(seconds) = call.duration_seconds {
                    span { (seconds) " " (words.seconds) }
                }
            }
            Shown::Message(message) => {
                @match message.direction {
                    Some(MessageDirection::Outbound) => span { (words.message_out) },
                    _ => span { (words.message_in) },
                }
                @if let Some(status) = message.status.filter(|s| *s != MessageStatus::Received).map(|s| words.message_status(s)) {
                    span.status { (status) }
                }
                @if let Some(code) = &message.error_code {
                    span dir="ltr" { (code) }
                }
            }
        }
    }
}

/// The words around the first place `term` (lower case) is in `text`, at most `max`
/// characters, with an ellipsis where cut; the start of `text` when it is not found.
fn around(text: &str, term: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    // Each character lowered on its own, remembering which one each lowered byte came from.
    let mut lowered = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    for (index, c) in chars.iter().enumerate() {
        for lower in c.to_lowercase() {
            lowered.push(lower);
            origin.resize(lowered.len(), index);
        }
    }
    let Some(found) = lowered.find(term).and_then(|at| origin.get(at)) else {
        return clip(text, max);
    };
    let start = found.saturating_sub(max / 3);
    let end = (start + max).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// The business's customers, most recent first, one page of them.
pub fn customers(
    business: &Business,
    rows: &[CustomerRow],
    nav: &Nav,
    find: &FindLinks,
    csrf: &str,
) -> Markup {
    let words = Words::of(business);
    page(
        words,
        &format!("{} · {}", business.name, words.customers),
        html! {
            (top(words, business, nav, csrf))
            main {
                (search_form(words, &find.search, ""))
                h2 { (words.customers) }
                @if rows.is_empty() {
                    p { (words.no_customers) }
                }
                @for row in rows {
                    @let number = row.contact.number.as_str();
                    @let name = row.last.as_ref().and_then(Shown::name);
                    article data-customer=(number) {
                        h2 {
                            a href=(row.timeline_url) {
                                @match name {
                                    Some(name) => (name),
                                    None => span dir="ltr" { (number) },
                                }
                            }
                        }
                        div.meta {
                            @if name.is_some() {
                                span dir="ltr" { (number) }
                            }
                            span { (local_time(business, row.contact.last_at)) }
                            @if let Some(last) = &row.last {
                                (summary(words, last))
                            }
                            @if row.contact.awaiting_reply {
                                span.open { (words.awaiting_reply) }
                            }
                        }
                        @if let Some(Shown::Message(message)) = &row.last {
                            p.transcript dir="auto" { (clip(&message_words(message), 80)) }
                        }
                    }
                }
                @if let Some(older) = &find.older {
                    nav { a href=(older) rel="next" { (words.older_customers) } }
                }
            }
        },
    )
}

/// The calls and messages holding `query`, newest first, one page of them.
pub fn search(
    business: &Business,
    query: &str,
    term: &str,
    rows: &[HitRow],
    nav: &Nav,
    find: &FindLinks,
    csrf: &str,
) -> Markup {
    let words = Words::of(business);
    page(
        words,
        &format!("{} · {}", business.name, words.search_results),
        html! {
            (top(words, business, nav, csrf))
            main {
                (search_form(words, &find.search, query))
                h2 { (words.search_results) }
                @if rows.is_empty() {
                    p { (words.no_results) }
                }
                @for row in rows {
                    @let number = row.number.as_ref().map(|n| n.as_str());
                    @let title = row.shown.name().or(number);
                    article data-hit=(match &row.shown {
                        Shown::Call { call, .. } => call.sid.as_str(),
                        Shown::Message(message) => message.id.as_str(),
                    }) {
                        h2 {
                            a href=(row.url) dir=[(title == number).then_some("ltr")] {
                                (title.unwrap_or(words.unknown_caller))
                            }
                        }
                        div.meta {
                            @if let (Some(number), true) = (number, title != number) {
                                span dir="ltr" { (number) }
                            }
                            span { (local_time(business, row.at)) }
                            (summary(words, &row.shown))
                        }
                        @match &row.shown {
                            Shown::Call { transcript: Some(text), .. } => {
                                p.transcript dir="auto" { (around(text, term, 200)) }
                            }
                            Shown::Message(message) => {
                                p.transcript dir="auto" { (around(&message_words(message), term, 200)) }
                            }
                            _ => {}
                        }
                    }
                }
                @if let Some(older) = &find.older {
                    nav {
                        @if let Some(at) = find.searched_to {
                            span { (words.searched_back_to) " " (local_time(business, at)) ". " }
                            a href=(older) rel="next" { (words.search_further_back) }
                        } @else {
                            a href=(older) rel="next" { (words.older_results) }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_around_a_match_are_shown() {
        let text = format!("{} the CROWN fitting {}", "a".repeat(100), "b".repeat(100));
        let shown = around(&text, "crown", 30);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("the CROWN fitting"), "{shown}");
        assert_eq!(around("short text", "zzz", 5), "short…");
        assert_eq!(around("İstanbul crown", "crown", 50), "İstanbul crown");
    }
}
