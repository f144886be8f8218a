//! Resolve: one node per real thing across articles.
//!
//! Entities get a key: countries by ISO code, known agencies by their gazetteer name,
//! other organizations by their folded name ("Centres" = "Centers"), people by the
//! sorted words of their name (so "Yan Xiaobing" = "Xiaobing Yan"); a one-word person
//! ("Trump") joins the one full name in the corpus that contains it, and stays apart when
//! several do. Statements with the same speaker whose content words mostly agree
//! (Jaccard >= 0.3) and whose polarity agrees become one node with every source; blocking
//! by speaker keeps this far from all-pairs.

use crate::document::{EntityType, StatementKind, Target};
use crate::graph::{
    article_node_id, slug, stable_hash, Graph, MentionRef, Node, NodeType, Provenance, Role,
};
use crate::lexicon::Lexicon;
use crate::pipeline::{Findings, MentionFinding};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Identity of an entity across articles.
pub fn entity_key(m: &MentionFinding) -> String {
    match m.etype {
        EntityType::Country => format!(
            "country:{}",
            m.key
                .as_deref()
                .unwrap_or(&m.canonical)
                .to_ascii_lowercase()
        ),
        EntityType::Person => format!("person:{}", person_key(&m.canonical)),
        EntityType::Agency | EntityType::Organization => format!("org:{}", org_key(&m.canonical)),
        EntityType::Place => format!("place:{}", slug(&m.canonical)),
        EntityType::Substance => format!("substance:{}", slug(&m.canonical)),
    }
}

fn person_key(name: &str) -> String {
    let mut words: Vec<String> = name
        .split_whitespace()
        .map(|w| slug(w.trim_end_matches('.')))
        .filter(|w| !w.is_empty())
        .collect();
    words.sort();
    words.join(" ")
}

fn org_key(name: &str) -> String {
    let s = slug(name);
    let s = s.strip_prefix("the-").unwrap_or(&s).to_string();
    s.replace("centres", "centers")
        .replace("centre", "center")
        .replace("organisation", "organization")
}

/// Builds the graph from every article's findings (in input order).
pub fn build(all: &[Findings], lex: &Lexicon) -> Graph {
    build_keeping_ids(all, lex, &HashMap::new())
}

