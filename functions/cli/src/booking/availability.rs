//! `frontdesk availability BUSINESS`: the free slots of a service, in the business's local
//! time, as the booking engine offers them to customers.

use std::io::Write;

use clap::Args;
use frontdesk::domain::booking::engine::Slot;
use frontdesk::domain::booking::settings::ServiceId;
use frontdesk::domain::BusinessId;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::json;

use super::local;
use crate::deployment::Deployment;
use crate::CliError;

#[derive(Args, Debug)]
pub struct AvailabilityArgs {
    /// The business id.
    pub business: String,
    /// The service (default: the first one).
    #[arg(long, value_name = "ID")]
    pub service: Option<String>,
    /// The first local date (default: today in the business's zone).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<String>,
    /// How many days from --from.
    #[arg(long, default_value_t = 7)]
    pub days: u32,
    /// Print JSON: each slot's start and end in RFC 3339 with the business's offset.
    #[arg(long)]
    pub json: bool,
}

/// One slot as JSON: RFC 3339 with the zone's offset, and the local date and time.
pub fn slot_json(slot: &Slot, zone: &TimeZone) -> serde_json::Value {
    json!({
        "start": local::rfc3339(slot.start, zone),
        "end": local::rfc3339(slot.end, zone),
        "date": zone.to_datetime(slot.start).date().to_string(),
        "time": local::time_of_day(slot.start, zone),
    })
}

/// How many starts a line holds before it wraps.
const PER_LINE: usize = 12;

pub async fn run(
    deployment: &Deployment,
    args: AvailabilityArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let business = crate::business::load(deployment, &BusinessId::parse(&args.business)?).await?;
    let wanted = args.service.as_deref().map(ServiceId::parse).transpose()?;
    let (settings, service) = frontdesk::booking::service(&business, wanted.as_ref())
        .map_err(|e| super::explain(&business, e))?;
    let zone = settings.zone()?;
    let now = Timestamp::now();
    let from = match &args.from {
        Some(date) => local::parse_date("--from", date)?,
        None => local::today(&zone, now),
    };
    let app = deployment.app()?;
    let slots =
        frontdesk::booking::availability(&app, &business, &service.id, from, args.days, now)
            .await
            .map_err(|e| super::explain(&business, e))?;
    if args.json {
        let slots: Vec<_> = slots.iter().map(|s| slot_json(s, &zone)).collect();
        let answer = json!({
            "business": business.id.as_str(),
            "service": service.id.as_str(),
            "timezone": settings.timezone,
            "from": from.to_string(),
            "days": args.days,
            "slots": slots,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&answer)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "Free slots of {} ({}, {} min) at {}, {} days from {} ({}):",
        service.id,
        service.name_en,
        service.duration_minutes,
        business.id,
        args.days,
        local::day(from),
        settings.timezone
    )?;
    if slots.is_empty() {
        writeln!(out, "  none")?;
        return Ok(());
    }
    let mut days: Vec<(jiff::civil::Date, Vec<String>)> = Vec::new();
    for slot in &slots {
        let date = zone.to_datetime(slot.start).date();
        let time = local::time_of_day(slot.start, &zone);
        match days.last_mut() {
            Some((last, times)) if *last == date => times.push(time),
            _ => days.push((date, vec![time])),
        }
    }
    for (date, times) in days {
        for (i, chunk) in times.chunks(PER_LINE).enumerate() {
            let label = if i == 0 {
                local::day(date)
            } else {
                String::new()
            };
            writeln!(out, "  {label:14}  {}", chunk.join(" "))?;
        }
    }
    Ok(())
}
