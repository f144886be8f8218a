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

use crate::document::{Document, EntityType};
use crate::pipeline::Pipeline;
use anyhow::{Context, Result};
use std::collections::{BTreeMap, HashMap, HashSet};
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

#[derive(serde::Deserialize)]
struct Sentence {
    sentence: Vec<String>,
    #[serde(default)]
    ner: Vec<(usize, usize, String)>,
}

/// Scores `path` and returns the report (one line per type and overall; with `verbose`,
/// every false positive and negative).
pub fn run(path: &Path, pipeline: &Pipeline, verbose: bool) -> Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut tp: BTreeMap<&str, usize> = BTreeMap::new();
    let mut fp: BTreeMap<&str, usize> = BTreeMap::new();
    let mut fn_: BTreeMap<&str, usize> = BTreeMap::new();
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
        let mut gold: HashMap<(usize, usize), &str> = HashMap::new();
        let mut misc: HashSet<(usize, usize)> = HashSet::new();
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
        let mut found: HashSet<((usize, usize), &str)> = HashSet::new();
        for m in &doc.mentions {
            if m.rule == crate::extract::entities::RULE_DEMONYM {
                continue;
            }
            let Some(t) = pred_type(m.etype) else {
                continue;
            };
            let span = match (starts.get(&m.span.start), ends.get(&m.span.end)) {
                (Some(&a), Some(&b)) => Some((a, b)),
                _ => None,
            };
            if span.is_some_and(|sp| misc.contains(&sp)) {
                continue;
            }
            match span {
                Some(sp) if gold.get(&sp) == Some(&t) => {
                    if found.insert((sp, t)) {
                        *tp.entry(t).or_default() += 1;
                    }
                }
                _ => {
                    *fp.entry(t).or_default() += 1;
                    if verbose {
                        let _ = writeln!(errors, "FP {t} {:?}", doc.slice(m.span));
                    }
                }
            }
        }
        for (sp, t) in &gold {
            if !found.contains(&(*sp, *t)) {
                *fn_.entry(t).or_default() += 1;
                if verbose {
                    let _ = writeln!(errors, "FN {t} {:?}", s.sentence[sp.0..=sp.1].join(" "));
                }
            }
        }
    }
    let prf = |a: usize, b: usize, c: usize| {
        let p = if a + b > 0 {
            a as f64 / (a + b) as f64
        } else {
            0.0
        };
        let r = if a + c > 0 {
            a as f64 / (a + c) as f64
        } else {
            0.0
        };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    };
    let mut out = format!("CrossRE {}: {n} sentences\n", path.display());
    let (mut sa, mut sb, mut sc) = (0, 0, 0);
    for t in TYPES {
        let (a, b, c) = (
            tp.get(t).copied().unwrap_or(0),
            fp.get(t).copied().unwrap_or(0),
            fn_.get(t).copied().unwrap_or(0),
        );
        (sa, sb, sc) = (sa + a, sb + b, sc + c);
        let (p, r, f) = prf(a, b, c);
        let _ = writeln!(
            out,
            "{t:<13} P {:5.1} ({a}/{})  R {:5.1} ({a}/{})  F1 {:5.1}",
            100.0 * p,
            a + b,
            100.0 * r,
            a + c,
            100.0 * f
        );
    }
    let (p, r, f) = prf(sa, sb, sc);
    let _ = writeln!(
        out,
        "{:<13} P {:5.1} ({sa}/{})  R {:5.1} ({sa}/{})  F1 {:5.1}",
        "all",
        100.0 * p,
        sa + sb,
        100.0 * r,
        sa + sc,
        100.0 * f
    );
    out.push_str(&errors);
    Ok(out)
}
