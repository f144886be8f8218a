//! Byte spans into a document's text, and their conversion to the Unicode code point
//! offsets that every export uses.
//!
//! Internally every stage works with byte offsets (cheap slicing); nothing downstream of
//! ingest may rewrite the text, so a span found by any stage indexes the original file.

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into a document's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// Builds a span; `start <= end` is an invariant every stage relies on.
    pub fn new(start: usize, end: usize) -> Span {
        assert!(start <= end, "span start {start} > end {end}");
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Length of the intersection with `other` (0 when disjoint).
    pub fn overlap_len(&self, other: Span) -> usize {
        self.end
            .min(other.end)
            .saturating_sub(self.start.max(other.start))
    }

    /// The smallest span covering both.
    pub fn cover(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The text this span covers. Panics if the span is not on char boundaries, which
    /// would be a bug in the stage that made it.
    pub fn slice<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }

    /// Shrinks the span so it neither starts nor ends with whitespace.
    pub fn trim(&self, text: &str) -> Span {
        let s = self.slice(text);
        let lead = s.len() - s.trim_start().len();
        let trail = s.len() - s.trim_end().len();
        if lead == s.len() {
            return Span::new(self.start, self.start);
        }
        Span::new(self.start + lead, self.end - trail)
    }
}

/// Converts byte offsets of one text to code point offsets.
///
/// ASCII texts (most news) convert for free; otherwise a table of the byte offset of each
/// non-ASCII char is searched from the entry for the text's block of [`BLOCK`] bytes that
/// holds the offset (a few steps, where a binary search of the table takes a dozen), so
/// memory stays proportional to the non-ASCII chars plus a sixteenth of the text.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// Per multi-byte char, in order: its byte offset, and the extra bytes (beyond one
    /// per char) taken by it and the wide chars before it.
    wide: Vec<(usize, usize)>,
    /// By block of [`BLOCK`] bytes of the text: the number of wide chars that start
    /// before the block (empty for an ASCII text).
    before_block: Vec<usize>,
}

/// Bytes of text per entry of [`CharIndex::before_block`].
const BLOCK: usize = 128;

impl CharIndex {
    pub fn new(text: &str) -> CharIndex {
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let mut total = 0;
            // A byte scan, not a char walk: in UTF-8 a multi-byte char starts with a byte
            // of 0xC0 or more that gives its length. Eight bytes at a time as one word:
            // the lead bytes are those with their two high bits set, found by one shift
            // and two ands ([`lead_bytes`]), and only they are visited (news text has a
            // curly quote every hundred bytes or so, which made a byte-by-byte walk of
            // every block that held one).
            let bytes = text.as_bytes();
            let mut lead = |i: usize, b: u8| {
                let more = match b {
                    0xF0.. => 3,
                    0xE0.. => 2,
                    _ => 1,
                };
                total += more;
                wide.push((i, total));
            };
            let mut chunks = bytes.chunks_exact(8);
            let mut at = 0;
            for chunk in &mut chunks {
                let word = u64::from_le_bytes(chunk.try_into().unwrap());
                let mut leads = lead_bytes(word);
                while leads != 0 {
                    // Bit 7 of byte k (little-endian: byte k of the chunk).
                    let k = leads.trailing_zeros() as usize / 8;
                    leads &= leads - 1;
                    lead(at + k, chunk[k]);
                }
                at += 8;
            }
            for (k, &b) in chunks.remainder().iter().enumerate() {
                if b >= 0xC0 {
                    lead(at + k, b);
                }
            }
        }
        let mut before_block = Vec::new();
        if !wide.is_empty() {
            let blocks = text.len() / BLOCK + 1;
            before_block.reserve_exact(blocks);
            let mut n = 0;
            for block in 0..blocks {
                while n < wide.len() && wide[n].0 < block * BLOCK {
                    n += 1;
                }
                before_block.push(n);
            }
        }
        CharIndex { wide, before_block }
    }

    /// The code point offset of byte offset `byte` (which must be a char boundary).
    pub fn chars(&self, byte: usize) -> usize {
        if self.wide.is_empty() {
            return byte;
        }
        // Number of wide chars starting strictly before `byte`: those before its block,
        // then those in the block up to it (an offset past the text is searched for).
        let mut n = match self.before_block.get(byte / BLOCK) {
            Some(&n) => n,
            None => self.wide.partition_point(|&(b, _)| b < byte),
        };
        while n < self.wide.len() && self.wide[n].0 < byte {
            n += 1;
        }
        if n == 0 {
            byte
        } else {
            byte - self.wide[n - 1].1
        }
    }

    pub fn span(&self, span: Span) -> (usize, usize) {
        (self.chars(span.start), self.chars(span.end))
    }
}

