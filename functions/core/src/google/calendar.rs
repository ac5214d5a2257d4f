//! The Calendar API calls Frontdesk makes on one calendar: its busy times (`freeBusy`), whether
//! it is there (`calendars.get`), and the events that mirror appointments (insert, patch,
//! delete), each answer read into what the caller decides on.

use jiff::{SignedDuration, Timestamp};
use serde_json::{json, Value};

use super::{api_error, unreachable, GoogleError};
use crate::config::Secret;
use crate::domain::booking::engine::Busy;

/// The longest span one `freeBusy` asks about; a longer window is asked in pieces.
const FREEBUSY_SPAN: SignedDuration = SignedDuration::from_hours(60 * 24);

/// One calendar, with a token that may use it.
pub struct CalendarApi<'a> {
    pub http: &'a reqwest::Client,
    pub base_url: &'a str,
    pub token: Secret,
    pub calendar_id: &'a str,
}

/// An event mirroring an appointment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub summary: String,
    pub description: String,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The IANA zone the calendar shows it in.
    pub time_zone: String,
}

impl Event {
    /// The event's JSON. Marked transparent ("show as free"): Frontdesk counts its own
    /// appointments against capacity itself, so the calendar's busy times must be only the
    /// owner's other commitments, never these.
    pub fn json(&self) -> Value {
        json!({
            "id": self.id,
            "summary": self.summary,
            "description": self.description,
            "start": { "dateTime": self.start.to_string(), "timeZone": self.time_zone },
            "end": { "dateTime": self.end.to_string(), "timeZone": self.time_zone },
            "transparency": "transparent",
            "extendedProperties": { "private": { "frontdesk_appointment_id": self.id } },
        })
    }

    /// What a reschedule changes.
    pub fn times_json(&self) -> Value {
        json!({
            "summary": self.summary,
            "start": { "dateTime": self.start.to_string(), "timeZone": self.time_zone },
            "end": { "dateTime": self.end.to_string(), "timeZone": self.time_zone },
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    Created,
    /// 409: an event with this id exists (an earlier attempt made it).
    AlreadyThere,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Patched {
    Patched,
    /// 404: no such event (its insert has not happened yet).
    Missing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deleted {
    Deleted,
    /// 404 or 410: already gone.
    AlreadyGone,
}

impl CalendarApi<'_> {
    fn calendar_url(&self) -> String {
        format!(
            "{}/calendars/{}",
            self.base_url,
            path_segment(self.calendar_id)
        )
    }

    fn event_url(&self, id: &str) -> String {
        format!("{}/events/{}", self.calendar_url(), path_segment(id))
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<(u16, Value), GoogleError> {
        let response = request
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(unreachable)?;
        // A delete answers 204 with no body; an error page may not be JSON.
        let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Ok((status, value))
    }

    /// The busy times in `[from, to)`, asked in spans of at most 60 days. A calendar the
    /// service account cannot see answers 200 with an error for it: that is an error here.
    pub async fn free_busy(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Busy>, GoogleError> {
        let mut busy = Vec::new();
        let mut start = from;
        while start < to {
            let end = start.saturating_add(FREEBUSY_SPAN).unwrap_or(to).min(to);
            let body = json!({
                "timeMin": start.to_string(),
                "timeMax": end.to_string(),
                "items": [{ "id": self.calendar_id }],
            });
            let request = self
                .http
                .post(format!("{}/freeBusy", self.base_url))
                .json(&body);
            let (status, answer) = self.send(request).await?;
            if !(200..300).contains(&status) {
                return Err(api_error(status, &answer));
            }
            let calendar = answer
                .pointer("/calendars")
                .and_then(|c| c.get(self.calendar_id))
                .ok_or_else(|| {
                    GoogleError::Unreachable("freeBusy answered without the calendar".into())
                })?;
            if let Some(error) = calendar["errors"].as_array().and_then(|e| e.first()) {
                let reason = error["reason"].as_str().unwrap_or("unknown").to_string();
                // `notFound`: not shared with the service account (or no such calendar).
                let status = if reason == "notFound" { 404 } else { 503 };
                return Err(GoogleError::Api {
                    status,
                    reason: Some(reason.clone()),
                    message: format!("freeBusy could not read the calendar ({reason})"),
                });
            }
            for interval in calendar["busy"].as_array().into_iter().flatten() {
                let read = |field: &str| interval[field].as_str().and_then(|t| t.parse().ok());
                if let (Some(start), Some(end)) = (read("start"), read("end")) {
                    busy.push(Busy { start, end });
                }
            }
            start = end;
        }
        Ok(busy)
    }

    /// `calendars.get`: Ok when the service account sees the calendar.
    pub async fn get(&self) -> Result<Value, GoogleError> {
        let (status, answer) = self.send(self.http.get(self.calendar_url())).await?;
        if (200..300).contains(&status) {
            Ok(answer)
        } else {
            Err(api_error(status, &answer))
        }
    }

    pub async fn insert(&self, event: &Event) -> Result<Inserted, GoogleError> {
        let request = self
            .http
            .post(format!("{}/events", self.calendar_url()))
            .json(&event.json());
        match self.send(request).await? {
            (200..=299, _) => Ok(Inserted::Created),
            (409, _) => Ok(Inserted::AlreadyThere),
            (status, answer) => Err(api_error(status, &answer)),
        }
    }

    pub async fn patch(&self, event: &Event) -> Result<Patched, GoogleError> {
        let request = self
            .http
            .patch(self.event_url(&event.id))
            .json(&event.times_json());
        match self.send(request).await? {
            (200..=299, _) => Ok(Patched::Patched),
            (404, _) => Ok(Patched::Missing),
            (status, answer) => Err(api_error(status, &answer)),
        }
    }

    pub async fn delete(&self, id: &str) -> Result<Deleted, GoogleError> {
        match self.send(self.http.delete(self.event_url(id))).await? {
            (200..=299, _) => Ok(Deleted::Deleted),
            (404 | 410, _) => Ok(Deleted::AlreadyGone),
            (status, answer) => Err(api_error(status, &answer)),
        }
    }
}

/// `value` as one URL path segment: unreserved characters kept, every other byte escaped (a
/// calendar id is an address, `@` and all).
pub fn path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_ids_are_escaped_as_one_segment() {
        assert_eq!(
            path_segment("c_1a/b@group.calendar.google.com"),
            "c_1a%2Fb%40group.calendar.google.com"
        );
    }

    #[test]
    fn an_event_is_transparent_and_carries_its_appointment() {
        let event = Event {
            id: "0192f0c1a2b34c5d8e9f0a1b2c3d4e5f".into(),
            summary: "Checkup — Dana".into(),
            description: "+972501234567".into(),
            start: "2026-11-22T08:00:00Z".parse().unwrap(),
            end: "2026-11-22T08:30:00Z".parse().unwrap(),
            time_zone: "Asia/Jerusalem".into(),
        };
        let json = event.json();
        assert_eq!(json["transparency"], "transparent");
        assert_eq!(json["start"]["dateTime"], "2026-11-22T08:00:00Z");
        assert_eq!(json["end"]["timeZone"], "Asia/Jerusalem");
        assert_eq!(
            json["extendedProperties"]["private"]["frontdesk_appointment_id"],
            event.id
        );
        assert!(event.times_json().get("id").is_none());
    }
}
