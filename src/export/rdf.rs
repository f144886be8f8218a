//! RDF exports through oxigraph (Turtle, N-Triples, N-Quads, TriG, JSON-LD), using the
//! claimgraph ontology (`schema/claimgraph.ttl`, prefix `cg:`) aligned with schema.org,
//! PROV-O and NIF 2.0 Core. Only RDF 1.1 terms are written (no triple terms), and the
//! output conforms to `schema/shapes.ttl`.
//!
//! # IRIs
//!
//! - node: `base + node id` (`id:person-wei-xiaojun`, `id:statement-0123…`,
//!   `id:article-000-fb93-txt`);
//! - mention (a span of an article): `articleIRI#char=start,end` (RFC 5147, Unicode code
//!   points, end exclusive), typed `cg:Mention, nif:String`;
//! - edge occurrence: `base + "occurrence-" + 16 hex digits` of a stable FNV-1a hash of
//!   (source id, edge type, target id, article, start, end, rule);
//! - role of a person: `personIRI + "-role-" + slug(title) + "--" + organization id`.
//!
//! # Graphs
//!
//! Turtle and N-Triples hold every triple once in the default graph. The dataset formats
//! (N-Quads, TriG, JSON-LD) split the same triples over graphs:
//!
//! - the **default graph** holds what does not depend on one article: the description of
//!   every node (types, label, aliases, roles, a statement's text, kind and speaker, an
//!   article's metadata) and edges without provenance whose source is not an article
//!   (`cg:locatedIn` from the gazetteer);
//! - the **named graph of an article** (graph name = the article IRI) holds everything
//!   found in that article: its mentions and the `cg:mention` links to them, the
//!   `prov:wasDerivedFrom` of its statements, its `cg:mentions` / `cg:authoredBy` edges,
//!   every edge triple with an occurrence in it and the `cg:EdgeOccurrence`s themselves
//!   (with their cue, content and speaker mentions).
//!
//! An edge seen in two articles is therefore in two named graphs: over the union of all
//! graphs (what `claimgraph query` uses as default graph) a pattern may match it twice, so
//! use `SELECT DISTINCT` when that matters.
//!
//! Output is deterministic: nodes and edges are visited in their sorted order, quads are
//! deduplicated, grouped by graph (default graph first, then named graphs by IRI) and by
//! subject in order of first appearance.

use super::{Format, Options};
use crate::graph::{slug, stable_hash, Graph, NodeType, Provenance};
use anyhow::{Context, Result};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term};
use std::collections::{HashMap, HashSet};
use std::io::Write;

/// Namespaces and terms of the vocabularies the exports use.
pub mod vocab {
    use oxigraph::model::NamedNodeRef;

    pub const CG: &str = "https://w3id.org/claimgraph/ontology#";
    pub const SCHEMA: &str = "https://schema.org/";
    pub const PROV: &str = "http://www.w3.org/ns/prov#";
    pub const NIF: &str = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#";
    pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    pub const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
    pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

    /// Prefixes written into Turtle / TriG (plus `id:` for the export base).
    pub const PREFIXES: [(&str, &str); 7] = [
        ("cg", CG),
        ("schema", SCHEMA),
        ("prov", PROV),
        ("nif", NIF),
        ("rdf", RDF),
        ("rdfs", RDFS),
        ("xsd", XSD),
    ];

