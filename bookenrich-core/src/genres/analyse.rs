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

/// The rule of the vocabulary that produced a genre (see [`Produced`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// A genre's name or one of its `aliases`.
    #[default]
    Vocabulary,
    /// A `[map]` heading.
    Map,
    /// A `[topics]` entry: a subject that belongs to a genre ("Volcanoes" → Science).
    Topic,
    /// A `[heads]` word at the end of a heading ("Evolutionary *biology*" → Science).
    Head,
    /// An `[[affix]]` around a key ("Fantasy *fiction*" adds Fiction).
    Affix,
    /// A `[classification]` class of a `ddc:` or `lcc:` number.
    Classification,
    /// An `[[evidence]]` tag that says fiction or nonfiction (`nyt:hardcover-fiction=…`).
    Evidence,
    /// A nonfiction genre in a fiction heading became its `in_fiction` form.
    InFiction,
}

/// One genre a raw string produced, with the rule and the key (folded text) that did it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Produced {
    /// The genre.
    pub genre: super::Genre,
    /// The rule that produced it.
    pub rule: Rule,
    /// The key the rule matched: an alias, a heading, an affix, a head word, a class.
    pub key: String,
}

/// Receives the results of analysing one string.
pub(crate) trait Sink {
    /// Whether the sink records rules (only `explain` does; the fast path skips the lookups).
    fn wants_rules(&self) -> bool {
        false
    }
    /// The rule (and its key) the next genres come from.
    fn rule(&mut self, _rule: Rule, _key: &str) {}
    /// A genre found earlier in this string was replaced or dropped (fiction topics).
    fn forget(&mut self, _id: u16) {}
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

/// Collects genre ids, the rules that produced them and drop reasons (for `explain`).
#[derive(Default)]
pub(crate) struct Trace {
    pub ids: Vec<u16>,
    pub dropped: Vec<Dropped>,
    pub produced: Vec<(u16, Rule, String)>,
    current: (Rule, String),
}

impl Sink for Trace {
    fn wants_rules(&self) -> bool {
        true
    }
    fn rule(&mut self, rule: Rule, key: &str) {
        self.current = (rule, key.to_owned());
    }
    fn forget(&mut self, id: u16) {
        self.produced.retain(|(p, ..)| *p != id);
    }
    fn genre(&mut self, id: u16) {
        if !self.ids.contains(&id) {
            self.ids.push(id);
        }
        if !self.produced.iter().any(|(p, ..)| *p == id) {
            self.produced.push((id, self.current.0, self.current.1.clone()));
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
        // Evidence tags give their marker, and are read on as the noise they are.
        if let Some((marker, prefix)) = self.evidence(raw) {
            sink.rule(Rule::Evidence, prefix);
            sink.genre(marker);
        }
        if super::classification::is_classification(raw) {
            match self.classifications.lookup(raw) {
                Some((ids, class)) => {
                    sink.rule(Rule::Classification, &class);
                    Self::emit(raw, ids, sink);
                }
                None => sink.dropped(raw.trim(), DropReason::Unknown),
            }
            return;
        }
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
                sink.forget(id);
                match self.in_fiction[usize::from(id)] {
                    Some(form) if fiction.is_some() || form == id => {
                        let name = self.names[usize::from(id)].as_str();
                        sink.rule(
                            if form == id { Rule::Vocabulary } else { Rule::InFiction },
                            name,
                        );
                        form
                    }
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
            self.emit_key(&whole, ids, sink);
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
                    self.emit_key(&key, ids, sink);
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
            self.emit_key(key, ids, sink);
            return;
        }
        let q = split_qualifiers(light);
        self.part(&key_from_light(&q.head), 0, sink);
        for qualifier in q.qualifiers {
            self.part(&key_from_light(qualifier), 0, sink);
        }
    }

    /// Emits the genres of a vocabulary key, naming the table it comes from.
    fn emit_key(&self, key: &str, ids: &[u16], sink: &mut impl Sink) {
        if sink.wants_rules() {
            sink.rule(self.key_rules.get(key).copied().unwrap_or_default(), key);
        }
        Self::emit(key, ids, sink);
    }

    /// The `[heads]` word (or two words) a multi-word part ends with, and its genres:
    /// "evolutionary biology" → ("biology", Science). The modifier is not read.
    fn head<'k>(&self, key: &'k str) -> Option<(&'k str, &[u16])> {
        if self.heads.is_empty() {
            return None;
        }
        // Longest head first: "behavioral therapy" before "therapy".
        key.match_indices(' ')
            .map(|(i, _)| &key[i + 1..])
            .find_map(|end| self.heads.get(end).map(|ids| (end, &**ids)))
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
            self.emit_key(key, ids, sink);
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
        if let Some(single) = super::text::singular(key)
            && let Some(ids) = self.lookup(&single)
        {
            self.emit_key(&single, ids, sink);
            return !ids.is_empty();
        }
        if let Some((head, ids)) = self.head(key) {
            sink.rule(Rule::Head, head);
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
            .map(|(s, adds)| (trim_word_edges(&key[..key.len() - s.len()]), adds, s.as_str()));
        let prefix = self
            .prefixes
            .candidates(key)
            .iter()
            .find(|(p, _)| key.len() > p.len() && has_word_prefix(key, p))
            .map(|(p, adds)| (trim_word_edges(&key[p.len()..]), adds, p.as_str()));
        // When both ends are affixes, read the one that leaves a vocabulary key:
        // "American science fiction" is "science fiction" (prefix), not "american science" (suffix).
        let (rest, adds, affix) = match (suffix, prefix) {
            (Some(s), Some(p)) if self.lookup(s.0).is_none() && self.lookup(p.0).is_some() => p,
            (Some(s), _) => s,
            (None, p) => p?,
        };
        if !adds.is_empty() {
            sink.rule(Rule::Affix, affix);
        }
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
