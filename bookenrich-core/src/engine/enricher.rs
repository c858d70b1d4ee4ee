//! [`Enricher`]: runs the configured sources over a list of books.
//!
//! A run groups the books per source into lookups (ISBN books in batches of the
//! source's [`batch_size`](GenreSource::batch_size), other books one per lookup),
//! runs each source's lookups concurrently (their requests are paced by the
//! source's rate limiter and bounded by the global concurrency limit), and merges
//! the answers per book. Everything happens inside the returned future, with no
//! spawned task: dropping it cancels the run and no request is sent afterwards.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::stream::{self, BoxStream};
use futures::{FutureExt, StreamExt};
use tokio::time::Instant;

use super::builder::EnricherBuilder;
use super::merge::{Answer, MergePolicy, Outcome, merge_into};
use super::progress::{
    LeftOut, Progress, ProgressCallback, RunSummary, SourceProgress, SourceSummary,
};
use super::ratelimit::RateLimit;
use super::run::Run;
use crate::fetch::Fetcher;
use crate::genres::GenreNormalizer;
use crate::isbn::Isbn;
use crate::model::{BookInfo, EnrichedBook};
use crate::sources::{BookQuery, GenreSource, SourceError, SourceErrorKind, SourceResult};

/// Enriches books with genres and covers from the configured catalogues.
///
/// Cheap to clone (clones share rate limiters, cache and transport), `Send + Sync`.
/// Build one with [`Enricher::builder`] or
/// [`EnricherOptions::build`](crate::config::EnricherOptions::build).
#[derive(Clone)]
pub struct Enricher {
    pub(super) inner: Arc<Inner>,
}

/// One configured source with the fetcher its requests go through.
pub(crate) struct Slot {
    pub(crate) name: String,
    pub(crate) source: Arc<dyn GenreSource>,
    pub(crate) fetcher: Fetcher,
    pub(crate) rate_limit: RateLimit,
}

pub(crate) struct Inner {
    pub(crate) slots: Vec<Slot>,
    pub(crate) merge: MergePolicy,
    pub(crate) concurrency: usize,
    pub(crate) offline: bool,
    pub(crate) normalizer: GenreNormalizer,
    pub(crate) progress: Option<ProgressCallback>,
}

impl fmt::Debug for Enricher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enricher")
            .field("sources", &self.source_names())
            .field("merge", &self.inner.merge)
            .field("concurrency", &self.inner.concurrency)
            .field("offline", &self.inner.offline)
            .finish_non_exhaustive()
    }
}

/// The answers of one lookup: source index, then (book index, outcome) pairs.
pub(super) type BatchAnswers = (usize, Vec<(usize, Outcome)>);

impl Enricher {
    /// A builder with no sources and default settings.
    pub fn builder() -> EnricherBuilder {
        EnricherBuilder::default()
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self { inner: Arc::new(inner) }
    }

    /// The configured sources' names, in order.
    pub fn source_names(&self) -> Vec<&str> {
        self.inner.slots.iter().map(|s| s.name.as_str()).collect()
    }

    /// The rate limit in force for each source, in order.
    pub fn rate_limits(&self) -> Vec<(&str, RateLimit)> {
        self.inner.slots.iter().map(|s| (s.name.as_str(), s.rate_limit)).collect()
    }

    /// The merge policy.
    pub fn merge_policy(&self) -> MergePolicy {
        self.inner.merge
    }

    /// The global limit of requests in flight.
    pub fn concurrency(&self) -> usize {
        self.inner.concurrency
    }

    /// Whether the enricher answers from the cache only.
    pub fn is_offline(&self) -> bool {
        self.inner.offline
    }

    /// Enriches `books`: one result per book, in input order.
    ///
    /// Never fails as a whole: a book a source could not look up comes back with the
    /// failure in its `error` and `processing_log`, and the other books are unaffected.
    pub async fn enrich(&self, books: &[BookInfo]) -> Vec<EnrichedBook> {
        self.enrich_with_summary(books).await.0
    }

