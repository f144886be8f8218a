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
use crate::graph::{slug, stable_hash, Graph, MentionRef, Node, NodeType, Provenance, Role};
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
    let mut g = Graph::default();
    let short = short_name_targets(all);
    // Entity keys per article and mention.
    let keys: Vec<Vec<String>> = all
        .iter()
        .map(|f| {
            f.mentions
                .iter()
                .map(|m| {
                    let k = entity_key(m);
                    short.get(&k).cloned().unwrap_or(k)
                })
                .collect()
        })
        .collect();
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
    // label keeps them apart with a hash suffix.
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut taken: HashMap<String, String> = HashMap::new();
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
    for k in sorted_keys {
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
    let mut statements = Statements::default();
    for (f, ks) in all.iter().zip(&keys) {
        let article = f.info.id.clone();
        let art = g.upsert(&format!("article-{}", slug(&article)), || {
            let mut n = Node::new(
                format!("article-{}", slug(&article)),
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
            let n = g.upsert(id, || Node::new(id.clone(), ntype, label_of(k)));
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

/// Content words of a statement, for clustering.
fn content_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(|w| w.to_lowercase())
        .filter(|w| {
            !matches!(
                w.as_str(),
                "the"
                    | "and"
                    | "that"
                    | "this"
                    | "with"
                    | "from"
                    | "for"
                    | "are"
                    | "was"
                    | "has"
                    | "have"
                    | "had"
                    | "its"
                    | "their"
            )
        })
        .collect()
}

fn negated(words: &BTreeSet<String>) -> bool {
    ["not", "deny", "denies", "denied", "never", "nor"]
        .iter()
        .any(|w| words.contains(*w))
}

/// Statements seen so far, blocked by speaker, for clustering.
#[derive(Default)]
struct Statements {
    /// Content word -> small id.
    vocab: HashMap<String, u32>,
    blocks: HashMap<String, Block>,
}

/// One speaker's statement nodes in creation order, with their content words (ids,
/// sorted) and polarity, and an index from word to the positions holding it: a new
/// statement is compared only with those sharing a word (Jaccard 0 never clusters).
#[derive(Default)]
struct Block {
    nodes: Vec<(petgraph::stable_graph::NodeIndex, Vec<u32>, bool)>,
    members: HashSet<petgraph::stable_graph::NodeIndex>,
    postings: HashMap<u32, Vec<u32>>,
    /// First position of each word set: the same words give Jaccard 1, the best.
    first: HashMap<Vec<u32>, u32>,
    /// Shared-word counts by position (all zero between calls), and the positions set.
    counts: Vec<u32>,
    touched: Vec<u32>,
}

impl Statements {
    fn word_ids(&mut self, words: &BTreeSet<String>) -> Vec<u32> {
        let mut ids: Vec<u32> = words
            .iter()
            .map(|w| {
                let next = self.vocab.len() as u32;
                *self.vocab.entry(w.clone()).or_insert(next)
            })
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// The statement node for this speaker and content: an existing one of the same speaker
/// when the content words mostly agree, else a new one.
fn statement_node(
    g: &mut Graph,
    st: &mut Statements,
    speaker: Option<&str>,
    text: &str,
    kind: StatementKind,
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
    let b = st.blocks.entry(block.to_string()).or_default();
    let mut best: Option<(f64, petgraph::stable_graph::NodeIndex)> = None;
    if let Some(&pos) = b.first.get(&ids).filter(|_| !ids.is_empty()) {
        best = Some((1.0, b.nodes[pos as usize].0));
    } else {
        // Shared words per earlier statement, by position.
        b.counts.resize(b.nodes.len(), 0);
        for w in &ids {
            for &pos in b.postings.get(w).map_or(&[][..], Vec::as_slice) {
                if b.counts[pos as usize] == 0 {
                    b.touched.push(pos);
                }
                b.counts[pos as usize] += 1;
            }
        }
        b.touched.sort_unstable();
        for &pos in &b.touched {
            let inter = std::mem::take(&mut b.counts[pos as usize]) as usize;
            let (c, other, other_neg) = &b.nodes[pos as usize];
            if *other_neg != neg {
                continue;
            }
            let union = (ids.len() + other.len() - inter).max(1) as f64;
            let j = inter as f64 / union;
            if j >= 0.3 && best.is_none_or(|(b, _)| j > b) {
                best = Some((j, *c));
            }
        }
        b.touched.clear();
    }
    if let Some((_, c)) = best {
        return c;
    }
    let n = g.upsert(&id, make);
    if b.members.insert(n) {
        let words = content_words(g.g[n].text.as_deref().unwrap_or(""));
        let neg = negated(&words);
        let ids = st.word_ids(&words);
        let b = st.blocks.get_mut(block).expect("block");
        let pos = b.nodes.len() as u32;
        for w in &ids {
            b.postings.entry(*w).or_default().push(pos);
        }
        b.first.entry(ids.clone()).or_insert(pos);
        b.nodes.push((n, ids, neg));
    }
    n
}