/// [`build`], keeping the node ids an earlier build gave to resolution keys (`known`: key
/// -> node id, as the persistent store records them with [`Node::key`]), so that an IRI,
/// once published, stays when articles are added: a known key keeps its id whatever its
/// label has become, and a new key that absorbed a known one (a short name now resolved to
/// a full name) takes that key's id. New keys never take an id that `known` holds.
pub fn build_keeping_ids(
    all: &[Findings],
    lex: &Lexicon,
    known: &HashMap<String, String>,
) -> Graph {
    let mut g = Graph::default();
    let short = short_name_targets(all);
    // Known keys that now resolve into another key: (known key, key it resolves to).
    let mut absorbed: BTreeSet<(String, String)> = BTreeSet::new();
    // Entity keys per article and mention.
    let mut keys: Vec<Vec<String>> = Vec::with_capacity(all.len());
    for f in all {
        let mut ks = Vec::with_capacity(f.mentions.len());
        for m in &f.mentions {
            let k = entity_key(m);
            match short.get(&k) {
                Some(t) => {
                    if known.contains_key(&k) {
                        absorbed.insert((k, t.clone()));
                    }
                    ks.push(t.clone());
                }
                None => ks.push(k),
            }
        }
        keys.push(ks);
    }
    let variants = person_variants(&keys);
    let acronyms = acronym_targets(all, &keys);
    let redirect = |k: &str| variants.get(k).or_else(|| acronyms.get(k));
    for k in keys.iter_mut().flatten() {
        if let Some(t) = redirect(k) {
            if known.contains_key(k.as_str()) {
                absorbed.insert((k.clone(), t.clone()));
            }
            *k = t.clone();
        }
    }
    let absorbed: Vec<(String, String)> = absorbed
        .into_iter()
        .map(|(from, to)| {
            let to = redirect(&to).cloned().unwrap_or(to);
            (from, to)
        })
        .collect();
    let df = statement_df(all);
    // Labels: the most frequent cased surface (or canonical) per key.
    let mut label_votes: HashMap<&str, BTreeMap<String, usize>> = HashMap::new();
    for (f, ks) in all.iter().zip(&keys) {
        for (m, k) in f.mentions.iter().zip(ks) {
            if m.rule == crate::extract::entities::RULE_DEMONYM {
                continue;
            }
            let name = if m.canonical.chars().any(char::is_uppercase) {
                m.canonical.clone()
            } else {
                title_case(&m.canonical)
            };
            let weight = if m.canonical.split_whitespace().count() > 1 {
                3
            } else {
                1
            };
            let votes = label_votes.entry(k).or_default();
            match votes.get_mut(&name) {
                Some(v) => *v += weight,
                None => {
                    votes.insert(name, weight);
                }
            }
        }
    }
    let label_of = |k: &str| -> String {
        label_votes
            .get(k)
            .and_then(|v| {
                v.iter()
                    .max_by(|a, b| {
                        a.1.cmp(b.1)
                            .then(b.0.len().cmp(&a.0.len()).reverse())
                            .then(b.0.cmp(a.0))
                    })
                    .map(|(s, _)| s.clone())
            })
            .unwrap_or_else(|| k.split_once(':').map_or(k, |x| x.1).to_string())
    };
    // Node ids read like their labels ("person-lance-ho"); a clash of two keys on one
    // label keeps them apart with a hash suffix. Ids known from an earlier build come first.
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut taken: HashMap<String, String> = known
        .iter()
        .map(|(k, id)| (id.clone(), k.clone()))
        .collect();
    // An organization known as an agency anywhere is an agency.
    let mut org_types: HashMap<&str, EntityType> = HashMap::new();
    for (f, ks) in all.iter().zip(&keys) {
        for (m, k) in f.mentions.iter().zip(ks) {
            let t = org_types.entry(k).or_insert(m.etype);
            if m.etype == EntityType::Agency {
                *t = EntityType::Agency;
            }
        }
    }
    let mut sorted_keys: Vec<&String> = keys.iter().flatten().collect();
    sorted_keys.sort();
    sorted_keys.dedup();
    let mut reused: HashSet<&str> = HashSet::new();
    for k in &sorted_keys {
        if let Some(id) = known.get(k.as_str()) {
            reused.insert(id);
            ids.insert(k.to_string(), id.clone());
        }
    }
    for (from, to) in &absorbed {
        let id = &known[from];
        if !ids.contains_key(to) && reused.insert(id) {
            ids.insert(to.clone(), id.clone());
        }
    }
    for k in sorted_keys {
        if ids.contains_key(k) {
            continue;
        }
        let ntype = k.split_once(':').map_or("entity", |x| x.0);
        let ntype = if ntype == "org" {
            if org_types.get(k.as_str()) == Some(&EntityType::Organization) {
                "organization"
            } else {
                "agency"
            }
        } else {
            ntype
        };
        let mut id = format!("{ntype}-{}", slug(&label_of(k)));
        if taken.get(&id).is_some_and(|other| other != k) {
            id = format!("{id}-{:08x}", stable_hash(k) as u32);
        }
        taken.insert(id.clone(), k.clone());
        ids.insert(k.clone(), id);
    }
    let mut statements = Statements {
        df,
        total: all.iter().map(|f| f.attributions.len()).sum(),
        ..Statements::default()
    };
    for (f, ks) in all.iter().zip(&keys) {
        let article = f.info.id.clone();
        let art_id = article_node_id(&article);
        let art = g.upsert(&art_id, || {
            let mut n = Node::new(
                art_id.clone(),
                NodeType::Article,
                f.info.title.clone().unwrap_or_else(|| article.clone()),
            );
            n.article = Some(f.info.clone());
            n
        });
        // Entities and "mentions" edges.
        let mut idx = Vec::with_capacity(f.mentions.len());
        for (m, k) in f.mentions.iter().zip(ks) {
            let ntype = NodeType::from_entity(org_types[k.as_str()]);
            let id = &ids[k];
            let n = g.upsert(id, || {
                let mut n = Node::new(id.clone(), ntype, label_of(k));
                n.key = Some(k.clone());
                n
            });
            let node = &mut g.g[n];
            if m.rule != crate::extract::entities::RULE_DEMONYM
                && !node.aliases.contains(&m.surface)
            {
                node.aliases.insert(m.surface.clone());
            }
            node.mentions.insert(MentionRef {
                article: article.clone(),
                start: m.span.start,
                end: m.span.end,
            });
            g.add_edge(art, n, "mentions", None);
            idx.push(n);
            // A capital is located in its country.
            if m.etype == EntityType::Place {
                if let Some(iso) = m.key.as_deref() {
                    if let Some(cname) = lex.country_name(iso) {
                        let ckey = format!("country:{}", iso.to_ascii_lowercase());
                        let cid = ids
                            .get(&ckey)
                            .cloned()
                            .unwrap_or_else(|| format!("country-{}", slug(cname)));
                        let c = g.upsert(&cid, || {
                            Node::new(cid.clone(), NodeType::Country, cname.to_string())
                        });
                        g.add_edge(n, c, "located_in", None);
                    }
                }
            }
        }
        for (name, span) in &f.authors {
            let k = format!("person:{}", person_key(name));
            let id = ids
                .get(&k)
                .cloned()
                .unwrap_or_else(|| format!("person-{}", slug(name)));
            let p = g.upsert(&id, || {
                Node::new(id.clone(), NodeType::Person, name.clone())
            });
            g.g[p].aliases.insert(name.clone());
            g.g[p].mentions.insert(MentionRef {
                article: article.clone(),
                start: span.start,
                end: span.end,
            });
            g.add_edge(art, p, "authored_by", None);
        }
        // Statements.
        let mut stmt_nodes = Vec::with_capacity(f.attributions.len());
        for a in &f.attributions {
            let speaker = a.speaker_mention.map(|m| idx[m]);
            let speaker_id = speaker.map(|s| g.g[s].id.clone());
            let s = statement_node(
                &mut g,
                &mut statements,
                speaker_id.as_deref(),
                &a.text,
                a.kind,
                &article,
            );
            let node = &mut g.g[s];
            node.aliases.insert(a.text.clone());
            node.mentions.insert(MentionRef {
                article: article.clone(),
                start: a.content.start,
                end: a.content.end,
            });
            if let Some(sp) = speaker {
                let prov = Provenance {
                    article: article.clone(),
                    start: a.evidence.start,
                    end: a.evidence.end,
                    evidence: a.evidence_text.clone(),
                    rule: a.rule.to_string(),
                    confidence: a.confidence,
                    content: Some(a.content),
                    cue: Some(a.cue),
                    speaker: a.speaker,
                    title: None,
                };
                g.add_edge(sp, s, &a.edge, Some(prov));
            }
            if let Some((m, speaker, cue, edge)) = &a.response {
                let prov = Provenance {
                    article: article.clone(),
                    start: a.evidence.start,
                    end: a.evidence.end,
                    evidence: a.evidence_text.clone(),
                    rule: "responds_to_claim".to_string(),
                    confidence: a.confidence * 0.9,
                    content: Some(a.content),
                    cue: Some(*cue),
                    speaker: Some(*speaker),
                    title: None,
                };
                g.add_edge(idx[*m], s, edge, Some(prov));
            }
            stmt_nodes.push(s);
        }
        // Relations.
        for r in &f.relations {
            let subj = idx[r.subject];
            let obj = match r.object {
                Target::Entity(m) => idx[m],
                Target::Statement(a) => stmt_nodes[a],
            };
            if subj == obj {
                continue;
            }
            if r.edge == "affiliated_with" {
                let org_id = g.g[obj].id.clone();
                if let Some(t) = r.title.as_ref().filter(|t| !t.is_empty()) {
                    g.g[subj].roles.insert(Role {
                        title: t.clone(),
                        organization: org_id,
                    });
                }
            }
            let prov = Provenance {
                article: article.clone(),
                start: r.evidence.start,
                end: r.evidence.end,
                evidence: r.evidence_text.clone(),
                rule: r.rule.to_string(),
                confidence: r.confidence,
                content: None,
                cue: None,
                speaker: None,
                title: r.title.clone(),
            };
            g.add_edge(subj, obj, &r.edge, Some(prov));
        }
    }
    g.normalize();
    g
}

