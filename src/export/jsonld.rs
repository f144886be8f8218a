//! JSON-LD export (`graph.jsonld`): the quads of the dataset export (the same as
//! `graph.nq`, see [`super::rdf`]) written compactly with the published context
//! `schema/context.jsonld`.
//!
//! The document is `{"@context": {...}, "@graph": [...]}`:
//!
//! - `@context` is the published context, inline (so no processor needs the network),
//!   with its `id` prefix set to the export base IRI. It maps the claimgraph terms
//!   (`says`, `speaker`, `kind`, `evidence`, `beginIndex`, ...) and the schema.org,
//!   PROV-O and NIF terms the graph uses (`headline`, `datePublished`, `author`, `url`,
//!   `derivedFrom`, `attributedTo`, ...), with their value types (IRIs, `xsd:date`,
//!   `xsd:double`, `xsd:nonNegativeInteger`);
//! - `@graph` lists the node objects of the default graph, then one
//!   `{"@id": "id:article-…", "@graph": [...]}` object per article with what was found in
//!   it (the named graphs of `graph.nq`).
//!
//! Node objects use the context's terms where a term's type matches the value (and the
//! compact IRI with an explicit value object where none does), so any JSON-LD processor
//! (oxigraph, rdflib, pyld, jsonld.js) reads back exactly the quads of `graph.nq`. The
//! term table is read from the context file itself: the published context and the
//! writer cannot disagree.

use super::{rdf, Format, Options};
use crate::graph::Graph;
use anyhow::{bail, Context as _, Result};
use oxigraph::model::vocab::{rdf as rdfv, xsd};
use oxigraph::model::{GraphName, NamedOrBlankNode, Term};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::Write;

/// The published JSON-LD context (`schema/context.jsonld`).
pub const CONTEXT: &str = include_str!("../../schema/context.jsonld");

/// The value type a term coerces to: `@id`, a datatype IRI, or none ("").
type Coercion = String;

/// The context, parsed into what compaction needs.
pub struct Ctx {
    /// The `@context` object as written into the document.
    pub object: Map<String, Value>,
    /// (prefix, namespace IRI), longest namespace first.
    prefixes: Vec<(String, String)>,
    /// (property IRI, coercion) -> term.
    terms: HashMap<(String, Coercion), String>,
    /// Class IRI -> term (for `@type` values).
    classes: HashMap<String, String>,
}

fn is_gen_delim(c: char) -> bool {
    matches!(c, ':' | '/' | '?' | '#' | '[' | ']' | '@')
}

impl Ctx {
    /// The published context with its `id` prefix set to `base` (left out when `base`
    /// cannot be a prefix, that is, does not end with `/`, `#` or another gen-delim:
    /// node IRIs are then written in full).
    pub fn new(base: &str) -> Result<Ctx> {
        let doc: Value = serde_json::from_str(CONTEXT).context("schema/context.jsonld")?;
        let Some(Value::Object(mut object)) = doc.get("@context").cloned() else {
            bail!("schema/context.jsonld has no @context object");
        };
        if base.ends_with(is_gen_delim) {
            object.insert("id".into(), Value::String(base.to_string()));
        } else {
            object.remove("id");
        }
        // Prefixes: simple terms whose IRI ends with a gen-delim (JSON-LD 1.1's rule).
        let mut prefixes = Vec::new();
        for (k, v) in &object {
            if let Value::String(iri) = v {
                if !k.contains(':') && iri.ends_with(is_gen_delim) {
                    prefixes.push((k.clone(), iri.clone()));
                }
            }
        }
        prefixes.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        let expand = |s: &str| -> String {
            if let Some((p, rest)) = s.split_once(':') {
                if let Some((_, ns)) = prefixes.iter().find(|(q, _)| q == p) {
                    return format!("{ns}{rest}");
                }
            }
            s.to_string()
        };
        let mut terms = HashMap::new();
        let mut classes = HashMap::new();
        for (k, v) in &object {
            if prefixes.iter().any(|(p, _)| p == k) {
                continue;
            }
            match v {
                Value::String(iri) => {
                    let iri = expand(iri);
                    classes.insert(iri.clone(), k.clone());
                    terms.insert((iri, String::new()), k.clone());
                }
                Value::Object(def) => {
                    let Some(Value::String(iri)) = def.get("@id") else {
                        continue;
                    };
                    let coercion = match def.get("@type") {
                        Some(Value::String(t)) if t == "@id" => "@id".to_string(),
                        Some(Value::String(t)) => expand(t),
                        _ => String::new(),
                    };
                    if def.contains_key("@container") || def.contains_key("@language") {
                        continue;
                    }
                    terms.insert((expand(iri), coercion), k.clone());
                }
                _ => {}
            }
        }
        Ok(Ctx {
            object,
            prefixes,
            terms,
            classes,
        })
    }