    /// Like [`enrich`](Self::enrich), also returning what the run did.
    pub async fn enrich_with_summary(&self, books: &[BookInfo]) -> (Vec<EnrichedBook>, RunSummary) {
        self.enrich_reporting(books, None).await
    }

    /// A run of `books` to set up with a progress callback or a [`CancelToken`] of its
    /// own, then await: `enricher.run(&books).progress(cb).cancel(token).await`.
    ///
    /// [`CancelToken`]: super::CancelToken
    pub fn run<'a>(&'a self, books: &'a [BookInfo]) -> Run<'a> {
        Run::new(self, books)
    }

    /// The run, reporting progress to the enricher's callback and to `progress`.
    pub(super) async fn enrich_reporting(
        &self,
        books: &[BookInfo],
        progress: Option<&ProgressCallback>,
    ) -> (Vec<EnrichedBook>, RunSummary) {
        let started = Instant::now();
        let slots = &self.inner.slots;
        // Counters and the "disabled after quota" state are per run.
        let fetchers: Vec<Fetcher> = slots.iter().map(|s| s.fetcher.for_new_run()).collect();
        let mut out: Vec<EnrichedBook> = books.iter().map(EnrichedBook::for_book).collect();
        let queries: Vec<BookQuery> = books
            .iter()
            .zip(out.iter_mut())
            .map(|(b, e)| prepare(b, &mut e.processing_log))
            .collect();
        tracing::info!(books = books.len(), sources = ?self.source_names(), "enrichment started");

        // The plan leaves out sources that say they cannot help (e.g. Google without a key):
        // one notice (the fetcher's "disabled" warning), and the reason in the summary and logs.
        // An offline run sends nothing, so whatever the cache holds from them still counts.
        let planned = self.inner.merge == MergePolicy::Planned && !self.inner.offline;
        let skip_reasons: Vec<Option<String>> =
            slots.iter().map(|s| planned.then(|| s.source.unusable()).flatten()).collect();
        for (fetcher, reason) in fetchers.iter().zip(&skip_reasons) {
            if let Some(reason) = reason {
                fetcher.disable(format!("not asked: {reason}"));
            }
        }
        // Boxed: a slot is a pointer until its source answers (an `Outcome` is a few hundred
        // bytes, times every source, times every book, held for the whole run).
        let mut table: Vec<Vec<Option<Box<Outcome>>>> =
            books.iter().map(|_| slots.iter().map(|_| None).collect()).collect();
        let mut done = 0usize;
        let report = |done: usize| self.report(books.len(), done, &fetchers, started, progress);
        report(0);

        let everyone: Vec<usize> = (0..books.len()).collect();
        match self.inner.merge {
            MergePolicy::Union => {
                let mut remaining = vec![slots.len(); books.len()];
                let streams: Vec<_> = (0..slots.len())
                    .map(|k| self.lookups(k, &fetchers[k], &queries, &everyone))
                    .collect();
                let mut answers = stream::select_all(streams);
                while let Some((k, batch)) = answers.next().await {
                    for (i, outcome) in batch {
                        table[i][k] = Some(Box::new(outcome));
                        remaining[i] -= 1;
                        if remaining[i] == 0 {
                            done += 1;
                        }
                    }
                    report(done);
                }
            }
            MergePolicy::FirstWithGenres | MergePolicy::Planned => {
                let skipped: Vec<bool> = skip_reasons.iter().map(Option::is_some).collect();
                self.run_in_order(&fetchers, &queries, &skipped, &mut table, report).await;
            }
        }

        // Each book's answers are dropped as soon as they are merged, so a big library's
        // answers and its results are not all held at once.
        let mut failed = vec![0usize; slots.len()];
        for (book, row) in out.iter_mut().zip(table) {
            for (count, outcome) in failed.iter_mut().zip(&row) {
                *count += usize::from(outcome.as_deref().is_some_and(Outcome::failed));
            }
            let answers: Vec<Answer<'_>> = slots
                .iter()
                .zip(&row)
                .zip(&skip_reasons)
                .map(|((s, o), why)| Answer {
                    source: &s.name,
                    outcome: o.as_deref(),
                    skipped: why.as_deref(),
                })
                .collect();
            merge_into(book, &answers, self.inner.merge, &self.inner.normalizer);
        }
        let summary = self.summary(&out, &failed, &fetchers, started);
        tracing::info!(
            books = summary.books,
            with_genres = summary.with_genres,
            failed = summary.failed,
            requests = summary.requests,
            retries = summary.retries,
            "enrichment finished"
        );
        (out, summary)
    }

