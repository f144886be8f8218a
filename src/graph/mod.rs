//! The knowledge graph: typed nodes and edges in a petgraph `StableDiGraph`, each edge
//! holding every occurrence of it (provenance) across articles.
//!
//! Offsets here are Unicode code points into the original file (end exclusive), as every
//! export reports them.

use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum NodeType {
    Person,
    Agency,
    Organization,
    Country,
    Place,
    Substance,
    Statement,
    Article,
}

impl NodeType {
    pub fn name(self) -> &'static str {
        match self {
            NodeType::Person => "Person",
            NodeType::Agency => "Agency",
            NodeType::Organization => "Organization",
            NodeType::Country => "Country",
            NodeType::Place => "Place",
            NodeType::Substance => "Substance",
            NodeType::Statement => "Statement",
            NodeType::Article => "Article",
        }
    }

    pub fn from_entity(t: crate::document::EntityType) -> NodeType {
        use crate::document::EntityType as E;
        match t {
            E::Person => NodeType::Person,
            E::Agency => NodeType::Agency,
            E::Organization => NodeType::Organization,
            E::Country => NodeType::Country,
            E::Place => NodeType::Place,
            E::Substance => NodeType::Substance,
        }
    }

    pub const ALL: [NodeType; 8] = [
        NodeType::Person,
        NodeType::Agency,
        NodeType::Organization,
        NodeType::Country,
        NodeType::Place,
        NodeType::Substance,
        NodeType::Statement,
        NodeType::Article,
    ];
}

/// Where something was found: article id and code point offsets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MentionRef {
    /// Shared by every mention and occurrence in the article.
    pub article: Arc<str>,
    pub start: usize,
    pub end: usize,
}

/// The order of (article, start, end), as derived, except that one shared article id is
/// known equal without comparing its bytes: a node's mentions are sorted and deduplicated
/// into its set, and most neighbours there come from one article (a `memcmp` call each).
impl Ord for MentionRef {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let article = if Arc::ptr_eq(&self.article, &other.article) {
            std::cmp::Ordering::Equal
        } else {
            self.article.cmp(&other.article)
        };
        article
            .then(self.start.cmp(&other.start))
            .then(self.end.cmp(&other.end))
    }
}

impl PartialOrd for MentionRef {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Role {
    pub title: String,
    pub organization: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Stable id, also the last segment of the node's IRI ("person-wei-xiaojun").
    pub id: String,
    #[serde(rename = "type")]
    pub ntype: NodeType,
    pub label: String,
    pub aliases: Aliases,
    /// Where the node is named: sorted by (article, start, end), without repeats. A
    /// sorted vector, not a set: built once per node at the end of a build, and a
    /// `BTreeSet` cost a tree node per small set and ~140 instructions per mention.
    pub mentions: Vec<MentionRef>,
    /// Statements: "direct", "indirect" or "claim".
    pub kind: Option<&'static str>,
    /// Statements: the content as first seen.
    pub text: Option<String>,
    /// Statements: id of the speaker node, when known.
    pub speaker: Option<String>,
    /// People: titles with the organization node they hold them in.
    pub roles: BTreeSet<Role>,
    /// Articles: metadata. Boxed: one node in ten or so is an article, and inline it
    /// would make every node (copied into the graph, and the graph's node list) some 140
    /// bytes larger.
    pub article: Option<Box<ArticleInfo>>,
    /// Entities: the resolution key that identifies the entity across articles
    /// ("person:ho lance", "country:cn"); the persistent store keeps it (`cg:resolutionKey`)
    /// so that later builds give the key the same id.
    #[serde(skip)]
    pub key: Option<String>,
}

impl Node {
    pub fn new(id: String, ntype: NodeType, label: String) -> Node {
        Node {
            id,
            ntype,
            label,
            aliases: Aliases::default(),
            mentions: Vec::new(),
            kind: None,
            text: None,
            speaker: None,
            roles: BTreeSet::new(),
            article: None,
            key: None,
        }
    }

