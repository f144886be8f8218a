//! Tokenizer: words, numbers, quotation marks and punctuation with byte spans.
//!
//! Keeps abbreviations with internal periods ("U.S.", "u.s.") whole, splits possessives
//! ("Trump’s" -> "Trump" "’s", lowercased "trump s" is already two tokens) and negation
//! clitics ("didn't" -> "did" "n't"), and treats every Unicode space (NBSP included) as a
//! separator. Offsets are never changed after this stage.

use crate::document::{Token, TokenKind};
use crate::span::Span;
use crate::text::ASCII_LOWER;

/// Double quotation marks that open or close a quote.
pub fn is_double_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '‟' | '«' | '»' | '＂')
}

/// Single quotation marks (also apostrophes, depending on position).
pub fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '‘' | '’' | '‚' | '‛' | '`')
}

fn is_word_char(c: char) -> bool {
    // General Punctuation (U+2000-U+206F: curly quotes, dashes, spaces) holds no letter
    // or digit (a test checks): news text's curly quotes skip the Unicode table lookups.
    !('\u{2000}'..='\u{206f}').contains(&c) && c.is_alphanumeric()
}

/// Chars that may sit inside a word when a word char follows: "U.S", "secretary-general",
/// "don't", "20,000", "AT&T".
const fn is_inner_joiner(c: char) -> bool {
    matches!(c, '.' | '-' | '\'' | '’' | '&' | ',' | '/' | '‑')
}

/// Bits of a word shape: shapes index a bit set of this many bits.
pub const SHAPE_BITS: usize = 1 << 14;

/// A cheap fingerprint of a word as ASCII-lowercased (its length and first, second and
/// last bytes), below [`SHAPE_BITS`]: equal words have equal shapes.
#[inline]
pub fn word_shape(word: &[u8]) -> u16 {
    let (first, second, last) = match word {
        [] => (0, 0, 0),
        [x] => (*x, 0, *x),
        [x, y, .., z] | [x, y @ z] => (*x, *y, *z),
    };
    let [first, second, last] = [first, second, last].map(|b| ASCII_LOWER[b as usize]);
    let h = (word.len() as u32)
        .wrapping_mul(0x9e37_79b9)
        .wrapping_add((first as u32) << 16 | (second as u32) << 8 | last as u32)
        .wrapping_mul(0x85eb_ca6b);
    (h >> (32 - SHAPE_BITS.trailing_zeros())) as u16
}

/// Classes of bytes ([`BYTE_CLASS`]). The word classes are bits: or-ed over a run of
/// letters and digits, they tell whether it holds a letter.
const LETTER: u8 = 1;
const DIGIT: u8 = 2;
const WORD: u8 = LETTER | DIGIT;
/// An ASCII separator ([`is_separator`]).
const SPACE: u8 = 4;
/// Any other ASCII byte: punctuation.
const OTHER: u8 = 8;
/// A byte of a non-ASCII char (its lead byte, at a char boundary).
const NON_ASCII: u8 = 16;

/// The class of every byte: one load per byte in the tokenizer's loops, and one match
/// in its dispatch.
static BYTE_CLASS: [u8; 256] = {
    let mut t = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_digit() {
            DIGIT
        } else if c.is_ascii_alphabetic() {
            LETTER
        } else if c <= b' ' || c == 0x7f {
            // ASCII whitespace and controls: all of 0x00-0x20, and DEL.
            SPACE
        } else {
            OTHER
        };
        b += 1;
    }
    t
};

/// The ASCII joiners ([`is_inner_joiner`]) as bits of a mask: all are below 64.
const ASCII_JOINERS: u64 = {
    let mut mask = 0u64;
    let mut b = 0;
    while b < 64 {
        if is_inner_joiner(b as u8 as char) {
            mask |= 1 << b;
        }
        b += 1;
    }
    mask
};

/// [`is_inner_joiner`] of an ASCII byte, by one bit test.
#[inline]
fn is_ascii_joiner(x: u8) -> bool {
    x < 64 && ASCII_JOINERS & (1 << x) != 0
}

