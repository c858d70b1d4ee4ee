//! Reading one raw subject string: noise, hierarchy splitting, vocabulary lookup.

use super::rules::{Compiled, Kind, has_word_prefix, has_word_suffix};
use super::text::{
    Dates, JOIN, fold_light, key_from_light, segments, split_qualifiers, strip_dates,
};

/// Why part of a raw string produced no genre.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// A noise rule matched; the string is the rule class (`reading_level`, `format`, …,
    /// or the built-in `date` and `entity` classes).
    Noise(String),
    /// A `[map]` rule maps the text to no genre.
    MappedToNothing,
    /// The text is not noise but matches nothing in the vocabulary.
    Unknown,
    /// A nonfiction topic inside a heading that says the book is fiction ("Psychology -- Fiction").
    TopicOfFiction,
}

/// A part of a raw string that was dropped, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dropped {
    /// The folded text of the dropped part.
    pub text: String,
    /// Why it was dropped.
    pub reason: DropReason,
}

/// Receives the results of analysing one string.
pub(crate) trait Sink {
    fn genre(&mut self, id: u16);
    fn dropped(&mut self, text: &str, reason: DropReason);
    /// The genres found so far for the current string.
    fn ids(&mut self) -> &mut Vec<u16>;
}

/// Collects genre ids only (the fast path).
pub(crate) struct Ids<'a>(pub &'a mut Vec<u16>);

impl Sink for Ids<'_> {
    fn genre(&mut self, id: u16) {
        if !self.0.contains(&id) {
            self.0.push(id);
        }
    }
    fn dropped(&mut self, _: &str, _: DropReason) {}
    fn ids(&mut self) -> &mut Vec<u16> {
        self.0
    }
}

/// Collects genre ids and drop reasons (for `explain`).
#[derive(Default)]
pub(crate) struct Trace {
    pub ids: Vec<u16>,
    pub dropped: Vec<Dropped>,
}

impl Sink for Trace {
    fn genre(&mut self, id: u16) {
        if !self.ids.contains(&id) {
            self.ids.push(id);
        }
    }
    fn dropped(&mut self, text: &str, reason: DropReason) {
        self.dropped.push(Dropped { text: text.to_owned(), reason });
    }
    fn ids(&mut self) -> &mut Vec<u16> {
        &mut self.ids
    }
}

/// Nesting limit for affix/conjunction/date re-reads of one part (each step shortens the key).
const MAX_DEPTH: u8 = 6;

/// The class name reported for stand-alone dates.
const DATE: &str = "date";
/// The class name reported for persons, places and organisations.
const ENTITY: &str = "entity";

impl Compiled {
    /// Reads one raw string and reports its genres and dropped parts to `sink`
    /// (whose id list must start empty).
    pub(crate) fn analyse(&self, raw: &str, sink: &mut impl Sink) {
        self.analyse_parts(raw, sink);
        self.fiction_forms(sink);
    }

    /// In a heading that says "fiction", nonfiction genres are topics, not genres: they
    /// become their fiction form (History → Historical Fiction) or go. A form subdivision of
    /// an invented work ("Marriage -- Drama", "Dragons -- Poetry") likewise makes the
    /// nonfiction genres *before* it topics (only a genre that stays itself in fiction, like
    /// Philosophy, is kept); as the first part ("Poetry / Essays") it is a subject, not a form.
    fn fiction_forms(&self, sink: &mut impl Sink) {
        let ids = sink.ids();
        let is_nonfiction = |id: &u16| self.kinds[usize::from(*id)] == Kind::Nonfiction;
        let fiction = self.fiction.filter(|f| ids.contains(f));
        let form_at = if fiction.is_some() || self.nonfiction.is_some_and(|n| ids.contains(&n)) {
            None
        } else {
            ids.iter().position(|id| self.precision.imaginative.contains(id))
        };
        let topics_before = match (fiction, form_at) {
            (Some(_), _) => ids.len(),
            (None, Some(at)) => at,
            (None, None) => return,
        };
        if !ids[..topics_before].iter().any(is_nonfiction) {
            return;
        }
        let before = std::mem::take(ids);
        let mut topics = Vec::new();
        for (i, id) in before.into_iter().enumerate() {
            let id = if i < topics_before && is_nonfiction(&id) {
                match self.in_fiction[usize::from(id)] {
                    Some(form) if fiction.is_some() || form == id => form,
                    _ => {
                        topics.push(id);
                        continue;
                    }
                }
            } else {
                id
            };
            sink.genre(id);
        }
        for id in topics {
            sink.dropped(self.names[usize::from(id)].as_str(), DropReason::TopicOfFiction);
        }
    }