    /// Adds a mention where it sorts in `mentions`, unless it is there already.
    pub fn add_mention(&mut self, m: MentionRef) {
        if let Err(at) = self.mentions.binary_search(&m) {
            self.mentions.insert(at, m);
        }
    }
}

/// A node's names as written, in byte order, without repeats: a sorted vector, not a
/// `BTreeSet`. Most nodes have one to three; a set allocated a tree node of eleven slots
/// (some 280 bytes) for each, a tenth of the graph's memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Aliases(Vec<String>);

impl Aliases {
    /// Adds `alias` where it sorts, unless it is there already; whether it was added.
    pub fn insert(&mut self, alias: String) -> bool {
        match self.position(&alias) {
            Ok(_) => false,
            Err(at) => {
                // Room for exactly the first alias (most nodes have one), then the usual
                // doubling.
                if self.0.capacity() == 0 {
                    self.0.reserve_exact(1);
                }
                self.0.insert(at, alias);
                true
            }
        }
    }

    pub fn contains(&self, alias: &str) -> bool {
        self.position(alias).is_ok()
    }

    fn position(&self, alias: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|a| a.as_str().cmp(alias))
    }

    /// In byte order.
    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a Aliases {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ArticleInfo {
    pub id: String,
    pub file: String,
    pub title: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    /// Length of the text in code points (for NIF context strings).
    #[serde(skip)]
    pub chars: usize,
}

/// A code point span `{start, end}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct CharSpan {
    pub start: usize,
    pub end: usize,
}

/// One occurrence of an edge in one article.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Provenance {
    pub article: Arc<str>,
    pub start: usize,
    pub end: usize,
    /// The evidence sentence, shared by the occurrences read from it.
    pub evidence: Arc<str>,
    /// The extraction rule: its name, a `&'static str` (no string allocated per
    /// occurrence), unless made at run time (tests, other sources).
    pub rule: Cow<'static, str>,
    pub confidence: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<CharSpan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cue: Option<CharSpan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<CharSpan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Edge {
    /// The edge type's name, shared by every edge of the type (the graph interns it): no
    /// string allocated per edge, and sorting edges ranks types by pointer, not by name.
    #[serde(rename = "type")]
    pub etype: Arc<str>,
    pub provenance: Vec<Provenance>,
}

/// The graph with an index from node id to node.
#[derive(Debug, Default, Clone)]
pub struct Graph {
    pub g: StableDiGraph<Node, Edge>,
    /// Nodes by the hash of their id ([`id_hash`]): the first node whose id has the hash.
    /// Keyed by hash, not by a copy of the id: the node keeps the one copy (a string
    /// allocated per node and some 40 bytes less), and a probe compares the id it finds
    /// in the node. (So a node's id must not change once the node is in the graph.)
    by_id: FxHashMap<u64, NodeIndex>,
    /// Nodes whose id's hash an earlier node with another id has (64-bit hashes of a
    /// graph's ids hardly ever collide, but they may).
    by_id_clashes: FxHashMap<String, NodeIndex>,
    /// Edge type names, interned by position: looking an edge up allocates nothing. A
    /// list, not a map: edge types are a handful of names (the extractors' edge names),
    /// and a scan comparing lengths first beats hashing the name on every call.
    etypes: Vec<Arc<str>>,
    edges: FxHashMap<(NodeIndex, NodeIndex, u32), EdgeIndex>,
    /// For edges with many occurrences: positions in `provenance` by hash of the
    /// occurrence, so a repeated occurrence is found without scanning the list.
    prov_index: FxHashMap<EdgeIndex, ProvIndex>,
}

/// Lists shorter than this are scanned; longer ones get a [`ProvIndex`].
const PROV_SCAN: usize = 16;

#[derive(Debug, Default, Clone)]
struct ProvIndex {
    /// How many entries of the list are indexed (the list is only appended to by
    /// `add_edge`; anything else rebuilds the index).
    len: usize,
    by_hash: FxHashMap<u64, Vec<u32>>,
}

fn prov_hash(p: &Provenance) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    p.article.hash(&mut h);
    p.start.hash(&mut h);
    p.end.hash(&mut h);
    p.evidence.hash(&mut h);
    p.rule.hash(&mut h);
    // Equal floats hash alike (0.0 == -0.0); NaN never equals anything anyway.
    let c = if p.confidence == 0.0 {
        0
    } else {
        p.confidence.to_bits()
    };
    c.hash(&mut h);
    p.content.hash(&mut h);
    p.cue.hash(&mut h);
    p.speaker.hash(&mut h);
    p.title.hash(&mut h);
    h.finish()
}

