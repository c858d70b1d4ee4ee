//! The sources asked in order, each only for the books the ones before it left without
//! genres, all of them running at once: a book goes on to the next source as soon as the
//! earlier source answered it, so a slow later source (Google Books, about one request a
//! second) is spread over the time the first one takes instead of starting after it.

use futures::channel::mpsc;
use futures::stream::{self, BoxStream};
use futures::{StreamExt, stream::select_all};

use super::enricher::{BatchAnswers, Enricher, group, lookup};
use super::merge::{Outcome, normalized_alone};
use crate::fetch::Fetcher;
use crate::sources::BookQuery;

impl Enricher {
    /// Runs the sources in order over every book, filling `table[book][source]`; sources
    /// with `skipped[k]` set are never asked. `report` gets the number of books done after
    /// every answered lookup.
    pub(super) async fn run_in_order(
        &self,
        fetchers: &[Fetcher],
        queries: &[BookQuery],
        skipped: &[bool],
        table: &mut [Vec<Option<Box<Outcome>>>],
        mut report: impl FnMut(usize),
    ) {
        let n = self.inner.slots.len();
        let first = (0..n).find(|&k| !skipped[k]);
        let Some(first) = first else {
            report(queries.len());
            return;
        };
        let everyone: Vec<usize> = (0..queries.len()).collect();
        let mut senders: Vec<Option<mpsc::UnboundedSender<usize>>> = Vec::with_capacity(n);
        let mut streams: Vec<BoxStream<'_, BatchAnswers>> = Vec::with_capacity(n);
        for (k, fetcher) in fetchers.iter().enumerate() {
            if k == first {
                senders.push(None);
                streams.push(self.lookups(k, fetcher, queries, &everyone));
            } else {
                let (tx, rx) = mpsc::unbounded::<usize>();
                senders.push(Some(tx));
                streams.push(self.fed_lookups(k, fetcher, queries, rx));
            }
        }
        // Books handed to each source and not answered yet; a source's channel closes once
        // every source before it is closed and has nothing left to hand on.
        let mut remaining = vec![0usize; n];
        remaining[first] = queries.len();
        let mut closed: Vec<bool> = (0..n).map(|k| k == first).collect();
        let close_finished = |senders: &mut [Option<mpsc::UnboundedSender<usize>>],
                              closed: &mut [bool],
                              remaining: &[usize]| {
            for j in 0..n {
                if !closed[j] && (0..j).all(|u| closed[u] && remaining[u] == 0) {
                    closed[j] = true;
                    senders[j] = None;
                }
            }
        };
        close_finished(&mut senders, &mut closed, &remaining);

        let mut done = 0usize;
        let mut answers = select_all(streams);
        while let Some((k, batch)) = answers.next().await {
            for (i, outcome) in batch {
                let has_genres = matches!(&outcome.result,
                    Ok(Some(hit)) if !normalized_alone(&self.inner.normalizer, hit).is_empty());
                table[i][k] = Some(Box::new(outcome));
                let next = (k + 1..n).find(|&j| !skipped[j]).filter(|_| !has_genres);
                match next.and_then(|j| senders[j].as_ref().map(|tx| (j, tx))) {
                    Some((j, tx)) if tx.unbounded_send(i).is_ok() => remaining[j] += 1,
                    _ => done += 1,
                }
                remaining[k] -= 1;
            }
            close_finished(&mut senders, &mut closed, &remaining);
            report(done);
        }
    }

    /// The lookups of source `k` for the books arriving on `rx`, grouped as they come.
    fn fed_lookups<'a>(
        &'a self,
        k: usize,
        fetcher: &'a Fetcher,
        queries: &'a [BookQuery],
        rx: mpsc::UnboundedReceiver<usize>,
    ) -> BoxStream<'a, BatchAnswers> {
        let slot = &self.inner.slots[k];
        let size = slot.source.batch_size().max(1);
        rx.ready_chunks(size)
            .flat_map(move |ready| stream::iter(group(&ready, queries, size)))
            .map(move |books| async move {
                let outcomes = lookup(slot, fetcher, queries, &books).await;
                (k, books.into_iter().zip(outcomes).collect())
            })
            .buffer_unordered(self.inner.concurrency)
            .boxed()
    }
}
