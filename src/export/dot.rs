//! DOT export through petgraph (renders with Graphviz), and graph.svg when `dot` exists.
//!
//! `graph.dot` is meant to be looked at, so it is a readable picture rather than a full
//! dump (graph.json, the CSV tables and the RDF files are the complete exports):
//!
//! - By default it leaves out Article nodes and every `mentions` edge (article ->
//!   entity): in a corpus nearly every entity is mentioned by nearly every article, and
//!   those edges would tie the whole picture into one knot. `authored_by` edges, which
//!   need their Article node, go with them. [`DotOptions::include_mentions`] puts all of
//!   them back.
//! - Node shape and colour follow the node type (a legend cluster lists the types
//!   drawn); statements are notes showing the first ~50 characters of their text in
//!   quotes, with a solid (direct quote), dashed (indirect) or dotted (claim) border. The
//!   full text and the node id are in the tooltip (visible when hovering in the SVG), and
//!   each SVG node element carries the node id as its `id`.
//! - An edge is labelled with its type, followed by `×N` when it was seen N > 1 times.
//!   Accusing and denying relations are red, cooperating ones green, structural ones grey.
//! - [`DotOptions::focus`] narrows the picture to the neighbourhood of one node (see
//!   [`focus`]).
//!
//! Nodes and edges are written in the sorted order of [`Graph::sorted_nodes`] and
//! [`Graph::sorted_edges`], so the file is the same for the same graph. Every label
//! goes through [`escape`] (quotes, backslashes and line breaks; other text, including
//! non-ASCII, is written as is: Graphviz reads UTF-8).
//!
//! When the Graphviz `dot` program is on `PATH`, [`write_files`] also renders
//! `graph.svg` (skipped without a word when `dot` is missing, with a note on stderr when
//! the graph is too large to lay out quickly or `dot` fails; a stale `graph.svg` from
//! an earlier run is removed then, so it never disagrees with `graph.dot`).

use super::{atomic_write, Options};
use crate::graph::{Edge, Graph, Node, NodeType};
use anyhow::{bail, Context, Result};
use petgraph::dot::{Config, Dot};
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, NodeRef};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Above this many drawn nodes `graph.svg` is not rendered: Graphviz's layout time grows
/// fast, and such a picture is unreadable anyway (use [`DotOptions::focus`]).
pub const SVG_MAX_NODES: usize = 1500;

/// Statement text shown in a node, in characters (the full text is in the tooltip).
const STATEMENT_CHARS: usize = 50;
/// Line width labels are wrapped to, in characters.
const WRAP: usize = 28;
const FONT: &str = "Helvetica,Arial,sans-serif";

/// What the picture shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotOptions {
    /// Also draw Article nodes with their `mentions` and `authored_by` edges.
    pub include_mentions: bool,
    /// Only draw the neighbourhood of the node with this label, alias or id (see [`focus`]).
    pub focus: Option<String>,
    /// How many edges away from the focus node to go (used with `focus`).
    pub depth: usize,
}

impl Default for DotOptions {
    fn default() -> Self {
        DotOptions {
            include_mentions: false,
            focus: None,
            depth: 1,
        }
    }
}

/// Writes `graph.dot` (and `graph.svg` when Graphviz is installed) into `dir` with the
/// [`DotOptions`] of `opts` (the picture shows labels, not IRIs: the base is not used).
pub fn write_files(graph: &Graph, dir: &Path, opts: &Options) -> Result<Vec<PathBuf>> {
    write_files_with(graph, dir, &opts.dot)
}

