//! A customer's page: who they are to the business (blocked or not), what the owner can do
//! (reply on WhatsApp, call back, block), their upcoming appointments, and the timeline, newest
//! first. Every value a customer, a provider or the store supplied is escaped by the template.

use maud::{html, Markup};

use super::customer::{Entry, Notice, Timeline};
use super::pages::{call_card, local_instant, local_time, page, top, Nav};
use super::reply::{Reply, MAX_REPLY_CHARS};
use super::words::Words;
use crate::domain::{
    Appointment, Business, FormKey, MessageContent, MessageDirection, PhoneNumber, StoredMessage,
};

/// Where the page's forms and links point.
#[derive(Debug)]
pub struct Urls {
    pub reply: String,
    pub call: String,
    pub block: String,
    /// The next page of the timeline, when there is one.
    pub older: Option<String>,
}

/// Everything a customer's page shows.
#[derive(Debug)]
pub struct CustomerView<'a> {
    pub number: &'a PhoneNumber,
    pub timeline: &'a Timeline,
    /// The customer's booked appointments still ahead (the first page only).
    pub upcoming: &'a [Appointment],
    pub reply: Reply<'a>,
    pub notice: Option<Notice>,
    pub urls: &'a Urls,
    /// Each action form's one-time key, fresh for this page.
    pub reply_key: &'a FormKey,
    pub call_key: &'a FormKey,
}

/// The customer's page.
pub fn customer(business: &Business, view: &CustomerView<'_>, nav: &Nav, csrf: &str) -> Markup {
    let words = Words::of(business);
    let blocked = business.blocked_numbers.contains(view.number);
    page(
        words,
        &format!("{} · {}", business.name, view.number),
        html! {
            (top(words, business, nav, csrf))
            main {
                nav { a href=(nav.customers) { (words.back_to_customers) } }
                article.customer data-customer=(view.number) {
                    h2 {
                        span dir="ltr" { (view.number) }
                        @if blocked { " " span.blocked { (words.blocked) } }
                    }
                    @if let Some(notice) = view.notice {
                        p.notice role="status" { (notice.text(words)) }
                    }
                    (reply_form(words, business, view, csrf))
                    (call_form(words, business, view, csrf))
                    form.block method="post" action=(view.urls.block) {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="blocked" value=(if blocked { "false" } else { "true" });
                        button type="submit" { (if blocked { words.unblock } else { words.block }) }
                    }
                    @if blocked { p.meta { (words.blocked_note) } }
                }
                @if !view.upcoming.is_empty() {
                    article.upcoming {
                        h2 { (words.upcoming_appointments) }
                        @for appointment in view.upcoming {
                            div.meta {
                                span { (local_instant(&appointment.timezone, appointment.slot.start)) }
                                span { (service_name(business, appointment)) }
                            }
                        }
                    }
                }
                @if view.timeline.entries.is_empty() && view.urls.older.is_none() {
                    p { (words.no_activity) }
                }
                @for entry in &view.timeline.entries {
                    @match entry {
                        Entry::Call(call) => (call_card(words, business, call, csrf, false)),
                        Entry::Message(message) => (message_card(words, business, message)),
                        Entry::Appointment(appointment) => (appointment_card(words, business, appointment)),
                    }
                }
                @if let Some(older) = &view.urls.older {
                    nav { a href=(older) rel="next" { (words.older_activity) } }
                }
            }
        },
    )
}

fn reply_form(words: &Words, business: &Business, view: &CustomerView<'_>, csrf: &str) -> Markup {
    html! {
        @match view.reply {
            Reply::Closed => p.reply-closed {
                (words.reply_closed) " "
                code dir="ltr" { "frontdesk inbox reply-template " (business.id) " --twilio-content-sid HX…" }
            },
            Reply::Free | Reply::Template(_) => form.block method="post" action=(view.urls.reply) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="key" value=(view.reply_key);
                label for="reply-body" { (words.reply_heading) }
                @if matches!(view.reply, Reply::Template(_)) {
                    p.meta { (words.reply_in_template) }
                }
                textarea #reply-body name="body" required maxlength=(MAX_REPLY_CHARS) {}
                button type="submit" { (words.send) }
            },
        }
    }
}