/// "Trump" -> "Donald Trump" when exactly one multi-word person in the corpus has that
/// word as first or last name.
fn short_name_targets(all: &[Findings]) -> HashMap<String, String> {
    let mut full: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut singles: BTreeSet<String> = BTreeSet::new();
    for f in all {
        for m in f.mentions.iter().filter(|m| m.etype == EntityType::Person) {
            let key = person_key(&m.canonical);
            let words: Vec<&str> = key.split(' ').collect();
            if words.len() == 1 {
                singles.insert(key);
            } else {
                for w in words {
                    full.entry(w.to_string()).or_default().insert(key.clone());
                }
            }
        }
    }
    singles
        .into_iter()
        .filter_map(|s| {
            let c = full.get(&s)?;
            (c.len() == 1).then(|| {
                (
                    format!("person:{s}"),
                    format!("person:{}", c.iter().next().unwrap()),
                )
            })
        })
        .collect()
}

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(_) if w.len() <= 4 && w.contains('.') => w.to_uppercase(),
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words that carry no content for statement clustering (after lowercasing).
#[rustfmt::skip]
const STATEMENT_STOPWORDS: &[&str] = &[
    "the", "and", "that", "this", "with", "from", "for", "are", "was", "were", "has", "have",
    "had", "its", "their", "his", "her", "our", "they", "them", "there", "been", "being", "will",
    "would", "could", "should", "which", "what", "when", "where", "who", "whom", "into", "than",
    "then", "also", "about", "over", "very", "just", "only", "even", "can", "may", "might",
    "must", "did", "does", "done", "said", "says", "say", "told", "according", "but", "yet",
    "such", "these", "those", "him", "she", "you", "your", "all", "any", "out", "per",
    // Time words date a report, they are not what was said.
    "today", "yesterday", "tomorrow", "now", "ago", "next", "last", "week", "weeks", "month",
    "months", "year", "years", "day", "days", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday",
];