/// [`write_files`] with explicit [`DotOptions`].
pub fn write_files_with(graph: &Graph, dir: &Path, opts: &DotOptions) -> Result<Vec<PathBuf>> {
    let focused;
    let graph = match &opts.focus {
        Some(name) => {
            focused = focus(graph, name, opts.depth)?;
            &focused
        }
        None => graph,
    };
    let dot_path = dir.join("graph.dot");
    let svg_path = dir.join("graph.svg");
    let mut drawn = 0;
    atomic_write(&dot_path, |w| {
        drawn = write_dot_counted(graph, w, opts)?;
        Ok(())
    })?;
    let mut out = vec![dot_path.clone()];
    let rendered = if drawn > SVG_MAX_NODES {
        eprintln!(
            "note: graph.svg not rendered: {drawn} nodes is more than {SVG_MAX_NODES} (graph.dot is written; narrow it with a focus)"
        );
        false
    } else {
        match render_svg(&dot_path) {
            Ok(Some(svg)) => {
                out.push(atomic_write(&svg_path, |w| Ok(w.write_all(&svg)?))?);
                true
            }
            Ok(None) => false, // no Graphviz: the DOT file is the export
            Err(e) => {
                eprintln!("note: graph.svg not rendered: {e:#}");
                false
            }
        }
    };
    if !rendered {
        match std::fs::remove_file(&svg_path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("removing stale {}", svg_path.display()));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Runs `dot -Tsvg` on a DOT file: `Ok(None)` when `dot` is not installed.
fn render_svg(dot_file: &Path) -> Result<Option<Vec<u8>>> {
    let child = Command::new("dot")
        .arg("-Tsvg")
        .arg(dot_file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).context("running Graphviz dot"),
    };
    let out = child.wait_with_output().context("running Graphviz dot")?;
    if !out.status.success() {
        bail!(
            "Graphviz dot failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(Some(out.stdout))
}

/// Writes the DOT text of `graph` (see the module doc for what is drawn).
pub fn write_dot(graph: &Graph, w: &mut dyn Write, opts: &DotOptions) -> Result<()> {
    match &opts.focus {
        Some(name) => write_dot_counted(&focus(graph, name, opts.depth)?, w, opts),
        None => write_dot_counted(graph, w, opts),
    }
    .map(|_| ())
}

/// The DOT text of `graph` as a string.
pub fn to_dot_string(graph: &Graph, opts: &DotOptions) -> Result<String> {
    let mut buf = Vec::new();
    write_dot(graph, &mut buf, opts)?;
    Ok(String::from_utf8(buf).expect("DOT output is UTF-8"))
}

/// Writes the picture of `graph` (already narrowed when `opts.focus` is set: the focus
/// only names the title) and returns how many nodes it drew.
fn write_dot_counted(graph: &Graph, w: &mut dyn Write, opts: &DotOptions) -> Result<usize> {
    let src = &graph.g;
    let shown = |n: &Node| opts.include_mentions || n.ntype != NodeType::Article;
    // A fresh graph in sorted order, so the output does not depend on insertion order.
    let mut view: StableDiGraph<&Node, &Edge> = StableDiGraph::new();
    let mut map: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    for i in graph.sorted_nodes() {
        if shown(&src[i]) {
            map.insert(i, view.add_node(&src[i]));
        }
    }
    for (a, b, e) in graph.sorted_edges() {
        if !opts.include_mentions && &*e.etype == "mentions" {
            continue;
        }
        if let (Some(&a), Some(&b)) = (map.get(&a), map.get(&b)) {
            view.add_edge(a, b, e);
        }
    }

    writeln!(w, "digraph claimgraph {{")?;
    writeln!(
        w,
        "    graph [rankdir=LR, fontname=\"{FONT}\", fontsize=12, nodesep=0.25, ranksep=0.9, labelloc=t, label=\"{}\", tooltip=\"claimgraph\"]",
        escape(&format!(
            "claimgraph{}: {} nodes, {} edges{}",
            match &opts.focus {
                Some(name) => format!(" around {name:?} (depth {})", opts.depth),
                None => String::new(),
            },
            view.node_count(),
            view.edge_count(),
            if opts.include_mentions { "" } else { " (articles and mentions left out)" }
        ))
    )?;
    writeln!(
        w,
        "    node [fontname=\"{FONT}\", fontsize=11, style=filled, penwidth=1.2]"
    )?;
    writeln!(
        w,
        "    edge [fontname=\"{FONT}\", fontsize=9, arrowsize=0.7]"
    )?;

    // Legend: one sample node per type drawn (statements: one per kind).
    let mut types: BTreeSet<NodeType> = view.node_weights().map(|n| n.ntype).collect();
    if types.is_empty() {
        types.extend(
            NodeType::ALL
                .iter()
                .filter(|t| opts.include_mentions || **t != NodeType::Article),
        );
    }
    writeln!(w, "    subgraph cluster_legend {{")?;
    writeln!(
        w,
        "        graph [label=\"Legend\", style=\"rounded,dashed\", color=\"#999999\", fontsize=11]"
    )?;
    writeln!(
        w,
        "        node [fontsize=9, height=0.3, margin=\"0.08,0.03\"]"
    )?;
    for t in &types {
        let samples: Vec<(String, Option<&str>)> = if *t == NodeType::Statement {
            ["direct", "indirect", "claim"]
                .iter()
                .map(|k| (format!("Statement ({k})"), Some(*k)))
                .collect()
        } else {
            vec![(t.name().to_string(), None)]
        };
        for (label, kind) in samples {
            writeln!(
                w,
                "        \"legend_{}\" [label=\"{}\", {}]",
                escape(&label.to_lowercase().replace([' ', '(', ')'], "")),
                escape(&label),
                style_of(*t, kind)
            )?;
        }
    }
    writeln!(w, "    }}")?;

    // Nodes with no drawn edge (statements without a speaker, entities only mentioned):
    // a compact grid of rows joined by invisible edges instead of one very tall column.
    let isolated: Vec<NodeIndex> = view
        .node_indices()
        .filter(|&i| view.neighbors_undirected(i).next().is_none())
        .collect();
    if !isolated.is_empty() && isolated.len() < view.node_count() {
        writeln!(w, "    subgraph cluster_unlinked {{")?;
        writeln!(
            w,
            "        graph [label=\"{}\", style=\"rounded,dashed\", color=\"#999999\", fontsize=11]",
            escape(&format!("Not linked to other nodes ({})", isolated.len()))
        )?;
        let per_row = ((isolated.len() as f64).sqrt().ceil() as usize).clamp(1, 6);
        for row in isolated.chunks(per_row) {
            let ids: Vec<String> = row.iter().map(|i| i.index().to_string()).collect();
            writeln!(w, "        {}", ids.join(" "))?;
            if ids.len() > 1 {
                writeln!(w, "        {} [style=invis]", ids.join(" -> "))?;
            }
        }
        writeln!(w, "    }}")?;
    }

    let node_attrs =
        |_, n: <&StableDiGraph<&Node, &Edge> as petgraph::visit::IntoNodeReferences>::NodeRef| {
            node_attributes(n.weight())
        };
    let edge_attrs =
        |_, e: petgraph::stable_graph::EdgeReference<'_, &Edge>| edge_attributes(e.weight());
    let dot = Dot::with_attr_getters(
        &view,
        &[
            Config::EdgeNoLabel,
            Config::NodeNoLabel,
            Config::GraphContentOnly,
        ],
        &edge_attrs,
        &node_attrs,
    );
    write!(w, "{dot:?}")?;
    writeln!(w, "}}")?;
    Ok(view.node_count())
}

/// Shape, fill and border of a node type (statements: by kind).
fn style_of(t: NodeType, kind: Option<&str>) -> String {
    let (shape, fill, border, extra) = match t {
        NodeType::Person => ("ellipse", "#cfe2ff", "#3d6fb6", ""),
        NodeType::Agency => ("box", "#ffe0b3", "#c07a12", ""),
        NodeType::Organization => ("box", "#f3d9fa", "#9c4fb8", "rounded,"),
        NodeType::Country => ("hexagon", "#d3f0d0", "#3f8f3a", ""),
        NodeType::Place => ("house", "#e2f3e6", "#5e9e6e", ""),
        NodeType::Substance => ("diamond", "#ffd6d6", "#c0392b", ""),
        NodeType::Statement => ("note", "#fffbe0", "#a89a3c", ""),
        NodeType::Article => ("folder", "#eeeeee", "#777777", ""),
    };
    let border_style = match (t, kind) {
        (NodeType::Statement, Some("indirect")) => "dashed,",
        (NodeType::Statement, Some("claim")) => "dotted,",
        _ => "",
    };
    format!("shape={shape}, style=\"{extra}{border_style}filled\", fillcolor=\"{fill}\", color=\"{border}\"")
}

fn node_attributes(n: &Node) -> String {
    let (label, tooltip) = match n.ntype {
        NodeType::Statement => {
            let text = n.text.as_deref().unwrap_or(&n.label);
            let short = truncate(&squash(text), STATEMENT_CHARS);
            (
                format!("“{short}”"),
                format!(
                    "{} ({}): {}",
                    n.id,
                    n.kind.unwrap_or("statement"),
                    squash(text)
                ),
            )
        }
        NodeType::Article => {
            let title = n
                .article
                .as_ref()
                .and_then(|a| a.title.as_deref())
                .unwrap_or(&n.label);
            (
                truncate(&squash(title), STATEMENT_CHARS),
                format!("{}: {}", n.id, squash(title)),
            )
        }
        _ => {
            // Aliases other than the label, one spelling per case-folded form.
            let mut seen: BTreeSet<String> = BTreeSet::from([n.label.to_lowercase()]);
            let aliases: Vec<&str> = n
                .aliases
                .iter()
                .filter(|a| seen.insert(a.to_lowercase()))
                .map(String::as_str)
                .collect();
            let tip = if aliases.is_empty() {
                n.id.clone()
            } else {
                format!("{} (also: {})", n.id, aliases.join(", "))
            };
            (n.label.clone(), tip)
        }
    };
    format!(
        "label=\"{}\", tooltip=\"{}\", id=\"{}\", {} ",
        wrap(&label, WRAP)
            .iter()
            .map(|l| escape(l))
            .collect::<Vec<_>>()
            .join("\\n"),
        escape(&tooltip),
        escape(&n.id),
        style_of(n.ntype, n.kind)
    )
}

fn edge_attributes(e: &Edge) -> String {
    let count = e.provenance.len();
    let label = if count > 1 {
        format!("{} ×{count}", e.etype)
    } else {
        e.etype.to_string()
    };
    let (color, style) = match &*e.etype {
        "says" => ("#6b6b6b", "solid"),
        "accuses" | "denies" | "disputes" | "indicts" | "criticizes" | "blames" | "sanctions" => {
            ("#c0392b", "bold")
        }
        "cooperates_with" | "praises" | "meets" | "supports" | "agrees_with" => ("#2e8b3e", "bold"),
        "part_of" | "affiliated_with" | "located_in" | "mentions" | "authored_by" => {
            ("#9aa5b1", "dashed")
        }
        _ => ("#34495e", "solid"),
    };
    let tooltip = match e.provenance.first() {
        Some(p) => format!("{}: {}", e.etype, squash(&p.evidence)),
        None => e.etype.to_string(),
    };
    format!(
        "label=\"{}\", tooltip=\"{}\", color=\"{color}\", fontcolor=\"{color}\", style={style}, penwidth={} ",
        escape(&label),
        escape(&tooltip),
        if count > 2 { 2.0 } else { 1.0 }
    )
}

/// Escapes text for a double-quoted DOT string: `"` and `\` get a backslash, a line
/// break becomes `\n`, other control characters a space. The result never ends a string
/// early and never forms a Graphviz escape (`\N`, `\G`, `\l`, ...) of its own.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Collapses runs of whitespace (line breaks included) into single spaces.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts `s` to at most `max` characters, at a word boundary when one is near, adding "…".
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if cut[..i].chars().count() >= max * 2 / 3 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':', '.', '-']))
}

