//! The one `application/x-www-form-urlencoded` parser.
//!
//! Strict where lenient parsers guess: invalid percent-encoding and invalid UTF-8 are errors
//! (a lenient parser would sign and store different bytes than Twilio sent), `+` is a space,
//! and every pair is kept in order, repeated keys included, because the signature covers them all.

use std::fmt;

/// Decoded form pairs in the order received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormParams(Vec<(String, String)>);

impl FormParams {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// Every pair, as signed.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `key`, if it is not empty after trimming.
    pub fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Every value of `key`, in order.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Encodes the pairs as a form body (used by the CLI and tests to build signed requests).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, (key, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            encode_component(key, &mut out);
            out.push('=');
            encode_component(value, &mut out);
        }
        out
    }
}

/// Why a body is not a valid form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormError {
    /// A `%` not followed by two hex digits, at this byte offset.
    BadPercentEncoding(usize),
    /// A decoded key or value that is not UTF-8.
    NotUtf8,
    /// A segment with no `=`, or an empty key: not form data.
    NotAPair(usize),
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadPercentEncoding(at) => write!(f, "invalid percent-encoding at byte {at}"),
            Self::NotUtf8 => f.write_str("form value is not valid UTF-8"),
            Self::NotAPair(at) => write!(f, "body is not form-encoded (no key=value at byte {at})"),
        }
    }
}

/// Parses a form body or a raw query string.
pub fn parse(input: &[u8]) -> Result<FormParams, FormError> {
    let mut pairs = Vec::new();
    let mut offset = 0;
    for segment in input.split(|&b| b == b'&') {
        let start = offset;
        offset += segment.len() + 1;
        if segment.is_empty() {
            continue;
        }
        let eq = segment
            .iter()
            .position(|&b| b == b'=')
            .filter(|&i| i > 0)
            .ok_or(FormError::NotAPair(start))?;
        let key = decode(&segment[..eq], start)?;
        let value = decode(&segment[eq + 1..], start + eq + 1)?;
        pairs.push((key, value));
    }
    Ok(FormParams(pairs))
}

fn decode(raw: &[u8], base: usize) -> Result<String, FormError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = raw.get(i + 1).and_then(|b| hex_value(*b));
                let lo = raw.get(i + 2).and_then(|b| hex_value(*b));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err(FormError::BadPercentEncoding(base + i)),
                }
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| FormError::NotUtf8)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `value` escaped as one key or value of a form, as [`FormParams::encode`] writes it.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    encode_component(value, &mut out);
    out
}

fn encode_component(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_is_a_space_and_percent_escapes_decode_as_utf8() {
        let form =
            parse("Body=%D7%A9%D7%9C%D7%95%D7%9D+world&From=%2B972500000000".as_bytes()).unwrap();
        assert_eq!(form.get("Body"), Some("שלום world"));
        assert_eq!(form.get("From"), Some("+972500000000"));
    }

    #[test]
    fn repeated_keys_are_all_kept_in_order() {
        let form = parse(b"Digits=1&Sid=2&Digits=3").unwrap();
        assert_eq!(form.all("Digits").collect::<Vec<_>>(), ["1", "3"]);
        assert_eq!(form.pairs().len(), 3);
    }

    #[test]
    fn empty_values_and_empty_segments_are_fine() {
        let form = parse(b"Body=&&CallerName=").unwrap();
        assert_eq!(form.get("Body"), Some(""));
        assert_eq!(form.non_empty("CallerName"), None);
        assert!(parse(b"").unwrap().is_empty());
    }

    #[test]
    fn invalid_percent_encoding_is_an_error_with_its_offset() {
        assert_eq!(parse(b"a=1&b=%zz"), Err(FormError::BadPercentEncoding(6)));
        assert_eq!(parse(b"a=%4"), Err(FormError::BadPercentEncoding(2)));
    }

    #[test]
    fn invalid_utf8_is_an_error() {
        assert_eq!(parse(b"a=%FF%FE"), Err(FormError::NotUtf8));
        assert_eq!(parse(b"a=\xff"), Err(FormError::NotUtf8));
    }

    #[test]
    fn json_is_not_a_form() {
        assert!(matches!(
            parse(br#"{"CallSid":"CA1"}"#),
            Err(FormError::NotAPair(0))
        ));
        assert!(matches!(parse(b"=value"), Err(FormError::NotAPair(0))));
    }

    #[test]
    fn encode_then_parse_round_trips() {
        let pairs = vec![
            ("Body".to_string(), "a b&c=d+e%f/שלום".to_string()),
            ("From".to_string(), "whatsapp:+972500000000".to_string()),
        ];
        let form = FormParams::from_pairs(pairs.clone());
        assert_eq!(
            parse(form.encode().as_bytes()).unwrap().pairs(),
            pairs.as_slice()
        );
    }
}
