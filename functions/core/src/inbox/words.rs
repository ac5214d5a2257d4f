//! What the inbox's pages say, in the business's language: Hebrew (right to left) or English.

use crate::domain::{AppointmentStatus, Business, Call, CallStatus, Channel, MessageStatus};

/// The pages' words in one language, and which way it is written.
#[derive(Debug)]
pub struct Words {
    pub lang: &'static str,
    pub dir: &'static str,
    pub inbox: &'static str,
    pub sign_out: &'static str,
    pub signed_out_title: &'static str,
    pub signed_out_text: &'static str,
    pub no_calls: &'static str,
    pub older: &'static str,
    pub back: &'static str,
    pub customers: &'static str,
    pub no_customers: &'static str,
    pub older_customers: &'static str,
    pub awaiting_reply: &'static str,
    pub message_in: &'static str,
    pub message_out: &'static str,
    pub message_queued: &'static str,
    pub message_sent: &'static str,
    pub message_delivered: &'static str,
    pub message_read: &'static str,
    pub message_failed: &'static str,
    pub message_canceled: &'static str,
    pub search: &'static str,
    pub search_label: &'static str,
    pub search_results: &'static str,
    pub no_results: &'static str,
    pub older_results: &'static str,
    pub searched_back_to: &'static str,
    pub search_further_back: &'static str,
    pub unknown_caller: &'static str,
    pub transcript: &'static str,
    pub no_transcript: &'static str,
    pub seconds: &'static str,
    pub handled: &'static str,
    pub needs_call_back: &'static str,
    pub mark_handled: &'static str,
    pub mark_needs_call_back: &'static str,
    pub voicemail: &'static str,
    pub missed: &'static str,
    pub outbound: &'static str,
    pub answered: &'static str,
    pub in_progress: &'static str,
    pub all_calls: &'static str,
    pub only_open: &'static str,
    pub calls: &'static str,
    pub appointments: &'static str,
    pub no_appointments: &'static str,
    pub previous_week: &'static str,
    pub next_week: &'static str,
    pub this_week: &'static str,
    pub more_appointments: &'static str,
    pub cancel_appointment: &'static str,
    pub booked: &'static str,
    pub cancelled: &'static str,
    pub completed: &'static str,
    pub no_show: &'static str,
    pub by_phone: &'static str,
    pub by_whatsapp: &'static str,
    pub by_api: &'static str,
    pub booking_not_set_up: &'static str,
    pub already_started: &'static str,
    /// Day names, Sunday first.
    pub days: [&'static str; 7],
}

const HEBREW: Words = Words {
    lang: "he",
    dir: "rtl",
    inbox: "תיבת שיחות",
    sign_out: "יציאה",
    signed_out_title: "צריך להיכנס מחדש",
    signed_out_text: "הקישור פג תוקף, כבר נוצל, או שהכניסה הסתיימה. בקשו קישור חדש.",
    no_calls: "אין שיחות עדיין.",
    older: "שיחות קודמות",
    back: "חזרה לכל השיחות",
    customers: "לקוחות",
    no_customers: "אין לקוחות עדיין.",
    older_customers: "לקוחות קודמים",
    awaiting_reply: "מחכה לתשובה",
    message_in: "הודעת וואטסאפ נכנסת",
    message_out: "הודעת וואטסאפ יוצאת",
    message_queued: "ממתינה לשליחה",
    message_sent: "נשלחה",
    message_delivered: "נמסרה",
    message_read: "נקראה",
    message_failed: "לא נמסרה",
    message_canceled: "בוטלה",
    search: "חיפוש",
    search_label: "מילה מהשיחות וההודעות, או מספר טלפון",
    search_results: "תוצאות חיפוש",
    no_results: "לא נמצאו שיחות או הודעות.",
    older_results: "תוצאות קודמות",
    searched_back_to: "החיפוש הגיע עד",
    search_further_back: "להמשיך לחפש אחורה",
    unknown_caller: "מספר חסוי",
    transcript: "תמלול",
    no_transcript: "אין תמלול",
    seconds: "שניות",
    handled: "טופל",
    needs_call_back: "צריך לחזור",
    mark_handled: "סמן כטופל",
    mark_needs_call_back: "סמן שצריך לחזור",
    voicemail: "הודעה קולית",
    missed: "שיחה שלא נענתה",
    outbound: "שיחה יוצאת",
    answered: "נענתה",
    in_progress: "בשיחה",
    all_calls: "כל השיחות",
    only_open: "צריך לחזור אליהם",
    calls: "שיחות",
    appointments: "תורים",
    no_appointments: "אין תורים בשבוע הזה.",
    previous_week: "השבוע הקודם",
    next_week: "השבוע הבא",
    this_week: "השבוע",
    more_appointments: "עוד תורים",
    cancel_appointment: "ביטול התור",
    booked: "נקבע",
    cancelled: "בוטל",
    completed: "התקיים",
    no_show: "לא הגיע",
    by_phone: "בטלפון",
    by_whatsapp: "בוואטסאפ",
    by_api: "מהמערכת",
    booking_not_set_up: "קביעת תורים עוד לא הוגדרה לעסק הזה.",
    already_started: "התור כבר התחיל, ואי אפשר לבטל אותו.",
    days: [
        "יום ראשון",
        "יום שני",
        "יום שלישי",
        "יום רביעי",
        "יום חמישי",
        "יום שישי",
        "שבת",
    ],
};

const ENGLISH: Words = Words {
    lang: "en",
    dir: "ltr",
    inbox: "Inbox",
    sign_out: "Sign out",
    signed_out_title: "Please sign in again",
    signed_out_text:
        "The link has expired, was already used, or you were signed out. Ask for a new link.",
    no_calls: "No calls yet.",
    older: "Older calls",
    back: "Back to all calls",
    customers: "Customers",
    no_customers: "No customers yet.",
    older_customers: "Earlier customers",
    awaiting_reply: "Awaiting a reply",
    message_in: "WhatsApp message in",
    message_out: "WhatsApp message out",
    message_queued: "Queued",
    message_sent: "Sent",
    message_delivered: "Delivered",
    message_read: "Read",
    message_failed: "Not delivered",
    message_canceled: "Canceled",
    search: "Search",
    search_label: "A word from the calls and messages, or a phone number",
    search_results: "Search results",
    no_results: "No calls or messages found.",
    older_results: "Older results",
    searched_back_to: "Searched back to",
    search_further_back: "Search further back",
    unknown_caller: "Unknown caller",
    transcript: "Transcript",
    no_transcript: "No transcript",
    seconds: "seconds",
    handled: "Handled",
    needs_call_back: "Needs a call back",
    mark_handled: "Mark handled",
    mark_needs_call_back: "Mark as needing a call back",
    voicemail: "Voicemail",
    missed: "Missed call",
    outbound: "Outbound call",
    answered: "Answered",
    in_progress: "In progress",
    all_calls: "All calls",
    only_open: "Needing a call back",
    calls: "Calls",
    appointments: "Appointments",
    no_appointments: "No appointments this week.",
    previous_week: "Previous week",
    next_week: "Next week",
    this_week: "This week",
    more_appointments: "More appointments",
    cancel_appointment: "Cancel appointment",
    booked: "Booked",
    cancelled: "Cancelled",
    completed: "Completed",
    no_show: "No-show",
    by_phone: "by phone",
    by_whatsapp: "on WhatsApp",
    by_api: "from your system",
    booking_not_set_up: "Booking is not set up for this business yet.",
    already_started: "The appointment has already started and cannot be cancelled.",
    days: [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ],
};

impl Words {
    /// The business's words: Hebrew when its language is (`he`, `he-IL`, `iw`), else English.
    pub fn of(business: &Business) -> &'static Words {
        Self::for_language(&business.language)
    }

