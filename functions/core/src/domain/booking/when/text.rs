//! One spelling for the many ways the same word arrives: typed on a phone, pasted from a
//! calendar, or written out by speech-to-text. Shared by the day-and-time reader and by
//! `intent`.

/// Words past this many are not read: a booking request is a sentence or two, and a bound
/// keeps every later pass cheap whatever is pasted in.
const MAX_TOKENS: usize = 200;

/// Prefix letters that keyboards and speech-to-text sometimes split off with a maqaf or a
/// hyphen (`ב-3`, `ל־ארבע`); they are glued back onto the next word.
const LONE_PREFIXES: &str = "ב ל מ ה וב ול ומ";

/// `יום` in its prefixed forms: after it a lone letter is a weekday (`יום ב`), not a prefix.
pub(crate) const DAY_WORDS: &str = "יום ביום ליום מיום וביום וליום ומיום";

/// The text lowercased, without niqqud, cantillation or direction marks, with both kinds of
/// geresh and gershayim folded to `'` and `"`, and every dash (maqaf included) a space.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // Direction, joiner and other invisible formatting marks.
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
            | '\u{00AD}' => {}
            // Niqqud and cantillation; maqaf (05BE), paseq (05C0), sof pasuq (05C3) and nun
            // hafukha (05C6) are punctuation and handled below or as separators.
            '\u{0591}'..='\u{05BD}'
            | '\u{05BF}'
            | '\u{05C1}'
            | '\u{05C2}'
            | '\u{05C4}'
            | '\u{05C5}'
            | '\u{05C7}' => {}
            '\u{05F3}' | '\u{2018}' | '\u{2019}' | '\u{201B}' | '`' | '\u{00B4}' => out.push('\''),
            '\u{05F4}' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' => out.push('"'),
            '\u{05BE}' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '_' => out.push(' '),
            '@' => out.push_str(" at "),
            _ => out.extend(c.to_lowercase()),
        }
    }
    // Two gereshes typed for gershayim (`אחה''צ`).
    out.replace("''", "\"")
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || c.is_ascii_digit() || matches!(c, ':' | '.' | '/' | '\'' | '"')
}

fn is_hebrew(c: char) -> bool {
    ('\u{05D0}'..='\u{05EA}').contains(&c)
}

/// The words of `text`, cleaned (see [`clean`]): punctuation, emoji and symbols separate
/// words; `:`, `.`, `/` and quotes stay inside one (`15:00`, `25.11`, `o'clock`) but are
/// trimmed from its ends; a Hebrew word loses its geresh and gershayim (`ג׳` is `ג`,
/// `אחה״צ` is `אחהצ`).
pub(crate) fn tokens(text: &str) -> Vec<String> {
    let cleaned = clean(text);
    let mut words: Vec<String> = Vec::new();
    for raw in cleaned.split(|c: char| !is_word_char(c)) {
        if words.len() >= MAX_TOKENS {
            break;
        }
        let trimmed = raw.trim_matches(|c: char| matches!(c, ':' | '.' | '/' | '\'' | '"'));
        if trimmed.is_empty() {
            continue;
        }
        let word: String = if trimmed.chars().any(is_hebrew) {
            trimmed
                .chars()
                .filter(|c| !matches!(c, '\'' | '"'))
                .collect()
        } else {
            trimmed.to_string()
        };
        if word.is_empty() {
            continue;
        }
        words.push(word);
    }
    glue_prefixes(words)
}

/// `ב 3` (from `ב-3`) is `ב3`; but `יום ב` stays two words (Monday).
fn glue_prefixes(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut pending: Option<String> = None;
    for word in words {
        if let Some(prefix) = pending.take() {
            out.push(prefix + &word);
            continue;
        }
        let after_day_word = out.last().is_some_and(|w| listed(DAY_WORDS, w));
        if listed(LONE_PREFIXES, &word) && !after_day_word {
            pending = Some(word);
        } else {
            out.push(word);
        }
    }
    out.extend(pending);
    out
}

/// `word` as written, then `word` without each of `prefixes` it starts with (longest listed
/// first is the caller's choice), each with the prefix taken off.
pub(crate) fn unprefixed<'a>(
    word: &'a str,
    prefixes: &'static [&'static str],
) -> impl Iterator<Item = (&'static str, &'a str)> + 'a {
    std::iter::once(("", word)).chain(prefixes.iter().filter_map(move |p| {
        word.strip_prefix(p)
            .filter(|r| !r.is_empty())
            .map(|r| (*p, r))
    }))
}

/// Whether `word` is one of the space-separated words of `list`.
pub(crate) fn listed(list: &str, word: &str) -> bool {
    list.split_whitespace().any(|w| w == word)
}

/// The value of the first entry of `table` (space-separated spellings, value) that `word`,
/// or `word` without one of `prefixes`, spells; with the prefix taken off.
pub(crate) fn lookup<T: Copy>(
    word: &str,
    prefixes: &'static [&'static str],
    table: &[(&str, T)],
) -> Option<(&'static str, T)> {
    unprefixed(word, prefixes).find_map(|(prefix, rest)| {
        table
            .iter()
            .find(|(spellings, _)| listed(spellings, rest))
            .map(|(_, v)| (prefix, *v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_niqqud_and_dashes_are_folded() {
        assert_eq!(tokens("\u{200F}מָחָר ב־3\u{200E}"), ["מחר", "ב3"]);
        assert_eq!(tokens("יום ג׳ ב-10"), ["יום", "ג", "ב10"]);
        assert_eq!(tokens("אחה״צ, אחה\"צ; אחה''צ"), ["אחהצ", "אחהצ", "אחהצ"]);
        assert_eq!(tokens("At 10:30AM."), ["at", "10:30am"]);
        assert_eq!(tokens("👍 25.11, 15.30!"), ["25.11", "15.30"]);
        assert_eq!(tokens("יום ב 3"), ["יום", "ב", "3"]);
        assert!(tokens("").is_empty());
    }

    #[test]
    fn prefixes_come_off_one_at_a_time() {
        let table = [("שלוש שלושה", 3)];
        assert_eq!(lookup("בשלוש", &["ב", "ל"], &table), Some(("ב", 3)));
        assert_eq!(lookup("שלוש", &["ב"], &table), Some(("", 3)));
        assert_eq!(lookup("בשלושה", &["ב"], &table), Some(("ב", 3)));
        assert_eq!(lookup("ב", &["ב"], &table), None);
    }
}
