//! graph.json: the contract other tools read (see README, "JSON").
//!
//! The document is written straight from the graph: object keys in sorted order,
//! confidences printed as the `f64` of the stored `f32`, pretty printed with two spaces
//! (the text `serde_json`'s pretty printer gives for the same `Value`). Strings are escaped
//! as `serde_json` escapes them, a whole run of plain bytes at a time.

use crate::graph::{CharSpan, Graph, Node, NodeType, Provenance};
use anyhow::Result;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::NodeIndexable;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::io::{self, Write};
use std::sync::Arc;

/// Indentation of nesting level `n` (two spaces a level), as a literal for `concat!`.
macro_rules! ind {
    (0) => {
        ""
    };
    (1) => {
        "  "
    };
    (2) => {
        "    "
    };
    (3) => {
        "      "
    };
    (4) => {
        "        "
    };
    (5) => {
        "          "
    };
    (6) => {
        "            "
    };
}

/// An object's opening brace and the text before the value of its first member `name`,
/// at level `d`.
macro_rules! open_key {
    ($d:tt, $name:literal) => {
        concat!("{\n", ind!($d), "\"", $name, "\": ").as_bytes()
    };
}

/// The text before the value of a later member `name` of an object at level `d`.
macro_rules! key {
    ($d:tt, $name:literal) => {
        concat!(",\n", ind!($d), "\"", $name, "\": ").as_bytes()
    };
}

/// The closing bracket `b` of a non-empty container whose members are at level `d + 1`.
macro_rules! close {
    ($d:tt, $b:literal) => {
        concat!("\n", ind!($d), $b).as_bytes()
    };
}

/// The end of an array whose elements are at level `d + 1`: "]" right after the "[" of
/// an empty one.
macro_rules! close_array {
    ($empty:expr, $d:tt) => {
        if $empty {
            b"]".as_slice()
        } else {
            close!($d, "]")
        }
    };
}

/// The text before an element of an array whose elements are at level `d`.
macro_rules! item {
    ($first:expr, $d:tt) => {
        if $first {
            concat!("\n", ind!($d)).as_bytes()
        } else {
            concat!(",\n", ind!($d)).as_bytes()
        }
    };
}

/// The JSON text of graph.json, appended to a buffer that goes to the writer whenever it
/// holds [`FLUSH_AT`] bytes, and at the end.
///
/// The document's shape is fixed, so the writer keeps no nesting state: the code that
/// writes each member knows its level and whether it comes first, and writes the comma,
/// line break, indentation and name as one literal (the text `serde_json`'s pretty
/// printer gives for the same `Value`: two spaces a level, `"name": `, empty containers
/// as `[]`).
struct Out<W: Write> {
    w: W,
    buf: Vec<u8>,
    /// Article ids written so far, by the address of their shared text: the JSON text
    /// of each is in `article_text`. Mentions and provenance name their article by a
    /// shared `Arc<str>`; copying its text from here saves the escaping scan and a read
    /// of text that is rarely in cache.
    articles: FxHashMap<usize, (usize, usize)>,
    article_text: Vec<u8>,
}

/// Buffered bytes that send the buffer to the writer.
const FLUSH_AT: usize = 1 << 16;

impl<W: Write> Out<W> {
    fn new(w: W) -> Self {
        Out {
            w,
            buf: Vec::with_capacity(2 * FLUSH_AT),
            articles: FxHashMap::default(),
            article_text: Vec::new(),
        }
    }

    #[inline]
    fn raw(&mut self, s: &[u8]) {
        self.buf.extend_from_slice(s);
    }

    /// Sends the buffer to the writer when full (called between array elements).
    #[inline]
    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Writes everything buffered, then flushes the writer.
    fn finish(&mut self) -> io::Result<()> {
        self.w.write_all(&self.buf)?;
        self.buf.clear();
        self.w.flush()
    }

    fn string(&mut self, s: &str) {
        push_string(&mut self.buf, s);
    }

    /// An article id: the text shared by the article's mentions and provenance, whose
    /// JSON text is made once. (Live `Arc`s have distinct addresses: an address stands
    /// for one text while the graph is borrowed.)
    fn article(&mut self, id: &Arc<str>) {
        let text = &mut self.article_text;
        let (start, end) = *self
            .articles
            .entry(Arc::as_ptr(id) as *const u8 as usize)
            .or_insert_with(|| {
                let start = text.len();
                push_string(text, id);
                (start, text.len())
            });
        self.buf.extend_from_slice(&self.article_text[start..end]);
    }

