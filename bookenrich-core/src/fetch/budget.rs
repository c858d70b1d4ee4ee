//! A source's daily request budget (Google Books: 1,000 a day per project by default).
//!
//! The day's use is kept in the response cache's store when it has one (the `SQLite` cache
//! keeps it in a table of its own, shared by every process using the file), so a second
//! run the same day knows what is left. Google's per-day quotas reset at midnight Pacific
//! time, so the budget's day is the date in `America/Los_Angeles`.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveDate, TimeZone, Utc, Weekday};

use crate::cache::ResponseCache;

/// A number of requests a source may send per (Pacific) day.
pub struct DailyBudget {
    counter: String,
    limit: u64,
    store: Option<Arc<dyn ResponseCache>>,
    today: Mutex<Option<(NaiveDate, u64)>>,
    clock: fn() -> DateTime<Utc>,
}

impl fmt::Debug for DailyBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DailyBudget")
            .field("counter", &self.counter)
            .field("limit", &self.limit)
            .field("stored", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

impl DailyBudget {
    /// `limit` requests a day for `counter` (the source's name), counted in this process only.
    pub fn new(counter: impl Into<String>, limit: u64) -> Self {
        Self {
            counter: counter.into(),
            limit,
            store: None,
            today: Mutex::new(None),
            clock: Utc::now,
        }
    }

    /// Keeps the day's use in `store`, so other runs and processes share it.
    #[must_use]
    pub fn with_store(mut self, store: Arc<dyn ResponseCache>) -> Self {
        self.store = Some(store);
        self
    }

    /// Reads "now" from `clock` (tests).
    #[must_use]
    pub fn with_clock(mut self, clock: fn() -> DateTime<Utc>) -> Self {
        self.clock = clock;
        self
    }

    /// Requests allowed a day.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Requests left today (as far as this process knows; the store is read once a day).
    pub fn remaining(&self) -> u64 {
        let now = (self.clock)();
        let mut today = self.today.lock().unwrap_or_else(PoisonError::into_inner);
        let used = self.load(&mut today, pacific_day(now));
        self.limit.saturating_sub(used)
    }

    /// Takes one request from today's budget, or says why there is none left.
    pub fn try_spend(&self) -> Result<(), String> {
        let now = (self.clock)();
        let day = pacific_day(now);
        let mut today = self.today.lock().unwrap_or_else(PoisonError::into_inner);
        let used = self.load(&mut today, day);
        if used >= self.limit {
            return Err(self.exhausted(now));
        }
        let used = match &self.store {
            // Never fewer than this process has spent: a store that keeps nothing (the trait's
            // default, e.g. a wrapper that does not forward it) must not reset the count.
            Some(store) => match store.add_day_use(&self.counter, &day.to_string(), 1) {
                Ok(total) => total.max(used + 1),
                Err(e) => {
                    tracing::warn!(counter = %self.counter, error = %e, "daily budget not stored; counting in memory");
                    used + 1
                }
            },
            None => used + 1,
        };
        *today = Some((day, used));
        // Another process may have taken the last request between our read and our write.
        if used > self.limit { Err(self.exhausted(now)) } else { Ok(()) }
    }

    fn load(&self, today: &mut Option<(NaiveDate, u64)>, day: NaiveDate) -> u64 {
        if let Some((d, used)) = *today {
            if d == day {
                return used;
            }
        }
        let used = self
            .store
            .as_ref()
            .and_then(|s| match s.day_use(&self.counter, &day.to_string()) {
                Ok(n) => Some(n),
                Err(e) => {
                    tracing::warn!(counter = %self.counter, error = %e, "daily budget not readable; starting from 0");
                    None
                }
            })
            .unwrap_or(0);
        *today = Some((day, used));
        used
    }

    fn exhausted(&self, now: DateTime<Utc>) -> String {
        let left = next_pacific_midnight(now) - now;
        format!(
            "daily budget of {} requests used up; it resets at midnight Pacific time, in {} h {:02} min",
            self.limit,
            left.num_hours(),
            left.num_minutes() % 60
        )
    }
}

/// The `n`-th `weekday` of `month` (1-based `n`).
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
    let offset = (7 + weekday.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    first + ChronoDuration::days(i64::from(offset + 7 * (n - 1)))
}

/// Hours Pacific time is behind UTC at `now`: 7 in daylight saving time (second Sunday of
/// March, 2:00 PST, to the first Sunday of November, 2:00 PDT), else 8.
fn pacific_offset_hours(now: DateTime<Utc>) -> i64 {
    let year = now.year();
    let start = nth_weekday(year, 3, Weekday::Sun, 2).and_hms_opt(10, 0, 0).unwrap_or_default();
    let end = nth_weekday(year, 11, Weekday::Sun, 1).and_hms_opt(9, 0, 0).unwrap_or_default();
    let naive = now.naive_utc();
    if naive >= start && naive < end { 7 } else { 8 }
}

/// The date in `America/Los_Angeles` at `now`.
pub fn pacific_day(now: DateTime<Utc>) -> NaiveDate {
    (now - ChronoDuration::hours(pacific_offset_hours(now))).date_naive()
}

/// The next midnight in `America/Los_Angeles` after `now`, in UTC.
fn next_pacific_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = pacific_day(now) + ChronoDuration::days(1);
    let midnight = tomorrow.and_hms_opt(0, 0, 0).unwrap_or_default();
    // The offset at that midnight (DST switches happen at 2:00, never at midnight).
    let guess = Utc.from_utc_datetime(&(midnight + ChronoDuration::hours(8)));
    Utc.from_utc_datetime(&(midnight + ChronoDuration::hours(pacific_offset_hours(guess))))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cache::MemoryCache;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_day_is_the_pacific_date() {
        // Winter: UTC-8. 07:59 UTC is still the previous day in California.
        assert_eq!(pacific_day(at("2026-12-07T07:59:00Z")).to_string(), "2026-12-06");
        assert_eq!(pacific_day(at("2026-12-07T08:00:00Z")).to_string(), "2026-12-07");
        // Summer: UTC-7.
        assert_eq!(pacific_day(at("2026-07-01T06:59:00Z")).to_string(), "2026-06-30");
        assert_eq!(pacific_day(at("2026-07-01T07:00:00Z")).to_string(), "2026-07-01");
        // 2026's switches: 8 March and 1 November.
        assert_eq!(pacific_offset_hours(at("2026-03-08T09:59:00Z")), 8);
        assert_eq!(pacific_offset_hours(at("2026-03-08T10:00:00Z")), 7);
        assert_eq!(pacific_offset_hours(at("2026-11-01T08:59:00Z")), 7);
        assert_eq!(pacific_offset_hours(at("2026-11-01T09:00:00Z")), 8);
        assert_eq!(next_pacific_midnight(at("2026-12-06T20:00:00Z")), at("2026-12-07T08:00:00Z"));
        assert_eq!(next_pacific_midnight(at("2026-07-01T20:00:00Z")), at("2026-07-02T07:00:00Z"));
    }

    #[test]
    fn the_budget_is_spent_then_refused_with_the_reset_time() {
        let b = DailyBudget::new("google_books", 2).with_clock(|| at("2026-12-06T20:00:00Z"));
        assert_eq!(b.remaining(), 2);
        assert!(b.try_spend().is_ok() && b.try_spend().is_ok());
        let why = b.try_spend().unwrap_err();
        assert_eq!(
            why,
            "daily budget of 2 requests used up; it resets at midnight Pacific time, in 12 h 00 min"
        );
        assert_eq!(b.remaining(), 0);
    }

    #[test]
    fn the_days_use_is_shared_through_the_store_and_resets_the_next_day() {
        let store: Arc<dyn ResponseCache> = Arc::new(MemoryCache::new());
        let first = DailyBudget::new("google_books", 3)
            .with_store(Arc::clone(&store))
            .with_clock(|| at("2026-12-06T20:00:00Z"));
        assert!(first.try_spend().is_ok() && first.try_spend().is_ok());
        // A second run (another budget object, as in a new process) the same day sees what is left.
        let second = DailyBudget::new("google_books", 3)
            .with_store(Arc::clone(&store))
            .with_clock(|| at("2026-12-07T07:00:00Z"));
        assert_eq!(second.remaining(), 1);
        assert!(second.try_spend().is_ok());
        assert!(second.try_spend().is_err());
        assert!(first.try_spend().is_err(), "the store's total counts");
        // After midnight Pacific time the budget is whole again.
        let tomorrow = DailyBudget::new("google_books", 3)
            .with_store(store)
            .with_clock(|| at("2026-12-07T08:00:01Z"));
        assert_eq!(tomorrow.remaining(), 3);
    }

    /// A cache that keeps no day counts (the trait's defaults) still gets a budget that holds.
    #[test]
    fn a_store_that_keeps_nothing_does_not_reset_the_count() {
        #[derive(Debug)]
        struct Forgetful;
        impl ResponseCache for Forgetful {
            fn get(
                &self,
                _: &crate::cache::CacheKey,
            ) -> crate::error::Result<Option<crate::cache::CacheEntry>> {
                Ok(None)
            }
            fn put(
                &self,
                _: &crate::cache::CacheKey,
                _: &crate::cache::CacheEntry,
            ) -> crate::error::Result<()> {
                Ok(())
            }
        }
        let b = DailyBudget::new("google_books", 2)
            .with_store(Arc::new(Forgetful))
            .with_clock(|| at("2026-12-06T20:00:00Z"));
        assert!(b.try_spend().is_ok() && b.try_spend().is_ok());
        assert!(b.try_spend().is_err());
    }
}
