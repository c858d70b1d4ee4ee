//! The rule file format (TOML), merging of user rules over the built-in ones,
//! and compilation into the lookup tables the normaliser uses.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use super::classification::Classifications;
use super::fast_hash::{FastMap, FastSet};
use super::phrases::{Edge, EdgeIndex, PhraseIndex};
use super::text::{JOIN, compound_key, fold_key, key_from_light, singular};
use super::{FictionKind, Genre, Rule};
use crate::error::{Error, Result};

/// Name of the configuration "field" reported in errors about rule files.
const FIELD: &str = "genre rules";

/// One rule file, built-in or user-written. Every table is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    settings: Settings,
    #[serde(default, rename = "genre")]
    genres: Vec<GenreRule>,
    #[serde(default)]
    map: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    topics: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    heads: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    noise: BTreeMap<String, NoiseRule>,
    #[serde(default)]
    entities: EntityRule,
    #[serde(default, rename = "affix")]
    affixes: Vec<AffixRule>,
    #[serde(default)]
    precision: PrecisionRule,
    #[serde(default)]
    classification: ClassificationRule,
    #[serde(default, rename = "evidence")]
    evidence: Vec<EvidenceRule>,
}

/// `[[evidence]]`: tags that are noise as genres but say fiction or nonfiction
/// (`nyt:hardcover-fiction=…`, `award:hugo_award=novel`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvidenceRule {
    /// The tag must start with one of these (folded).
    prefixes: Vec<String>,
    /// …and contain one of these words (split at any non-alphanumeric character).
    words: Vec<String>,
    /// `Fiction` or `Nonfiction`.
    marker: String,
}

impl PrecisionRule {
    /// Takes every field `p` sets.
    fn merge(&mut self, p: PrecisionRule) {
        let into = self;
        macro_rules! over {
            ($($f:ident),*) => { $( if p.$f.is_some() { into.$f = p.$f; } )* };
        }
        over!(
            edition_weight,
            min_share,
            form_share,
            forms,
            imaginative,
            children,
            older_audiences,
            adult,
            children_work_strings
        );
    }
}

/// `[classification.ddc]` and `[classification.lcc]`: a class → genres (markers included).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassificationRule {
    #[serde(default)]
    ddc: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    lcc: BTreeMap<String, Vec<String>>,
}

/// How a book's evidence is weighed (`[precision]`); every field is optional and a later
/// layer's value replaces an earlier one's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PrecisionRule {
    /// How much more one string about the reader's edition weighs than one pooled work subject.
    edition_weight: Option<u32>,
    /// A genre needs at least this share (percent) of the best genre's weight.
    min_share: Option<u32>,
    /// A form genre without edition evidence needs at least this share (percent).
    form_share: Option<u32>,
    /// Genres that say what form the book is in (kept only with edition evidence or a clear majority).
    forms: Option<Vec<String>>,
    /// Genres whose heading makes the book an invented work: other genres in it are its topics.
    imaginative: Option<Vec<String>>,
    /// The children's audience genre, which needs positive evidence.
    children: Option<String>,
    /// Audience genres that beat the children's genre when present.
    older_audiences: Option<Vec<String>>,
    /// Genres that say the book is for adults: they outweigh pooled juvenile strings.
    adult: Option<Vec<String>>,
    /// Pooled work strings the children's genre needs when no edition string supports it.
    children_work_strings: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    max_genres: Option<usize>,
}

