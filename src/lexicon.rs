//! Linguistic knowledge loaded at start from the data files under `schema/`: cue verbs,
//! titles, countries, agencies, substances, relation verbs, function words.
//!
//! The files are compiled in as defaults, so the binary works anywhere; `--schema DIR`
//! loads edited copies instead, so users extend the lexicons without recompiling.

use crate::document::{EntityType, Token, TokenKind};
use crate::text::tokens::{tokenize, word_shape, ShapeSet};
use anyhow::{bail, Context, Result};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// The data files, by name, with their compiled-in defaults.
pub const FILES: &[(&str, &str)] = &[
    ("cues.tsv", include_str!("../schema/cues.tsv")),
    ("titles.txt", include_str!("../schema/titles.txt")),
    (
        "title_modifiers.txt",
        include_str!("../schema/title_modifiers.txt"),
    ),
    ("org_heads.tsv", include_str!("../schema/org_heads.tsv")),
    (
        "organizations.tsv",
        include_str!("../schema/organizations.tsv"),
    ),
    ("countries.tsv", include_str!("../schema/countries.tsv")),
    ("substances.txt", include_str!("../schema/substances.txt")),
    ("relations.tsv", include_str!("../schema/relations.tsv")),
    (
        "abbreviations.txt",
        include_str!("../schema/abbreviations.txt"),
    ),
    (
        "function_words.tsv",
        include_str!("../schema/function_words.tsv"),
    ),
    ("stopnames.txt", include_str!("../schema/stopnames.txt")),
    (
        "source_nouns.txt",
        include_str!("../schema/source_nouns.txt"),
    ),
    (
        "subordinators.txt",
        include_str!("../schema/subordinators.txt"),
    ),
    (
        "person_nouns.txt",
        include_str!("../schema/person_nouns.txt"),
    ),
    (
        "message_nouns.txt",
        include_str!("../schema/message_nouns.txt"),
    ),
    ("quantifiers.txt", include_str!("../schema/quantifiers.txt")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueClass {
    Speech,
    Belief,
    Nominal,
    Source,
}

#[derive(Debug, Clone)]
pub struct Cue {
    pub lemma: String,
    pub edge: String,
    pub class: CueClass,
    /// The form is also a noun ("states", "plans", "report"; marked `~` in cues.tsv):
    /// a cue only after a pronoun or a name.
    pub noun_too: bool,
}

/// A head word of `org_heads.tsv`: the type it gives a capitalized phrase and where it
/// may stand ("Ministry of ..." starts, "... Bureau" ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgHead {
    pub etype: EntityType,
    pub starts: bool,
    pub ends: bool,
    /// The word alone names a body ("Senate", "Pentagon"); other heads alone are a
    /// reference back to a named one ("the Bank", "the Union") and not a name.
    pub alone: bool,
}

#[derive(Debug, Clone)]
pub struct RelationVerb {
    pub lemma: String,
    pub edge: String,
    pub cameo: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionClass {
    Pron,
    Det,
    Prep,
    Conj,
    Aux,
    Adv,
    Wh,
    Neg,
    /// Nouns of time ("week", "morning", "October"): never a speaker's head.
    Time,
    Other,
}

/// What a gazetteer pattern names.
#[derive(Debug, Clone, PartialEq)]
pub enum GazKind {
    /// A name of an entity of this type.
    Name(EntityType),
    /// A demonym ("Chinese"): links to the country, is not a node of its own.
    Demonym,
    /// A country's capital city.
    Capital,
}

#[derive(Debug, Clone)]
pub struct GazEntry {
    pub canonical: String,
    pub kind: GazKind,
    /// Stable key: ISO code for countries and demonyms, canonical name otherwise.
    pub key: String,
    /// ISO code of the country an agency or capital belongs to.
    pub country: Option<String>,
    /// Acronyms ("US", "DEA") match only as written, except in lowercased text.
    pub case_sensitive: bool,
}

/// A name the cased articles of the same run found ("Lance Ho"), matched in the run's
/// lowercased articles ("lance ho"); see [`crate::pipeline::RunNames`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RunName {
    pub etype: EntityType,
    pub canonical: String,
    pub key: Option<String>,
}

/// FxHash (as in rustc): a fast hasher for the short token keys (phrases, function words,
/// stop names, head words) looked up per token of every document. Lookups only, never
/// iterated, so the hash never shows in the output.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes(c.try_into().unwrap());
            h = (h.rotate_left(5) ^ v).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
        }
        self.0 = h;
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// A set of fingerprints of words ([`Fingerprints::of`]): a word whose fingerprint is not
/// in the set is not one of the words put in. It tells most words that are no key of a
/// hash table from a few loads and multiplies, cheaper than hashing the word and
/// probing the table (which then compares the bytes).
#[derive(Debug, Clone)]
struct Fingerprints(Box<[u64]>);

impl Fingerprints {
    /// Bits of the set: a few thousand words fill a few percent of them.
    const BITS: usize = 1 << 16;

    /// The fingerprint of `word`: the top bits of its [`word_hash`]. Equal words, equal
    /// prints.
    #[inline]
    fn of(word: &[u8]) -> usize {
        (word_hash(word) >> (64 - Self::BITS.trailing_zeros())) as usize
    }

    fn insert(&mut self, word: &[u8]) {
        let bit = Self::of(word);
        self.0[bit / 64] |= 1 << (bit % 64);
    }

    /// Whether `word` may be one of the words put in.
    #[inline]
    fn may_hold(&self, word: &[u8]) -> bool {
        let bit = Self::of(word);
        self.0[bit / 64] & (1 << (bit % 64)) != 0
    }
}