/// Light suffix stripping and a 6-letter prefix, so "produced" = "production",
/// "mostly" = "most", "substances" = "substance".
fn stem(w: &str) -> String {
    let mut w = w;
    for suf in ["ingly", "edly", "ing", "ly", "ed", "es", "s"] {
        if w.len() >= suf.len() + 3 && w.ends_with(suf) {
            w = &w[..w.len() - suf.len()];
            break;
        }
    }
    w.chars().take(6).collect()
}

/// Content words of a statement, for clustering: stems of words of three letters or more,
/// one "not" for every negation, and numbers without thousands separators ("20,000" = "20000").
fn content_words(text: &str) -> BTreeSet<String> {
    let lower = text.to_lowercase().replace('’', "'");
    let mut out = BTreeSet::new();
    let mut word = String::new();
    let mut chars = lower.chars().peekable();
    let flush = |word: &mut String, out: &mut BTreeSet<String>| {
        if word.is_empty() {
            return;
        }
        let w = std::mem::take(word);
        if w.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            out.insert(w);
        } else if matches!(w.as_str(), "no" | "not" | "never" | "nor" | "neither") {
            // One negation word, so "no sufficient evidence" = "evidence is not sufficient".
            out.insert("not".to_string());
        } else if w.chars().count() > 2 && !STATEMENT_STOPWORDS.contains(&w.as_str()) {
            out.insert(stem(&w));
        }
    };
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            word.push(c);
        } else if c == ',' && word.chars().all(|d| d.is_ascii_digit()) && !word.is_empty() {
            // "20,000": a thousands separator only between digits.
            if !chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                flush(&mut word, &mut out);
            }
        } else if c == '\'' && word.ends_with('n') && chars.peek() == Some(&'t') {
            // "don't" / "isn't": a negation.
            word.clear();
            chars.next();
            out.insert("not".to_string());
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Polarity: a statement with a negation or a denial word.
fn negated(words: &BTreeSet<String>) -> bool {
    ["not", "deny", "deni", "reject", "dismis"]
        .iter()
        .any(|w| words.contains(*w))
}

/// Document frequency of each statement content word over the whole run (for rarity).
fn statement_df(all: &[Findings]) -> HashMap<String, u32> {
    let mut df: HashMap<String, u32> = HashMap::new();
    for a in all.iter().flat_map(|f| &f.attributions) {
        for w in content_words(&a.text) {
            *df.entry(w).or_default() += 1;
        }
    }
    df
}

/// Edit distance of at most one (one insertion, deletion or substitution).
fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if l.len() - s.len() > 1 {
        return false;
    }
    let p = s.iter().zip(&l).take_while(|(x, y)| x == y).count();
    if s.len() == l.len() {
        s[p + 1.min(s.len() - p)..] == l[p + 1.min(l.len() - p)..]
    } else {
        s[p..] == l[p + 1..]
    }
}