    /// The lookups of source `k` for the books `wanted`, answered as they finish.
    pub(super) fn lookups<'a>(
        &'a self,
        k: usize,
        fetcher: &'a Fetcher,
        queries: &'a [BookQuery],
        wanted: &[usize],
    ) -> BoxStream<'a, BatchAnswers> {
        let slot = &self.inner.slots[k];
        let groups = group(wanted, queries, slot.source.batch_size());
        stream::iter(groups)
            .map(move |group| async move {
                let outcomes = lookup(slot, fetcher, queries, &group).await;
                (k, group.into_iter().zip(outcomes).collect())
            })
            .buffer_unordered(self.inner.concurrency)
            .boxed()
    }

    fn report(
        &self,
        total: usize,
        done: usize,
        fetchers: &[Fetcher],
        started: Instant,
        per_call: Option<&ProgressCallback>,
    ) {
        let callbacks = [self.inner.progress.as_ref(), per_call];
        if callbacks.iter().all(Option::is_none) {
            return;
        }
        let sources = self
            .inner
            .slots
            .iter()
            .zip(fetchers)
            .map(|(s, f)| SourceProgress::new(&s.name, f.stats(), f.disabled_reason().is_some()))
            .collect();
        let progress = Progress::from_sources(total, done, sources, started.elapsed());
        for callback in callbacks.into_iter().flatten() {
            if std::panic::catch_unwind(AssertUnwindSafe(|| callback(&progress))).is_err() {
                tracing::warn!("the progress callback panicked; ignoring it");
            }
        }
    }

    fn summary(
        &self,
        out: &[EnrichedBook],
        failed: &[usize],
        fetchers: &[Fetcher],
        started: Instant,
    ) -> RunSummary {
        let sources: Vec<SourceSummary> = self
            .inner
            .slots
            .iter()
            .zip(fetchers)
            .enumerate()
            .map(|(k, (slot, fetcher))| {
                let stats = fetcher.stats();
                SourceSummary {
                    name: slot.name.clone(),
                    requests: stats.requests,
                    retries: stats.retries,
                    rate_limited: stats.rate_limited,
                    cache_hits: stats.cache_hits,
                    failures: stats.failures,
                    books_matched: out
                        .iter()
                        .filter(|b| b.sources_matched.contains(&slot.name))
                        .count(),
                    books_with_genres: out
                        .iter()
                        .filter(|b| b.genre_sources.contains(&slot.name))
                        .count(),
                    books_failed: failed[k],
                    disabled: fetcher.disabled_reason(),
                }
            })
            .collect();
        RunSummary {
            books: out.len(),
            with_genres: out.iter().filter(|b| b.has_genres()).count(),
            with_cover: out.iter().filter(|b| b.thumbnail_url.is_some()).count(),
            from_cache: out.iter().filter(|b| b.from_cache).count(),
            with_errors: out.iter().filter(|b| b.error.is_some()).count(),
            failed: out.iter().filter(|b| b.error.is_some() && !b.has_genres()).count(),
            requests: sources.iter().map(|s| s.requests).sum(),
            retries: sources.iter().map(|s| s.retries).sum(),
            rate_limited: sources.iter().map(|s| s.rate_limited).sum(),
            cache_hits: sources.iter().map(|s| s.cache_hits).sum(),
            sources,
            left_out: left_out(out),
            elapsed: started.elapsed(),
        }
    }
}

