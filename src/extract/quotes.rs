//! Quotation spans within paragraphs.
//!
//! Curly marks say which way they face; a straight mark opens when no quote is open and
//! closes otherwise. A quote left open at the end of its paragraph ends there (the
//! newspaper convention reopens it in the next paragraph), so a stray mark never swallows
//! more than one paragraph. Single marks are only apostrophes here: nested 'quotes' stay
//! inside the double-quoted quote that holds them.

use std::num::NonZeroU32;

use crate::document::{Document, TokenKind};
use crate::span::Span;

#[derive(Debug, Clone, Copy)]
pub struct Quote {
    /// The quoted text without its marks.
    pub content: Span,
    /// Token index of the opening mark and of the closing mark (None when unclosed).
    pub open: usize,
    pub close: Option<usize>,
    pub paragraph: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Open,
    Close,
    Either,
}

fn mark(s: &str) -> Option<Mark> {
    match s {
        "“" | "„" | "«" | "‟" | "``" => Some(Mark::Open),
        "”" | "»" => Some(Mark::Close),
        "\"" | "＂" | "''" => Some(Mark::Either),
        _ => None,
    }
}

/// Per token: the index of the quote whose content holds it, if any.
///
/// Stored as index + 1 in a `NonZeroU32` so that "none" takes no extra tag: 4 bytes per
/// token instead of the 8 of `Option<u32>`, which halves the per-document fill of the
/// vector (most of what `find` cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InQuote(Option<NonZeroU32>);

impl InQuote {
    pub const NONE: InQuote = InQuote(None);

    fn new(quote: usize) -> InQuote {
        InQuote(u32::try_from(quote + 1).ok().and_then(NonZeroU32::new))
    }

    /// The index of the quote, if the token is inside one.
    #[inline]
    pub fn index(self) -> Option<usize> {
        self.0.map(|q| q.get() as usize - 1)
    }

    #[inline]
    pub fn is_some(self) -> bool {
        self.0.is_some()
    }

    #[inline]
    pub fn is_none(self) -> bool {
        self.0.is_none()
    }
}

/// Finds the quotes of every paragraph; returns them and, per token, the quote whose
/// content holds it.
pub fn find(doc: &Document) -> (Vec<Quote>, Vec<InQuote>) {
    let mut quotes = Vec::new();
    let mut inside = vec![InQuote::NONE; doc.tokens.len()];
    let mut s = 0;
    while s < doc.sentences.len() {
        let para = doc.sentences[s].paragraph;
        let first = doc.sentences[s].tokens.0;
        let mut e = s;
        while e + 1 < doc.sentences.len() && doc.sentences[e + 1].paragraph == para {
            e += 1;
        }
        let last = doc.sentences[e].tokens.1;
        paragraph(doc, first, last, para, &mut quotes);
        s = e + 1;
    }
    for (qi, q) in quotes.iter().enumerate() {
        let end = q
            .close
            .unwrap_or_else(|| doc.token_at_or_after(q.content.end));
        // A slice fill (one bounds check, a tight store loop) rather than a skip/take
        // iterator per token.
        let end = end.min(inside.len());
        if q.open + 1 < end {
            inside[q.open + 1..end].fill(InQuote::new(qi));
        }
    }
    (quotes, inside)
}

fn paragraph(doc: &Document, first: usize, last: usize, para: usize, out: &mut Vec<Quote>) {
    let start_len = out.len();
    let mut open: Option<usize> = None;
    // Over the slice: no bounds check per token, most of which are no quote mark.
    for (i, t) in doc.tokens[first..last].iter().enumerate() {
        if t.kind != TokenKind::Quote {
            continue;
        }
        let i = first + i;
        let Some(m) = mark(doc.token_text(i)) else {
            continue;
        };
        match (open, m) {
            (None, Mark::Open | Mark::Either) => open = Some(i),
            (Some(o), Mark::Close | Mark::Either) => {
                push(doc, o, Some(i), para, out);
                open = None;
            }
            // A second opening mark: the first was stray or unclosed; restart here.
            (Some(o), Mark::Open) => {
                push(doc, o, None, para, out);
                let _ = o;
                open = Some(i);
            }
            (None, Mark::Close) => {}
        }
    }
    if let Some(o) = open {
        push(doc, o, None, para, out);
    }
    // An unclosed quote ended by a new opening mark ends before that mark.
    // Only pairs holding this paragraph's quotes: those before were cut in their own
    // paragraph's call (a quadratic walk over the document's quotes otherwise).
    let n = out.len();
    for k in start_len.max(1)..n {
        if out[k - 1].close.is_none() && out[k - 1].paragraph == out[k].paragraph {
            let end = doc.tokens[out[k].open].span.start;
            if out[k - 1].content.end > end {
                out[k - 1].content =
                    Span::new(out[k - 1].content.start, end.max(out[k - 1].content.start))
                        .trim(&doc.text);
            }
        }
    }
    let _ = last;
}

fn push(doc: &Document, open: usize, close: Option<usize>, para: usize, out: &mut Vec<Quote>) {
    let start = doc.tokens[open].span.end;
    let end = match close {
        Some(c) => doc.tokens[c].span.start,
        None => doc.paragraphs[para].end,
    };
    let content = Span::new(start, end.max(start)).trim(&doc.text);
    if content.is_empty() {
        return;
    }
    out.push(Quote {
        content,
        open,
        close,
        paragraph: para,
    });
}

#[cfg(test)]
mod tests {
    use super::InQuote;

    #[test]
    fn in_quote_round_trips_the_index() {
        assert_eq!(InQuote::NONE.index(), None);
        assert!(InQuote::NONE.is_none() && !InQuote::NONE.is_some());
        for qi in [0usize, 1, 2, 255, 65_536, u32::MAX as usize - 1] {
            let slot = InQuote::new(qi);
            assert_eq!(slot.index(), Some(qi));
            assert!(slot.is_some() && !slot.is_none());
        }
        assert_eq!(std::mem::size_of::<InQuote>(), 4);
    }
}
