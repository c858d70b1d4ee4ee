//! ISBN-10 and ISBN-13: check-digit validation and conversion.
//!
//! Lookups always use the validated ISBN-13 form; an ISBN-10 converts to its
//! `978`-prefixed ISBN-13. An ISBN whose check digit is wrong is an error to
//! report, never a number to send to a catalogue.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a string is not a valid ISBN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IsbnError {
    /// After removing hyphens and spaces the value is not 10 or 13 characters long.
    #[error("ISBN {value:?} has {len} characters; an ISBN has 10 or 13")]
    Length {
        /// The value as given.
        value: String,
        /// Its length after removing separators.
        len: usize,
    },
    /// A character other than a digit (or a final `X` in an ISBN-10).
    #[error("ISBN {value:?} contains {found:?}, which is not a digit")]
    InvalidCharacter {
        /// The value as given.
        value: String,
        /// The offending character.
        found: char,
    },
    /// The check digit does not match the other digits.
    #[error("ISBN {value:?} has check digit {found}, expected {expected}")]
    CheckDigit {
        /// The value as given.
        value: String,
        /// The check digit computed from the other digits.
        expected: char,
        /// The check digit in the value.
        found: char,
    },
    /// An ISBN-13 that does not start with the `978` or `979` book prefix.
    #[error("ISBN {value:?} does not start with 978 or 979")]
    Prefix {
        /// The value as given.
        value: String,
    },
}

/// A validated ISBN, stored as its 13-digit form.
///
/// ```
/// use bookenrich_core::Isbn;
/// let isbn: Isbn = "0-14-032872-6".parse()?;
/// assert_eq!(isbn.as_isbn13(), "9780140328721");
/// assert_eq!(isbn.to_isbn10().as_deref(), Some("0140328726"));
/// # Ok::<(), bookenrich_core::IsbnError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Isbn([u8; 13]);

impl Isbn {
    /// Parses an ISBN-10 or ISBN-13, ignoring hyphens and spaces, checking the check digit.
    pub fn parse(value: &str) -> Result<Self, IsbnError> {
        let mut chars = [0u8; 13];
        let mut len = 0usize;
        for c in value.chars() {
            if c == '-' || c == ' ' {
                continue;
            }
            if len < 13 {
                chars[len] = u8::try_from(c.to_ascii_uppercase()).unwrap_or(b'?');
            }
            len += 1;
        }
        match len {
            10 => Self::parse10(value, &chars[..10]),
            13 => Self::parse13(value, &chars),
            _ => Err(IsbnError::Length { value: value.to_owned(), len }),
        }
    }

    fn parse10(value: &str, chars: &[u8]) -> Result<Self, IsbnError> {
        let mut sum = 0u32;
        // Weights 10 down to 2 for the first nine characters.
        for (&c, weight) in chars[..9].iter().zip((2..=10u32).rev()) {
            sum += weight * digit(value, c)?;
        }
        let expected = (11 - sum % 11) % 11;
        let expected_char = if expected == 10 { 'X' } else { char::from(b'0' + expected as u8) };
        let found = char::from(chars[9]);
        if found != 'X' {
            digit(value, chars[9])?;
        }
        if found != expected_char {
            return Err(IsbnError::CheckDigit {
                value: value.to_owned(),
                expected: expected_char,
                found,
            });
        }
        let mut out = [0u8; 13];
        out[..3].copy_from_slice(b"978");
        out[3..12].copy_from_slice(&chars[..9]);
        out[12] = check13(&out[..12]);
        Ok(Self(out))
    }

    fn parse13(value: &str, chars: &[u8; 13]) -> Result<Self, IsbnError> {
        for &c in chars {
            digit(value, c)?;
        }
        if !(chars.starts_with(b"978") || chars.starts_with(b"979")) {
            return Err(IsbnError::Prefix { value: value.to_owned() });
        }
        let expected = check13(&chars[..12]);
        if expected != chars[12] {
            return Err(IsbnError::CheckDigit {
                value: value.to_owned(),
                expected: char::from(expected),
                found: char::from(chars[12]),
            });
        }
        Ok(Self(*chars))
    }