/// Whitespace, control characters and the byte order mark separate tokens.
#[inline]
fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        BYTE_CLASS[c as usize] == SPACE
    } else {
        c.is_whitespace() || c.is_control() || c == '\u{feff}'
    }
}

/// A set of word shapes ([`word_shape`]): a word whose shape is not in it is no word of
/// the list the set was made from, told from a token's shape without reading the word.
#[derive(Debug, Clone)]
pub struct ShapeSet(Box<[u64]>);

impl Default for ShapeSet {
    fn default() -> Self {
        ShapeSet(vec![0u64; SHAPE_BITS / 64].into_boxed_slice())
    }
}

impl ShapeSet {
    pub fn of<'a>(words: impl Iterator<Item = &'a String>) -> ShapeSet {
        let mut set = ShapeSet::default();
        for w in words {
            set.insert(w);
        }
        set
    }

    pub fn insert(&mut self, word: &str) {
        let shape = word_shape(word.as_bytes()) as usize;
        self.0[shape / 64] |= 1 << (shape % 64);
    }

    /// Whether token `t` may be a word of the set.
    #[inline]
    pub fn may_hold(&self, t: &Token) -> bool {
        let shape = t.shape as usize;
        self.0[shape / 64] & (1 << (shape % 64)) != 0
    }
}

/// Splits `text` (starting at byte `base` of the document) into tokens.
pub fn tokenize(text: &str, base: usize, abbreviations: &dyn Fn(&str) -> bool) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(token_capacity(text));
    tokenize_into(text, base, abbreviations, &mut tokens);
    tokens
}

/// Room for the tokens of `text`: news text has about a token per five bytes, some
/// documents more, and a vector that has to grow copies all its tokens.
pub fn token_capacity(text: &str) -> usize {
    text.len() / 4 + 8
}

/// [`tokenize`], appending to `tokens` (the document's, one paragraph after another).
///
/// Walks the text a byte at a time: an ASCII byte is classified by one load from
/// [`BYTE_CLASS`], only a non-ASCII char is decoded. Every offset the loop stops at is a
/// char boundary, as it always advances by whole chars.
pub fn tokenize_into(
    text: &str,
    base: usize,
    abbreviations: &dyn Fn(&str) -> bool,
    tokens: &mut Vec<Token>,
) {
    let bytes = text.as_bytes();
    // Byte offset of the next char to read.
    let mut pos = 0;
    let mut space_before = true;
    while let Some(&b) = bytes.get(pos) {
        let i = pos;
        let (c, word) = match BYTE_CLASS[b as usize] {
            LETTER => {
                // Most tokens are ASCII words of letters and digits followed by one space:
                // they need none of the general path's tests (a number, joiners, a trailing
                // period, a possessive ending), so they are pushed here, with the space.
                let end = ascii_word_run_end(bytes, pos + 1);
                if bytes.get(end) == Some(&b' ') {
                    tokens.push(ascii_word(bytes, base, i, end, space_before));
                    pos = end + 1;
                    space_before = true;
                    continue;
                }
                // So does one before an ASCII byte that ends it at once (no joiner, no
                // period; a comma joins only after a digit): "said,", "(dea)", "yes?".
                if let Some(&x) = bytes.get(end) {
                    let ends = x.is_ascii()
                        && x != b'.'
                        && (!is_ascii_joiner(x) || x == b',' && !bytes[end - 1].is_ascii_digit());
                    if ends {
                        tokens.push(ascii_word(bytes, base, i, end, space_before));
                        pos = end;
                        space_before = false;
                        continue;
                    }
                }
                // Any other word goes on from the end of its run (all ASCII letters and
                // digits: a word that starts with a letter is no number).
                pos = end;
                (b as char, true)
            }
            SPACE => {
                pos += 1;
                space_before = true;
                continue;
            }
            NON_ASCII => {
                let c = decode(text, i);
                pos += c.len_utf8();
                if is_separator(c) {
                    space_before = true;
                    continue;
                }
                (c, is_word_char(c))
            }
            class => {
                pos += 1;
                (b as char, class & WORD != 0)
            }
        };
        if word {
            let w = scan_word(text, i, pos);
            let mut end = w.end;
            // A trailing period belongs to abbreviations ("U.S.", "Mr.", "Jan.") and initials.
            if bytes.get(end) == Some(&b'.') {
                let initial = end - i == 1 && c.is_uppercase();
                if w.inner_period || initial || abbreviations(&text[i..end + 1]) {
                    end += 1;
                }
            }
            let kind = if w.numeric {
                TokenKind::Number
            } else {
                TokenKind::Word
            };
            let capitalized = if b.is_ascii() {
                b.is_ascii_uppercase()
            } else {
                c.is_uppercase()
            };
            let first = Token {
                span: span(base + i, base + end),
                kind,
                capitalized,
                space_before,
                shape: 0,
            };
            push_word(tokens, bytes, base, first, w.joined);
            pos = end;
        } else {
            let kind = if is_double_quote(c) || is_single_quote(c) {
                TokenKind::Quote
            } else {
                TokenKind::Punct
            };
            // Runs of the same dash or dots ("--", "...") stay one token.
            if matches!(c, '-' | '.') {
                while bytes.get(pos) == Some(&(c as u8)) {
                    pos += 1;
                }
            }
            // Two apostrophes or backticks are one double quotation mark (the New York
            // Times' ''...'', typewriter ``...''). In a run of three, the double mark is
            // the outer one: ''' opens as '' + ' after a space, and closes as ' + ''.
            if matches!(c, '\'' | '`') && bytes.get(pos) == Some(&(c as u8)) {
                let run = bytes[i..].iter().take_while(|&&b| b == c as u8).count();
                if run == 2 || space_before {
                    pos = i + 2;
                }
            }
            tokens.push(Token {
                span: span(base + i, base + pos),
                kind,
                capitalized: false,
                space_before,
                shape: word_shape(&bytes[i..pos]),
            });
        }
        // One space after a token, the most common separator, is taken here: one round of
        // the loop fewer per token. Any other separator goes through the loop.
        space_before = bytes.get(pos) == Some(&b' ');
        pos += space_before as usize;
    }
}

