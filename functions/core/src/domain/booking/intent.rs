//! What a customer's message asks for, in Hebrew or English: to book, cancel or change an
//! appointment, to pick one of the options offered, or to say yes or no. The day and time in
//! the same message are [`crate::domain::booking::when::understand`]'s business.
//!
//! # Precedence
//!
//! 1. **Choice**: the whole message picks an option (`2`, `2.`, `אפשרות 2`, `option 2`,
//!    `השנייה`, `the second`), so a number alone is never read as anything else.
//! 2. **Cancel**, unless negated (`לא לבטל`, `don't cancel` are a **No**), and unless a change
//!    word is also there (`לבטל ולקבוע מחדש`, `cancel and reschedule` are a **Change**).
//! 3. **Change**, over Book: `להזיז את התור` names the appointment but moves it.
//! 4. **Book**: `לבטל את התור` is a Cancel, not a Book, because of 2.
//! 5. **Yes** / **No**: only a short message made of yes/no words and politeness
//!    (`כן`, `כן תודה`, `לא מתאים`, `ok 👍`); any negation makes it a No.
//! 6. **Other**: everything else, including greetings and a lone day or time.

use serde::{Deserialize, Serialize};

use crate::domain::booking::when::text::{listed, lookup, tokens, unprefixed};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Intent {
    Book,
    Cancel,
    Change,
    /// One of the offered options, 1–9.
    Choice(u8),
    Yes,
    No,
    Other,
}

/// Prefixes a Hebrew verb or noun takes here: `ו`, `ה`, `ל`, `ב`, `ש` and their pairs.
const PREFIXES: &[&str] = &["וה", "ול", "וב", "וש", "שה", "ו", "ה", "ל", "ב", "ש"];

const CANCEL: &str = "ביטול בטל לבטל תבטל תבטלי תבטלו מבטל מבטלת מבטלים מבטלות אבטל נבטל בטלו \
    ביטלתי יבוטל בוטל מבוטל cancel cancelled canceled cancelling canceling cancellation unbook";

/// Words that ask for a change on their own.
const CHANGE: &str = "שינוי לשנות תשנה תשני אשנה להזיז תזיז תזיזי אזיז הזזה לדחות תדחה תדחי \
    דחייה להקדים תקדים תקדימי הקדמה change reschedule rescheduling rebook postpone מזיז מזיזה";

/// Words that ask for a change only next to an appointment word (`להעביר את התור`,
/// `move my appointment`) or a cancel word (`לבטל ולקבוע מחדש`).
const CHANGE_WITH_BOOK: &str = "להעביר תעביר מחדש move";

const BOOK: &str = "תור תורים לקבוע תקבע תקבעי תקבעו קבע קבעי קביעת קביעה אקבע נקבע להזמין \
    הזמנה פגישה פנוי פנויה פנויים פנויות book booking appointment appointments appt schedule \
    reserve reservation slot slots available";

const YES: &str = "כן אישור מאשר מאשרת מאשרים מאושר בסדר סבבה אוקיי אוקי נכון בטח בדיוק מתאים \
    מתאימה מעולה yes yep yeah yup y ok okay k sure confirm confirmed correct perfect";

const NO: &str = "לא no nope nah n";

/// Before a cancel word, these make it "don't cancel".
const NEGATION: &str = "לא אל dont don't not";

/// Politeness that does not change a yes, a no or a choice.
const FILLER: &str = "תודה רבה בבקשה לגמרי אני רוצה את אקח please thanks thank you the i'll \
    take it";

const YES_EMOJI: [char; 4] = ['👍', '✅', '👌', '✔'];
const NO_EMOJI: [char; 3] = ['👎', '❌', '✖'];

const CHOICE_WORDS: &str = "אפשרות האפשרות אופציה מספר option number";

/// Alone they need `ה` (`השנייה`); a bare `שנייה` is "one moment".
const HEBREW_ORDINALS: [(&str, u8); 9] = [
    ("ראשונה ראשון", 1),
    ("שנייה שניה שני", 2),
    ("שלישית שלישי", 3),
    ("רביעית רביעי", 4),
    ("חמישית", 5),
    ("שישית", 6),
    ("שביעית", 7),
    ("שמינית", 8),
    ("תשיעית", 9),
];

const ENGLISH_ORDINALS: [(&str, u8); 5] = [
    ("first 1st", 1),
    ("second 2nd", 2),
    ("third 3rd", 3),
    ("fourth 4th", 4),
    ("fifth 5th", 5),
];

/// Only after `אפשרות`/`option`.
const COUNTS: [(&str, u8); 5] = [
    ("אחת one", 1),
    ("שתיים שתים two", 2),
    ("שלוש three", 3),
    ("ארבע four", 4),
    ("חמש five", 5),
];

/// Whether any of `words`, with or without a Hebrew prefix, is in `list`.
fn has(words: &[String], list: &str) -> bool {
    words.iter().any(|w| is_in(w, list))
}

fn is_in(word: &str, list: &str) -> bool {
    unprefixed(word, PREFIXES).any(|(_, rest)| listed(list, rest))
}

fn find(table: &[(&str, u8)], word: &str) -> Option<u8> {
    lookup(word, &[], table).map(|(_, n)| n)
}