    /// A compact IRI (`id:person-x`, `cg:says`) when a prefix fits, else the IRI.
    pub fn compact_iri(&self, iri: &str) -> String {
        for (p, ns) in &self.prefixes {
            if let Some(rest) = iri.strip_prefix(ns.as_str()) {
                if !rest.is_empty() && !rest.starts_with("//") {
                    return format!("{p}:{rest}");
                }
            }
        }
        iri.to_string()
    }

    /// A `@type` value: the class's term, else a compact IRI.
    fn compact_class(&self, iri: &str) -> String {
        match self.classes.get(iri) {
            Some(t) => t.clone(),
            None => self.compact_iri(iri),
        }
    }

    fn node_ref(&self, n: &NamedOrBlankNode) -> String {
        match n {
            NamedOrBlankNode::NamedNode(n) => self.compact_iri(n.as_str()),
            NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
        }
    }

    /// The key and JSON value of one (predicate, object) pair of a node object.
    fn property(&self, predicate: &str, object: &Term) -> (String, Value) {
        let coercion = match object {
            Term::NamedNode(_) | Term::BlankNode(_) => "@id".to_string(),
            Term::Literal(l) if l.language().is_some() => "@language".to_string(),
            Term::Literal(l) if l.datatype() == xsd::STRING => String::new(),
            Term::Literal(l) => l.datatype().as_str().to_string(),
            #[allow(unreachable_patterns)]
            _ => "?".to_string(),
        };
        let id_string = |t: &Term| match t {
            Term::NamedNode(n) => self.compact_iri(n.as_str()),
            Term::BlankNode(b) => format!("_:{}", b.as_str()),
            _ => String::new(),
        };
        if let Some(term) = self.terms.get(&(predicate.to_string(), coercion)) {
            let v = match object {
                Term::Literal(l) => Value::String(l.value().to_string()),
                t => Value::String(id_string(t)),
            };
            return (term.clone(), v);
        }
        let key = self
            .terms
            .get(&(predicate.to_string(), String::new()))
            .cloned()
            .unwrap_or_else(|| self.compact_iri(predicate));
        let mut o = Map::new();
        match object {
            Term::Literal(l) => {
                o.insert("@value".into(), Value::String(l.value().to_string()));
                if let Some(lang) = l.language() {
                    o.insert("@language".into(), Value::String(lang.to_string()));
                } else if l.datatype() != xsd::STRING {
                    o.insert(
                        "@type".into(),
                        Value::String(self.compact_iri(l.datatype().as_str())),
                    );
                }
            }
            t => {
                o.insert("@id".into(), Value::String(id_string(t)));
            }
        }
        (key, Value::Object(o))
    }
}

/// `"@context": {...}` as in the published file (same layout), with the `id` prefix
/// of `ctx`.
fn context_text(ctx: &Ctx) -> Result<String> {
    const DEFAULT_ID: &str = "\"id\": \"https://w3id.org/claimgraph/id/\"";
    let body = CONTEXT.trim();
    let body = body
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .context("schema/context.jsonld is not one JSON object")?
        .trim();
    let text = match ctx.object.get("id") {
        Some(base) => body.replacen(DEFAULT_ID, &format!("\"id\": {base}"), 1),
        None => body.replacen(&format!("{DEFAULT_ID},"), "", 1),
    };
    // The text must say exactly what `ctx` compacts with.
    let check: Value = serde_json::from_str(&format!("{{{text}}}"))
        .context("JSON-LD context with the export base")?;
    if check.get("@context") != Some(&Value::Object(ctx.object.clone())) {
        bail!("schema/context.jsonld: the id prefix line is not {DEFAULT_ID}");
    }
    Ok(text)
}

/// One node object being collected: `@id`, `@type` values, then properties in order of
/// first appearance.
struct NodeObject {
    id: String,
    types: Vec<String>,
    props: Vec<(String, Vec<Value>)>,
}