/// Whether a genre belongs to fiction, nonfiction, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Fiction,
    Nonfiction,
    Any,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct GenreRule {
    name: String,
    kind: Option<Kind>,
    #[serde(default)]
    aliases: Vec<String>,
    /// The genre this one becomes when a heading says the book is fiction
    /// ("History -- Fiction" is Historical Fiction, not History).
    in_fiction: Option<String>,
    #[serde(default)]
    remove: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoiseRule {
    #[serde(default)]
    exact: Vec<String>,
    #[serde(default)]
    prefixes: Vec<String>,
    #[serde(default)]
    suffixes: Vec<String>,
    #[serde(default)]
    contains: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityRule {
    #[serde(default)]
    qualifiers: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AffixRule {
    #[serde(default)]
    prefixes: Vec<String>,
    #[serde(default)]
    suffixes: Vec<String>,
    #[serde(default)]
    adds: Vec<String>,
}

/// A genre entry of a merged rule set, with the layer (0 = built-in) each alias came from.
#[derive(Debug, Clone)]
struct MergedGenre {
    name: String,
    kind: Kind,
    aliases: Vec<(String, u8)>,
    in_fiction: Option<String>,
}

/// The built-in rules with any number of user files merged over them.
#[derive(Debug, Clone, Default)]
pub(crate) struct RuleSet {
    layers: u8,
    max_genres: Option<usize>,
    genres: Vec<MergedGenre>,
    map: BTreeMap<String, (Vec<String>, u8)>,
    topics: BTreeMap<String, (Vec<String>, u8)>,
    heads: BTreeMap<String, Vec<String>>,
    noise: BTreeMap<String, NoiseRule>,
    entities: Vec<String>,
    /// Each affix rule with the name of its file and index, for errors.
    affixes: Vec<(AffixRule, String)>,
    precision: PrecisionRule,
    classification: ClassificationRule,
    evidence: Vec<EvidenceRule>,
}

impl RuleFile {
    /// Parses rule TOML; errors name the line and column.
    pub(crate) fn parse(toml_text: &str, origin: &str) -> Result<Self> {
        toml::from_str(toml_text)
            .map_err(|e| Error::config(format!("{FIELD} ({origin})"), e.to_string().trim_end()))
    }
}

impl RuleSet {
    /// Merges `file` over this set as a new layer: its aliases and mappings win over earlier ones.
    pub(crate) fn merge(&mut self, file: RuleFile, origin: &str) -> Result<()> {
        let layer = self.layers;
        self.layers = self
            .layers
            .checked_add(1)
            .ok_or_else(|| Error::config(FIELD, "too many rule layers"))?;
        let err =
            |field: String, msg: String| Error::config(format!("{FIELD} ({origin}): {field}"), msg);
        if let Some(n) = file.settings.max_genres {
            self.max_genres = Some(n);
        }
        for (i, rule) in file.genres.into_iter().enumerate() {
            let name = rule.name.trim();
            if name.is_empty() {
                return Err(err(format!("genre[{i}].name"), "must not be empty".into()));
            }
            if fold_key(name).is_empty() {
                return Err(err(format!("genre[{i}].name"), format!("{name:?} has no letters")));
            }
            let existing = self.genres.iter().position(|g| g.name.eq_ignore_ascii_case(name));
            if rule.remove {
                let Some(at) = existing else {
                    return Err(err(
                        format!("genre[{i}]"),
                        format!("cannot remove unknown genre {name:?}"),
                    ));
                };
                self.genres.remove(at);
                continue;
            }
            for (j, alias) in rule.aliases.iter().enumerate() {
                if compound_key(alias).is_empty() {
                    return Err(err(
                        format!("genre[{i}].aliases[{j}]"),
                        format!("{alias:?} has no letters"),
                    ));
                }
            }
            let aliases = rule.aliases.into_iter().map(|a| (a, layer));
            match existing {
                Some(at) => {
                    let g = &mut self.genres[at];
                    if let Some(kind) = rule.kind {
                        g.kind = kind;
                    }
                    if rule.in_fiction.is_some() {
                        g.in_fiction = rule.in_fiction;
                    }
                    g.aliases.extend(aliases);
                }
                None => self.genres.push(MergedGenre {
                    name: name.to_owned(),
                    kind: rule.kind.unwrap_or(Kind::Any),
                    aliases: aliases.collect(),
                    in_fiction: rule.in_fiction,
                }),
            }
        }
        for (raw, targets) in file.map {
            if compound_key(&raw).is_empty() {
                return Err(err(format!("map.{raw:?}"), "key has no letters".into()));
            }
            self.map.insert(raw, (targets, layer));
        }
        for (raw, targets) in file.topics {
            if compound_key(&raw).is_empty() {
                return Err(err(format!("topics.{raw:?}"), "key has no letters".into()));
            }
            self.topics.insert(raw, (targets, layer));
        }
        for (head, targets) in file.heads {
            if fold_key(&head).is_empty() {
                return Err(err(format!("heads.{head:?}"), "key has no letters".into()));
            }
            self.heads.insert(head, targets);
        }
        for (class, rule) in file.noise {
            let into = self.noise.entry(class).or_default();
            into.exact.extend(rule.exact);
            into.prefixes.extend(rule.prefixes);
            into.suffixes.extend(rule.suffixes);
            into.contains.extend(rule.contains);
        }
        self.entities.extend(file.entities.qualifiers);
        self.evidence.extend(file.evidence);
        self.classification.ddc.extend(file.classification.ddc);
        self.classification.lcc.extend(file.classification.lcc);
        self.precision.merge(file.precision);
        self.affixes.extend(
            file.affixes
                .into_iter()
                .enumerate()
                .map(|(i, a)| (a, format!("({origin}) affix[{i}].adds"))),
        );
        Ok(())
    }

    /// The configured cap of genres per book, if any layer set one.
    pub(crate) fn max_genres(&self) -> Option<usize> {
        self.max_genres
    }

    /// Builds the lookup tables; fails on references to unknown genres and on
    /// one key claimed by two genres within the same layer.
    pub(crate) fn compile(&self) -> Result<Compiled> {
        let mut c = Compiled {
            noise_suffixes: EdgeIndex::new(Edge::End),
            suffixes: EdgeIndex::new(Edge::End),
            ..Compiled::default()
        };
        let mut by_name: HashMap<String, u16> = HashMap::new();
        for g in &self.genres {
            let id = u16::try_from(c.names.len())
                .map_err(|_| Error::config(FIELD, "more than 65535 genres"))?;
            by_name.insert(g.name.to_lowercase(), id);
            c.names.push(Genre(g.name.clone()));
            c.kinds.push(g.kind);
            if g.name == FictionKind::Fiction.as_str() {
                c.fiction = Some(id);
            } else if g.name == FictionKind::Nonfiction.as_str() {
                c.nonfiction = Some(id);
            }
        }
        let resolve = |field: &str, names: &[String]| -> Result<Box<[u16]>> {
            names
                .iter()
                .map(|n| {
                    by_name.get(&n.trim().to_lowercase()).copied().ok_or_else(|| {
                        Error::config(
                            format!("{FIELD}: {field}"),
                            format!("{n:?} is not a genre of the vocabulary"),
                        )
                    })
                })
                .collect()
        };

        let mut keys = KeyTable::default();
        // Each genre's own name is an alias of itself, so normalised output maps to itself.
        for (id, g) in self.genres.iter().enumerate() {
            let id = u16::try_from(id).unwrap_or(u16::MAX);
            keys.insert(&compound_key(&g.name), Box::new([id]), 0, &g.name)?;
            for (alias, layer) in &g.aliases {
                keys.insert(&compound_key(alias), Box::new([id]), *layer, &g.name)?;
            }
        }
        keys.rule = Rule::Map;
        for (raw, (targets, layer)) in &self.map {
            let ids = resolve(&format!("map.{raw:?}"), targets)?;
            keys.insert(&compound_key(raw), ids, *layer, &format!("map.{raw:?}"))?;
        }
        keys.rule = Rule::Topic;
        for (raw, (targets, layer)) in &self.topics {
            let ids = resolve(&format!("topics.{raw:?}"), targets)?;
            keys.insert(&compound_key(raw), ids, *layer, &format!("topics.{raw:?}"))?;
        }
        for (head, targets) in &self.heads {
            let ids = resolve(&format!("heads.{head:?}"), targets)?;
            c.heads.insert(fold_key(head), ids);
        }
        for g in &self.genres {
            let target = match &g.in_fiction {
                Some(name) => Some(
                    resolve(&format!("genre {:?}.in_fiction", g.name), std::slice::from_ref(name))?
                        [0],
                ),
                None => None,
            };
            c.in_fiction.push(target);
        }
        keys.add_singulars();
        c.max_compound = keys.map.keys().map(|k| k.matches(JOIN).count() + 1).max().unwrap_or(1);
        c.key_rules = keys.map.iter().map(|(k, e)| (k.clone(), e.rule)).collect();
        c.keys = keys.map.into_iter().map(|(k, e)| (k, e.targets)).collect();

        self.compile_noise(&mut c);
        self.compile_affixes(&mut c, &resolve)?;
        self.compile_precision(&mut c, &resolve)?;
        for (i, e) in self.evidence.iter().enumerate() {
            let field = format!("evidence[{i}].marker");
            let id = resolve(&field, std::slice::from_ref(&e.marker))?[0];
            if Some(id) != c.fiction && Some(id) != c.nonfiction {
                return Err(Error::config(
                    format!("{FIELD}: {field}"),
                    format!("{:?} is not Fiction or Nonfiction", e.marker),
                ));
            }
            c.evidence.push(Evidence {
                prefixes: e.prefixes.iter().map(|p| p.trim().to_lowercase()).collect(),
                words: e.words.iter().map(|w| w.trim().to_lowercase()).collect(),
                marker: id,
            });
        }
        c.classifications = Classifications::compile(
            &self.classification.ddc,
            &self.classification.lcc,
            |field, names| resolve(field, names),
        )?;
        c.max_genres = self.max_genres.unwrap_or(DEFAULT_MAX_GENRES);
        Ok(c)
    }
}

impl RuleSet {
    fn compile_noise(&self, c: &mut Compiled) {
        for (class, rule) in &self.noise {
            let class_id = u16::try_from(c.noise_classes.len()).unwrap_or(u16::MAX);
            c.noise_classes.push(class.clone());
            for e in rule.exact.iter().map(|s| fold_key(s)).filter(|s| !s.is_empty()) {
                c.noise_exact.entry(e).or_insert(class_id);
            }
            let patterns = |v: &[String]| {
                v.iter()
                    .filter_map(|s| Pattern::parse(s))
                    .map(|p| (p, class_id))
                    .collect::<Vec<_>>()
            };
            for (p, class) in patterns(&rule.prefixes) {
                c.noise_prefixes.insert(p.key.clone(), (p, class));
            }
            for (p, class) in patterns(&rule.suffixes) {
                c.noise_suffixes.insert(p.key.clone(), (p, class));
            }
            for phrase in &rule.contains {
                c.noise_contains.insert(&fold_key(phrase), class_id);
            }
        }
        c.entities = self.entities.iter().map(|q| fold_key(q)).filter(|q| !q.is_empty()).collect();
    }

    fn compile_affixes(&self, c: &mut Compiled, resolve: &Resolver<'_>) -> Result<()> {
        for (a, label) in &self.affixes {
            let adds = resolve(label, &a.adds)?;
            // Longest affix first (the index sorts), so "young adult fiction" wins over "fiction".
            for p in &a.prefixes {
                c.prefixes.insert(fold_key(p), adds.clone());
            }
            for s in &a.suffixes {
                c.suffixes.insert(fold_key(s), adds.clone());
            }
        }
        Ok(())
    }
}

impl RuleSet {
    fn compile_precision(&self, c: &mut Compiled, resolve: &Resolver<'_>) -> Result<()> {
        let p = &self.precision;
        let list = |field: &str, v: &Option<Vec<String>>| -> Result<Vec<u16>> {
            Ok(resolve(&format!("precision.{field}"), v.as_deref().unwrap_or_default())?.into_vec())
        };
        c.precision = Precision {
            edition_weight: p.edition_weight.unwrap_or(1).max(1),
            min_share: p.min_share.unwrap_or(0).min(100),
            form_share: p.form_share.unwrap_or(0).min(100),
            forms: list("forms", &p.forms)?,
            imaginative: list("imaginative", &p.imaginative)?,
            children: match &p.children {
                Some(name) => Some(resolve("precision.children", std::slice::from_ref(name))?[0]),
                None => None,
            },
            older_audiences: list("older_audiences", &p.older_audiences)?,
            adult: list("adult", &p.adult)?,
            children_work_strings: p.children_work_strings.unwrap_or(1),
        };
        Ok(())
    }
}

/// A compiled `[[evidence]]` rule.
#[derive(Debug)]
pub(crate) struct Evidence {
    pub prefixes: Vec<String>,
    pub words: Vec<String>,
    pub marker: u16,
}

/// How a book's evidence is weighed, compiled (see `[precision]` in the rule file).
#[derive(Debug, Default)]
pub(crate) struct Precision {
    pub edition_weight: u32,
    /// Percent of the best genre's weight a genre needs.
    pub min_share: u32,
    /// Percent of the best genre's weight a form genre without edition evidence needs.
    pub form_share: u32,
    pub forms: Vec<u16>,
    pub imaginative: Vec<u16>,
    pub children: Option<u16>,
    pub older_audiences: Vec<u16>,
    pub adult: Vec<u16>,
    pub children_work_strings: u32,
}

/// Resolves genre names of a rule (the field is named in errors) to genre ids.
type Resolver<'a> = dyn Fn(&str, &[String]) -> Result<Box<[u16]>> + 'a;

/// Genres per book when no rule or builder call says otherwise.
pub(crate) const DEFAULT_MAX_GENRES: usize = 8;

/// A key's targets and where they came from, while the table is built.
#[derive(Debug)]
struct KeyEntry {
    targets: Box<[u16]>,
    layer: u8,
    owner: String,
    rule: Rule,
}

#[derive(Debug, Default)]
struct KeyTable {
    map: HashMap<String, KeyEntry>,
    /// The rule the keys inserted next come from.
    rule: Rule,
}

impl KeyTable {
    fn insert(&mut self, key: &str, targets: Box<[u16]>, layer: u8, owner: &str) -> Result<()> {
        if key.is_empty() {
            return Ok(());
        }
        match self.map.get(key) {
            Some(old) if old.layer > layer => Ok(()),
            Some(old) if old.layer == layer && old.targets != targets => Err(Error::config(
                FIELD,
                format!(
                    "{key:?} is claimed by both {:?} and {owner:?} (in the same rule file)",
                    old.owner
                ),
            )),
            _ => {
                self.map.insert(
                    key.to_owned(),
                    KeyEntry { targets, layer, owner: owner.to_owned(), rule: self.rule },
                );
                Ok(())
            }
        }
    }

    /// Adds the singular of every plural key (and so the plural reading of every singular input) unless taken.
    fn add_singulars(&mut self) {
        let mut extra: Vec<(String, Box<[u16]>, Rule)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let mut keys: Vec<&String> = self.map.keys().collect();
        keys.sort();
        for k in keys {
            if let Some(s) = singular(k)
                && !self.map.contains_key(&s)
                && seen.insert(s.clone())
            {
                extra.push((s, self.map[k].targets.clone(), self.map[k].rule));
            }
        }
        for (k, targets, rule) in extra {
            self.map.insert(k, KeyEntry { targets, layer: 0, owner: String::new(), rule });
        }
    }
}

/// The lookup tables the normaliser runs on.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    pub names: Vec<Genre>,
    pub kinds: Vec<Kind>,
    /// Per genre: what a nonfiction genre becomes inside a fiction heading (`None` = dropped).
    pub in_fiction: Vec<Option<u16>>,
    pub fiction: Option<u16>,
    pub nonfiction: Option<u16>,
    /// Folded (compound) key → genres; an empty target list means "drop".
    pub keys: FastMap<String, Box<[u16]>>,
    /// Which table each key comes from (for `explain`).
    pub key_rules: FastMap<String, Rule>,
    /// Head words of topical headings → genres ("biology" in "Evolutionary biology").
    pub heads: FastMap<String, Box<[u16]>>,
    /// The most segments any compound key spans.
    pub max_compound: usize,
    pub noise_classes: Vec<String>,
    pub noise_exact: FastMap<String, u16>,
    pub noise_prefixes: EdgeIndex<(Pattern, u16)>,
    pub noise_suffixes: EdgeIndex<(Pattern, u16)>,
    pub noise_contains: PhraseIndex,
    pub entities: FastSet<String>,
    pub prefixes: EdgeIndex<Box<[u16]>>,
    pub suffixes: EdgeIndex<Box<[u16]>>,
    pub max_genres: usize,
    pub precision: Precision,
    pub classifications: Classifications,
    pub evidence: Vec<Evidence>,
}

impl Compiled {
    /// The marker an `[[evidence]]` tag gives, and the rule's prefix (for `explain`).
    pub(crate) fn evidence(&self, raw: &str) -> Option<(u16, &str)> {
        if self.evidence.is_empty() {
            return None;
        }
        let t = raw.trim_start();
        // Most strings are not tags: compare the prefix before any allocation.
        let starts = |p: &str| t.get(..p.len()).is_some_and(|x| x.eq_ignore_ascii_case(p));
        self.evidence.iter().find_map(|e| {
            let prefix = e.prefixes.iter().find(|p| starts(p))?;
            t.split(|c: char| !c.is_alphanumeric())
                .any(|w| e.words.iter().any(|x| x.eq_ignore_ascii_case(w)))
                .then_some((e.marker, prefix.as_str()))
        })
    }

    /// The genres a folded key maps to (`Some(&[])` = mapped to nothing).
    pub(crate) fn lookup(&self, key: &str) -> Option<&[u16]> {
        self.keys.get(key).map(AsRef::as_ref)
    }

    /// The noise class of a folded key, if a noise rule matches it.
    ///
    /// For a `whole` heading only `exact` and `prefixes` rules are used: the
    /// other rules look at single parts, so "Hugo Award -- Science fiction"
    /// still says Science Fiction.
    pub(crate) fn noise(&self, key: &str, whole: bool) -> Option<&str> {
        let class = self
            .noise_exact
            .get(key)
            .copied()
            .or_else(|| {
                self.noise_prefixes
                    .candidates(key)
                    .iter()
                    .find(|(_, (p, _))| p.is_prefix_of(key))
                    .map(|(_, (_, c))| *c)
            })
            .or_else(|| {
                if whole {
                    return None;
                }
                self.noise_suffixes
                    .candidates(key)
                    .iter()
                    .find(|(s, _)| has_word_suffix(key, s))
                    .map(|(_, (_, c))| *c)
                    .or_else(|| self.noise_contains.find(key))
            })?;
        self.noise_classes.get(usize::from(class)).map(String::as_str)
    }

    /// Whether a folded parenthetical qualifier marks a person, place or organisation.
    pub(crate) fn is_entity(&self, qualifier: &str) -> bool {
        let key = key_from_light(qualifier);
        self.entities.contains(&key)
            || key.split(',').next().is_some_and(|first| self.entities.contains(first.trim()))
    }
}

/// A noise pattern: folded words, optionally requiring a number after them
/// (written `"age #"`), or ending in `:` (a `nyt:` style tag).
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    key: String,
    then_number: bool,
}

impl Pattern {
    fn parse(raw: &str) -> Option<Self> {
        let t = raw.trim();
        let (t, then_number) = match t.strip_suffix('#') {
            Some(head) => (head.trim_end(), true),
            None => (t, false),
        };
        let mut key = fold_key(t);
        if key.is_empty() {
            return None;
        }
        if t.ends_with(':') {
            key.push(':');
        }
        Some(Self { key, then_number })
    }

    fn is_prefix_of(&self, key: &str) -> bool {
        if !has_word_prefix(key, &self.key) {
            return false;
        }
        !self.then_number
            || key[self.key.len()..]
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .starts_with(|c: char| c.is_ascii_digit())
    }
}

fn is_boundary(c: Option<char>) -> bool {
    c.is_none_or(|c| !c.is_alphanumeric() && c != '\'')
}

/// `key` starts with the words of `prefix` (prefixes ending in punctuation like `nyt:` match anything after).
pub(crate) fn has_word_prefix(key: &str, prefix: &str) -> bool {
    key.starts_with(prefix)
        && (!prefix.ends_with(char::is_alphanumeric)
            || is_boundary(key[prefix.len()..].chars().next()))
}

/// `key` ends with the words of `suffix`.
pub(crate) fn has_word_suffix(key: &str, suffix: &str) -> bool {
    key.ends_with(suffix) && is_boundary(key[..key.len() - suffix.len()].chars().next_back())
}