/// A word as two integers: its first and last eight bytes when it has eight or more; its
/// first and last four when four to seven; its first, middle and last byte when one to
/// three. With the length they hold every byte of a word of up to 16 bytes, so such words
/// are told equal from three integer compares, without a byte compare.
#[inline]
fn word_key(word: &[u8]) -> (u64, u64) {
    let n = word.len();
    match n {
        8.. => (
            u64::from_le_bytes(word[..8].try_into().unwrap()),
            u64::from_le_bytes(word[n - 8..].try_into().unwrap()),
        ),
        4..=7 => {
            let lo = u32::from_le_bytes(word[..4].try_into().unwrap()) as u64;
            let hi = u32::from_le_bytes(word[n - 4..].try_into().unwrap()) as u64;
            (lo | hi << 32, 0)
        }
        1..=3 => {
            let x = word[0] as u64 | (word[n / 2] as u64) << 8 | (word[n - 1] as u64) << 16;
            (x, 0)
        }
        0 => (0, 0),
    }
}

/// A hash of a word from its [`word_key`] and length: a few loads and multiplies, no loop
/// over the bytes. Equal words, equal hashes; only the tables of this module use it (never
/// iterated, so it never shows in the output).
#[inline]
fn mix(head: u64, tail: u64, n: usize) -> u64 {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    const L: u64 = 0x9e37_79b9_7f4a_7c15;
    (head.wrapping_mul(K).rotate_left(26) ^ tail ^ n as u64).wrapping_mul(L)
}

#[inline]
fn word_hash(word: &[u8]) -> u64 {
    let (head, tail) = word_key(word);
    mix(head, tail, word.len())
}

/// A word of a [`FirstWords`] table with its value (a [`PhraseMap`]'s phrases that start
/// with the word).
#[derive(Debug, Clone)]
struct FirstWord<V> {
    /// [`word_key`] of the word.
    key: (u64, u64),
    hash: u64,
    word: Box<[u8]>,
    value: V,
}

impl<V> FirstWord<V> {
    #[inline]
    fn is(&self, key: (u64, u64), word: &[u8]) -> bool {
        // Up to 16 bytes the key and length are the word.
        self.key == key
            && self.word.len() == word.len()
            && (word.len() <= 16 || *self.word == *word)
    }
}

/// A hash table from first words to their phrases, open addressing over [`word_hash`]:
/// the per-token lookup of [`PhraseMap`] hashes a word in a few loads and multiplies and
/// tells a key from its [`word_key`] in integer compares (no byte compare up to 16 bytes).
/// Cheaper than a `HashMap<String, _>`, whose `Hash` of a `str` loops over the bytes and
/// whose key compare calls `memcmp`.
#[derive(Debug, Clone)]
struct FirstWords<V> {
    /// Per slot: 1 + the index of its entry, 0 when empty. A power of two long, at most
    /// a quarter full: most words looked up are no key, and their search ends at the
    /// first empty slot.
    slots: Box<[u32]>,
    /// The first words in the order inserted.
    entries: Vec<FirstWord<V>>,
}

impl<V> Default for FirstWords<V> {
    fn default() -> Self {
        FirstWords {
            slots: vec![0u32; 16].into_boxed_slice(),
            entries: Vec::new(),
        }
    }
}

impl<V> FirstWords<V> {
    /// Where the search for `hash` starts in `slots` (a power of two long): the top bits,
    /// which the multiply mixes from all the key's bits.
    #[inline]
    fn home(hash: u64, slots: usize) -> usize {
        (hash >> 40) as usize & (slots - 1)
    }

    /// The slot of `word`'s entry, or the empty slot where it would go. Always inlined:
    /// out of line, its register saves cost as much as the search.
    #[inline(always)]
    fn slot(&self, key: (u64, u64), word: &[u8]) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = Self::home(mix(key.0, key.1, word.len()), self.slots.len());
        loop {
            match self.slots[at] {
                0 => return at,
                s if self.entries[s as usize - 1].is(key, word) => return at,
                _ => at = (at + 1) & mask,
            }
        }
    }

    #[inline]
    fn get(&self, word: &[u8]) -> Option<&V> {
        match self.slots[self.slot(word_key(word), word)] {
            0 => None,
            s => Some(&self.entries[s as usize - 1].value),
        }
    }

    fn get_or_default(&mut self, word: &[u8]) -> &mut V
    where
        V: Default,
    {
        let key = word_key(word);
        let mut at = self.slot(key, word);
        if self.slots[at] == 0 {
            if (self.entries.len() + 1) * 4 > self.slots.len() {
                let mut slots = vec![0u32; self.slots.len() * 2].into_boxed_slice();
                let mask = slots.len() - 1;
                for (k, e) in self.entries.iter().enumerate() {
                    let mut a = Self::home(e.hash, slots.len());
                    while slots[a] != 0 {
                        a = (a + 1) & mask;
                    }
                    slots[a] = k as u32 + 1;
                }
                self.slots = slots;
                at = self.slot(key, word);
            }
            self.entries.push(FirstWord {
                key,
                hash: mix(key.0, key.1, word.len()),
                word: word.into(),
                value: V::default(),
            });
            self.slots[at] = self.entries.len() as u32;
        }
        let s = self.slots[at] as usize - 1;
        &mut self.entries[s].value
    }
}

impl Default for Fingerprints {
    fn default() -> Self {
        Fingerprints(vec![0u64; Self::BITS / 64].into_boxed_slice())
    }
}

