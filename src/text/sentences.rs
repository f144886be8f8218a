//! Sentence boundaries over tokens.
//!
//! A sentence ends at `.`, `!`, `?` (with the closing quotes and brackets that follow),
//! at an abbreviation only when the next word is a capitalized function word ("... the U.S.
//! The ..."), and always at a paragraph end.

use crate::document::{Sentence, Token, TokenKind};
use crate::span::Span;

/// Splits the tokens of one paragraph, `tokens[first..last]`, into sentences. `lower` is
/// `text` ASCII-lowercased (the document's `lower`): the words asked of `starts_sentence`
/// and `is_cue` are read from it, not lowercased into a new string each.
#[allow(clippy::too_many_arguments)]
pub fn split(
    text: &str,
    lower: &str,
    tokens: &[Token],
    (first, last): (usize, usize),
    paragraph: usize,
    starts_sentence: &dyn Fn(&str) -> bool,
    is_cue: &dyn Fn(&str) -> bool,
    out: &mut Vec<Sentence>,
) {
    let mut start = first;
    let mut i = first;
    let bytes = text.as_bytes();
    while i < last {
        // Most tokens are words without a final period: nothing to read, skipped in one
        // pass over the slice (no bounds check per token).
        let Some(skip) = tokens[i..last]
            .iter()
            .position(|t| t.kind != TokenKind::Word || bytes[t.span.end - 1] == b'.')
        else {
            break;
        };
        i += skip;
        let t = tokens[i];
        let s = t.span.slice(text);
        let mut ends = false;
        if t.kind == TokenKind::Punct && (s.starts_with('.') || s == "!" || s == "?") {
            // "..." inside a sentence is an ellipsis unless a capital follows; "(D-Nev.)
            // said" goes on: an abbreviation closing a bracket before a lowercase word.
            ends = (s.len() < 2 && !no_sentence_starts_at(text, tokens, i + 1, last))
                || next_is_capital(text, tokens, i + 1, last);
        } else if t.kind == TokenKind::Punct && s == "…" {
            ends = next_is_capital(text, tokens, i + 1, last);
        } else if t.kind == TokenKind::Word && s.ends_with('.') && s.len() > 1 && i + 1 < last {
            // Abbreviation: ends a sentence only before a sentence-starting word.
            let n = tokens[i + 1];
            ends = n.capitalized && starts_sentence(n.span.slice(lower));
        }
        i += 1;
        if ends {
            // Closing quotes and brackets stay with the sentence they close.
            let mark = i;
            let mut quote_closed = false;
            while i < last {
                let n = tokens[i].span.slice(text);
                let quote = tokens[i].kind == TokenKind::Quote && !tokens[i].space_before;
                if !(quote || matches!(n, "”" | "’" | ")" | "]" | "»")) {
                    break;
                }
                quote_closed |= quote || matches!(n, "”" | "»");
                i += 1;
            }
            // “Why now?” he asked. / “Stop!” Mr. Biden said.: a question or exclamation
            // closing a quote goes on into the short clause that attributes it.
            let exclaims = matches!(tokens[mark - 1].span.slice(text), "?" | "!");
            if exclaims && quote_closed && attribution_follows(text, lower, tokens, i, last, is_cue)
            {
                continue;
            }
            push(tokens, start, i, paragraph, out);
            start = i;
        }
    }
    if start < last {
        push(tokens, start, last, paragraph, out);
    }
}

/// After a period, token `i` is a comma or semicolon ("Huntsville, Ala., says"), or ")"
/// before a lowercase word or a comma ("(D-Nev.) said", "(D-Mo.), who"): no sentence
/// starts there.
fn no_sentence_starts_at(text: &str, tokens: &[Token], i: usize, last: usize) -> bool {
    if i < last && matches!(tokens[i].span.slice(text), "," | ";") {
        return true;
    }
    i + 1 < last
        && tokens[i].span.slice(text) == ")"
        && (matches!(tokens[i + 1].span.slice(text), "," | ";")
            || tokens[i + 1].kind == TokenKind::Word
                && tokens[i + 1]
                    .span
                    .slice(text)
                    .starts_with(|c: char| c.is_lowercase()))
}

