//! Booking, for a business that books (call goal `appointment` or calendar scheduling on):
//! settings present and valid, hours, a service, a free slot within a week, and where the
//! appointment events go. A business that does not book gets none of these checks.

use frontdesk::domain::booking::settings::BookingSettings;
use frontdesk::domain::{Business, CallGoal};
use frontdesk::worker::notify;
use jiff::civil::Date;
use jiff::Timestamp;

use super::report::{fail, pass, warn, Check};
use super::Doctor;
use crate::booking::{example_set, local};
use crate::CliError;

/// How far ahead a free slot must exist.
const WEEK: u32 = 7;

impl Doctor<'_> {
    pub(super) async fn booking(&self, business: &Business) -> Result<Vec<Check>, CliError> {
        if business.call_goal != CallGoal::Appointment && !business.enable_calendar_scheduling {
            return Ok(Vec::new());
        }
        let mut checks = Vec::new();
        match settings(business) {
            Err(failed) => checks.push(failed),
            Ok(settings) => {
                checks.push(pass(
                    "booking",
                    format!(
                        "{}; open {}; {}",
                        settings.timezone,
                        open_days(settings),
                        services(settings)
                    ),
                ));
                checks.extend(self.free_slots(business, settings).await?);
            }
        }
        checks.push(appointment_events(business));
        Ok(checks)
    }

    /// A free slot of some service within a week; a service with none is named.
    async fn free_slots(
        &self,
        business: &Business,
        settings: &BookingSettings,
    ) -> Result<Vec<Check>, CliError> {
        const CHECK: &str = "free slots";
        let zone = settings.zone()?;
        let now = Timestamp::from_second(self.now.unix_timestamp())?;
        let today = local::today(&zone, now);
        let app = self.deployment.app()?;
        let mut first: Option<(Timestamp, &str)> = None;
        let mut without = Vec::new();
        for service in &settings.services {
            let slots =
                frontdesk::booking::availability(&app, business, &service.id, today, WEEK, now)
                    .await
                    .map_err(|e| crate::booking::explain(business, e))?;
            match slots.first() {
                Some(slot) if first.is_none_or(|(t, _)| slot.start < t) => {
                    first = Some((slot.start, service.id.as_str()))
                }
                Some(_) => {}
                None => without.push(service.id.as_str()),
            }
        }
        let Some((start, service)) = first else {
            let (why, fix) = no_slot(business, settings, today);
            return Ok(vec![fail(
                CHECK,
                format!("no free slot in the next {WEEK} days: {why}"),
                fix,
            )]);
        };
        let mut checks = vec![pass(
            CHECK,
            format!("next: {} ({service})", local::day_and_time(start, &zone)),
        )];
        if !without.is_empty() {
            checks.push(warn(
                "services without slots",
                format!(
                    "no free slot in the next {WEEK} days for {}",
                    without.join(", ")
                ),
                format!(
                    "frontdesk availability {} --service {} --days 30",
                    business.id, without[0]
                ),
            ));
        }
        Ok(checks)
    }
}

/// The stored settings, or the first thing missing or wrong with them.
fn settings(business: &Business) -> Result<&BookingSettings, Check> {
    const CHECK: &str = "booking";
    let set = |flags: &str| format!("frontdesk booking set {} {flags}", business.id);
    let Some(settings) = &business.booking else {
        return Err(fail(
            CHECK,
            "no booking settings: nothing can be booked",
            example_set(&business.id),
        ));
    };
    if let Err(err) = settings.zone() {
        return Err(fail(
            CHECK,
            err.to_string(),
            set("--timezone Asia/Jerusalem"),
        ));
    }
    if settings.hours.is_empty() {
        return Err(fail(
            CHECK,
            "no opening hours: every day is closed",
            set("--hours sun-thu=09:00-17:00"),
        ));
    }
    if settings.services.is_empty() {
        return Err(fail(
            CHECK,
            "no service to book",
            set("--service 'visit:ביקור:Visit:30'"),
        ));
    }
    if let Err(err) = settings.validate() {
        // Stored settings were checked when set; these were edited by hand since.
        return Err(fail(
            CHECK,
            err.to_string(),
            format!(
                "frontdesk booking show {id} --json > booking.json, correct {}, then frontdesk booking set {id} --file booking.json",
                err.field,
                id = business.id
            ),
        ));
    }
    Ok(settings)
}

