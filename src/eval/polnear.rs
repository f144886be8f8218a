//! Scores attributions against a PolNeAR split (brat standoff; see its FORMAT.md).
//!
//! Gold: for each article `text/<a>.txt`, the lexicographically first `attributions/<a>_<id>.ann`;
//! every `E` line with a Content is one gold attribution (Discuss/Discard spans are ignored,
//! `Content2` fragments are added to the content). Offsets are code points; spans may be
//! discontinuous (`;`-separated fragments).
//!
//! Matching is one-to-one and greedy by largest overlap. A predicted content matches a gold
//! content when the overlap (summed over the gold fragments) is at least half of the shorter
//! of the two (gold length = total fragment length). Attributions are matched separately,
//! the same way, among the pairs whose contents match and whose predicted speaker overlaps
//! the gold source; gold without source and predictions without speaker never count as
//! attribution matches. Cues are matched separately too (any overlap).

use crate::eval::gold::{greedy, Prf};
use crate::pipeline::Pipeline;
use crate::span::CharIndex;
use crate::Document;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A possibly discontinuous span: half-open code point fragments, in file order.
pub type Frags = Vec<(usize, usize)>;

/// One gold attribution relation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoldAttr {
    pub id: String,
    pub source: Option<Frags>,
    pub cue: Option<Frags>,
    pub content: Frags,
}

/// One predicted attribution, in code points.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PredAttr {
    pub speaker: Option<(usize, usize)>,
    pub cue: (usize, usize),
    pub content: (usize, usize),
    pub rule: String,
}

/// Parses a brat `.ann` file into its gold attributions (E lines with a content), in E order.
///
/// Only lines starting with `T<n>\t` or `E<n>\t` whose fields parse are read, so covered
/// text running over several lines is skipped safely.
pub fn parse_ann(ann: &str) -> Vec<GoldAttr> {
    let mut spans: BTreeMap<String, (String, Frags)> = BTreeMap::new();
    let mut rels: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in ann.lines() {
        let mut f = line.splitn(3, '\t');
        let (Some(id), Some(body)) = (f.next(), f.next()) else {
            continue;
        };
        let numbered = |p: char| {
            id.len() > 1 && id.starts_with(p) && id[1..].bytes().all(|b| b.is_ascii_digit())
        };
        if numbered('T') {
            let Some((ty, offs)) = body.split_once(' ') else {
                continue;
            };
            if matches!(ty, "Discuss" | "Discard") {
                continue;
            }
            let mut frags = Vec::new();
            let mut ok = true;
            for part in offs.split(';') {
                let mut nums = part.split_whitespace().map(str::parse::<usize>);
                match (nums.next(), nums.next(), nums.next()) {
                    (Some(Ok(a)), Some(Ok(b)), None) if a <= b => frags.push((a, b)),
                    _ => ok = false,
                }
            }
            if ok && !frags.is_empty() {
                spans.insert(id.to_string(), (ty.to_string(), frags));
            }
        } else if numbered('E') {
            let roles = body
                .split_whitespace()
                .filter_map(|r| r.split_once(':'))
                .map(|(role, t)| (role.to_string(), t.to_string()))
                .collect();
            rels.push((id.to_string(), roles));
        }
    }
    let mut out = Vec::new();
    for (id, roles) in rels {
        let mut a = GoldAttr {
            id,
            ..Default::default()
        };
        for (role, t) in roles {
            let Some((_, frags)) = spans.get(&t) else {
                continue;
            };
            match role.as_str() {
                "Source" => a.source = Some(frags.clone()),
                "Cue" => a.cue = Some(frags.clone()),
                "Content" | "Content2" => a.content.extend(frags.iter().copied()),
                _ => {}
            }
        }
        if !a.content.is_empty() {
            a.content.sort();
            out.push(a);
        }
    }
    out
}

/// Overlap of a span with fragments (sum over fragments).
pub fn frag_overlap(frags: &[(usize, usize)], s: (usize, usize)) -> usize {
    frags
        .iter()
        .map(|&(a, b)| b.min(s.1).saturating_sub(a.max(s.0)))
        .sum()
}

pub fn frag_len(frags: &[(usize, usize)]) -> usize {
    frags.iter().map(|&(a, b)| b - a).sum()
}

