//! graph.json: the contract other tools read (see README, "JSON").
//!
//! The document is written straight from the graph: object keys in sorted order, and
//! confidences as the shortest decimal that reads back as the stored `f32` (`0.85`, as
//! the CSV and RDF exports write it). The top-level object and its three arrays are
//! pretty printed; each article, edge and node is one line of compact JSON (the text
//! `serde_json::to_string` gives for it). One element per line keeps the file greppable
//! and its diffs per node, and a third smaller than the whole document pretty printed
//! (indentation was 27% of its bytes: the export of 10 MB of news went from 66 to 45 MB).
//! Strings are escaped as `serde_json` escapes them, a whole run of plain bytes at a time.

use crate::graph::{CharSpan, Graph, MentionRef, Node, NodeType, Provenance};
use anyhow::Result;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::NodeIndexable;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::io::{self, Write};
use std::sync::Arc;

/// The line break and indentation before a member or element at nesting level `n`:
/// the top-level object and arrays are pretty printed (two spaces a level), and each
/// article, edge and node is one line (levels 3 and deeper have none).
macro_rules! nl {
    (0) => {
        "\n"
    };
    (1) => {
        "\n  "
    };
    (2) => {
        "\n    "
    };
    ($d:tt) => {
        ""
    };
}

/// The text between a member's name and its value at level `n`.
macro_rules! sep {
    (1) => {
        ": "
    };
    ($d:tt) => {
        ":"
    };
}

/// The line break and indentation before the closing bracket of a container whose
/// members are at level `d + 1`.
macro_rules! nlc {
    (0) => {
        "\n"
    };
    (1) => {
        "\n  "
    };
    ($d:tt) => {
        ""
    };
}

/// An object's opening brace and the text before the value of its first member `name`,
/// at level `d`.
macro_rules! open_key {
    ($d:tt, $name:literal) => {
        concat!("{", nl!($d), "\"", $name, "\"", sep!($d)).as_bytes()
    };
}

/// The text before the value of a later member `name` of an object at level `d`.
macro_rules! key {
    ($d:tt, $name:literal) => {
        concat!(",", nl!($d), "\"", $name, "\"", sep!($d)).as_bytes()
    };
}

/// The closing bracket `b` of a non-empty container whose members are at level `d + 1`.
macro_rules! close {
    ($d:tt, $b:literal) => {
        concat!(nlc!($d), $b).as_bytes()
    };
}

/// The text of a later member `name` of a provenance object (level 5) whose value is a
/// span, up to the value of the span's first member, `end`: one literal.
macro_rules! span_head {
    ($name:literal) => {
        concat!(
            ",",
            nl!(5),
            "\"",
            $name,
            "\"",
            sep!(5),
            "{",
            nl!(6),
            "\"end\"",
            sep!(6)
        )
        .as_bytes()
    };
}

/// The text before a later element of an array whose elements are at level `d` (see
/// [`Out::item`]).
macro_rules! item {
    ($d:tt) => {
        concat!(",", nl!($d)).as_bytes()
    };
}

/// The JSON text of graph.json, appended to a buffer that goes to the writer whenever it
/// holds [`FLUSH_AT`] bytes, and at the end.
///
/// The document's shape is fixed, so the writer keeps no nesting state: the code that
/// writes each member knows its level and whether it comes first, and writes the comma,
/// any line break and indentation, and the name as one literal (see [`nl!`]; empty
/// containers as `[]`).
struct Out<W: Write> {
    w: W,
    buf: Vec<u8>,
    /// By the address of an article id's shared text (mentions and provenance name their
    /// article by a shared `Arc<str>`): the text before a mention's `end` value, from the
    /// separator before the mention to `"end":` with the escaped id between. Copying it
    /// saves the escaping scan of the id (text rarely in cache) and four separate writes.
    mention_head: Memo,
    /// The same for a provenance object, up to `"confidence":`.
    provenance_head: Memo,
    /// Confidences by the bits of their `f32`: a handful of distinct values (one a rule),
    /// each formatted once.
    confidences: Memo,
    /// By the address of an edge type's shared text: the end of an edge object, from its
    /// `"type"` member on.
    edge_type_tail: Memo,
    /// By `NodeType as usize`: the end of a node object, from its `"type"` member on.
    type_tail: Vec<Vec<u8>>,
}