/// Tokens from `i` to the next period make a short speaker-and-cue clause: at most six
/// words, no other punctuation but commas, one of them a cue ("he asked", "said Mr. Wei").
fn attribution_follows(
    text: &str,
    lower: &str,
    tokens: &[Token],
    i: usize,
    last: usize,
    is_cue: &dyn Fn(&str) -> bool,
) -> bool {
    let mut cue = false;
    for (n, t) in tokens[i.min(last)..last].iter().enumerate() {
        let s = t.span.slice(text);
        match t.kind {
            TokenKind::Word if n < 6 => cue |= is_cue(t.span.slice(lower)),
            TokenKind::Punct if s == "." => return cue,
            TokenKind::Punct if s == "," => {}
            _ => return false,
        }
    }
    cue
}

fn next_is_capital(text: &str, tokens: &[Token], mut i: usize, last: usize) -> bool {
    while i < last && tokens[i].kind == TokenKind::Quote {
        i += 1;
    }
    i >= last
        || tokens[i].capitalized
        || tokens[i].kind == TokenKind::Number
        || tokens[i].span.slice(text).starts_with(['(', '—', '-'])
}

fn push(tokens: &[Token], first: usize, last: usize, paragraph: usize, out: &mut Vec<Sentence>) {
    out.push(Sentence {
        span: Span::new(tokens[first].span.start, tokens[last - 1].span.end),
        tokens: (first, last),
        paragraph,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokens::tokenize;

    fn sentences(text: &str) -> Vec<&str> {
        let abbr = |w: &str| w.eq_ignore_ascii_case("mr.");
        let toks = tokenize(text, 0, &abbr);
        let mut out = Vec::new();
        let starts = |w: &str| matches!(w, "the" | "but");
        let cues = |w: &str| matches!(w, "said" | "asked");
        let lower = text.to_ascii_lowercase();
        split(
            text,
            &lower,
            &toks,
            (0, toks.len()),
            0,
            &starts,
            &cues,
            &mut out,
        );
        out.iter().map(|s| s.span.slice(text)).collect()
    }

    #[test]
    fn quotes_stay_with_their_sentence() {
        assert_eq!(
            sentences("He said “stop.” Then Mr. Wei left. It went to the U.S. The end"),
            vec![
                "He said “stop.”",
                "Then Mr. Wei left.",
                "It went to the U.S.",
                "The end"
            ]
        );
    }

    #[test]
    fn a_question_closing_a_quote_goes_on_into_its_attribution() {
        assert_eq!(
            sentences("“Why now?” he asked. “Stop!” Mr. Wei said. “Why?” Then he left."),
            vec![
                "“Why now?” he asked.",
                "“Stop!” Mr. Wei said.",
                "“Why?”",
                "Then he left."
            ]
        );
    }

    #[test]
    fn abbreviation_before_a_name_does_not_split() {
        assert_eq!(
            sentences("The U.S. Drug Enforcement Administration said so."),
            vec!["The U.S. Drug Enforcement Administration said so."]
        );
    }

    #[test]
    fn a_party_and_state_in_brackets_do_not_end_the_sentence() {
        assert_eq!(
            sentences("Mr. Bernie Sanders (I-Vt.) said so. (It rained.) The end"),
            vec![
                "Mr. Bernie Sanders (I-Vt.) said so.",
                "(It rained.)",
                "The end"
            ]
        );
    }

    #[test]
    fn lowercased_sentences_split_on_spaced_periods() {
        assert_eq!(
            sentences("wei said so . ho agreed ."),
            vec!["wei said so .", "ho agreed ."]
        );
    }
}
