//! graph.json: the contract other tools read (see README, "JSON").
//!
//! The document is written straight from the graph: object keys in sorted order,
//! confidences printed as the `f64` of the stored `f32`, pretty printed with two spaces
//! (the text `serde_json`'s pretty printer gives for the same `Value`). Strings are escaped
//! as `serde_json` escapes them, a whole run of plain bytes at a time.

use crate::graph::{CharSpan, Graph, Node, NodeType, Provenance};
use anyhow::Result;
use serde_json::Value;
use std::io::{self, Write};

/// A pretty-printing JSON writer: containers and keys in the order the caller gives them.
struct Pretty<W: Write> {
    w: W,
    indent: usize,
    /// Whether the innermost open container has an element yet.
    has_value: bool,
}

impl<W: Write> Pretty<W> {
    fn new(w: W) -> Self {
        Pretty {
            w,
            indent: 0,
            has_value: false,
        }
    }

    fn newline(&mut self) -> io::Result<()> {
        const SPACES: &[u8] = &[b' '; 64];
        self.w.write_all(b"\n")?;
        let mut left = self.indent * 2;
        while left > 0 {
            let n = left.min(SPACES.len());
            self.w.write_all(&SPACES[..n])?;
            left -= n;
        }
        Ok(())
    }

    fn open(&mut self, bracket: &[u8]) -> io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        self.w.write_all(bracket)
    }

    fn close(&mut self, bracket: &[u8]) -> io::Result<()> {
        self.indent -= 1;
        if self.has_value {
            self.newline()?;
        }
        self.has_value = true;
        self.w.write_all(bracket)
    }

    /// Starts the next element of an array.
    fn item(&mut self) -> io::Result<()> {
        if self.has_value {
            self.w.write_all(b",")?;
        }
        self.has_value = true;
        self.newline()
    }

    /// Starts the member `name` of an object. Names are this writer's own identifiers
    /// (static, letters and underscores): written as they are, no escaping scan.
    fn key(&mut self, name: &'static str) -> io::Result<()> {
        debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        self.item()?;
        self.w.write_all(b"\"")?;
        self.w.write_all(name.as_bytes())?;
        self.w.write_all(b"\": ")
    }

    fn string(&mut self, s: &str) -> io::Result<()> {
        self.w.write_all(b"\"")?;
        let bytes = s.as_bytes();
        let mut start = 0;
        while let Some(at) = first_escape(&bytes[start..]) {
            let i = start + at;
            self.w.write_all(&bytes[start..i])?;
            let b = bytes[i];
            match b {
                b'"' => self.w.write_all(b"\\\"")?,
                b'\\' => self.w.write_all(b"\\\\")?,
                b'\n' => self.w.write_all(b"\\n")?,
                b'\r' => self.w.write_all(b"\\r")?,
                b'\t' => self.w.write_all(b"\\t")?,
                0x08 => self.w.write_all(b"\\b")?,
                0x0c => self.w.write_all(b"\\f")?,
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.w.write_all(&[
                        b'\\',
                        b'u',
                        b'0',
                        b'0',
                        HEX[(b >> 4) as usize],
                        HEX[(b & 0xf) as usize],
                    ])?
                }
            }
            start = i + 1;
        }
        self.w.write_all(&bytes[start..])?;
        self.w.write_all(b"\"")
    }

    fn opt_string(&mut self, s: Option<&str>) -> io::Result<()> {
        match s {
            Some(s) => self.string(s),
            None => self.w.write_all(b"null"),
        }
    }

    fn number(&mut self, n: usize) -> io::Result<()> {
        write!(self.w, "{n}")
    }

    fn float(&mut self, x: f64) -> io::Result<()> {
        serde_json::to_writer(&mut self.w, &x).map_err(io::Error::from)
    }

    /// `"name": "value"` members in a row.
    fn string_members(&mut self, members: &[(&'static str, Option<&str>)]) -> io::Result<()> {
        for (name, value) in members {
            self.key(name)?;
            self.opt_string(*value)?;
        }
        Ok(())
    }

    fn span(&mut self, name: &'static str, span: Option<CharSpan>) -> io::Result<()> {
        if let Some(c) = span {
            self.key(name)?;
            self.open(b"{")?;
            self.key("end")?;
            self.number(c.end)?;
            self.key("start")?;
            self.number(c.start)?;
            self.close(b"}")?;
        }
        Ok(())
    }
}

/// The bytes `serde_json` escapes: quotation mark, backslash and control characters.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Position of the first byte to escape: sixteen bytes at a time (a test without an early
/// exit, which the compiler turns into vector instructions), then byte by byte.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(16);
    let mut skipped = 0;
    for chunk in &mut chunks {
        if chunk.iter().fold(false, |any, &b| any | needs_escape(b)) {
            break;
        }
        skipped += 16;
    }
    bytes[skipped..]
        .iter()
        .position(|&b| needs_escape(b))
        .map(|at| skipped + at)
}

