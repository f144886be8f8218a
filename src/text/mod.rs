//! Text stage: paragraphs, tokens and sentences, all as spans into the original text.

pub mod sentences;
pub mod tokens;

use crate::document::{Document, Sentence, Token};
use crate::lexicon::Lexicon;
use crate::span::Span;
use std::cell::RefCell;

/// Needs: `text`, `boilerplate`. Adds: `paragraphs`, `tokens`, `sentences`, `lowercased`.
pub fn analyze(doc: &mut Document, lex: &Lexicon) {
    doc.lowercased = is_lowercased(&doc.text);
    // The vectors of the last document this thread was done with ([`recycle`]), if any:
    // their memory is already mapped and warm, where fresh vectors of the same size cost
    // an allocation each (the sentences several, as they grow) and page faults.
    let mut spare = SPARE.with(|s| std::mem::take(&mut *s.borrow_mut()));
    spare.paragraphs.clear();
    paragraphs_into(
        &doc.text,
        &doc.boilerplate,
        &mut spare.newlines,
        &mut spare.paragraphs,
    );
    doc.paragraphs = spare.paragraphs;
    let abbr = |w: &str| lex.is_abbreviation(w);
    let starts = |w: &str| lex.is_stopname(w);
    let cue = |w: &str| lex.cues.contains(w);
    let mut tokens = spare.tokens;
    tokens.clear();
    tokens.reserve(tokens::token_capacity(&doc.text));
    let mut sentences = spare.sentences;
    sentences.clear();
    for (p, para) in doc.paragraphs.iter().enumerate() {
        let first = tokens.len();
        tokens::tokenize_into(para.slice(&doc.text), para.start, &abbr, &mut tokens);
        let last = tokens.len();
        sentences::split(
            &doc.text,
            &doc.lower,
            &tokens,
            (first, last),
            p,
            &starts,
            &cue,
            &mut sentences,
        );
    }
    doc.tokens = tokens;
    doc.sentences = sentences;
    // The line breaks' vector is only this function's.
    SPARE.with(|s| s.borrow_mut().newlines = spare.newlines);
}

/// Vectors of a document that is done with, kept on its thread for the next document's
/// [`analyze`].
#[derive(Default)]
struct Spare {
    paragraphs: Vec<Span>,
    tokens: Vec<Token>,
    sentences: Vec<Sentence>,
    newlines: Vec<usize>,
}

thread_local! {
    static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
}

/// Bytes of vectors kept for reuse per thread at most: a huge article's vectors are freed,
/// not held for the rest of the run.
const SPARE_BYTES: usize = 4 << 20;

/// Takes `doc`'s paragraphs, tokens and sentences (left empty) for the next document
/// analyzed on this thread. For a document that is done with ([`crate::Findings::take_from`]).
pub fn recycle(doc: &mut Document) {
    fn keep<T>(v: &mut Vec<T>, into: &mut Vec<T>) {
        let v = std::mem::take(v);
        if v.capacity() * std::mem::size_of::<T>() <= SPARE_BYTES && v.capacity() > into.capacity()
        {
            *into = v;
        }
    }
    SPARE.with(|s| {
        let s = &mut *s.borrow_mut();
        keep(&mut doc.paragraphs, &mut s.paragraphs);
        keep(&mut doc.tokens, &mut s.tokens);
        keep(&mut doc.sentences, &mut s.sentences);
    });
}

/// `u8::to_ascii_lowercase` as a table: one load per byte where a loop lowercases every
/// byte it reads (the tokenizer's word shapes, the statement ids' hash in resolve).
pub(crate) static ASCII_LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).to_ascii_lowercase();
        b += 1;
    }
    t
};

/// Appends `s.to_lowercase()` to `out`, without allocating: ASCII runs are copied and
/// lowercased in place, other characters go through `char::to_lowercase` (the same table
/// `str::to_lowercase` reads). Σ, whose lowercase depends on its neighbours, sends the
/// whole text through `str::to_lowercase`.
pub fn push_lowercase(s: &str, out: &mut String) {
    let start = out.len();
    // One copy, lowercased in place a word at a time: the whole answer unless a non-ASCII
    // char has another lowercase. Most have none (curly quotes, dashes, lowercase accented
    // letters), and they are found 16 bytes at a time.
    out.push_str(s);
    out[start..].make_ascii_lowercase();
    if !s.is_ascii() && !non_ascii_chars_are_lowercase(s) {
        out.truncate(start);
        push_lowercase_by_chars(s, out);
    }
}

