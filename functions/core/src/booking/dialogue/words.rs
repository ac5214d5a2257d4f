//! Everything the dialogue says, in Hebrew and English, and how it writes a day and a time:
//! always in the business's zone, `יום שלישי, 24 בנובמבר, 15:00` / `Tue 24 Nov, 15:00` in
//! full, `שלישי 24.11, 15:00` where a button's 20 characters are all there is.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::state::{Action, Lang};
use crate::domain::booking::settings::{BookingSettings, ServiceId};

/// Weekday names, Sunday first; the phone dialogue says them too.
pub const HE_DAYS: [&str; 7] = ["ראשון", "שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת"];
pub const HE_MONTHS: [&str; 12] = [
    "ינואר",
    "פברואר",
    "מרץ",
    "אפריל",
    "מאי",
    "יוני",
    "יולי",
    "אוגוסט",
    "ספטמבר",
    "אוקטובר",
    "נובמבר",
    "דצמבר",
];
const EN_DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The dialogue's sentences in one language, for one business.
pub struct Words<'a> {
    pub lang: Lang,
    pub zone: &'a TimeZone,
    pub settings: &'a BookingSettings,
}

impl Words<'_> {
    fn he(&self) -> bool {
        self.lang == Lang::He
    }

    fn pick(&self, he: &str, en: &str) -> String {
        if self.he() { he } else { en }.to_string()
    }

    /// A service's name in this language (its id, if the business no longer offers it).
    pub fn service(&self, id: &ServiceId) -> String {
        self.settings
            .service(id)
            .map_or_else(|| id.to_string(), |s| s.name(self.lang.code()).to_string())
    }

    /// `יום שלישי, 24 בנובמבר` / `Tue 24 Nov`.
    pub fn day(&self, date: Date) -> String {
        let weekday = date.weekday().to_sunday_zero_offset() as usize;
        let month = (date.month() - 1) as usize;
        if self.he() {
            format!(
                "יום {}, {} ב{}",
                HE_DAYS[weekday],
                date.day(),
                HE_MONTHS[month]
            )
        } else {
            format!("{} {} {}", EN_DAYS[weekday], date.day(), EN_MONTHS[month])
        }
    }

    /// `יום שלישי, 24 בנובמבר, 15:00` / `Tue 24 Nov, 15:00`.
    pub fn when(&self, at: Timestamp) -> String {
        let local = self.zone.to_datetime(at);
        format!(
            "{}, {:02}:{:02}",
            self.day(local.date()),
            local.hour(),
            local.minute()
        )
    }

    /// `שלישי 24.11, 15:00` / `Tue 24 Nov, 15:00`: at most 20 characters, for a button.
    pub fn when_short(&self, at: Timestamp) -> String {
        let local = self.zone.to_datetime(at);
        if self.he() {
            format!(
                "{} {}.{}, {:02}:{:02}",
                HE_DAYS[local.weekday().to_sunday_zero_offset() as usize],
                local.day(),
                local.month(),
                local.hour(),
                local.minute()
            )
        } else {
            self.when(at)
        }
    }

    pub fn nearest(&self, service: &ServiceId) -> String {
        let service = self.service(service);
        self.pick(
            &format!("התורים הפנויים הקרובים ל{service}:"),
            &format!("The nearest free times for {service}:"),
        )
    }

    pub fn on_day(&self, service: &ServiceId, date: Date) -> String {
        let (service, day) = (self.service(service), self.day(date));
        self.pick(
            &format!("התורים הפנויים ל{service} ב{day}:"),
            &format!("Free times for {service} on {day}:"),
        )
    }

    pub fn these_are_free(&self) -> String {
        self.pick("השעות האלה פנויות:", "These times are free:")
    }

    pub fn none_on_day(&self, date: Date) -> String {
        let day = self.day(date);
        self.pick(
            &format!("אין תורים פנויים ב{day}. הקרובים ביותר:"),
            &format!("There are no free times on {day}. The nearest:"),
        )
    }

    /// A time that cannot be booked, why, and (when there are some) that alternatives follow.
    pub fn refused(&self, at: Timestamp, reason: &str, alternatives: bool) -> String {
        let when = self.when(at);
        match (self.he(), alternatives) {
            (true, true) => format!("{when} — {reason}. אפשר במקום:"),
            (true, false) => format!("{when} — {reason}. אין תורים פנויים קרובים."),
            (false, true) => format!("{when} — {reason}. Free times nearby:"),
            (false, false) => format!("{when} — {reason}. There are no free times nearby."),
        }
    }

    pub fn no_slots(&self, service: &ServiceId) -> String {
        let (service, days) = (self.service(service), self.settings.max_days_ahead);
        self.pick(
            &format!("אין כרגע תורים פנויים ל{service} ב-{days} הימים הקרובים."),
            &format!("There are no free times for {service} in the next {days} days."),
        )
    }

    pub fn which_service(&self) -> String {
        self.pick(
            "לאיזה שירות לקבוע את התור?",
            "Which service is the appointment for?",
        )
    }

    pub fn confirm_book(&self, service: &ServiceId, at: Timestamp) -> String {
        let (service, when) = (self.service(service), self.when(at));
        self.pick(
            &format!("{service} ב{when} — פנוי. לאישור השיבו 1 או ״כן״."),
            &format!("{service} on {when} is free — reply 1/yes to confirm."),
        )
    }

    pub fn confirm_move(&self, service: &ServiceId, at: Timestamp) -> String {
        let (service, when) = (self.service(service), self.when(at));
        self.pick(
            &format!("להעביר את התור ל{service} ל{when}? לאישור השיבו 1 או ״כן״."),
            &format!("Move your {service} to {when}? Reply 1/yes to confirm."),
        )
    }

    /// The two options of a confirmation.
    pub fn confirm_options(&self) -> [String; 2] {
        [
            self.pick("אישור", "Confirm"),
            self.pick("זמן אחר", "Another time"),
        ]
    }

    pub fn booked(&self, service: &ServiceId, at: Timestamp) -> String {
        let (service, when) = (self.service(service), self.when(at));
        self.pick(
            &format!("התור נקבע ✅\n{service} ב{when}.\nלביטול השיבו ״ביטול״, לשינוי ״שינוי״."),
            &format!("Booked ✅\n{service} on {when}.\nTo cancel, reply \"cancel\"; to change it, \"change\"."),
        )
    }

    pub fn moved(&self, service: &ServiceId, at: Timestamp, was: Timestamp) -> String {
        let (service, when, was) = (self.service(service), self.when(at), self.when(was));
        self.pick(
            &format!("התור הועבר ✅\n{service} ב{when} (במקום {was}).\nלביטול השיבו ״ביטול״."),
            &format!(
                "Moved ✅\n{service} is now on {when} (was {was}).\nTo cancel, reply \"cancel\"."
            ),
        )
    }

    pub fn cancelled(&self, service: &ServiceId, at: Timestamp) -> String {
        let (service, when) = (self.service(service), self.when(at));
        self.pick(
            &format!("התור ל{service} ב{when} בוטל. לקביעת תור חדש כתבו ״תור״."),
            &format!(
                "Your {service} on {when} is cancelled. To book again, write \"appointment\"."
            ),
        )
    }

    pub fn already_cancelled(&self, service: &ServiceId, at: Timestamp) -> String {
        let (service, when) = (self.service(service), self.when(at));
        self.pick(
            &format!("התור ל{service} ב{when} כבר בוטל."),
            &format!("Your {service} on {when} was already cancelled."),
        )
    }

    pub fn past(&self, service: &ServiceId, at: Timestamp, action: Action) -> String {
        let (service, when) = (self.service(service), self.when(at));
        match (self.he(), action) {
            (true, Action::Cancel) => format!(
                "התור ל{service} ב{when} כבר התחיל או עבר, ולכן אי אפשר לבטל אותו בהודעה."
            ),
            (true, Action::Change) => format!(
                "התור ל{service} ב{when} כבר התחיל או עבר, ולכן אי אפשר לשנות אותו בהודעה."
            ),
            (false, Action::Cancel) => format!(
                "Your {service} on {when} has already started or passed, so it can't be cancelled by message."
            ),
            (false, Action::Change) => format!(
                "Your {service} on {when} has already started or passed, so it can't be changed by message."
            ),
        }
    }

    pub fn none_booked(&self) -> String {
        self.pick(
            "לא מצאתי תור קבוע למספר הזה. לקביעת תור כתבו ״תור״.",
            "I couldn't find a booked appointment for this number. To book one, write \"appointment\".",
        )
    }

    pub fn which_appointment(&self, action: Action) -> String {
        match action {
            Action::Cancel => self.pick("איזה תור לבטל?", "Which appointment should I cancel?"),
            Action::Change => self.pick(
                "איזה תור להעביר?",
                "Which appointment would you like to move?",
            ),
        }
    }

    /// An appointment as an option: `בדיקה — יום שלישי, 24 בנובמבר, 15:00`.
    pub fn appointment(&self, service: &ServiceId, at: Timestamp) -> String {
        format!("{} — {}", self.service(service), self.when(at))
    }

    pub fn move_from(&self, service: &ServiceId, was: Timestamp) -> String {
        let (service, was) = (self.service(service), self.when(was));
        self.pick(
            &format!("לאן להעביר את התור ל{service} ב{was}? התורים הפנויים הקרובים:"),
            &format!("Where should your {service} on {was} move to? The nearest free times:"),
        )
    }

    pub fn no_longer_changeable(&self) -> String {
        self.pick(
            "אי אפשר לשנות את התור הזה יותר.",
            "That appointment can no longer be changed.",
        )
    }

    pub fn taken_meanwhile(&self, at: Timestamp, alternatives: bool) -> String {
        let reason = if self.he() {
            "השעה נתפסה הרגע"
        } else {
            "that time was just taken"
        };
        self.refused(at, reason, alternatives)
    }

    pub fn out_of_range(&self, n: usize, max: usize) -> String {
        self.pick(
            &format!("אין אפשרות {n}. בחרו מספר בין 1 ל-{max}:"),
            &format!("There is no option {n}. Choose a number from 1 to {max}:"),
        )
    }

    pub fn expired(&self) -> String {
        self.pick("האפשרויות הקודמות כבר לא בתוקף.", "Those options expired.")
    }

    pub fn stale(&self) -> String {
        self.pick(
            "האפשרויות האלה כבר לא בתוקף. אלה האפשרויות העדכניות:",
            "Those options are no longer valid. These are the current ones:",
        )
    }

    pub fn not_understood(&self, times: bool) -> String {
        match (self.he(), times) {
            (true, true) => "לא הבנתי. בחרו מספר מהרשימה, או כתבו יום ושעה:".into(),
            (true, false) => "לא הבנתי. בחרו מספר מהרשימה:".into(),
            (false, true) => {
                "Sorry, I didn't get that. Choose a number from the list, or write a day and time:"
                    .into()
            }
            (false, false) => "Sorry, I didn't get that. Choose a number from the list:".into(),
        }
    }

    pub fn write_a_time(&self) -> String {
        self.pick(
            "בסדר. כתבו יום ושעה שנוחים לכם.",
            "OK. Write a day and time that suits you.",
        )
    }

    pub fn choose_service_first(&self) -> String {
        self.pick("קודם בחרו שירות:", "First choose the service:")
    }

    pub fn choose_appointment_first(&self) -> String {
        self.pick("קודם בחרו תור:", "First choose the appointment:")
    }
}

