//! The inbox's HTML, server-rendered with maud: every value a caller or the store supplied is
//! escaped by the template, never pasted. Pages work without JavaScript, read right to left in
//! Hebrew, and fit a 360 px wide phone (the inline CSS below is the whole style sheet).

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::words::Words;
use crate::domain::{Business, Call, PhoneNumber};

/// The style sheet, inline: a page is one request.
const CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.4 system-ui,sans-serif;color:#1b1b1b;background:#f6f6f4}\
header{display:flex;justify-content:space-between;align-items:center;gap:8px;padding:12px 16px;background:#fff;border-bottom:1px solid #ddd}\
h1{font-size:1.15rem;margin:0;overflow-wrap:anywhere}\
main{max-width:720px;margin:0 auto;padding:8px}\
article{background:#fff;border:1px solid #ddd;border-radius:8px;padding:12px;margin:8px 0}\
article h2{font-size:1rem;margin:0 0 4px;overflow-wrap:anywhere}\
.meta{color:#555;font-size:.9rem;display:flex;flex-wrap:wrap;gap:4px 12px}\
.transcript{white-space:pre-wrap;overflow-wrap:anywhere;margin:8px 0}\
audio{width:100%;margin:8px 0}\
.handled{color:#1d6b2f}.open{color:#9a3b00;font-weight:600}.urgent{color:#fff;background:#b00020;padding:0 .4em;border-radius:.3em}.summary{font-weight:600}\
button{font:inherit;padding:8px 12px;border:1px solid #888;border-radius:6px;background:#fff}\
form{display:inline}\
form.block{display:block;margin:8px 0}\
textarea{display:block;width:100%;min-height:5em;margin:4px 0;font:inherit;padding:8px;border:1px solid #888;border-radius:6px}\
.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:8px 0}\
.notice{background:#fff8e1;border:1px solid #e0c060;border-radius:8px;padding:8px 12px}\
.blocked,.failed{color:#9a3b00;font-weight:600}\
code{overflow-wrap:anywhere}\
a{color:#0645ad}\
nav{padding:8px 0}\
article.fresh{border-color:#1d6b2f;box-shadow:0 0 0 2px #cfe8d5}\
nav.sections{display:flex;flex-wrap:wrap;gap:4px 16px;padding:8px 16px;background:#fff;border-bottom:1px solid #ddd}\
[aria-current=page]{font-weight:600;color:#1b1b1b;text-decoration:none}";

/// What one call shows: the call, its transcript and a short-lived link to its recording.
#[derive(Debug)]
pub struct CallView {
    pub call: Call,
    pub transcript: Option<String>,
    /// What Frontdesk made of the call: its summary, urgency, why it was screened.
    pub triage: Option<crate::domain::Triage>,
    pub recording_url: Option<String>,
    /// Where the call's own page is, and where its handled flag is posted.
    pub page_url: String,
    pub handled_url: String,
    /// The page showing the call (its path and query), where marking it returns to.
    pub back: String,
    /// The customer on the call (the caller, or whom the business called) and their timeline.
    pub customer: Option<(String, PhoneNumber)>,
}

/// The inbox's sections, for the header's links.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Calls,
    Customers,
    Appointments,
}

/// The header every signed-in page has: where each section and signing out are, as this
/// request reached the deployment, and which section the page is.
#[derive(Debug)]
pub struct Nav {
    pub calls: String,
    pub customers: String,
    pub appointments: String,
    pub logout: String,
    pub current: Section,
}

/// Where the calls page's own links point.
#[derive(Debug)]
pub struct Links {
    /// The next page of calls, when there is one.
    pub older: Option<String>,
    /// The calls still needing a call back, and whether this page shows only those.
    pub open: String,
    pub only_open: bool,
    /// Where the page asks for calls newer than its newest, and the script that asks (the
    /// first page only: older pages stay as they are).
    pub updates: Option<Updates>,
}

/// The live list's two URLs.
#[derive(Debug)]
pub struct Updates {
    pub url: String,
    pub script: String,
}

pub(crate) fn page(words: &Words, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(words.lang) dir=(words.dir) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body { (body) }
        }
    }
}

pub(crate) fn top(words: &Words, business: &Business, nav: &Nav, csrf: &str) -> Markup {
    let current = |section: Section| (nav.current == section).then_some("page");
    html! {
        header {
            h1 { (business.name) }
            form method="post" action=(nav.logout) {
                input type="hidden" name="csrf" value=(csrf);
                button type="submit" { (words.sign_out) }
            }
        }
        nav.sections {
            a href=(nav.calls) aria-current=[current(Section::Calls)] { (words.calls) }
            a href=(nav.customers) aria-current=[current(Section::Customers)] { (words.customers) }
            a href=(nav.appointments) aria-current=[current(Section::Appointments)] { (words.appointments) }
        }
    }
}

pub(crate) fn local_time(business: &Business, at: time::OffsetDateTime) -> String {
    match crate::domain::time::instant(at) {
        Some(instant) => local_instant(&business.timezone, instant),
        None => String::new(),
    }
}

/// `at` as `YYYY-MM-DD HH:MM` in the IANA zone `timezone` (UTC when it is not one).
pub(crate) fn local_instant(timezone: &str, at: jiff::Timestamp) -> String {
    let zone = jiff::tz::TimeZone::get(timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    at.to_zoned(zone).strftime("%Y-%m-%d %H:%M").to_string()
}

pub(crate) fn call_card(
    words: &Words,
    business: &Business,
    view: &CallView,
    csrf: &str,
    full: bool,
) -> Markup {
    let call = &view.call;
    let caller = call
        .caller_name
        .as_deref()
        .filter(|name| !name.trim().is_empty())
        .or(call.from.as_deref())
        .unwrap_or(words.unknown_caller);
    html! {
        article data-call=(call.sid.as_str()) {
            // A name or number in its own direction, whatever the page's (`+972…` stays whole).
            h2 { a href=(view.page_url) { bdi { (caller) } } }
            div.meta {
                @if let Some((url, number)) = &view.customer {
                    a.customer href=(url) dir="ltr" { (number) }
                } @else if let Some(from) = call.from.as_deref().filter(|from| Some(*from) != call.caller_name.as_deref()) {
                    span dir="ltr" { (from) }
                }
                @if let Some(started) = call.started_at {
                    span { (local_time(business, started)) }
                }
                span.outcome { (words.outcome(call)) }
                @if let Some(seconds) = call.duration_seconds {
                    span { (seconds) " " (words.seconds) }
                }
                @if call.handled {
                    span.handled { (words.handled) }
                } @else {
                    span.open { (words.needs_call_back) }
                }
                @if view.triage.as_ref().is_some_and(|t| t.urgency == crate::domain::Urgency::High) {
                    span.urgent { (words.urgent) }
                }
            }
            @if let Some(triage) = &view.triage {
                @if let Some(summary) = &triage.summary {
                    p.summary dir="auto" { (summary) }
                }
                @if let Some(reason) = &triage.spam {
                    p.meta { (words.screened) ": " bdi { (reason) } }
                }
            }
            @if let Some(url) = &view.recording_url {
                audio controls preload="none" src=(url) {}
            }
            @match view.transcript.as_deref() {
                Some(text) if full => p.transcript dir="auto" { (text) },
                Some(text) => p.transcript dir="auto" { (clip(text, 280)) },
                None if full => p.meta { (words.no_transcript) },
                None => {},
            }
            form method="post" action=(view.handled_url) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="back" value=(view.back);
                @if call.handled {
                    input type="hidden" name="handled" value="false";
                    button type="submit" { (words.mark_needs_call_back) }
                } @else {
                    input type="hidden" name="handled" value="true";
                    button type="submit" { (words.mark_handled) }
                }
            }
        }
    }
}

/// The first `max` characters of `text`, with an ellipsis when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The calls, newest first, one page of them.
pub fn calls(
    business: &Business,
    views: &[CallView],
    nav: &Nav,
    links: &Links,
    csrf: &str,
) -> Markup {
    let words = Words::of(business);
    page(
        words,
        &format!("{} · {}", business.name, words.inbox),
        html! {
            (top(words, business, nav, csrf))
            main {
                nav {
                    a href=(nav.calls) aria-current=[(!links.only_open).then_some("page")] { (words.all_calls) }
                    " · "
                    a href=(links.open) aria-current=[links.only_open.then_some("page")] { (words.only_open) }
                }
                div.calls data-updates=[links.updates.as_ref().map(|u| &u.url)] {
                    @if views.is_empty() {
                        p data-empty { (words.no_calls) }
                    }
                    (call_cards(business, views, csrf))
                }
                @if let Some(older) = &links.older {
                    nav { a href=(older) rel="next" { (words.older) } }
                }
            }
            @if let Some(updates) = &links.updates {
                script src=(updates.script) defer {}
            }
        },
    )
}

/// Call cards alone: a page's list, and the live list's update.
pub fn call_cards(business: &Business, views: &[CallView], csrf: &str) -> Markup {
    let words = Words::of(business);
    html! {
        @for view in views {
            (call_card(words, business, view, csrf, false))
        }
    }
}

/// One call, with its whole transcript.
pub fn call(business: &Business, view: &CallView, nav: &Nav, csrf: &str) -> Markup {
    let words = Words::of(business);
    page(
        words,
        &format!("{} · {}", business.name, words.inbox),
        html! {
            (top(words, business, nav, csrf))
            main {
                nav { a href=(nav.calls) { (words.back) } }
                (call_card(words, business, view, csrf, true))
            }
        },
    )
}

/// Signed in: the page goes on to the calls at once (a refresh, so the browser sends the new
/// SameSite=Strict cookie), with a link for a browser that does not refresh.
pub fn signing_in(words: &Words, inbox: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(words.lang) dir=(words.dir) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="refresh" content=(format!("0; url={inbox}"));
                title { (words.inbox) }
            }
            body { main { p { a href=(inbox) { (words.inbox) } } } }
        }
    }
}

/// The page for a visitor who is not (or no longer) signed in.
pub fn signed_out(words: &Words) -> Markup {
    page(
        words,
        words.signed_out_title,
        html! {
            main {
                h1 { (words.signed_out_title) }
                p { (words.signed_out_text) }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_card_shows_its_summary_urgency_and_why_it_was_screened() {
        use crate::domain::{BusinessId, CallSid, CallStatus, Direction, Triage, TriageSource};
        let business = Business::new(BusinessId::parse("demo").unwrap(), "Demo");
        let triage = Triage {
            summary: Some("דנה <b>מבקשת</b> תור".into()),
            intent: None,
            urgency: crate::domain::Urgency::High,
            callback: None,
            source: TriageSource::Model,
            reasons: vec![],
            spam: Some("line type: nonFixedVoip".into()),
            caller_name: None,
            line_type: None,
        };
        let call = Call {
            sid: CallSid::parse("CA1").unwrap(),
            business_id: Some(business.id.clone()),
            from: Some("+972501234567".into()),
            to: Some("+97233334444".into()),
            direction: Direction::Inbound,
            caller_name: None,
            status: CallStatus::Completed,
            status_sequence: None,
            started_at: None,
            ended_at: None,
            duration_seconds: None,
            recording: None,
            recording_status: None,
            transcription: None,
            transcription_queued_at: None,
            gathered_digits: None,
            purpose: None,
            requested_by: None,
            answered_by: None,
            handled: false,
            appointment_id: None,
        };
        let view = CallView {
            call,
            transcript: None,
            triage: Some(triage),
            recording_url: None,
            page_url: "/inbox/calls/CA1".into(),
            handled_url: "/inbox/calls/CA1/handled".into(),
            back: "/inbox".into(),
            customer: None,
        };
        let html = call_card(Words::of(&business), &business, &view, "t", false).into_string();
        assert!(
            html.contains(r#"<span class="urgent">דחוף</span>"#),
            "{html}"
        );
        assert!(
            html.contains("דנה &lt;b&gt;מבקשת&lt;/b&gt; תור"),
            "escaped: {html}"
        );
        assert!(
            html.contains("סונן כספאם: <bdi>line type: nonFixedVoip</bdi>"),
            "{html}"
        );
    }

    #[test]
    fn clipping_counts_characters_not_bytes() {
        assert_eq!(clip("שלום עולם", 4), "שלום…");
        assert_eq!(clip("short", 10), "short");
    }
}