/// A node's sort key: [`id_prefix`] of its id, the id, the node, and its type (never
/// compared: the node decides first; kept to group by type without reading the node).
type IdKey<'a> = (u128, &'a str, NodeIndex, NodeType);

/// The first 16 bytes of `id` (zero-padded) as a big-endian number: if two ids' numbers
/// differ, the smaller number belongs to the smaller id (bytewise, as `str` compares).
/// (Resolve sorts its keys by it too.)
pub(crate) fn id_prefix(id: &str) -> u128 {
    let mut head = [0u8; 16];
    let n = id.len().min(16);
    head[..n].copy_from_slice(&id.as_bytes()[..n]);
    u128::from_be_bytes(head)
}

/// The hash [`Graph`] finds node ids by.
fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(id)
}

impl Graph {
    pub fn node_index(&self, id: &str) -> Option<NodeIndex> {
        match self.by_id.get(&id_hash(id)) {
            Some(&i) if self.g[i].id == id => Some(i),
            Some(_) => self.by_id_clashes.get(id).copied(),
            None => None,
        }
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.node_index(id).map(|i| &self.g[i])
    }

    /// Returns the node with this id, creating it with `make` if new.
    pub fn upsert(&mut self, id: &str, make: impl FnOnce() -> Node) -> NodeIndex {
        if let Some(i) = self.node_index(id) {
            return i;
        }
        let node = make();
        debug_assert_eq!(node.id, id);
        self.insert_new(node)
    }

    /// Adds a node whose id is in no node yet (the caller looked it up), keeping its id
    /// without the copy [`Graph::upsert`] makes of the id it is given.
    pub fn insert_new(&mut self, node: Node) -> NodeIndex {
        debug_assert!(self.node_index(&node.id).is_none());
        use std::collections::hash_map::Entry;
        match self.by_id.entry(id_hash(&node.id)) {
            Entry::Vacant(e) => *e.insert(self.g.add_node(node)),
            Entry::Occupied(_) => {
                let id = node.id.clone();
                let i = self.g.add_node(node);
                self.by_id_clashes.insert(id, i);
                i
            }
        }
    }

    /// The node with id `id`, or a new one made by `make` from its id (which the node
    /// must keep) and the graph so far: one hash and probe of the id either way (a lookup
    /// then [`Graph::insert_new`] hashes and probes a new node's id twice).
    pub fn get_or_insert_with(
        &mut self,
        id: String,
        make: impl FnOnce(String, &StableDiGraph<Node, Edge>) -> Node,
    ) -> NodeIndex {
        use std::collections::hash_map::Entry;
        match self.by_id.entry(id_hash(&id)) {
            Entry::Occupied(e) => {
                let i = *e.get();
                if self.g[i].id == id {
                    return i;
                }
                // Another id with this hash: the id's node is among the clashes, if made.
                if let Some(&i) = self.by_id_clashes.get(&id) {
                    return i;
                }
                let node = make(id.clone(), &self.g);
                debug_assert_eq!(node.id, id);
                let i = self.g.add_node(node);
                self.by_id_clashes.insert(id, i);
                i
            }
            Entry::Vacant(e) => {
                let node = make(id, &self.g);
                *e.insert(self.g.add_node(node))
            }
        }
    }

    /// Makes room for `additional` more nodes (in the graph and the index by id): a build
    /// that knows about how many nodes it may add does not regrow (and copy) the node list
    /// step by step, leaving the smaller copies behind as holes in the heap. Room reserved
    /// and not used is address space only: it is never written.
    pub fn reserve_nodes(&mut self, additional: usize) {
        self.g.reserve_nodes(additional);
        self.by_id.reserve(additional);
    }

