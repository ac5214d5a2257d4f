//! What an alert says, in the business's language: a one-line headline (the email's subject,
//! the message's first line), the lines under it, and the five variables of a WhatsApp alert
//! template. One text for every channel, so SMS, WhatsApp and email tell the same thing.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::domain::{AlertKind, Urgency};

/// What an alert is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    pub kind: AlertKind,
    pub business_name: String,
    /// The caller's or customer's number (or `anonymous`), with a name when one is known.
    pub who: String,
    pub at: Timestamp,
    pub timezone: String,
    /// The summary, else the transcript's first sentence, else a description (an
    /// appointment's service and time; why a transcript is missing).
    pub what: Option<String>,
    pub urgency: Urgency,
    pub callback: Option<String>,
    pub inbox_link: Option<String>,
    pub recording_link: Option<String>,
}

/// An alert, written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composed {
    pub headline: String,
    pub lines: Vec<String>,
    /// `{{1}}` who, `{{2}}` when, `{{3}}` what, `{{4}}` urgency, `{{5}}` the inbox link.
    pub variables: BTreeMap<String, String>,
}

impl Composed {
    /// The whole alert as one text (SMS, WhatsApp text, the email's body).
    pub fn text(&self) -> String {
        std::iter::once(self.headline.as_str())
            .chain(self.lines.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

struct Words {
    voicemail: &'static str,
    untranscribed: &'static str,
    missed: &'static str,
    booked: &'static str,
    cancelled: &'static str,
    test: &'static str,
    digest: &'static str,
    urgent: &'static str,
    normal: &'static str,
    low: &'static str,
    call_back: &'static str,
    inbox: &'static str,
    recording: &'static str,
    urgency: &'static str,
}

const HEBREW: Words = Words {
    voicemail: "הודעה קולית מ",
    untranscribed: "הודעה קולית (ללא תמלול) מ",
    missed: "שיחה שלא נענתה מ",
    booked: "תור חדש: ",
    cancelled: "תור בוטל: ",
    test: "בדיקת התראות של Frontdesk עבור ",
    digest: "סיכום יומי: ",
    urgent: "דחוף",
    normal: "רגיל",
    low: "נמוך",
    call_back: "לחזור אל",
    inbox: "בתיבה",
    recording: "הקלטה",
    urgency: "דחיפות",
};

const ENGLISH: Words = Words {
    voicemail: "Voicemail from ",
    untranscribed: "Voicemail (not transcribed) from ",
    missed: "Missed call from ",
    booked: "Appointment booked: ",
    cancelled: "Appointment cancelled: ",
    test: "Frontdesk test alert for ",
    digest: "Daily digest: ",
    urgent: "Urgent",
    normal: "Normal",
    low: "Low",
    call_back: "Call back",
    inbox: "Inbox",
    recording: "Recording",
    urgency: "Urgency",
};

/// Whether alerts in `language` are written in Hebrew (anything else is English).
pub fn is_hebrew(language: &str) -> bool {
    language.starts_with("he") || language.starts_with("iw")
}

fn words(language: &str) -> &'static Words {
    if is_hebrew(language) {
        &HEBREW
    } else {
        &ENGLISH
    }
}

/// What an alert of `kind` starts with in `language` (`Voicemail from `, `Daily digest: `).
pub fn prefix(language: &str, kind: AlertKind) -> &'static str {
    let w = words(language);
    match kind {
        AlertKind::Voicemail => w.voicemail,
        AlertKind::VoicemailUntranscribed => w.untranscribed,
        AlertKind::MissedCall => w.missed,
        AlertKind::AppointmentBooked => w.booked,
        AlertKind::AppointmentCancelled => w.cancelled,
        AlertKind::Test => w.test,
        AlertKind::Digest => w.digest,
    }
}

/// The urgency's word in `language`.
pub fn urgency_word(language: &str, urgency: Urgency) -> &'static str {
    let w = words(language);
    match urgency {
        Urgency::High => w.urgent,
        Urgency::Normal => w.normal,
        Urgency::Low => w.low,
    }
}

/// `29/11 21:03` in `timezone` (UTC for a zone the bundled database lacks).
pub fn local_time(at: Timestamp, timezone: &str) -> String {
    let zone = TimeZone::get(timezone).unwrap_or(TimeZone::UTC);
    at.to_zoned(zone).strftime("%d/%m %H:%M").to_string()
}