    /// The 13-digit form, e.g. `9780140328721`.
    pub fn as_isbn13(&self) -> &str {
        // The array only ever holds ASCII digits.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The 10-character form, when the ISBN has the `978` prefix (a `979` ISBN has none).
    pub fn to_isbn10(&self) -> Option<String> {
        if !self.0.starts_with(b"978") {
            return None;
        }
        let body = &self.0[3..12];
        let sum: u32 =
            body.iter().zip((2..=10u32).rev()).map(|(&c, w)| w * u32::from(c - b'0')).sum();
        let check = (11 - sum % 11) % 11;
        let mut s = String::with_capacity(10);
        s.push_str(std::str::from_utf8(body).unwrap_or_default());
        s.push(if check == 10 { 'X' } else { char::from(b'0' + check as u8) });
        Some(s)
    }
}

fn digit(value: &str, c: u8) -> Result<u32, IsbnError> {
    if c.is_ascii_digit() {
        Ok(u32::from(c - b'0'))
    } else {
        Err(IsbnError::InvalidCharacter { value: value.to_owned(), found: char::from(c) })
    }
}

fn check13(first12: &[u8]) -> u8 {
    let sum: u32 = first12
        .iter()
        .enumerate()
        .map(|(i, &c)| u32::from(c - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    b'0' + ((10 - sum % 10) % 10) as u8
}

impl FromStr for Isbn {
    type Err = IsbnError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Isbn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_isbn13())
    }
}

impl fmt::Debug for Isbn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Isbn({})", self.as_isbn13())
    }
}

impl Serialize for Isbn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_isbn13())
    }
}

impl<'de> Deserialize<'de> for Isbn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn10_converts_to_978_isbn13() {
        for (ten, thirteen) in [
            ("0374104093", "9780374104092"),
            ("1447273303", "9781447273301"),
            ("0140328726", "9780140328721"),
            ("0439064872", "9780439064873"),
            ("059035342X", "9780590353427"),
            ("059035342x", "9780590353427"),
            ("0-06-447183-7", "9780064471831"),
        ] {
            let isbn = Isbn::parse(ten).unwrap();
            assert_eq!(isbn.as_isbn13(), thirteen, "{ten}");
            assert_eq!(isbn.to_isbn10().unwrap(), ten.replace('-', "").to_uppercase());
        }
    }

    #[test]
    fn isbn13_round_trips() {
        let isbn = Isbn::parse("978-0-7653-2635-5").unwrap();
        assert_eq!(isbn.to_string(), "9780765326355");
        assert_eq!(isbn.to_isbn10().as_deref(), Some("0765326353"));
        let isbn979 = Isbn::parse("9791032300824").unwrap();
        assert_eq!(isbn979.to_isbn10(), None);
    }

    #[test]
    fn wrong_check_digits_are_rejected() {
        assert_eq!(
            Isbn::parse("0374104094").unwrap_err().to_string(),
            "ISBN \"0374104094\" has check digit 4, expected 3"
        );
        assert_eq!(
            Isbn::parse("9780374104093").unwrap_err().to_string(),
            "ISBN \"9780374104093\" has check digit 3, expected 2"
        );
        assert!(matches!(
            Isbn::parse("0590353420"),
            Err(IsbnError::CheckDigit { expected: 'X', .. })
        ));
    }

    #[test]
    fn the_contract_fixture_isbn10_of_harry_potter_has_a_wrong_check_digit() {
        // goodreads_edge_cases.csv carries 043906487X beside the valid 9780439064873.
        assert!(matches!(
            Isbn::parse("043906487X"),
            Err(IsbnError::CheckDigit { expected: '2', found: 'X', .. })
        ));
    }

    #[test]
    fn malformed_values_are_rejected() {
        assert!(matches!(Isbn::parse(""), Err(IsbnError::Length { len: 0, .. })));
        assert!(matches!(Isbn::parse("12345"), Err(IsbnError::Length { len: 5, .. })));
        assert!(matches!(Isbn::parse("97803741040921"), Err(IsbnError::Length { len: 14, .. })));
        assert!(matches!(
            Isbn::parse("03741X4093"),
            Err(IsbnError::InvalidCharacter { found: 'X', .. })
        ));
        assert!(matches!(Isbn::parse("978037410409X"), Err(IsbnError::InvalidCharacter { .. })));
        assert!(matches!(Isbn::parse("1234567890128"), Err(IsbnError::Prefix { .. })));
        assert!(matches!(
            Isbn::parse("ISBN037410409"),
            Err(IsbnError::InvalidCharacter { found: 'I', .. })
        ));
        assert!(matches!(Isbn::parse("037410409é"), Err(IsbnError::InvalidCharacter { .. })));
    }

    #[test]
    fn serde_uses_the_13_digit_form() {
        let isbn = Isbn::parse("0140328726").unwrap();
        assert_eq!(serde_json::to_string(&isbn).unwrap(), "\"9780140328721\"");
        let back: Isbn = serde_json::from_str("\"0140328726\"").unwrap();
        assert_eq!(back, isbn);
        assert!(serde_json::from_str::<Isbn>("\"0140328727\"").is_err());
    }
}