/// JSON text made once per key and copied afterwards.
///
/// The keys are addresses of shared texts (live `Arc`s have distinct addresses: an
/// address stands for one text while the graph is borrowed) or the bits of a number.
#[derive(Default)]
struct Memo {
    at: FxHashMap<usize, (usize, usize)>,
    text: Vec<u8>,
    /// The key looked up last and its text: consecutive mentions of a node are often in
    /// one article.
    last: Option<(usize, usize, usize)>,
}

impl Memo {
    /// The text for `key`, made by `make` (appending to the vector it gets) on first use.
    #[inline]
    fn get(&mut self, key: usize, make: impl FnOnce(&mut Vec<u8>)) -> &[u8] {
        let (start, end) = match self.last {
            Some((k, start, end)) if k == key => (start, end),
            _ => {
                let text = &mut self.text;
                let (start, end) = *self.at.entry(key).or_insert_with(|| {
                    let start = text.len();
                    make(text);
                    (start, text.len())
                });
                self.last = Some((key, start, end));
                (start, end)
            }
        };
        &self.text[start..end]
    }
}

/// Buffered bytes that send the buffer to the writer.
const FLUSH_AT: usize = 1 << 16;

impl<W: Write> Out<W> {
    fn new(w: W) -> Self {
        let type_tail = NodeType::ALL
            .iter()
            .map(|t| {
                // Type names are plain words: nothing to escape.
                let mut tail = key!(3, "type").to_vec();
                tail.push(b'"');
                tail.extend_from_slice(t.name().as_bytes());
                tail.push(b'"');
                tail.extend_from_slice(close!(2, "}"));
                tail
            })
            .collect();
        Out {
            w,
            buf: Vec::with_capacity(2 * FLUSH_AT),
            mention_head: Memo::default(),
            provenance_head: Memo::default(),
            confidences: Memo::default(),
            edge_type_tail: Memo::default(),
            type_tail,
        }
    }

    #[inline]
    fn raw(&mut self, s: &[u8]) {
        self.buf.extend_from_slice(s);
    }

    /// `text`, the start of an array element from its separator on (a comma, see
    /// [`item!`]); the first element's separator is the array's opening `[` instead.
    ///
    /// WHY: the arrays' names are written without their `[`. Choosing between two
    /// literals of different lengths compiles to a `memcpy` call of variable length; one
    /// literal and a one-byte patch is a few stores (and a memoized text keeps a single
    /// form).
    #[inline(always)]
    fn item(&mut self, first: bool, text: &[u8]) {
        push_item(&mut self.buf, first, text);
    }