/// Greedy word wrap to lines of about `width` characters (long words stay whole).
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// Keeps only the neighbourhood of one node: every node at most `depth` edges away from
/// it, following edges in either direction, and the edges among those nodes.
///
/// The node is the one whose label or an alias equals `name` ignoring case (or whose id
/// equals `name`); when several match (a person and a statement with the same text, say)
/// all are kept as starting points. `mentions` edges are not followed: every entity of an
/// article is two of them away from every other, so they would keep nearly everything.
pub fn focus(graph: &Graph, name: &str, depth: usize) -> Result<Graph> {
    let g = &graph.g;
    let want = name.trim().to_lowercase();
    let matches = |n: &Node| {
        n.label.to_lowercase() == want
            || n.id == want
            || n.aliases.iter().any(|a| a.to_lowercase() == want)
    };
    let starts: Vec<NodeIndex> = graph
        .sorted_nodes()
        .into_iter()
        .filter(|&i| matches(&g[i]))
        .collect();
    if starts.is_empty() {
        let near: Vec<&str> = graph
            .sorted_nodes()
            .into_iter()
            .filter(|&i| g[i].ntype != NodeType::Statement && g[i].ntype != NodeType::Article)
            .map(|i| &g[i])
            .filter(|n| {
                n.label.to_lowercase().contains(&want)
                    || n.aliases.iter().any(|a| a.to_lowercase().contains(&want))
            })
            .map(|n| n.label.as_str())
            .take(8)
            .collect();
        if near.is_empty() || want.is_empty() {
            bail!("no node is named {name:?} (matched against labels, aliases and ids, ignoring case)");
        }
        bail!(
            "no node is named {name:?}; did you mean {}?",
            near.join(", ")
        );
    }
    let mut dist: HashMap<NodeIndex, usize> = starts.iter().map(|&i| (i, 0)).collect();
    let mut queue: VecDeque<NodeIndex> = starts.into_iter().collect();
    while let Some(i) = queue.pop_front() {
        let d = dist[&i];
        if d >= depth {
            continue;
        }
        let out = g
            .edges_directed(i, petgraph::Direction::Outgoing)
            .map(|e| (e.target(), e.weight()));
        let inc = g
            .edges_directed(i, petgraph::Direction::Incoming)
            .map(|e| (e.source(), e.weight()));
        for (j, e) in out.chain(inc) {
            if &*e.etype != "mentions" && !dist.contains_key(&j) {
                dist.insert(j, d + 1);
                queue.push_back(j);
            }
        }
    }
    let mut out = Graph::default();
    let mut map: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    for i in graph.sorted_nodes() {
        if dist.contains_key(&i) {
            let n = &g[i];
            map.insert(i, out.upsert(&n.id, || n.clone()));
        }
    }
    for (a, b, e) in graph.sorted_edges() {
        if let (Some(&a), Some(&b)) = (map.get(&a), map.get(&b)) {
            out.add_edge(a, b, &e.etype, None);
            for p in &e.provenance {
                out.add_edge(a, b, &e.etype, Some(p.clone()));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_backslashes_and_breaks() {
        assert_eq!(escape(r#"a "b" \c"#), r#"a \"b\" \\c"#);
        assert_eq!(escape("x\ny\r\nz\tw"), "x\\ny\\nz w");
        assert_eq!(escape("ends with \\"), "ends with \\\\");
        assert_eq!(escape("Zhōngguó <>{}|"), "Zhōngguó <>{}|");
    }

    #[test]
    fn truncates_and_wraps() {
        assert_eq!(truncate("short", 50), "short");
        let t = truncate(
            "Once China controls a substance, it has a dramatic effect on supply",
            50,
        );
        assert!(t.ends_with('…') && t.chars().count() <= 51, "{t}");
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
    }
}