    macro_rules! terms {
        ($ns:literal; $($name:ident = $local:literal),* $(,)?) => {
            $(pub const $name: NamedNodeRef<'static> = NamedNodeRef::new_unchecked(concat!($ns, $local));)*
        };
    }

    /// The claimgraph ontology (`schema/claimgraph.ttl`).
    pub mod cg {
        use super::NamedNodeRef;
        terms!("https://w3id.org/claimgraph/ontology#";
            PERSON = "Person", AGENCY = "Agency", ORGANIZATION = "Organization",
            COUNTRY = "Country", PLACE = "Place", SUBSTANCE = "Substance",
            STATEMENT = "Statement", ARTICLE = "Article", EDGE_OCCURRENCE = "EdgeOccurrence",
            MENTION = "Mention", ROLE = "Role",
            DIRECT_QUOTE = "DirectQuote", INDIRECT_SPEECH = "IndirectSpeech", CLAIM = "Claim",
            UNKNOWN_SPEAKER = "UnknownSpeaker",
            ALIAS = "alias", SOURCE_FILE = "sourceFile", MENTION_PROP = "mention",
            ROLE_PROP = "role", ROLE_TITLE = "roleTitle", ORGANIZATION_PROP = "organization",
            TEXT = "text", STATEMENT_KIND = "statementKind", SPEAKER = "speaker",
            SUBJECT = "subject", PREDICATE = "predicate", OBJECT = "object",
            ARTICLE_PROP = "article", EVIDENCE = "evidence", RULE = "rule",
            CONFIDENCE = "confidence", CUE = "cue", CONTENT = "content",
            SPEAKER_MENTION = "speakerMention",
            RESOLUTION_KEY = "resolutionKey", INPUT_RECORD = "inputRecord",
        );
    }

    /// schema.org terms.
    pub mod schema {
        use super::NamedNodeRef;
        terms!("https://schema.org/";
            PERSON = "Person", GOVERNMENT_ORGANIZATION = "GovernmentOrganization",
            ORGANIZATION = "Organization", COUNTRY = "Country", PLACE = "Place",
            CHEMICAL_SUBSTANCE = "ChemicalSubstance", CLAIM = "Claim",
            NEWS_ARTICLE = "NewsArticle", HEADLINE = "headline",
            DATE_PUBLISHED = "datePublished", AUTHOR = "author", URL = "url",
        );
    }

    /// PROV-O terms.
    pub mod prov {
        use super::NamedNodeRef;
        terms!("http://www.w3.org/ns/prov#";
            WAS_ATTRIBUTED_TO = "wasAttributedTo", WAS_DERIVED_FROM = "wasDerivedFrom",
            WAS_QUOTED_FROM = "wasQuotedFrom",
        );
    }

    /// NIF 2.0 Core terms.
    pub mod nif {
        use super::NamedNodeRef;
        terms!("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#";
            STRING = "String", BEGIN_INDEX = "beginIndex", END_INDEX = "endIndex",
            REFERENCE_CONTEXT = "referenceContext",
        );
    }

    /// The `cg:` property of a claimgraph edge type: `part_of` -> `cg:partOf`.
    pub fn edge_property(etype: &str) -> String {
        let mut out = String::from(CG);
        let mut upper = false;
        for c in etype.chars() {
            if c == '_' || c == '-' || c == ' ' {
                upper = true;
            } else if upper {
                out.extend(c.to_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The `cg:` class and the aligned schema.org class of a node type.
    pub fn node_classes(t: crate::graph::NodeType) -> [NamedNodeRef<'static>; 2] {
        use crate::graph::NodeType as T;
        match t {
            T::Person => [cg::PERSON, schema::PERSON],
            T::Agency => [cg::AGENCY, schema::GOVERNMENT_ORGANIZATION],
            T::Organization => [cg::ORGANIZATION, schema::ORGANIZATION],
            T::Country => [cg::COUNTRY, schema::COUNTRY],
            T::Place => [cg::PLACE, schema::PLACE],
            T::Substance => [cg::SUBSTANCE, schema::CHEMICAL_SUBSTANCE],
            T::Statement => [cg::STATEMENT, schema::CLAIM],
            T::Article => [cg::ARTICLE, schema::NEWS_ARTICLE],
        }
    }

    /// `cg:DirectQuote`, `cg:IndirectSpeech` or `cg:Claim` for a statement kind.
    pub fn statement_kind(kind: &str) -> NamedNodeRef<'static> {
        match kind {
            "direct" => cg::DIRECT_QUOTE,
            "claim" => cg::CLAIM,
            _ => cg::INDIRECT_SPEECH,
        }
    }
}

use vocab::{cg, nif, prov, schema};

/// The IRI of the occurrence of an edge described by `p`.
pub fn occurrence_id(source: &str, etype: &str, target: &str, p: &Provenance) -> String {
    let key = format!(
        "{source}\u{1f}{etype}\u{1f}{target}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        p.article, p.start, p.end, p.rule
    );
    format!("occurrence-{:016x}", stable_hash(&key))
}

/// Quads collected in emission order, deduplicated.
struct Quads {
    dataset: bool,
    seen: HashSet<Quad>,
    list: Vec<Quad>,
}

impl Quads {
    fn add(
        &mut self,
        s: &NamedNode,
        p: NamedNodeRef<'_>,
        o: impl Into<Term>,
        g: Option<&NamedNode>,
    ) {
        let graph = match g {
            Some(g) if self.dataset => GraphName::NamedNode(g.clone()),
            _ => GraphName::DefaultGraph,
        };
        let q = Quad::new(s.clone(), p.into_owned(), o, graph);
        if self.seen.insert(q.clone()) {
            self.list.push(q);
        }
    }

    /// Quads grouped by graph (default first, then by IRI), then by subject in order of
    /// first appearance, then in emission order.
    fn into_sorted(self) -> Vec<Quad> {
        let mut first: HashMap<(GraphName, oxigraph::model::NamedOrBlankNode), usize> =
            HashMap::new();
        let mut keyed: Vec<(bool, String, usize, usize, Quad)> =
            Vec::with_capacity(self.list.len());
        for (i, q) in self.list.into_iter().enumerate() {
            let n = first.len();
            let f = *first
                .entry((q.graph_name.clone(), q.subject.clone()))
                .or_insert(n);
            let (named, gname) = match &q.graph_name {
                GraphName::NamedNode(g) => (true, g.as_str().to_string()),
                _ => (false, String::new()),
            };
            keyed.push((named, gname, f, i, q));
        }
        keyed.sort_by(|a, b| (a.0, &a.1, a.2, a.3).cmp(&(b.0, &b.1, b.2, b.3)));
        keyed.into_iter().map(|k| k.4).collect()
    }
}

fn nn(iri: String) -> Result<NamedNode> {
    NamedNode::new(iri.clone())
        .with_context(|| format!("invalid IRI <{iri}> (check the export base IRI)"))
}

fn index(n: usize) -> Literal {
    Literal::new_typed_literal(n.to_string(), xsd::NON_NEGATIVE_INTEGER)
}

fn string(s: &str) -> Literal {
    Literal::new_simple_literal(s)
}

/// A confidence as the shortest xsd:double that reads back as the same f32, in [0, 1].
fn confidence(c: f32) -> Literal {
    let c = if c.is_nan() { 0.0 } else { c.clamp(0.0, 1.0) };
    let v: f64 = format!("{c}").parse().unwrap_or(c as f64);
    Literal::from(v)
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && matches!(s[5..7].parse::<u8>(), Ok(1..=12))
        && matches!(s[8..10].parse::<u8>(), Ok(1..=31))
}

struct Builder<'a> {
    graph: &'a Graph,
    base: &'a str,
    /// Article id (as in mentions and provenance) -> article node id.
    articles: HashMap<&'a str, &'a str>,
    quads: Quads,
}

impl<'a> Builder<'a> {
    fn node_iri(&self, id: &str) -> Result<NamedNode> {
        nn(format!("{}{}", self.base, id))
    }

    fn article_iri(&self, article: &str) -> Result<NamedNode> {
        match self.articles.get(article) {
            Some(id) => self.node_iri(id),
            None => self.node_iri(&crate::graph::article_node_id(article)),
        }
    }

    /// The `cg:Mention` resource of a span of `article`, with its offsets, in the
    /// article's graph. `None` for an empty or reversed span.
    fn mention(&mut self, article: &str, start: usize, end: usize) -> Result<Option<NamedNode>> {
        if start >= end {
            return Ok(None);
        }
        let art = self.article_iri(article)?;
        let m = nn(format!("{}#char={start},{end}", art.as_str()))?;
        let g = Some(&art);
        self.quads.add(&m, rdf::TYPE, cg::MENTION, g);
        self.quads.add(&m, rdf::TYPE, nif::STRING, g);
        self.quads.add(&m, nif::BEGIN_INDEX, index(start), g);
        self.quads.add(&m, nif::END_INDEX, index(end), g);
        self.quads.add(&m, nif::REFERENCE_CONTEXT, art.clone(), g);
        Ok(Some(m))
    }

    fn nodes(&mut self) -> Result<()> {
        let graph = self.graph;
        for ni in graph.sorted_nodes() {
            let node = &graph.g[ni];
            let s = self.node_iri(&node.id)?;
            for class in vocab::node_classes(node.ntype) {
                self.quads.add(&s, rdf::TYPE, class, None);
            }
            self.quads.add(&s, rdfs::LABEL, string(&node.label), None);
            if !matches!(node.ntype, NodeType::Statement | NodeType::Article) {
                for alias in &node.aliases {
                    self.quads.add(&s, cg::ALIAS, string(alias), None);
                }
            }
            for role in &node.roles {
                let r = nn(format!(
                    "{}-role-{}--{}",
                    s.as_str(),
                    slug(&role.title),
                    role.organization
                ))?;
                self.quads
                    .add(&s, cg::ROLE_TITLE, string(&role.title), None);
                self.quads.add(&s, cg::ROLE_PROP, r.clone(), None);
                self.quads.add(&r, rdf::TYPE, cg::ROLE, None);
                self.quads
                    .add(&r, cg::ROLE_TITLE, string(&role.title), None);
                self.quads.add(
                    &r,
                    cg::ORGANIZATION_PROP,
                    self.node_iri(&role.organization)?,
                    None,
                );
            }
            if node.ntype == NodeType::Statement {
                if let Some(text) = &node.text {
                    self.quads.add(&s, cg::TEXT, string(text), None);
                }
                let kind = node.kind.unwrap_or("indirect");
                self.quads
                    .add(&s, cg::STATEMENT_KIND, vocab::statement_kind(kind), None);
                match node
                    .speaker
                    .as_deref()
                    .filter(|sp| graph.node(sp).is_some())
                {
                    Some(sp) => {
                        let sp = self.node_iri(sp)?;
                        self.quads.add(&s, cg::SPEAKER, sp.clone(), None);
                        self.quads
                            .add(&s, prov::WAS_ATTRIBUTED_TO, sp.clone(), None);
                        if kind == "direct" {
                            self.quads.add(&s, prov::WAS_QUOTED_FROM, sp, None);
                        }
                    }
                    None => self.quads.add(&s, cg::SPEAKER, cg::UNKNOWN_SPEAKER, None),
                }
                let mut seen = HashSet::new();
                for m in &node.mentions {
                    if seen.insert(&*m.article) {
                        let art = self.article_iri(&m.article)?;
                        self.quads
                            .add(&s, prov::WAS_DERIVED_FROM, art.clone(), Some(&art));
                    }
                }
            }
            if let Some(info) = &node.article {
                self.quads
                    .add(&s, cg::SOURCE_FILE, string(&info.file), None);
                if let Some(t) = info.title.as_deref().filter(|t| !t.is_empty()) {
                    self.quads.add(&s, schema::HEADLINE, string(t), None);
                }
                if let Some(d) = info.date.as_deref().filter(|d| !d.is_empty()) {
                    let lit = if is_iso_date(d) {
                        Literal::new_typed_literal(d, xsd::DATE)
                    } else {
                        string(d)
                    };
                    self.quads.add(&s, schema::DATE_PUBLISHED, lit, None);
                }
                if let Some(url) = info.url.as_deref().and_then(|u| NamedNode::new(u).ok()) {
                    self.quads.add(&s, schema::URL, url, None);
                }
            } else {
                for m in &node.mentions {
                    if let Some(mention) = self.mention(&m.article, m.start, m.end)? {
                        let art = self.article_iri(&m.article)?;
                        self.quads.add(&s, cg::MENTION_PROP, mention, Some(&art));
                    }
                }
            }
        }
        Ok(())
    }

    fn edges(&mut self) -> Result<()> {
        let graph = self.graph;
        for (a, b, e) in graph.sorted_edges() {
            let (src, dst) = (&graph.g[a], &graph.g[b]);
            let s = self.node_iri(&src.id)?;
            let o = self.node_iri(&dst.id)?;
            let p = nn(vocab::edge_property(&e.etype))?;
            if e.provenance.is_empty() {
                // Edges found without a span: graph of the source article, else default.
                let g = (src.ntype == NodeType::Article).then(|| s.clone());
                self.quads.add(&s, p.as_ref(), o.clone(), g.as_ref());
                if &*e.etype == "authored_by" && src.ntype == NodeType::Article {
                    self.quads.add(&s, schema::AUTHOR, o.clone(), g.as_ref());
                }
                continue;
            }
            for pr in &e.provenance {
                let art = self.article_iri(&pr.article)?;
                let g = Some(&art);
                self.quads.add(&s, p.as_ref(), o.clone(), g);
                if &*e.etype == "authored_by" && src.ntype == NodeType::Article {
                    self.quads.add(&s, schema::AUTHOR, o.clone(), g);
                }
                let occ = self.node_iri(&occurrence_id(&src.id, &e.etype, &dst.id, pr))?;
                self.quads.add(&occ, rdf::TYPE, cg::EDGE_OCCURRENCE, g);
                self.quads.add(&occ, cg::SUBJECT, s.clone(), g);
                self.quads.add(&occ, cg::PREDICATE, p.clone(), g);
                self.quads.add(&occ, cg::OBJECT, o.clone(), g);
                self.quads.add(&occ, cg::ARTICLE_PROP, art.clone(), g);
                self.quads.add(&occ, cg::EVIDENCE, string(&pr.evidence), g);
                self.quads.add(&occ, cg::RULE, string(&pr.rule), g);
                self.quads
                    .add(&occ, cg::CONFIDENCE, confidence(pr.confidence), g);
                self.quads.add(&occ, nif::BEGIN_INDEX, index(pr.start), g);
                self.quads.add(&occ, nif::END_INDEX, index(pr.end), g);
                if let Some(t) = pr.title.as_deref().filter(|t| !t.is_empty()) {
                    self.quads.add(&occ, cg::ROLE_TITLE, string(t), g);
                }
                let spans = [
                    (cg::CUE, pr.cue),
                    (cg::CONTENT, pr.content),
                    (cg::SPEAKER_MENTION, pr.speaker),
                ];
                for (prop, span) in spans {
                    if let Some(span) = span {
                        if let Some(m) = self.mention(&pr.article, span.start, span.end)? {
                            self.quads.add(&occ, prop, m, g);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// The oxigraph format of an RDF export format.
pub fn rdf_format(format: Format) -> Option<RdfFormat> {
    Some(match format {
        Format::Turtle => RdfFormat::Turtle,
        Format::NTriples => RdfFormat::NTriples,
        Format::NQuads => RdfFormat::NQuads,
        Format::TriG => RdfFormat::TriG,
        Format::JsonLd => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
        _ => return None,
    })
}

/// The quads of `graph` as exported in `format` (all in the default graph for Turtle
/// and N-Triples), in output order.
pub fn quads(graph: &Graph, format: Format, opts: &Options) -> Result<Vec<Quad>> {
    nn(opts.base.clone())?;
    let articles = graph
        .g
        .node_weights()
        .filter_map(|n| n.article.as_ref().map(|a| (a.id.as_str(), n.id.as_str())))
        .collect();
    let mut b = Builder {
        graph,
        base: &opts.base,
        articles,
        quads: Quads {
            dataset: matches!(format, Format::NQuads | Format::TriG | Format::JsonLd),
            seen: HashSet::new(),
            list: Vec::new(),
        },
    };
    b.nodes()?;
    b.edges()?;
    Ok(b.quads.into_sorted())
}

/// Writes `graph` in an RDF `format` (JSON-LD through [`super::jsonld`], compacted with
/// the published context).
pub fn write(graph: &Graph, format: Format, w: &mut dyn Write, opts: &Options) -> Result<()> {
    if format == Format::JsonLd {
        return super::jsonld::write(graph, w, opts);
    }
    let Some(rdf_format) = rdf_format(format) else {
        anyhow::bail!("{} is not an RDF format", format.name());
    };
    let quads = quads(graph, format, opts)?;
    let mut serializer = RdfSerializer::from_format(rdf_format);
    if matches!(format, Format::Turtle | Format::TriG) {
        for (prefix, iri) in vocab::PREFIXES {
            serializer = serializer.with_prefix(prefix, iri)?;
        }
        serializer = serializer
            .with_prefix("id", opts.base.as_str())
            .with_context(|| format!("invalid base IRI {:?}", opts.base))?;
    }
    let mut out = serializer.for_writer(w);
    for q in &quads {
        out.serialize_quad(q)?;
    }
    out.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_properties_are_camel_case() {
        assert_eq!(vocab::edge_property("says"), format!("{}says", vocab::CG));
        assert_eq!(
            vocab::edge_property("part_of"),
            format!("{}partOf", vocab::CG)
        );
        assert_eq!(
            vocab::edge_property("cooperates_with"),
            format!("{}cooperatesWith", vocab::CG)
        );
    }

    #[test]
    fn dates_and_confidences() {
        assert!(is_iso_date("2024-03-01"));
        assert!(!is_iso_date("2024-13-01"));
        assert!(!is_iso_date("March 1, 2024"));
        assert_eq!(confidence(0.9).value(), "0.9");
        assert_eq!(confidence(1.5).value(), "1");
    }
}