/// The books without genres that a used-up daily budget or quota kept from a source.
fn left_out(out: &[EnrichedBook]) -> Vec<LeftOut> {
    out.iter()
        .enumerate()
        .filter(|(_, b)| !b.has_genres())
        .filter_map(|(index, b)| {
            let f = b.failures.iter().find(|f| {
                matches!(f.kind, SourceErrorKind::QuotaExhausted | SourceErrorKind::Disabled)
            })?;
            // The message is "SOURCE: REASON[ (URL)]"; the summary keeps the reason.
            let reason = f.message.strip_prefix(&format!("{}: ", f.source)).unwrap_or(&f.message);
            let reason = reason.split(" (http").next().unwrap_or(reason);
            let reason =
                reason.strip_prefix("disabled for the rest of the run: ").unwrap_or(reason);
            Some(LeftOut {
                index,
                title: b.title.clone(),
                source: f.source.clone(),
                reason: reason.to_owned(),
            })
        })
        .collect()
}

/// The lookup query of a book; ISBN problems go to the book's log and the book is
/// then searched by title and author.
pub(super) fn prepare(book: &BookInfo, log: &mut Vec<String>) -> BookQuery {
    for (label, value) in [("ISBN13", &book.isbn13), ("ISBN", &book.isbn)] {
        let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
            continue;
        };
        if let Err(e) = Isbn::parse(value) {
            log.push(format!("{label} ignored: {e}"));
        }
    }
    let isbn = book.lookup_isbn().unwrap_or_else(|_| {
        log.push("no valid ISBN: looking the book up by title and author".to_owned());
        None
    });
    let goodreads_id = book
        .goodreads_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned);
    BookQuery {
        isbn,
        title: book.title.clone(),
        author: book.author.clone(),
        bookshelves: book.bookshelves.clone(),
        goodreads_id,
    }
}

/// Splits the wanted books into lookups: ISBN books together in batches of `batch_size`,
/// then books with only a Goodreads id in batches of their own (a source may look them up
/// together by that id), the others one per lookup (each is a search of its own anyway,
/// and small lookups spread over the concurrency limit).
pub(super) fn group(wanted: &[usize], queries: &[BookQuery], batch_size: usize) -> Vec<Vec<usize>> {
    let (with_isbn, rest): (Vec<usize>, Vec<usize>) =
        wanted.iter().partition(|&&i| queries[i].isbn.is_some());
    let (with_goodreads, without): (Vec<usize>, Vec<usize>) =
        rest.into_iter().partition(|&i| queries[i].goodreads_id.is_some());
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for ids in [with_isbn, with_goodreads] {
        groups.extend(ids.chunks(batch_size.max(1)).map(<[usize]>::to_vec));
    }
    groups.extend(without.into_iter().map(|i| vec![i]));
    groups
}

/// Runs one lookup and returns exactly one outcome per book of `group`, whatever the source does.
pub(super) async fn lookup(
    slot: &Slot,
    fetcher: &Fetcher,
    queries: &[BookQuery],
    group: &[usize],
) -> Vec<Outcome> {
    let fail_all =
        |e: &SourceError| Outcome::batch(group.iter().map(|_| Err(e.clone())).collect(), false);
    if let Some(reason) = fetcher.disabled_reason() {
        let e = SourceError::new(
            &slot.name,
            SourceErrorKind::Disabled,
            format!("disabled for the rest of the run: {reason}"),
        );
        return fail_all(&e);
    }
    let input: Vec<BookQuery> = group.iter().map(|&i| queries[i].clone()).collect();
    let (traced, trace) = fetcher.traced();
    // A panicking plug-in source must not take the run (or a Python/Node host) down.
    let results: Vec<SourceResult> =
        match AssertUnwindSafe(slot.source.lookup(&input, &traced)).catch_unwind().await {
            Ok(results) => results,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                tracing::error!(source = %slot.name, %message, "source panicked during lookup");
                return fail_all(&SourceError::new(
                    &slot.name,
                    SourceErrorKind::Rejected,
                    format!("source failed internally: {message}"),
                ));
            }
        };
    if results.len() != group.len() {
        let e = SourceError::new(
            &slot.name,
            SourceErrorKind::Rejected,
            format!("source returned {} results for {} books", results.len(), group.len()),
        );
        return fail_all(&e);
    }
    let from_cache = trace.all_from_cache();
    Outcome::batch(results, from_cache)
}

#[cfg(test)]
#[expect(clippy::unnecessary_literal_bound)]
mod tests;
