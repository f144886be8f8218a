//! SPARQL over a built graph (oxigraph in-memory store).
//!
//! The default graph of a query is the union of all graphs of the file (the default
//! graph and the named graph of every article), unless the query names its own dataset
//! with `FROM` / `FROM NAMED`. The prefixes `cg:`, `id:` (the default export base),
//! `schema:`, `prov:`, `nif:`, `rdf:`, `rdfs:` and `xsd:` are predeclared.
//!
//! Note: the oxigraph store normalizes derived integer datatypes, so offsets
//! (`xsd:nonNegativeInteger` in the files) come back as `xsd:integer` in results.

use crate::export::rdf::vocab;
use anyhow::{bail, Context, Result};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, SparqlEvaluator, Variable};
use oxigraph::store::Store;
use std::io::{BufReader, Write};
use std::path::Path;

/// Outputs `run` accepts.
pub const OUTPUTS: [&str; 7] = ["table", "csv", "tsv", "json", "xml", "ttl", "nt"];

/// The prefixes predeclared for queries and used to abbreviate IRIs in table output.
pub(crate) fn prefixes() -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = vocab::PREFIXES
        .iter()
        .map(|(p, i)| (*p, i.to_string()))
        .collect();
    v.push(("id", crate::export::Options::default().base));
    v
}

/// The RDF format of a graph file, from its extension.
pub fn format_of(graph: &Path) -> Result<RdfFormat> {
    let ext = graph
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    Ok(match ext.as_str() {
        "nq" => RdfFormat::NQuads,
        "trig" => RdfFormat::TriG,
        "ttl" => RdfFormat::Turtle,
        "nt" => RdfFormat::NTriples,
        "jsonld" => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
        _ => bail!(
            "cannot tell the RDF format of {}: expected a .nq, .trig, .ttl, .nt or .jsonld file",
            graph.display()
        ),
    })
}

/// Loads an RDF file (.nq, .trig, .ttl, .nt, .jsonld) into an in-memory store.
pub fn load(graph: &Path) -> Result<Store> {
    let format = format_of(graph)?;
    if !graph.exists() {
        bail!(
            "graph file {} not found (run `claimgraph build` first, or give --graph)",
            graph.display()
        );
    }
    let file =
        std::fs::File::open(graph).with_context(|| format!("opening {}", graph.display()))?;
    let store = Store::new().context("creating the in-memory store")?;
    store
        .load_from_reader(format, BufReader::new(file))
        .with_context(|| format!("loading {}", graph.display()))?;
    Ok(store)
}

/// Loads `graph` (.nq, .trig, .ttl, .nt, .jsonld), runs `query`, writes results in `output`
/// (table, csv, tsv, json, xml for SELECT/ASK; Turtle, or N-Triples with "nt", for
/// CONSTRUCT/DESCRIBE).
pub fn run(graph: &Path, query: &str, output: &str, w: &mut dyn Write) -> Result<()> {
    let output = output_name(output)?;
    let store = load(graph)?;
    execute(&store, query, &output, w)
}

/// [`run`] on an open store (the persistent store of `build --store`).
pub fn run_on(store: &Store, query: &str, output: &str, w: &mut dyn Write) -> Result<()> {
    execute(store, query, &output_name(output)?, w)
}

/// The name of an output as [`execute`] knows it ("turtle" -> "ttl"); unknown ones fail.
fn output_name(output: &str) -> Result<String> {
    let output = output.trim().to_ascii_lowercase();
    let output = match output.as_str() {
        "turtle" => "ttl".to_string(),
        "ntriples" | "n-triples" => "nt".to_string(),
        _ => output,
    };
    if !OUTPUTS.contains(&output.as_str()) {
        bail!("unknown output {output:?} (known: {})", OUTPUTS.join(", "));
    }
    Ok(output)
}