/// The content rule: overlap at least half of the shorter of the two (and not empty).
pub fn content_matches(gold: &[(usize, usize)], pred: (usize, usize)) -> bool {
    let o = frag_overlap(gold, pred);
    let shorter = frag_len(gold).min(pred.1.saturating_sub(pred.0));
    o > 0 && 2 * o >= shorter
}

/// Counts for one article or a whole split.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub content: Prf,
    pub attribution: Prf,
    pub cue: Prf,
    /// (gold, content found, attribution found) for direct (quoted) gold contents.
    pub direct: (usize, usize, usize),
    /// The same for gold contents without quotation marks.
    pub indirect: (usize, usize, usize),
    /// Error tally by category.
    pub errors: BTreeMap<&'static str, usize>,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        for (a, b) in [
            (&mut self.content, &o.content),
            (&mut self.attribution, &o.attribution),
            (&mut self.cue, &o.cue),
        ] {
            a.tp_pred += b.tp_pred;
            a.pred += b.pred;
            a.tp_gold += b.tp_gold;
            a.gold += b.gold;
        }
        for (a, b) in [
            (&mut self.direct, &o.direct),
            (&mut self.indirect, &o.indirect),
        ] {
            a.0 += b.0;
            a.1 += b.1;
            a.2 += b.2;
        }
        for (k, v) in &o.errors {
            *self.errors.entry(k).or_default() += v;
        }
    }
}

