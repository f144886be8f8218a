//! Entity recognition scored on CrossRE news (Bassignana & Plank 2022; the Reuters
//! CoNLL-2003 sentences): `claimgraph eval --crossre FILE`.
//!
//! FILE is a JSON-lines split (`{"sentence": [tokens], "ner": [[start, end, type]]}`, token
//! indices, end inclusive). Each sentence's tokens are joined with single spaces and
//! analysed as one article; every entity mention that starts and ends on token boundaries
//! is compared with the gold spans (exact span and type): person <- Person;
//! organisation <- Agency, Organization; place <- Country, Place (gold country and location
//! together). Gold `misc` spans are not scored and a prediction on exactly one is ignored;
//! demonym mentions ("Chinese", labelled misc there) are not counted. The extension's
//! `politician` counts as person and `politicalparty` as organisation.
//!
//! Relations (issue 6's outside check): the gold `role` relations (a person's membership,
//! post or employment; head person -> tail organisation or country) are compared with the
//! `affiliated_with` edges found in the sentence, and `part-of` with `part_of` (head part
//! -> tail whole), by the exact token spans of both ends. Gold relations with a `misc` end
//! (events, leagues named generically) are counted but cannot be found: the pipeline has
//! no such entities; the report says how many. Like demonym mentions, edges to the country
//! a demonym names ("Israeli Foreign Minister David Levy") are not counted: CrossRE labels
//! the demonym misc.

use crate::document::{Document, EntityType, Target};
use crate::extract::entities::RULE_DEMONYM;
use crate::pipeline::Pipeline;
use anyhow::{Context, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write;
use std::path::Path;

const TYPES: [&str; 3] = ["person", "organisation", "place"];

fn gold_type(label: &str) -> Option<&'static str> {
    match label {
        "person" | "politician" => Some("person"),
        "organisation" | "politicalparty" => Some("organisation"),
        "country" | "location" => Some("place"),
        _ => None,
    }
}

fn pred_type(t: EntityType) -> Option<&'static str> {
    match t {
        EntityType::Person => Some("person"),
        EntityType::Agency | EntityType::Organization => Some("organisation"),
        EntityType::Country | EntityType::Place => Some("place"),
        EntityType::Substance => None,
    }
}

/// Gold relation labels scored, with the edge type each is compared with.
const RELATIONS: [(&str, &str); 2] = [("role", "affiliated_with"), ("part-of", "part_of")];

#[derive(serde::Deserialize)]
struct Sentence {
    sentence: Vec<String>,
    #[serde(default)]
    ner: Vec<(usize, usize, String)>,
    /// `[head_start, head_end, tail_start, tail_end, label, explanation, uncertain,
    /// syntax_ambiguity]` (token indices, inclusive).
    #[serde(default)]
    relations: Vec<Vec<serde_json::Value>>,
}

type TokenSpan = (usize, usize);

/// Counts for one scored category.
#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }

    fn line(&self, name: &str) -> String {
        let ratio = |a: usize, b: usize| if b > 0 { a as f64 / b as f64 } else { 0.0 };
        let p = ratio(self.tp, self.tp + self.fp);
        let r = ratio(self.tp, self.tp + self.fn_);
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        format!(
            "{name:<13} P {:5.1} ({}/{})  R {:5.1} ({}/{})  F1 {:5.1}\n",
            100.0 * p,
            self.tp,
            self.tp + self.fp,
            100.0 * r,
            self.tp,
            self.tp + self.fn_,
            100.0 * f
        )
    }
}

/// The head span, tail span and label of a gold relation row.
fn gold_relation(row: &[serde_json::Value]) -> Option<(TokenSpan, TokenSpan, &str)> {
    let at = |k: usize| row.get(k).and_then(|v| v.as_u64()).map(|v| v as usize);
    Some(((at(0)?, at(1)?), (at(2)?, at(3)?), row.get(4)?.as_str()?))
}