/// Bit 7 of each byte of `word` that is 0xC0 or more (the lead byte of a multi-byte UTF-8
/// char): bit 6 shifted onto bit 7 and-ed with bit 7. A byte's bit 7 shifted into the
/// next byte lands on its bit 0, which the mask drops. (Also [`crate::pipeline`]'s
/// one-line test.)
#[inline]
pub(crate) fn lead_bytes(word: u64) -> u64 {
    word & (word << 1) & 0x8080_8080_8080_8080
}

/// Converts code point offsets (as gold files and PolNeAR use) to byte offsets.
pub fn char_to_byte(text: &str, char_offset: usize) -> usize {
    text.char_indices()
        .nth(char_offset)
        .map(|(b, _)| b)
        .unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_index_counts_code_points_after_curly_quotes() {
        let text = "Trump’s “claim” é";
        let ix = CharIndex::new(text);
        let b = text.find("claim").unwrap();
        assert_eq!(ix.chars(b), 9);
        assert_eq!(text.chars().take(9).collect::<String>(), "Trump’s “");
        assert_eq!(ix.chars(text.len()), text.chars().count());
        assert_eq!(char_to_byte(text, 9), b);
    }

    #[test]
    fn char_index_agrees_with_a_char_walk_for_every_char_width() {
        let text = "a é ’ 😀 b\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}z";
        let ix = CharIndex::new(text);
        for (n, (at, _)) in text.char_indices().enumerate() {
            assert_eq!(ix.chars(at), n, "byte {at}");
        }
        assert_eq!(ix.chars(text.len()), text.chars().count());
        // Over many blocks: wide chars in runs, alone, and none for a few blocks.
        let mut long = String::new();
        for i in 0..200 {
            long.push_str(&"x".repeat(i % 7 * 13));
            long.push_str(["é", "’’", "😀", "\u{800}ab", ""][i % 5]);
            if i % 50 == 0 {
                long.push_str(&"y".repeat(400));
            }
        }
        let ix = CharIndex::new(&long);
        for (n, (at, _)) in long.char_indices().enumerate() {
            assert_eq!(ix.chars(at), n, "byte {at}");
        }
        assert_eq!(ix.chars(long.len()), long.chars().count());
    }

    #[test]
    fn lead_bytes_marks_exactly_the_bytes_from_0xc0() {
        // Every byte value at every position of a word, among neighbours that are and
        // are not lead bytes themselves.
        for fill in [0x00u8, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xff] {
            for b in 0..=255u8 {
                for k in 0..8 {
                    let mut bytes = [fill; 8];
                    bytes[k] = b;
                    let got = lead_bytes(u64::from_le_bytes(bytes));
                    for (j, &x) in bytes.iter().enumerate() {
                        assert_eq!(got >> (8 * j + 7) & 1 == 1, x >= 0xc0, "{bytes:?}");
                    }
                    assert_eq!(got & !0x8080_8080_8080_8080, 0);
                }
            }
        }
    }

    #[test]
    fn trim_and_overlap() {
        let s = Span::new(0, 8).trim("  ab c  ");
        assert_eq!(s, Span::new(2, 6));
        assert_eq!(Span::new(0, 10).overlap_len(Span::new(5, 20)), 5);
        assert!(!Span::new(0, 5).overlaps(Span::new(5, 6)));
    }

    #[test]
    #[should_panic]
    fn reversed_span_is_a_bug() {
        let _ = Span::new(3, 2);
    }
}
