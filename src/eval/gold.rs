//! Scores a built graph against ../shared/gold/seeds.json (format and scoring rules in its
//! README).
//!
//! - Entities: a gold entity is found when a node of the same type has a label or alias equal
//!   to one of its aliases (case-insensitive, whitespace folded). The first such node (by id)
//!   is a true positive, every further one an unmerged duplicate (false positive). Nodes of the
//!   gold-covered types (Person, Agency, Country, Substance) matching no gold entity are false
//!   positives. Gold entities with `required: false` are a bonus: never missed, never a false
//!   positive.
//! - Statements: each mention of a Statement node is one predicted occurrence; it matches a
//!   gold statement of the same article when the spans overlap by at least half of the
//!   shorter one (one-to-one, greedy by largest overlap). Attribution additionally needs the
//!   occurrence's speaker node to match the gold speaker entity.
//! - Edges: graph edges whose predicate is in the gold list and whose ends both map to gold
//!   entities (or, for objects, to statements matched to gold statements; `claim:C1` = any
//!   statement node matched to a gold statement of cluster C1) are judged, as distinct
//!   (subject, predicate, object) triples. Gold edges with `required: false` are never missed.
//! - Clusters: pairwise precision/recall of "same statement" over matched gold statements:
//!   gold pair same = same non-null cluster; predicted pair same = mapped to the same node.

