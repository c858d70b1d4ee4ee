//! Whole-word phrase search: does a key contain any of many word sequences?
//!
//! Noise `contains` rules are a few hundred phrases checked against every part
//! of every subject. A substring search per phrase costs a searcher set-up each
//! time; indexing the phrases by their first word makes the check one hash
//! lookup per word of the key.

use super::fast_hash::FastMap;

/// The words of a folded key: runs of letters, digits and apostrophes.
pub(crate) fn words(key: &str) -> impl Iterator<Item = &str> {
    key.split(|c: char| !(c.is_alphanumeric() || c == '\'')).filter(|w| !w.is_empty())
}

/// A phrase as its words, with its value.
type Phrase = (Box<[String]>, u16);

/// Phrases indexed by their first word, each with a value (the noise class).
#[derive(Debug, Default)]
pub(crate) struct PhraseIndex {
    by_first: FastMap<String, Vec<Phrase>>,
}

impl PhraseIndex {
    /// Adds a folded phrase; phrases without words are ignored.
    pub(crate) fn insert(&mut self, phrase: &str, value: u16) {
        let ws: Box<[String]> = words(phrase).map(str::to_owned).collect();
        if let Some(first) = ws.first().cloned() {
            self.by_first.entry(first).or_default().push((ws, value));
        }
    }

    /// The value of the first phrase (by position in `key`, then by insertion) found in `key`.
    pub(crate) fn find(&self, key: &str) -> Option<u16> {
        if self.by_first.is_empty() {
            return None;
        }
        let ws: Vec<&str> = words(key).collect();
        for (i, w) in ws.iter().enumerate() {
            let Some(candidates) = self.by_first.get(*w) else {
                continue;
            };
            for (phrase, value) in candidates {
                let rest = &ws[i..];
                if rest.len() >= phrase.len() && phrase.iter().zip(rest).all(|(p, w)| p == w) {
                    return Some(*value);
                }
            }
        }
        None
    }
}

/// Which end of a key an [`EdgeIndex`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Edge {
    /// Patterns that start a key (matched on its first word).
    #[default]
    Start,
    /// Patterns that end a key (matched on its last word).
    End,
}

/// Prefix or suffix patterns bucketed by their first (or last) word, longest first,
/// so a key is compared only with the patterns that can match it.
#[derive(Debug)]
pub(crate) struct EdgeIndex<V> {
    edge: Edge,
    by_word: FastMap<String, Vec<(String, V)>>,
}

impl<V> Default for EdgeIndex<V> {
    fn default() -> Self {
        Self { edge: Edge::Start, by_word: FastMap::default() }
    }
}

impl<V> EdgeIndex<V> {
    /// An empty index for patterns at `edge`.
    pub(crate) fn new(edge: Edge) -> Self {
        Self { edge, by_word: FastMap::default() }
    }

    fn edge_word<'k>(&self, key: &'k str) -> Option<&'k str> {
        match self.edge {
            Edge::Start => words(key).next(),
            Edge::End => words(key).last(),
        }
    }

    /// Adds a folded pattern; patterns without words are ignored.
    pub(crate) fn insert(&mut self, pattern: String, value: V) {
        let Some(word) = self.edge_word(&pattern).map(str::to_owned) else {
            return;
        };
        let bucket = self.by_word.entry(word).or_default();
        bucket.push((pattern, value));
        // Longest first; equal lengths keep insertion order (stable sort).
        bucket.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    }

    /// The patterns that may match `key`, longest first.
    pub(crate) fn candidates(&self, key: &str) -> &[(String, V)] {
        self.edge_word(key).and_then(|w| self.by_word.get(w)).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_whole_word_phrases_only() {
        let mut idx = PhraseIndex::default();
        idx.insert("large type", 1);
        idx.insert("award", 2);
        idx.insert("e book", 3);
        assert_eq!(idx.find("large type books"), Some(1));
        assert_eq!(idx.find("books in large type"), Some(1));
        assert_eq!(idx.find("large typeface"), None);
        assert_eq!(idx.find("hugo award winner"), Some(2));
        assert_eq!(idx.find("awards"), None);
        assert_eq!(idx.find("nyt:award=x"), Some(2));
        assert_eq!(idx.find("an e-book"), Some(3), "punctuation separates words");
        assert_eq!(idx.find("an e book"), Some(3));
        assert_eq!(idx.find(""), None);
    }

    #[test]
    fn edge_index_buckets_by_first_or_last_word() {
        let mut start = EdgeIndex::new(Edge::Start);
        start.insert("nyt:".to_owned(), 1);
        start.insert("reading level".to_owned(), 2);
        start.insert("reading".to_owned(), 3);
        let found: Vec<u8> =
            start.candidates("reading level grade 1").iter().map(|(_, v)| *v).collect();
        assert_eq!(found, [2, 3], "longest first");
        assert_eq!(start.candidates("nyt:business books").len(), 1);
        assert!(start.candidates("fantasy").is_empty());
        let mut end = EdgeIndex::new(Edge::End);
        end.insert("fiction".to_owned(), 1);
        end.insert("science fiction".to_owned(), 2);
        let found: Vec<u8> =
            end.candidates("hard science fiction").iter().map(|(_, v)| *v).collect();
        assert_eq!(found, [2, 1]);
    }
}