/// Small spelling variants of one person's name across articles ("Zhan Jian" and
/// "Jian Zhang"): keys that differ by one edit in one name part of at least four
/// letters, when the context agrees (an article in common, or another person named with
/// both). Blocked by the other name parts and the first letter of the differing one.
/// Returns variant key -> the more frequent key.
fn person_variants(keys: &[Vec<String>]) -> HashMap<String, String> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    let mut articles: HashMap<&str, BTreeSet<usize>> = HashMap::new();
    let mut partners: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (a, ks) in keys.iter().enumerate() {
        let people: BTreeSet<&str> = ks
            .iter()
            .filter(|k| k.starts_with("person:") && k.contains(' '))
            .map(String::as_str)
            .collect();
        for k in ks.iter().filter(|k| people.contains(k.as_str())) {
            *count.entry(k).or_default() += 1;
            articles.entry(k).or_default().insert(a);
        }
        for p in &people {
            let e = partners.entry(p).or_default();
            e.extend(people.iter().filter(|q| *q != p));
        }
    }
    let mut blocks: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
    for k in count.keys() {
        let words: Vec<&str> = k["person:".len()..].split(' ').collect();
        for (i, w) in words.iter().enumerate() {
            if w.chars().count() < 4 {
                continue;
            }
            let rest: Vec<&str> = words
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, w)| *w)
                .collect();
            let first = w.chars().next().unwrap_or('_');
            blocks
                .entry(format!("{}|{first}", rest.join(" ")))
                .or_default()
                .push((k, w));
        }
    }
    let mut out: HashMap<String, String> = HashMap::new();
    for members in blocks.values() {
        if members.len() < 2 || members.len() > 64 {
            continue;
        }
        for (x, (ka, wa)) in members.iter().enumerate() {
            for (kb, wb) in &members[x + 1..] {
                if ka == kb || wa == wb || !within_one_edit(wa, wb) {
                    continue;
                }
                let agree = !articles[ka].is_disjoint(&articles[kb])
                    || !partners[ka].is_disjoint(&partners[kb]);
                if !agree {
                    continue;
                }
                let (from, to) = if (count[ka], *kb) > (count[kb], *ka) {
                    (kb, ka)
                } else {
                    (ka, kb)
                };
                if !out.contains_key(*to) {
                    out.entry(from.to_string())
                        .or_insert_with(|| to.to_string());
                }
            }
        }
    }
    out
}