    fn opt_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.raw(b"null"),
        }
    }

    /// A decimal number, two digits at a time from the end of a small array (no
    /// formatter).
    fn number(&mut self, n: usize) {
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = n;
        while n >= 100 {
            let pair = 2 * (n % 100);
            n /= 100;
            at -= 2;
            digits[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
        }
        if n >= 10 {
            at -= 2;
            digits[at..at + 2].copy_from_slice(&PAIRS[2 * n..2 * n + 2]);
        } else {
            at -= 1;
            digits[at] = b'0' + n as u8;
        }
        self.buf.extend_from_slice(&digits[at..]);
    }

    fn float(&mut self, x: f64) -> io::Result<()> {
        serde_json::to_writer(&mut self.buf, &x).map_err(io::Error::from)
    }

    /// A `{"end": .., "start": ..}` member of a provenance object (level 5).
    fn span(&mut self, name: &'static [u8], span: Option<CharSpan>) {
        if let Some(c) = span {
            self.raw(name);
            self.raw(open_key!(6, "end"));
            self.number(c.end);
            self.raw(key!(6, "start"));
            self.number(c.start);
            self.raw(close!(5, "}"));
        }
    }
}

/// Appends `s` as a JSON string, escaped as `serde_json` escapes it.
fn push_string(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    while let Some(at) = first_escape(&bytes[start..]) {
        let i = start + at;
        buf.extend_from_slice(&bytes[start..i]);
        let b = bytes[i];
        match b {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0x08 => buf.extend_from_slice(b"\\b"),
            0x0c => buf.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(&[
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
    buf.extend_from_slice(&bytes[start..]);
    buf.push(b'"');
}

/// The bytes `serde_json` escapes: quotation mark, backslash and control characters.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether any of 16 bytes is one to escape: a test without an early exit, which the
/// compiler turns into vector instructions.
#[inline]
fn any_escape(chunk: &[u8; 16]) -> bool {
    chunk.iter().fold(false, |any, &b| any | needs_escape(b))
}

/// Whether any byte of a word is one to escape, bytes tested in parallel within the word
/// (the "has a byte less than n" and "has a zero byte" tests). A borrow can only flag a
/// byte above a flagged one, so the answer is exact.
#[inline]
fn any_escape_word(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let control = x.wrapping_sub(ONES * 0x20);
    let quote = (x ^ (ONES * b'"' as u64)).wrapping_sub(ONES);
    let quote_src = x ^ (ONES * b'"' as u64);
    let backslash_src = x ^ (ONES * b'\\' as u64);
    let backslash = backslash_src.wrapping_sub(ONES);
    ((control & !x) | (quote & !quote_src) | (backslash & !backslash_src)) & HIGH != 0
}

/// Position of the first byte to escape. Strings of 16 bytes or more are tested sixteen
/// bytes at a time, the last sixteen overlapping the ones before; shorter ones a word at a
/// time (two overlapping words for 8 to 15 bytes). Only a string known to hold a byte to
/// escape (rare) is searched byte by byte, from the first untested-clean position.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    let n = bytes.len();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let clean_before = if n >= 16 {
        let mut at = 0;
        loop {
            if at + 16 > n {
                // The last sixteen bytes, overlapping bytes tested clean already.
                let last = n - 16;
                if !any_escape(bytes[last..].try_into().unwrap()) {
                    return None;
                }
                break at;
            }
            if any_escape(bytes[at..at + 16].try_into().unwrap()) {
                break at;
            }
            at += 16;
        }
    } else if n >= 8 {
        if !any_escape_word(word(0)) && !any_escape_word(word(n - 8)) {
            return None;
        }
        0
    } else if n >= 4 {
        let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as u64;
        // Two overlapping 4-byte halves in one word.
        if !any_escape_word(half(0) | half(n - 4) << 32) {
            return None;
        }
        0
    } else {
        0
    };
    bytes[clean_before..]
        .iter()
        .position(|&b| needs_escape(b))
        .map(|at| clean_before + at)
}

/// The JSON text of every node id, written once: an edge copies its source and target
/// ids from here instead of escaping them again (and reads them from one block rather
/// than from each node).
struct Ids {
    text: Vec<u8>,
    /// By node index: where the node's id is in `text`.
    at: Vec<(usize, usize)>,
}

impl Ids {
    fn new(graph: &Graph, nodes: &[NodeIndex]) -> Ids {
        let mut text = Vec::new();
        let mut at = vec![(0, 0); graph.g.node_bound()];
        for &n in nodes {
            let start = text.len();
            push_string(&mut text, &graph.g[n].id);
            at[n.index()] = (start, text.len());
        }
        Ids { text, at }
    }

    fn get(&self, n: NodeIndex) -> &[u8] {
        let (start, end) = self.at[n.index()];
        &self.text[start..end]
    }
}

fn node<W: Write>(p: &mut Out<W>, node: &Node, id: &[u8]) {
    let statement = node.ntype == NodeType::Statement;
    p.raw(concat!("{", "\n", ind!(3), "\"aliases\": [").as_bytes());
    for (i, a) in node.aliases.iter().enumerate() {
        p.raw(item!(i == 0, 4));
        p.string(a);
    }
    p.raw(close_array!(node.aliases.is_empty(), 3));
    p.raw(key!(3, "id"));
    p.raw(id);
    if statement {
        p.raw(key!(3, "kind"));
        p.opt_string(node.kind);
    }
    p.raw(key!(3, "label"));
    p.string(&node.label);
    p.raw(concat!(",\n", ind!(3), "\"mentions\": [").as_bytes());
    for (i, m) in node.mentions.iter().enumerate() {
        p.raw(item!(i == 0, 4));
        p.raw(open_key!(5, "article"));
        p.article(&m.article);
        p.raw(key!(5, "end"));
        p.number(m.end);
        p.raw(key!(5, "start"));
        p.number(m.start);
        p.raw(close!(4, "}"));
    }
    p.raw(close_array!(node.mentions.is_empty(), 3));
    if node.ntype == NodeType::Person {
        p.raw(concat!(",\n", ind!(3), "\"roles\": [").as_bytes());
        for (i, r) in node.roles.iter().enumerate() {
            p.raw(item!(i == 0, 4));
            p.raw(open_key!(5, "organization"));
            p.string(&r.organization);
            p.raw(key!(5, "title"));
            p.string(&r.title);
            p.raw(close!(4, "}"));
        }
        p.raw(close_array!(node.roles.is_empty(), 3));
    }
    if statement {
        p.raw(key!(3, "speaker"));
        p.opt_string(node.speaker.as_deref());
        p.raw(key!(3, "text"));
        p.opt_string(node.text.as_deref());
    }
    p.raw(key!(3, "type"));
    // Type names are plain words: nothing to escape.
    p.buf.push(b'"');
    p.raw(node.ntype.name().as_bytes());
    p.buf.push(b'"');
    p.raw(close!(2, "}"));
}

fn provenance<W: Write>(p: &mut Out<W>, o: &Provenance) -> io::Result<()> {
    p.raw(open_key!(5, "article"));
    p.article(&o.article);
    p.raw(key!(5, "confidence"));
    p.float(o.confidence as f64)?;
    p.span(key!(5, "content"), o.content);
    p.span(key!(5, "cue"), o.cue);
    p.raw(key!(5, "end"));
    p.number(o.end);
    p.raw(key!(5, "evidence"));
    p.string(&o.evidence);
    p.raw(key!(5, "rule"));
    p.string(&o.rule);
    p.span(key!(5, "speaker"), o.speaker);
    p.raw(key!(5, "start"));
    p.number(o.start);
    if let Some(t) = &o.title {
        p.raw(key!(5, "title"));
        p.string(t);
    }
    p.raw(close!(4, "}"));
    Ok(())
}

/// Writes the graph.json document of `graph`.
fn write_graph<W: Write>(graph: &Graph, w: W) -> io::Result<()> {
    let g = &graph.g;
    let (nodes, edges) = graph.sorted_nodes_and_edges();
    let ids = Ids::new(graph, &nodes);
    let mut p = Out::new(w);
    p.raw(concat!("{", "\n", ind!(1), "\"articles\": [").as_bytes());
    let mut first = true;
    for a in nodes.iter().filter_map(|&n| g[n].article.as_ref()) {
        p.maybe_flush()?;
        p.raw(item!(first, 2));
        first = false;
        p.raw(open_key!(3, "date"));
        p.opt_string(a.date.as_deref());
        p.raw(key!(3, "file"));
        p.string(&a.file);
        p.raw(key!(3, "id"));
        p.string(&a.id);
        p.raw(key!(3, "source"));
        p.opt_string(a.source.as_deref());
        p.raw(key!(3, "title"));
        p.opt_string(a.title.as_deref());
        p.raw(close!(2, "}"));
    }
    p.raw(close_array!(first, 1));
    p.raw(concat!(",\n", ind!(1), "\"edges\": [").as_bytes());
    for (i, &(a, b, e)) in edges.iter().enumerate() {
        p.maybe_flush()?;
        p.raw(item!(i == 0, 2));
        p.raw(concat!("{", "\n", ind!(3), "\"provenance\": [").as_bytes());
        for (j, o) in e.provenance.iter().enumerate() {
            p.maybe_flush()?;
            p.raw(item!(j == 0, 4));
            provenance(&mut p, o)?;
        }
        p.raw(close_array!(e.provenance.is_empty(), 3));
        p.raw(key!(3, "source"));
        p.raw(ids.get(a));
        p.raw(key!(3, "target"));
        p.raw(ids.get(b));
        p.raw(key!(3, "type"));
        p.string(&e.etype);
        p.raw(close!(2, "}"));
    }
    p.raw(close_array!(edges.is_empty(), 1));
    p.raw(concat!(",\n", ind!(1), "\"nodes\": [").as_bytes());
    for (i, &n) in nodes.iter().enumerate() {
        p.maybe_flush()?;
        p.raw(item!(i == 0, 2));
        node(&mut p, &g[n], ids.get(n));
    }
    p.raw(close_array!(nodes.is_empty(), 1));
    p.raw(b"\n}\n");
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
            let mut p = Out::new(Vec::new());
            p.string(s);
            assert_eq!(
                String::from_utf8(p.buf).unwrap(),
                serde_json::to_string(s).unwrap()
            );
        }
    }
}
