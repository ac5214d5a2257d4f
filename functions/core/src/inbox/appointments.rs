//! The week's appointments as the owner reads them: seven days from a date in the business's
//! zone, by start, each with its service, customer, how it was booked and its status, and a
//! cancel button while it is booked and has not started.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use maud::{html, Markup};

use super::pages::{page, top, Nav};
use super::words::Words;
use crate::domain::{Appointment, AppointmentStatus, Business, FormKey};
use crate::http::form::FormParams;

/// Seven days from `first`, midnight to midnight in the business's zone.
#[derive(Clone, Debug)]
pub struct Week {
    pub first: Date,
    zone: TimeZone,
}

impl Week {
    /// The business's zone (UTC when its name is not one the time zone database knows).
    pub fn zone_of(business: &Business) -> TimeZone {
        TimeZone::get(&business.timezone).unwrap_or(TimeZone::UTC)
    }

    pub fn starting(first: Date, zone: TimeZone) -> Self {
        Self { first, zone }
    }

    /// The week from today, where the business is.
    pub fn from_today(zone: TimeZone, now: Timestamp) -> Self {
        let first = now.to_zoned(zone.clone()).date();
        Self { first, zone }
    }

    /// `[first day's midnight, the eighth day's midnight)`.
    pub fn range(&self) -> Result<(Timestamp, Timestamp), jiff::Error> {
        let start = self.first.to_zoned(self.zone.clone())?.timestamp();
        let end = self
            .first
            .checked_add(7.days())?
            .to_zoned(self.zone.clone())?
            .timestamp();
        Ok((start, end))
    }

    pub fn previous(&self) -> Option<Date> {
        self.first.checked_sub(7.days()).ok()
    }

    pub fn next(&self) -> Option<Date> {
        self.first.checked_add(7.days()).ok()
    }

    /// The local date an instant falls on.
    fn date_of(&self, at: Timestamp) -> Date {
        at.to_zoned(self.zone.clone()).date()
    }

    fn clock(&self, at: Timestamp) -> String {
        at.to_zoned(self.zone.clone()).strftime("%H:%M").to_string()
    }
}

/// The query's `from` (a `YYYY-MM-DD` date, the week's first day), or the one-line reason it
/// is not one.
pub fn week_start(params: &FormParams) -> Result<Option<Date>, String> {
    params
        .non_empty("from")
        .map(|raw| {
            raw.parse::<Date>()
                .map_err(|_| format!("from `{raw}` is not a date (YYYY-MM-DD)"))
        })
        .transpose()
}

/// One appointment as the page shows it.
#[derive(Debug)]
pub struct AppointmentView {
    pub appointment: Appointment,
    /// The service's name in the business's language (its id when the service is gone).
    pub service: String,
    /// Where its cancel form posts; `None` once it cannot be cancelled.
    pub cancel_url: Option<String>,
}

impl AppointmentView {
    /// `cancel_url` is kept only while the appointment is booked and has not started.
    pub fn new(
        business: &Business,
        appointment: Appointment,
        cancel_url: String,
        now: Timestamp,
    ) -> Self {
        let hebrew = Words::of(business).lang == "he";
        let service = business
            .booking
            .as_ref()
            .and_then(|settings| {
                settings
                    .services
                    .iter()
                    .find(|s| s.id == appointment.service)
            })
            .map(|s| if hebrew { &s.name_he } else { &s.name_en })
            .cloned()
            .unwrap_or_else(|| appointment.service.to_string());
        let cancellable =
            appointment.status == AppointmentStatus::Booked && appointment.slot.start > now;
        Self {
            service,
            cancel_url: cancellable.then_some(cancel_url),
            appointment,
        }
    }
}

/// The week page's own links.
#[derive(Debug)]
pub struct WeekLinks {
    pub previous: Option<String>,
    pub this_week: String,
    pub next: Option<String>,
    /// The rest of this week, when a page did not hold it all.
    pub more: Option<String>,
}

/// What the page says above the list: why a cancel did not happen.
pub type Notice = Option<&'static str>;