impl NodeObject {
    fn to_json(&self) -> String {
        let mut o = String::from("{\"@id\": ");
        o.push_str(&Value::String(self.id.clone()).to_string());
        let one_or_many = |vs: Vec<Value>| {
            if vs.len() == 1 {
                vs.into_iter().next().unwrap_or(Value::Null)
            } else {
                Value::Array(vs)
            }
        };
        if !self.types.is_empty() {
            o.push_str(", \"@type\": ");
            let types = self.types.iter().cloned().map(Value::String).collect();
            o.push_str(&one_or_many(types).to_string());
        }
        for (k, vs) in &self.props {
            o.push_str(", ");
            o.push_str(&Value::String(k.clone()).to_string());
            o.push_str(": ");
            o.push_str(&one_or_many(vs.clone()).to_string());
        }
        o.push('}');
        o
    }
}

/// Writes `graph.jsonld`.
pub fn write(graph: &Graph, w: &mut dyn Write, opts: &Options) -> Result<()> {
    let ctx = Ctx::new(&opts.base)?;
    let quads = rdf::quads(graph, Format::JsonLd, opts)?;
    // Graphs in output order (default first), each with its node objects in order.
    let mut graphs: Vec<(GraphName, Vec<NodeObject>)> = Vec::new();
    for q in &quads {
        if graphs.last().map(|g| &g.0) != Some(&q.graph_name) {
            graphs.push((q.graph_name.clone(), Vec::new()));
        }
        let nodes = &mut graphs.last_mut().expect("pushed above").1;
        let id = ctx.node_ref(&q.subject);
        if nodes.last().map(|n| &n.id) != Some(&id) {
            nodes.push(NodeObject {
                id,
                types: Vec::new(),
                props: Vec::new(),
            });
        }
        let node = nodes.last_mut().expect("pushed above");
        match &q.object {
            Term::NamedNode(class) if q.predicate == rdfv::TYPE => {
                node.types.push(ctx.compact_class(class.as_str()));
            }
            object => {
                let (key, value) = ctx.property(q.predicate.as_str(), object);
                match node.props.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, vs)) => vs.push(value),
                    None => node.props.push((key, vec![value])),
                }
            }
        }
    }
    writeln!(w, "{{")?;
    writeln!(w, "  {},", context_text(&ctx)?)?;
    write!(w, "  \"@graph\": [")?;
    let mut first = true;
    for (name, nodes) in &graphs {
        match name {
            GraphName::DefaultGraph => {
                for n in nodes {
                    write!(w, "{}\n    {}", if first { "" } else { "," }, n.to_json())?;
                    first = false;
                }
            }
            GraphName::NamedNode(g) => {
                write!(
                    w,
                    "{}\n    {{\"@id\": {}, \"@graph\": [",
                    if first { "" } else { "," },
                    Value::String(ctx.compact_iri(g.as_str()))
                )?;
                for (i, n) in nodes.iter().enumerate() {
                    write!(
                        w,
                        "{}\n      {}",
                        if i == 0 { "" } else { "," },
                        n.to_json()
                    )?;
                }
                write!(w, "\n    ]}}")?;
                first = false;
            }
            GraphName::BlankNode(b) => bail!("unexpected blank graph name _:{}", b.as_str()),
        }
    }
    writeln!(w, "\n  ]\n}}")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_terms_and_prefixes() {
        let ctx = Ctx::new("https://w3id.org/claimgraph/id/").unwrap();
        assert_eq!(
            ctx.compact_iri("https://w3id.org/claimgraph/id/person-x"),
            "id:person-x"
        );
        assert_eq!(
            ctx.compact_iri("https://w3id.org/claimgraph/ontology#says"),
            "cg:says"
        );
        assert_eq!(
            ctx.compact_class("https://w3id.org/claimgraph/ontology#Person"),
            "Person"
        );
        assert_eq!(
            ctx.compact_class("https://schema.org/Person"),
            "schema:Person"
        );
        let says = ctx.property(
            "https://w3id.org/claimgraph/ontology#says",
            &Term::NamedNode(oxigraph::model::NamedNode::new_unchecked(
                "https://w3id.org/claimgraph/id/statement-1",
            )),
        );
        assert_eq!(
            says,
            ("says".into(), Value::String("id:statement-1".into()))
        );
        // A plain string where the term expects a date: explicit value object.
        let date = ctx.property(
            "https://schema.org/datePublished",
            &Term::Literal(oxigraph::model::Literal::new_simple_literal("March 1")),
        );
        assert_eq!(date.0, "schema:datePublished");
        assert_eq!(date.1, serde_json::json!({"@value": "March 1"}));
        // A base that cannot be a prefix: IRIs in full.
        let ctx = Ctx::new("urn:x-cg-").unwrap();
        assert_eq!(ctx.compact_iri("urn:x-cg-person-x"), "urn:x-cg-person-x");
    }
}