/// A phrase of a [`PhraseMap`]: its lowercase words with their shapes ([`word_shape`]), so
/// that a token that differs is told from one integer compare, without reading the word.
#[derive(Debug, Clone)]
struct Phrase<V> {
    words: Vec<String>,
    shapes: Vec<u16>,
    value: V,
}

/// The phrases of a [`PhraseMap`] that start with one word, longest first.
#[derive(Debug, Clone)]
struct Phrases<V> {
    list: Vec<Phrase<V>>,
    /// Bit `shape % 64` of the second word of each longer phrase: a common first word
    /// ("the": "the hague", "the gambia", ...) is mostly followed by a word that rules
    /// them all out at once.
    seconds: u64,
    /// Where the one-word phrases start in `list`.
    singles: usize,
}

impl<V> Default for Phrases<V> {
    fn default() -> Self {
        Phrases {
            list: Vec::new(),
            seconds: 0,
            singles: 0,
        }
    }
}

/// Token-sequence dictionary: lowercase token sequences to values; longest match wins.
#[derive(Debug, Clone)]
pub struct PhraseMap<V> {
    by_first: FirstWords<Phrases<V>>,
    /// Shapes of the first words: most tokens start no phrase, and the token's shape
    /// ([`word_shape`]) tells so without hashing the word.
    first_shapes: ShapeSet,
}

impl<V> Default for PhraseMap<V> {
    fn default() -> Self {
        PhraseMap {
            by_first: FirstWords::default(),
            first_shapes: ShapeSet::default(),
        }
    }
}

impl<V: Clone> PhraseMap<V> {
    pub fn insert(&mut self, phrase: &str, value: V) {
        let words = phrase_tokens(phrase);
        if words.is_empty() {
            return;
        }
        self.first_shapes.insert(&words[0]);
        let phrases = self.by_first.get_or_default(words[0].as_bytes());
        if phrases.list.iter().any(|p| p.words == words) {
            return; // first entry wins: files are read top to bottom
        }
        let shapes: Vec<u16> = words.iter().map(|w| word_shape(w.as_bytes())).collect();
        if let Some(second) = shapes.get(1) {
            phrases.seconds |= 1 << (second % 64);
        }
        phrases.list.push(Phrase {
            words,
            shapes,
            value,
        });
        // Longest first so the first match found is the longest.
        phrases
            .list
            .sort_by_key(|p| std::cmp::Reverse(p.words.len()));
        phrases.singles = phrases.list.iter().filter(|p| p.words.len() > 1).count();
    }

    /// Whether a phrase may start with token `t`: false for most tokens, told from the
    /// token's shape without reading the word.
    #[inline]
    pub fn may_start(&self, t: &Token) -> bool {
        self.first_shapes.may_hold(t)
    }

    /// All values whose phrase starts at token `i`, longest first, with their length.
    #[inline]
    pub fn matches_at<'a, 'd>(
        &'a self,
        lower: &'d str,
        tokens: &'d [Token],
        i: usize,
        end: usize,
    ) -> impl Iterator<Item = (usize, &'a V)> + use<'a, 'd, V> {
        // Nothing starts at or past the end: callers probe the token after a phrase, which
        // may be the end of the sentence or of the document.
        let candidates = match tokens.get(i) {
            Some(t) if i < end && self.may_start(t) => self.starting_with(lower, tokens, i),
            _ => &[],
        };
        candidates
            .iter()
            // The first word is the key just found; for the others the shape rules out
            // most tokens that differ before their text is compared.
            // A one-word phrase (most candidates) is its first word, just found, and fits
            // (`i < end`): no zip of three slices to set up for it.
            .filter(move |p| {
                p.words.len() == 1
                    || i + p.words.len() <= end
                        && p.words[1..]
                            .iter()
                            .zip(&p.shapes[1..])
                            .zip(&tokens[i + 1..])
                            .all(|((w, &shape), t)| {
                                // Bytes: equal as `str` when equal as bytes, without the
                                // char boundary tests of slicing a `str`.
                                t.shape == shape
                                    && lower.as_bytes()[t.span.start..t.span.end] == *w.as_bytes()
                            })
            })
            .map(|p| (p.words.len(), &p.value))
    }

    /// The phrases whose first word is token `i`, without those the next token rules
    /// out. Out of line: the callers inline the shape test, which most tokens fail.
    #[inline(never)]
    fn starting_with<'a>(&'a self, lower: &str, tokens: &[Token], i: usize) -> &'a [Phrase<V>] {
        let sp = tokens[i].span;
        let Some(phrases) = self.by_first.get(&lower.as_bytes()[sp.start..sp.end]) else {
            return &[];
        };
        let longer = tokens
            .get(i + 1)
            .is_some_and(|t| phrases.seconds & (1 << (t.shape % 64)) != 0);
        &phrases.list[if longer { 0 } else { phrases.singles }..]
    }

    #[inline]
    pub fn longest_at<'a>(
        &'a self,
        lower: &str,
        tokens: &[Token],
        i: usize,
        end: usize,
    ) -> Option<(usize, &'a V)> {
        self.matches_at(lower, tokens, i, end).next()
    }

    pub fn contains(&self, phrase: &str) -> bool {
        // A lowercase word of letters is its own single token: no need to tokenize it.
        if !phrase.is_empty() && phrase.bytes().all(|b| b.is_ascii_lowercase()) {
            return self
                .by_first
                .get(phrase.as_bytes())
                .is_some_and(|l| l.list[l.singles..].iter().any(|p| p.words[0] == phrase));
        }
        let words = phrase_tokens(phrase);
        words
            .first()
            .and_then(|f| self.by_first.get(f.as_bytes()))
            .is_some_and(|l| l.list.iter().any(|p| p.words == words))
    }
}