/// An acronym used as an organization in one article ("NCB") and an organization whose
/// initials it is in another ("Narcotics Control Bureau"): one node, when exactly one
/// organization of the run has those initials. Returns acronym key -> expansion key.
fn acronym_targets(all: &[Findings], keys: &[Vec<String>]) -> HashMap<String, String> {
    let mut acronyms: BTreeSet<(String, String)> = BTreeSet::new();
    let mut by_initials: HashMap<String, BTreeSet<&str>> = HashMap::new();
    for (f, ks) in all.iter().zip(keys) {
        for (m, k) in f.mentions.iter().zip(ks) {
            if !matches!(m.etype, EntityType::Agency | EntityType::Organization) {
                continue;
            }
            let letters: String = m.canonical.chars().filter(|c| *c != '.').collect();
            if (2..=6).contains(&letters.len()) && letters.chars().all(|c| c.is_ascii_uppercase()) {
                acronyms.insert((letters.to_ascii_lowercase(), k.clone()));
                continue;
            }
            let words: Vec<&str> = m.canonical.split_whitespace().collect();
            if words.len() < 2 {
                continue;
            }
            let initials: String = words
                .iter()
                .filter(|w| {
                    !matches!(
                        w.to_ascii_lowercase().as_str(),
                        "of" | "the" | "and" | "for" | "on" | "&"
                    )
                })
                .filter_map(|w| w.chars().next())
                .flat_map(char::to_lowercase)
                .collect();
            by_initials.entry(initials).or_default().insert(k);
        }
    }
    acronyms
        .into_iter()
        .filter_map(|(acr, k)| {
            let c = by_initials.get(&acr)?;
            (c.len() == 1 && !c.contains(k.as_str()))
                .then(|| (k, c.iter().next().unwrap().to_string()))
        })
        .collect()
}

/// One statement occurrence indexed in a speaker block.
struct Entry {
    node: petgraph::stable_graph::NodeIndex,
    words: Vec<u32>,
    neg: bool,
}

/// Statements seen so far, blocked by speaker, for clustering.
#[derive(Default)]
struct Statements {
    /// Content word -> small id.
    vocab: HashMap<String, u32>,
    blocks: HashMap<String, Block>,
    /// Statements of the run holding each content word, and their number.
    df: HashMap<String, u32>,
    total: usize,
    /// Word ids of rare numbers (in at most a tenth of the statements).
    rare: HashSet<u32>,
}

/// One speaker's statement occurrences (every wording of every node), with an index from
/// word to the entries holding it: a new statement is compared only with those sharing a
/// word (no shared word never clusters).
#[derive(Default)]
struct Block {
    entries: Vec<Entry>,
    postings: HashMap<u32, Vec<u32>>,
    /// First entry of each word set: the same words are the same statement.
    first: HashMap<Vec<u32>, u32>,
    /// Shared-word counts by entry (all zero between calls), and the entries set.
    counts: Vec<u32>,
    touched: Vec<u32>,
}

impl Statements {
    fn word_ids(&mut self, words: &BTreeSet<String>) -> Vec<u32> {
        let mut ids: Vec<u32> = Vec::with_capacity(words.len());
        for w in words {
            let next = self.vocab.len() as u32;
            let id = *self.vocab.entry(w.clone()).or_insert(next);
            if id == next {
                // Numbers ("20,000", "2016") of two digits or more that recur but are rare.
                let df = self.df.get(w).copied().unwrap_or(1) as usize;
                let number = w.len() >= 2 && w.chars().all(|c| c.is_ascii_digit());
                if number && df >= 2 && df * 10 <= self.total.max(20) {
                    self.rare.insert(id);
                }
            }
            ids.push(id);
        }
        ids.sort_unstable();
        ids
    }
}

