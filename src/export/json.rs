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
/// Pieces are appended to a buffer (a copy, no call through the writer per piece) that
/// goes to the writer whenever it holds [`FLUSH_AT`] bytes, and at the end.
struct Pretty<W: Write> {
    w: W,
    buf: Vec<u8>,
    indent: usize,
    /// Whether the innermost open container has an element yet.
    has_value: bool,
}

/// Buffered bytes that send the buffer to the writer.
const FLUSH_AT: usize = 1 << 16;

/// A line break and 32 spaces: a line break with its indentation is a slice of it.
const NEWLINE_INDENT: &[u8] = b"\n                                ";

impl<W: Write> Pretty<W> {
    fn new(w: W) -> Self {
        Pretty {
            w,
            buf: Vec::with_capacity(2 * FLUSH_AT),
            indent: 0,
            has_value: false,
        }
    }

    /// Writes everything buffered, then flushes the writer.
    fn finish(&mut self) -> io::Result<()> {
        self.w.write_all(&self.buf)?;
        self.buf.clear();
        self.w.flush()
    }

    fn newline(&mut self) {
        let spaces = self.indent * 2;
        let first = spaces.min(NEWLINE_INDENT.len() - 1);
        self.buf.extend_from_slice(&NEWLINE_INDENT[..1 + first]);
        let mut left = spaces - first;
        while left > 0 {
            let n = left.min(NEWLINE_INDENT.len() - 1);
            self.buf.extend_from_slice(&NEWLINE_INDENT[1..1 + n]);
            left -= n;
        }
    }

    fn open(&mut self, bracket: u8) {
        self.indent += 1;
        self.has_value = false;
        self.buf.push(bracket);
    }

    fn close(&mut self, bracket: u8) {
        self.indent -= 1;
        if self.has_value {
            self.newline();
        }
        self.has_value = true;
        self.buf.push(bracket);
    }

    /// Starts the next element of an array; sends the buffer to the writer when full.
    fn item(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        if self.has_value {
            self.buf.push(b',');
        }
        self.has_value = true;
        self.newline();
        Ok(())
    }

