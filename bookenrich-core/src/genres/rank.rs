//! Ranking one book's genres: weighted support per genre, the Fiction/Nonfiction
//! decision, the precision rules (share, forms, audience, marker consistency), and the cap.

use std::cmp::{Ordering, Reverse};

use super::analyse::Ids;
use super::classification::is_classification;
use std::hash::Hasher;

use super::fast_hash::{FastSet, Fnv};
use super::rules::{Compiled, Kind};
use super::{FictionKind, GenreDropReason, Level};

/// Support for one genre while a book is ranked.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Support {
    /// Bit `i % 64` set when source `i` gave the genre (a book has a handful of sources).
    pub sources: u64,
    /// How many distinct raw strings gave the genre.
    pub strings: u32,
    /// How many of them describe the reader's edition.
    pub edition: u32,
    /// The strings' weight: an edition string counts `edition_weight`, a pooled work string 1.
    pub weight: u32,
    /// When it was first seen (genres numbered in reading order, across sources).
    pub first_seen: u32,
}

impl Support {
    fn is_empty(&self) -> bool {
        self.strings == 0
    }

    /// Higher first: more sources, more weight, more strings, then earlier.
    fn sort_key(&self) -> (Reverse<u32>, Reverse<u32>, Reverse<u32>, u32) {
        (
            Reverse(self.sources.count_ones()),
            Reverse(self.weight),
            Reverse(self.strings),
            self.first_seen,
        )
    }

