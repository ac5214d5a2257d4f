//! Everything the phone dialogue says, in Hebrew and English. Short sentences, each option
//! with its key after it ("לתור מחר בשלוש אחר הצהריים הקישו 1"), days and times in words
//! ([`super::spoken`]): a caller cannot read a list and hangs up when lost.

use jiff::civil::Date;
use jiff::Timestamp;

use super::spoken::Spoken;
use crate::booking::dialogue::state::Lang;
use crate::domain::booking::engine::Slot;
use crate::domain::booking::settings::{BookingSettings, ServiceId};

/// The dialogue's sentences in one language, for one business and one moment.
pub struct Words<'a> {
    pub spoken: Spoken<'a>,
    pub settings: &'a BookingSettings,
}

impl Words<'_> {
    pub fn lang(&self) -> Lang {
        self.spoken.lang
    }

    fn pick(&self, he: &str, en: &str) -> String {
        match self.lang() {
            Lang::He => he,
            Lang::En => en,
        }
        .to_string()
    }

    /// A service's name (its id, if the business no longer offers it).
    pub fn service(&self, id: &ServiceId) -> String {
        self.settings.service(id).map_or_else(
            || id.to_string(),
            |s| s.name(self.lang().code()).to_string(),
        )
    }

    pub fn which_service(&self, services: &[ServiceId]) -> String {
        let mut text = self.pick("לאיזה שירות?", "Which service?");
        for (i, service) in services.iter().enumerate() {
            let (name, key) = (self.service(service), i + 1);
            text.push(' ');
            text.push_str(&self.pick(
                &format!("ל{name} הקישו {key}."),
                &format!("For {name}, press {key}."),
            ));
        }
        text.push(' ');
        text.push_str(plain::message_key(self.lang()));
        text
    }

    pub fn confirm(&self, slot: &Slot) -> String {
        let when = self.spoken.when_in_full(slot.start);
        self.pick(
            &format!("יש תור פנוי {when}. לאישור הקישו 1, לשעות אחרות הקישו 2."),
            &format!("There is a free time {when}. To book it, press 1. For other times, press 2."),
        )
    }

    /// The slots, one key each, then what else the caller may do. `keys`: speech failed, so
    /// the keypad is all that is offered.
    pub fn options(&self, slots: &[Slot], keys: bool) -> String {
        let mut lines: Vec<String> = slots
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let (when, key) = (self.spoken.when(slot.start), i + 1);
                self.pick(
                    &format!("לתור {when} הקישו {key}."),
                    &format!("For {when}, press {key}."),
                )
            })
            .collect();
        lines.push(self.pick("לשעות מאוחרות יותר הקישו 9.", "For later times, press 9."));
        if !keys {
            lines.push(self.pick(
                "אפשר גם לומר יום ושעה אחרים.",
                "Or say another day and time.",
            ));
        }
        lines.push(plain::message_key(self.lang()).to_string());
        lines.join(" ")
    }

    pub fn nearest(&self) -> String {
        self.pick("התורים הפנויים הקרובים:", "The nearest free times:")
    }

    pub fn on_day(&self, date: Date) -> String {
        let day = self.spoken.day(date);
        self.pick(
            &format!("{day} יש תורים פנויים:"),
            &format!("Free times {day}:"),
        )
    }

    pub fn none_on_day(&self, date: Date) -> String {
        let day = self.spoken.day(date);
        self.pick(
            &format!("{day} אין תורים פנויים. הקרובים ביותר:"),
            &format!("There are no free times {day}. The nearest:"),
        )
    }

    pub fn these_are_free(&self) -> String {
        self.pick("השעות האלה פנויות:", "These times are free:")
    }

    /// A time that cannot be booked, and why (the engine's reason, in words).
    pub fn refused(&self, at: Timestamp, reason: &str) -> String {
        format!("{} — {reason}.", self.spoken.when(at))
    }

    pub fn instead(&self) -> String {
        self.pick("אפשר במקום:", "Free times nearby:")
    }

    pub fn taken_meanwhile(&self, at: Timestamp) -> String {
        let when = self.spoken.when(at);
        self.pick(
            &format!("התור {when} נתפס הרגע."),
            &format!("{when} was just taken."),
        )
    }

    pub fn other_times(&self) -> String {
        self.pick("שעות פנויות אחרות:", "Other free times:")
    }

    pub fn no_later(&self) -> String {
        self.pick(
            "אין שעות פנויות מאוחרות יותר.",
            "There are no later free times.",
        )
    }

    pub fn no_slots(&self) -> String {
        self.pick(
            "אין כרגע תורים פנויים. אפשר להשאיר הודעה.",
            "There are no free times at the moment. You can leave a message.",
        )
    }

    /// What the caller hears once booked, before the line closes.
    pub fn booked(&self, service: &ServiceId, at: Timestamp) -> String {
        let (service, when) = (self.service(service), self.spoken.when_in_full(at));
        self.pick(
            &format!("התור נקבע: {service}, {when}. להתראות."),
            &format!("You're booked: {service}, {when}. Goodbye."),
        )
    }

    pub fn silence(&self) -> String {
        self.pick("לא שמעתי.", "I didn't hear anything.")
    }

    pub fn not_understood(&self) -> String {
        self.pick("לא הבנתי.", "Sorry, I didn't catch that.")
    }

    pub fn by_keys(&self) -> String {
        self.pick(
            "לא הצלחתי להבין. אפשר לבחור בהקשה.",
            "Sorry, I couldn't understand. Please choose with the keypad.",
        )
    }

    pub fn no_such_option(&self) -> String {
        self.pick("אין אפשרות כזו.", "There is no such option.")
    }
}