fn open_days(settings: &BookingSettings) -> String {
    let days: Vec<&str> = crate::booking::set::DAYS
        .iter()
        .zip(weekdays())
        .filter(|(_, day)| !settings.hours.on(*day).is_empty())
        .map(|(name, _)| *name)
        .collect();
    days.join(" ")
}

fn weekdays() -> impl Iterator<Item = jiff::civil::Weekday> {
    (0..7).map(|i| jiff::civil::Weekday::from_sunday_zero_offset(i).expect("0..7"))
}

fn services(settings: &BookingSettings) -> String {
    let services: Vec<String> = settings
        .services
        .iter()
        .map(|s| format!("{} {} min", s.id, s.duration_minutes))
        .collect();
    format!("services: {}", services.join(", "))
}

/// Why a week has no free slot, and the `booking set` line most likely to give it one.
fn no_slot(business: &Business, settings: &BookingSettings, today: Date) -> (String, String) {
    let set = |flags: String| format!("frontdesk booking set {} {flags}", business.id);
    let week: Vec<Date> = (0..i64::from(WEEK))
        .filter_map(|i| today.checked_add(jiff::Span::new().days(i)).ok())
        .collect();
    let with_hours: Vec<Date> = week
        .iter()
        .copied()
        .filter(|d| !settings.hours.on(d.weekday()).is_empty())
        .collect();
    let closed: Vec<Date> = with_hours
        .iter()
        .copied()
        .filter(|d| settings.is_closed_on(*d))
        .collect();
    if !with_hours.is_empty() && closed.len() == with_hours.len() {
        let opens: Vec<String> = closed.iter().map(|d| format!("--open {d}")).collect();
        let dates: Vec<String> = closed.iter().map(ToString::to_string).collect();
        return (
            format!("every open day is a closed date ({})", dates.join(", ")),
            set(opens.join(" ")),
        );
    }
    if settings.min_notice_minutes >= WEEK * 24 * 60 {
        return (
            format!(
                "the notice ({} minutes) reaches past the week",
                settings.min_notice_minutes
            ),
            set("--notice 120".into()),
        );
    }
    let longest_open = weekdays()
        .flat_map(|d| settings.hours.on(d).iter())
        .map(|i| i.end.duration_since(i.start).as_mins())
        .max()
        .unwrap_or(0);
    let shortest_block = settings
        .services
        .iter()
        .map(|s| i64::from(s.duration_minutes + s.buffer_before_minutes + s.buffer_after_minutes))
        .min()
        .unwrap_or(0);
    if shortest_block > longest_open {
        return (
            format!(
                "no service fits the longest opening ({longest_open} minutes) with its buffers"
            ),
            set("--hours sun-thu=09:00-17:00".into()),
        );
    }
    (
        format!("every time is booked (capacity {})", settings.capacity),
        set(format!("--capacity {}", settings.capacity + 1)),
    )
}

/// Where `appointment.booked`, `.cancelled` and `.rescheduled` go.
fn appointment_events(business: &Business) -> Check {
    const CHECK: &str = "appointment events";
    match notify::route_appointment(business) {
        Ok(destination) => pass(
            CHECK,
            format!(
                "appointment.booked, .cancelled, .rescheduled → {} ({})",
                destination.url, destination.why
            ),
        ),
        Err(why) => warn(
            CHECK,
            format!("{why}: appointment events are logged and skipped, never sent"),
            format!(
                "frontdesk business update {} --webhook-url https://…",
                business.id
            ),
        ),
    }
}