    /// Starts the member `name` of an object. Names are this writer's own identifiers
    /// (static, letters and underscores): written as they are, no escaping scan.
    fn key(&mut self, name: &'static str) {
        debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        if self.has_value {
            self.buf.push(b',');
        }
        self.has_value = true;
        self.newline();
        self.buf.push(b'"');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b"\": ");
    }

    fn string(&mut self, s: &str) {
        self.buf.push(b'"');
        let bytes = s.as_bytes();
        let mut start = 0;
        while let Some(at) = first_escape(&bytes[start..]) {
            let i = start + at;
            self.buf.extend_from_slice(&bytes[start..i]);
            let b = bytes[i];
            match b {
                b'"' => self.buf.extend_from_slice(b"\\\""),
                b'\\' => self.buf.extend_from_slice(b"\\\\"),
                b'\n' => self.buf.extend_from_slice(b"\\n"),
                b'\r' => self.buf.extend_from_slice(b"\\r"),
                b'\t' => self.buf.extend_from_slice(b"\\t"),
                0x08 => self.buf.extend_from_slice(b"\\b"),
                0x0c => self.buf.extend_from_slice(b"\\f"),
                _ => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.buf.extend_from_slice(&[
                        b'\\',
                        b'u',
                        b'0',
                        b'0',
                        HEX[(b >> 4) as usize],
                        HEX[(b & 0xf) as usize],
                    ]);
                }
            }
            start = i + 1;
        }
        self.buf.extend_from_slice(&bytes[start..]);
        self.buf.push(b'"');
    }

    fn opt_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.buf.extend_from_slice(b"null"),
        }
    }

    /// A decimal number, digits written from the end of a small array (no formatter).
    fn number(&mut self, n: usize) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = n;
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&digits[at..]);
    }

    fn float(&mut self, x: f64) -> io::Result<()> {
        serde_json::to_writer(&mut self.buf, &x).map_err(io::Error::from)
    }

    /// `"name": "value"` members in a row.
    fn string_members(&mut self, members: &[(&'static str, Option<&str>)]) {
        for (name, value) in members {
            self.key(name);
            self.opt_string(*value);
        }
    }

    fn span(&mut self, name: &'static str, span: Option<CharSpan>) {
        if let Some(c) = span {
            self.key(name);
            self.open(b'{');
            self.key("end");
            self.number(c.end);
            self.key("start");
            self.number(c.start);
            self.close(b'}');
        }
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
    p.open(b'{');
    p.key("aliases");
    p.open(b'[');
    for a in &node.aliases {
        p.item()?;
        p.string(a);
    }
    p.close(b']');
    p.key("id");
    p.string(&node.id);
    if statement {
        p.key("kind");
        p.opt_string(node.kind);
    }
    p.key("label");
    p.string(&node.label);
    p.key("mentions");
    p.open(b'[');
    for m in &node.mentions {
        p.item()?;
        p.open(b'{');
        p.key("article");
        p.string(&m.article);
        p.key("end");
        p.number(m.end);
        p.key("start");
        p.number(m.start);
        p.close(b'}');
    }
    p.close(b']');
    if node.ntype == NodeType::Person {
        p.key("roles");
        p.open(b'[');
        for r in &node.roles {
            p.item()?;
            p.open(b'{');
            p.string_members(&[
                ("organization", Some(r.organization.as_str())),
                ("title", Some(r.title.as_str())),
            ]);
            p.close(b'}');
        }
        p.close(b']');
    }
    if statement {
        p.string_members(&[
            ("speaker", node.speaker.as_deref()),
            ("text", node.text.as_deref()),
        ]);
    }
    p.key("type");
    p.string(node.ntype.name());
    p.close(b'}');
    Ok(())
}

fn provenance<W: Write>(p: &mut Pretty<W>, o: &Provenance) -> io::Result<()> {
    p.open(b'{');
    p.key("article");
    p.string(&o.article);
    p.key("confidence");
    p.float(o.confidence as f64)?;
    p.span("content", o.content);
    p.span("cue", o.cue);
    p.key("end");
    p.number(o.end);
    p.string_members(&[
        ("evidence", Some(&*o.evidence)),
        ("rule", Some(o.rule.as_str())),
    ]);
    p.span("speaker", o.speaker);
    p.key("start");
    p.number(o.start);
    if let Some(t) = &o.title {
        p.key("title");
        p.string(t);
    }
    p.close(b'}');
    Ok(())
}

/// Writes the graph.json document of `graph`.
fn write_graph<W: Write>(graph: &Graph, w: W) -> io::Result<()> {
    let g = &graph.g;
    let nodes = graph.sorted_nodes();
    let mut p = Pretty::new(w);
    p.open(b'{');
    p.key("articles");
    p.open(b'[');
    for a in nodes.iter().filter_map(|&n| g[n].article.as_ref()) {
        p.item()?;
        p.open(b'{');
        p.string_members(&[
            ("date", a.date.as_deref()),
            ("file", Some(a.file.as_str())),
            ("id", Some(a.id.as_str())),
            ("source", a.source.as_deref()),
            ("title", a.title.as_deref()),
        ]);
        p.close(b'}');
    }
    p.close(b']');
    p.key("edges");
    p.open(b'[');
    for (a, b, e) in graph.sorted_edges() {
        p.item()?;
        p.open(b'{');
        p.key("provenance");
        p.open(b'[');
        for o in &e.provenance {
            p.item()?;
            provenance(&mut p, o)?;
        }
        p.close(b']');
        p.string_members(&[
            ("source", Some(g[a].id.as_str())),
            ("target", Some(g[b].id.as_str())),
            ("type", Some(e.etype.as_str())),
        ]);
        p.close(b'}');
    }
    p.close(b']');
    p.key("nodes");
    p.open(b'[');
    for &n in &nodes {
        p.item()?;
        node(&mut p, &g[n])?;
    }
    p.close(b']');
    p.close(b'}');
    p.buf.push(b'\n');
    p.finish()
}

/// graph.json as a `serde_json::Value` (for tests and tools that inspect it).
pub fn to_value(graph: &Graph) -> Value {
    let mut buf = Vec::new();
    write_graph(graph, &mut buf).expect("writing to memory cannot fail");
    serde_json::from_slice(&buf).expect("graph.json is valid JSON")
}

pub fn write(graph: &Graph, w: &mut dyn Write) -> Result<()> {
    write_graph(graph, w)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_escape_finds_the_first_byte_to_escape_at_any_position() {
        for len in 0..40 {
            let plain: Vec<u8> = (0..len).map(|i| b"ab z~\x7f\xc3\xa9!"[i % 8]).collect();
            assert_eq!(first_escape(&plain), None, "{plain:?}");
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = plain.clone();
                    bytes[at] = b;
                    // A second byte to escape later never hides the first.
                    if at + 1 < len {
                        bytes[len - 1] = b'"';
                    }
                    let expected = bytes.iter().position(|&c| needs_escape(c));
                    assert_eq!(first_escape(&bytes), expected, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let samples = [
            "",
            "plain",
            "a \"quoted\" word and a back\\slash",
            "line\nbreak\ttab\r\u{8}\u{c}\u{1}\u{1f} end",
            "ünïcödé “curly” \u{7f}",
        ];
        for s in samples {
            let mut p = Pretty::new(Vec::new());
            p.string(s);
            assert_eq!(
                String::from_utf8(p.buf).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }
}