/// Whether every non-ASCII char of `s` is its own lowercase.
fn non_ascii_chars_are_lowercase(s: &str) -> bool {
    const CHUNK: usize = 16;
    let bytes = s.as_bytes();
    // `at` stays a char boundary: an all-ASCII chunk ends at one, the others are read by
    // whole chars.
    let mut at = 0;
    while at < bytes.len() {
        let chunk_end = (at + CHUNK).min(bytes.len());
        if bytes[at..chunk_end].is_ascii() {
            at = chunk_end;
            continue;
        }
        for c in s[at..].chars() {
            at += c.len_utf8();
            if !c.is_ascii() && !is_own_lowercase(c) {
                return false;
            }
            if at >= chunk_end {
                break;
            }
        }
    }
    true
}

/// `c.to_lowercase()` is `c` itself. General Punctuation (U+2000-U+206F: curly quotes,
/// dashes, spaces) has no case (a test checks), so news text's punctuation skips the table.
fn is_own_lowercase(c: char) -> bool {
    if ('\u{2000}'..='\u{206f}').contains(&c) {
        return true;
    }
    let mut lower = c.to_lowercase();
    lower.next() == Some(c) && lower.next().is_none()
}

/// [`push_lowercase`] a char at a time, for text with a non-ASCII char that changes.
fn push_lowercase_by_chars(s: &str, out: &mut String) {
    let start = out.len();
    let bytes = s.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let run_end = bytes[at..]
            .iter()
            .position(|b| !b.is_ascii())
            .map_or(bytes.len(), |p| at + p);
        let from = out.len();
        out.push_str(&s[at..run_end]);
        out[from..].make_ascii_lowercase();
        at = run_end;
        if let Some(c) = s[at..].chars().next() {
            if c == 'Σ' {
                out.truncate(start);
                out.push_str(&s.to_lowercase());
                return;
            }
            out.extend(c.to_lowercase());
            at += c.len_utf8();
        }
    }
}

/// A form of "be": before a past participle it makes a passive ("was told", "has been
/// alleged", "being investigated").
pub fn is_form_of_be(word: &str) -> bool {
    matches!(
        word,
        "be" | "is" | "are" | "was" | "were" | "been" | "being" | "am"
    )
}

/// A text with (almost) no capital letters was lowercased by some pipeline: case cannot
/// tell names there, so the extractors switch to their lowercase rules.
pub fn is_lowercased(text: &str) -> bool {
    const LIMIT: usize = 200_000;
    // The settling test runs after every 256th char; it looks at the counts so far only.
    const CHECK: usize = 256;
    let bytes = text.as_bytes();
    let mut letters = 0usize;
    let mut upper = 0usize;
    // Chars read (`n`) and the byte offset after them (`at`).
    let mut n = 0usize;
    let mut at = 0usize;
    // Settled once even the most letters still to come cannot make the capitals rare
    // (there are no more chars left than bytes).
    let settled = |letters: usize, upper: usize, n: usize, at: usize| {
        let most_letters = letters + (LIMIT - n).min(text.len() - at);
        upper * 200 >= most_letters
    };
    // Blocks of 64 bytes are counted without a branch per byte (the compiler makes vector
    // instructions of it): ASCII letters and capitals, chars (the bytes that are no UTF-8
    // continuation byte) and the lead bytes of non-ASCII chars, which are then read one by
    // one. A block may start inside a char: the char is counted at its lead byte. The
    // settling test may run at any point (it only returns when the rest cannot change the
    // answer), here after each block.
    const BLOCK: usize = 64;
    while n + BLOCK <= LIMIT && at + BLOCK <= bytes.len() {
        let block = &bytes[at..at + BLOCK];
        let (mut ascii_letters, mut ascii_upper, mut chars, mut leads) = (0u8, 0u8, 0u8, 0u8);
        for &b in block {
            ascii_letters += ((b | 0x20).wrapping_sub(b'a') < 26) as u8;
            ascii_upper += (b.wrapping_sub(b'A') < 26) as u8;
            chars += (b as i8 >= -0x40) as u8;
            leads += (b >= 0xc0) as u8;
        }
        letters += ascii_letters as usize;
        upper += ascii_upper as usize;
        n += chars as usize;
        if leads > 0 {
            for (k, _) in block.iter().enumerate().filter(|&(_, &b)| b >= 0xc0) {
                let c = text[at + k..].chars().next().unwrap_or('\0');
                // General Punctuation (curly quotes, dashes) holds no letter (a test in
                // tokens checks): news text's quotes skip the Unicode table.
                if !('\u{2000}'..='\u{206f}').contains(&c) && c.is_alphabetic() {
                    letters += 1;
                    upper += c.is_uppercase() as usize;
                }
            }
        }
        at += BLOCK;
        if settled(letters, upper, n, at) {
            return false;
        }
    }
    // The rest a char at a time, from the end of the char the last block ended in.
    while at < bytes.len() && (bytes[at] as i8) < -0x40 {
        at += 1;
    }
    while n < LIMIT && at < bytes.len() {
        // An ASCII char is counted from its byte; only other chars are decoded (a block of
        // 256 all-ASCII chars is rare in news text with curly quotes).
        let b = bytes[at];
        if b.is_ascii() {
            letters += b.is_ascii_alphabetic() as usize;
            upper += b.is_ascii_uppercase() as usize;
            at += 1;
        } else {
            let c = text[at..].chars().next().unwrap_or('\0');
            if c.is_alphabetic() {
                letters += 1;
                upper += c.is_uppercase() as usize;
            }
            at += c.len_utf8();
        }
        n += 1;
        if n.is_multiple_of(CHECK) && settled(letters, upper, n, at) {
            return false;
        }
    }
    letters > 20 && upper * 200 < letters
}