/// Lowercase tokens of a lexicon phrase, cut the same way as document text.
fn phrase_tokens(phrase: &str) -> Vec<String> {
    let lower = phrase.to_ascii_lowercase();
    // Most phrases are letters and spaces ("new york"), which the tokenizer cuts at the
    // spaces only: the thousands of places load faster.
    if lower.bytes().all(|b| b.is_ascii_lowercase() || b == b' ') {
        return lower.split_ascii_whitespace().map(str::to_string).collect();
    }
    tokenize(&lower, 0, &|w| w.ends_with('.') && w.len() <= 6)
        .iter()
        .filter(|t| t.kind != TokenKind::Quote || t.span.len() > 1)
        .map(|t| t.span.slice(&lower).to_string())
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub cues: PhraseMap<Cue>,
    /// Nouns naming a statement ("claim", "allegations").
    pub nominal_cues: PhraseMap<Cue>,
    pub titles: PhraseMap<()>,
    /// Titles of whoever heads a body ("chairman", "coach"; marked in titles.txt).
    pub body_head_titles: HashSet<String, FxBuild>,
    pub title_modifiers: HashSet<String, FxBuild>,
    /// Capitalized head words of organizations and places ("Ministry", "Bank", "Square").
    pub org_heads: HashMap<String, OrgHead, FxBuild>,
    pub gazetteer: PhraseMap<GazEntry>,
    /// Multi-word names from the cased articles of the run, for its lowercased ones; empty
    /// unless [`Lexicon::with_run_names`] filled it.
    pub run_names: PhraseMap<RunName>,
    pub relations: PhraseMap<RelationVerb>,
    pub abbreviations: HashSet<String, FxBuild>,
    /// The function words as loaded. Lookups ([`Lexicon::function_class`]) read a table
    /// made from this when the lexicon is built: a change made afterwards is not seen.
    pub function_words: HashMap<String, FunctionClass, FxBuild>,
    /// The stop names as loaded; [`Lexicon::is_stopname`] reads a table made from this
    /// when the lexicon is built, as for `function_words`.
    pub stopnames: HashSet<String, FxBuild>,
    /// Common nouns that can be the subject of a noun-like cue ("polls show").
    pub source_nouns: HashSet<String, FxBuild>,
    /// Words that open a fronted subordinate clause ("While ...", "After ...").
    pub subordinators: HashSet<String, FxBuild>,
    /// Nouns that describe a person without being a title ("official", "spokesman").
    pub person_nouns: HashSet<String, FxBuild>,
    /// Nouns naming a message that carries someone's words ("statement", "tweet").
    pub message_nouns: HashSet<String, FxBuild>,
    /// Words that head a quantity speaking for a group ("most of them", "six in 10").
    pub quantifiers: HashSet<String, FxBuild>,
    /// Country ISO code -> canonical name.
    pub country_names: HashMap<String, String>,
    /// Shapes of the function words, stop names, head words and title modifiers, for the
    /// tests of a token ([`Lexicon::token_class`] ...): most tokens are none of them, and
    /// the shape tells so without hashing the word. Filled with the lists they stand for.
    function_shapes: ShapeSet,
    stopname_shapes: ShapeSet,
    head_shapes: ShapeSet,
    modifier_shapes: ShapeSet,
    /// The function words and stop names again, in [`FirstWords`] tables: the rules look
    /// up most capitalized words of every document (many are "The", "He", "But"), and
    /// such a table tells a word from a few loads and integer compares where the
    /// `HashSet` hashes it byte by byte and compares it with `memcmp`.
    function_table: FirstWords<Option<FunctionClass>>,
    stopname_table: FirstWords<bool>,
    /// Bytes of the longest abbreviation: a longer word is none (lowercasing ASCII keeps
    /// the length), told without a lookup.
    longest_abbreviation: usize,
    /// Fingerprints of the abbreviations: most words ending in a period ("said.") are
    /// none, told without a lookup.
    abbreviation_prints: Fingerprints,
    /// The titles that are one word of lowercase letters, digits, hyphens and periods
    /// with something other than a letter ("sen.", "secretary-general"), for
    /// [`Lexicon::is_title_word`].
    title_words: HashSet<String, FxBuild>,
}

/// Rows of a data file: non-empty, non-comment lines split on tabs.
fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<String>)> + '_ {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| (n + 1, l.split('\t').map(|f| f.trim().to_string()).collect()))
}

fn field<'a>(name: &str, line: usize, cols: &'a [String], i: usize) -> Result<&'a str> {
    match cols.get(i) {
        Some(s) => Ok(s),
        None => bail!(
            "{name}:{line}: expected at least {} tab-separated columns",
            i + 1
        ),
    }
}

fn list(s: &str, sep: char) -> impl Iterator<Item = &str> {
    s.split(sep).map(str::trim).filter(|s| !s.is_empty())
}

fn entity_type(name: &str, line: usize, s: &str) -> Result<EntityType> {
    Ok(match s {
        "Agency" => EntityType::Agency,
        "Organization" => EntityType::Organization,
        "Person" => EntityType::Person,
        "Country" => EntityType::Country,
        "Place" => EntityType::Place,
        "Substance" => EntityType::Substance,
        other => bail!("{name}:{line}: unknown entity type {other:?}"),
    })
}

/// Short all-caps words ("US", "DEA") are acronyms: matched only as written.
fn is_acronym(s: &str) -> bool {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty() && letters.len() <= 6 && letters.iter().all(|c| c.is_uppercase())
}

