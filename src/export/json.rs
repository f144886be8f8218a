//! graph.json: the contract other tools read (see README, "JSON").
//!
//! The document is streamed straight from the graph to the writer through borrowed
//! structs; it is the same text `serde_json` printed for the `Value` tree this module used
//! to build: object keys in sorted order (a `Value` map is sorted), confidences printed as
//! the `f64` of the stored `f32`, pretty printed with two spaces.

use crate::graph::{ArticleInfo, CharSpan, Edge, Graph, MentionRef, Node, NodeType, Provenance};
use anyhow::Result;
use serde::ser::{Serialize, Serializer};
use serde_json::Value;
use std::io::Write;

/// The whole graph.json document. Fields in key order.
#[derive(serde::Serialize)]
struct JsonGraph<'a> {
    articles: Articles<'a>,
    edges: Edges<'a>,
    nodes: Nodes<'a>,
}

struct Articles<'a>(&'a Graph, &'a [petgraph::stable_graph::NodeIndex]);
struct Nodes<'a>(&'a Graph, &'a [petgraph::stable_graph::NodeIndex]);
struct Edges<'a>(
    &'a Graph,
    &'a [(
        petgraph::stable_graph::NodeIndex,
        petgraph::stable_graph::NodeIndex,
        &'a Edge,
    )],
);

#[derive(serde::Serialize)]
struct ArticleOut<'a> {
    date: &'a Option<String>,
    file: &'a str,
    id: &'a str,
    source: &'a Option<String>,
    title: &'a Option<String>,
}

impl<'a> From<&'a ArticleInfo> for ArticleOut<'a> {
    fn from(a: &'a ArticleInfo) -> Self {
        ArticleOut {
            date: &a.date,
            file: &a.file,
            id: &a.id,
            source: &a.source,
            title: &a.title,
        }
    }
}

impl Serialize for Articles<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = &self.0.g;
        let list: Vec<ArticleOut> = self
            .1
            .iter()
            .filter_map(|&n| g[n].article.as_ref())
            .map(ArticleOut::from)
            .collect();
        s.collect_seq(list)
    }
}

#[derive(serde::Serialize)]
struct NodeOut<'a> {
    aliases: &'a std::collections::BTreeSet<String>,
    id: &'a str,
    /// Statements only (`null` when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<Option<&'static str>>,
    label: &'a str,
    mentions: Mentions<'a>,
    /// People only.
    #[serde(skip_serializing_if = "Option::is_none")]
    roles: Option<Roles<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    speaker: Option<&'a Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a Option<String>>,
    #[serde(rename = "type")]
    ntype: &'static str,
}

struct Mentions<'a>(&'a std::collections::BTreeSet<MentionRef>);
struct Roles<'a>(&'a std::collections::BTreeSet<crate::graph::Role>);

#[derive(serde::Serialize)]
struct MentionOut<'a> {
    article: &'a str,
    end: usize,
    start: usize,
}

#[derive(serde::Serialize)]
struct RoleOut<'a> {
    organization: &'a str,
    title: &'a str,
}

impl Serialize for Mentions<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|m| MentionOut {
            article: &m.article,
            end: m.end,
            start: m.start,
        }))
    }
}

impl Serialize for Roles<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|r| RoleOut {
            organization: &r.organization,
            title: &r.title,
        }))
    }
}

impl<'a> From<&'a Node> for NodeOut<'a> {
    fn from(node: &'a Node) -> Self {
        let statement = node.ntype == NodeType::Statement;
        NodeOut {
            aliases: &node.aliases,
            id: &node.id,
            kind: statement.then_some(node.kind),
            label: &node.label,
            mentions: Mentions(&node.mentions),
            roles: (node.ntype == NodeType::Person).then_some(Roles(&node.roles)),
            speaker: statement.then_some(&node.speaker),
            text: statement.then_some(&node.text),
            ntype: node.ntype.name(),
        }
    }
}

impl Serialize for Nodes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = &self.0.g;
        s.collect_seq(self.1.iter().map(|&n| NodeOut::from(&g[n])))
    }
}

#[derive(serde::Serialize)]
struct EdgeOut<'a> {
    provenance: ProvenanceList<'a>,
    source: &'a str,
    target: &'a str,
    #[serde(rename = "type")]
    etype: &'a str,
}

struct ProvenanceList<'a>(&'a [Provenance]);

/// A [`Provenance`] with its keys in sorted order.
#[derive(serde::Serialize)]
struct ProvenanceOut<'a> {
    article: &'a str,
    /// As a `Value` stores it: the `f64` of the `f32`.
    confidence: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<SpanOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cue: Option<SpanOut>,
    end: usize,
    evidence: &'a str,
    rule: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    speaker: Option<SpanOut>,
    start: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct SpanOut {
    end: usize,
    start: usize,
}

impl From<CharSpan> for SpanOut {
    fn from(c: CharSpan) -> Self {
        SpanOut {
            end: c.end,
            start: c.start,
        }
    }
}

impl Serialize for ProvenanceList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|p| ProvenanceOut {
            article: &p.article,
            confidence: p.confidence as f64,
            content: p.content.map(SpanOut::from),
            cue: p.cue.map(SpanOut::from),
            end: p.end,
            evidence: &p.evidence,
            rule: &p.rule,
            speaker: p.speaker.map(SpanOut::from),
            start: p.start,
            title: p.title.as_deref(),
        }))
    }
}

impl Serialize for Edges<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let g = &self.0.g;
        s.collect_seq(self.1.iter().map(|&(a, b, e)| EdgeOut {
            provenance: ProvenanceList(&e.provenance),
            source: &g[a].id,
            target: &g[b].id,
            etype: &e.etype,
        }))
    }
}

/// Serializes the graph.json document of `graph` with `s`.
fn serialize_graph<S: Serializer>(graph: &Graph, s: S) -> Result<S::Ok, S::Error> {
    let nodes = graph.sorted_nodes();
    let edges = graph.sorted_edges();
    JsonGraph {
        articles: Articles(graph, &nodes),
        edges: Edges(graph, &edges),
        nodes: Nodes(graph, &nodes),
    }
    .serialize(s)
}

/// graph.json as a `serde_json::Value` (for tests and tools that inspect it).
pub fn to_value(graph: &Graph) -> Value {
    serialize_graph(graph, serde_json::value::Serializer)
        .expect("a graph always converts to a JSON value")
}

pub fn write(graph: &Graph, w: &mut dyn Write) -> Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    serialize_graph(graph, &mut serde_json::Serializer::pretty(&mut w))?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}