/// Paragraphs: blocks separated by blank lines when the text uses them, else single lines
/// (wire copy and tokenized corpora put one paragraph or sentence per line). Boilerplate
/// spans are cut out.
pub fn paragraphs(text: &str, boilerplate: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    paragraphs_into(text, boilerplate, &mut Vec::new(), &mut out);
    out
}

/// [`paragraphs`], appended to `out`; `newlines` is scratch space.
fn paragraphs_into(
    text: &str,
    boilerplate: &[Span],
    newlines: &mut Vec<usize>,
    out: &mut Vec<Span>,
) {
    let bytes = text.as_bytes();
    // Line breaks found once (the test for blank lines and the split both read them).
    newlines.clear();
    push_newline_offsets(bytes, newlines);
    let newlines = &*newlines;
    // A "\n\n" or a "\r\n\r\n" anywhere.
    let blank_separated = newlines.iter().any(|&at| {
        bytes[at + 1..].starts_with(b"\n")
            || (at > 0 && bytes[at - 1] == b'\r' && bytes[at + 1..].starts_with(b"\r\n"))
    });
    let mut start = 0;
    let push = |s: usize, e: usize, out: &mut Vec<Span>| {
        let whole = Span::new(s, e);
        // Most paragraphs hold no boilerplate: no pieces to cut.
        if !boilerplate.iter().any(|b| whole.overlaps(*b)) {
            let t = whole.trim(text);
            if !t.is_empty() {
                out.push(t);
            }
            return;
        }
        let mut pieces = vec![whole];
        for b in boilerplate {
            pieces = pieces
                .into_iter()
                .flat_map(|p| {
                    if !p.overlaps(*b) {
                        return vec![p];
                    }
                    let mut v = Vec::new();
                    if p.start < b.start {
                        v.push(Span::new(p.start, b.start));
                    }
                    if b.end < p.end {
                        v.push(Span::new(b.end, p.end));
                    }
                    v
                })
                .collect();
        }
        for p in pieces {
            let t = p.trim(text);
            if !t.is_empty() {
                out.push(t);
            }
        }
    };
    for &i in newlines {
        let mut j = i + 1;
        // A blank line: only whitespace up to the next newline.
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t' || bytes[j] == b'\r') {
            j += 1;
        }
        let blank = j < bytes.len() && bytes[j] == b'\n';
        if !blank_separated || blank {
            push(start, i, out);
            start = i + 1;
        }
    }
    push(start, text.len(), out);
}