/// The span `[start, end)` of a token. The tokenizer's spans are never reversed (every
/// token holds a char): unlike `Span::new`, no assertion per token.
#[inline(always)]
fn span(start: usize, end: usize) -> Span {
    debug_assert!(start <= end);
    Span { start, end }
}

/// The token of an ASCII word of letters and digits at `start..end` of `bytes` (the
/// tokenizer's fast path).
#[inline(always)]
fn ascii_word(bytes: &[u8], base: usize, start: usize, end: usize, space_before: bool) -> Token {
    Token {
        span: span(base + start, base + end),
        kind: TokenKind::Word,
        capitalized: bytes[start].is_ascii_uppercase(),
        space_before,
        shape: word_shape(&bytes[start..end]),
    }
}

/// The non-ASCII char starting at `at`, a char boundary inside `text`.
#[inline]
fn decode(text: &str, at: usize) -> char {
    text[at..].chars().next().unwrap_or('\0')
}

/// The end of the run of ASCII letters and digits in `bytes` from `end` on.
#[inline(always)]
fn ascii_word_run_end(bytes: &[u8], mut end: usize) -> usize {
    while let Some(&x) = bytes.get(end) {
        if BYTE_CLASS[x as usize] & WORD == 0 {
            break;
        }
        end += 1;
    }
    end
}

/// A word found by [`scan_word`].
struct ScannedWord {
    /// Byte offset after its last char, a trailing period not yet taken.
    end: usize,
    /// All its chars are ASCII digits, joiners between them aside ("20,000", "3.5").
    numeric: bool,
    /// A period joins two of its parts ("U.S", "3.5").
    inner_period: bool,
    /// Some joiner ([`is_inner_joiner`]) joins two of its parts: only then can it end in
    /// a possessive or "n't" (their apostrophe is a joiner).
    joined: bool,
}

