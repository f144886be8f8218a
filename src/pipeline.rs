//! The pipeline for one article: ingest metadata -> text -> extract, then the article's
//! findings converted to code point offsets ([`Findings`]) for resolve, which sees all
//! articles. Articles are independent until resolve, so they run in parallel.

use crate::document::{Attribution, Document, EntityType, Metadata, StatementKind, Target};
use crate::graph::{ArticleInfo, CharSpan};
use crate::ingest::metadata::{self, Boilerplate};
use crate::lexicon::{Lexicon, RunName};
use crate::span::{CharIndex, Span};
use crate::{extract, text};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Confidence of a follow-on statement relative to the attribution it continues.
const FOLLOW_ON_CONFIDENCE: f32 = 0.9;

/// Everything the stages need that is loaded once. The lexicon is shared, never copied:
/// it holds every country, place and agency name.
pub struct Pipeline {
    pub lexicon: Arc<Lexicon>,
}

/// Runs every per-article stage on `doc`.
pub fn analyze(doc: &mut Document, lexicon: &Lexicon) {
    metadata::detect(doc, Boilerplate::builtin());
    text::analyze(doc, lexicon);
    extract::entities::extract(doc, lexicon);
    extract::attribution::extract(doc, lexicon);
    extract::relations::extract(doc, lexicon);
}

/// [`analyze`], then the findings (dropping the text).
pub fn run(mut doc: Document, lexicon: &Lexicon) -> Findings {
    analyze(&mut doc, lexicon);
    Findings::take_from(&mut doc)
}

impl Pipeline {
    pub fn new(lexicon: impl Into<Arc<Lexicon>>) -> Pipeline {
        Pipeline {
            lexicon: lexicon.into(),
        }
    }

    /// Runs every per-article stage on `doc`.
    pub fn analyze(&self, doc: &mut Document) {
        analyze(doc, &self.lexicon)
    }

    /// Analyzes and converts to findings (dropping the text).
    pub fn run(&self, doc: Document) -> Findings {
        run(doc, &self.lexicon)
    }

    /// [`Pipeline::run`], but a bug that panics on one article becomes an error for that
    /// article instead of ending the batch.
    pub fn run_isolated(&self, doc: Document) -> Result<Findings, (String, String)> {
        let id = doc.id.clone();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run(doc))).map_err(|e| {
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_string());
            (
                id,
                format!("internal error while extracting, article skipped: {why}"),
            )
        })
    }
}

/// The multi-word names of people, agencies and organizations that the cased articles of a
/// run found, by lowercase phrase (canonical names and surfaces as written): the run's
/// lowercased articles, where capitals tell nothing, are analysed with them as an extra
/// gazetteer ([`Lexicon::with_run_names`]). A phrase naming two different things in the
/// run is ambiguous and left out. A set, filled in any order: the same for any file order
/// and thread count.
#[derive(Debug, Default)]
pub struct RunNames {
    /// Lowercase phrase -> the one name it stands for, or None when ambiguous.
    phrases: BTreeMap<String, Option<RunName>>,
}