    /// Makes room for `additional` more edges (in the graph and in the index of edges by
    /// ends and type), so that a build that knows about how many edges it adds does not
    /// grow (and rehash) them step by step.
    pub fn reserve_edges(&mut self, additional: usize) {
        self.g.reserve_edges(additional);
        self.edges.reserve(additional);
    }

    /// Adds one occurrence of `etype` from `a` to `b`; repeated occurrences accumulate.
    pub fn add_edge(&mut self, a: NodeIndex, b: NodeIndex, etype: &str, prov: Option<Provenance>) {
        let t = match self.etypes.iter().position(|t| **t == *etype) {
            Some(t) => t as u32,
            None => {
                self.etypes.push(etype.into());
                self.etypes.len() as u32 - 1
            }
        };
        let e = *self.edges.entry((a, b, t)).or_insert_with(|| {
            self.g.add_edge(
                a,
                b,
                Edge {
                    etype: self.etypes[t as usize].clone(),
                    provenance: Vec::new(),
                },
            )
        });
        if let Some(p) = prov {
            let list = &mut self.g[e].provenance;
            if list.len() < PROV_SCAN {
                if !list.contains(&p) {
                    // Most edges are seen once: room for exactly one occurrence first,
                    // not the four a first push makes room for (a `Provenance` is some
                    // 170 bytes, so three unused ones per edge were a tenth of the graph).
                    if list.capacity() == 0 {
                        list.reserve_exact(1);
                    }
                    list.push(p);
                }
                return;
            }
            let ix = self.prov_index.entry(e).or_default();
            if ix.len != list.len() || ix.len > u32::MAX as usize {
                ix.by_hash.clear();
                for (i, q) in list.iter().enumerate() {
                    ix.by_hash.entry(prov_hash(q)).or_default().push(i as u32);
                }
                ix.len = list.len();
            }
            let h = prov_hash(&p);
            let same = ix.by_hash.get(&h).is_some_and(|v| {
                v.iter()
                    .any(|&i| list.get(i as usize).is_some_and(|q| *q == p))
            });
            if !same {
                ix.by_hash.entry(h).or_default().push(list.len() as u32);
                list.push(p);
                ix.len = list.len();
            }
        }
    }

    /// Nodes sorted by (type, id): the order every export uses, so output is stable.
    pub fn sorted_nodes(&self) -> Vec<NodeIndex> {
        self.nodes_in_type_order(&self.nodes_by_id())
    }

    /// Edges sorted by (source id, type, target id), provenance sorted within.
    pub fn sorted_edges(&self) -> Vec<(NodeIndex, NodeIndex, &Edge)> {
        self.edges_in_order(&self.nodes_by_id())
    }

    /// [`Graph::sorted_nodes`] and [`Graph::sorted_edges`] from one sort of the node ids
    /// (sorting the ids is most of the work of either).
    #[allow(clippy::type_complexity)]
    pub fn sorted_nodes_and_edges(&self) -> (Vec<NodeIndex>, Vec<(NodeIndex, NodeIndex, &Edge)>) {
        let by_id = self.nodes_by_id();
        (
            self.nodes_in_type_order(&by_id),
            self.edges_in_order(&by_id),
        )
    }