#[allow(clippy::too_many_arguments)]
pub fn week_page(
    business: &Business,
    week: &Week,
    views: &[AppointmentView],
    nav: &Nav,
    links: &WeekLinks,
    csrf: &str,
    form_key: &FormKey,
    notice: Notice,
) -> Markup {
    let words = Words::of(business);
    let mut days: Vec<(Date, Vec<&AppointmentView>)> = Vec::new();
    for view in views {
        let day = week.date_of(view.appointment.slot.start);
        match days.last_mut() {
            Some((last, list)) if *last == day => list.push(view),
            _ => days.push((day, vec![view])),
        }
    }
    page(
        words,
        &format!("{} · {}", business.name, words.appointments),
        html! {
            (top(words, business, nav, csrf))
            main {
                nav {
                    @if let Some(previous) = &links.previous {
                        a href=(previous) rel="prev" { (words.previous_week) }
                        " · "
                    }
                    a href=(links.this_week) { (words.this_week) }
                    @if let Some(next) = &links.next {
                        " · "
                        a href=(next) rel="next" { (words.next_week) }
                    }
                }
                @if business.booking.is_none() {
                    p.notice { (words.booking_not_set_up) }
                }
                @if let Some(notice) = notice {
                    p.notice role="status" { (notice) }
                }
                @if views.is_empty() {
                    p { (words.no_appointments) }
                }
                @for (day, list) in &days {
                    h2.day { (words.days[day.weekday().to_sunday_zero_offset() as usize]) " " (day.strftime("%d.%m")) }
                    @for view in list {
                        (appointment_card(words, week, view, csrf, form_key))
                    }
                }
                @if let Some(more) = &links.more {
                    nav { a href=(more) { (words.more_appointments) } }
                }
            }
        },
    )
}

fn appointment_card(
    words: &Words,
    week: &Week,
    view: &AppointmentView,
    csrf: &str,
    form_key: &FormKey,
) -> Markup {
    let appointment = &view.appointment;
    let cancelled = appointment.status == AppointmentStatus::Cancelled;
    html! {
        article data-appointment=(appointment.id.as_str()) class=[cancelled.then_some("cancelled")] {
            h3 {
                span dir="ltr" { (week.clock(appointment.slot.start)) "–" (week.clock(appointment.slot.end)) }
                " · " (view.service)
            }
            div.meta {
                @if let Some(name) = appointment.name.as_deref().filter(|n| !n.trim().is_empty()) {
                    span { (name) }
                }
                span dir="ltr" { (appointment.phone.as_str()) }
                span { (words.channel(appointment.channel)) }
                span.status { (words.appointment_status(appointment.status)) }
            }
            @if let Some(url) = &view.cancel_url {
                form method="post" action=(url) {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="key" value=(form_key.as_str());
                    input type="hidden" name="from" value=(week.first.to_string());
                    button type="submit" { (words.cancel_appointment) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_is_seven_local_days_across_a_clock_change() {
        // Israel leaves summer time on Sunday 25 October 2026: the week is 7 days and one hour.
        let zone = TimeZone::get("Asia/Jerusalem").unwrap();
        let week = Week::starting(jiff::civil::date(2026, 10, 22), zone);
        let (start, end) = week.range().unwrap();
        assert_eq!(start.to_string(), "2026-10-21T21:00:00Z");
        assert_eq!(end.to_string(), "2026-10-28T22:00:00Z");
        assert_eq!(week.previous(), Some(jiff::civil::date(2026, 10, 15)));
        assert_eq!(week.next(), Some(jiff::civil::date(2026, 10, 29)));
    }

    #[test]
    fn the_week_start_is_a_date_or_a_reason() {
        let start = |query: &str| week_start(&crate::http::form::parse(query.as_bytes()).unwrap());
        assert_eq!(
            start("from=2026-12-03"),
            Ok(Some(jiff::civil::date(2026, 12, 3)))
        );
        assert_eq!(start(""), Ok(None));
        assert_eq!(
            start("from=next-week"),
            Err("from `next-week` is not a date (YYYY-MM-DD)".to_string())
        );
    }
}
