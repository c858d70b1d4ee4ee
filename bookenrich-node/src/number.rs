//! Counts as JavaScript numbers.

/// A count as a JS number (an `f64`, exact below 2^53, far above any count of books, requests
/// or seconds here); one that does not fit a `u64` becomes `f64::MAX`.
#[expect(clippy::cast_precision_loss, reason = "counts stay far below 2^53, where f64 is exact")]
pub(crate) fn js_number(n: impl TryInto<u64>) -> f64 {
    n.try_into().map_or(f64::MAX, |n: u64| n as f64)
}