impl Lexicon {
    /// The compiled-in lexicons.
    pub fn builtin() -> Lexicon {
        Lexicon::from_sources(|name| {
            Ok(FILES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.to_string())
                .unwrap_or_default())
        })
        .expect("the compiled-in lexicons are valid (tested)")
    }

    /// Loads every data file from `dir`; a file missing there falls back to the default.
    pub fn load(dir: &Path) -> Result<Lexicon> {
        if !dir.is_dir() {
            bail!("schema directory {} does not exist", dir.display());
        }
        Lexicon::from_sources(|name| {
            let path = dir.join(name);
            if path.exists() {
                std::fs::read_to_string(&path)
                    .with_context(|| format!("reading lexicon {}", path.display()))
            } else {
                Ok(FILES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, t)| t.to_string())
                    .unwrap_or_default())
            }
        })
    }

    fn from_sources(read: impl Fn(&str) -> Result<String>) -> Result<Lexicon> {
        let mut lex = Lexicon::default();
        let name = "cues.tsv";
        for (line, cols) in rows(&read(name)?) {
            let lemma = field(name, line, &cols, 0)?;
            let forms = field(name, line, &cols, 1)?;
            let edge = field(name, line, &cols, 2)?;
            let class = match field(name, line, &cols, 3)? {
                "speech" => CueClass::Speech,
                "belief" => CueClass::Belief,
                "nominal" => CueClass::Nominal,
                "source" => CueClass::Source,
                other => bail!("{name}:{line}: unknown cue class {other:?}"),
            };
            for form in list(forms, ',') {
                let (form, noun_too) = match form.strip_prefix('~') {
                    Some(f) => (f, true),
                    None => (form, false),
                };
                let cue = Cue {
                    lemma: lemma.to_string(),
                    edge: edge.to_string(),
                    class,
                    noun_too,
                };
                // Nominal forms live in their own map: "claims" is both.
                if class == CueClass::Nominal {
                    lex.nominal_cues.insert(form, cue);
                } else {
                    lex.cues.insert(form, cue);
                }
            }
        }
        let mut odd_titles = Vec::new();
        for (_, cols) in rows(&read("titles.txt")?) {
            lex.titles.insert(&cols[0], ());
            if cols.get(1).is_some_and(|f| f == "heads") {
                lex.body_head_titles.insert(cols[0].to_ascii_lowercase());
            }
            if !cols[0]
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b' ')
            {
                odd_titles.push(phrase_tokens(&cols[0]).concat());
            }
        }
        // A title's tokens written as one word ("sen.", "secretary-general"), kept when
        // that word is the title: [`Lexicon::is_title_word`].
        for word in odd_titles {
            if is_title_shaped(&word) && lex.titles.contains(&word) {
                lex.title_words.insert(word);
            }
        }
        for (_, cols) in rows(&read("title_modifiers.txt")?) {
            lex.title_modifiers.insert(cols[0].to_ascii_lowercase());
        }
        let name = "org_heads.tsv";
        for (line, cols) in rows(&read(name)?) {
            let t = entity_type(name, line, field(name, line, &cols, 1)?)?;
            let pos = field(name, line, &cols, 2)?;
            lex.org_heads.insert(
                cols[0].clone(),
                OrgHead {
                    etype: t,
                    starts: pos == "first" || pos == "any",
                    ends: pos == "last" || pos == "any",
                    alone: cols.get(3).is_some_and(|f| f == "alone"),
                },
            );
        }
        let name = "countries.tsv";
        let mut header_seen = false;
        for (line, cols) in rows(&read(name)?) {
            if !header_seen && cols[0] == "iso2" {
                header_seen = true;
                continue;
            }
            let iso = field(name, line, &cols, 0)?.to_string();
            let canonical = field(name, line, &cols, 1)?.to_string();
            lex.country_names.insert(iso.clone(), canonical.clone());
            let entry = |kind: GazKind, s: &str| GazEntry {
                canonical: canonical.clone(),
                kind,
                key: iso.clone(),
                country: Some(iso.clone()),
                case_sensitive: is_acronym(s),
            };
            lex.gazetteer.insert(
                &canonical,
                entry(GazKind::Name(EntityType::Country), &canonical),
            );
            for a in list(cols.get(2).map_or("", |s| s), '|') {
                lex.gazetteer
                    .insert(a, entry(GazKind::Name(EntityType::Country), a));
            }
            for d in list(cols.get(3).map_or("", |s| s), '|') {
                lex.gazetteer.insert(d, entry(GazKind::Demonym, d));
            }
            if let Some(cap) = cols.get(4).filter(|c| !c.is_empty()) {
                lex.gazetteer.insert(
                    cap,
                    GazEntry {
                        canonical: cap.clone(),
                        kind: GazKind::Capital,
                        key: cap.clone(),
                        country: Some(iso.clone()),
                        case_sensitive: false,
                    },
                );
            }
        }
        let name = "organizations.tsv";
        for (line, cols) in rows(&read(name)?) {
            let canonical = field(name, line, &cols, 0)?.to_string();
            let t = entity_type(name, line, field(name, line, &cols, 1)?)?;
            let country = cols.get(3).filter(|c| !c.is_empty()).cloned();
            let aliases = cols.get(2).map_or("", |s| s);
            for a in std::iter::once(canonical.as_str()).chain(list(aliases, '|')) {
                lex.gazetteer.insert(
                    a,
                    GazEntry {
                        canonical: canonical.clone(),
                        kind: GazKind::Name(t),
                        key: canonical.clone(),
                        country: country.clone(),
                        case_sensitive: is_acronym(a),
                    },
                );
            }
        }
        for (_, cols) in rows(&read("substances.txt")?) {
            let s = &cols[0];
            let canonical = capitalize(s);
            for form in [s.clone(), format!("{s}s")] {
                lex.gazetteer.insert(
                    &form,
                    GazEntry {
                        canonical: canonical.clone(),
                        kind: GazKind::Name(EntityType::Substance),
                        key: canonical.clone(),
                        country: None,
                        case_sensitive: false,
                    },
                );
            }
        }
        let name = "relations.tsv";
        for (line, cols) in rows(&read(name)?) {
            let lemma = field(name, line, &cols, 0)?;
            let forms = field(name, line, &cols, 1)?;
            let edge = field(name, line, &cols, 2)?;
            let cameo = cols.get(3).cloned().unwrap_or_default();
            for form in list(forms, ',') {
                lex.relations.insert(
                    form,
                    RelationVerb {
                        lemma: lemma.to_string(),
                        edge: edge.to_string(),
                        cameo: cameo.clone(),
                    },
                );
            }
        }
        for (_, cols) in rows(&read("abbreviations.txt")?) {
            lex.abbreviations.insert(cols[0].to_ascii_lowercase());
        }
        let name = "function_words.tsv";
        for (line, cols) in rows(&read(name)?) {
            let class = match field(name, line, &cols, 1)? {
                "pron" => FunctionClass::Pron,
                "det" => FunctionClass::Det,
                "prep" => FunctionClass::Prep,
                "conj" => FunctionClass::Conj,
                "aux" => FunctionClass::Aux,
                "adv" => FunctionClass::Adv,
                "wh" => FunctionClass::Wh,
                "neg" => FunctionClass::Neg,
                "time" => FunctionClass::Time,
                "other" => FunctionClass::Other,
                other => bail!("{name}:{line}: unknown word class {other:?}"),
            };
            lex.function_words
                .insert(cols[0].to_ascii_lowercase(), class);
        }
        for (_, cols) in rows(&read("stopnames.txt")?) {
            lex.stopnames.insert(cols[0].to_ascii_lowercase());
        }
        for (_, cols) in rows(&read("source_nouns.txt")?) {
            lex.source_nouns.insert(cols[0].to_ascii_lowercase());
        }
        for (file, set) in [
            ("subordinators.txt", &mut lex.subordinators),
            ("person_nouns.txt", &mut lex.person_nouns),
            ("message_nouns.txt", &mut lex.message_nouns),
            ("quantifiers.txt", &mut lex.quantifiers),
        ] {
            for (_, cols) in rows(&read(file)?) {
                set.insert(cols[0].to_ascii_lowercase());
            }
        }
        lex.function_shapes = ShapeSet::of(lex.function_words.keys());
        lex.stopname_shapes = ShapeSet::of(lex.stopnames.iter());
        for (word, &class) in &lex.function_words {
            *lex.function_table.get_or_default(word.as_bytes()) = Some(class);
        }
        for word in &lex.stopnames {
            *lex.stopname_table.get_or_default(word.as_bytes()) = true;
        }
        lex.head_shapes = ShapeSet::of(lex.org_heads.keys());
        lex.modifier_shapes = ShapeSet::of(lex.title_modifiers.iter());
        lex.longest_abbreviation = lex.abbreviations.iter().map(String::len).max().unwrap_or(0);
        for a in &lex.abbreviations {
            lex.abbreviation_prints.insert(a.as_bytes());
        }
        Ok(lex)
    }

    /// This lexicon with `names` (lowercase phrase, name) as its run gazetteer.
    pub fn with_run_names<'a>(
        &self,
        names: impl IntoIterator<Item = (&'a str, RunName)>,
    ) -> Lexicon {
        let mut lex = self.clone();
        lex.run_names = PhraseMap::default();
        for (phrase, name) in names {
            lex.run_names.insert(phrase, name);
        }
        lex
    }

    pub fn is_abbreviation(&self, word: &str) -> bool {
        if word.len() > self.longest_abbreviation {
            return false;
        }
        // A short word is lowercased on the stack ("Mr." is "mr."), not in a new String.
        let mut buf = [0u8; 16];
        let Some(lower) = buf.get_mut(..word.len()) else {
            return self.abbreviations.contains(&word.to_ascii_lowercase());
        };
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        if !self.abbreviation_prints.may_hold(lower) {
            return false;
        }
        // ASCII-lowercasing keeps a str valid UTF-8.
        std::str::from_utf8(lower).is_ok_and(|w| self.abbreviations.contains(w))
    }

    pub fn is_stopname(&self, lower: &str) -> bool {
        self.stopname_table.get(lower.as_bytes()).is_some()
    }

    pub fn function_class(&self, lower: &str) -> Option<FunctionClass> {
        self.function_table.get(lower.as_bytes()).copied().flatten()
    }

    /// [`Lexicon::function_class`] of token `t` of a document whose lowercase text is
    /// `lower`. (The word is read only when its shape is a function word's.)
    #[inline]
    pub fn token_class(&self, t: &Token, lower: &str) -> Option<FunctionClass> {
        self.function_shapes
            .may_hold(t)
            .then(|| self.function_class(t.span.slice(lower)))
            .flatten()
    }

    /// [`Lexicon::is_stopname`] of token `t` of a document whose lowercase text is `lower`.
    #[inline]
    pub fn token_is_stopname(&self, t: &Token, lower: &str) -> bool {
        self.stopname_shapes.may_hold(t) && self.is_stopname(t.span.slice(lower))
    }

    /// The head word entry of token `t` as written in `text`, the document's text.
    #[inline]
    pub fn token_head(&self, t: &Token, text: &str) -> Option<&OrgHead> {
        self.head_shapes
            .may_hold(t)
            .then(|| self.org_heads.get(t.span.slice(text)))
            .flatten()
    }

    /// Whether token `t` of a document whose lowercase text is `lower` is a title modifier
    /// ("deputy").
    #[inline]
    pub fn token_is_title_modifier(&self, t: &Token, lower: &str) -> bool {
        self.modifier_shapes.may_hold(t) && self.title_modifiers.contains(t.span.slice(lower))
    }

    /// `self.titles.contains(word)` for a word of one token ("sen.", "deputy"), without
    /// the Strings of cutting it into tokens for the words that are not plain letters.
    /// Exact: the tokens of a word of lowercase letters, digits, hyphens and periods hold
    /// all its bytes (only one-byte quotes are dropped), so if it is a title, the title's
    /// tokens joined are the word, which the lexicon kept in `title_words` when it loaded.
    pub fn is_title_word(&self, word: &str) -> bool {
        let plain = !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase());
        if !plain && is_title_shaped(word) {
            self.title_words.contains(word)
        } else {
            self.titles.contains(word)
        }
    }

    pub fn country_name(&self, iso: &str) -> Option<&str> {
        self.country_names.get(iso).map(String::as_str)
    }
}

