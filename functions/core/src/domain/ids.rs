//! Identifiers parsed at the edge. Past the edge, code trusts these types: an id never
//! contains the `#` used in store keys, a phone number is E.164.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} `{value}` is invalid: {reason}")]
pub struct ParseError {
    pub what: &'static str,
    pub value: String,
    pub reason: &'static str,
}

fn invalid(what: &'static str, value: &str, reason: &'static str) -> ParseError {
    ParseError {
        what,
        value: value.chars().take(80).collect(),
        reason,
    }
}

/// An E.164 phone number: `+` then 7 to 15 digits. `whatsapp:` prefixes (one or many) and
/// the spaces, dashes and brackets people type are removed when parsing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let mut rest = value.trim();
        while let Some(stripped) = rest
            .strip_prefix("whatsapp:")
            .or_else(|| rest.strip_prefix("WhatsApp:"))
        {
            rest = stripped.trim_start();
        }
        let mut digits = String::with_capacity(16);
        let mut chars = rest
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'));
        match chars.next() {
            Some('+') => {}
            _ => {
                return Err(invalid(
                    "phone number",
                    value,
                    "must start with + and a country code",
                ))
            }
        }
        for c in chars {
            if !c.is_ascii_digit() {
                return Err(invalid(
                    "phone number",
                    value,
                    "must contain only digits after +",
                ));
            }
            digits.push(c);
        }
        if !(7..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(invalid(
                "phone number",
                value,
                "must have 7 to 15 digits and no leading 0",
            ));
        }
        Ok(Self(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The WhatsApp address form, with exactly one `whatsapp:` prefix.
    pub fn whatsapp(&self) -> String {
        format!("whatsapp:{}", self.0)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parses a Twilio-style SID: a two-letter prefix then letters, digits, `_` or `-`
/// (real SIDs are the prefix and 32 hex digits; test tools use shorter ones).
fn parse_sid(what: &'static str, prefix: &str, value: &str) -> Result<String, ParseError> {
    let value = value.trim();
    if !value.starts_with(prefix) {
        return Err(invalid(what, value, "has the wrong prefix"));
    }
    if value.len() < prefix.len() + 1 || value.len() > 64 {
        return Err(invalid(what, value, "must be 3 to 64 characters"));
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(invalid(
            what,
            value,
            "must contain only letters, digits, _ and -",
        ));
    }
    Ok(value.to_string())
}

macro_rules! sid_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, ParseError> {
                parse_sid($what, $prefix, value).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

sid_type!(
    /// A Twilio call SID (`CA…`).
    CallSid,
    "CallSid",
    "CA"
);
sid_type!(
    /// A Twilio recording SID (`RE…`).
    RecordingSid,
    "RecordingSid",
    "RE"
);

/// A business's id: 1 to 64 lowercase letters, digits, `-` or `_`. It appears in URLs
/// (`/greetings/{id}.mp3`) and store keys.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BusinessId(String);

impl BusinessId {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let value = value.trim();
        if value.is_empty() || value.len() > 64 {
            return Err(invalid("business id", value, "must be 1 to 64 characters"));
        }
        if !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(invalid(
                "business id",
                value,
                "must be lowercase letters, digits, - or _",
            ));
        }
        Ok(Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BusinessId {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BusinessId> for String {
    fn from(value: BusinessId) -> Self {
        value.0
    }
}

impl fmt::Display for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_normalise_whatsapp_prefixes_once() {
        for raw in [
            "+972501234567",
            "whatsapp:+972501234567",
            "whatsapp:whatsapp:+972501234567",
            " +972-50-123-4567 ",
        ] {
            assert_eq!(
                PhoneNumber::parse(raw).unwrap().as_str(),
                "+972501234567",
                "{raw}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("+972501234567").unwrap().whatsapp(),
            "whatsapp:+972501234567"
        );
    }

    #[test]
    fn phone_numbers_without_country_code_or_with_letters_are_rejected() {
        for raw in [
            "0501234567",
            "972501234567",
            "+97250abc4567",
            "+12",
            "",
            "+0123456789",
        ] {
            assert!(PhoneNumber::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn sids_need_their_prefix_and_safe_characters() {
        assert!(CallSid::parse("CA0123456789abcdef0123456789abcdef").is_ok());
        assert!(CallSid::parse("CA_TEST_1").is_ok());
        assert!(CallSid::parse("RE123").is_err());
        assert!(CallSid::parse("CA#1").is_err());
        assert!(CallSid::parse("CA").is_err());
        assert!(RecordingSid::parse("RE123").is_ok());
    }

    #[test]
    fn business_ids_are_url_and_key_safe() {
        assert!(BusinessId::parse("acme-dental_2").is_ok());
        for bad in ["", "Acme", "a/b", "a#b", "a b"] {
            assert!(BusinessId::parse(bad).is_err(), "{bad}");
        }
    }
}
