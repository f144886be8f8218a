//! CSV node and edge tables (neo4j-admin import headers).
//!
//! `nodes.csv`: `id:ID,:LABEL,label,aliases:string[],kind,text,mentions:int` — one row per
//! node; `:LABEL` is the node type, `aliases` is `;`-separated, `kind` and `text` are
//! filled for statements, `mentions` counts the node's mentions.
//!
//! `edges.csv`: `:START_ID,:END_ID,:TYPE,occurrences:int,articles:string[],evidence,rule,confidence:float`
//! — one row per edge (a source, type and target seen any number of times); `occurrences`
//! counts the times it was seen (at least 1), `articles` lists the articles it was seen in
//! (`;`-separated), `evidence` and `rule` come from its first occurrence and `confidence`
//! is the highest of all occurrences (empty for edges without provenance, such as
//! `mentions`).
//!
//! Quoting follows RFC 4180: a field holding a comma, a double quote, CR or LF is put in
//! double quotes, with inner quotes doubled. Records end with LF. Statement texts can
//! span lines, so import with `neo4j-admin database import ... --multiline-fields=true`.
//! `;` inside an alias would split it in neo4j's array syntax, so it is written as `,`
//! there. Rows are in [`Graph::sorted_nodes`] / [`Graph::sorted_edges`] order.

use super::atomic_write;
use crate::graph::{Graph, NodeType};
use anyhow::Result;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const NODES_HEADER: [&str; 7] = [
    "id:ID",
    ":LABEL",
    "label",
    "aliases:string[]",
    "kind",
    "text",
    "mentions:int",
];

pub const EDGES_HEADER: [&str; 8] = [
    ":START_ID",
    ":END_ID",
    ":TYPE",
    "occurrences:int",
    "articles:string[]",
    "evidence",
    "rule",
    "confidence:float",
];

/// Writes `nodes.csv` and `edges.csv` into `dir`.
pub fn write_files(graph: &Graph, dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(vec![
        atomic_write(&dir.join("nodes.csv"), |w| write_nodes(graph, w))?,
        atomic_write(&dir.join("edges.csv"), |w| write_edges(graph, w))?,
    ])
}

/// Writes the node table.
pub fn write_nodes(graph: &Graph, w: &mut dyn Write) -> Result<()> {
    write_record(w, &NODES_HEADER)?;
    for i in graph.sorted_nodes() {
        let n = &graph.g[i];
        let aliases: Vec<String> = n.aliases.iter().map(|a| a.replace(';', ",")).collect();
        let statement = n.ntype == NodeType::Statement;
        write_record(
            w,
            &[
                n.id.as_str(),
                n.ntype.name(),
                n.label.as_str(),
                &aliases.join(";"),
                if statement { n.kind.unwrap_or("") } else { "" },
                if statement {
                    n.text.as_deref().unwrap_or("")
                } else {
                    ""
                },
                &n.mentions.len().to_string(),
            ],
        )?;
    }
    Ok(())
}

/// Writes the edge table.
pub fn write_edges(graph: &Graph, w: &mut dyn Write) -> Result<()> {
    write_record(w, &EDGES_HEADER)?;
    for (a, b, e) in graph.sorted_edges() {
        let mut articles: BTreeSet<&str> = e.provenance.iter().map(|p| &*p.article).collect();
        if articles.is_empty() {
            // mentions / authored_by edges carry no provenance: their article is the source
            if let Some(info) = &graph.g[a].article {
                articles.insert(info.id.as_str());
            }
        }
        let first = e.provenance.first();
        let confidence = e
            .provenance
            .iter()
            .map(|p| p.confidence)
            .fold(None, |m: Option<f32>, c| Some(m.map_or(c, |m| m.max(c))));
        write_record(
            w,
            &[
                graph.g[a].id.as_str(),
                graph.g[b].id.as_str(),
                &e.etype,
                &e.provenance.len().max(1).to_string(),
                &articles.into_iter().collect::<Vec<_>>().join(";"),
                first.map_or("", |p| &*p.evidence),
                first.map_or("", |p| &*p.rule),
                &confidence.map_or(String::new(), |c| c.to_string()),
            ],
        )?;
    }
    Ok(())
}

/// Writes one record: fields joined by commas, quoted where RFC 4180 needs it, then LF.
pub fn write_record(w: &mut dyn Write, fields: &[&str]) -> Result<()> {
    let mut line = String::new();
    for (k, f) in fields.iter().enumerate() {
        if k > 0 {
            line.push(',');
        }
        push_field(&mut line, f);
    }
    line.push('\n');
    w.write_all(line.as_bytes())?;
    Ok(())
}

fn push_field(out: &mut String, f: &str) {
    if f.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&f.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_where_needed() {
        let mut buf = Vec::new();
        write_record(&mut buf, &["plain", "a,b", "say \"hi\"", "two\nlines", ""]).unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n"
        );
    }
}