/// Appends the byte offsets of the `\n`s of `bytes`, in order, by `memchr` (vector instructions,
/// where `match_indices` took a few instructions a byte).
fn push_newline_offsets(bytes: &[u8], out: &mut Vec<usize>) {
    out.extend(memchr::memchr_iter(b'\n', bytes));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_lowercase_equals_str_to_lowercase() {
        for text in [
            "Prices ROSE ’sharply’ in İstanbul",
            "ÀÉÎ ǅ ẞ and ΣΑΣ ΟΔΟΣ",
            "",
            "plain ascii",
            "MIXED Ünïcödé END",
            "“Quoted” — ‘curly’ – lowercase café naïve",
            "long ascii run before the change, long enough for chunks: Ünïcödé",
            "long ascii run before the sigma, long enough for chunks: ΟΔΟΣ ok",
            "ǅ ǈ ǋ ᾈ Ⅻ Ⓐ 𐐀 ﬀ ß",
        ] {
            let mut out = String::from("kept|");
            push_lowercase(text, &mut out);
            assert_eq!(out, format!("kept|{}", text.to_lowercase()), "{text}");
        }
    }

    #[test]
    fn general_punctuation_and_lowercase_letters_are_their_own_lowercase() {
        for c in '\u{2000}'..='\u{206f}' {
            assert_eq!(c.to_lowercase().collect::<String>(), c.to_string(), "{c:?}");
        }
        for c in ['é', 'ß', 'ǆ', '’', 'ﬀ'] {
            assert!(is_own_lowercase(c), "{c:?}");
        }
        for c in ['É', 'İ', 'Σ', 'ǅ', 'ẞ', 'Ⅻ'] {
            assert!(!is_own_lowercase(c), "{c:?}");
        }
    }

    #[test]
    fn newline_offsets_equal_a_search() {
        let mut texts = vec![String::new(), "\n".to_string(), "a\nb".to_string()];
        let every_byte: String = (0u8..128).map(char::from).collect::<String>().repeat(3);
        texts.push(every_byte + "\n\n\n\n\n\n\n\n\n\u{10a}\u{a0a}");
        for n in [1, 63, 64, 65, 127, 128, 200] {
            let line = "x".repeat(n);
            texts.push(format!("{line}\n{line}\n\n{line}"));
            texts.push(format!("\n{line}\r\n"));
            texts.push(format!("{line}é\n“{line}”\n"));
        }
        for t in &texts {
            let slow: Vec<usize> = t.match_indices('\n').map(|(at, _)| at).collect();
            let mut fast = vec![7];
            push_newline_offsets(t.as_bytes(), &mut fast);
            assert_eq!(fast[1..], slow, "{t:?}");
        }
    }

    #[test]
    fn paragraphs_cut_out_boilerplate_and_keep_offsets() {
        let text = "Title\n\nFirst para\nstill first.\n\n/kga\n";
        let b = text.find("/kga").unwrap();
        let p = paragraphs(text, &[Span::new(b, b + 4)]);
        let got: Vec<&str> = p.iter().map(|s| s.slice(text)).collect();
        assert_eq!(got, vec!["Title", "First para\nstill first."]);
    }

    #[test]
    fn paragraphs_by_blank_lines_or_else_by_lines() {
        let slices = |text: &str| -> Vec<String> {
            paragraphs(text, &[])
                .iter()
                .map(|s| s.slice(text).to_string())
                .collect()
        };
        // A CRLF blank line separates paragraphs, a single line break does not.
        assert_eq!(
            slices("One\r\nstill one.\r\n\r\nTwo.\n"),
            vec!["One\r\nstill one.", "Two."]
        );
        // No blank line (a line of spaces is not one here): every line is a paragraph.
        assert_eq!(
            slices("One.\nTwo.\n \nThree."),
            vec!["One.", "Two.", "Three."]
        );
    }

    /// The char-by-char form `is_lowercased` must agree with.
    fn is_lowercased_by_chars(text: &str) -> bool {
        const LIMIT: usize = 200_000;
        let (mut letters, mut upper) = (0usize, 0usize);
        for (n, (at, c)) in text.char_indices().take(LIMIT).enumerate() {
            if c.is_alphabetic() {
                letters += 1;
                upper += c.is_uppercase() as usize;
            }
            if n % 256 == 255 {
                let left = text.len() - at - c.len_utf8();
                if upper * 200 >= letters + (LIMIT - n - 1).min(left) {
                    return false;
                }
            }
        }
        letters > 20 && upper * 200 < letters
    }

    #[test]
    fn is_lowercased_agrees_with_reading_char_by_char() {
        let lower = "beijing ( reuters ) - china s drug control agency disputed the claim. ";
        let mut texts = vec![String::new(), "A".to_string(), lower.to_string()];
        for n in [3, 4, 40, 3000, 3100] {
            let body = lower.repeat(n);
            texts.push(body.clone());
            texts.push(format!("{body}Beijing"));
            texts.push(format!("Beijing {body}"));
            texts.push(format!("é{body}É {body}X"));
            texts.push(body.replace("china", "China"));
            texts.push(body.replace("drug", "drügé"));
            texts.push(body.replace("claim", "ÇLAIM"));
            // Chars of 2, 3 and 4 bytes across the 64-byte blocks' edges.
            texts.push(body.replace("agency", "agençy 😀 ẞ ǅ"));
            texts.push(body.replace("agency", "AGENÇY 😀 ẞ ǅ"));
        }
        for t in &texts {
            assert_eq!(
                is_lowercased(t),
                is_lowercased_by_chars(t),
                "{} bytes",
                t.len()
            );
        }
    }

    #[test]
    fn detects_lowercased_text() {
        assert!(is_lowercased(
            "beijing ( reuters ) - china s drug control agency disputed"
        ));
        assert!(!is_lowercased(
            "BEIJING (Reuters) - China's drug control agency disputed"
        ));
    }
}