use crate::graph::{Graph, NodeType};
use anyhow::{Context, Result};
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use petgraph::Direction;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// The gold file (`seeds.json`).
#[derive(Debug, Clone, Deserialize, Default)]
pub struct GoldFile {
    #[serde(default)]
    pub entities: Vec<GoldEntity>,
    #[serde(default)]
    pub statements: Vec<GoldStatement>,
    #[serde(default)]
    pub edges: Vec<GoldEdge>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldEntity {
    pub name: String,
    #[serde(rename = "type")]
    pub etype: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub articles: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldStatement {
    pub id: String,
    pub article: String,
    #[serde(default)]
    pub speaker: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub text: String,
    /// Code points, end exclusive.
    pub start: usize,
    pub end: usize,
    #[serde(default)]
    pub cluster: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldEdge {
    pub subject: String,
    pub predicate: String,
    pub object: String,
    #[serde(default)]
    pub articles: Vec<String>,
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

/// The predicates the gold annotates; edges of other types are not judged.
pub const PREDICATES: [&str; 9] = [
    "disputes",
    "affiliated_with",
    "part_of",
    "indicts",
    "regulates",
    "praises",
    "cooperates_with",
    "meets",
    "criticizes",
];

/// Node types the gold covers (precision of entities counts only these).
pub const COVERED: [NodeType; 4] = [
    NodeType::Person,
    NodeType::Agency,
    NodeType::Country,
    NodeType::Substance,
];

/// Precision/recall counts: `tp_pred` correct predictions out of `pred`, `tp_gold` found gold
/// items out of `gold`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prf {
    pub tp_pred: usize,
    pub pred: usize,
    pub tp_gold: usize,
    pub gold: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        ratio(self.tp_pred, self.pred)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp_gold, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    /// "P 80.0 (8/10)  R 66.7 (8/12)  F1 72.7".
    pub fn line(&self) -> String {
        format!(
            "P {:5.1} ({}/{})  R {:5.1} ({}/{})  F1 {:5.1}",
            100.0 * self.precision(),
            self.tp_pred,
            self.pred,
            100.0 * self.recall(),
            self.tp_gold,
            self.gold,
            100.0 * self.f1()
        )
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// One predicted statement occurrence (a mention of a Statement node).
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    pub node: String,
    pub article: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Speaker node id, if any.
    pub speaker: Option<String>,
    /// Gold entity names the speaker node matches.
    pub speaker_gold: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub entities: Prf,
    /// Non-required gold entities found.
    pub entity_bonus: usize,
    pub missed_entities: Vec<String>,
    /// (node id, label, type, reason) of false positive nodes.
    pub spurious_entities: Vec<(String, String, &'static str, &'static str)>,
    pub statements: Prf,
    pub attributions: Prf,
    /// Matched statements whose kind agrees / matched statements with a gold kind.
    pub kind_agree: (usize, usize),
    /// Gold statement indices missed.
    pub missed_statements: Vec<usize>,
    /// Predicted occurrences matching no gold statement.
    pub spurious_statements: Vec<Occurrence>,
    /// (gold index, occurrence) pairs whose content matched but speaker did not.
    pub wrong_speaker: Vec<(usize, Occurrence)>,
    /// (gold index, occurrence) of every content match.
    pub matches: Vec<(usize, Occurrence)>,
    pub edges: Prf,
    pub edge_bonus: usize,
    pub missed_edges: Vec<(String, String, String)>,
    pub spurious_edges: Vec<(String, String, String)>,
    pub clusters: Prf,
}

/// Case-insensitive, whitespace-folded form of a name.
pub fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn node_type(name: &str) -> Option<NodeType> {
    NodeType::ALL
        .iter()
        .copied()
        .find(|t| t.name().eq_ignore_ascii_case(name.trim()))
}

/// Overlap of two half-open spans.
pub fn overlap(a: (usize, usize), b: (usize, usize)) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// The statement rule: overlap of at least half of the shorter span (and not empty).
pub fn spans_match(a: (usize, usize), b: (usize, usize)) -> bool {
    let o = overlap(a, b);
    let shorter = (a.1.saturating_sub(a.0)).min(b.1.saturating_sub(b.0));
    o > 0 && 2 * o >= shorter
}

/// One-to-one greedy matching: `pairs` are (score, left, right); highest score first, ties
/// by indices, so the result is deterministic. Returns `left -> right`.
pub fn greedy(mut pairs: Vec<(usize, usize, usize)>) -> BTreeMap<usize, usize> {
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_l = BTreeSet::new();
    let mut used_r = BTreeSet::new();
    let mut out = BTreeMap::new();
    for (_, l, r) in pairs {
        if used_l.contains(&l) || used_r.contains(&r) {
            continue;
        }
        used_l.insert(l);
        used_r.insert(r);
        out.insert(l, r);
    }
    out
}

/// Scores `graph` against `gold`.
pub fn score(gold: &GoldFile, graph: &Graph) -> Scores {
    let mut s = Scores::default();
    let g = &graph.g;

    // ---- Entities.
    // Gold entity index by (type, normalized alias).
    let mut alias_ix: BTreeMap<(NodeType, String), Vec<usize>> = BTreeMap::new();
    for (i, e) in gold.entities.iter().enumerate() {
        let Some(t) = node_type(&e.etype) else {
            continue;
        };
        let mut names: BTreeSet<String> = e.aliases.iter().map(|a| norm(a)).collect();
        names.insert(norm(&e.name));
        for n in names {
            alias_ix.entry((t, n)).or_default().push(i);
        }
    }
    let mut nodes: Vec<NodeIndex> = g.node_indices().collect();
    nodes.sort_by(|&a, &b| (g[a].ntype, &g[a].id).cmp(&(g[b].ntype, &g[b].id)));
    // node -> gold entities it matches.
    let mut node_gold: BTreeMap<NodeIndex, Vec<usize>> = BTreeMap::new();
    for &n in &nodes {
        let node = &g[n];
        if node.ntype == NodeType::Statement || node.ntype == NodeType::Article {
            continue;
        }
        let mut hits = BTreeSet::new();
        for name in std::iter::once(&node.label).chain(node.aliases.iter()) {
            if let Some(v) = alias_ix.get(&(node.ntype, norm(name))) {
                hits.extend(v.iter().copied());
            }
        }
        if !hits.is_empty() {
            node_gold.insert(n, hits.into_iter().collect());
        }
    }
    let mut claimed: BTreeSet<usize> = BTreeSet::new();
    for &n in &nodes {
        let node = &g[n];
        match node_gold.get(&n) {
            Some(golds) => {
                let fresh: Vec<usize> = golds
                    .iter()
                    .copied()
                    .filter(|i| !claimed.contains(i))
                    .collect();
                if !fresh.is_empty() {
                    claimed.extend(fresh.iter().copied());
                    s.entities.pred += 1;
                    s.entities.tp_pred += 1;
                } else if golds.iter().all(|&i| !gold.entities[i].required) {
                    // A second node for a bonus entity: never a false positive.
                } else {
                    s.entities.pred += 1;
                    s.spurious_entities.push((
                        node.id.clone(),
                        node.label.clone(),
                        node.ntype.name(),
                        "duplicate",
                    ));
                }
            }
            None if COVERED.contains(&node.ntype) => {
                s.entities.pred += 1;
                s.spurious_entities.push((
                    node.id.clone(),
                    node.label.clone(),
                    node.ntype.name(),
                    "no gold entity",
                ));
            }
            None => {}
        }
    }
    for (i, e) in gold.entities.iter().enumerate() {
        if e.required {
            s.entities.gold += 1;
            if claimed.contains(&i) {
                s.entities.tp_gold += 1;
            } else {
                s.missed_entities.push(e.name.clone());
            }
        } else if claimed.contains(&i) {
            s.entity_bonus += 1;
        }
    }
    let gold_names_of = |n: NodeIndex| -> Vec<String> {
        node_gold
            .get(&n)
            .map(|v| v.iter().map(|&i| gold.entities[i].name.clone()).collect())
            .unwrap_or_default()
    };

    // ---- Statements.
    let mut occ: Vec<Occurrence> = Vec::new();
    let mut occ_node: Vec<NodeIndex> = Vec::new();
    for &n in &nodes {
        let node = &g[n];
        if node.ntype != NodeType::Statement {
            continue;
        }
        for m in &node.mentions {
            let speaker = node
                .speaker
                .clone()
                .or_else(|| occurrence_speaker(graph, n, &m.article, m.start, m.end));
            let speaker_gold = speaker
                .as_deref()
                .and_then(|id| graph.node_index(id))
                .map(gold_names_of)
                .unwrap_or_default();
            occ.push(Occurrence {
                node: node.id.clone(),
                article: m.article.to_string(),
                start: m.start,
                end: m.end,
                text: node.text.clone().unwrap_or_else(|| node.label.clone()),
                speaker,
                speaker_gold,
            });
            occ_node.push(n);
        }
    }
    let mut pairs = Vec::new();
    for (gi, gs) in gold.statements.iter().enumerate() {
        for (pi, o) in occ.iter().enumerate() {
            if o.article == gs.article && spans_match((gs.start, gs.end), (o.start, o.end)) {
                pairs.push((overlap((gs.start, gs.end), (o.start, o.end)), gi, pi));
            }
        }
    }
    let matched = greedy(pairs);
    let matched_pred: BTreeSet<usize> = matched.values().copied().collect();
    s.statements = Prf {
        tp_pred: matched.len(),
        pred: occ.len(),
        tp_gold: matched.len(),
        gold: gold.statements.len(),
    };
    let mut attr_ok = 0;
    for (&gi, &pi) in &matched {
        let gs = &gold.statements[gi];
        let o = &occ[pi];
        let ok = gs
            .speaker
            .as_ref()
            .is_some_and(|sp| o.speaker_gold.iter().any(|n| n == sp));
        if ok {
            attr_ok += 1;
        } else {
            s.wrong_speaker.push((gi, o.clone()));
        }
        if let Some(k) = gs.kind.as_deref() {
            s.kind_agree.1 += 1;
            if g[occ_node[pi]].kind == Some(k) {
                s.kind_agree.0 += 1;
            }
        }
        s.matches.push((gi, o.clone()));
    }
    s.attributions = Prf {
        tp_pred: attr_ok,
        pred: occ.len(),
        tp_gold: attr_ok,
        gold: gold.statements.len(),
    };
    s.missed_statements = (0..gold.statements.len())
        .filter(|i| !matched.contains_key(i))
        .collect();
    s.spurious_statements = occ
        .iter()
        .enumerate()
        .filter(|(i, _)| !matched_pred.contains(i))
        .map(|(_, o)| o.clone())
        .collect();

    // ---- Edges.
    // Statement node -> the objects it stands for ("claim:C1", or "statement:S000-01").
    let mut stmt_keys: BTreeMap<NodeIndex, BTreeSet<String>> = BTreeMap::new();
    for (&gi, &pi) in &matched {
        let gs = &gold.statements[gi];
        let key = match &gs.cluster {
            Some(c) => format!("claim:{c}"),
            None => format!("statement:{}", gs.id),
        };
        stmt_keys.entry(occ_node[pi]).or_default().insert(key);
    }
    let ends = |n: NodeIndex| -> Vec<String> {
        if g[n].ntype == NodeType::Statement {
            stmt_keys
                .get(&n)
                .map(|k| k.iter().cloned().collect())
                .unwrap_or_default()
        } else {
            gold_names_of(n)
        }
    };
    let gold_edges: BTreeMap<(String, String, String), bool> = gold
        .edges
        .iter()
        .map(|e| {
            (
                (e.subject.clone(), e.predicate.clone(), e.object.clone()),
                e.required,
            )
        })
        .collect();
    let mut predicted: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut edges: Vec<_> = g.edge_references().collect();
    edges.sort_by(|a, b| {
        (&g[a.source()].id, &a.weight().etype, &g[a.target()].id).cmp(&(
            &g[b.source()].id,
            &b.weight().etype,
            &g[b.target()].id,
        ))
    });
    for e in edges {
        let pred: &str = &e.weight().etype;
        if !PREDICATES.contains(&pred) {
            continue;
        }
        let subj = ends(e.source());
        let obj = ends(e.target());
        if subj.is_empty() || obj.is_empty() {
            continue;
        }
        // One graph edge is one judged triple: the gold one it matches if any, else the first.
        let mut options = Vec::new();
        for a in &subj {
            for b in &obj {
                options.push((a.clone(), pred.to_string(), b.clone()));
            }
        }
        let pick = options
            .iter()
            .find(|k| gold_edges.contains_key(*k))
            .cloned()
            .unwrap_or_else(|| options[0].clone());
        predicted.insert(pick);
    }
    for k in &predicted {
        s.edges.pred += 1;
        if gold_edges.contains_key(k) {
            s.edges.tp_pred += 1;
        } else {
            s.spurious_edges.push(k.clone());
        }
    }
    for (k, &required) in &gold_edges {
        let found = predicted.contains(k);
        if required {
            s.edges.gold += 1;
            if found {
                s.edges.tp_gold += 1;
            } else {
                s.missed_edges.push(k.clone());
            }
        } else if found {
            s.edge_bonus += 1;
        }
    }

    // ---- Clusters.
    let m: Vec<(usize, usize)> = matched.iter().map(|(&gi, &pi)| (gi, pi)).collect();
    let (mut both, mut gold_same, mut pred_same) = (0, 0, 0);
    for i in 0..m.len() {
        for j in i + 1..m.len() {
            let (a, b) = (&gold.statements[m[i].0], &gold.statements[m[j].0]);
            let gsame = a.cluster.is_some() && a.cluster == b.cluster;
            let psame = occ_node[m[i].1] == occ_node[m[j].1];
            gold_same += gsame as usize;
            pred_same += psame as usize;
            both += (gsame && psame) as usize;
        }
    }
    s.clusters = Prf {
        tp_pred: both,
        pred: pred_same,
        tp_gold: both,
        gold: gold_same,
    };
    s
}

/// The speaker of one occurrence from the provenance of edges into the statement node.
fn occurrence_speaker(
    graph: &Graph,
    n: NodeIndex,
    article: &str,
    start: usize,
    end: usize,
) -> Option<String> {
    let mut found: Vec<String> = graph
        .g
        .edges_directed(n, Direction::Incoming)
        .filter(|e| {
            e.weight().provenance.iter().any(|p| {
                &*p.article == article
                    && p.content.is_some_and(|c| c.start == start && c.end == end)
            })
        })
        .map(|e| graph.g[e.source()].id.clone())
        .collect();
    found.sort();
    found.into_iter().next()
}

fn trunc(s: &str, n: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > n {
        s.chars().take(n - 1).collect::<String>() + "…"
    } else {
        s
    }
}

/// Printable report of `s` (with the lists of missed and spurious items when `verbose`).
pub fn report(gold: &GoldFile, s: &Scores, verbose: bool) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "gold: {} entities, {} statements, {} edges",
        gold.entities.len(),
        gold.statements.len(),
        gold.edges.len()
    );
    let _ = writeln!(
        o,
        "entities     {}  (+{} bonus)",
        s.entities.line(),
        s.entity_bonus
    );
    let _ = writeln!(o, "statements   {}", s.statements.line());
    let _ = writeln!(
        o,
        "attributions {}  (kind agrees {}/{})",
        s.attributions.line(),
        s.kind_agree.0,
        s.kind_agree.1
    );
    let _ = writeln!(
        o,
        "edges        {}  (+{} bonus)",
        s.edges.line(),
        s.edge_bonus
    );
    let _ = writeln!(o, "clusters     {}  (pairs)", s.clusters.line());
    let dups = s
        .spurious_entities
        .iter()
        .filter(|e| e.3 == "duplicate")
        .count();
    let _ = writeln!(
        o,
        "errors: {} entities missed, {} spurious ({} duplicates), {} statements missed, {} spurious, {} wrong speaker, {} edges missed, {} spurious",
        s.missed_entities.len(),
        s.spurious_entities.len(),
        dups,
        s.missed_statements.len(),
        s.spurious_statements.len(),
        s.wrong_speaker.len(),
        s.missed_edges.len(),
        s.spurious_edges.len()
    );
    if !verbose {
        return o;
    }
    let _ = writeln!(o, "\nmissed entities:");
    for e in &s.missed_entities {
        let _ = writeln!(o, "  {e}");
    }
    let _ = writeln!(o, "spurious entities:");
    for (id, label, t, why) in &s.spurious_entities {
        let _ = writeln!(o, "  {t} {label:?} ({id}): {why}");
    }
    let _ = writeln!(o, "missed statements:");
    for &i in &s.missed_statements {
        let gs = &gold.statements[i];
        let _ = writeln!(
            o,
            "  {} {} [{}-{}] {}: {:?}",
            gs.article,
            gs.id,
            gs.start,
            gs.end,
            gs.speaker.as_deref().unwrap_or("-"),
            trunc(&gs.text, 80)
        );
    }
    let _ = writeln!(o, "spurious statements:");
    for p in &s.spurious_statements {
        let _ = writeln!(
            o,
            "  {} [{}-{}] {}: {:?}",
            p.article,
            p.start,
            p.end,
            p.speaker.as_deref().unwrap_or("-"),
            trunc(&p.text, 80)
        );
    }
    let _ = writeln!(o, "wrong speaker (predicted vs gold):");
    for (i, p) in &s.wrong_speaker {
        let gs = &gold.statements[*i];
        let _ = writeln!(
            o,
            "  {} {}: {} vs {}: {:?}",
            gs.article,
            gs.id,
            p.speaker.as_deref().unwrap_or("-"),
            gs.speaker.as_deref().unwrap_or("-"),
            trunc(&gs.text, 80)
        );
    }
    let _ = writeln!(o, "missed edges:");
    for (a, p, b) in &s.missed_edges {
        let _ = writeln!(o, "  {a} {p} {b}");
    }
    let _ = writeln!(o, "spurious edges:");
    for (a, p, b) in &s.spurious_edges {
        let _ = writeln!(o, "  {a} {p} {b}");
    }
    o
}

/// Returns a printable report.
pub fn run(gold: &Path, graph: &Graph, verbose: bool) -> Result<String> {
    let text =
        std::fs::read_to_string(gold).with_context(|| format!("reading {}", gold.display()))?;
    let file: GoldFile =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", gold.display()))?;
    let s = score(&file, graph);
    Ok(report(&file, &s, verbose))
}
