//! Tokenizer: words, numbers, quotation marks and punctuation with byte spans.
//!
//! Keeps abbreviations with internal periods ("U.S.", "u.s.") whole, splits possessives
//! ("Trump’s" -> "Trump" "’s", lowercased "trump s" is already two tokens) and negation
//! clitics ("didn't" -> "did" "n't"), and treats every Unicode space (NBSP included) as a
//! separator. Offsets are never changed after this stage.

use crate::document::{Token, TokenKind};
use crate::span::Span;

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
fn is_inner_joiner(c: char) -> bool {
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
    let [first, second, last] = [first, second, last].map(|b| b.to_ascii_lowercase());
    let h = (word.len() as u32)
        .wrapping_mul(0x9e37_79b9)
        .wrapping_add((first as u32) << 16 | (second as u32) << 8 | last as u32)
        .wrapping_mul(0x85eb_ca6b);
    (h >> (32 - SHAPE_BITS.trailing_zeros())) as u16
}

/// ASCII word bytes: 1 for letters, 2 for digits, 0 for the rest (one load per byte in
/// the tokenizer's inner loop).
static ASCII_WORD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_digit() {
            2
        } else if c.is_ascii_alphabetic() {
            1
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Whitespace, control characters and the byte order mark separate tokens.
#[inline]
fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        // ASCII whitespace and controls: all of 0x00-0x20, and DEL.
        c <= ' ' || c == '\x7f'
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
    let mut tokens = Vec::with_capacity(text.len() / 5);
    tokenize_into(text, base, abbreviations, &mut tokens);
    tokens
}

/// [`tokenize`], appending to `tokens` (the document's, one paragraph after another).
///
/// Walks the text a byte at a time: an ASCII byte is classified by the byte itself (and
/// [`ASCII_WORD`]), only a non-ASCII char is decoded. Every offset the loop stops at is a
/// char boundary, as it always advances by whole chars.
pub fn tokenize_into(
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
            (b as char, ASCII_WORD[b as usize] != 0)
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
                    let class = ASCII_WORD[x as usize];
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
                            ASCII_WORD[y as usize] != 0
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
            push_word(tokens, text, base, i, end, numeric, space_before);
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
fn push_word(
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

#[cfg(test)]
mod tests {
    use super::*;

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
