//! ISBN check digits, kept local so the fake server does not depend on the crate it tests.

/// Normalises an ISBN-10 or ISBN-13 to its 13-digit form, or `None` if it is not a valid ISBN.
pub(crate) fn to_isbn13(value: &str) -> Option<String> {
    let cleaned: String =
        value.chars().filter(|c| *c != '-' && *c != ' ').map(|c| c.to_ascii_uppercase()).collect();
    match cleaned.len() {
        10 if is_valid_isbn10(&cleaned) => complete_isbn13(&format!("978{}", &cleaned[..9])),
        13 if is_valid_isbn13(&cleaned) => Some(cleaned),
        _ => None,
    }
}

/// The ISBN-10 form of a `978` ISBN-13, if it has one.
pub(crate) fn to_isbn10(isbn13: &str) -> Option<String> {
    let body = isbn13.strip_prefix("978")?.get(..9)?;
    let sum: u32 =
        body.chars().zip((2..=10).rev()).map(|(c, w)| c.to_digit(10).map_or(0, |d| d * w)).sum();
    let check = (11 - sum % 11) % 11;
    let digit = if check == 10 { 'X' } else { char::from_digit(check, 10)? };
    Some(format!("{body}{digit}"))
}

/// `first12` with its ISBN-13 check digit appended, or `None` unless it is 12 digits.
pub fn complete_isbn13(first12: &str) -> Option<String> {
    Some(format!("{first12}{}", isbn13_check_digit(first12)?))
}

/// The check digit of the first 12 digits of an ISBN-13.
pub(crate) fn isbn13_check_digit(first12: &str) -> Option<char> {
    if first12.len() != 12 {
        return None;
    }
    let mut sum = 0u32;
    for (i, c) in first12.chars().enumerate() {
        let d = c.to_digit(10)?;
        sum += if i % 2 == 0 { d } else { d * 3 };
    }
    char::from_digit((10 - sum % 10) % 10, 10)
}

fn is_valid_isbn13(s: &str) -> bool {
    (s.starts_with("978") || s.starts_with("979"))
        && s.chars().all(|c| c.is_ascii_digit())
        && isbn13_check_digit(&s[..12]) == s.chars().nth(12)
}

fn is_valid_isbn10(s: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in s.chars().enumerate() {
        let d = match (i, c) {
            (9, 'X') => 10,
            _ => match c.to_digit(10) {
                Some(d) => d,
                None => return false,
            },
        };
        sum += d * (10 - u32::try_from(i).unwrap_or(0));
    }
    sum % 11 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_and_validates() {
        assert_eq!(to_isbn13("0140328726").as_deref(), Some("9780140328721"));
        assert_eq!(to_isbn13("978-0-14-032872-1").as_deref(), Some("9780140328721"));
        assert_eq!(to_isbn13("043906487X"), None, "wrong check digit");
        assert_eq!(to_isbn13("9780140328722"), None);
        assert_eq!(to_isbn10("9780439064873").as_deref(), Some("0439064872"));
        assert_eq!(to_isbn10("9780064471831").as_deref(), Some("0064471837"));
        assert_eq!(to_isbn10("9790000000001"), None);
    }
}