    /// Every node by (id, index): equal ids keep the order of `node_indices`, which is
    /// by index. Each entry leads with the first 16 bytes of its id as one big-endian
    /// number (zero-padded): a smaller number means a smaller id, so most comparisons
    /// settle on it without reading the ids, and the order is the ids' order.
    fn nodes_by_id(&self) -> Vec<IdKey<'_>> {
        // Sized up front: the node iterator of a stable graph gives no length, and
        // growing the vector step by step copies it again each time.
        let mut by_id: Vec<IdKey> = Vec::with_capacity(self.g.node_count());
        by_id.extend(self.g.node_indices().map(|n| {
            let node = &self.g[n];
            (id_prefix(&node.id), node.id.as_str(), n, node.ntype)
        }));
        by_id.sort_unstable();
        by_id
    }

    /// The nodes of `by_id` grouped by type, each group in `by_id` order (a counting
    /// sort): the same order as a stable sort of `node_indices` by (type, id), without
    /// comparing ids again.
    fn nodes_in_type_order(&self, by_id: &[IdKey]) -> Vec<NodeIndex> {
        // The declaration order of `NodeType` is its `Ord` order.
        let mut next = [0usize; NodeType::ALL.len()];
        for &(_, _, _, t) in by_id {
            next[t as usize] += 1;
        }
        let mut at = 0;
        for slot in &mut next {
            let count = *slot;
            *slot = at;
            at += count;
        }
        let mut out = vec![NodeIndex::end(); by_id.len()];
        for &(_, _, n, t) in by_id {
            let slot = &mut next[t as usize];
            out[*slot] = n;
            *slot += 1;
        }
        out
    }

    /// Edges sorted by (source id, type, target id), the position in the edge list
    /// breaking ties as a stable sort would. `by_id` is [`Graph::nodes_by_id`].
    fn edges_in_order(&self, by_id: &[IdKey]) -> Vec<(NodeIndex, NodeIndex, &Edge)> {
        // Nodes ranked by id (equal ids, equal ranks) and edge types by name, so that the
        // edges sort on numbers.
        let mut rank = vec![0u32; self.g.node_bound()];
        let mut r = 0;
        for (i, &(prefix, id, n, _)) in by_id.iter().enumerate() {
            if i > 0 && (by_id[i - 1].0 != prefix || by_id[i - 1].1 != id) {
                r = i as u32;
            }
            rank[n.index()] = r;
        }
        // Edge types ranked by name. The edges of a type share one interned name, so the
        // rank is looked up by the name's address (a few distinct addresses), not by
        // hashing or comparing the name per edge; equal names at different addresses (an
        // edge made outside `add_edge`) get equal ranks all the same.
        let mut by_addr: FxHashMap<*const u8, &str> = FxHashMap::default();
        for e in self.g.edge_weights() {
            by_addr.entry(e.etype.as_ptr()).or_insert(&e.etype);
        }
        let mut etypes: Vec<&str> = by_addr.values().copied().collect();
        etypes.sort_unstable();
        etypes.dedup();
        let rank_by_addr: FxHashMap<*const u8, u128> = by_addr
            .iter()
            .map(|(&addr, t)| {
                (
                    addr,
                    etypes.binary_search(t).unwrap_or_else(|at| at) as u128,
                )
            })
            .collect();
        // Every edge's type is in the map: the lookup always finds it.
        let etype_rank = |t: &Arc<str>| rank_by_addr.get(&t.as_ptr()).copied().unwrap_or(0);
        let mut edges: Vec<(NodeIndex, NodeIndex, &Edge)> = Vec::with_capacity(self.g.edge_count());
        edges.extend(
            self.g
                .edge_references()
                .map(|e| (e.source(), e.target(), e.weight())),
        );
        // The key packed in one number (source rank, type rank, target rank, position, 32
        // bits each, most significant first): sorting compares one integer, not a tuple,
        // and moves 16 bytes per element; the position names the edge.
        let mut keyed: Vec<u128> = edges
            .iter()
            .enumerate()
            .map(|(pos, &(a, b, e))| {
                (rank[a.index()] as u128) << 96
                    | etype_rank(&e.etype) << 64
                    | (rank[b.index()] as u128) << 32
                    | pos as u128
            })
            .collect();
        keyed.sort_unstable();
        keyed
            .into_iter()
            .map(|k| edges[k as u32 as usize])
            .collect()
    }

    /// Sorts every provenance list (articles may finish in any order).
    pub fn normalize(&mut self) {
        // Positions change: the indexes would be stale (and are not needed any more).
        self.prov_index = FxHashMap::default();
        let ids: Vec<_> = self.g.edge_indices().collect();
        for e in ids {
            self.g[e].provenance.sort_by(|a, b| {
                (&a.article, a.start, a.end, &a.rule).cmp(&(&b.article, b.start, b.end, &b.rule))
            });
        }
    }

    /// Counts of nodes by type and edges by type, for the build summary.
    pub fn summary(&self) -> Summary {
        let mut nodes: std::collections::BTreeMap<NodeType, usize> = Default::default();
        for n in self.g.node_weights() {
            *nodes.entry(n.ntype).or_default() += 1;
        }
        let mut edges: std::collections::BTreeMap<&str, usize> = Default::default();
        for e in self.g.edge_weights() {
            *edges.entry(&e.etype).or_default() += 1;
        }
        (
            nodes.into_iter().collect(),
            edges.into_iter().map(|(t, n)| (t.to_string(), n)).collect(),
        )
    }
}