/// Runs `query` on `store`, writing results in `output` (see [`run`]).
pub fn execute(store: &Store, query: &str, output: &str, w: &mut dyn Write) -> Result<()> {
    let mut evaluator = SparqlEvaluator::new();
    for (p, iri) in prefixes() {
        evaluator = evaluator.with_prefix(p, iri)?;
    }
    let mut prepared = evaluator
        .parse_query(query)
        .map_err(|e| anyhow::anyhow!("invalid SPARQL query: {e}"))?;
    if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    let results = prepared
        .on_store(store)
        .execute()
        .map_err(|e| anyhow::anyhow!("query evaluation failed: {e}"))?;
    match results {
        QueryResults::Solutions(solutions) => {
            let variables: Vec<Variable> = solutions.variables().to_vec();
            let format = match output {
                "table" => {
                    let mut rows = Vec::new();
                    for s in solutions {
                        let s = s.map_err(|e| anyhow::anyhow!("query evaluation failed: {e}"))?;
                        rows.push(
                            variables
                                .iter()
                                .map(|v| s.get(v).map(abbreviate).unwrap_or_default())
                                .collect(),
                        );
                    }
                    return write_table(&variables, &rows, w);
                }
                _ => results_format(output, "SELECT")?,
            };
            let mut ser = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(&mut *w, variables)?;
            for s in solutions {
                let s = s.map_err(|e| anyhow::anyhow!("query evaluation failed: {e}"))?;
                ser.serialize(&s)?;
            }
            ser.finish()?;
        }
        QueryResults::Boolean(b) => {
            if output == "table" {
                writeln!(w, "{b}")?;
            } else {
                let format = results_format(output, "ASK")?;
                QueryResultsSerializer::from_format(format)
                    .serialize_boolean_to_writer(&mut *w, b)?;
                if format != QueryResultsFormat::Json && format != QueryResultsFormat::Xml {
                    writeln!(w)?;
                }
            }
        }
        QueryResults::Graph(triples) => {
            let mut all: Vec<Triple> = Vec::new();
            for t in triples {
                all.push(t.map_err(|e| anyhow::anyhow!("query evaluation failed: {e}"))?);
            }
            // Deterministic output: sorted, deduplicated.
            let mut keyed: Vec<(String, Triple)> =
                all.into_iter().map(|t| (t.to_string(), t)).collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            keyed.dedup_by(|a, b| a.0 == b.0);
            let mut ser = if output == "nt" {
                RdfSerializer::from_format(RdfFormat::NTriples)
            } else {
                let mut s = RdfSerializer::from_format(RdfFormat::Turtle);
                for (p, iri) in prefixes() {
                    s = s.with_prefix(p, iri)?;
                }
                s
            }
            .for_writer(&mut *w);
            for (_, t) in &keyed {
                ser.serialize_triple(t)?;
            }
            ser.finish()?;
        }
    }
    Ok(())
}

fn results_format(output: &str, kind: &str) -> Result<QueryResultsFormat> {
    Ok(match output {
        "csv" => QueryResultsFormat::Csv,
        "tsv" => QueryResultsFormat::Tsv,
        "json" => QueryResultsFormat::Json,
        "xml" => QueryResultsFormat::Xml,
        other => bail!(
            "output {other:?} does not apply to {kind} queries (use table, csv, tsv, json or xml)"
        ),
    })
}

/// A term for the table: IRIs with a known prefix as `cg:says`, literals as their value.
pub fn abbreviate(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => {
            let iri = n.as_str();
            for (p, ns) in prefixes() {
                if let Some(local) = iri.strip_prefix(ns.as_str()) {
                    if !local.is_empty()
                        && local.chars().all(|c| {
                            c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '#' | '=' | ',')
                        })
                    {
                        return format!("{p}:{local}");
                    }
                }
            }
            format!("<{iri}>")
        }
        Term::BlankNode(b) => format!("_:{}", b.as_str()),
        Term::Literal(l) => {
            let v = l
                .value()
                .replace('\\', "\\\\")
                .replace('\n', "\\n")
                .replace('\r', "\\r")
                .replace('\t', "\\t");
            match l.language() {
                Some(lang) => format!("{v}@{lang}"),
                None => v,
            }
        }
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    }
}

fn write_table(variables: &[Variable], rows: &[Vec<String>], w: &mut dyn Write) -> Result<()> {
    let width = |s: &str| s.chars().count();
    let header: Vec<String> = variables.iter().map(|v| v.as_str().to_string()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let line = |cells: &[String], w: &mut dyn Write| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                s.push_str(" | ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                s.extend(std::iter::repeat_n(' ', widths[i] - width(c)));
            }
        }
        writeln!(w, "{}", s.trim_end())
    };
    line(&header, w)?;
    let rule: Vec<String> = widths.iter().map(|&n| "-".repeat(n.max(1))).collect();
    writeln!(w, "{}", rule.join("-+-"))?;
    for r in rows {
        line(r, w)?;
    }
    writeln!(
        w,
        "({} row{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode};

    #[test]
    fn abbreviates_known_namespaces() {
        let says = Term::from(NamedNode::new_unchecked(
            "https://w3id.org/claimgraph/ontology#says",
        ));
        assert_eq!(abbreviate(&says), "cg:says");
        let p = Term::from(NamedNode::new_unchecked(
            "https://w3id.org/claimgraph/id/person-wei-xiaojun",
        ));
        assert_eq!(abbreviate(&p), "id:person-wei-xiaojun");
        let other = Term::from(NamedNode::new_unchecked("http://example.com/a/b"));
        assert_eq!(abbreviate(&other), "<http://example.com/a/b>");
        assert_eq!(
            abbreviate(&Term::from(Literal::new_simple_literal("a\nb"))),
            "a\\nb"
        );
    }

    #[test]
    fn unknown_extension_and_output_are_errors() {
        let e = run(Path::new("graph.xyz"), "ASK {}", "table", &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("graph.xyz"), "{e}");
        let e = run(Path::new("missing.nq"), "ASK {}", "yaml", &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("unknown output"), "{e}");
        let e = run(Path::new("missing.nq"), "ASK {}", "table", &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("missing.nq"), "{e}");
    }
}
