//! The answers of a lookup written in another language (a Python or JavaScript source).
//!
//! Such a lookup may fail as a whole, return the wrong number of results, or give a result
//! that is not one: each binding converts what the user's code gave, and these rules say what
//! the engine makes of it, the same way for every language.

use super::{SourceError, SourceErrorKind, SourceHit, SourceResult};

/// One result per book from what a foreign `lookup` gave for `count` books.
///
/// `answer` is the lookup's list of results, or why there is none (it raised, rejected, or
/// returned something that is not a list): then every book of the batch fails with that
/// message, as it does when the list does not hold exactly `count` results. Otherwise
/// `convert` reads each result: `Ok(None)` not found, `Ok(Some(hit))` found, `Err(message)`
/// this book alone failed (reported as `result {i}: {message}`). Failures are
/// [`SourceErrorKind::Rejected`] errors of `source`.
pub fn lookup_results<T>(
    source: &str,
    count: usize,
    answer: Result<Vec<T>, String>,
    mut convert: impl FnMut(T) -> Result<Option<SourceHit>, String>,
) -> Vec<SourceResult> {
    let rejected = |message: String| SourceError::new(source, SourceErrorKind::Rejected, message);
    let items = match answer {
        Ok(items) if items.len() == count => items,
        Ok(items) => {
            let message = format!("lookup returned {} results for {count} books", items.len());
            return failed_lookup(count, &rejected(message));
        }
        Err(message) => return failed_lookup(count, &rejected(message)),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| convert(item).map_err(|m| rejected(format!("result {i}: {m}"))))
        .collect()
}

/// Why a foreign lookup failed as a whole, from what its code raised or rejected with.
///
/// A request's own error that the user's code let through (`fetch` raised or rejected with it;
/// `kind` is its kind's name) keeps its kind, so a rate limit stays retryable, and its message
/// without the `"{source}: "` it starts with; anything else is [`SourceErrorKind::Rejected`]
/// with `message` as given (the exception's type and message).
pub fn lookup_error(source: &str, kind: Option<&str>, message: &str) -> SourceError {
    let kind = kind.and_then(|k| {
        serde_json::from_value::<SourceErrorKind>(serde_json::Value::String(k.to_owned())).ok()
    });
    match kind {
        Some(kind) => {
            let message = message.strip_prefix(&format!("{source}: ")).unwrap_or(message);
            SourceError::new(source, kind, message)
        }
        None => SourceError::new(source, SourceErrorKind::Rejected, message),
    }
}

/// `error` for each of `count` books: a lookup that failed as a whole.
pub fn failed_lookup(count: usize, error: &SourceError) -> Vec<SourceResult> {
    vec![Err(error.clone()); count]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genres(item: &str) -> Result<Option<SourceHit>, String> {
        match item {
            "none" => Ok(None),
            "bad" => Err("expected a list of genres, not 42".to_owned()),
            genre => Ok(Some(SourceHit { genres: vec![genre.to_owned()], ..SourceHit::default() })),
        }
    }

    fn messages(results: &[SourceResult]) -> Vec<Option<&str>> {
        results.iter().map(|r| r.as_ref().err().map(|e| e.message.as_str())).collect()
    }

    #[test]
    fn each_result_is_converted_in_order_and_a_bad_one_fails_its_book_alone() {
        let results = lookup_results("mine", 3, Ok(vec!["Horror", "none", "bad"]), genres);
        assert_eq!(results[0].as_ref().unwrap().as_ref().unwrap().genres, ["Horror"]);
        assert_eq!(results[1], Ok(None));
        let error = results[2].as_ref().unwrap_err();
        assert_eq!((error.source_name.as_str(), error.kind), ("mine", SourceErrorKind::Rejected));
        assert_eq!(error.message, "result 2: expected a list of genres, not 42");
    }

    #[test]
    fn a_wrong_count_or_a_failed_lookup_fails_every_book_of_the_batch() {
        for given in [vec!["Horror"], vec!["Horror", "Horror", "Horror"]] {
            let n = given.len();
            let results = lookup_results("mine", 2, Ok(given), genres);
            let want = format!("lookup returned {n} results for 2 books");
            assert_eq!(messages(&results), [Some(want.as_str()); 2]);
        }
        let results = lookup_results::<&str>("mine", 2, Err("TypeError: no".to_owned()), genres);
        assert_eq!(messages(&results), [Some("TypeError: no"); 2]);
        assert!(results.iter().all(|r| r.as_ref().unwrap_err().source_name == "mine"));
        assert!(lookup_results::<&str>("mine", 0, Ok(Vec::new()), genres).is_empty());
    }

    #[test]
    fn a_requests_own_error_let_through_keeps_its_kind_anything_else_is_rejected() {
        let error = lookup_error("mine", Some("rate_limited"), "mine: HTTP 429 Too Many Requests");
        assert_eq!(
            (error.kind, error.message.as_str()),
            (SourceErrorKind::RateLimited, "HTTP 429 Too Many Requests")
        );
        assert!(error.is_retryable());
        for kind in [None, Some("gremlins")] {
            let error = lookup_error("mine", kind, "TypeError: no catalogue");
            assert_eq!(
                (error.kind, error.message.as_str()),
                (SourceErrorKind::Rejected, "TypeError: no catalogue")
            );
            assert_eq!(error.source_name, "mine");
        }
    }

    #[test]
    fn a_failed_lookup_keeps_the_errors_kind() {
        let error = SourceError::new("mine", SourceErrorKind::RateLimited, "HTTP 429");
        let results = failed_lookup(3, &error);
        assert_eq!(results, vec![Err(error); 3]);
    }
}