/// One error for the verbose listing: (category, gold index or None, prediction index or None).
pub type ErrorItem = (&'static str, Option<usize>, Option<usize>);

pub const QUOTES: [char; 3] = ['"', '\u{201c}', '\u{201d}'];

/// Scores one article: `text` is only used to tell direct quotes from other contents.
pub fn score_article(text: &str, gold: &[GoldAttr], pred: &[PredAttr]) -> (Counts, Vec<ErrorItem>) {
    let chars: Vec<char> = text.chars().collect();
    let slice = |fr: &[(usize, usize)]| -> String {
        fr.iter()
            .map(|&(a, b)| {
                chars[a.min(chars.len())..b.min(chars.len())]
                    .iter()
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut c = Counts::default();
    let mut pairs = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        for (pi, p) in pred.iter().enumerate() {
            if content_matches(&g.content, p.content) {
                pairs.push((frag_overlap(&g.content, p.content), gi, pi));
            }
        }
    }
    let speaker_ok = |g: &GoldAttr, p: &PredAttr| match (&g.source, p.speaker) {
        (Some(src), Some(sp)) => frag_overlap(src, sp) > 0,
        _ => false,
    };
    // Attributions are matched on their own, among the pairs whose contents match and
    // whose speakers overlap: with nested attributions ("X said Y believes Z"), the content
    // matching alone may pair a prediction with the other layer's gold.
    let attr_m = greedy(
        pairs
            .iter()
            .copied()
            .filter(|&(_, gi, pi)| speaker_ok(&gold[gi], &pred[pi]))
            .collect(),
    );
    let m = greedy(pairs);
    let matched_pred: BTreeSet<usize> = m.values().copied().collect();
    let attr_ok = attr_m.len();
    c.content = Prf {
        tp_pred: m.len(),
        pred: pred.len(),
        tp_gold: m.len(),
        gold: gold.len(),
    };
    c.attribution = Prf {
        tp_pred: attr_ok,
        pred: pred.len(),
        tp_gold: attr_ok,
        gold: gold.len(),
    };

    // Cues, matched on their own.
    let gold_cues: Vec<&Frags> = gold.iter().filter_map(|g| g.cue.as_ref()).collect();
    let mut cue_pairs = Vec::new();
    for (gi, gc) in gold_cues.iter().enumerate() {
        for (pi, p) in pred.iter().enumerate() {
            let o = frag_overlap(gc, p.cue);
            if o > 0 {
                cue_pairs.push((o, gi, pi));
            }
        }
    }
    let cm = greedy(cue_pairs).len();
    c.cue = Prf {
        tp_pred: cm,
        pred: pred.len(),
        tp_gold: cm,
        gold: gold_cues.len(),
    };

    let mut errors = Vec::new();
    for (gi, g) in gold.iter().enumerate() {
        let direct = slice(&g.content).contains(QUOTES);
        let found = m.get(&gi);
        let attr = attr_m.contains_key(&gi);
        let t = if direct {
            &mut c.direct
        } else {
            &mut c.indirect
        };
        t.0 += 1;
        t.1 += found.is_some() as usize;
        t.2 += attr as usize;
        // Without a content match, the prediction that overlaps most (the first of
        // equals) is listed with the miss.
        let partial = (found.is_none() && !attr)
            .then(|| {
                pred.iter()
                    .enumerate()
                    .map(|(pi, p)| (frag_overlap(&g.content, p.content), pi))
                    .filter(|&(o, _)| o > 0)
                    .max_by_key(|&(o, pi)| (o, usize::MAX - pi))
                    .map(|(_, pi)| pi)
            })
            .flatten();
        let shown = found.copied().or(partial);
        let cat = match found {
            _ if attr => None,
            None if partial.is_some() => Some("content missed (partial overlap < half)"),
            None => Some("content missed entirely"),
            Some(&pi) => Some(if g.source.is_none() {
                "content found, gold has no source"
            } else if pred[pi].speaker.is_none() {
                "content found, speaker missing"
            } else {
                "content found, speaker wrong"
            }),
        };
        if let Some(cat) = cat {
            *c.errors.entry(cat).or_default() += 1;
            errors.push((cat, Some(gi), shown));
        }
    }
    for (pi, p) in pred.iter().enumerate() {
        if matched_pred.contains(&pi) {
            continue;
        }
        let cat = if gold.iter().any(|g| frag_overlap(&g.content, p.content) > 0) {
            "spurious (overlaps a gold content)"
        } else {
            "spurious (no gold content)"
        };
        *c.errors.entry(cat).or_default() += 1;
        errors.push((cat, None, Some(pi)));
    }
    (c, errors)
}

/// Runs the pipeline on `text` and returns its attributions in code points.
pub fn predict(pipeline: &Pipeline, id: &str, text: &str) -> Vec<PredAttr> {
    let mut doc = Document::new(id, text);
    pipeline.analyze(&mut doc);
    let ix = CharIndex::new(text);
    doc.attributions
        .iter()
        .map(|a| PredAttr {
            speaker: a.speaker.map(|s| ix.span(s)),
            cue: ix.span(a.cue),
            content: ix.span(a.whole()),
            rule: a.rule.to_string(),
        })
        .collect()
}

/// Article name -> chosen .ann file (lexicographically first annotator id).
fn ann_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut out: BTreeMap<String, PathBuf> = BTreeMap::new();
    let rd = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ann"))
        .collect();
    names.sort();
    for n in names {
        let stem = &n[..n.len() - 4];
        let article = stem
            .rsplit_once('_')
            .map(|(a, _)| a)
            .unwrap_or(stem)
            .to_string();
        out.entry(article).or_insert_with(|| dir.join(&n));
    }
    Ok(out)
}

struct Article {
    name: String,
    text: String,
    gold: Vec<GoldAttr>,
    pred: Vec<PredAttr>,
    counts: Counts,
    errors: Vec<ErrorItem>,
}

fn snippet(chars: &[char], fr: Option<&[(usize, usize)]>, n: usize) -> String {
    let Some(fr) = fr else { return "-".into() };
    let s: String = fr
        .iter()
        .map(|&(a, b)| {
            chars[a.min(chars.len())..b.min(chars.len())]
                .iter()
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" … ");
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > n {
        s.chars().take(n - 1).collect::<String>() + "…"
    } else {
        s
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Returns a printable report.
pub fn run(dir: &Path, pipeline: &Pipeline, verbose: bool) -> Result<String> {
    let text_dir = dir.join("text");
    let anns = ann_files(&dir.join("attributions"))?;
    let mut inputs = Vec::new();
    let mut no_ann = 0;
    let rd =
        std::fs::read_dir(&text_dir).with_context(|| format!("reading {}", text_dir.display()))?;
    let mut txts: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    txts.sort();
    for name in txts {
        let article = &name[..name.len() - 4];
        let Some(ann) = anns.get(article) else {
            no_ann += 1;
            continue;
        };
        let text = std::fs::read_to_string(text_dir.join(&name))
            .with_context(|| format!("reading {name}"))?;
        let ann =
            std::fs::read_to_string(ann).with_context(|| format!("reading {}", ann.display()))?;
        inputs.push((name, text, parse_ann(&ann)));
    }
    if inputs.is_empty() {
        bail!(
            "no article with both text/*.txt and attributions/*.ann in {}",
            dir.display()
        );
    }
    let articles: Vec<Article> = inputs
        .into_par_iter()
        .map(|(name, text, gold)| {
            let pred = predict(pipeline, &name, &text);
            let (counts, errors) = score_article(&text, &gold, &pred);
            Article {
                name,
                text,
                gold,
                pred,
                counts,
                errors,
            }
        })
        .collect();
    let mut total = Counts::default();
    for a in &articles {
        total.add(&a.counts);
    }
    let mut o = String::new();
    let _ = writeln!(
        o,
        "PolNeAR {}: {} articles ({} without annotation skipped), {} gold attributions ({} without source), {} predicted",
        dir.display(),
        articles.len(),
        no_ann,
        total.content.gold,
        articles.iter().flat_map(|a| &a.gold).filter(|g| g.source.is_none()).count(),
        total.content.pred
    );
    let _ = writeln!(o, "content      {}", total.content.line());
    let _ = writeln!(o, "attribution  {}", total.attribution.line());
    let _ = writeln!(o, "cue          {}", total.cue.line());
    let (d, i) = (total.direct, total.indirect);
    let _ = writeln!(
        o,
        "recall direct (quoted) {}: content {:.1}, attribution {:.1}; other {}: content {:.1}, attribution {:.1}",
        d.0,
        pct(d.1, d.0),
        pct(d.2, d.0),
        i.0,
        pct(i.1, i.0),
        pct(i.2, i.0)
    );
    let _ = writeln!(o, "errors:");
    for (k, v) in &total.errors {
        let _ = writeln!(o, "  {v:5}  {k}");
    }
    if !verbose {
        return Ok(o);
    }
    let mut missed = 0;
    let mut spurious = 0;
    let mut lm = String::new();
    let mut ls = String::new();
    for a in &articles {
        let chars: Vec<char> = a.text.chars().collect();
        for &(cat, gi, pi) in &a.errors {
            match gi {
                Some(gi) if missed < listing_limit() => {
                    missed += 1;
                    let g = &a.gold[gi];
                    let _ = writeln!(lm, "- [{cat}] {} {}", a.name, g.id);
                    let _ = writeln!(
                        lm,
                        "    gold: source {:?} | cue {:?} | content {:?}",
                        snippet(&chars, g.source.as_deref(), 100),
                        snippet(&chars, g.cue.as_deref(), 100),
                        snippet(&chars, Some(&g.content), 100)
                    );
                    if let Some(pi) = pi {
                        let p = &a.pred[pi];
                        let _ = writeln!(
                            lm,
                            "    pred: speaker {:?} | cue {:?} ({})",
                            snippet(&chars, p.speaker.map(|s| vec![s]).as_deref(), 100),
                            snippet(&chars, Some(&[p.cue]), 100),
                            p.rule
                        );
                        // Where the boundaries differ, what was predicted instead.
                        if cat.starts_with("content missed") {
                            let _ = writeln!(
                                lm,
                                "          content {:?}",
                                snippet(&chars, Some(&[p.content]), 100)
                            );
                        }
                    }
                }
                None if spurious < listing_limit() => {
                    spurious += 1;
                    let p = &a.pred[pi.unwrap()];
                    let _ = writeln!(ls, "- [{cat}] {} ({})", a.name, p.rule);
                    let _ = writeln!(
                        ls,
                        "    pred: speaker {:?} | cue {:?} | content {:?}",
                        snippet(&chars, p.speaker.map(|s| vec![s]).as_deref(), 100),
                        snippet(&chars, Some(&[p.cue]), 100),
                        snippet(&chars, Some(&[p.content]), 100)
                    );
                }
                _ => {}
            }
        }
    }
    let _ = writeln!(o, "\nmissed gold attributions (first {missed}):\n{lm}");
    let _ = writeln!(o, "spurious predictions (first {spurious}):\n{ls}");
    Ok(o)
}

/// How many missed and spurious items the verbose listing prints (CLAIMGRAPH_EVAL_LIST,
/// default 200).
fn listing_limit() -> usize {
    std::env::var("CLAIMGRAPH_EVAL_LIST")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}