    /// The end of an array whose elements are at level `d + 1`, `close` being
    /// `close!(d, "]")`: that, or `[]` for an empty array (whose `[` is not written yet,
    /// see [`Out::item`]).
    #[inline(always)]
    fn close_array(&mut self, empty: bool, close: &'static [u8]) {
        let at = self.buf.len();
        self.buf.extend_from_slice(close);
        if empty {
            self.buf.truncate(at);
            self.buf.extend_from_slice(b"[]");
        }
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

    /// A mention object, element of an array at level 4 (`first` or a later one).
    fn mention(&mut self, first: bool, m: &MentionRef) {
        let head = (self.mention_head).get(address(&m.article), |t| {
            article_head(t, &m.article, key!(5, "end"))
        });
        push_item(&mut self.buf, first, head);
        self.end_start(m.end, key!(5, "start"), m.start, close!(4, "}"));
    }

    /// `end`, `mid`, `start` and `tail` (literals of at most [`END_START_TEXT`] bytes
    /// together): the rest of a mention or of a span.
    ///
    /// WHY: these come 191k times in 10 MB of news (every mention). The text is composed
    /// in a block on the stack and appended by one copy of fixed size (a few vector
    /// stores, one capacity check) instead of four appends; when both numbers have at
    /// most four digits (offsets into an article of under 10,000 characters, the usual
    /// case) their digits come from one computation on two lanes of a word.
    #[inline(always)]
    fn end_start(&mut self, end: usize, mid: &[u8], start: usize, tail: &[u8]) {
        debug_assert!(mid.len() + tail.len() <= END_START_TEXT);
        let (e, s) = match (u32::try_from(end), u32::try_from(start)) {
            (Ok(e), Ok(s)) if e < 100_000_000 && s < 100_000_000 => (e, s),
            _ => {
                self.number(end);
                self.raw(mid);
                self.number(start);
                self.raw(tail);
                return;
            }
        };
        let (end_digits, end_len, start_digits, start_len) = if e < 10_000 && s < 10_000 {
            let ((a, la), (b, lb)) = four_digit_pair(e, s);
            (a as u64, la, b as u64, lb)
        } else {
            let (a, la) = eight_digits(e);
            let (b, lb) = eight_digits(s);
            (a, la, b, lb)
        };
        let mut t = [0u8; END_START_BLOCK];
        t[..8].copy_from_slice(&end_digits.to_le_bytes());
        let mut at = end_len;
        t[at..at + mid.len()].copy_from_slice(mid);
        at += mid.len();
        t[at..at + 8].copy_from_slice(&start_digits.to_le_bytes());
        at += start_len;
        t[at..at + tail.len()].copy_from_slice(tail);
        at += tail.len();
        let len = self.buf.len();
        self.buf.extend_from_slice(&t);
        self.buf.truncate(len + at);
    }

    /// The start of a provenance object, element of an array at level 4, up to the value
    /// of its confidence, included.
    fn provenance_head(&mut self, first: bool, o: &Provenance) {
        let head = (self.provenance_head).get(address(&o.article), |t| {
            article_head(t, &o.article, key!(5, "confidence"))
        });
        push_item(&mut self.buf, first, head);
        let x = o.confidence;
        let text = self.confidences.get(x.to_bits() as usize, |t| {
            serde_json::to_writer(t, &x).expect("writing to memory cannot fail")
        });
        self.buf.extend_from_slice(text);
    }

    fn opt_string(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.string(s),
            None => self.raw(b"null"),
        }
    }

    /// A decimal number.
    #[inline(always)]
    fn number(&mut self, n: usize) {
        match u32::try_from(n) {
            Ok(n) if n < 100_000_000 => {
                // Up to eight digits (every offset into a news article): made in one
                // word, whose first bytes are copied by a store of fixed size (a few
                // instructions where `memcpy` of a few bytes takes tens).
                let (word, len) = eight_digits(n);
                let end = self.buf.len() + len;
                self.buf.extend_from_slice(&word.to_le_bytes());
                self.buf.truncate(end);
            }
            _ => long_number(&mut self.buf, n),
        }
    }

    /// A `{"end":..,"start":..}` member of a provenance object (level 5), `head` the
    /// text from the comma before it to `"end":` (see [`span_head!`]).
    #[inline(always)]
    fn span(&mut self, head: &'static [u8], span: Option<CharSpan>) {
        if let Some(c) = span {
            self.raw(head);
            self.end_start(c.end, key!(6, "start"), c.start, close!(5, "}"));
        }
    }
}

/// The most literal text [`Out::end_start`] puts between and after its two numbers
/// (`,"start":` and `}` in a mention and in a span, 10 bytes).
const END_START_TEXT: usize = 16;
const _: () = assert!(key!(5, "start").len() + close!(4, "}").len() <= END_START_TEXT);
const _: () = assert!(key!(6, "start").len() + close!(5, "}").len() <= END_START_TEXT);