fn node<W: Write>(p: &mut Pretty<W>, node: &Node) -> io::Result<()> {
    let statement = node.ntype == NodeType::Statement;
    p.open(b"{")?;
    p.key("aliases")?;
    p.open(b"[")?;
    for a in &node.aliases {
        p.item()?;
        p.string(a)?;
    }
    p.close(b"]")?;
    p.key("id")?;
    p.string(&node.id)?;
    if statement {
        p.key("kind")?;
        p.opt_string(node.kind)?;
    }
    p.key("label")?;
    p.string(&node.label)?;
    p.key("mentions")?;
    p.open(b"[")?;
    for m in &node.mentions {
        p.item()?;
        p.open(b"{")?;
        p.key("article")?;
        p.string(&m.article)?;
        p.key("end")?;
        p.number(m.end)?;
        p.key("start")?;
        p.number(m.start)?;
        p.close(b"}")?;
    }
    p.close(b"]")?;
    if node.ntype == NodeType::Person {
        p.key("roles")?;
        p.open(b"[")?;
        for r in &node.roles {
            p.item()?;
            p.open(b"{")?;
            p.string_members(&[
                ("organization", Some(r.organization.as_str())),
                ("title", Some(r.title.as_str())),
            ])?;
            p.close(b"}")?;
        }
        p.close(b"]")?;
    }
    if statement {
        p.string_members(&[
            ("speaker", node.speaker.as_deref()),
            ("text", node.text.as_deref()),
        ])?;
    }
    p.key("type")?;
    p.string(node.ntype.name())?;
    p.close(b"}")
}

fn provenance<W: Write>(p: &mut Pretty<W>, o: &Provenance) -> io::Result<()> {
    p.open(b"{")?;
    p.key("article")?;
    p.string(&o.article)?;
    p.key("confidence")?;
    p.float(o.confidence as f64)?;
    p.span("content", o.content)?;
    p.span("cue", o.cue)?;
    p.key("end")?;
    p.number(o.end)?;
    p.string_members(&[
        ("evidence", Some(&*o.evidence)),
        ("rule", Some(o.rule.as_str())),
    ])?;
    p.span("speaker", o.speaker)?;
    p.key("start")?;
    p.number(o.start)?;
    if let Some(t) = &o.title {
        p.key("title")?;
        p.string(t)?;
    }
    p.close(b"}")
}

/// Writes the graph.json document of `graph`.
fn write_graph<W: Write>(graph: &Graph, w: W) -> io::Result<()> {
    let g = &graph.g;
    let nodes = graph.sorted_nodes();
    let mut p = Pretty::new(w);
    p.open(b"{")?;
    p.key("articles")?;
    p.open(b"[")?;
    for a in nodes.iter().filter_map(|&n| g[n].article.as_ref()) {
        p.item()?;
        p.open(b"{")?;
        p.string_members(&[
            ("date", a.date.as_deref()),
            ("file", Some(a.file.as_str())),
            ("id", Some(a.id.as_str())),
            ("source", a.source.as_deref()),
            ("title", a.title.as_deref()),
        ])?;
        p.close(b"}")?;
    }
    p.close(b"]")?;
    p.key("edges")?;
    p.open(b"[")?;
    for (a, b, e) in graph.sorted_edges() {
        p.item()?;
        p.open(b"{")?;
        p.key("provenance")?;
        p.open(b"[")?;
        for o in &e.provenance {
            p.item()?;
            provenance(&mut p, o)?;
        }
        p.close(b"]")?;
        p.string_members(&[
            ("source", Some(g[a].id.as_str())),
            ("target", Some(g[b].id.as_str())),
            ("type", Some(e.etype.as_str())),
        ])?;
        p.close(b"}")?;
    }
    p.close(b"]")?;
    p.key("nodes")?;
    p.open(b"[")?;
    for &n in &nodes {
        p.item()?;
        node(&mut p, &g[n])?;
    }
    p.close(b"]")?;
    p.close(b"}")?;
    p.w.write_all(b"\n")?;
    p.w.flush()
}

/// graph.json as a `serde_json::Value` (for tests and tools that inspect it).
pub fn to_value(graph: &Graph) -> Value {
    let mut buf = Vec::new();
    write_graph(graph, &mut buf).expect("writing to memory cannot fail");
    serde_json::from_slice(&buf).expect("graph.json is valid JSON")
}

pub fn write(graph: &Graph, w: &mut dyn Write) -> Result<()> {
    write_graph(graph, std::io::BufWriter::with_capacity(1 << 16, w))?;
    Ok(())
}
