//! What a phone booking's confirmation says: the service, the day and the time, in the
//! business's language and zone, as a template's three numbered variables or as the text of an
//! SMS.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;

use super::dialogue::state::Lang;
use super::dialogue::words::Words;
use crate::domain::Business;
use crate::jobs::AppointmentSnapshot;

/// The confirmation's parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation {
    pub service: String,
    /// `יום שלישי, 24 בנובמבר` / `Tue 24 Nov`.
    pub day: String,
    /// `15:00`.
    pub time: String,
    pub lang: Lang,
}

impl Confirmation {
    pub fn of(business: &Business, appointment: &AppointmentSnapshot) -> Self {
        let lang = Lang::of_setting(&business.language);
        let zone = TimeZone::get(&appointment.timezone).unwrap_or(TimeZone::UTC);
        let local = zone.to_datetime(appointment.slot.start);
        let time = format!("{:02}:{:02}", local.hour(), local.minute());
        let (service, day) = match &business.booking {
            Some(settings) => {
                let words = Words {
                    lang,
                    zone: &zone,
                    settings,
                };
                (words.service(&appointment.service), words.day(local.date()))
            }
            // Settings removed since the booking: the service's id, the date as ISO.
            None => (appointment.service.to_string(), local.date().to_string()),
        };
        Self {
            service,
            day,
            time,
            lang,
        }
    }

    /// A template's body variables: `{{1}}` service, `{{2}}` day, `{{3}}` time.
    pub fn variables(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("1".to_string(), self.service.clone()),
            ("2".to_string(), self.day.clone()),
            ("3".to_string(), self.time.clone()),
        ])
    }

    /// The same as Meta's body parameters, in order.
    pub fn parameters(&self) -> serde_json::Value {
        serde_json::json!([{
            "type": "body",
            "parameters": [
                { "type": "text", "text": self.service },
                { "type": "text", "text": self.day },
                { "type": "text", "text": self.time },
            ],
        }])
    }

    /// The SMS, signed with the business's name.
    pub fn sms(&self, business: &str) -> String {
        let Self {
            service, day, time, ..
        } = self;
        match self.lang {
            Lang::He => format!("{business}: נקבע לך תור ל{service} ב{day} בשעה {time}."),
            Lang::En => {
                format!("{business}: your {service} appointment is booked for {day} at {time}.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::booking::settings::BookingSettings;

    fn snapshot(start: &str) -> AppointmentSnapshot {
        serde_json::from_value(serde_json::json!({
            "id": "0192f0c1a2b34c5d8e9f0a1b2c3d4e5f", "business_id": "acme",
            "service": "checkup", "slot": {"start": start, "end": start},
            "timezone": "Asia/Jerusalem", "phone": "+972501234567", "name": null,
            "channel": "voice", "status": "booked", "version": 1
        }))
        .unwrap()
    }

    fn business(language: &str) -> Business {
        let mut business = Business::new(
            crate::domain::BusinessId::parse("acme").unwrap(),
            "Acme Dental",
        );
        business.language = language.into();
        business.booking = Some(
            BookingSettings::parse_json(
                r#"{"timezone": "Asia/Jerusalem", "hours": {"tue": [["09:00","17:00"]]},
                    "services": [{"id": "checkup", "name_he": "בדיקה", "name_en": "Checkup",
                                  "duration_minutes": 30}],
                    "slot_step_minutes": 15, "min_notice_minutes": 0, "max_days_ahead": 30,
                    "capacity": 1}"#,
            )
            .unwrap(),
        );
        business
    }

    #[test]
    fn the_day_and_time_are_the_businesses_in_its_language() {
        // 13:00 UTC on 24 November 2026 is 15:00 in Jerusalem (+02:00).
        let he = Confirmation::of(&business("he-IL"), &snapshot("2026-11-24T13:00:00Z"));
        assert_eq!(
            (he.service.as_str(), he.day.as_str(), he.time.as_str()),
            ("בדיקה", "יום שלישי, 24 בנובמבר", "15:00")
        );
        assert_eq!(
            he.sms("Acme Dental"),
            "Acme Dental: נקבע לך תור לבדיקה ביום שלישי, 24 בנובמבר בשעה 15:00."
        );
        assert_eq!(he.variables()["2"], "יום שלישי, 24 בנובמבר");
        let en = Confirmation::of(&business("en-US"), &snapshot("2026-11-24T13:00:00Z"));
        assert_eq!(
            en.sms("Acme Dental"),
            "Acme Dental: your Checkup appointment is booked for Tue 24 Nov at 15:00."
        );
        assert_eq!(en.parameters()[0]["parameters"][2]["text"], "15:00");
    }
}