/// Reads the word whose first char, starting at byte `start`, ends at byte `end`: letters
/// and digits, and the joiners ([`is_inner_joiner`]) that a word char follows directly.
#[inline(always)]
fn scan_word(text: &str, start: usize, mut end: usize) -> ScannedWord {
    let bytes = text.as_bytes();
    let mut numeric = bytes[start].is_ascii_digit();
    let mut inner_period = false;
    let mut joined = false;
    loop {
        // ASCII letters and digits, the most of a word, a byte at a time. While the word
        // may be a number, the or of their classes has the LETTER bit unless all are
        // digits; once it is none (most words), no class needs keeping.
        if numeric {
            let mut classes = 0u8;
            while let Some(&x) = bytes.get(end) {
                let class = BYTE_CLASS[x as usize] & WORD;
                if class == 0 {
                    break;
                }
                classes |= class;
                end += 1;
            }
            numeric = classes & LETTER == 0;
        } else {
            end = ascii_word_run_end(bytes, end);
        }
        let Some(&x) = bytes.get(end) else {
            break;
        };
        // An ASCII byte here is no letter or digit (the run above stopped at it): only an
        // ASCII joiner goes on, any other (a space, most often) ends the word at once.
        let d = if x.is_ascii() {
            if !is_ascii_joiner(x) {
                break;
            }
            x as char
        } else {
            let d = decode(text, end);
            if is_word_char(d) {
                // A non-ASCII letter or digit: the word is no number.
                numeric = false;
                end += d.len_utf8();
                continue;
            }
            if !is_inner_joiner(d) {
                break;
            }
            d
        };
        // Only join when a word char follows directly; "," only between digits.
        let after = end + d.len_utf8();
        let joins = match bytes.get(after) {
            Some(&y) if y.is_ascii() => {
                BYTE_CLASS[y as usize] & WORD != 0
                    && (d != ',' || (bytes[end - 1].is_ascii_digit() && y.is_ascii_digit()))
            }
            // A non-ASCII digit is no ASCII digit: "," never joins before one.
            Some(_) => d != ',' && is_word_char(decode(text, after)),
            None => false,
        };
        if !joins {
            break;
        }
        inner_period |= d == '.';
        joined = true;
        end = after;
    }
    ScannedWord {
        end,
        numeric,
        inner_period,
        joined,
    }
}

/// Pushes the word token `word` (all its fields set but the shape), splitting off a
/// possessive "'s"/"’s" and the clitic "n't". Only a word with a joiner (`joined`) can
/// end in one: their apostrophes are joiners.
#[inline(always)]
fn push_word(tokens: &mut Vec<Token>, bytes: &[u8], base: usize, word: Token, joined: bool) {
    let (start, end) = (word.span.start - base, word.span.end - base);
    let ending = if joined {
        possessive_or_negation(&bytes[start..end])
    } else {
        0
    };
    if ending == 0 {
        tokens.push(Token {
            shape: word_shape(&bytes[start..end]),
            ..word
        });
        return;
    }
    let cut = end - ending;
    tokens.push(Token {
        span: span(base + start, base + cut),
        shape: word_shape(&bytes[start..cut]),
        ..word
    });
    tokens.push(Token {
        span: span(base + cut, base + end),
        kind: TokenKind::Word,
        capitalized: false,
        space_before: false,
        shape: word_shape(&bytes[cut..end]),
    });
}