fn call_form(words: &Words, business: &Business, view: &CustomerView<'_>, csrf: &str) -> Markup {
    html! {
        @if business.owner_phone.is_some() {
            form.block method="post" action=(view.urls.call) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="key" value=(view.call_key);
                button type="submit" { (words.call_back) }
                " "
                span.meta { (words.call_back_hint) }
            }
        } @else {
            p.no-owner-phone {
                (words.no_owner_phone) " "
                code dir="ltr" { "frontdesk business update " (business.id) " --owner-phone +972…" }
            }
        }
    }
}

fn message_card(words: &Words, business: &Business, message: &StoredMessage) -> Markup {
    let inbound = message.direction == Some(MessageDirection::Inbound);
    let content = message.content.as_ref();
    html! {
        article data-message=(message.id) {
            h2 {
                (if inbound { words.whatsapp_from_customer } else { words.whatsapp_to_customer })
            }
            div.meta {
                @if let Some(at) = message.created_at {
                    span { (local_time(business, at)) }
                }
                @if let Some(name) = content.and_then(|c| c.profile_name.as_deref()) {
                    span { (name) }
                }
                @if let Some(status) = message.status.filter(|_| !inbound) {
                    @if status.is_terminal() {
                        span.status.failed { (words.message_status(status)) }
                    } @else {
                        span.status { (words.message_status(status)) }
                    }
                }
                @if content.is_some_and(|c| c.kind == "template") {
                    span { (words.template) }
                }
                @if message.error_code.is_some() || message.error_message.is_some() {
                    span.failed {
                        (words.error) ": "
                        @if let Some(code) = &message.error_code { (code) " " }
                        @if let Some(text) = &message.error_message { (text) }
                    }
                }
            }
            @if let Some(text) = content.and_then(shown_text) {
                p.text dir="auto" { (text) }
            } @else if let Some(content) = content {
                p.meta { "[" (content.kind) "]" }
            }
        }
    }
}

/// What a message said, as the owner reads it: its text, a media item's caption, or a
/// template's variables (the words that filled it).
fn shown_text(content: &MessageContent) -> Option<String> {
    if content.kind == "template" {
        let raw = &content.raw;
        let words: Vec<&str> = match (raw["content"]["variables"].as_object(), &raw["template"]) {
            (Some(variables), _) => variables.values().filter_map(|v| v.as_str()).collect(),
            (None, template) => template["components"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|c| c["parameters"].as_array().into_iter().flatten())
                .filter_map(|p| p["text"].as_str())
                .collect(),
        };
        if !words.is_empty() {
            return Some(words.join(" · "));
        }
    }
    content
        .body
        .clone()
        .filter(|body| !body.trim().is_empty())
        .or_else(|| content.media.iter().find_map(|m| m.caption.clone()))
}

fn service_name<'a>(business: &'a Business, appointment: &'a Appointment) -> &'a str {
    business
        .booking
        .as_ref()
        .and_then(|settings| settings.service(&appointment.service))
        .map_or(appointment.service.as_str(), |service| {
            service.name(&business.language)
        })
}

fn appointment_card(words: &Words, business: &Business, appointment: &Appointment) -> Markup {
    let ahead = appointment.slot.start > jiff::Timestamp::now();
    html! {
        article data-appointment=(appointment.id) {
            h2 { (words.appointment) " · " (service_name(business, appointment)) }
            div.meta {
                span { (local_instant(&appointment.timezone, appointment.slot.start)) }
                span.status { (words.appointment_status(appointment.status)) }
                span { (if ahead { words.upcoming } else { words.past }) }
                span { (words.booked_at) " " (local_instant(&appointment.timezone, appointment.created_at)) }
            }
            @if let Some(name) = &appointment.name {
                p.meta { (name) }
            }
        }
    }
}
