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
    pub back_to_customers: &'static str,
    pub customers: &'static str,
    pub no_customers: &'static str,
    pub older_customers: &'static str,
    pub awaiting_reply: &'static str,
    pub message_in: &'static str,
    pub message_out: &'static str,
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
    pub booked_call: &'static str,
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
    pub customer_title: &'static str,
    pub no_activity: &'static str,
    pub older_activity: &'static str,
    pub whatsapp_from_customer: &'static str,
    pub whatsapp_to_customer: &'static str,
    pub template: &'static str,
    pub error: &'static str,
    pub appointment: &'static str,
    pub upcoming: &'static str,
    pub past: &'static str,
    pub booked_at: &'static str,
    pub upcoming_appointments: &'static str,
    pub reply_heading: &'static str,
    pub send: &'static str,
    pub reply_in_template: &'static str,
    pub reply_closed: &'static str,
    pub call_back: &'static str,
    pub call_back_hint: &'static str,
    pub no_owner_phone: &'static str,
    pub blocked: &'static str,
    pub blocked_note: &'static str,
    pub block: &'static str,
    pub unblock: &'static str,
    pub notice_sent: &'static str,
    pub notice_template_sent: &'static str,
    pub notice_not_sent: &'static str,
    pub notice_no_window: &'static str,
    pub notice_no_number: &'static str,
    pub notice_already_sent: &'static str,
    pub notice_calling: &'static str,
    pub notice_call_pending: &'static str,
    pub notice_call_failed: &'static str,
    pub notice_blocked: &'static str,
    pub notice_unblocked: &'static str,
    pub status_received: &'static str,
    pub status_queued: &'static str,
    pub status_sending: &'static str,
    pub status_sent: &'static str,
    pub status_delivered: &'static str,
    pub status_read: &'static str,
    pub status_failed: &'static str,
    pub status_canceled: &'static str,
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
    back_to_customers: "חזרה לכל הלקוחות",
    customers: "לקוחות",
    no_customers: "אין לקוחות עדיין.",
    older_customers: "לקוחות קודמים",
    awaiting_reply: "מחכה לתשובה",
    message_in: "הודעת וואטסאפ נכנסת",
    message_out: "הודעת וואטסאפ יוצאת",
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
    booked_call: "קבע תור",
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
    customer_title: "לקוח",
    no_activity: "אין עדיין שיחות, הודעות או תורים עם המספר הזה.",
    older_activity: "פעילות קודמת",
    whatsapp_from_customer: "וואטסאפ מהלקוח",
    whatsapp_to_customer: "וואטסאפ ללקוח",
    template: "תבנית",
    error: "שגיאה",
    appointment: "תור",
    upcoming: "עתידי",
    past: "עבר",
    booked_at: "נקבע ב־",
    upcoming_appointments: "התורים הבאים",
    reply_heading: "תשובה בוואטסאפ",
    send: "שליחה",
    reply_in_template: "עברו יותר מ־24 שעות מההודעה האחרונה של הלקוח: התשובה תישלח בתוך תבנית ההודעה של העסק.",
    reply_closed: "עברו יותר מ־24 שעות מההודעה האחרונה של הלקוח (או שלא כתב מעולם), ואז וואטסאפ מתיר לשלוח רק תבנית מאושרת, שלעסק אין. אפשר לחייג אליו בחזרה. להגדרת תבנית:",
    call_back: "חיוג חוזר",
    call_back_hint: "הטלפון שלך יצלצל קודם, וכשתענה נחבר את הלקוח.",
    no_owner_phone: "כדי לחייג בחזרה צריך להגדיר את הטלפון שלך:",
    blocked: "חסום",
    blocked_note: "שיחות מהמספר נדחות, והודעות ממנו נשמרות בלי מענה.",
    block: "חסימת המספר",
    unblock: "ביטול החסימה",
    notice_sent: "התשובה נשלחה.",
    notice_template_sent: "התשובה נשלחה בתוך תבנית ההודעה.",
    notice_not_sent: "התשובה לא נשלחה: הסיבה מופיעה בהודעה למטה.",
    notice_no_window: "לא נשלח: עברו יותר מ־24 שעות מההודעה האחרונה של הלקוח ואין לעסק תבנית.",
    notice_no_number: "לא נשלח: לעסק אין מספר לשלוח ממנו.",
    notice_already_sent: "הטופס הזה כבר נשלח; ההודעה מופיעה כאן כשהספק קיבל אותה.",
    notice_calling: "מחייגים: הטלפון שלך יצלצל עוד רגע.",
    notice_call_pending: "השיחה בדרך, או שלא ידוע אם יצאה; אין צורך לנסות שוב.",
    notice_call_failed: "השיחה לא יצאה. נסו שוב בעוד רגע.",
    notice_blocked: "המספר נחסם.",
    notice_unblocked: "החסימה בוטלה.",
    status_received: "התקבלה",
    status_queued: "בתור",
    status_sending: "נשלחת",
    status_sent: "נשלחה",
    status_delivered: "נמסרה",
    status_read: "נקראה",
    status_failed: "נכשלה",
    status_canceled: "בוטלה",
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
    back_to_customers: "Back to all customers",
    customers: "Customers",
    no_customers: "No customers yet.",
    older_customers: "Earlier customers",
    awaiting_reply: "Awaiting a reply",
    message_in: "WhatsApp message in",
    message_out: "WhatsApp message out",
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
    booked_call: "Booked an appointment",
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
    customer_title: "Customer",
    no_activity: "No calls, messages or appointments with this number yet.",
    older_activity: "Older activity",
    whatsapp_from_customer: "WhatsApp from the customer",
    whatsapp_to_customer: "WhatsApp to the customer",
    template: "Template",
    error: "Error",
    appointment: "Appointment",
    upcoming: "Upcoming",
    past: "Past",
    booked_at: "Booked",
    upcoming_appointments: "Upcoming appointments",
    reply_heading: "Reply on WhatsApp",
    send: "Send",
    reply_in_template: "More than 24 hours since the customer last wrote: the reply goes out inside the business's message template.",
    reply_closed: "More than 24 hours since the customer last wrote (or they never did), and WhatsApp then allows only an approved template, which this business has not set. Call them back instead. To set a template:",
    call_back: "Call back",
    call_back_hint: "Your phone rings first; when you answer, the customer is dialled.",
    no_owner_phone: "To call back, set your own phone:",
    blocked: "Blocked",
    blocked_note: "Calls from this number are rejected; its messages are kept without an answer.",
    block: "Block this number",
    unblock: "Unblock",
    notice_sent: "The reply was sent.",
    notice_template_sent: "The reply was sent inside the message template.",
    notice_not_sent: "The reply was not sent: the reason is on the message below.",
    notice_no_window: "Not sent: more than 24 hours since the customer last wrote, and the business has no template.",
    notice_no_number: "Not sent: the business has no number to send from.",
    notice_already_sent: "This form was already sent; its message shows here once the provider took it.",
    notice_calling: "Calling: your phone rings in a moment.",
    notice_call_pending: "The call is being placed, or it is unknown whether it was; no need to try again.",
    notice_call_failed: "The call was not placed. Try again in a moment.",
    notice_blocked: "The number is blocked.",
    notice_unblocked: "The number is no longer blocked.",
    status_received: "received",
    status_queued: "queued",
    status_sending: "sending",
    status_sent: "sent",
    status_delivered: "delivered",
    status_read: "read",
    status_failed: "failed",
    status_canceled: "canceled",
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
        } else if call.appointment_id.is_some() {
            self.booked_call
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
    /// A WhatsApp message's delivery status.
    pub fn message_status(&self, status: MessageStatus) -> &'static str {
        match status {
            MessageStatus::Received => self.status_received,
            MessageStatus::Accepted | MessageStatus::Scheduled | MessageStatus::Queued => {
                self.status_queued
            }
            MessageStatus::Sending => self.status_sending,
            MessageStatus::Sent => self.status_sent,
            MessageStatus::Delivered => self.status_delivered,
            MessageStatus::Read => self.status_read,
            MessageStatus::Undelivered | MessageStatus::Failed => self.status_failed,
            MessageStatus::Canceled => self.status_canceled,
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