/// A word that [`Lexicon::is_title_word`] finds in `title_words`: lowercase letters,
/// digits, hyphens and periods.
fn is_title_shaped(word: &str) -> bool {
    !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicons_load_and_know_the_basics() {
        let lex = Lexicon::builtin();
        assert!(lex.cues.contains("said"));
        assert!(lex.cues.contains("according to"));
        assert!(lex.title_modifiers.contains("deputy"));
        assert!(lex.titles.contains("secretary-general"));
        assert!(lex.gazetteer.contains("U.S."));
        assert!(lex.gazetteer.contains("DEA"));
        assert_eq!(lex.country_name("CN"), Some("China"));
    }

    /// [`Lexicon::is_title_word`] (a set made at load for the words that are not plain
    /// letters) answers as `titles.contains` for every title of the lexicon, its words,
    /// its tokens joined, and tricky words around them.
    #[test]
    fn is_title_word_equals_titles_contains() {
        let lex = Lexicon::builtin();
        let mut words: Vec<String> = [
            "",
            "sen",
            "sen.",
            "sen..",
            ".sen.",
            "sen.-",
            "secretary-general",
            "secretary",
            "general",
            "-",
            ".",
            "--",
            "secretary--general",
            "secretary-general.",
            "director-general",
            "deputy",
            "dr",
            "dr.",
            "mr.",
            "u.s.",
            "co-chair",
            "2nd",
            "rep.",
            "gen.",
            "gen",
            "team-mate",
            "teammate",
            "vicepresident",
            "vice-president",
            "Sen.",
            "SEN.",
            "sen.'",
            "'sen.",
            "sen’",
            "secretary general",
            "Chief",
        ]
        .iter()
        .map(|w| w.to_string())
        .collect();
        for (_, cols) in rows(include_str!("../schema/titles.txt")) {
            let title = cols[0].to_ascii_lowercase();
            let tokens = phrase_tokens(&title);
            words.push(tokens.concat());
            words.push(tokens.join("-"));
            words.push(format!("{title}."));
            words.extend(tokens);
            words.push(title);
        }
        let mut odd = 0;
        for w in &words {
            assert_eq!(lex.is_title_word(w), lex.titles.contains(w), "{w:?}");
            odd += (lex.is_title_word(w) && !w.bytes().all(|b| b.is_ascii_lowercase())) as usize;
        }
        assert!(odd >= 5, "titles such as \"sen.\" are found ({odd})");
    }

    /// [`Lexicon::is_abbreviation`] (lowercased on the stack, fingerprints first) answers
    /// as a lookup of the lowercased word.
    #[test]
    fn is_abbreviation_equals_a_lookup_of_the_lowercase_word() {
        let lex = Lexicon::builtin();
        let slow = |w: &str| lex.abbreviations.contains(&w.to_ascii_lowercase());
        let mut words: Vec<String> = Vec::new();
        for a in &lex.abbreviations {
            words.push(a.clone());
            words.push(a.to_ascii_uppercase());
            words.push(capitalize(a));
            words.push(format!("{a}x"));
            words.push(a[..a.len() - 1].to_string());
        }
        for w in [
            "",
            ".",
            "said.",
            "Mr.",
            "MR.",
            "mr",
            "Mr",
            "U.S.",
            "u.s.",
            "Jan.",
            "Sept.",
            "é.",
            "Dr.é",
            "Ünd.",
            "co.",
            "Inc.",
            "inc",
            "etc.",
            "vs.",
            "No.",
            "a.m.",
            "abcdefghijklmnopq.",
            "ThisIsALongWord.",
        ] {
            words.push(w.to_string());
        }
        for w in &words {
            assert_eq!(lex.is_abbreviation(w), slow(w), "{w:?}");
        }
    }

    /// A [`FirstWords`] table answers as a `HashMap` of the same words.
    #[test]
    fn first_words_answer_as_a_hash_map() {
        // Words of every length around the key's cases (3, 4, 7, 8, 16, 17 bytes), words
        // equal but for one byte at each position, and non-ASCII bytes.
        let mut words: Vec<Vec<u8>> = vec![Vec::new()];
        for n in 1..=20 {
            let base: Vec<u8> = (0..n).map(|k| b'a' + (k % 26) as u8).collect();
            for k in 0..n {
                let mut w = base.clone();
                w[k] = b'z';
                words.push(w);
            }
            words.push(base);
        }
        words.push("’s".as_bytes().to_vec());
        words.push("café".as_bytes().to_vec());
        let mut table: FirstWords<Phrases<usize>> = FirstWords::default();
        let mut map: HashMap<Vec<u8>, usize> = HashMap::new();
        // Every other word in, the others only looked up.
        for (k, w) in words.iter().enumerate().filter(|(k, _)| k % 2 == 0) {
            table.get_or_default(w).singles = k;
            map.insert(w.clone(), k);
        }
        for w in &words {
            assert_eq!(
                table.get(w).map(|p| p.singles),
                map.get(w).copied(),
                "{w:?}"
            );
        }
        // A word put in twice keeps one entry.
        table.get_or_default(&words[0]).singles += 1000;
        assert_eq!(table.get(&words[0]).map(|p| p.singles), Some(1000));
        assert_eq!(table.entries.len(), map.len());
    }

    /// [`PhraseMap::matches_at`] (one-word phrases taken at once, the other words compared
    /// as bytes) equals a scan of all the phrases of the first word comparing `str`s.
    #[test]
    fn matches_at_equals_a_scan_of_all_phrases() {
        let mut map: PhraseMap<usize> = PhraseMap::default();
        let phrases = [
            "new",
            "new york",
            "new york city",
            "new zealand",
            "the hague",
            "the",
            "café",
            "café de flore",
            "u.s.",
            "u.s. army",
            "san josé",
            "são paulo",
            "new-york",
            "york",
        ];
        for (k, p) in phrases.iter().enumerate() {
            map.insert(p, k);
        }
        let texts = [
            "New York City and new zealand, the Hague; NEW YORK CITY.",
            "Café de Flore in São Paulo near San José, the U.S. Army and the U.S.",
            "new new york new york city york new-york the the hague new",
            "new yorks new york cityx café de flores san jose",
        ];
        for text in texts {
            let lower = text.to_ascii_lowercase();
            let tokens = crate::text::tokens::tokenize(text, 0, &|_| false);
            let n = tokens.len();
            for i in 0..=n + 1 {
                for end in i.saturating_sub(1)..=n {
                    let fast: Vec<(usize, usize)> = map
                        .matches_at(&lower, &tokens, i, end)
                        .map(|(m, &v)| (m, v))
                        .collect();
                    let slow: Vec<(usize, usize)> = match tokens.get(i) {
                        Some(t) if i < end => map
                            .by_first
                            .get(t.span.slice(&lower).as_bytes())
                            .map_or(&[][..], |l| &l.list[..])
                            .iter()
                            .filter(|p| {
                                i + p.words.len() <= end
                                    && p.words
                                        .iter()
                                        .zip(&tokens[i..])
                                        .all(|(w, t)| t.span.slice(&lower) == w)
                            })
                            .map(|p| (p.words.len(), p.value))
                            .collect(),
                        _ => Vec::new(),
                    };
                    assert_eq!(fast, slow, "{text:?} {i} {end}");
                }
            }
        }
    }

    /// [`Lexicon::function_class`] and [`Lexicon::is_stopname`], read from their
    /// [`FirstWords`] tables, answer as the maps they were filled from: for every word of
    /// the lists, each with one byte changed, cut or lengthened, and other words.
    #[test]
    fn function_and_stopname_tables_answer_as_the_maps() {
        let lex = Lexicon::builtin();
        let mut words: Vec<String> = lex
            .function_words
            .keys()
            .chain(lex.stopnames.iter())
            .cloned()
            .collect();
        for w in words.clone() {
            words.push(format!("{w}s"));
            words.push(w[..w.len() - 1].to_string());
            words.push(w.replacen(|c: char| c.is_ascii_lowercase(), "z", 1));
            words.push(w.to_ascii_uppercase());
        }
        words.extend(["", "café", "’s", "administrations", "the-the"].map(String::from));
        for w in &words {
            assert_eq!(
                lex.function_class(w),
                lex.function_words.get(w.as_str()).copied(),
                "{w:?}"
            );
            assert_eq!(
                lex.is_stopname(w),
                lex.stopnames.contains(w.as_str()),
                "{w:?}"
            );
        }
    }

    /// A word put in a [`Fingerprints`] set is always let through.
    #[test]
    fn fingerprints_hold_the_words_put_in() {
        let lex = Lexicon::builtin();
        let mut set = Fingerprints::default();
        let words: Vec<&String> = lex
            .function_words
            .keys()
            .chain(lex.abbreviations.iter())
            .chain(lex.stopnames.iter())
            .collect();
        for w in &words {
            set.insert(w.as_bytes());
        }
        for w in &words {
            assert!(set.may_hold(w.as_bytes()), "{w:?}");
        }
        for w in [
            "",
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "an abbreviation.",
        ] {
            set.insert(w.as_bytes());
            assert!(set.may_hold(w.as_bytes()), "{w:?}");
        }
    }

    #[test]
    fn a_user_schema_dir_overrides_one_file() {
        let dir = std::env::temp_dir().join(format!("cg-lex-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("cues.tsv"), "opine\topined\tsays\tspeech\n").unwrap();
        let lex = Lexicon::load(&dir).unwrap();
        assert!(lex.cues.contains("opined"));
        assert!(!lex.cues.contains("said"));
        std::fs::write(dir.join("cues.tsv"), "opine\topined\tsays\tshouting\n").unwrap();
        let err = Lexicon::load(&dir).unwrap_err().to_string();
        assert!(err.contains("cues.tsv:1"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