/// The block [`Out::end_start`] composes its text in: two numbers of up to eight digits
/// and the literals, rounded up to whole vector stores.
const END_START_BLOCK: usize = 32;
const _: () = assert!(16 + END_START_TEXT <= END_START_BLOCK);

/// The decimal digits of `a` and of `b` (each less than 10^4) as the first bytes of two
/// words, with their numbers: [`eight_digits`] from its second step, with `a` and `b`
/// in the two lanes it would give the two halves of an eight-digit number, so that one
/// computation makes both.
fn four_digit_pair(a: u32, b: u32) -> ((u32, usize), (u32, usize)) {
    debug_assert!(a < 10_000 && b < 10_000);
    let fours = a as u64 | (b as u64) << 32;
    let digits = four_digit_lanes(fours);
    let one = |d: u32| {
        // Leading zero digits are zero bytes at the low end; 0 keeps one.
        let zeros = (d.trailing_zeros() / 8).min(3) as usize;
        ((d | 0x3030_3030) >> (8 * zeros), 4 - zeros)
    };
    (one(digits as u32), one((digits >> 32) as u32))
}

/// Two numbers less than 10^4 in the 32-bit lanes of `fours` turned into their four
/// digits each (with leading zeros, as values 0-9), in reading order in the bytes of
/// their lane: each multiplier turns division by 100 or 10 into a multiplication and a
/// shift, exact in this range, and the lanes are wide enough that no product reaches the
/// next lane.
#[inline(always)]
fn four_digit_lanes(fours: u64) -> u64 {
    // Lanes of 16 bits: pairs of digits, in reading order.
    let hundreds_high = ((fours * 10_486) >> 20) & ((0x7f << 32) | 0x7f);
    let pairs = ((fours - 100 * hundreds_high) << 16) | hundreds_high;
    // Lanes of 8 bits: single digits, in reading order.
    let tens = ((pairs * 103) >> 10) & ((0xf << 48) | (0xf << 32) | (0xf << 16) | 0xf);
    tens | ((pairs - 10 * tens) << 8)
}

/// [`Out::item`] (on the buffer alone, to copy a memoized text borrowed from the writer).
#[inline(always)]
fn push_item(buf: &mut Vec<u8>, first: bool, text: &[u8]) {
    let at = buf.len();
    buf.extend_from_slice(text);
    if first {
        buf[at] = b'[';
    }
}

/// The decimal digits of `n` (less than 10^8) as the first bytes of a little-endian
/// word, and their number: the eight digits with leading zeros are made by
/// multiplications that act on all digits of a word at once (each multiplier turns
/// division by 100 or 10 into a multiplication and a shift, exact in this range, and
/// the lanes are wide enough that no product reaches the next lane), then the leading
/// zeros are shifted out.
fn eight_digits(n: u32) -> (u64, usize) {
    debug_assert!(n < 100_000_000);
    let n = n as u64;
    // Lanes of 32 bits: the first four digits, the last four.
    let fours = (n / 10_000) | ((n % 10_000) << 32);
    let digits = four_digit_lanes(fours);
    // Leading zero digits are zero bytes at the low end; 0 keeps one.
    let zeros = (digits.trailing_zeros() / 8).min(7) as usize;
    ((digits | 0x3030_3030_3030_3030) >> (8 * zeros), 8 - zeros)
}

/// A number of more than eight digits (kept out of the code of [`Out::number`], which
/// is inlined).
#[cold]
#[inline(never)]
fn long_number(buf: &mut Vec<u8>, n: usize) {
    buf.extend_from_slice(n.to_string().as_bytes());
}

/// The start of an object of a mention or provenance array (level 4) up to the value of
/// the key after its article: separator, opening, the escaped article id and `next_key`.
/// Made once per article and copied (see [`Out::item`] for the first element).
fn article_head(t: &mut Vec<u8>, article: &str, next_key: &[u8]) {
    t.extend_from_slice(concat!(",", nl!(4), "{", nl!(5), "\"article\"", sep!(5)).as_bytes());
    push_string(t, article);
    t.extend_from_slice(next_key);
}