    fn absorb(&mut self, other: Support) {
        if self.is_empty() {
            *self = other;
        } else {
            self.sources |= other.sources;
            self.strings += other.strings;
            self.edition += other.edition;
            self.weight += other.weight;
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
    /// Support of every genre seen (indexed by genre id), after the fiction topics moved.
    pub support: Vec<Support>,
    /// Candidates that were dropped, and why.
    pub dropped: Vec<(u16, GenreDropReason)>,
}

/// Ranks one book's raw strings, given per source with their level, keeping at most `cap` genres.
///
/// Order: number of sources, then weight, then strings, then first appearance, so the result
/// is deterministic and re-normalising it keeps its order. The marker is decided by explicit
/// `Fiction`/`Nonfiction` evidence first, then by the kinds of the top genres, and always
/// comes last. A genre then has to pass the `[precision]` rules.
pub(crate) fn rank<'a, I, J>(c: &Compiled, cap: usize, per_source: I) -> Ranked
where
    I: Iterator<Item = (Level, J)>,
    J: Iterator<Item = &'a str>,
{
    let is_marker = |id: u16| Some(id) == c.fiction || Some(id) == c.nonfiction;
    let Read { support, last_resort, tags } = read(c, per_source);
    let ordered = |support: &[Support]| {
        let mut order: Vec<u16> = (0..support.len())
            .filter_map(|i| u16::try_from(i).ok())
            .filter(|&id| !support[usize::from(id)].is_empty() && !is_marker(id))
            .collect();
        order.sort_by_key(|&id| support[usize::from(id)].sort_key());
        order
    };

    // The marker takes a slot only when there is room for a real genre too.
    let genre_slots = cap.saturating_sub(1).max(1);
    let evidence = |id: Option<u16>| id.map_or(0, |id| support[usize::from(id)].weight);
    let explicit = match (evidence(c.fiction) + tags[0]).cmp(&(evidence(c.nonfiction) + tags[1])) {
        Ordering::Greater => Some(FictionKind::Fiction),
        Ordering::Less => Some(FictionKind::Nonfiction),
        Ordering::Equal => None,
    };
    // Without explicit evidence the kinds of the top genres decide; they are read again
    // after the rules, so that normalising the output gives the same decision.
    let by_kinds = |order: &[u16]| {
        let top = &order[..order.len().min(genre_slots)];
        let count = |kind: Kind| top.iter().filter(|&&id| c.kinds[usize::from(id)] == kind).count();
        match count(Kind::Fiction).cmp(&count(Kind::Nonfiction)) {
            Ordering::Greater => Some(FictionKind::Fiction),
            Ordering::Less => Some(FictionKind::Nonfiction),
            Ordering::Equal => None,
        }
    };
    let mut kind = explicit.or_else(|| by_kinds(&ordered(&support)));
    let apply = |kind: Option<FictionKind>| {
        let mut support = support.clone();
        let mut dropped = Vec::new();
        match kind {
            Some(FictionKind::Fiction) => fiction_forms(c, &mut support, is_marker, &mut dropped),
            Some(FictionKind::Nonfiction) => {
                drop_kind(c, &mut support, Kind::Fiction, is_marker, &mut dropped);
            }
            None => {}
        }
        audience(c, &mut support, &mut dropped);
        let mut order = ordered(&support);
        shares(c, &support, &mut order, &mut dropped);
        (support, order, dropped)
    };
    let (mut support, mut order, mut dropped) = apply(kind);
    if explicit.is_none() {
        let again = by_kinds(&order);
        if again != kind {
            kind = again;
            (support, order, dropped) = apply(kind);
        }
    }

    if order.is_empty() {
        // The genre of last resort: the classification's, if it fits the marker.
        let other = match kind {
            Some(FictionKind::Fiction) => Some(Kind::Nonfiction),
            Some(FictionKind::Nonfiction) => Some(Kind::Fiction),
            None => None,
        };
        order.extend(last_resort.iter().filter(|&&id| Some(c.kinds[usize::from(id)]) != other));
        for &id in &order {
            let s = &mut support[usize::from(id)];
            if s.is_empty() {
                *s = Support { sources: 1, strings: 1, edition: 0, weight: 1, first_seen: 0 };
            }
        }
    }

    // Bestseller and award tags decide the marker but do not make a book without genres
    // show one: the marker then needs a string that says it.
    let has_marker = kind.is_some_and(|k| marker(c, k).is_some())
        && (!order.is_empty()
            || kind
                .and_then(|k| marker(c, k))
                .is_some_and(|m| !support[usize::from(m)].is_empty()));
    // With a cap of 1 the one slot goes to the best real genre, if any.
    let show_marker = has_marker && cap > 0 && (cap > 1 || order.is_empty());
    let keep = if show_marker { cap - 1 } else { cap };
    dropped.extend(order.iter().skip(keep).map(|&id| (id, GenreDropReason::Cap)));
    order.truncate(keep);
    Ranked { genres: order, kind, show_marker, support, dropped }
}

/// What reading a book's strings gives.
struct Read {
    /// Support per genre id.
    support: Vec<Support>,
    /// Genres of classification numbers, used only when the strings give none.
    last_resort: Vec<u16>,
    /// Weight of the bestseller/award tags that say Fiction (0) and Nonfiction (1).
    tags: [u32; 2],
}

/// Reads every string of a book.
fn read<'a, I, J>(c: &Compiled, per_source: I) -> Read
where
    I: Iterator<Item = (Level, J)>,
    J: Iterator<Item = &'a str>,
{
    let p = &c.precision;
    let is_marker = |id: u16| Some(id) == c.fiction || Some(id) == c.nonfiction;
    let mut support = vec![Support::default(); c.names.len()];
    let mut ids = Vec::new();
    let mut seen = 0u32;
    // Hashes of the strings seen in the current source, case folded.
    let mut distinct: FastSet<u64> = FastSet::default();
    // Genres of classification numbers: used only when the strings give none.
    let mut last_resort: Vec<u16> = Vec::new();
    let mut tags = [0u32; 2];
    for (source, (level, strings)) in per_source.enumerate() {
        let (weight, edition) = match level {
            Level::Edition => (p.edition_weight, 1),
            Level::Work => (1, 0),
        };
        distinct.clear();
        for raw in strings {
            // "Juvenile Fiction" and "Juvenile fiction" in one record are one heading.
            if !distinct.insert(folded_hash(raw)) {
                continue;
            }
            ids.clear();
            c.analyse(raw, &mut Ids(&mut ids));
            if let Some((tag, _)) = c.evidence(raw) {
                tags[usize::from(Some(tag) != c.fiction)] += weight;
                ids.retain(|&id| id != tag);
            }
            if is_classification(raw) {
                for &id in &ids {
                    if !is_marker(id) && !last_resort.contains(&id) {
                        last_resort.push(id);
                    }
                }
                ids.retain(|&id| is_marker(id));
            }
            // Numbered per genre, not per string, so a string's own order breaks ties.
            for &id in &ids {
                support[usize::from(id)].absorb(Support {
                    sources: 1 << (source % 64),
                    strings: 1,
                    edition,
                    weight,
                    first_seen: seen,
                });
                seen = seen.saturating_add(1);
            }
        }
    }
    Read { support, last_resort, tags }
}

/// A hash of a string trimmed and lower-cased, without allocating.
fn folded_hash(raw: &str) -> u64 {
    let mut h = Fnv::default();
    for c in raw.trim().chars().flat_map(char::to_lowercase) {
        h.write_u32(u32::from(c));
    }
    h.finish()
}

/// In a fiction book, moves the support of each nonfiction genre to its
/// `in_fiction` form, or drops it.
fn fiction_forms(
    c: &Compiled,
    support: &mut [Support],
    is_marker: impl Fn(u16) -> bool,
    dropped: &mut Vec<(u16, GenreDropReason)>,
) {
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
        match form {
            Some(form) => support[usize::from(form)].absorb(moved),
            None => dropped.push((id, GenreDropReason::OtherKind)),
        }
    }
}

/// Drops every genre of `kind` (a fiction-only genre on a nonfiction book).
fn drop_kind(
    c: &Compiled,
    support: &mut [Support],
    kind: Kind,
    is_marker: impl Fn(u16) -> bool,
    dropped: &mut Vec<(u16, GenreDropReason)>,
) {
    for (i, (s, k)) in support.iter_mut().zip(&c.kinds).enumerate() {
        let Ok(id) = u16::try_from(i) else { break };
        if !s.is_empty() && !is_marker(id) && *k == kind {
            *s = Support::default();
            dropped.push((id, GenreDropReason::OtherKind));
        }
    }
}

/// Children's needs positive evidence: young-adult evidence beats it, adult evidence
/// outweighs pooled juvenile strings, and pooled strings alone need to be several.
fn audience(c: &Compiled, support: &mut [Support], dropped: &mut Vec<(u16, GenreDropReason)>) {
    let p = &c.precision;
    let Some(children) = p.children else { return };
    let s = support[usize::from(children)];
    if s.is_empty() {
        return;
    }
    let present =
        |ids: &[u16]| ids.iter().find(|&&id| !support[usize::from(id)].is_empty()).copied();
    // "Juvenile fiction" on a young-adult novel is the young-adult audience: its support moves there.
    if let Some(older) = present(&p.older_audiences) {
        let moved = std::mem::take(&mut support[usize::from(children)]);
        support[usize::from(older)].absorb(moved);
        dropped.push((children, GenreDropReason::OlderAudience));
        return;
    }
    let reason =
        if s.edition == 0 && (s.strings < p.children_work_strings || present(&p.adult).is_some()) {
            Some(GenreDropReason::ChildrenWithoutEvidence)
        } else {
            None
        };
    if let Some(reason) = reason {
        support[usize::from(children)] = Support::default();
        dropped.push((children, reason));
    }
}

/// Drops genres with too small a share of the best genre's weight, and forms that
/// neither the reader's edition nor a clear share of the evidence claims.
fn shares(
    c: &Compiled,
    support: &[Support],
    order: &mut Vec<u16>,
    dropped: &mut Vec<(u16, GenreDropReason)>,
) {
    let p = &c.precision;
    // Audience headings ("Juvenile fiction" on every part) would dwarf the genres themselves.
    let is_audience = |id: &u16| p.children == Some(*id) || p.older_audiences.contains(id);
    let best = order
        .iter()
        .filter(|id| !is_audience(id))
        .chain(order.first())
        .map(|&id| support[usize::from(id)].weight)
        .next();
    let (Some(best), Some(top)) = (best, order.first().map(|&id| support[usize::from(id)].weight))
    else {
        return;
    };
    let share = |id: u16| u64::from(support[usize::from(id)].weight) * 100;
    order.retain(|&id| {
        let s = support[usize::from(id)];
        let reason = if p.forms.contains(&id)
            && s.edition == 0
            && share(id) < u64::from(p.form_share) * u64::from(top)
        {
            Some(GenreDropReason::FormWithoutEvidence)
        } else if share(id) < u64::from(p.min_share) * u64::from(best) {
            Some(GenreDropReason::WeakSupport)
        } else {
            None
        };
        if let Some(reason) = reason {
            dropped.push((id, reason));
        }
        reason.is_none()
    });
}

/// The genre id of a marker, if the vocabulary has it.
pub(crate) fn marker(c: &Compiled, kind: FictionKind) -> Option<u16> {
    match kind {
        FictionKind::Fiction => c.fiction,
        FictionKind::Nonfiction => c.nonfiction,
    }
}
