//! GraphML export (`graph.graphml`) for networkx, Gephi, yEd, Cytoscape and igraph.
//!
//! One `<node>` per node (id = the node id) and one `<edge>` per edge (a source, type
//! and target seen any number of times, id `e0`, `e1`, ...), in the sorted order of
//! [`Graph::sorted_nodes`] / [`Graph::sorted_edges`]. Attributes (`<key>`s with
//! `attr.name` and `attr.type`; a value that does not apply is left out):
//!
//! - nodes: `type` (Person, Agency, ..., Statement, Article), `label`, `aliases`
//!   (`;`-separated), `mentions` (int: how often the node is mentioned), `kind`, `text`
//!   and `speaker` (statements), `roles` (people: `title @ organization id`,
//!   `;`-separated), `title`, `date`, `file` (articles);
//! - edges: `type` (says, accuses, ...), `occurrences` (int, at least 1), `articles`
//!   (`;`-separated article ids), `evidence` and `rule` (of the first occurrence),
//!   `confidence` (double, the highest of all occurrences).
//!
//! The XML is written by hand: text and attribute values go through [`escape`], which
//! also drops what XML 1.0 cannot carry at all (control characters other than tab, LF
//! and CR, U+FFFE, U+FFFF), writing U+FFFD instead.

use super::atomic_write;
use crate::graph::{Graph, NodeType};
use anyhow::Result;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// (key id, for, attr.name, attr.type) of every attribute, in output order.
pub const KEYS: [(&str, &str, &str, &str); 17] = [
    ("type", "node", "type", "string"),
    ("label", "node", "label", "string"),
    ("aliases", "node", "aliases", "string"),
    ("mentions", "node", "mentions", "int"),
    ("kind", "node", "kind", "string"),
    ("text", "node", "text", "string"),
    ("speaker", "node", "speaker", "string"),
    ("roles", "node", "roles", "string"),
    ("title", "node", "title", "string"),
    ("date", "node", "date", "string"),
    ("file", "node", "file", "string"),
    ("etype", "edge", "type", "string"),
    ("occurrences", "edge", "occurrences", "int"),
    ("articles", "edge", "articles", "string"),
    ("evidence", "edge", "evidence", "string"),
    ("rule", "edge", "rule", "string"),
    ("confidence", "edge", "confidence", "double"),
];

/// Writes `graph.graphml` into `dir`.
pub fn write_file(graph: &Graph, dir: &Path) -> Result<PathBuf> {
    atomic_write(&dir.join("graph.graphml"), |w| write(graph, w))
}

/// Escapes text for XML 1.0 element content and double- or single-quoted attribute
/// values: `& < > " '` become entities, tab/LF/CR character references (so attribute
/// value normalization and CRLF handling keep them), and characters XML 1.0 does not
/// allow become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn data(w: &mut dyn Write, key: &str, value: &str) -> Result<()> {
    writeln!(w, "      <data key=\"{key}\">{}</data>", escape(value))?;
    Ok(())
}

/// Writes the GraphML document.
pub fn write(graph: &Graph, w: &mut dyn Write) -> Result<()> {
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        w,
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">"
    )?;
    for (id, domain, name, ty) in KEYS {
        writeln!(
            w,
            "  <key id=\"{id}\" for=\"{domain}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        )?;
    }
    writeln!(w, "  <graph id=\"claimgraph\" edgedefault=\"directed\">")?;
    let g = &graph.g;
    for i in graph.sorted_nodes() {
        let n = &g[i];
        writeln!(w, "    <node id=\"{}\">", escape(&n.id))?;
        data(w, "type", n.ntype.name())?;
        data(w, "label", &n.label)?;
        if !n.aliases.is_empty() && n.ntype != NodeType::Statement {
            let aliases: Vec<String> = n.aliases.iter().map(|a| a.replace(';', ",")).collect();
            data(w, "aliases", &aliases.join(";"))?;
        }
        data(w, "mentions", &n.mentions.len().to_string())?;
        if n.ntype == NodeType::Statement {
            if let Some(k) = n.kind {
                data(w, "kind", k)?;
            }
            if let Some(t) = &n.text {
                data(w, "text", t)?;
            }
            if let Some(s) = &n.speaker {
                data(w, "speaker", s)?;
            }
        }
        if !n.roles.is_empty() {
            let roles: Vec<String> = n
                .roles
                .iter()
                .map(|r| format!("{} @ {}", r.title.replace(';', ","), r.organization))
                .collect();
            data(w, "roles", &roles.join(";"))?;
        }
        if let Some(a) = &n.article {
            if let Some(t) = a.title.as_deref().filter(|t| !t.is_empty()) {
                data(w, "title", t)?;
            }
            if let Some(d) = a.date.as_deref().filter(|d| !d.is_empty()) {
                data(w, "date", d)?;
            }
            data(w, "file", &a.file)?;
        }
        writeln!(w, "    </node>")?;
    }
    for (k, (a, b, e)) in graph.sorted_edges().into_iter().enumerate() {
        writeln!(
            w,
            "    <edge id=\"e{k}\" source=\"{}\" target=\"{}\">",
            escape(&g[a].id),
            escape(&g[b].id)
        )?;
        data(w, "etype", &e.etype)?;
        data(w, "occurrences", &e.provenance.len().max(1).to_string())?;
        let mut articles: BTreeSet<&str> = e.provenance.iter().map(|p| &*p.article).collect();
        if articles.is_empty() {
            // mentions / authored_by edges carry no provenance: their article is the source
            if let Some(info) = &g[a].article {
                articles.insert(info.id.as_str());
            }
        }
        if !articles.is_empty() {
            data(
                w,
                "articles",
                &articles.into_iter().collect::<Vec<_>>().join(";"),
            )?;
        }
        if let Some(p) = e.provenance.first() {
            data(w, "evidence", &p.evidence)?;
            data(w, "rule", &p.rule)?;
        }
        let confidence = e
            .provenance
            .iter()
            .map(|p| p.confidence)
            .fold(None, |m: Option<f32>, c| Some(m.map_or(c, |m| m.max(c))));
        if let Some(c) = confidence {
            data(w, "confidence", &c.to_string())?;
        }
        writeln!(w, "    </edge>")?;
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape(r#"a<b> & "c" 'd'"#),
            "a&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;"
        );
        assert_eq!(escape("x\ty\r\nz"), "x&#9;y&#13;&#10;z");
        assert_eq!(
            escape("nul\u{0}bell\u{7}\u{FFFF}"),
            "nul\u{FFFD}bell\u{FFFD}\u{FFFD}"
        );
        assert_eq!(escape("Zhōngguó “q”"), "Zhōngguó “q”");
    }
}