/// The address of a shared text, a key of [`Memo`].
fn address(s: &Arc<str>) -> usize {
    Arc::as_ptr(s) as *const u8 as usize
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

/// Whether any of `N` bytes (16 or 32) is one to escape: a test without an early exit, which the
/// compiler turns into vector instructions. Each byte becomes the least of three values
/// that are zero exactly for the bytes to escape (its difference from `"`, from `\`, and
/// its saturated excess over 0x1f); a zero among them is a byte to escape. (Written as
/// `needs_escape`, the test compiles to 16-bit lane shuffles: five more instructions
/// every sixteen bytes.)
#[inline]
fn any_escape<const N: usize>(chunk: &[u8; N]) -> bool {
    let mut least = [0u8; N];
    for (l, &b) in least.iter_mut().zip(chunk) {
        *l = (b ^ b'"').min(b ^ b'\\').min(b.saturating_sub(0x1f));
    }
    least.iter().fold(false, |any, &l| any | (l == 0))
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

/// Position of the first byte to escape. Strings of 16 bytes or more are tested 32 bytes
/// at a time while 32 are left (one test and branch for two vectors: evidence sentences
/// are long), then sixteen at a time, the last sixteen overlapping the ones before; shorter ones a word at a
/// time (two overlapping words for 8 to 15 bytes). Only a string known to hold a byte to
/// escape (rare) is searched byte by byte, from the first untested-clean position.
fn first_escape(bytes: &[u8]) -> Option<usize> {
    let n = bytes.len();
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let clean_before = if n >= 16 {
        let mut at = 0;
        // A block with a byte to escape is tested again by the loop below, which finds
        // its half.
        while at + 32 <= n && !any_escape::<32>(bytes[at..at + 32].try_into().unwrap()) {
            at += 32;
        }
        loop {
            if at + 16 > n {
                // The last sixteen bytes, overlapping bytes tested clean already.
                let last = n - 16;
                if !any_escape::<16>(bytes[last..].try_into().unwrap()) {
                    return None;
                }
                break at;
            }
            if any_escape::<16>(bytes[at..at + 16].try_into().unwrap()) {
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
        // Sized for the ids and their quotes (escapes are rare): growing step by step
        // copies the text again each time.
        let bytes: usize = nodes.iter().map(|&n| graph.g[n].id.len() + 2).sum();
        let mut text = Vec::with_capacity(bytes);
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

fn node<W: Write>(p: &mut Out<W>, node: &Node, id: &[u8]) -> io::Result<()> {
    let statement = node.ntype == NodeType::Statement;
    p.raw(open_key!(3, "aliases"));
    for (i, a) in node.aliases.iter().enumerate() {
        p.item(i == 0, item!(4));
        p.string(a);
    }
    p.close_array(node.aliases.is_empty(), close!(3, "]"));
    p.raw(key!(3, "id"));
    p.raw(id);
    if statement {
        p.raw(key!(3, "kind"));
        p.opt_string(node.kind);
    }
    p.raw(key!(3, "label"));
    p.string(&node.label);
    p.raw(key!(3, "mentions"));
    for (i, m) in node.mentions.iter().enumerate() {
        // A node named in every article has thousands of mentions: flushing between
        // them keeps the buffer at its size (it had grown by reallocation, copies and
        // fresh pages, to megabytes).
        p.maybe_flush()?;
        p.mention(i == 0, m);
    }
    p.close_array(node.mentions.is_empty(), close!(3, "]"));
    if node.ntype == NodeType::Person {
        p.raw(key!(3, "roles"));
        for (i, r) in node.roles.iter().enumerate() {
            p.item(i == 0, item!(4));
            p.raw(open_key!(5, "organization"));
            p.string(&r.organization);
            p.raw(key!(5, "title"));
            p.string(&r.title);
            p.raw(close!(4, "}"));
        }
        p.close_array(node.roles.is_empty(), close!(3, "]"));
    }
    if statement {
        p.raw(key!(3, "speaker"));
        p.opt_string(node.speaker.as_deref());
        p.raw(key!(3, "text"));
        p.opt_string(node.text.as_deref());
    }
    p.buf.extend_from_slice(&p.type_tail[node.ntype as usize]);
    Ok(())
}

/// A provenance object, element of an array at level 4.
fn provenance<W: Write>(p: &mut Out<W>, first: bool, o: &Provenance) {
    p.provenance_head(first, o);
    p.span(span_head!("content"), o.content);
    p.span(span_head!("cue"), o.cue);
    p.raw(key!(5, "end"));
    p.number(o.end);
    p.raw(key!(5, "evidence"));
    p.string(&o.evidence);
    p.raw(key!(5, "rule"));
    p.string(&o.rule);
    p.span(span_head!("speaker"), o.speaker);
    p.raw(key!(5, "start"));
    p.number(o.start);
    if let Some(t) = &o.title {
        p.raw(key!(5, "title"));
        p.string(t);
    }
    p.raw(close!(4, "}"));
}

/// Writes the graph.json document of `graph`.
fn write_graph<W: Write>(graph: &Graph, w: W) -> io::Result<()> {
    let g = &graph.g;
    let (nodes, edges) = graph.sorted_nodes_and_edges();
    let ids = Ids::new(graph, &nodes);
    let mut p = Out::new(w);
    p.raw(open_key!(1, "articles"));
    let mut first = true;
    for a in nodes.iter().filter_map(|&n| g[n].article.as_ref()) {
        p.maybe_flush()?;
        p.item(first, item!(2));
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
    p.close_array(first, close!(1, "]"));
    p.raw(key!(1, "edges"));
    for (i, &(a, b, e)) in edges.iter().enumerate() {
        p.maybe_flush()?;
        p.item(i == 0, item!(2));
        p.raw(open_key!(3, "provenance"));
        for (j, o) in e.provenance.iter().enumerate() {
            p.maybe_flush()?;
            provenance(&mut p, j == 0, o);
        }
        p.close_array(e.provenance.is_empty(), close!(3, "]"));
        p.raw(key!(3, "source"));
        p.raw(ids.get(a));
        p.raw(key!(3, "target"));
        p.raw(ids.get(b));
        // Edges of a type share their type's text (the graph interns it): its member
        // and the object's end are made once per type and copied.
        let tail = p.edge_type_tail.get(address(&e.etype), |t| {
            t.extend_from_slice(key!(3, "type"));
            push_string(t, &e.etype);
            t.extend_from_slice(close!(2, "}"));
        });
        p.buf.extend_from_slice(tail);
    }
    p.close_array(edges.is_empty(), close!(1, "]"));
    p.raw(key!(1, "nodes"));
    for (i, &n) in nodes.iter().enumerate() {
        p.maybe_flush()?;
        p.item(i == 0, item!(2));
        node(&mut p, &g[n], ids.get(n))?;
    }
    p.close_array(nodes.is_empty(), close!(1, "]"));
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
        for len in 0..72 {
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
    fn eight_digits_equals_to_string() {
        let edges = (0..8).flat_map(|e| {
            let p = 10u32.pow(e);
            [p - 1, p, p + 1, 2 * p - 1, 5 * p, 9 * p + 9]
        });
        let samples = (0..100_000)
            .chain((0..100_000_000).step_by(9_973))
            .chain(edges);
        for n in samples.chain([99_999_999]) {
            let (word, len) = eight_digits(n);
            assert_eq!(&word.to_le_bytes()[..len], n.to_string().as_bytes(), "{n}");
        }
    }

    #[test]
    fn numbers_are_written_as_decimals() {
        let mut p = Out::new(Vec::new());
        let samples = [
            0,
            7,
            10,
            99_999_999,
            100_000_000,
            u32::MAX as usize,
            usize::MAX,
        ];
        for n in samples {
            p.buf.clear();
            p.number(n);
            assert_eq!(p.buf, n.to_string().as_bytes());
        }
    }

    #[test]
    fn end_start_equals_the_numbers_and_literals_written_apart() {
        let numbers = [
            0,
            9,
            10,
            99,
            100,
            999,
            1_000,
            9_999,
            10_000,
            12_345,
            99_999_999,
            100_000_000,
            u32::MAX as usize,
            usize::MAX,
        ];
        let mut p = Out::new(Vec::new());
        for end in numbers {
            for start in numbers {
                for (mid, tail) in [
                    (key!(5, "start"), close!(4, "}")),
                    (key!(6, "start"), close!(5, "}")),
                ] {
                    p.buf.clear();
                    p.buf.extend_from_slice(b"x");
                    p.end_start(end, mid, start, tail);
                    let mut expected = format!("x{end}").into_bytes();
                    expected.extend_from_slice(mid);
                    expected.extend_from_slice(start.to_string().as_bytes());
                    expected.extend_from_slice(tail);
                    assert_eq!(p.buf, expected, "{end} {start}");
                }
            }
        }
    }

    #[test]
    fn four_digit_pair_equals_to_string() {
        for a in (0..10_000)
            .step_by(7)
            .chain([0, 9, 10, 99, 100, 999, 1_000, 9_999])
        {
            for b in [0, 1, 9, 10, 99, 100, 909, 1_000, 9_999, a] {
                let ((x, lx), (y, ly)) = four_digit_pair(a, b);
                assert_eq!(&x.to_le_bytes()[..lx], a.to_string().as_bytes());
                assert_eq!(&y.to_le_bytes()[..ly], b.to_string().as_bytes());
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
            "line\u{2028}separator\u{2029} and \u{0}nul, a \"quote\" at 16: ......\"",
            "\\",
            "\"",
            "\u{1f}",
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

    /// The layout README documents: the top-level object and arrays pretty printed, each
    /// article, edge and node one line of `serde_json`'s compact text, confidences the
    /// shortest text of their `f32` (the CSV's `0.85`, not `0.8500000238418579`).
    #[test]
    fn one_article_edge_or_node_per_line_in_compact_json() {
        let text = "Donald Trump said China makes most fentanyl. \
                    \"We deny it,\" said Hua Chunying, a spokeswoman for China's foreign ministry.\n\n\
                    The Drug Enforcement Administration indicted two men.";
        let lex = crate::Lexicon::builtin();
        let g = crate::build_graph(&[("a.txt", text), ("b.txt", "Nothing here.")], &lex);
        let mut out = Vec::new();
        write_graph(&g, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let value: Value = serde_json::from_str(&out).unwrap();
        let mut expected = String::from("{");
        for (i, key) in ["articles", "edges", "nodes"].iter().enumerate() {
            let items = value[key].as_array().unwrap();
            assert!(!items.is_empty(), "{key}");
            expected += if i == 0 { "\n  \"" } else { ",\n  \"" };
            expected += key;
            expected += "\": [";
            for (j, item) in items.iter().enumerate() {
                expected += if j == 0 { "\n    " } else { ",\n    " };
                expected += &serde_json::to_string(item).unwrap();
            }
            expected += "\n  ]";
        }
        expected += "\n}\n";
        assert_eq!(out, expected);
        // Something of each shape was written: spans, an empty array, confidences.
        assert!(out.contains("\"cue\":{\"end\":"), "{out}");
        assert!(out.contains("\"roles\":[]"), "{out}");
        let confidences: Vec<&str> = out
            .split("\"confidence\":")
            .skip(1)
            .map(|rest| &rest[..rest.find(',').unwrap()])
            .collect();
        assert!(!confidences.is_empty());
        for c in confidences {
            let x: f32 = c.parse().unwrap();
            assert_eq!(c, serde_json::to_string(&x).unwrap(), "{out}");
        }
    }
}
