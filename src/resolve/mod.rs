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
use crate::text::ASCII_LOWER;
use petgraph::stable_graph::NodeIndex;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::{Borrow, Cow};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Identity of an entity across articles.
pub fn entity_key(m: &MentionFinding) -> String {
    match m.etype {
        EntityType::Country => concat(&[
            "country:",
            &m.key
                .as_deref()
                .unwrap_or(&m.canonical)
                .to_ascii_lowercase(),
        ]),
        EntityType::Person => concat(&["person:", &person_key(&m.canonical)]),
        EntityType::Agency | EntityType::Organization => concat(&["org:", &org_key(&m.canonical)]),
        EntityType::Place => concat(&["place:", &slug(&m.canonical)]),
        EntityType::Substance => concat(&["substance:", &slug(&m.canonical)]),
    }
}

/// The parts one after the other, in a String of exactly their length: what `format!`
/// makes of string arguments, without its formatting machinery (keys and ids are made
/// per name, author and country).
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
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

/// Entity keys interned: every distinct key string once, mentions refer to it by number.
#[derive(Default)]
struct Keys {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Keys {
    fn intern(&mut self, key: String) -> u32 {
        if let Some(&k) = self.ids.get(&key) {
            return k;
        }
        let k = self.names.len() as u32;
        self.names.push(key.clone());
        self.ids.insert(key, k);
        k
    }

    fn name(&self, k: u32) -> &str {
        &self.names[k as usize]
    }
}

/// Sorts key numbers by their names. Each leads with the first 16 bytes of its name as
/// one big-endian number ([`crate::graph::id_prefix`], as the graph sorts node ids): a
/// smaller number means a smaller name, so most comparisons settle on it without a
/// string compare (a `memcmp` call each; keys share their type's prefix, "person:",
/// "org:").
fn sort_by_name(keys: &mut [u32], table: &Keys) {
    let mut keyed: Vec<(u128, u32)> = keys
        .iter()
        .map(|&k| (crate::graph::id_prefix(table.name(k)), k))
        .collect();
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| table.name(a.1).cmp(table.name(b.1)))
    });
    for (k, (_, key)) in keys.iter_mut().zip(keyed) {
        *k = key;
    }
}

/// Builds the graph from every article's findings (in input order).
pub fn build(all: &[Findings], lex: &Lexicon) -> Graph {
    build_from(all.iter().collect(), lex)
}

/// [`build`], taking the findings: each article's are dropped once they are in the graph,
/// so the graph grows as the findings shrink (peak memory near the larger of the two,
/// not their sum).
pub fn build_from<F: Borrow<Findings>>(findings: Vec<F>, lex: &Lexicon) -> Graph {
    build_keeping_ids(findings, lex, &HashMap::new())
}