/// The words that do not depend on a business's settings.
pub mod plain {
    use super::Lang;

    /// How to answer numbered options in text (Twilio): after slots, a day and time also do.
    pub fn text_hint(lang: Lang, times: bool) -> &'static str {
        match (lang, times) {
            (Lang::He, true) => "השיבו במספר, או כתבו יום ושעה אחרים.",
            (Lang::He, false) => "השיבו במספר.",
            (Lang::En, true) => "Reply with a number, or write another day and time.",
            (Lang::En, false) => "Reply with a number.",
        }
    }

    /// The footer under slot buttons (Meta), at most 60 characters.
    pub fn times_footer(lang: Lang) -> &'static str {
        match lang {
            Lang::He => "אפשר גם לכתוב יום ושעה",
            Lang::En => "Or write another day and time",
        }
    }

    /// The label of the button that opens a list (Meta), at most 20 characters.
    pub fn list_button(lang: Lang) -> &'static str {
        match lang {
            Lang::He => "בחירה",
            Lang::En => "Choose",
        }
    }

    /// What a customer hears when the dialogue cannot answer (a store or provider failure).
    pub fn apology(lang: Lang) -> &'static str {
        match lang {
            Lang::He => "מצטערים, משהו השתבש אצלנו. נסו שוב בעוד כמה דקות.",
            Lang::En => {
                "Sorry, something went wrong on our side. Please try again in a few minutes."
            }
        }
    }
}