/// Node counts by type and edge counts by type.
pub type Summary = (Vec<(NodeType, usize)>, Vec<(String, usize)>);

/// The node id of the article with this id ("article-000-fb93-txt").
pub fn article_node_id(article: &str) -> String {
    format!("article-{}", slug(article))
}

/// FNV-1a, 64 bit: a stable hash for ids (std's hasher is randomized per process).
pub fn stable_hash(s: &str) -> u64 {
    stable_hash_bytes(s.bytes())
}

/// `stable_hash` of a key read piece by piece, without gathering it in a string first.
pub fn stable_hash_bytes(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf29ce484222325, |h: u64, b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// A readable id segment: lowercase letters and digits joined by '-', safe in IRIs,
/// Turtle local names, DOT ids and file names.
///
/// A byte walk (the same segments as [`slug_reference`], a test pins them): ASCII bytes
/// are read as they are, only other chars are decoded and folded, and the walk stops once
/// the segment is longer than the 60 bytes it is cut to (what follows cannot change the
/// cut: the 60 bytes kept are written, and a dash after them goes with the cut). Node ids
/// are slugs of every label and article id, and article ids are often long file names.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(64));
    let mut dash = false;
    let bytes = s.as_bytes();
    let mut at = 0;
    while at < bytes.len() && out.len() <= 60 {
        let b = bytes[at];
        let c = if b.is_ascii() {
            at += 1;
            b
        } else {
            let c = s[at..].chars().next().expect("at a char boundary");
            at += c.len_utf8();
            // Non-ASCII chars that do not fold to ASCII separate words, as punctuation.
            u8::try_from(fold(c)).unwrap_or(b' ')
        };
        if c.is_ascii_alphanumeric() {
            out.push(char::from(c.to_ascii_lowercase()));
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    finish_slug(s, out)
}

/// The end of a slug: no trailing dash, at most 60 bytes, and a hash of the text for a
/// text with no letter or digit.
fn finish_slug(s: &str, mut out: String) -> String {
    while out.ends_with('-') {
        out.pop();
    }
    if out.len() > 60 {
        out.truncate(60);
        while out.ends_with('-') {
            out.pop();
        }
    }
    if out.is_empty() {
        out = format!("x{:012x}", stable_hash(s) & 0xffff_ffff_ffff);
    }
    out
}

/// The char walk [`slug`] was written from, kept as its reference.
#[cfg(test)]
fn slug_reference(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        let c = fold(c);
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    finish_slug(s, out)
}

/// Folds common Latin letters with diacritics to ASCII ("ō" -> "o").
fn fold(c: char) -> char {
    match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'À'..='Å' | 'Ā' => 'a',
        'ç' | 'ć' | 'č' | 'Ç' | 'Č' => 'c',
        'è'..='ë' | 'ē' | 'ę' | 'ě' | 'È'..='Ë' => 'e',
        'ì'..='ï' | 'ī' | 'Ì'..='Ï' => 'i',
        'ñ' | 'ń' | 'Ñ' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ő' | 'Ò'..='Ö' | 'Ø' => 'o',
        'ù'..='ü' | 'ū' | 'ů' | 'ű' | 'Ù'..='Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'š' | 'ś' | 'Š' => 's',
        'ž' | 'ź' | 'ż' | 'Ž' => 'z',
        'ł' | 'Ł' => 'l',
        'ß' => 's',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_iterate_like_the_btreeset_they_replace() {
        let words = [
            "Wei",
            "Wei Xiaojun",
            "wei",
            "Weï",
            "",
            "Wei",
            "Z",
            "Ä",
            "Wei Xiaojun",
            "A b",
            "A",
        ];
        let mut aliases = Aliases::default();
        let mut reference = BTreeSet::new();
        for w in words {
            assert_eq!(
                aliases.insert(w.to_string()),
                reference.insert(w.to_string()),
                "{w:?}"
            );
            assert!(aliases.contains(w));
        }
        assert!(aliases.iter().eq(reference.iter()));
        assert_eq!(aliases.len(), reference.len());
        assert!(!aliases.contains("Xiaojun"));
        assert_eq!(
            serde_json::to_string(&aliases).unwrap(),
            serde_json::to_string(&reference).unwrap()
        );
    }

    #[test]
    fn ids_whose_hashes_clash_are_found_by_id() {
        let mut g = Graph::default();
        let a = g.insert_new(Node::new("a".into(), NodeType::Person, "A".into()));
        // Make "b", "c" and "d" clash with "a", as other ids of the same hash would.
        for id in ["b", "c", "d"] {
            g.by_id.insert(id_hash(id), a);
        }
        let b = g.get_or_insert_with("b".to_string(), |id, _| {
            Node::new(id, NodeType::Person, "B".into())
        });
        let c = g.insert_new(Node::new("c".into(), NodeType::Person, "C".into()));
        let d = g.upsert("d", || Node::new("d".into(), NodeType::Person, "D".into()));
        assert_eq!(g.g.node_count(), 4);
        for (id, n) in [("a", a), ("b", b), ("c", c), ("d", d)] {
            assert_eq!(g.node_index(id), Some(n), "{id}");
            assert_eq!(g.g[n].id, id);
            let again = g.get_or_insert_with(id.to_string(), |_, _| unreachable!());
            assert_eq!(again, n);
            assert_eq!(g.upsert(id, || unreachable!()), n);
        }
        assert_eq!(g.node_index("e"), None);
    }

    #[test]
    fn get_or_insert_with_finds_or_adds_by_id() {
        let mut g = Graph::default();
        let a = g.get_or_insert_with("statement-a".to_string(), |id, _| {
            Node::new(id, NodeType::Statement, "A".to_string())
        });
        let b = g.get_or_insert_with("statement-b".to_string(), |id, nodes| {
            Node::new(id, NodeType::Statement, nodes[a].label.clone())
        });
        // An existing id: its node, and `make` is not called.
        let again = g.get_or_insert_with("statement-a".to_string(), |_, _| unreachable!());
        assert_eq!((again, g.node_index("statement-b")), (a, Some(b)));
        assert_eq!(g.g[b].label, "A");
        assert_eq!(g.g.node_count(), 2);
    }

    #[test]
    fn add_mention_keeps_mentions_sorted_without_repeats() {
        let mut n = Node::new("x".into(), NodeType::Person, "X".into());
        let m = |a: &str, start, end| MentionRef {
            article: a.into(),
            start,
            end,
        };
        for (a, s, e) in [
            ("b", 1, 2),
            ("a", 5, 9),
            ("b", 0, 4),
            ("a", 5, 9),
            ("a", 5, 7),
        ] {
            n.add_mention(m(a, s, e));
        }
        assert_eq!(
            n.mentions,
            vec![m("a", 5, 7), m("a", 5, 9), m("b", 0, 4), m("b", 1, 2)]
        );
    }

    #[test]
    fn mention_order_is_the_field_order() {
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("a-1"), Arc::from("b"));
        let m = |article: &Arc<str>, start, end| MentionRef {
            article: article.clone(),
            start,
            end,
        };
        let list = [
            m(&a, 3, 9),
            m(&b, 0, 1),
            m(&a, 3, 4),
            m(&Arc::from("a-1"), 3, 4),
            m(&Arc::from("a"), 7, 8),
            m(&a, 2, 10),
        ];
        for x in &list {
            for y in &list {
                let fields = (&*x.article, x.start, x.end).cmp(&(&*y.article, y.start, y.end));
                assert_eq!(x.cmp(y), fields);
                assert_eq!(x.partial_cmp(y), Some(fields));
            }
        }
    }

    #[test]
    fn sorted_edges_rank_types_by_name_whatever_their_address() {
        let mut g = Graph::default();
        let ids = ["c", "a", "b", "a"];
        let n: Vec<NodeIndex> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                g.g.add_node(Node::new(id.to_string(), NodeType::Person, i.to_string()))
            })
            .collect();
        for (a, b, t) in [
            (0, 1, "says"),
            (1, 2, "meets"),
            (3, 0, "says"),
            (1, 0, "says"),
        ] {
            g.add_edge(n[a], n[b], t, None);
        }
        // Edges made outside `add_edge`: names equal to interned ones at other addresses.
        for (a, b, t) in [(1, 0, "meets"), (3, 2, "says"), (0, 1, "accuses")] {
            g.g.add_edge(
                n[a],
                n[b],
                Edge {
                    etype: Arc::from(t),
                    provenance: Vec::new(),
                },
            );
        }
        // The order the sort stands for: a stable sort by (source id, type, target id).
        let mut expected: Vec<_> =
            g.g.edge_references()
                .map(|e| (e.source(), e.target(), e.weight()))
                .collect();
        expected.sort_by(|x, y| {
            (&g.g[x.0].id, &x.2.etype, &g.g[x.1].id).cmp(&(&g.g[y.0].id, &y.2.etype, &g.g[y.1].id))
        });
        let key = |v: &[(NodeIndex, NodeIndex, &Edge)]| -> Vec<_> {
            v.iter()
                .map(|&(a, b, e)| (a, b, e as *const Edge))
                .collect()
        };
        assert_eq!(key(&g.sorted_edges()), key(&expected));
    }

    #[test]
    fn slug_equals_slug_reference() {
        let long = "a".repeat(59);
        let cases = [
            String::new(),
            "\"\"".to_string(),
            "Wei Xiaojun".to_string(),
            "  --Zhōngguó--  ".to_string(),
            "ÀÉÎÕÜ ß łódź Ñandú ﬁ Σίσυφος 中国 €5".to_string(),
            "000-fb93.txt".to_string(),
            "x".repeat(200),
            format!("{long} b"),
            format!("{long}b c"),
            format!("{long}bc -- d"),
            format!("{long}-"),
            format!("{long} ü"),
            format!("{long}ō"),
            format!("{long}ōō"),
            format!("{}é--é", "é".repeat(58)),
            format!("{} ---", "a1 ".repeat(30)),
            "ab ".repeat(20),
            format!("{}Z", "ab ".repeat(20)),
        ];
        for case in &cases {
            assert_eq!(slug(case), slug_reference(case), "{case:?}");
        }
        // Texts of 40 to 90 chars of letters, separators and folded or unfolded letters
        // (a fixed pseudo-random sequence), around the 60-byte cut.
        let alphabet: Vec<char> = "aZ9 -.ōéßł中€".chars().collect();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            let mut text = String::new();
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            for _ in 0..40 + (state >> 33) % 51 {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                text.push(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            assert_eq!(slug(&text), slug_reference(&text), "{text:?}");
        }
    }

    #[test]
    fn slugs_are_iri_safe_and_stable() {
        assert_eq!(slug("Wei Xiaojun"), "wei-xiaojun");
        assert_eq!(
            slug("U.S. Department of <Justice> {x}|^`\\"),
            "u-s-department-of-justice-x"
        );
        assert_eq!(slug("Zhōngguó"), "zhongguo");
        assert_eq!(slug("\"\""), slug("\"\""));
        assert!(slug("\"\"").starts_with('x'));
    }
}