/// Length of the possessive ("'s", "’s") or negation ("n't", "n’t") ending of `word` to
/// split off, 0 if none; ASCII case ignored ("'S", "N'T" too; `| 0x20` is 'n' for "n" and
/// "N" only). Every ending ends in "s" or "t". Bytes, not a str: no char boundary checks;
/// a matched ending starts at a char boundary anyway, as each begins with an ASCII byte or
/// a UTF-8 lead byte.
fn possessive_or_negation(word: &[u8]) -> usize {
    let n = word.len();
    const RSQUO: &[u8] = "’".as_bytes();
    match word.last() {
        Some(b's' | b'S') if n > 2 && word[n - 2] == b'\'' => 2,
        Some(b's' | b'S') if n > 4 && &word[n - 4..n - 1] == RSQUO => 4,
        Some(b't' | b'T') if n > 3 && word[n - 2] == b'\'' && word[n - 3] | 0x20 == b'n' => 3,
        Some(b't' | b'T')
            if n > 5 && &word[n - 4..n - 1] == RSQUO && word[n - 5] | 0x20 == b'n' =>
        {
            5
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The tokenizer before its fast paths (a byte class table, the space after a token
    // taken with it, the ending test only for words with a joiner), kept to pin them: a
    // char at a time through the general tests.

    /// ASCII word bytes: 1 for letters, 2 for digits, 0 for the rest.
    fn ascii_word(b: u8) -> u8 {
        if b.is_ascii_digit() {
            2
        } else {
            b.is_ascii_alphabetic() as u8
        }
    }

    /// Splits `text` (starting at byte `base` of the document) into tokens: the reference.
    pub(super) fn reference_tokenize(
        text: &str,
        base: usize,
        abbreviations: &dyn Fn(&str) -> bool,
    ) -> Vec<Token> {
        let mut tokens = Vec::with_capacity(text.len() / 5);
        reference_tokenize_into(text, base, abbreviations, &mut tokens);
        tokens
    }

    /// `reference_tokenize`, appending to `tokens` (the document's, one paragraph after another).
    ///
    /// Walks the text a byte at a time: an ASCII byte is classified by the byte itself (and
    /// `ascii_word`), only a non-ASCII char is decoded. Every offset the loop stops at is a
    /// char boundary, as it always advances by whole chars.
    fn reference_tokenize_into(
        text: &str,
        base: usize,
        abbreviations: &dyn Fn(&str) -> bool,
        tokens: &mut Vec<Token>,
    ) {
        let bytes = text.as_bytes();
        // The non-ASCII char starting at `at` (a char boundary inside the text).
        let decode = |at: usize| text[at..].chars().next().unwrap_or('\0');
        // Byte offset of the next char to read.
        let mut pos = 0;
        let mut space_before = true;
        while let Some(&b) = bytes.get(pos) {
            let i = pos;
            let (c, word) = if b.is_ascii() {
                pos += 1;
                // ASCII whitespace and controls: all of 0x00-0x20, and DEL.
                if is_separator(b as char) {
                    space_before = true;
                    continue;
                }
                (b as char, ascii_word(b) != 0)
            } else {
                let c = decode(i);
                pos += c.len_utf8();
                if is_separator(c) {
                    space_before = true;
                    continue;
                }
                (c, is_word_char(c))
            };
            if word {
                let mut end = pos;
                let mut numeric = b.is_ascii_digit();
                // Periods only enter a word as joiners: tracked here, not searched for later.
                let mut inner_period = false;
                loop {
                    // ASCII letters and digits, the most of a word, a byte at a time; the
                    // or of their classes has bit 1 (a letter) unless all are digits.
                    let mut classes = 0u8;
                    while let Some(&x) = bytes.get(end) {
                        let class = ascii_word(x);
                        if class == 0 {
                            break;
                        }
                        classes |= class;
                        end += 1;
                    }
                    numeric &= classes & 1 == 0;
                    let Some(&x) = bytes.get(end) else {
                        break;
                    };
                    // An ASCII byte here is no letter or digit (the run above stopped at it).
                    let d = if x.is_ascii() { x as char } else { decode(end) };
                    if !x.is_ascii() && is_word_char(d) {
                        // A non-ASCII letter or digit: the word is no number.
                        numeric = false;
                        end += d.len_utf8();
                    } else if is_inner_joiner(d) {
                        // Only join when a word char follows directly; "," only between digits.
                        let after = end + d.len_utf8();
                        let joins = match bytes.get(after) {
                            Some(&y) if y.is_ascii() => {
                                ascii_word(y) != 0
                                    && (d != ','
                                        || (bytes[end - 1].is_ascii_digit() && y.is_ascii_digit()))
                            }
                            // A non-ASCII digit is no ASCII digit: "," never joins before one.
                            Some(_) => d != ',' && is_word_char(decode(after)),
                            None => false,
                        };
                        if !joins {
                            break;
                        }
                        inner_period |= d == '.';
                        end = after;
                    } else {
                        break;
                    }
                }
                // A trailing period belongs to abbreviations ("U.S.", "Mr.", "Jan.") and initials.
                if bytes.get(end) == Some(&b'.') {
                    let initial = end - i == 1 && c.is_uppercase();
                    if inner_period || initial || abbreviations(&text[i..end + 1]) {
                        end += 1;
                    }
                }
                pos = end;
                reference_push_word(tokens, text, base, i, end, numeric, space_before);
            } else {
                let kind = if is_double_quote(c) || is_single_quote(c) {
                    TokenKind::Quote
                } else {
                    TokenKind::Punct
                };
                // Runs of the same dash or dots ("--", "...") stay one token.
                if matches!(c, '-' | '.') {
                    while bytes.get(pos) == Some(&(c as u8)) {
                        pos += 1;
                    }
                }
                // Two apostrophes or backticks are one double quotation mark (the New York
                // Times' ''...'', typewriter ``...''). In a run of three, the double mark is
                // the outer one: ''' opens as '' + ' after a space, and closes as ' + ''.
                if matches!(c, '\'' | '`') && bytes.get(pos) == Some(&(c as u8)) {
                    let run = bytes[i..].iter().take_while(|&&b| b == c as u8).count();
                    if run == 2 || space_before {
                        pos = i + 2;
                    }
                }
                tokens.push(Token {
                    span: Span::new(base + i, base + pos),
                    kind,
                    capitalized: false,
                    space_before,
                    shape: word_shape(&bytes[i..pos]),
                });
            }
            space_before = false;
        }
    }

    /// Pushes a word, splitting off a possessive "'s"/"’s", a bare trailing apostrophe
    /// ("Americans’") and the clitic "n't".
    fn reference_push_word(
        tokens: &mut Vec<Token>,
        text: &str,
        base: usize,
        start: usize,
        end: usize,
        numeric: bool,
        space_before: bool,
    ) {
        // Bytes, not a str: no char boundary checks. A matched ending starts at a char
        // boundary anyway, as each begins with an ASCII byte or a UTF-8 lead byte.
        let bytes = text.as_bytes();
        let word = &bytes[start..end];
        let n = word.len();
        const RSQUO: &[u8] = "’".as_bytes();
        // Length of the split-off ending, ASCII case ignored ("'S", "N'T" too; `| 0x20` is 'n'
        // for "n" and "N" only). Every ending ends in "s" or "t".
        let ending = match word.last() {
            Some(b's' | b'S') if n > 2 && word[n - 2] == b'\'' => 2,
            Some(b's' | b'S') if n > 4 && &word[n - 4..n - 1] == RSQUO => 4,
            Some(b't' | b'T') if n > 3 && word[n - 2] == b'\'' && word[n - 3] | 0x20 == b'n' => 3,
            Some(b't' | b'T')
                if n > 5 && &word[n - 4..n - 1] == RSQUO && word[n - 5] | 0x20 == b'n' =>
            {
                5
            }
            _ => 0,
        };
        let split = (ending > 0).then(|| end - ending);
        let first_upper = match word.first() {
            Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
            _ => text[start..].chars().next().is_some_and(char::is_uppercase),
        };
        let kind = if numeric {
            TokenKind::Number
        } else {
            TokenKind::Word
        };
        match split {
            Some(cut) => {
                tokens.push(Token {
                    span: Span::new(base + start, base + cut),
                    kind,
                    capitalized: first_upper,
                    space_before,
                    shape: word_shape(&bytes[start..cut]),
                });
                tokens.push(Token {
                    span: Span::new(base + cut, base + end),
                    kind: TokenKind::Word,
                    capitalized: false,
                    space_before: false,
                    shape: word_shape(&bytes[cut..end]),
                });
            }
            None => tokens.push(Token {
                span: Span::new(base + start, base + end),
                kind,
                capitalized: first_upper,
                space_before,
                shape: word_shape(word),
            }),
        }
    }

    fn words(text: &str) -> Vec<&str> {
        let abbr = |w: &str| matches!(w.to_ascii_lowercase().as_str(), "mr." | "jan.");
        tokenize(text, 0, &abbr)
            .iter()
            .map(|t| t.span.slice(text))
            .collect()
    }

    #[test]
    fn abbreviations_possessives_and_quotes() {
        assert_eq!(
            words("U.S. President Donald Trump’s “claim,” Mr. Wei didn't."),
            vec![
                "U.S.",
                "President",
                "Donald",
                "Trump",
                "’s",
                "“",
                "claim",
                ",",
                "”",
                "Mr.",
                "Wei",
                "did",
                "n't",
                "."
            ]
        );
    }

    #[test]
    fn lowercased_tokenized_text_keeps_its_tokens() {
        assert_eq!(
            words("china s drug control agency ( dea ) 20,000 u.s."),
            vec!["china", "s", "drug", "control", "agency", "(", "dea", ")", "20,000", "u.s."]
        );
    }

    #[test]
    fn two_apostrophes_are_one_double_quotation_mark() {
        // The New York Times writes quotes as ''...''; a single quote inside ends in '''.
        assert_eq!(
            words("''She said 'Why?''' he said, ``yes''"),
            vec![
                "''", "She", "said", "'", "Why", "?", "'", "''", "he", "said", ",", "``", "yes",
                "''"
            ]
        );
        let toks = tokenize("''a", 0, &|_| false);
        assert_eq!(toks[0].span, Span::new(0, 2));
        assert_eq!(toks[0].kind, TokenKind::Quote);
    }

    #[test]
    fn nbsp_separates_and_offsets_are_bytes() {
        let text = "indictment\u{a0}of “two”";
        let toks = tokenize(text, 10, &|_| false);
        assert_eq!(toks.len(), 5);
        assert_eq!(toks[1].span, Span::new(10 + 12, 10 + 14));
        assert_eq!(toks[2].kind, TokenKind::Quote);
    }

    #[test]
    fn every_token_has_the_shape_of_its_lowercase_text() {
        let text = "Mr. TRUMP’s “claim”, U.S.-made";
        let lower = text.to_ascii_lowercase();
        for t in tokenize(text, 0, &|_| false) {
            assert_eq!(t.shape, word_shape(t.span.slice(&lower).as_bytes()));
        }
        assert_eq!(word_shape(b"Trump"), word_shape(b"trump"));
        assert!((word_shape(b"administration") as usize) < SHAPE_BITS);
    }

    #[test]
    fn general_punctuation_holds_no_word_char() {
        for c in '\u{2000}'..='\u{206f}' {
            assert!(!c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn joiners_digits_and_non_ascii_words() {
        assert_eq!(
            words("20,000 a,b 1,é Zürich-based São Paulo’s AT&T x/y 3.5. Mr. M. U.S.A."),
            vec![
                "20,000",
                "a",
                ",",
                "b",
                "1",
                ",",
                "é",
                "Zürich-based",
                "São",
                "Paulo",
                "’s",
                "AT&T",
                "x/y",
                "3.5.",
                "Mr.",
                "M.",
                "U.S.A."
            ]
        );
        let kinds: Vec<TokenKind> = tokenize("20,000 1é 12 a1", 0, &|_| false)
            .iter()
            .map(|t| t.kind)
            .collect();
        assert_eq!(
            kinds,
            vec![
                TokenKind::Number,
                TokenKind::Word,
                TokenKind::Number,
                TokenKind::Word
            ]
        );
    }

    #[test]
    fn possessive_and_negation_endings_in_any_case() {
        assert_eq!(
            words("TRUMP'S Biden’S DIDN'T don’t N'T ’s 's Americans’ it's"),
            vec![
                "TRUMP",
                "'S",
                "Biden",
                "’S",
                "DID",
                "N'T",
                "do",
                "n’t",
                "N'T",
                "’",
                "s",
                "'",
                "s",
                "Americans",
                "’",
                "it",
                "'s"
            ]
        );
    }

    #[test]
    fn hyphenated_titles_and_sentence_final_period() {
        assert_eq!(
            words("deputy secretary-general. End"),
            vec!["deputy", "secretary-general", ".", "End"]
        );
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::tests::reference_tokenize;
    use super::*;

    fn abbr(w: &str) -> bool {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "mr." | "jan." | "é." | "co."
        )
    }

    fn same_tokens(text: &str) {
        let fast = tokenize(text, 7, &abbr);
        let slow = reference_tokenize(text, 7, &abbr);
        let view = |toks: &[Token]| -> Vec<(Span, TokenKind, bool, bool, u16)> {
            toks.iter()
                .map(|t| (t.span, t.kind, t.capitalized, t.space_before, t.shape))
                .collect()
        };
        assert_eq!(view(&fast), view(&slow), "{text:?}");
    }

    #[test]
    fn tables_equal_the_char_tests() {
        for b in 0..=255u8 {
            let class = BYTE_CLASS[b as usize];
            if b.is_ascii() {
                let c = b as char;
                assert_eq!(class == SPACE, c <= ' ' || c == '\x7f', "{b}");
                assert_eq!(class == LETTER, c.is_ascii_alphabetic(), "{b}");
                assert_eq!(class == DIGIT, c.is_ascii_digit(), "{b}");
                assert_eq!(is_ascii_joiner(b), is_inner_joiner(c), "{b}");
                assert_eq!(is_separator(c), class == SPACE, "{b}");
            } else {
                assert_eq!(class, NON_ASCII);
            }
            assert_eq!(ASCII_LOWER[b as usize], b.to_ascii_lowercase());
        }
    }

    #[test]
    fn fast_tokenizer_equals_the_reference_on_tricky_texts() {
        for text in [
            "",
            " ",
            "a",
            "A.",
            "Mr. Wei didn't say \u{a0}“no”; U.S.A. 20,000 3.5. é. É. Co.",
            "TRUMP'S Biden’S DIDN'T don’t N'T ’s 's Americans’ it's x'",
            "''She said 'Why?''' he said, ``yes'' ''' ``` `",
            "--- ... -. .- a-b a- -a a--b 1,2,3 1,a a,1 1, ,1 x/y AT&T &",
            "Zürich-based São Paulo’s 1é é1 ١٢٣ 1,١ a‑b a’b a’ ’a naïve ΣΑΣ",
            "tab\tnew\nline\r\ncr\x7fdel\u{feff}bom\u{2003}em\u{200b}zw\u{85}nel",
            "end.",
            "end,",
            "end'",
            "end’",
            "end-",
            "a.b.c. a.b. a. .a ..a a..b",
            "ends in ’",
            "n't 'nt N’T’s s's",
            "  leading and trailing  ",
            // The fast path (an ASCII word and one space) and each way to leave it.
            "word ",
            "word",
            "Word  two\tthree\u{a0}four. five, six's ab1 a1b2 Mr. X. didn't ",
            "abc-def abc’s abc's abcé é abc1.5 a.b u.s. US. A ",
            "said, a1,2 a1,b ab,1 (dea) yes? no! x; y: z\" w) q\n r\t",
            "a,b a, a1, a&b a/b a'b a’b a-b a.",
        ] {
            same_tokens(text);
        }
    }

    #[test]
    fn fast_tokenizer_equals_the_reference_on_random_texts() {
        // Texts drawn from pieces that meet at every kind of boundary.
        let pieces = [
            "a", "Z", "é", "É", "1", "٣", " ", "  ", "\u{a0}", "\t", "\n", ".", ",", "-", "'", "’",
            "‑", "&", "/", "\"", "“", "”", "`", "(", "…", "s", "t", "n", "Mr", "co", "\u{2003}",
            "\u{feff}", "—", "ß", "İ",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut text = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 12) as usize;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            same_tokens(&text);
        }
    }
}