    pub fn for_language(language: &str) -> &'static Words {
        let primary = language.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("he") || primary.eq_ignore_ascii_case("iw") {
            &HEBREW
        } else {
            &ENGLISH
        }
    }

    /// An appointment's status, as the owner reads it.
    pub fn appointment_status(&self, status: AppointmentStatus) -> &'static str {
        match status {
            AppointmentStatus::Booked => self.booked,
            AppointmentStatus::Cancelled => self.cancelled,
            AppointmentStatus::Completed => self.completed,
            AppointmentStatus::NoShow => self.no_show,
        }
    }

    /// How an appointment was booked.
    pub fn channel(&self, channel: Channel) -> &'static str {
        match channel {
            Channel::Voice => self.by_phone,
            Channel::Whatsapp => self.by_whatsapp,
            Channel::Api => self.by_api,
        }
    }

    /// What became of a call, as the owner thinks of it.
    pub fn outcome(&self, call: &Call) -> &'static str {
        if call.direction.is_outbound() {
            self.outbound
        } else if call.recording.is_some() {
            self.voicemail
        } else {
            match call.status {
                CallStatus::Queued
                | CallStatus::Initiated
                | CallStatus::Ringing
                | CallStatus::InProgress => self.in_progress,
                CallStatus::Completed if call.gathered_digits.is_some() => self.answered,
                _ => self.missed,
            }
        }
    }
}

impl Words {
    /// Where a message is on its way, as the owner thinks of it; nothing for a received one.
    pub fn message_status(&self, status: MessageStatus) -> Option<&'static str> {
        match status {
            MessageStatus::Received => None,
            MessageStatus::Accepted
            | MessageStatus::Scheduled
            | MessageStatus::Queued
            | MessageStatus::Sending => Some(self.message_queued),
            MessageStatus::Sent => Some(self.message_sent),
            MessageStatus::Delivered => Some(self.message_delivered),
            MessageStatus::Read => Some(self.message_read),
            MessageStatus::Undelivered | MessageStatus::Failed => Some(self.message_failed),
            MessageStatus::Canceled => Some(self.message_canceled),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hebrew_is_right_to_left_and_anything_else_english() {
        for hebrew in ["he", "he-IL", "HE_il", "iw"] {
            assert_eq!(Words::for_language(hebrew).dir, "rtl", "{hebrew}");
        }
        for other in ["en-US", "ar", "", "hex"] {
            assert_eq!(Words::for_language(other).lang, "en", "{other}");
        }
    }
}