/// What `text` asks for (see the module docs for which wins when it says several things).
pub fn intent(text: &str) -> Intent {
    let words = tokens(text);
    if let Some(n) = choice(&words) {
        return Intent::Choice(n);
    }
    let book = has(&words, BOOK);
    let change = has(&words, CHANGE);
    let change_with = has(&words, CHANGE_WITH_BOOK);
    if let Some(i) = words.iter().position(|w| is_in(w, CANCEL)) {
        return if i > 0 && listed(NEGATION, &words[i - 1]) {
            Intent::No
        } else if change || change_with {
            Intent::Change
        } else {
            Intent::Cancel
        };
    }
    if change || (change_with && book) {
        Intent::Change
    } else if book {
        Intent::Book
    } else {
        yes_or_no(text, &words)
    }
}

/// The option picked when the whole message is a pick.
fn choice(words: &[String]) -> Option<u8> {
    let mut words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| !listed(FILLER, w))
        .collect();
    // `the second one`
    if words.len() > 1 && words.last() == Some(&"one") {
        words.pop();
    }
    let number = |w: &str| {
        w.parse::<u8>()
            .ok()
            .filter(|n| (1..=9).contains(n) && w.len() == 1)
    };
    match words.as_slice() {
        [w] => number(w)
            .or_else(|| find(&HEBREW_ORDINALS, w.strip_prefix('ה')?))
            .or_else(|| find(&ENGLISH_ORDINALS, w)),
        [c, w] if listed(CHOICE_WORDS, c) => number(w)
            .or_else(|| find(&HEBREW_ORDINALS, w.strip_prefix('ה').unwrap_or(w)))
            .or_else(|| find(&ENGLISH_ORDINALS, w))
            .or_else(|| find(&COUNTS, w)),
        _ => None,
    }
}

fn yes_or_no(text: &str, words: &[String]) -> Intent {
    let yes_emoji = text.chars().any(|c| YES_EMOJI.contains(&c));
    let no_emoji = text.chars().any(|c| NO_EMOJI.contains(&c));
    let known = words.len() <= 6
        && words
            .iter()
            .all(|w| listed(YES, w) || listed(NO, w) || listed(NEGATION, w) || listed(FILLER, w));
    if !known || (yes_emoji && no_emoji) {
        return Intent::Other;
    }
    let no = no_emoji || words.iter().any(|w| listed(NO, w) || listed(NEGATION, w));
    let yes = yes_emoji || words.iter().any(|w| listed(YES, w));
    match (yes, no) {
        (_, true) => Intent::No,
        (true, false) => Intent::Yes,
        (false, false) => Intent::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_intent_in_both_languages() {
        for (text, expected) in [
            ("אפשר לקבוע תור?", Intent::Book),
            ("אני רוצה תור למחר", Intent::Book),
            ("I'd like an appointment", Intent::Book),
            ("book", Intent::Book),
            ("קביעת תור", Intent::Book),
            ("תור", Intent::Book),
            ("יש לכם משהו פנוי ביום שלישי?", Intent::Book),
            ("ביטול", Intent::Cancel),
            ("לבטל", Intent::Cancel),
            ("cancel", Intent::Cancel),
            ("לבטל את התור", Intent::Cancel),
            ("I need to cancel my appointment", Intent::Cancel),
            ("שינוי", Intent::Change),
            ("להזיז", Intent::Change),
            ("change", Intent::Change),
            ("reschedule", Intent::Change),
            ("אפשר להזיז את התור למחר?", Intent::Change),
            ("can I change my appointment?", Intent::Change),
            ("לבטל ולקבוע מחדש", Intent::Change),
            ("cancel and reschedule", Intent::Change),
            ("can you move my appointment to friday?", Intent::Change),
            ("1", Intent::Choice(1)),
            ("1.", Intent::Choice(1)),
            ("9", Intent::Choice(9)),
            ("אפשרות 2", Intent::Choice(2)),
            ("option 2", Intent::Choice(2)),
            ("the second", Intent::Choice(2)),
            ("השנייה", Intent::Choice(2)),
            ("האפשרות השלישית", Intent::Choice(3)),
            ("כן", Intent::Yes),
            ("אישור", Intent::Yes),
            ("מאשר", Intent::Yes),
            ("מאשרת", Intent::Yes),
            ("yes", Intent::Yes),
            ("OK", Intent::Yes),
            ("👍", Intent::Yes),
            ("כן, תודה!", Intent::Yes),
            ("לא", Intent::No),
            ("no", Intent::No),
            ("לא מתאים", Intent::No),
            ("לא לבטל", Intent::No),
            ("don't cancel", Intent::No),
            ("שלום", Intent::Other),
            ("", Intent::Other),
            ("10", Intent::Other),
            ("0", Intent::Other),
            ("שנייה", Intent::Other),
            ("מחר בשלוש", Intent::Other),
            ("👍👎", Intent::Other),
            ("I'd like to reschedule please", Intent::Change),
            ("להעביר את התור ליום רביעי", Intent::Change),
            ("I'd like another appointment", Intent::Book),
            ("option two", Intent::Choice(2)),
            ("the second one", Intent::Choice(2)),
            ("אני רוצה את 3", Intent::Choice(3)),
            ("לא, תודה", Intent::No),
            ("תקבע לי למחר בשמונה", Intent::Book),
        ] {
            assert_eq!(intent(text), expected, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_text(text in proptest::prelude::any::<String>()) {
            let _ = intent(&text);
        }
    }
}