/// What is said whatever the business's settings and the moment.
pub mod plain {
    use super::Lang;

    /// What a reminder call says: who calls, the appointment in words, and the two keys.
    pub fn reminder_call(lang: Lang, business: &str, service: &str, when: &str) -> String {
        match lang {
            Lang::He => format!(
                "שלום, כאן {business}. תזכורת לתור ל{service} {when}. לאישור הקישו 1, לביטול הקישו 2."
            ),
            Lang::En => format!(
                "Hello, this is {business}. A reminder of your {service} appointment {when}. To confirm, press 1. To cancel, press 2."
            ),
        }
    }

    pub fn welcome(lang: Lang) -> &'static str {
        match lang {
            Lang::He => "שלום.",
            Lang::En => "Hello.",
        }
    }

    /// The opening menu.
    pub fn menu(lang: Lang) -> &'static str {
        match lang {
            Lang::He => {
                "לקביעת תור אמרו יום ושעה, למשל: מחר בשלוש. לתורים הפנויים הקרובים הקישו 1. \
                 להשארת הודעה הקישו 0."
            }
            Lang::En => {
                "To book, say a day and time, for example: tomorrow at three. For the nearest \
                 free times, press 1. To leave a message, press 0."
            }
        }
    }

    pub fn message_key(lang: Lang) -> &'static str {
        match lang {
            Lang::He => "להשארת הודעה הקישו 0.",
            Lang::En => "To leave a message, press 0.",
        }
    }

    /// Speech recognition hints: the words of days and hours the caller is asked for.
    pub fn hints(lang: Lang) -> &'static str {
        match lang {
            Lang::He => {
                "היום, מחר, מחרתיים, ראשון, שני, שלישי, רביעי, חמישי, שישי, שבת, אחת, שתיים, \
                 שלוש, ארבע, חמש, שש, שבע, שמונה, תשע, עשר, אחת עשרה, שתים עשרה, ורבע, וחצי, \
                 רבע ל, בבוקר, בצהריים, אחר הצהריים, בערב, כן, לא"
            }
            Lang::En => {
                "today, tomorrow, Sunday, Monday, Tuesday, Wednesday, Thursday, Friday, \
                 Saturday, one, two, three, four, five, six, seven, eight, nine, ten, eleven, \
                 twelve, thirty, a quarter past, half past, a quarter to, in the morning, in the \
                 afternoon, in the evening, yes, no"
            }
        }
    }
}
