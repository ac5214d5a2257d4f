//! The booking settings as a person reads them: hours per weekday, closed dates, services with
//! their durations and buffers, and the grid.

use std::io::Write;

use frontdesk::domain::booking::settings::{BookingSettings, Interval};
use frontdesk::domain::Business;
use jiff::civil::Weekday;

const WEEK: [(Weekday, &str); 7] = [
    (Weekday::Sunday, "Sun"),
    (Weekday::Monday, "Mon"),
    (Weekday::Tuesday, "Tue"),
    (Weekday::Wednesday, "Wed"),
    (Weekday::Thursday, "Thu"),
    (Weekday::Friday, "Fri"),
    (Weekday::Saturday, "Sat"),
];

fn interval(i: &Interval) -> String {
    format!(
        "{:02}:{:02}-{:02}:{:02}",
        i.start.hour(),
        i.start.minute(),
        i.end.hour(),
        i.end.minute()
    )
}

/// The rows of the table: a label and its lines.
fn rows(s: &BookingSettings) -> Vec<(&'static str, Vec<String>)> {
    let hours = WEEK
        .iter()
        .map(|(day, name)| match s.hours.on(*day) {
            [] => format!("{name}  closed"),
            open => {
                let open: Vec<String> = open.iter().map(interval).collect();
                format!("{name}  {}", open.join(", "))
            }
        })
        .collect();
    let closed = if s.closed_dates.is_empty() {
        vec!["none".to_string()]
    } else {
        s.closed_dates.iter().map(ToString::to_string).collect()
    };
    let services = if s.services.is_empty() {
        vec!["none: nothing can be booked".to_string()]
    } else {
        let width = s.services.iter().map(|x| x.id.as_str().len()).max();
        s.services
            .iter()
            .map(|x| {
                format!(
                    "{:w$}  {} / {}, {} min, buffers {} before and {} after",
                    x.id.as_str(),
                    x.name_he,
                    x.name_en,
                    x.duration_minutes,
                    x.buffer_before_minutes,
                    x.buffer_after_minutes,
                    w = width.unwrap_or(0)
                )
            })
            .collect()
    };
    vec![
        ("timezone", vec![s.timezone.clone()]),
        ("hours", hours),
        ("closed dates", closed),
        ("services", services),
        (
            "slot step",
            vec![format!("{} minutes", s.slot_step_minutes)],
        ),
        ("notice", vec![format!("{} minutes", s.min_notice_minutes)]),
        ("days ahead", vec![s.max_days_ahead.to_string()]),
        ("capacity", vec![format!("{} at a time", s.capacity)]),
    ]
}

/// The table, each line starting with `indent`.
pub fn table(s: &BookingSettings, indent: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let rows = rows(s);
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (label, lines) in rows {
        for (i, line) in lines.iter().enumerate() {
            let label = if i == 0 { label } else { "" };
            writeln!(out, "{indent}{label:width$}  {line}")?;
        }
    }
    Ok(())
}

/// The booking part of `business show`.
pub fn for_business(business: &Business, out: &mut dyn Write) -> std::io::Result<()> {
    match &business.booking {
        Some(settings) => {
            writeln!(out, "booking")?;
            table(settings, "  ", out)
        }
        None => writeln!(
            out,
            "booking  (not set: frontdesk booking set {} --help)",
            business.id
        ),
    }
}
