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
/// non-ASCII char is binary searched, so memory stays proportional to the non-ASCII chars.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// (byte offset of a multi-byte char, extra bytes it takes beyond one), in order.
    wide: Vec<(usize, usize)>,
    /// Prefix sums of `wide[..].1`: extra bytes before and including entry i.
    extra: Vec<usize>,
}

impl CharIndex {
    pub fn new(text: &str) -> CharIndex {
        let mut wide = Vec::new();
        let mut extra = Vec::new();
        if !text.is_ascii() {
            let mut total = 0;
            // A byte scan, not a char walk: in UTF-8 a multi-byte char starts with a byte
            // of 0xC0 or more that gives its length.
            for (i, &b) in text.as_bytes().iter().enumerate() {
                if b >= 0xC0 {
                    let more = match b {
                        0xF0.. => 3,
                        0xE0.. => 2,
                        _ => 1,
                    };
                    total += more;
                    wide.push((i, more));
                    extra.push(total);
                }
            }
        }
        CharIndex { wide, extra }
    }

    /// The code point offset of byte offset `byte` (which must be a char boundary).
    pub fn chars(&self, byte: usize) -> usize {
        // Number of wide chars starting strictly before `byte`.
        let n = self.wide.partition_point(|&(b, _)| b < byte);
        if n == 0 {
            byte
        } else {
            byte - self.extra[n - 1]
        }
    }

    pub fn span(&self, span: Span) -> (usize, usize) {
        (self.chars(span.start), self.chars(span.end))
    }
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