/// Similarity of two statements of one speaker: Jaccard of their content words, plus 0.05
/// per shared rare number (at most 0.1).
fn similarity(inter: usize, shared_rare: usize, a: usize, b: usize) -> f64 {
    let union = (a + b - inter).max(1) as f64;
    inter as f64 / union + 0.05 * shared_rare.min(2) as f64
}

/// The statement node for this speaker and content: an existing one of the same speaker
/// when the content words mostly agree (similarity >= 0.3, or at least five shared words
/// making 65% of the shorter one's), the polarity agrees (a denial never joins the claim it denies)
/// and it comes from another article (or has the very same words), else a new one.
fn statement_node(
    g: &mut Graph,
    st: &mut Statements,
    speaker: Option<&str>,
    text: &str,
    kind: StatementKind,
    article: &str,
) -> petgraph::stable_graph::NodeIndex {
    let block = speaker.unwrap_or("unknown");
    let id = format!(
        "statement-{:016x}",
        stable_hash(&format!("{block}\u{1f}{}", text.to_lowercase()))
    );
    let make = || {
        let label: String = if text.chars().count() > 60 {
            text.chars().take(57).collect::<String>() + "..."
        } else {
            text.to_string()
        };
        let mut n = Node::new(id.clone(), NodeType::Statement, label);
        n.kind = Some(kind.name());
        n.text = Some(text.to_string());
        n.speaker = speaker.map(str::to_string);
        n
    };
    // Without a speaker only the same text (any case) is the same statement: its node is
    // the one with this id.
    if speaker.is_none() {
        return g.upsert(&id, make);
    }
    let words = content_words(text);
    let neg = negated(&words);
    let ids = st.word_ids(&words);
    let rare = &st.rare;
    let b = st.blocks.entry(block.to_string()).or_default();
    let mut best: Option<(f64, petgraph::stable_graph::NodeIndex)> = None;
    if let Some(&pos) = b.first.get(&ids).filter(|_| !ids.is_empty()) {
        best = Some((f64::MAX, b.entries[pos as usize].node));
    } else {
        // Shared words per earlier entry (rare ones in the high 16 bits).
        b.counts.resize(b.entries.len(), 0);
        for w in &ids {
            let add = if rare.contains(w) { 1 + (1 << 16) } else { 1 };
            for &pos in b.postings.get(w).map_or(&[][..], Vec::as_slice) {
                if b.counts[pos as usize] == 0 {
                    b.touched.push(pos);
                }
                b.counts[pos as usize] += add;
            }
        }
        b.touched.sort_unstable();
        for &pos in &b.touched {
            let c = std::mem::take(&mut b.counts[pos as usize]);
            let (inter, shared_rare) = ((c & 0xffff) as usize, (c >> 16) as usize);
            let e = &b.entries[pos as usize];
            if e.neg != neg || inter < 2 {
                continue;
            }
            let sim = similarity(inter, shared_rare, ids.len(), e.words.len());
            // A short report inside a longer one ("the evidence is not sufficient to show
            // ..." in "there is no sufficient evidence to show ..., based on ...").
            let contained = inter >= 5 && inter * 100 >= 65 * ids.len().min(e.words.len());
            if (sim < 0.3 && !contained) || best.is_some_and(|(b, _)| sim <= b) {
                continue;
            }
            // Two statements of one article are two statements.
            if g.g[e.node].mentions.iter().any(|m| m.article == article) {
                continue;
            }
            best = Some((sim, e.node));
        }
        b.touched.clear();
    }
    let n = match best {
        Some((_, c)) => c,
        None => g.upsert(&id, make),
    };
    // Index this wording too, so later reports can match any of the node's wordings.
    if !b.first.contains_key(&ids) || best.is_none() {
        let pos = b.entries.len() as u32;
        for w in &ids {
            b.postings.entry(*w).or_default().push(pos);
        }
        b.first.entry(ids.clone()).or_insert(pos);
        b.entries.push(Entry {
            node: n,
            words: ids,
            neg,
        });
    }
    n
}