impl RunNames {
    /// Adds the names a cased article found.
    pub fn add(&mut self, f: &Findings) {
        if f.lowercased {
            return;
        }
        for m in &f.mentions {
            if !matches!(
                m.etype,
                EntityType::Person | EntityType::Agency | EntityType::Organization
            ) {
                continue;
            }
            let name = RunName {
                etype: m.etype,
                canonical: m.canonical.clone(),
                key: m.key.clone(),
            };
            for phrase in [&m.surface, &m.canonical] {
                if phrase.split_whitespace().nth(1).is_none() {
                    continue; // one word ("Ho", "DEA") is too ambiguous without capitals
                }
                self.phrases
                    .entry(one_line(&phrase.to_lowercase()))
                    .and_modify(|known| {
                        if known.as_ref() != Some(&name) {
                            *known = None;
                        }
                    })
                    .or_insert_with(|| Some(name.clone()));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.values().all(Option::is_none)
    }

    /// `lex` with these names as its run gazetteer.
    pub fn lexicon(&self, lex: &Lexicon) -> Lexicon {
        lex.with_run_names(
            self.phrases
                .iter()
                .filter_map(|(phrase, name)| Some((phrase.as_str(), name.clone()?))),
        )
    }
}

/// Analyses the articles of one run: the cased ones first, then the lowercased ones with
/// the names the cased ones found ([`RunNames`]). Findings in input order.
pub fn run_all(docs: Vec<Document>, lex: &Lexicon) -> Vec<Findings> {
    let (lowercased, cased): (Vec<_>, Vec<_>) = docs
        .into_iter()
        .enumerate()
        .partition(|(_, d)| text::is_lowercased(&d.text));
    let mut out: Vec<(usize, Findings)> =
        cased.into_iter().map(|(n, d)| (n, run(d, lex))).collect();
    // The run gazetteer copies the lexicon: only when some article needs it.
    if !lowercased.is_empty() {
        let mut names = RunNames::default();
        out.iter().for_each(|(_, f)| names.add(f));
        let with_names = names.lexicon(lex);
        out.extend(
            lowercased
                .into_iter()
                .map(|(n, d)| (n, run(d, &with_names))),
        );
    }
    out.sort_by_key(|(n, _)| *n);
    out.into_iter().map(|(_, f)| f).collect()
}

#[derive(Debug, Clone)]
pub struct MentionFinding {
    pub etype: EntityType,
    pub canonical: String,
    pub key: Option<String>,
    pub surface: String,
    pub span: CharSpan,
    pub rule: &'static str,
    pub confidence: f32,
}

#[derive(Debug, Clone)]
pub struct AttributionFinding {
    /// Index into `mentions` of the resolved speaker.
    pub speaker_mention: Option<usize>,
    /// Where the speaker is named and the cue: offsets only (their text is in the
    /// article; the graph keeps the offsets, and copying the text cost two allocations
    /// per statement).
    pub speaker: Option<CharSpan>,
    pub cue: CharSpan,
    pub content: CharSpan,
    pub text: String,
    pub kind: StatementKind,
    pub edge: String,
    pub evidence: CharSpan,
    /// The evidence sentence on one line; empty when no edge carries it (neither a
    /// resolved speaker nor a responder).
    pub evidence_text: Arc<str>,
    pub rule: &'static str,
    pub confidence: f32,
    /// (responder mention index, cue, edge) for "X disputed Y's claim that ...".
    pub response: Option<(usize, CharSpan, CharSpan, String)>,
}

#[derive(Debug, Clone)]
pub struct RelationFinding {
    pub subject: usize,
    pub object: Target,
    pub edge: String,
    pub title: Option<String>,
    pub evidence: CharSpan,
    pub evidence_text: Arc<str>,
    pub rule: &'static str,
    pub confidence: f32,
}

/// One article's findings with code point offsets: what resolve needs, without the text.
#[derive(Debug, Clone)]
pub struct Findings {
    pub info: ArticleInfo,
    pub lowercased: bool,
    pub authors: Vec<(String, CharSpan)>,
    pub mentions: Vec<MentionFinding>,
    pub attributions: Vec<AttributionFinding>,
    pub relations: Vec<RelationFinding>,
}

/// Collapses whitespace runs (line breaks inside evidence) to single spaces.
pub fn one_line(s: &str) -> String {
    // Most spans are one line already (words with single spaces): a plain copy.
    if s.is_empty() || is_one_line(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// [`one_line`] as a shared string: a span that is one line already is copied once, not
/// into a `String` and again into the `Arc`.
fn one_line_arc(s: &str) -> Arc<str> {
    if s.is_empty() || is_one_line(s) {
        Arc::from(s)
    } else {
        Arc::from(one_line(s))
    }
}

/// Whether `s` is words separated by single spaces, with no space at either end.
///
/// Sixteen bytes at a time, each with the byte after it: one test on two 8-byte words
/// without an early exit tells whether any of them may break it ([`maybe_spaced`]); most
/// runs have none. In a run that has some (a curly quote, say) only those bytes are looked
/// at ([`flags`], [`flagged_ok`]).
fn is_one_line(s: &str) -> bool {
    let bytes = s.as_bytes();
    let n = bytes.len();
    if n == 0 || bytes[0] == b' ' || bytes[n - 1] == b' ' {
        return false;
    }
    if n < 17 {
        // Padded with a letter, which is never flagged and never doubles a space.
        let mut window = [b'a'; 17];
        window[..n].copy_from_slice(bytes);
        return !maybe_spaced(&window) || flagged_ok(s, 0, flags(&window));
    }
    let mut at = 0;
    while at + 17 <= n {
        let window: &[u8; 17] = bytes[at..at + 17].try_into().unwrap();
        if maybe_spaced(window) && !flagged_ok(s, at, flags(window)) {
            return false;
        }
        at += 16;
    }
    // The bytes left: the last 17 bytes as one more window (overlapping bytes tested
    // already), then the last byte, which has no byte after it (it is not a space, and
    // the last byte of a text cannot start a multi-byte char).
    let last = n - 17;
    let window: &[u8; 17] = bytes[last..].try_into().unwrap();
    (!maybe_spaced(window) || flagged_ok(s, last, flags(window)))
        && (bytes[n - 1] >= 0x20 || flagged_ok(s, n - 1, 1))
}

/// Each byte of a word: multiplied by a byte value, puts it in every byte.
const EVERY_BYTE: u64 = 0x0101_0101_0101_0101;
/// Bit 7 of every byte.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the first 16 bytes of `w` is flagged by [`flags`], in two 8-byte words:
/// no branch and a dozen instructions per word, where a byte loop took two per byte.
#[inline(always)]
fn maybe_spaced(w: &[u8; 17]) -> bool {
    let word = |at: usize| u64::from_le_bytes(w[at..at + 8].try_into().unwrap());
    flagged_word(word(0), word(1)) | flagged_word(word(8), word(9))
}

/// Whether any byte of `x` is below 0x20, is 0xC0 or more, or is a ' ' whose next byte
/// (the same byte of `next`, the word one byte further on) is one too.
#[inline(always)]
fn flagged_word(x: u64, next: u64) -> bool {
    // A byte below n (n <= 0x80) exists iff (x - n per byte) & !x has a high bit set (the
    // borrow of a byte only runs on from a byte that is itself below n).
    let below_space = x.wrapping_sub(EVERY_BYTE * 0x20) & !x;
    // 0xC0 or more: the lead bytes of multi-byte chars, as the char index finds them.
    let lead = crate::span::lead_bytes(x);
    // A zero byte in the or of the two words xored with spaces: a space followed by one.
    let pairs = (x ^ (EVERY_BYTE * 0x20)) | (next ^ (EVERY_BYTE * 0x20));
    let double_space = pairs.wrapping_sub(EVERY_BYTE) & !pairs;
    (below_space | lead | double_space) & HIGH_BITS != 0
}

/// Bit k set when byte k of `w` (k < 16) may break [`is_one_line`]: a byte below 0x20
/// (the ASCII spaces other than ' ' are among them), a byte of 0xC0 or more (the first
/// byte of every Unicode space) or a ' ' followed by another.
#[inline]
fn flags(w: &[u8; 17]) -> u16 {
    (0..16).fold(0u16, |mask, k| {
        let b = w[k];
        let flagged = !(0x20..0xC0).contains(&b) | ((b == b' ') & (w[k + 1] == b' '));
        mask | ((flagged as u16) << k)
    })
}

/// Whether the bytes of `s` at `at + k` for the bits k of `mask` ([`flags`]) are fine:
/// a flagged ' ' is a double space; a byte below 0x20 breaks the line when it is an ASCII
/// space; a byte of 0xC0 or more starts a char that breaks it when it is whitespace.
fn flagged_ok(s: &str, at: usize, mut mask: u16) -> bool {
    let bytes = s.as_bytes();
    while mask != 0 {
        let i = at + mask.trailing_zeros() as usize;
        mask &= mask - 1;
        let ok = match bytes[i] {
            b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => false,
            0xc0.. => !s[i..].starts_with(char::is_whitespace),
            _ => true,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// [`one_line`] of evidence sentences, each computed and stored once per article (a
/// sentence often carries several attributions and relations).
struct EvidenceCache<'d> {
    doc: &'d Document,
    done: rustc_hash::FxHashMap<Span, Arc<str>>,
}

impl EvidenceCache<'_> {
    fn get(&mut self, span: Span) -> Arc<str> {
        let doc = self.doc;
        self.done
            .entry(span)
            .or_insert_with(|| one_line_arc(doc.slice(span)))
            .clone()
    }
}

/// The document's attributions, then one statement per follow-on quote (appended, so that
/// relation targets keep their attribution indices). A follow-on statement has its
/// attribution's speaker and cue (whose offsets point back to where the speaker is named);
/// its evidence is the quote itself. (Evidence from the attribution to the quote would make
/// a paragraph of a thousand follow-on quotes quadratic.)
fn attribution_findings(
    doc: &Document,
    edges: Vec<(String, Option<String>)>,
    evidence: &mut EvidenceCache,
    cs: &impl Fn(Span) -> CharSpan,
) -> Vec<AttributionFinding> {
    // Only edges carry evidence: without a resolved speaker or responder there is none,
    // and a long sentence with many such attributions would otherwise be copied for each.
    let has_edge = |a: &Attribution| {
        a.speaker_entity.is_some()
            || a.response
                .as_ref()
                .is_some_and(|r| r.speaker_entity.is_some())
    };
    // One empty text shared by the attributions without evidence (`Arc::from("")`
    // allocates each time).
    let no_evidence: Arc<str> = Arc::from("");
    // Room for the follow-on statements too: growing the vector by doubling would copy it
    // and leave up to half of it unused for the rest of the run.
    let follow_ons: usize = doc.attributions.iter().map(|a| a.continuations.len()).sum();
    let mut out: Vec<AttributionFinding> = Vec::with_capacity(doc.attributions.len() + follow_ons);
    for (a, (edge, response_edge)) in doc.attributions.iter().zip(edges) {
        out.push(AttributionFinding {
            speaker_mention: a.speaker_entity,
            speaker: a.speaker.map(cs),
            cue: cs(a.cue),
            content: cs(a.content),
            text: one_line(doc.slice(a.content)),
            kind: a.kind,
            edge,
            evidence: cs(a.evidence),
            evidence_text: if has_edge(a) {
                evidence.get(a.evidence)
            } else {
                no_evidence.clone()
            },
            rule: a.rule,
            confidence: a.confidence,
            response: a
                .response
                .as_ref()
                .and_then(|r| Some((r.speaker_entity?, cs(r.speaker), cs(r.cue), response_edge?))),
        });
    }
    for (i, a) in doc.attributions.iter().enumerate() {
        for &quote in &a.continuations {
            let continued = &out[i];
            out.push(AttributionFinding {
                speaker_mention: continued.speaker_mention,
                speaker: continued.speaker,
                cue: continued.cue,
                content: cs(quote),
                text: one_line(doc.slice(quote)),
                kind: StatementKind::Direct,
                edge: continued.edge.clone(),
                evidence: cs(quote),
                evidence_text: if a.speaker_entity.is_some() {
                    evidence.get(quote)
                } else {
                    no_evidence.clone()
                },
                rule: extract::attribution::RULE_FOLLOW_ON,
                // Less sure than the attribution it continues: the speaker is inferred
                // from position, not read from a cue of its own.
                confidence: a.confidence * FOLLOW_ON_CONFIDENCE,
                // A responder reacted to the first statement, not to its continuation.
                response: None,
            });
        }
    }
    out
}

/// The strings of a document's findings that findings keep as they are: moved out of a
/// document that is done with ([`Findings::take_from`]) or copied
/// ([`Findings::from_document`]).
struct Owned {
    /// The article's id and metadata (title, date, source, url, bylines).
    id: String,
    meta: Metadata,
    /// Per mention: canonical name and key.
    mentions: Vec<(String, Option<String>)>,
    /// Per attribution: edge type and the response's edge type.
    attributions: Vec<(String, Option<String>)>,
    /// Per relation: edge type and title.
    relations: Vec<(String, Option<String>)>,
}

impl Findings {
    /// The findings of an analyzed document (which stays as it is).
    pub fn from_document(doc: &Document) -> Findings {
        let owned = Owned {
            id: doc.id.clone(),
            meta: doc.meta.clone(),
            mentions: doc
                .mentions
                .iter()
                .map(|m| (m.canonical.clone(), m.key.clone()))
                .collect(),
            attributions: doc
                .attributions
                .iter()
                .map(|a| (a.edge.clone(), a.response.as_ref().map(|r| r.edge.clone())))
                .collect(),
            relations: doc
                .relations
                .iter()
                .map(|r| (r.edge.clone(), r.title.clone()))
                .collect(),
        };
        Findings::build(doc, owned)
    }

    /// [`Findings::from_document`] for a document that is done with: the names, keys,
    /// edge types and titles of its mentions, attributions and relations, and its id and
    /// metadata, are moved into the findings, not copied (a copy is an allocation each),
    /// and are empty in `doc` afterwards. The same findings. Its paragraphs, tokens and
    /// sentences are left empty too: their vectors serve the next document analyzed on
    /// this thread ([`text::recycle`]).
    pub fn take_from(doc: &mut Document) -> Findings {
        use std::mem::take;
        let owned = Owned {
            id: take(&mut doc.id),
            meta: take(&mut doc.meta),
            mentions: doc
                .mentions
                .iter_mut()
                .map(|m| (take(&mut m.canonical), m.key.take()))
                .collect(),
            attributions: doc
                .attributions
                .iter_mut()
                .map(|a| {
                    (
                        take(&mut a.edge),
                        a.response.as_mut().map(|r| take(&mut r.edge)),
                    )
                })
                .collect(),
            relations: doc
                .relations
                .iter_mut()
                .map(|r| (take(&mut r.edge), r.title.take()))
                .collect(),
        };
        let findings = Findings::build(doc, owned);
        text::recycle(doc);
        findings
    }

    fn build(doc: &Document, owned: Owned) -> Findings {
        let ix = CharIndex::new(&doc.text);
        let mut evidence = EvidenceCache {
            doc,
            done: Default::default(),
        };
        let cs = |s: Span| {
            let (start, end) = ix.span(s);
            CharSpan { start, end }
        };
        Findings {
            info: ArticleInfo {
                file: owned.id.clone(),
                id: owned.id,
                title: owned.meta.title,
                date: owned.meta.date,
                source: owned.meta.source,
                url: owned.meta.url,
                chars: ix.chars(doc.text.len()),
            },
            lowercased: doc.lowercased,
            authors: owned
                .meta
                .authors
                .into_iter()
                .map(|(n, s)| (n, cs(s)))
                .collect(),
            mentions: doc
                .mentions
                .iter()
                .zip(owned.mentions)
                .map(|(m, (canonical, key))| MentionFinding {
                    etype: m.etype,
                    canonical,
                    key,
                    surface: one_line(doc.slice(m.span)),
                    span: cs(m.span),
                    rule: m.rule,
                    confidence: m.confidence,
                })
                .collect(),
            attributions: attribution_findings(doc, owned.attributions, &mut evidence, &cs),
            relations: doc
                .relations
                .iter()
                .zip(owned.relations)
                .map(|(r, (edge, title))| RelationFinding {
                    subject: r.subject,
                    object: r.object,
                    edge,
                    title,
                    evidence: cs(r.evidence),
                    evidence_text: evidence.get(r.evidence),
                    rule: r.rule,
                    confidence: r.confidence,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maybe_spaced_by_words_equals_any_flag() {
        // Every byte value at every position of a window of letters, of spaces, and
        // beside a space; then windows of bytes drawn from a mix of spaces, controls,
        // lead bytes and the values around the limits.
        let mut windows = Vec::new();
        for fill in [b'a', b' ', 0x1f, 0xbf, 0xc0] {
            for k in 0..17 {
                for b in 0..=255u8 {
                    let mut w = [fill; 17];
                    w[k] = b;
                    windows.push(w);
                    if k + 1 < 17 {
                        w[k + 1] = b' ';
                        windows.push(w);
                    }
                }
            }
        }
        let pool = [
            b' ', b' ', b'a', 0x00, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xbf, 0xc0, 0xff,
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut w = [0u8; 17];
            for b in &mut w {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                *b = pool[(state >> 33) as usize % pool.len()];
            }
            windows.push(w);
        }
        for w in &windows {
            assert_eq!(maybe_spaced(w), flags(w) != 0, "{w:?}");
        }
    }

    #[test]
    fn one_line_joins_the_words_with_single_spaces_whatever_the_spaces() {
        // Every char up to U+30FF (all the Unicode spaces among them) at the start, inside
        // and at the end of a span: the result is the words joined by single spaces.
        for c in (0..0x3100u32).filter_map(char::from_u32) {
            for s in [
                format!("a{c}b"),
                format!("{c}a b"),
                format!("a b{c}"),
                format!("a {c} b"),
            ] {
                let words = s.split_whitespace().collect::<Vec<_>>().join(" ");
                assert_eq!(one_line(&s), words, "{s:?}");
            }
        }
        // The same in long spans, at every position of the 16-byte runs tested at once.
        let long = "word ".repeat(10);
        for c in (0..0x3100u32).filter_map(char::from_u32) {
            for at in (0..long.len()).step_by(5) {
                let s = format!("{}{c}{}x", &long[..at], &long[at..]);
                let words = s.split_whitespace().collect::<Vec<_>>().join(" ");
                assert_eq!(one_line(&s), words, "{s:?}");
                assert_eq!(&*one_line_arc(&s), words, "{s:?}");
            }
        }
        for at in 1..long.len() - 1 {
            let s = format!("{} {}", &long[..at], &long[at..]);
            let words = s.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(one_line(&s), words, "{s:?}");
        }
        assert_eq!(one_line("“Yes,” he said."), "“Yes,” he said.");
        assert_eq!(one_line("a  b"), "a b");
        assert_eq!(one_line(" two\n lines "), "two lines");
        assert_eq!(one_line(""), "");
    }
}
