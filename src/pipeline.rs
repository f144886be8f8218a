//! The pipeline for one article: ingest metadata -> text -> extract, then the article's
//! findings converted to code point offsets ([`Findings`]) for resolve, which sees all
//! articles. Articles are independent until resolve, so they run in parallel.

use crate::document::{Attribution, Document, EntityType, StatementKind, Target};
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
    Findings::from_document(&doc)
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
    pub speaker: Option<CharSpan>,
    pub speaker_text: Option<String>,
    pub cue: CharSpan,
    pub cue_text: String,
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

/// Whether `s` is words separated by single spaces, with no space at either end: a
/// byte scan that decodes only the chars starting with a byte of 0xC0 or more (the ones
/// that may be Unicode whitespace).
fn is_one_line(s: &str) -> bool {
    let mut after_space = true;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let ok = match b {
            b' ' => !after_space,
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => false,
            0xc0.. => !s[i..].starts_with(char::is_whitespace),
            _ => true,
        };
        if !ok {
            return false;
        }
        after_space = b == b' ';
    }
    !after_space
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
            .or_insert_with(|| one_line(doc.slice(span)).into())
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
    let mut out: Vec<AttributionFinding> = Vec::with_capacity(doc.attributions.len());
    for a in &doc.attributions {
        out.push(AttributionFinding {
            speaker_mention: a.speaker_entity,
            speaker: a.speaker.map(cs),
            speaker_text: a.speaker.map(|s| one_line(doc.slice(s))),
            cue: cs(a.cue),
            cue_text: one_line(doc.slice(a.cue)),
            content: cs(a.content),
            text: one_line(doc.slice(a.content)),
            kind: a.kind,
            edge: a.edge.clone(),
            evidence: cs(a.evidence),
            evidence_text: if has_edge(a) {
                evidence.get(a.evidence)
            } else {
                Arc::from("")
            },
            rule: a.rule,
            confidence: a.confidence,
            response: a
                .response
                .as_ref()
                .and_then(|r| Some((r.speaker_entity?, cs(r.speaker), cs(r.cue), r.edge.clone()))),
        });
    }
    for (i, a) in doc.attributions.iter().enumerate() {
        for &quote in &a.continuations {
            let continued = &out[i];
            out.push(AttributionFinding {
                speaker_mention: continued.speaker_mention,
                speaker: continued.speaker,
                speaker_text: continued.speaker_text.clone(),
                cue: continued.cue,
                cue_text: continued.cue_text.clone(),
                content: cs(quote),
                text: one_line(doc.slice(quote)),
                kind: StatementKind::Direct,
                edge: continued.edge.clone(),
                evidence: cs(quote),
                evidence_text: if a.speaker_entity.is_some() {
                    evidence.get(quote)
                } else {
                    Arc::from("")
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

impl Findings {
    pub fn from_document(doc: &Document) -> Findings {
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
                id: doc.id.clone(),
                file: doc.id.clone(),
                title: doc.meta.title.clone(),
                date: doc.meta.date.clone(),
                source: doc.meta.source.clone(),
                url: doc.meta.url.clone(),
                chars: ix.chars(doc.text.len()),
            },
            lowercased: doc.lowercased,
            authors: doc
                .meta
                .authors
                .iter()
                .map(|(n, s)| (n.clone(), cs(*s)))
                .collect(),
            mentions: doc
                .mentions
                .iter()
                .map(|m| MentionFinding {
                    etype: m.etype,
                    canonical: m.canonical.clone(),
                    key: m.key.clone(),
                    surface: one_line(doc.slice(m.span)),
                    span: cs(m.span),
                    rule: m.rule,
                    confidence: m.confidence,
                })
                .collect(),
            attributions: attribution_findings(doc, &mut evidence, &cs),
            relations: doc
                .relations
                .iter()
                .map(|r| RelationFinding {
                    subject: r.subject,
                    object: r.object,
                    edge: r.edge.clone(),
                    title: r.title.clone(),
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
        assert_eq!(one_line("“Yes,” he said."), "“Yes,” he said.");
        assert_eq!(one_line(" two\n lines "), "two lines");
        assert_eq!(one_line(""), "");
    }
}
