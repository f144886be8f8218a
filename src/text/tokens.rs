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
    c.is_alphanumeric()
}

/// Chars that may sit inside a word when a word char follows: "U.S", "secretary-general",
/// "don't", "20,000", "AT&T".
fn is_inner_joiner(c: char) -> bool {
    matches!(c, '.' | '-' | '\'' | '’' | '&' | ',' | '/' | '‑')
}

/// Splits `text` (starting at byte `base` of the document) into tokens.
pub fn tokenize(text: &str, base: usize, abbreviations: &dyn Fn(&str) -> bool) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 5);
    let bytes = text.as_bytes();
    let mut chars = text.char_indices().peekable();
    let mut space_before = true;
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() || c.is_control() || c == '\u{feff}' {
            space_before = true;
            continue;
        }
        if is_word_char(c) {
            let mut end = i + c.len_utf8();
            let mut numeric = c.is_ascii_digit();
            loop {
                match chars.peek() {
                    Some(&(j, d)) if is_word_char(d) => {
                        numeric &= d.is_ascii_digit();
                        end = j + d.len_utf8();
                        chars.next();
                    }
                    Some(&(j, d)) if is_inner_joiner(d) => {
                        // Only join when a word char follows directly; "," only between digits.
                        let after = j + d.len_utf8();
                        let next = text[after..].chars().next();
                        let joins = match next {
                            Some(n) if is_word_char(n) => {
                                d != ',' || (bytes[j - 1].is_ascii_digit() && n.is_ascii_digit())
                            }
                            _ => false,
                        };
                        if !joins {
                            break;
                        }
                        end = after;
                        chars.next();
                    }
                    _ => break,
                }
            }
            // A trailing period belongs to abbreviations ("U.S.", "Mr.", "Jan.") and initials.
            if bytes.get(end) == Some(&b'.') {
                let word = &text[i..end + 1];
                let inner_period = text[i..end].contains('.');
                let initial = end - i == 1 && c.is_uppercase();
                if inner_period || initial || abbreviations(word) {
                    end += 1;
                    while chars.peek().is_some_and(|&(j, _)| j < end) {
                        chars.next();
                    }
                }
            }
            push_word(&mut tokens, text, base, i, end, numeric, space_before);
        } else {
            let kind = if is_double_quote(c) || is_single_quote(c) {
                TokenKind::Quote
            } else {
                TokenKind::Punct
            };
            let mut end = i + c.len_utf8();
            // Runs of the same dash or dots ("--", "...") stay one token.
            if matches!(c, '-' | '.') {
                while let Some(&(j, d)) = chars.peek() {
                    if d != c {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
            }
            tokens.push(Token {
                span: Span::new(base + i, base + end),
                kind,
                capitalized: false,
                space_before,
            });
        }
        space_before = false;
    }
    tokens
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
    let word = &text[start..end];
    let lower_tail = |suffix: &str| {
        word.len() > suffix.len()
            && word.is_char_boundary(word.len() - suffix.len())
            && word[word.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    let split = ["'s", "’s", "n't", "n’t"]
        .iter()
        .find(|s| lower_tail(s))
        .map(|s| end - s.len());
    let first_upper = word.chars().next().is_some_and(char::is_uppercase);
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
            });
            tokens.push(Token {
                span: Span::new(base + cut, base + end),
                kind: TokenKind::Word,
                capitalized: false,
                space_before: false,
            });
        }
        None => tokens.push(Token {
            span: Span::new(base + start, base + end),
            kind,
            capitalized: first_upper,
            space_before,
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
    fn nbsp_separates_and_offsets_are_bytes() {
        let text = "indictment\u{a0}of “two”";
        let toks = tokenize(text, 10, &|_| false);
        assert_eq!(toks.len(), 5);
        assert_eq!(toks[1].span, Span::new(10 + 12, 10 + 14));
        assert_eq!(toks[2].kind, TokenKind::Quote);
    }

    #[test]
    fn hyphenated_titles_and_sentence_final_period() {
        assert_eq!(
            words("deputy secretary-general. End"),
            vec!["deputy", "secretary-general", ".", "End"]
        );
    }
}