/// [`build_from`], keeping the node ids an earlier build gave to resolution keys (`known`:
/// key -> node id, as the persistent store records them with [`Node::key`]), so that an
/// IRI, once published, stays when articles are added: a known key keeps its id whatever
/// its label has become, and a new key that absorbed a known one (a short name now resolved
/// to a full name) takes that key's id. New keys never take an id that `known` holds.
pub fn build_keeping_ids<F: Borrow<Findings>>(
    findings: Vec<F>,
    lex: &Lexicon,
    known: &HashMap<String, String>,
) -> Graph {
    let mut g = Graph::default();
    let all: Vec<&Findings> = findings.iter().map(Borrow::borrow).collect();
    let all = all.as_slice();
    // Entity keys per article and mention; a mention's key depends only on its type,
    // canonical name and gazetteer key, so each distinct triple is keyed once. The
    // mentions are numbered by triple first (one hash probe per mention, for the run),
    // and everything per name (short names, keys) is worked out per triple.
    let mut memo: FxHashMap<(EntityType, &str, Option<&str>), u32> = FxHashMap::default();
    // The triples by number: a mention of each, and how many of its mentions vote for
    // the label (all but demonyms): a label is voted for per triple, not per mention.
    let mut triple_mentions: Vec<(&MentionFinding, usize)> = Vec::new();
    let mut keys: Vec<Vec<u32>> = all
        .iter()
        .map(|f| {
            f.mentions
                .iter()
                .map(|m| {
                    let t = *memo
                        .entry((m.etype, m.canonical.as_str(), m.key.as_deref()))
                        .or_insert_with(|| {
                            triple_mentions.push((m, 0));
                            triple_mentions.len() as u32 - 1
                        });
                    if m.rule != crate::extract::entities::RULE_DEMONYM {
                        triple_mentions[t as usize].1 += 1;
                    }
                    t
                })
                .collect()
        })
        .collect();
    drop(memo);
    let (short, person_keys) = short_name_targets(
        triple_mentions
            .iter()
            .filter(|(m, _)| m.etype == EntityType::Person)
            .map(|(m, _)| m.canonical.as_str()),
    );
    let mut table = Keys::default();
    // Known keys that now resolve into another key: (known key, key it resolves to).
    let mut absorbed: BTreeSet<(String, u32)> = BTreeSet::new();
    // Each triple with its key, its canonical name and its label votes; interned in the
    // order the triples were first seen (the order of their first mentions).
    let triples: Vec<(u32, &str, usize)> = triple_mentions
        .iter()
        .map(|&(m, votes)| {
            // A person's key was made once per canonical name for the short names
            // (person_key allocates a slug per word).
            let k = match person_keys.get(m.canonical.as_str()) {
                Some(pk) if m.etype == EntityType::Person => concat(&["person:", pk]),
                _ => entity_key(m),
            };
            let k = match short.get(&k) {
                Some(t) => {
                    let target = table.intern(t.clone());
                    if known.contains_key(&k) {
                        absorbed.insert((k, target));
                    }
                    target
                }
                None => table.intern(k),
            };
            (k, m.canonical.as_str(), votes)
        })
        .collect();
    drop(triple_mentions);
    for t in keys.iter_mut().flatten() {
        *t = triples[*t as usize].0;
    }
    let variants = person_variants(&keys, &table);
    let acronyms = acronym_targets(all, &keys, &table);
    // Each key replaced at most once: by its spelling variant, else by its expansion.
    let replaced: Vec<u32> = (0..table.names.len() as u32)
        .map(|k| {
            variants
                .get(&k)
                .or_else(|| acronyms.get(&k))
                .copied()
                .unwrap_or(k)
        })
        .collect();
    for k in keys.iter_mut().flatten() {
        *k = replaced[*k as usize];
    }
    for (k, &to) in replaced.iter().enumerate() {
        let name = &table.names[k];
        if to as usize != k && known.contains_key(name) {
            absorbed.insert((name.clone(), to));
        }
    }
    let absorbed: Vec<(String, u32)> = absorbed
        .into_iter()
        .map(|(from, to)| (from, replaced[to as usize]))
        .collect();
    // About as many edges as: one "mentions" edge per key per article (exactly that
    // many when no two keys share a node), one per author, attribution and relation at
    // most. Reserved up front so that the edge tables are not regrown step by step.
    let mut last_article: Vec<u32> = vec![u32::MAX; table.names.len()];
    let mut edge_estimate = 0;
    for (a, (f, ks)) in all.iter().zip(&keys).enumerate() {
        for &k in ks {
            if last_article[k as usize] != a as u32 {
                last_article[k as usize] = a as u32;
                edge_estimate += 1;
            }
        }
        edge_estimate += f.authors.len() + f.attributions.len() + f.relations.len();
    }
    drop(last_article);
    g.reserve_edges(edge_estimate);
    let mut stmts = statement_words(all);
    // Labels: the most frequent cased surface (or canonical) per key. One map of (key,
    // name) votes for the run, not a map per key.
    // Each triple's mentions vote alike (the name and weight depend on the canonical
    // name only), so they vote once with their number.
    let mut label_votes: FxHashMap<(u32, Cow<str>), usize> = FxHashMap::default();
    for &(k, canonical, mentions) in &triples {
        if mentions == 0 {
            continue;
        }
        let name = if canonical.chars().any(char::is_uppercase) {
            Cow::Borrowed(canonical)
        } else {
            Cow::Owned(title_case(canonical))
        };
        let weight = if canonical.split_whitespace().nth(1).is_some() {
            3
        } else {
            1
        };
        *label_votes.entry((replaced[k as usize], name)).or_default() += weight * mentions;
    }
    drop(triples);
    // The winner per key: most votes, then the longer name, then the first in byte order
    // (a total order, so the order the votes are read in does not matter).
    let mut best_label: Vec<Option<(Cow<str>, usize)>> = vec![None; table.names.len()];
    for ((k, name), votes) in label_votes {
        let best = &mut best_label[k as usize];
        let wins = best.as_ref().is_none_or(|(b, bv)| {
            votes
                .cmp(bv)
                .then(b.len().cmp(&name.len()).reverse())
                .then(b.as_ref().cmp(name.as_ref()))
                .is_gt()
        });
        if wins {
            *best = Some((name, votes));
        }
    }
    let label_of = |k: u32| -> String {
        best_label[k as usize]
            .as_ref()
            .map(|(s, _)| s.to_string())
            .unwrap_or_else(|| {
                let k = table.name(k);
                k.split_once(':').map_or(k, |x| x.1).to_string()
            })
    };
    // An organization known as an agency anywhere is an agency.
    let mut org_types: Vec<Option<EntityType>> = vec![None; table.names.len()];
    for (f, ks) in all.iter().zip(&keys) {
        for (m, &k) in f.mentions.iter().zip(ks) {
            let t = org_types[k as usize].get_or_insert(m.etype);
            if m.etype == EntityType::Agency {
                *t = EntityType::Agency;
            }
        }
    }
    // Node ids read like their labels ("person-lance-ho"); a clash of two keys on one
    // label keeps them apart with a hash suffix. Ids known from an earlier build come first.
    let mut ids: Vec<Option<(String, String)>> = vec![None; table.names.len()];
    let mut taken: FxHashMap<String, &str> = known
        .iter()
        .map(|(k, id)| (id.clone(), k.as_str()))
        .collect();
    // The keys in use (a flag per key, not a sort of every mention's key), by name.
    let mut used = vec![false; table.names.len()];
    for &k in keys.iter().flatten() {
        used[k as usize] = true;
    }
    let mut sorted_keys: Vec<u32> = (0..table.names.len() as u32)
        .filter(|&k| used[k as usize])
        .collect();
    drop(used);
    sort_by_name(&mut sorted_keys, &table);
    // At most one node per key, article, author and statement, and a few countries.
    g.reserve_nodes(
        sorted_keys.len()
            + all
                .iter()
                .map(|f| 1 + f.authors.len() + f.attributions.len())
                .sum::<usize>(),
    );
    let mut reused: FxHashSet<&str> = FxHashSet::default();
    for &k in &sorted_keys {
        if let Some(id) = known.get(table.name(k)) {
            reused.insert(id);
            ids[k as usize] = Some((id.clone(), label_of(k)));
        }
    }
    for (from, to) in &absorbed {
        let id = &known[from];
        if ids[*to as usize].is_none() && reused.insert(id) {
            ids[*to as usize] = Some((id.clone(), label_of(*to)));
        }
    }
    for k in sorted_keys {
        if ids[k as usize].is_some() {
            continue;
        }
        let key = table.name(k);
        let ntype = key.split_once(':').map_or("entity", |x| x.0);
        let ntype = if ntype == "org" {
            if org_types[k as usize] == Some(EntityType::Organization) {
                "organization"
            } else {
                "agency"
            }
        } else {
            ntype
        };
        let label = label_of(k);
        let mut id = concat(&[ntype, "-", &slug(&label)]);
        if taken.get(&id).is_some_and(|&other| other != key) {
            id = format!("{id}-{:08x}", stable_hash(key) as u32);
        }
        taken.insert(id.clone(), key);
        ids[k as usize] = Some((id, label));
    }
    drop(taken);
    let key_id = |key: &str| {
        table
            .ids
            .get(key)
            .and_then(|&k| ids[k as usize].as_ref())
            .map(|(id, _)| id.clone())
    };
    // The node of each key, once made.
    let mut key_nodes: Vec<Option<NodeIndex>> = vec![None; table.names.len()];
    // By node index: 1 + the number of the last article given a "mentions" edge to it (a
    // name repeated in an article needs its edge once).
    let mut mentioned_in: Vec<u32> = Vec::new();
    // Capitals' countries by ISO code.
    let mut country_nodes: FxHashMap<String, NodeIndex> = FxHashMap::default();
    // Mentions are gathered per node and sorted into the nodes' sets once at the end:
    // one per entity mention, author and statement.
    let mut mentions = Mentions {
        wide: Vec::new(),
        found: Vec::with_capacity(
            all.iter()
                .map(|f| f.mentions.len() + f.authors.len() + f.attributions.len())
                .sum(),
        ),
        articles: Vec::new(),
    };
    // Article ids by number (equal ids, equal numbers).
    let mut article_numbers: FxHashMap<String, u32> = FxHashMap::default();
    let mut statements = Statements {
        rare: std::mem::take(&mut stmts.rare),
        ..Statements::default()
    };
    // At most one entry per statement with a speaker, and one link per word of it: room
    // made once, not by doubling step by step (room not used is never written). The
    // postings map is left to grow: a table reserved for every word would be written all
    // over (its slots are spread by hash) even where most wordings repeat and add none.
    let (mut spoken, mut spoken_words) = (0, 0);
    for (f, words) in all.iter().zip(&stmts.words) {
        for (a, (words, _)) in f.attributions.iter().zip(words) {
            if a.speaker_mention.is_some() {
                spoken += 1;
                spoken_words += words.len();
            }
        }
    }
    statements.entries.reserve(spoken);
    statements.links.reserve(spoken_words);
    statements
        .articles
        .reserve(all.iter().map(|f| f.attributions.len()).sum());
    // By node index: (1 + the position of the article, the mention in it) of the last
    // mention whose surface was put in (or found in) the node's aliases. A name repeated
    // in an article is compared with that one surface (mostly a length compare, or one
    // short memcmp) instead of a binary search of the node's aliases; aliases are only
    // added during the build, so a surface seen in them stays in them.
    let mut alias_from: Vec<(u32, u32)> = Vec::new();
    for (pos, ((f, ks), words)) in findings
        .into_iter()
        .zip(&keys)
        .zip(&stmts.words)
        .enumerate()
    {
        let f: &Findings = f.borrow();
        let pos = pos as u32 + 1;
        // One shared copy of the id for every mention and occurrence of the article.
        let article: Arc<str> = Arc::from(f.info.id.as_str());
        let next = article_numbers.len() as u32;
        let article_number = match article_numbers.get(f.info.id.as_str()) {
            Some(&n) => n,
            None => {
                article_numbers.insert(f.info.id.clone(), next);
                mentions.articles.push(article.clone());
                next
            }
        };
        let art_id = article_node_id(&article);
        let art = g.upsert(&art_id, || {
            let mut n = Node::new(
                art_id.clone(),
                NodeType::Article,
                f.info.title.clone().unwrap_or_else(|| article.to_string()),
            );
            n.article = Some(Box::new(f.info.clone()));
            n
        });
        // Entities and "mentions" edges.
        let mut idx = Vec::with_capacity(f.mentions.len());
        for (j, (m, &k)) in f.mentions.iter().zip(ks).enumerate() {
            let n = *key_nodes[k as usize].get_or_insert_with(|| {
                let ntype = NodeType::from_entity(org_types[k as usize].expect("typed"));
                let (id, label) = ids[k as usize].as_ref().expect("named");
                // Two keys may share an id; a new node copies the id once (not twice, as
                // upsert would).
                g.node_index(id).unwrap_or_else(|| {
                    let mut n = Node::new(id.clone(), ntype, label.clone());
                    n.key = Some(table.name(k).to_string());
                    g.insert_new(n)
                })
            });
            if m.rule != crate::extract::entities::RULE_DEMONYM {
                if alias_from.len() <= n.index() {
                    alias_from.resize(n.index() + 1, (0, 0));
                }
                let (at, from) = alias_from[n.index()];
                if at != pos || f.mentions[from as usize].surface != m.surface {
                    let node = &mut g.g[n];
                    if !node.aliases.contains(&m.surface) {
                        node.aliases.insert(m.surface.clone());
                    }
                    alias_from[n.index()] = (pos, j as u32);
                }
            }
            mentions.add(n, article_number, m.span.start, m.span.end);
            if mentioned_in.len() <= n.index() {
                mentioned_in.resize(n.index() + 1, 0);
            }
            if mentioned_in[n.index()] != article_number + 1 {
                mentioned_in[n.index()] = article_number + 1;
                g.add_edge(art, n, "mentions", None);
            }
            idx.push(n);
            // A capital is located in its country.
            if m.etype == EntityType::Place {
                if let Some(iso) = m.key.as_deref() {
                    let c = match country_nodes.get(iso) {
                        Some(&c) => Some(c),
                        None => lex.country_name(iso).map(|cname| {
                            let cid = key_id(&concat(&["country:", &iso.to_ascii_lowercase()]))
                                .unwrap_or_else(|| concat(&["country-", &slug(cname)]));
                            let c = g.upsert(&cid, || {
                                Node::new(cid.clone(), NodeType::Country, cname.to_string())
                            });
                            country_nodes.insert(iso.to_string(), c);
                            c
                        }),
                    };
                    if let Some(c) = c {
                        g.add_edge(n, c, "located_in", None);
                    }
                }
            }
        }
        for (name, span) in &f.authors {
            let id = key_id(&concat(&["person:", &person_key(name)]))
                .unwrap_or_else(|| concat(&["person-", &slug(name)]));
            let p = g.upsert(&id, || {
                Node::new(id.clone(), NodeType::Person, name.clone())
            });
            g.g[p].aliases.insert(name.clone());
            mentions.add(p, article_number, span.start, span.end);
            g.add_edge(art, p, "authored_by", None);
        }
        // Statements.
        let mut stmt_nodes = Vec::with_capacity(f.attributions.len());
        for (a, (words, neg)) in f.attributions.iter().zip(words) {
            let speaker = a.speaker_mention.map(|m| idx[m]);
            let s = statement_node(
                &mut g,
                &mut statements,
                speaker,
                &StatementText {
                    text: &a.text,
                    words: &stmts.ids[words.start as usize..words.end as usize],
                    neg: *neg,
                    kind: a.kind,
                },
                article_number,
            );
            let node = &mut g.g[s];
            if !node.aliases.contains(&a.text) {
                node.aliases.insert(a.text.clone());
            }
            mentions.add(s, article_number, a.content.start, a.content.end);
            statements.articles.insert((s, article_number));
            if let Some(sp) = speaker {
                let prov = Provenance {
                    article: article.clone(),
                    start: a.evidence.start,
                    end: a.evidence.end,
                    evidence: a.evidence_text.clone(),
                    rule: Cow::Borrowed(a.rule),
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
                    rule: Cow::Borrowed("responds_to_claim"),
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
                rule: Cow::Borrowed(r.rule),
                confidence: r.confidence,
                content: None,
                cue: None,
                speaker: None,
                title: r.title.clone(),
            };
            g.add_edge(subj, obj, &r.edge, Some(prov));
        }
    }
    mentions.store(&mut g);
    g.normalize();
    g
}

/// Mentions by node, gathered while the graph is built: one sort per node at the end
/// instead of an ordered insert per mention. One list for the run, in the order found,
/// handed out by node at the end into vectors of the exact size: a vector per node grown
/// one push at a time reallocated (and copied) each node's list several times over.
/// Articles are numbered in the list and offsets are 32-bit (16 bytes a mention, not the
/// 40 of a node number with a [`MentionRef`]), and each mention gets its article's shared
/// id at the end.
#[derive(Default)]
struct Mentions {
    found: Vec<Found>,
    /// Mentions at offsets past `u32::MAX` (in articles of more than 4G chars, if ever),
    /// by node: added to the nodes' lists one by one at the end.
    wide: Vec<(NodeIndex, u32, usize, usize)>,
    /// The article ids by number: the first copy made of each.
    articles: Vec<Arc<str>>,
}

/// A mention of node `node` in article number `article` at `start..end`.
struct Found {
    node: u32,
    article: u32,
    start: u32,
    end: u32,
}

impl Mentions {
    fn add(&mut self, n: NodeIndex, article: u32, start: usize, end: usize) {
        match (u32::try_from(start), u32::try_from(end)) {
            (Ok(start), Ok(end)) => self.found.push(Found {
                node: n.index() as u32,
                article,
                start,
                end,
            }),
            _ => self.wide.push((n, article, start, end)),
        }
    }

    fn store(self, g: &mut Graph) {
        use petgraph::visit::NodeIndexable;
        // Each article's rank in id order (equal ids have one number, so one rank): a
        // node's mentions are sorted by (rank, start, end), integers, which is the order
        // of `MentionRef` (article id, start, end) without reading the ids' bytes (a
        // `memcmp` per comparison of two articles' mentions). Mentions with equal keys are
        // equal, so the dedup by key drops what `MentionRef`'s would.
        let mut by_id: Vec<u32> = (0..self.articles.len() as u32).collect();
        by_id.sort_unstable_by(|&a, &b| self.articles[a as usize].cmp(&self.articles[b as usize]));
        let mut rank: Vec<u32> = vec![0; self.articles.len()];
        for (r, &a) in by_id.iter().enumerate() {
            rank[a as usize] = r as u32;
        }
        drop(by_id);
        // A counting sort by node into one list for the run (no vector per node until
        // each node's exact, deduplicated list is made).
        let mut starts: Vec<u32> = vec![0; g.g.node_bound() + 1];
        for f in &self.found {
            starts[f.node as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut sorted: Vec<(u32, u32, u32, u32)> = vec![(0, 0, 0, 0); self.found.len()];
        for f in self.found {
            let at = &mut next[f.node as usize];
            sorted[*at as usize] = (rank[f.article as usize], f.start, f.end, f.article);
            *at += 1;
        }
        drop(next);
        for (i, w) in starts.windows(2).enumerate() {
            let list = &mut sorted[w[0] as usize..w[1] as usize];
            if list.is_empty() {
                continue;
            }
            // Mostly in order already (articles in input order, mentions by position),
            // which the stable sort finds in runs.
            list.sort_by_key(|&(r, start, end, _)| (r, start, end));
            let mut found: Vec<MentionRef> = Vec::with_capacity(list.len());
            let mut last = None;
            for &(r, start, end, article) in list.iter() {
                if last != Some((r, start, end)) {
                    last = Some((r, start, end));
                    found.push(MentionRef {
                        article: self.articles[article as usize].clone(),
                        start: start as usize,
                        end: end as usize,
                    });
                }
            }
            let mentions = &mut g.g[NodeIndex::new(i)].mentions;
            if mentions.is_empty() {
                *mentions = found;
            } else {
                mentions.append(&mut found);
                mentions.sort();
                mentions.dedup();
            }
        }
        for (n, article, start, end) in self.wide {
            g.g[n].add_mention(MentionRef {
                article: self.articles[article as usize].clone(),
                start,
                end,
            });
        }
    }
}

/// "Trump" -> "Donald Trump" when exactly one multi-word person in the corpus has that
/// word as first or last name. Also returns the person key of every person's canonical
/// name, for the entity keys to reuse. `people`: the canonical names of the run's people
/// (repeats are skipped).
fn short_name_targets<'a>(
    people: impl Iterator<Item = &'a str>,
) -> (HashMap<String, String>, FxHashMap<&'a str, String>) {
    /// The full names holding a word: the first one, and whether there are others.
    struct Holders {
        first: String,
        several: bool,
    }
    let mut full: FxHashMap<String, Holders> = FxHashMap::default();
    let mut singles: BTreeSet<String> = BTreeSet::new();
    let mut seen: FxHashMap<&'a str, String> = FxHashMap::default();
    for name in people {
        if seen.contains_key(name) {
            continue;
        }
        let key = person_key(name);
        seen.insert(name, key.clone());
        if !key.contains(' ') {
            singles.insert(key);
            continue;
        }
        for w in key.split(' ') {
            match full.get_mut(w) {
                Some(h) => h.several |= h.first != key,
                None => {
                    full.insert(
                        w.to_string(),
                        Holders {
                            first: key.clone(),
                            several: false,
                        },
                    );
                }
            }
        }
    }
    let short = singles
        .into_iter()
        .filter_map(|s| {
            let h = full.get(&s).filter(|h| !h.several)?;
            Some((concat(&["person:", &s]), concat(&["person:", &h.first])))
        })
        .collect();
    (short, seen)
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

fn is_statement_stopword(w: &str) -> bool {
    static SET: std::sync::OnceLock<FxHashSet<&str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| STATEMENT_STOPWORDS.iter().copied().collect())
        .contains(w)
}

/// Light suffix stripping and a 6-letter prefix, so "produced" = "production",
/// "mostly" = "most", "substances" = "substance".
fn stem(w: &str) -> &str {
    let mut w = w;
    for suf in ["ingly", "edly", "ing", "ly", "ed", "es", "s"] {
        if w.len() >= suf.len() + 3 && w.ends_with(suf) {
            w = &w[..w.len() - suf.len()];
            break;
        }
    }
    match w.char_indices().nth(6) {
        Some((end, _)) => &w[..end],
        None => w,
    }
}

/// The content word a lowercased word of a statement counts as, for clustering: numbers
/// as they are, one "not" for every negation (so "no sufficient evidence" = "evidence is
/// not sufficient"), stems of other words of three letters or more that are not
/// stopwords; none for the rest.
fn content_word(w: &str) -> Option<&str> {
    let first = *w.as_bytes().first()?;
    if first.is_ascii_digit() {
        Some(w)
    } else if matches!(w, "no" | "not" | "never" | "nor" | "neither") {
        Some("not")
    } else if w.len() >= 3 && w.chars().nth(2).is_some() && !is_statement_stopword(w) {
        Some(stem(w))
    } else {
        None
    }
}

/// Calls `visit` with the content words of a statement (repeats included), for
/// clustering (see [`content_word`]); numbers lose their thousands separators
/// ("20,000" = "20000"). `lower` and `number` are buffers reused across statements.
#[cfg(test)]
fn content_words(text: &str, lower: &mut String, number: &mut String, mut visit: impl FnMut(&str)) {
    lowercase_words(text, lower, number, |w| {
        if let Some(w) = content_word(w) {
            visit(w)
        }
    });
}

/// Calls `visit` with the words of the lowercased text: runs of letters and digits,
/// numbers without thousands separators, and "not" for every "n't". `lower` is a buffer
/// reused across statements for the lowercased text; the words are slices of it (a
/// number with separators is the only word pieced together, in `number`).
///
/// A byte walk (the same words as [`lowercase_words_reference`], a test pins them): a
/// table says which bytes continue a word, a non-ASCII char is decoded only where one
/// starts, and the next char is read only after the two separators that look at it
/// (',' and an apostrophe). Inlined, so that `visit` is inlined too (a call per word
/// was a good part of the per-word cost).
#[inline(always)]
fn lowercase_words(
    text: &str,
    lower: &mut String,
    number: &mut String,
    mut visit: impl FnMut(&str),
) {
    lower.clear();
    crate::text::push_lowercase(text, lower);
    let lower = lower.as_str();
    let bytes = lower.as_bytes();
    // The word read so far: `number` (digits before a thousands separator) then
    // `lower[start..at]`.
    number.clear();
    let mut start = 0;
    let mut at = 0;
    // One call of `visit` in the loop (the end of the text is read as a last separator,
    // `None`): with a single call site the visitor is inlined into the walk.
    loop {
        while bytes.get(at).is_some_and(|&b| ASCII_WORD[b as usize]) {
            at += 1;
        }
        let c = match bytes.get(at) {
            None => None,
            Some(&b) if b.is_ascii() => Some(b as char),
            Some(_) => {
                let c = lower[at..].chars().next().expect("at a char boundary");
                if is_word_char(c) {
                    at += c.len_utf8();
                    continue;
                }
                Some(c)
            }
        };
        let after = at + c.map_or(0, char::len_utf8);
        let run = &lower[start..at];
        let word = match c {
            Some(',')
                if !(number.is_empty() && run.is_empty())
                    && run.bytes().all(|d| d.is_ascii_digit())
                    && bytes.get(after).is_some_and(u8::is_ascii_digit) =>
            {
                // "20,000": a thousands separator only between digits.
                number.push_str(run);
                at = after;
                start = at;
                continue;
            }
            Some('\'' | '’') if run.ends_with('n') && bytes.get(after) == Some(&b't') => {
                // "don't" / "isn't": a negation.
                number.clear();
                at = after + 1;
                start = at;
                "not"
            }
            _ => {
                at = after;
                start = at;
                if !number.is_empty() {
                    number.push_str(run);
                    number.as_str()
                } else if !run.is_empty() {
                    run
                } else if c.is_none() {
                    break;
                } else {
                    continue;
                }
            }
        };
        visit(word);
        number.clear();
        if c.is_none() {
            break;
        }
    }
}

/// `c.is_alphanumeric()`, for a non-ASCII char. General Punctuation (U+2000-U+206F:
/// curly quotes, dashes, spaces: most non-ASCII chars of news text) has no letter or
/// digit (a test checks), so it skips the two Unicode table searches.
fn is_word_char(c: char) -> bool {
    !('\u{2000}'..='\u{206f}').contains(&c) && c.is_alphanumeric()
}

/// Bytes that continue a word in [`lowercase_words`]' byte walk: ASCII letters and digits.
static ASCII_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

/// The char walk [`lowercase_words`] was written from, kept as its reference: the words of
/// the lowercased text: runs of letters and digits,
/// numbers without thousands separators, and "not" for every "n't". `lower` is a buffer
/// reused across statements for the lowercased text; the words are slices of it (a
/// number with separators is the only word pieced together, in `number`).
#[cfg(test)]
fn lowercase_words_reference(
    text: &str,
    lower: &mut String,
    number: &mut String,
    mut visit: impl FnMut(&str),
) {
    lower.clear();
    crate::text::push_lowercase(text, lower);
    let lower = lower.as_str();
    let bytes = lower.as_bytes();
    let mut flush = |w: &str| {
        if !w.is_empty() {
            visit(w)
        }
    };
    // The word read so far: `number` (digits before a thousands separator) then
    // `lower[start..at]`.
    number.clear();
    let mut start = 0;
    let mut at = 0;
    // A byte walk: ASCII bytes are read as they are, other chars decoded where they start.
    let char_at = |at: usize| match bytes.get(at) {
        Some(&b) if b.is_ascii() => Some(b as char),
        _ => lower.get(at..).and_then(|rest| rest.chars().next()),
    };
    loop {
        while bytes.get(at).is_some_and(u8::is_ascii_alphanumeric) {
            at += 1;
        }
        let Some(c) = char_at(at) else { break };
        let after = at + c.len_utf8();
        if !c.is_ascii() && c.is_alphanumeric() {
            at = after;
            continue;
        }
        let next = char_at(after);
        let run = &lower[start..at];
        at = after;
        if c == ','
            && !(number.is_empty() && run.is_empty())
            && run.bytes().all(|d| d.is_ascii_digit())
        {
            // "20,000": a thousands separator only between digits.
            if next.is_some_and(|d| d.is_ascii_digit()) {
                number.push_str(run);
                start = at;
                continue;
            }
        } else if matches!(c, '\'' | '’') && run.ends_with('n') && next == Some('t') {
            // "don't" / "isn't": a negation.
            number.clear();
            at += 1;
            start = at;
            flush("not");
            continue;
        }
        if number.is_empty() {
            flush(run);
        } else {
            number.push_str(run);
            flush(number);
            number.clear();
        }
        start = at;
    }
    let run = &lower[start..];
    if number.is_empty() {
        flush(run);
    } else {
        number.push_str(run);
        flush(number);
    }
}

/// Polarity: a statement with a negation or a denial word.
fn is_negation(word: &str) -> bool {
    matches!(word, "not" | "deny" | "deni" | "reject" | "dismis")
}

/// Every statement's content words, numbered, read once for the whole run.
struct StatementWords {
    /// Per article and attribution: where its sorted word ids are in `ids`, and polarity.
    words: Vec<Vec<(std::ops::Range<u32>, bool)>>,
    /// Every statement's word ids, one after the other: one buffer for the run, not a
    /// vector per statement (the statement index borrows its slices, copying none).
    ids: Vec<u32>,
    /// By word id: whether it is a rare number: two digits or more, in at least two
    /// statements but at most a tenth of them. (A table, not a set: it is read for every
    /// word of every statement clustered.)
    rare: Vec<bool>,
}

fn statement_words(all: &[&Findings]) -> StatementWords {
    let mut vocab: FxHashMap<String, u32> = FxHashMap::default();
    // Document frequency by word id: the statements of the run holding the word.
    let mut df: Vec<u32> = Vec::new();
    let (mut lower, mut number) = (String::new(), String::new());
    // Each lowercased word once: its content word's id and polarity, or none. Words of
    // up to eight bytes (most) are keyed by their bytes packed in a number, compared
    // without a string compare; a word holds no NUL byte, so the zero padding is unique.
    let mut seen_short: FxHashMap<u64, Option<(u32, bool)>> = FxHashMap::default();
    let mut seen: FxHashMap<String, Option<(u32, bool)>> = FxHashMap::default();
    // The content word's id (a new one for a new word) and polarity of a word seen first.
    fn classify(
        raw: &str,
        vocab: &mut FxHashMap<String, u32>,
        df: &mut Vec<u32>,
    ) -> Option<(u32, bool)> {
        content_word(raw).map(|w| {
            let id = match vocab.get(w) {
                Some(&id) => id,
                None => {
                    let id = vocab.len() as u32;
                    vocab.insert(w.to_string(), id);
                    df.push(0);
                    id
                }
            };
            (id, is_negation(w))
        })
    }
    // The ids of the statement being read (a reused buffer), and of every statement read
    // so far (each appended in its sorted, deduplicated form).
    let mut ids: Vec<u32> = Vec::new();
    let mut all_ids: Vec<u32> = Vec::new();
    let words: Vec<Vec<(std::ops::Range<u32>, bool)>> = all
        .iter()
        .map(|f| {
            f.attributions
                .iter()
                .map(|a| {
                    ids.clear();
                    let mut neg = false;
                    lowercase_words(&a.text, &mut lower, &mut number, |raw| {
                        // Words of one or two letters are no content words (see
                        // content_word), except numbers and "no": most words of a text.
                        if raw.len() < 3 && raw != "no" && !raw.as_bytes()[0].is_ascii_digit() {
                            return;
                        }
                        let word = if raw.len() <= 8 {
                            *seen_short
                                .entry(pack_short(raw.as_bytes()))
                                .or_insert_with(|| classify(raw, &mut vocab, &mut df))
                        } else {
                            match seen.get(raw) {
                                Some(&word) => word,
                                None => {
                                    let word = classify(raw, &mut vocab, &mut df);
                                    seen.insert(raw.to_string(), word);
                                    word
                                }
                            }
                        };
                        if let Some((id, negation)) = word {
                            neg |= negation;
                            ids.push(id);
                        }
                    });
                    ids.sort_unstable();
                    ids.dedup();
                    for &id in &ids {
                        df[id as usize] += 1;
                    }
                    let start = all_ids.len() as u32;
                    all_ids.extend_from_slice(&ids);
                    (start..all_ids.len() as u32, neg)
                })
                .collect()
        })
        .collect();
    let total: usize = all.iter().map(|f| f.attributions.len()).sum();
    let mut rare = vec![false; vocab.len()];
    for (w, &id) in &vocab {
        let df = df[id as usize] as usize;
        rare[id as usize] = w.len() >= 2
            && w.chars().all(|c| c.is_ascii_digit())
            && df >= 2
            && df * 10 <= total.max(20);
    }
    StatementWords {
        words,
        ids: all_ids,
        rare,
    }
}

/// The bytes of a word of one to eight bytes packed in a number, first byte lowest (as
/// `u64::from_le_bytes` of the zero-padded bytes), from two overlapping loads instead of
/// a copy of a variable length (a `memcpy` call per word).
fn pack_short(w: &[u8]) -> u64 {
    let n = w.len();
    debug_assert!((1..=8).contains(&n));
    if n >= 4 {
        // Bytes 0..4 and n-4..n: where they overlap they are the same bytes.
        let lo = u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as u64;
        let hi = u32::from_le_bytes([w[n - 4], w[n - 3], w[n - 2], w[n - 1]]) as u64;
        lo | hi << (8 * (n - 4))
    } else {
        // The first, middle and last byte: all of a word of up to three bytes.
        w[0] as u64 | (w[n / 2] as u64) << (8 * (n / 2)) | (w[n - 1] as u64) << (8 * (n - 1))
    }
}

/// Edit distance of at most one (one insertion, deletion or substitution), in chars.
fn within_one_edit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return within_one_edit_of(a.as_bytes(), b.as_bytes());
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    within_one_edit_of(&a, &b)
}

fn within_one_edit_of<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if l.len() - s.len() > 1 {
        return false;
    }
    let p = s.iter().zip(l).take_while(|(x, y)| x == y).count();
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
fn person_variants(keys: &[Vec<u32>], table: &Keys) -> FxHashMap<u32, u32> {
    let full_person: Vec<bool> = table
        .names
        .iter()
        .map(|k| k.starts_with("person:") && k.contains(' '))
        .collect();
    // Mentions and articles by key number (a hash probe per mention, no string compare).
    let mut count_of: Vec<usize> = vec![0; table.names.len()];
    let mut articles_of: Vec<Vec<u32>> = vec![Vec::new(); table.names.len()];
    // The people named in each article, for the partners of the few candidate pairs.
    let mut people_of: Vec<Vec<u32>> = Vec::with_capacity(keys.len());
    for (a, ks) in keys.iter().enumerate() {
        let mut people: Vec<u32> = Vec::new();
        for &k in ks.iter().filter(|&&k| full_person[k as usize]) {
            count_of[k as usize] += 1;
            let seen = &mut articles_of[k as usize];
            if seen.last() != Some(&(a as u32)) {
                seen.push(a as u32);
            }
            people.push(k);
        }
        people.sort_unstable();
        people.dedup();
        people_of.push(people);
    }
    // The keys named, in name order: the order blocks are filled in (and so the order of
    // the pairs, which decides which variant a key joins). Counts, articles and partners
    // are looked up by key number, not by name.
    let mut named: Vec<u32> = (0..count_of.len() as u32)
        .filter(|&k| count_of[k as usize] > 0)
        .collect();
    sort_by_name(&mut named, table);
    // Everyone named in an article with each key, worked out for the keys of candidate
    // pairs only.
    let mut partners: FxHashMap<u32, FxHashSet<u32>> = FxHashMap::default();
    // Blocks found by name in a hash map and put in name order only at the end, for the
    // few of two members or more (most have one).
    let mut block_of: FxHashMap<String, usize> = FxHashMap::default();
    let mut blocks: Vec<Vec<(u32, &str)>> = Vec::new();
    // The block name ("other words|first letter") is pieced together in one reused
    // buffer and copied only for a new block (most words of most keys are looked up).
    let mut block = String::new();
    let mut words: Vec<&str> = Vec::new();
    for &k in &named {
        words.clear();
        words.extend(table.name(k)["person:".len()..].split(' '));
        for (i, w) in words.iter().enumerate() {
            if w.chars().count() < 4 {
                continue;
            }
            block.clear();
            for (j, other) in words.iter().enumerate().filter(|(j, _)| *j != i) {
                if !(j == 0 || i == 0 && j == 1) {
                    block.push(' ');
                }
                block.push_str(other);
            }
            block.push('|');
            block.push(w.chars().next().unwrap_or('_'));
            match block_of.get(block.as_str()) {
                Some(&b) => blocks[b].push((k, w)),
                None => {
                    block_of.insert(block.clone(), blocks.len());
                    blocks.push(vec![(k, w)]);
                }
            }
        }
    }
    let mut candidates: Vec<(String, usize)> = block_of
        .into_iter()
        .filter(|&(_, b)| (2..=64).contains(&blocks[b].len()))
        .collect();
    candidates.sort_unstable();
    let mut out: FxHashMap<u32, u32> = FxHashMap::default();
    for (_, b) in candidates {
        let members = &blocks[b];
        for (x, &(ka, wa)) in members.iter().enumerate() {
            for &(kb, wb) in &members[x + 1..] {
                if ka == kb || wa == wb || !within_one_edit(wa, wb) {
                    continue;
                }
                let (ka_at, kb_at) = (&articles_of[ka as usize], &articles_of[kb as usize]);
                let agree = sorted_intersect(ka_at, kb_at) || {
                    for k in [ka, kb] {
                        partners.entry(k).or_insert_with(|| {
                            articles_of[k as usize]
                                .iter()
                                .flat_map(|&a| &people_of[a as usize])
                                .filter(|&&q| q != k)
                                .copied()
                                .collect()
                        });
                    }
                    !partners[&ka].is_disjoint(&partners[&kb])
                };
                if !agree {
                    continue;
                }
                let (na, nb) = (table.name(ka), table.name(kb));
                let (from, to) = if (count_of[ka as usize], nb) > (count_of[kb as usize], na) {
                    (kb, ka)
                } else {
                    (ka, kb)
                };
                if !out.contains_key(&to) {
                    out.entry(from).or_insert(to);
                }
            }
        }
    }
    out
}

/// Whether two ascending lists share an element.
fn sorted_intersect(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// An acronym used as an organization in one article ("NCB") and an organization whose
/// initials it is in another ("Narcotics Control Bureau"): one node, when exactly one
/// organization of the run has those initials. Returns acronym key -> expansion key.
fn acronym_targets(all: &[&Findings], keys: &[Vec<u32>], table: &Keys) -> FxHashMap<u32, u32> {
    let mut acronyms: BTreeSet<(String, &str)> = BTreeSet::new();
    let mut by_initials: HashMap<String, BTreeSet<&str>> = HashMap::new();
    let mut seen: FxHashSet<(&str, u32)> = FxHashSet::default();
    for (f, ks) in all.iter().zip(keys) {
        for (m, &k) in f.mentions.iter().zip(ks) {
            if !matches!(m.etype, EntityType::Agency | EntityType::Organization)
                || !seen.insert((m.canonical.as_str(), k))
            {
                continue;
            }
            let k = table.name(k);
            let letters: String = m.canonical.chars().filter(|c| *c != '.').collect();
            if (2..=6).contains(&letters.len()) && letters.chars().all(|c| c.is_ascii_uppercase()) {
                acronyms.insert((letters.to_ascii_lowercase(), k));
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
            if c.len() != 1 || c.contains(k) {
                return None;
            }
            Some((table.ids[k], table.ids[*c.first()?]))
        })
        .collect()
}

/// One statement occurrence indexed in a speaker block.
struct Entry {
    node: NodeIndex,
    /// How many distinct content words it has.
    words: usize,
    neg: bool,
}

/// Statements seen so far, blocked by speaker, for clustering: every speaker's statement
/// occurrences (every wording of every node), with an index from (speaker, word) to the
/// occurrences holding it, so that a new statement is compared only with those of its
/// speaker sharing a word (no shared word never clusters). The word sets are borrowed
/// from [`StatementWords`] (no copy per indexed statement).
///
/// One set of tables for the run, not a set per speaker: most speakers have a few
/// statements, and a map of postings and vectors per speaker (and a vector per word in
/// it) were an allocation per indexed word, each grown and rehashed step by step.
#[derive(Default)]
struct Statements<'a> {
    /// Every indexed occurrence, of every speaker, by position.
    entries: Vec<Entry>,
    /// (speaker, word) -> the last link of its list in `links`.
    postings: FxHashMap<(NodeIndex, u32), u32>,
    /// The postings lists, linked from the newest occurrence back: (entry, previous link
    /// or `NO_LINK`). Appending to a list is one push here, no vector per list.
    links: Vec<(u32, u32)>,
    /// First entry of each word set of a speaker: the same words are the same statement.
    first: FxHashMap<(NodeIndex, &'a [u32]), u32>,
    /// Shared-word counts by entry (all zero between calls), and the entries set.
    counts: Vec<u32>,
    touched: Vec<u32>,
    /// By word id: rare numbers (see [`StatementWords`]).
    rare: Vec<bool>,
    /// (statement node, article number) for every statement mention so far.
    articles: FxHashSet<(NodeIndex, u32)>,
    /// A buffer for lowercasing a statement's text for its id ([`statement_id`]).
    lower: String,
}

/// The end of a postings list in [`Statements::links`].
const NO_LINK: u32 = u32::MAX;

/// One attribution's statement as clustering reads it.
struct StatementText<'t, 'a> {
    text: &'t str,
    /// Sorted content word ids.
    words: &'a [u32],
    neg: bool,
    kind: StatementKind,
}

/// The id of a new statement node: a hash of the speaker block and the lowercased text.
/// `lower` is a buffer for lowercasing non-ASCII text (reused across statements).
fn statement_id(block: &str, text: &str, lower: &mut String) -> String {
    let hash = fnv(fnv(FNV_OFFSET, block.as_bytes()), &[0x1f]);
    let hash = fnv_lowercase(hash, text, lower);
    // "statement-" and 16 hex digits, without the formatting machinery (a statement
    // node is made for most attributions).
    let mut id = String::with_capacity(26);
    id.push_str("statement-");
    for shift in (0..16).rev() {
        id.push(char::from(
            b"0123456789abcdef"[(hash >> (shift * 4)) as usize & 15],
        ));
    }
    id
}

/// The start of [`stable_hash`] (FNV-1a, 64 bit) and its multiplier.
const FNV_OFFSET: u64 = 0xcbf29ce484222325;
const FNV_PRIME: u64 = 0x100000001b3;

/// [`crate::graph::stable_hash_bytes`] continued from `hash` over `bytes`, as a plain loop over a slice
/// (the iterator chain it replaces took about twice the instructions per byte).
fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash = (hash ^ b as u64).wrapping_mul(FNV_PRIME);
    }
    hash
}

/// [`fnv`] continued over the bytes of `text` lowercased (by [`crate::text::push_lowercase`]).
/// ASCII text (most) is hashed through a lowercase table without writing the lowercased
/// text anywhere; other text is lowercased into `lower` first (cleared; a buffer kept
/// across calls, not a String per call).
fn fnv_lowercase(hash: u64, text: &str, lower: &mut String) -> u64 {
    if text.is_ascii() {
        let mut h = hash;
        for &b in text.as_bytes() {
            h = (h ^ ASCII_LOWER[b as usize] as u64).wrapping_mul(FNV_PRIME);
        }
        return h;
    }
    lower.clear();
    crate::text::push_lowercase(text, lower);
    fnv(hash, lower.as_bytes())
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
fn statement_node<'a>(
    g: &mut Graph,
    st: &mut Statements<'a>,
    speaker: Option<NodeIndex>,
    stmt: &StatementText<'_, 'a>,
    article: u32,
) -> NodeIndex {
    let text = stmt.text;
    let lower = &mut st.lower;
    let mut make = |g: &mut Graph| {
        // The speaker's id is borrowed for the hash and copied only into a new node; the
        // statement id is hashed and probed once, and moves into the index (a new node
        // gets the one copy it keeps).
        let id = statement_id(
            speaker.map_or("unknown", |s| g.g[s].id.as_str()),
            text,
            lower,
        );
        g.get_or_insert_with(id, |id, nodes| {
            // More than 60 characters: the first 57 and "...". In ASCII text a char is a
            // byte: no char walk (a node is made for most statements).
            let cut = if text.is_ascii() {
                (text.len() > 60).then_some(57)
            } else {
                (text.char_indices().nth(60))
                    .and(text.char_indices().nth(57))
                    .map(|(cut, _)| cut)
            };
            let label = match cut {
                Some(cut) => {
                    let mut label = String::with_capacity(cut + 3);
                    label.push_str(&text[..cut]);
                    label.push_str("...");
                    label
                }
                None => text.to_string(),
            };
            let mut n = Node::new(id, NodeType::Statement, label);
            n.kind = Some(stmt.kind.name());
            n.text = Some(text.to_string());
            n.speaker = speaker.map(|s| nodes[s].id.clone());
            n
        })
    };
    // Without a speaker only the same text (any case) is the same statement: its node is
    // the one with this id.
    let Some(speaker) = speaker else {
        return make(g);
    };
    let (ids, neg) = (stmt.words, stmt.neg);
    let rare = &st.rare;
    let mut best: Option<(f64, NodeIndex)> = None;
    let first = st.first.get(&(speaker, ids)).copied();
    if let Some(pos) = first.filter(|_| !ids.is_empty()) {
        best = Some((f64::MAX, st.entries[pos as usize].node));
    } else {
        // Shared words per earlier entry (rare ones in the high 16 bits).
        st.counts.resize(st.entries.len(), 0);
        // This wording is indexed below whenever its words are counted here (a word set
        // not seen yet), as the next entry: each word's list is extended as soon as it is
        // read (one hash probe per word, not two; the ids are distinct, so the new entry
        // is never read back in this call).
        let pos = st.entries.len() as u32;
        for &w in ids {
            let add = if rare[w as usize] { 1 + (1 << 16) } else { 1 };
            let head = st.postings.entry((speaker, w)).or_insert(NO_LINK);
            let mut link = *head;
            while link != NO_LINK {
                let (at, prev) = st.links[link as usize];
                if st.counts[at as usize] == 0 {
                    st.touched.push(at);
                }
                st.counts[at as usize] += add;
                link = prev;
            }
            st.links.push((pos, *head));
            *head = st.links.len() as u32 - 1;
        }
        // The best: the highest similarity, the earliest entry among equals. Which entry
        // that is does not depend on the order the entries are read in (the lists are
        // read newest first), as ties are decided by position.
        let mut best_at = u32::MAX;
        for &pos in &st.touched {
            let c = std::mem::take(&mut st.counts[pos as usize]);
            let (inter, shared_rare) = ((c & 0xffff) as usize, (c >> 16) as usize);
            let e = &st.entries[pos as usize];
            if e.neg != neg || inter < 2 {
                continue;
            }
            let sim = similarity(inter, shared_rare, ids.len(), e.words);
            // A short report inside a longer one ("the evidence is not sufficient to show
            // ..." in "there is no sufficient evidence to show ..., based on ...").
            let contained = inter >= 5 && inter * 100 >= 65 * ids.len().min(e.words);
            let better = best.is_none_or(|(b, _)| sim > b || (sim == b && pos < best_at));
            if (sim < 0.3 && !contained) || !better {
                continue;
            }
            // Two statements of one article are two statements.
            if st.articles.contains(&(e.node, article)) {
                continue;
            }
            best = Some((sim, e.node));
            best_at = pos;
        }
        st.touched.clear();
    }
    let n = match best {
        Some((_, c)) => c,
        None => make(g),
    };
    // Index this wording too, so later reports can match any of the node's wordings.
    if first.is_none() || best.is_none() {
        // (The postings are in: see above.)
        let pos = st.entries.len() as u32;
        st.first.entry((speaker, ids)).or_insert(pos);
        st.entries.push(Entry {
            node: n,
            words: ids.len(),
            neg,
        });
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_words_stem_join_numbers_and_count_negations() {
        let text = "Don’t say 20,000 Substances were PRODUCED, 3,x isn't 1,5n't no. Über ÉTUDES";
        let (mut lower, mut number) = (String::new(), String::new());
        let mut words = Vec::new();
        content_words(text, &mut lower, &mut number, |w| words.push(w.to_string()));
        let expected = [
            "not", "20000", "substa", "produc", "3", "not", "not", "not", "über", "étud",
        ];
        assert_eq!(words, expected);
        // The buffers are reused: a second statement reads only its own words.
        words.clear();
        content_words("1,000", &mut lower, &mut number, |w| {
            words.push(w.to_string())
        });
        assert_eq!(words, ["1000"]);
    }

    #[test]
    fn lowercase_words_equals_the_char_walk() {
        let texts = [
            "",
            ",",
            "Don’t say 20,000 Substances were PRODUCED, 3,x isn't 1,5n't no. Über ÉTUDES",
            "1,2,3 and 1,,2 and ,5 and 5, and 12,34,5a, a1,2 x,1",
            "can't won’t don'tx n't 'n't n' n’ n’t’ isn’",
            "İstanbul ΣΑΣ ΟΔΟΣ straße ǅemal — “quoted” naïve café 1,٣ ٣,1",
            "end with a number 7,000",
            "end with n'",
            "tab\tand\nnew-line_under_score",
        ];
        let (mut lower, mut number) = (String::new(), String::new());
        for text in texts {
            let mut fast = Vec::new();
            lowercase_words(text, &mut lower, &mut number, |w| fast.push(w.to_string()));
            let mut slow = Vec::new();
            lowercase_words_reference(text, &mut lower, &mut number, |w| slow.push(w.to_string()));
            assert_eq!(fast, slow, "{text:?}");
        }
    }

    #[test]
    fn general_punctuation_has_no_word_chars() {
        for c in '\u{1f00}'..='\u{2100}' {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
        for c in ['’', '“', '—', 'é', 'ß', '中', '٣', 'ⁱ'] {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn pack_short_equals_the_zero_padded_bytes() {
        for w in [
            "a", "no", "not", "über", "abcde", "abcdef", "abcdefg", "abcdefgh",
        ] {
            let mut packed = [0u8; 8];
            packed[..w.len()].copy_from_slice(w.as_bytes());
            assert_eq!(pack_short(w.as_bytes()), u64::from_le_bytes(packed), "{w}");
        }
    }

    #[test]
    fn mentions_store_sorts_and_dedups_as_mention_refs_do() {
        // Article ids out of byte order against their numbers (non-ASCII and upper case
        // too), repeats, a prefix id ("a" < "a1" < "ab"), and a node with mentions
        // already: each node's list equals the MentionRefs sorted and deduplicated.
        let ids = ["b", "a1", "a", "é", "A", "ab"];
        let articles: Vec<Arc<str>> = ids.iter().map(|&id| Arc::from(id)).collect();
        let mut g = Graph::default();
        let nodes: Vec<NodeIndex> = (0..4)
            .map(|i| g.insert_new(Node::new(format!("n{i}"), NodeType::Person, String::new())))
            .collect();
        let earlier = MentionRef {
            article: Arc::from("a1"),
            start: 3,
            end: 4,
        };
        g.g[nodes[3]].mentions.push(earlier.clone());
        let mut mentions = Mentions {
            articles: articles.clone(),
            ..Mentions::default()
        };
        let mut expected: Vec<Vec<MentionRef>> = vec![Vec::new(); 4];
        expected[3].push(earlier);
        let mut x = 7u32;
        for _ in 0..400 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let node = (x >> 8) as usize % 3 + usize::from(x.is_multiple_of(5));
            let article = (x >> 12) as usize % ids.len();
            // Some past 32 bits (kept apart, and merged at the end).
            let wide = if x.is_multiple_of(7) {
                u32::MAX as usize - 1
            } else {
                0
            };
            let start = wide + (x >> 16) as usize % 6;
            let end = start + (x >> 20) as usize % 2;
            mentions.add(nodes[node], article as u32, start, end);
            expected[node].push(MentionRef {
                article: articles[article].clone(),
                start,
                end,
            });
        }
        mentions.store(&mut g);
        for (n, mut want) in nodes.into_iter().zip(expected) {
            want.sort();
            want.dedup();
            assert_eq!(g.g[n].mentions, want);
        }
    }

    #[test]
    fn sort_by_name_equals_the_string_sort() {
        // Names sharing their first 16 bytes, prefixes of each other, zero bytes and
        // non-ASCII: the order of the names as strings.
        let mut table = Keys::default();
        let names = [
            "person:zhang wei",
            "person:zhang weiming",
            "person:zhang wei\0",
            "org:a",
            "org:",
            "org:é",
            "person:zhang weiminh",
            "person:zhang wej",
            "country:cn",
            "org:\u{0}",
        ];
        let mut keys: Vec<u32> = names.iter().map(|n| table.intern(n.to_string())).collect();
        sort_by_name(&mut keys, &table);
        let mut want: Vec<&str> = names.to_vec();
        want.sort();
        let got: Vec<&str> = keys.iter().map(|&k| table.name(k)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn within_one_edit_counts_chars_not_bytes() {
        assert!(within_one_edit("zhang", "zhan"));
        assert!(!within_one_edit("jian", "jain"));
        assert!(within_one_edit("müller", "muller"));
        assert!(within_one_edit("müller", "müler"));
        assert!(!within_one_edit("müller", "mueller"));
        assert!(within_one_edit("smith", "smyth"));
        assert!(!within_one_edit("smith", "smithson"));
    }

    #[test]
    fn concat_equals_format() {
        assert_eq!(concat(&[]), "");
        assert_eq!(concat(&["person:", ""]), format!("person:{}", ""));
        let (ntype, slugged) = ("organization", "ébola-ΣΑΣ");
        let id = concat(&[ntype, "-", slugged]);
        assert_eq!(id, format!("{ntype}-{slugged}"));
        assert_eq!(id.capacity(), id.len());
    }

    #[test]
    fn statement_id_hashes_the_block_and_the_lowercased_text() {
        for text in [
            "",
            "Prices ROSE",
            "Prices ROSE ’sharply’",
            "İstanbul grew",
            "ΟΔΟΣ and ΣΑΣ: Σ",
            "ǅemal STRASSE straße ÉTUDES ẞ",
        ] {
            let key = format!("person-x\u{1f}{}", text.to_lowercase());
            let expected = format!("statement-{:016x}", stable_hash(&key));
            // A fresh buffer, and one left holding a longer and a shorter earlier text.
            assert_eq!(statement_id("person-x", text, &mut String::new()), expected);
            let mut lower = String::from("ΟΔΟΣ left over from an earlier, longer statement");
            assert_eq!(statement_id("person-x", text, &mut lower), expected);
            lower = String::from("É");
            assert_eq!(statement_id("person-x", text, &mut lower), expected);
        }
    }
}