    fn analyse_parts(&self, raw: &str, sink: &mut impl Sink) {
        let light = fold_light(raw);
        if light.is_empty() {
            return;
        }
        let segs = segments(&light);
        let keys: Vec<String> = segs.iter().map(|s| key_from_light(s.text)).collect();
        let whole = keys.iter().filter(|k| !k.is_empty()).cloned().collect::<Vec<_>>().join(JOIN);
        if let Some(ids) = self.lookup(&whole) {
            Self::emit(&whole, ids, sink);
            return;
        }
        if let Some(class) = self.noise(&whole, true) {
            sink.dropped(&whole, DropReason::Noise(class.to_owned()));
            return;
        }

        // An entity qualifier ("Potter, Harry (Fictitious character)") drops its
        // whole comma group up to there: the name before it may contain commas.
        let mut live = vec![true; segs.len()];
        for (i, seg) in segs.iter().enumerate() {
            let q = split_qualifiers(seg.text);
            if q.qualifiers.iter().any(|q| self.is_entity(q)) {
                for (j, other) in segs.iter().enumerate().take(i + 1) {
                    if other.group == seg.group && live[j] {
                        live[j] = false;
                        sink.dropped(&keys[j], DropReason::Noise(ENTITY.to_owned()));
                    }
                }
            }
        }

        let mut i = 0;
        while i < segs.len() {
            if !live[i] || keys[i].is_empty() {
                i += 1;
                continue;
            }
            // Greedy longest compound match ("romans, nouvelles, etc." is one heading).
            let mut run = 1;
            while i + run < segs.len() && live[i + run] && run < self.max_compound {
                run += 1;
            }
            let mut matched = false;
            for len in (2..=run).rev() {
                let key = keys[i..i + len].join(JOIN);
                if let Some(ids) = self.lookup(&key) {
                    Self::emit(&key, ids, sink);
                    i += len;
                    matched = true;
                    break;
                }
            }
            if !matched {
                self.segment(segs[i].text, &keys[i], sink);
                i += 1;
            }
        }
    }

    /// One segment: its parenthetical qualifiers are read as parts of their own.
    fn segment(&self, light: &str, key: &str, sink: &mut impl Sink) {
        if !light.contains('(') {
            self.part(key, 0, sink);
            return;
        }
        if let Some(ids) = self.lookup(key) {
            Self::emit(key, ids, sink);
            return;
        }
        let q = split_qualifiers(light);
        self.part(&key_from_light(&q.head), 0, sink);
        for qualifier in q.qualifiers {
            self.part(&key_from_light(qualifier), 0, sink);
        }
    }

    fn emit(key: &str, ids: &[u16], sink: &mut impl Sink) {
        if ids.is_empty() {
            sink.dropped(key, DropReason::MappedToNothing);
        }
        for &id in ids {
            sink.genre(id);
        }
    }

    /// One folded part: vocabulary, noise, dates, affixes, conjunctions, plurals — in that order.
    ///
    /// Returns whether it produced at least one genre.
    fn part(&self, key: &str, depth: u8, sink: &mut impl Sink) -> bool {
        if key.is_empty() {
            return false;
        }
        if let Some(ids) = self.lookup(key) {
            Self::emit(key, ids, sink);
            return !ids.is_empty();
        }
        if let Some(class) = self.noise(key, false) {
            sink.dropped(key, DropReason::Noise(class.to_owned()));
            return false;
        }
        if depth < MAX_DEPTH {
            match strip_dates(key) {
                Dates::Only => {
                    sink.dropped(key, DropReason::Noise(DATE.to_owned()));
                    return false;
                }
                Dates::Rest(rest) => return self.part(&rest, depth + 1, sink),
                Dates::None => {}
            }
            if let Some(found) = self.affix(key, depth, sink) {
                return found;
            }
            if let Some(found) = self.conjunction(key, depth, sink) {
                return found;
            }
        }
        if let Some(ids) = super::text::singular(key).and_then(|s| self.lookup(&s)) {
            Self::emit(key, ids, sink);
            return !ids.is_empty();
        }
        sink.dropped(key, DropReason::Unknown);
        false
    }

    /// "Fantasy fiction" → Fiction + the genres of "fantasy"; "Novela juvenil" likewise.
    fn affix(&self, key: &str, depth: u8, sink: &mut impl Sink) -> Option<bool> {
        let suffix = self
            .suffixes
            .candidates(key)
            .iter()
            .find(|(s, _)| key.len() > s.len() && has_word_suffix(key, s))
            .map(|(s, adds)| (trim_word_edges(&key[..key.len() - s.len()]), adds));
        let prefix = self
            .prefixes
            .candidates(key)
            .iter()
            .find(|(p, _)| key.len() > p.len() && has_word_prefix(key, p))
            .map(|(p, adds)| (trim_word_edges(&key[p.len()..]), adds));
        // When both ends are affixes, read the one that leaves a vocabulary key:
        // "American science fiction" is "science fiction" (prefix), not "american science" (suffix).
        let (rest, adds) = match (suffix, prefix) {
            (Some(s), Some(p)) if self.lookup(s.0).is_none() && self.lookup(p.0).is_some() => p,
            (Some(s), _) => s,
            (None, p) => p?,
        };
        for &id in adds.as_ref() {
            sink.genre(id);
        }
        let found = !rest.is_empty() && self.part(rest, depth + 1, sink);
        Some(found || !adds.is_empty())
    }

    /// "Religion and science" → both; unknown sides are dropped on their own.
    fn conjunction(&self, key: &str, depth: u8, sink: &mut impl Sink) -> Option<bool> {
        const JOINERS: [&str; 4] = [" and ", " y ", " et ", " und "];
        let joiner = JOINERS.iter().find(|j| key.contains(*j))?;
        let mut found = false;
        for side in key.split(joiner) {
            found |= self.part(side.trim(), depth + 1, sink);
        }
        Some(found)
    }
}

/// Trims everything but letters, digits and apostrophes from both ends.
fn trim_word_edges(s: &str) -> &str {
    s.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
}
