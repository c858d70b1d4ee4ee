//! Ranking one book's genres: support per genre, the Fiction/Nonfiction
//! decision, fiction topics, and the cap.

use std::cmp::{Ordering, Reverse};

use super::FictionKind;
use super::analyse::Ids;
use super::rules::{Compiled, Kind};

/// Support for one genre while a book is ranked.
#[derive(Debug, Clone, Copy, Default)]
struct Support {
    /// Bit `i % 64` set when source `i` gave the genre (a book has a handful of sources).
    sources: u64,
    /// How many raw strings gave the genre.
    strings: u32,
    /// When it was first seen (genres numbered in reading order, across sources).
    first_seen: u32,
}

impl Support {
    fn is_empty(&self) -> bool {
        self.strings == 0
    }

    /// Higher first: more sources, more strings, then earlier.
    fn sort_key(&self) -> (Reverse<u32>, Reverse<u32>, u32) {
        (Reverse(self.sources.count_ones()), Reverse(self.strings), self.first_seen)
    }

    fn absorb(&mut self, other: Support) {
        if self.is_empty() {
            *self = other;
        } else {
            self.sources |= other.sources;
            self.strings += other.strings;
            self.first_seen = self.first_seen.min(other.first_seen);
        }
    }
}

/// A ranked book: genres by relevance (without the marker) and the marker decision.
pub(crate) struct Ranked {
    pub genres: Vec<u16>,
    pub kind: Option<FictionKind>,
    /// Whether the marker of `kind` goes into the output.
    pub show_marker: bool,
}

/// Ranks one book's raw strings, given per source, keeping at most `cap` genres.
///
/// Order: number of sources, then number of strings, then first appearance,
/// so the result is deterministic and re-normalising it keeps its order.
/// The marker is decided by explicit `Fiction`/`Nonfiction` evidence first,
/// then by the kinds of the top genres, and always comes last. In a fiction
/// book, nonfiction genres are topics: they become their fiction form or go.
pub(crate) fn rank<'a, I, J>(c: &Compiled, cap: usize, per_source: I) -> Ranked
where
    I: Iterator<Item = J>,
    J: Iterator<Item = &'a str>,
{
    let mut support = vec![Support::default(); c.names.len()];
    let mut ids = Vec::new();
    let mut seen = 0u32;
    for (source, strings) in per_source.enumerate() {
        for raw in strings {
            ids.clear();
            c.analyse(raw, &mut Ids(&mut ids));
            // Numbered per genre, not per string, so a string's own order breaks ties.
            for &id in &ids {
                support[usize::from(id)].absorb(Support {
                    sources: 1 << (source % 64),
                    strings: 1,
                    first_seen: seen,
                });
                seen = seen.saturating_add(1);
            }
        }
    }
    let is_marker = |id: u16| Some(id) == c.fiction || Some(id) == c.nonfiction;
    let ordered = |support: &[Support]| {
        let mut order: Vec<u16> = (0..support.len())
            .filter_map(|i| u16::try_from(i).ok())
            .filter(|&id| !support[usize::from(id)].is_empty() && !is_marker(id))
            .collect();
        order.sort_by_key(|&id| support[usize::from(id)].sort_key());
        order
    };
    let mut order = ordered(&support);

    // The marker takes a slot only when there is room for a real genre too.
    let genre_slots = cap.saturating_sub(1).max(1);
    let evidence = |id: Option<u16>| id.map_or(0, |id| support[usize::from(id)].strings);
    let kind = match evidence(c.fiction).cmp(&evidence(c.nonfiction)) {
        Ordering::Greater => Some(FictionKind::Fiction),
        Ordering::Less => Some(FictionKind::Nonfiction),
        Ordering::Equal => {
            let top = &order[..order.len().min(genre_slots)];
            let count =
                |kind: Kind| top.iter().filter(|&&id| c.kinds[usize::from(id)] == kind).count();
            match count(Kind::Fiction).cmp(&count(Kind::Nonfiction)) {
                Ordering::Greater => Some(FictionKind::Fiction),
                Ordering::Less => Some(FictionKind::Nonfiction),
                Ordering::Equal => None,
            }
        }
    };

    if kind == Some(FictionKind::Fiction) && fiction_forms(c, &mut support, is_marker) {
        order = ordered(&support);
    }

    let has_marker = kind.is_some_and(|k| marker(c, k).is_some());
    // With a cap of 1 the one slot goes to the best real genre, if any.
    let show_marker = has_marker && cap > 0 && (cap > 1 || order.is_empty());
    order.truncate(if show_marker { cap - 1 } else { cap });
    Ranked { genres: order, kind, show_marker }
}

/// In a fiction book, moves the support of each nonfiction genre to its
/// `in_fiction` form, or drops it. Returns whether anything changed.
fn fiction_forms(c: &Compiled, support: &mut [Support], is_marker: impl Fn(u16) -> bool) -> bool {
    let mut changed = false;
    for i in 0..support.len() {
        let Ok(id) = u16::try_from(i) else { break };
        if support[i].is_empty() || is_marker(id) || c.kinds[i] != Kind::Nonfiction {
            continue;
        }
        let form = c.in_fiction[i];
        if form == Some(id) {
            continue;
        }
        let moved = std::mem::take(&mut support[i]);
        if let Some(form) = form {
            support[usize::from(form)].absorb(moved);
        }
        changed = true;
    }
    changed
}

/// The genre id of a marker, if the vocabulary has it.
pub(crate) fn marker(c: &Compiled, kind: FictionKind) -> Option<u16> {
    match kind {
        FictionKind::Fiction => c.fiction,
        FictionKind::Nonfiction => c.nonfiction,
    }
}