/// Scores `path` and returns the report (one line per entity type and overall, then one
/// per relation label; with `verbose`, every false positive and negative).
pub fn run(path: &Path, pipeline: &Pipeline, verbose: bool) -> Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut entities: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut relations: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut unreachable: BTreeMap<&str, usize> = BTreeMap::new();
    let mut errors = String::new();
    let mut n = 0;
    for (line_no, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let s: Sentence = serde_json::from_str(line)
            .with_context(|| format!("{}: line {}", path.display(), line_no + 1))?;
        n += 1;
        // Byte offsets of each token in the joined text.
        let mut joined = String::new();
        let mut starts: HashMap<usize, usize> = HashMap::new();
        let mut ends: HashMap<usize, usize> = HashMap::new();
        for (k, tok) in s.sentence.iter().enumerate() {
            if !joined.is_empty() {
                joined.push(' ');
            }
            starts.insert(joined.len(), k);
            joined.push_str(tok);
            ends.insert(joined.len(), k);
        }
        let mut doc = Document::new(format!("s{n}"), joined.as_str());
        pipeline.analyze(&mut doc);
        let token_span = |m: usize| -> Option<TokenSpan> {
            let span = doc.mentions[m].span;
            Some((*starts.get(&span.start)?, *ends.get(&span.end)?))
        };
        let words = |sp: TokenSpan| s.sentence[sp.0..=sp.1].join(" ");
        let is_demonym = |m: usize| doc.mentions[m].rule == RULE_DEMONYM;
        // Ordered, so the verbose listing comes out the same on every run.
        let mut gold: BTreeMap<TokenSpan, &str> = BTreeMap::new();
        let mut misc: HashSet<TokenSpan> = HashSet::new();
        for (a, b, label) in &s.ner {
            match gold_type(label) {
                Some(t) => {
                    gold.insert((*a, *b), t);
                }
                None => {
                    misc.insert((*a, *b));
                }
            }
        }
        let mut found: HashSet<(TokenSpan, &str)> = HashSet::new();
        for (mi, m) in doc.mentions.iter().enumerate() {
            if is_demonym(mi) {
                continue;
            }
            let Some(t) = pred_type(m.etype) else {
                continue;
            };
            let span = token_span(mi);
            if span.is_some_and(|sp| misc.contains(&sp)) {
                continue;
            }
            let c = entities.entry(t).or_default();
            match span {
                Some(sp) if gold.get(&sp) == Some(&t) => {
                    if found.insert((sp, t)) {
                        c.tp += 1;
                    }
                }
                _ => {
                    c.fp += 1;
                    if verbose {
                        let _ = writeln!(errors, "FP {t} {:?}", doc.slice(m.span));
                    }
                }
            }
        }
        for (sp, t) in &gold {
            if !found.contains(&(*sp, *t)) {
                entities.entry(t).or_default().fn_ += 1;
                if verbose {
                    let _ = writeln!(errors, "FN {t} {:?}", words(*sp));
                }
            }
        }
        // Relations: (head, tail) token spans per scored label.
        for (label, edge) in RELATIONS {
            let gold_pairs: BTreeSet<(TokenSpan, TokenSpan)> = s
                .relations
                .iter()
                .filter_map(|row| gold_relation(row))
                .filter(|(_, _, l)| *l == label)
                .map(|(h, t, _)| (h, t))
                .collect();
            let predicted: BTreeSet<(TokenSpan, TokenSpan)> = doc
                .relations
                .iter()
                .filter(|r| r.edge == edge)
                .filter_map(|r| match r.object {
                    Target::Entity(o) => Some((r.subject, o)),
                    Target::Statement(_) => None,
                })
                .filter(|&(a, b)| !is_demonym(a) && !is_demonym(b))
                .filter_map(|(a, b)| Some((token_span(a)?, token_span(b)?)))
                .collect();
            let c = relations.entry(label).or_default();
            for pair in &predicted {
                if gold_pairs.contains(pair) {
                    c.tp += 1;
                } else {
                    c.fp += 1;
                    if verbose {
                        let _ = writeln!(
                            errors,
                            "FP {label} {:?} -> {:?}",
                            words(pair.0),
                            words(pair.1)
                        );
                    }
                }
            }
            for pair in gold_pairs.difference(&predicted) {
                c.fn_ += 1;
                if misc.contains(&pair.0) || misc.contains(&pair.1) {
                    *unreachable.entry(label).or_default() += 1;
                }
                if verbose {
                    let _ = writeln!(
                        errors,
                        "FN {label} {:?} -> {:?}",
                        words(pair.0),
                        words(pair.1)
                    );
                }
            }
        }
    }
    let mut out = format!("CrossRE {}: {n} sentences\n", path.display());
    let mut all = Counts::default();
    for t in TYPES {
        let c = entities.get(t).copied().unwrap_or_default();
        all.add(c);
        out.push_str(&c.line(t));
    }
    out.push_str(&all.line("all"));
    out.push_str(
        "relations (exact head and tail spans; role = affiliated_with, part-of = part_of):\n",
    );
    for (label, _) in RELATIONS {
        let c = relations.get(label).copied().unwrap_or_default();
        let line = c.line(label);
        let _ = writeln!(
            out,
            "{}  ({} gold with a misc end)",
            line.trim_end(),
            unreachable.get(label).copied().unwrap_or(0)
        );
    }
    out.push_str(&errors);
    Ok(out)
}