/// Writes `facts` in `language`.
pub fn compose(language: &str, facts: &Facts) -> Composed {
    let w = words(language);
    let prefix = prefix(language, facts.kind);
    let subject = match facts.kind {
        AlertKind::Test | AlertKind::Digest => facts.business_name.as_str(),
        _ => facts.who.as_str(),
    };
    let urgent = facts.urgency == Urgency::High;
    let headline = format!(
        "{}{prefix}{subject}",
        if urgent {
            format!("{} · ", w.urgent)
        } else {
            String::new()
        }
    );
    let when = local_time(facts.at, &facts.timezone);
    let mut lines = vec![when.clone()];
    if let Some(what) = &facts.what {
        lines.push(what.clone());
    }
    let urgency = urgency_word(language, facts.urgency);
    if matches!(
        facts.kind,
        AlertKind::Voicemail | AlertKind::VoicemailUntranscribed | AlertKind::MissedCall
    ) {
        lines.push(format!("{}: {urgency}", w.urgency));
        if let Some(number) = &facts.callback {
            lines.push(format!("{}: {number}", w.call_back));
        }
    }
    if let Some(link) = &facts.inbox_link {
        lines.push(format!("{}: {link}", w.inbox));
    }
    if let Some(link) = &facts.recording_link {
        lines.push(format!("{}: {link}", w.recording));
    }
    // A template variable may not be empty, hold a newline, or run on: one line each.
    let one_line = |text: &str| {
        let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let line: String = line.chars().take(300).collect();
        if line.is_empty() {
            "-".to_string()
        } else {
            line
        }
    };
    let variables = BTreeMap::from([
        ("1".to_string(), one_line(&facts.who)),
        ("2".to_string(), one_line(&when)),
        (
            "3".to_string(),
            one_line(facts.what.as_deref().unwrap_or("-")),
        ),
        ("4".to_string(), one_line(urgency)),
        (
            "5".to_string(),
            one_line(facts.inbox_link.as_deref().unwrap_or("-")),
        ),
    ]);
    Composed {
        headline,
        lines,
        variables,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: AlertKind, urgency: Urgency) -> Facts {
        Facts {
            kind,
            business_name: "Demo Clinic".into(),
            who: "+972501234567".into(),
            at: "2026-11-29T19:03:00Z".parse().unwrap(),
            timezone: "Asia/Jerusalem".into(),
            what: Some("דנה מבקשת תור\nלניקוי".into()),
            urgency,
            callback: Some("+972507654321".into()),
            inbox_link: Some("https://fd.example/inbox/calls/CA1".into()),
            recording_link: Some("https://fd.example/blobs/r.mp3".into()),
        }
    }

    #[test]
    fn an_urgent_voicemail_says_so_first_with_local_time_and_links() {
        let alert = compose("he-IL", &facts(AlertKind::Voicemail, Urgency::High));
        assert_eq!(alert.headline, "דחוף · הודעה קולית מ+972501234567");
        let text = alert.text();
        assert!(
            text.contains("29/11 21:03"),
            "Jerusalem is UTC+2 in November: {text}"
        );
        assert!(text.contains("לחזור אל: +972507654321"));
        assert!(text.contains("בתיבה: https://fd.example/inbox/calls/CA1"));
        assert!(text.contains("הקלטה: https://fd.example/blobs/r.mp3"));
        assert_eq!(alert.variables["3"], "דנה מבקשת תור לניקוי");
        assert_eq!(alert.variables["4"], "דחוף");
        assert_eq!(alert.variables.len(), 5);
    }

    #[test]
    fn english_and_a_booking_have_no_urgency_line() {
        let mut booked = facts(AlertKind::AppointmentBooked, Urgency::Normal);
        booked.callback = None;
        booked.recording_link = None;
        let alert = compose("en-US", &booked);
        assert_eq!(alert.headline, "Appointment booked: +972501234567");
        assert!(!alert.text().contains("Urgency"));
        let mut bare = facts(AlertKind::MissedCall, Urgency::Normal);
        bare.what = None;
        bare.inbox_link = None;
        let alert = compose("en-US", &bare);
        assert_eq!(alert.variables["3"], "-");
        assert_eq!(alert.variables["5"], "-");
    }
}
