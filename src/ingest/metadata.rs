//! Article metadata and boilerplate: a leading " date YYYY-MM-DD" header, the title,
//! "By NAME" bylines, signatures ("/kga"), comment-policy lines and trailing author bios.
//! Nothing is deleted from the text: boilerplate becomes spans the text stage skips.

use crate::document::Document;
use crate::span::Span;
use regex::{Regex, RegexSet};
use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::{Hir, HirKind, Look};
use std::sync::OnceLock;

/// The boilerplate patterns of schema/boilerplate.tsv.
///
/// Only the alternation of all of them is compiled up front: most articles match none,
/// which it tells in one pass. The set and the single patterns are compiled the first
/// time an article matches something, so a run over clean news compiles one regular
/// expression, not three copies of each (compiling the Unicode classes of the byline
/// took as long as scanning several megabytes).
pub struct Boilerplate {
    patterns: Vec<Pattern>,
    /// The byline pattern and every boilerplate pattern in one automaton: one pass over
    /// the text says which of them match at all.
    any: OnceLock<RegexSet>,
    /// Whether any of the same patterns matches: most articles match none of them, which
    /// this says in a fraction of the set's overlapping search.
    any_at_all: AnyMatch,
}

/// Says whether any of the patterns matches a text, as the alternation of them all
/// would, without running that alternation's automaton over every byte: most patterns
/// (the byline and most rows) can only match at the start of a line (`(?m)^...`), so
/// they are tried, anchored, only where a line starts with a byte a match can start
/// with; only the other patterns scan the whole text. This took the unanchored scan of
/// every article (8 instructions a byte in the lazy DFA) down to a line walk.
struct AnyMatch {
    /// The line-start patterns as one alternation anchored at the start of the text
    /// (`\A(?:...)`), run on the text from each line start.
    at_line_start: Option<Regex>,
    /// The bytes a match of `at_line_start` can start with; None when it may match
    /// the empty string (then every line start, the end included, is tried).
    first_bytes: Option<[bool; 256]>,
    /// The other patterns as one unanchored alternation.
    elsewhere: Option<Regex>,
}

/// Whether every match of `hir` starts at a line start (`(?m)^`: the start of the text or
/// after a `\n`). Conservative: false when unsure.
fn starts_at_line_start(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Look(Look::StartLF) => true,
        HirKind::Capture(c) => starts_at_line_start(&c.sub),
        HirKind::Concat(hs) => hs.first().is_some_and(starts_at_line_start),
        HirKind::Alternation(hs) => hs.iter().all(starts_at_line_start),
        _ => false,
    }
}

/// The bytes every match of one of `hirs` starts with, from their prefix literals; None
/// when a match may be empty or the prefixes are not a finite set. Extracted pattern by
/// pattern.
fn first_bytes(hirs: &[Hir]) -> Option<[bool; 256]> {
    let mut table = [false; 256];
    for hir in hirs {
        // Prefixes of one byte: all that is read, and they stay few (so finite) where the
        // full prefixes of a case-insensitive row would be too many.
        let mut extractor = Extractor::new();
        extractor.limit_literal_len(1);
        for lit in extractor.extract(hir).literals()? {
            table[*lit.as_bytes().first()? as usize] = true;
        }
    }
    Some(table)
}

/// The alternation of regexes (each in a group of its own, so that its flags stay its).
fn alternation<'a>(res: impl Iterator<Item = &'a str>) -> String {
    res.map(|re| format!("(?:{re})"))
        .collect::<Vec<_>>()
        .join("|")
}

impl AnyMatch {
    fn new(sources: &[&str]) -> anyhow::Result<AnyMatch> {
        let mut at_line: Vec<&str> = Vec::new();
        let mut line_hirs: Vec<Hir> = Vec::new();
        let mut elsewhere: Vec<&str> = Vec::new();
        for &re in sources {
            let hir = regex_syntax::Parser::new().parse(re)?;
            // On the text from a line start, every assertion sees what it sees in the
            // whole text (no char before, as after a `\n`, is no word char, no `\r`,
            // a line start) except `\A`, which would hold at every line: patterns with
            // it scan the whole text.
            if starts_at_line_start(&hir) && !hir.properties().look_set().contains(Look::Start) {
                at_line.push(re);
                line_hirs.push(hir);
            } else {
                elsewhere.push(re);
            }
        }
        let at_line_start = if at_line.is_empty() {
            None
        } else {
            Some(Regex::new(&format!(
                r"\A(?:{})",
                alternation(at_line.iter().copied())
            ))?)
        };
        let elsewhere = if elsewhere.is_empty() {
            None
        } else {
            Some(Regex::new(&alternation(elsewhere.iter().copied()))?)
        };
        Ok(AnyMatch {
            at_line_start,
            first_bytes: first_bytes(&line_hirs),
            elsewhere,
        })
    }

    fn is_match(&self, text: &str) -> bool {
        if self.elsewhere.as_ref().is_some_and(|re| re.is_match(text)) {
            return true;
        }
        let Some(re) = &self.at_line_start else {
            return false;
        };
        let bytes = text.as_bytes();
        let mut start = 0;
        loop {
            let worth_trying = match (&self.first_bytes, bytes.get(start)) {
                (Some(first), Some(&b)) => first[b as usize],
                // A match needs a byte, and none is left.
                (Some(_), None) => false,
                (None, _) => true,
            };
            if worth_trying && re.is_match(&text[start..]) {
                return true;
            }
            match next_newline(bytes, start) {
                Some(i) => start = i + 1,
                None => return false,
            }
        }
    }
}

/// The position of the first `\n` at or after `from`, by `memchr` (vector instructions;
/// `str::find` took 2.4 instructions a byte).
fn next_newline(bytes: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'\n', &bytes[from..]).map(|k| from + k)
}

/// One row of boilerplate.tsv (its name column is for the readers of the file).
struct Pattern {
    /// The regex with its multi-line flag.
    source: String,
    compiled: OnceLock<Result<Regex, regex::Error>>,
}

impl Boilerplate {
    pub fn parse(tsv: &str) -> anyhow::Result<Boilerplate> {
        let mut patterns = Vec::new();
        for (n, line) in tsv.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((_name, re)) = line.split_once('\t') else {
                anyhow::bail!("boilerplate.tsv:{}: expected name<TAB>regex", n + 1);
            };
            // Checked here, not on first use: a bad row is reported when the file is
            // loaded, with its line. Only the syntax is checked: no automaton is built.
            let re = format!("(?m){re}");
            regex_syntax::Parser::new()
                .parse(&re)
                .map_err(|e| anyhow::anyhow!("boilerplate.tsv:{}: {e}", n + 1))?;
            patterns.push(Pattern {
                source: re,
                compiled: OnceLock::new(),
            });
        }
        let any_at_all = AnyMatch::new(
            &std::iter::once(BYLINE)
                .chain(patterns.iter().map(|p| p.source.as_str()))
                .collect::<Vec<_>>(),
        )?;
        Ok(Boilerplate {
            patterns,
            any: OnceLock::new(),
            any_at_all,
        })
    }
    /// The byline and the patterns as a set (byline first), compiled on first use.
    fn set(&self) -> &RegexSet {
        self.any.get_or_init(|| {
            RegexSet::new(
                std::iter::once(BYLINE).chain(self.patterns.iter().map(|p| p.source.as_str())),
            )
            // Compiles: the alternations of the same patterns did.
            .unwrap_or_else(|_| RegexSet::empty())
        })
    }

    pub fn builtin() -> &'static Boilerplate {
        static B: OnceLock<Boilerplate> = OnceLock::new();
        B.get_or_init(|| {
            Boilerplate::parse(include_str!("../../schema/boilerplate.tsv"))
                .expect("compiled-in boilerplate.tsv is valid (tested)")
        })
    }
}

fn date_header() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(r"^\s*date (\d{4}-\d{2}-\d{2})\s*").unwrap())
}

/// A "By NAME" line, with an optional date after the name.
const BYLINE: &str = r"(?m)^[ \t]*By ([A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){0,3})(?:[ \t,]+\d{1,2}/\d{1,2}/\d{2,4})?[ \t]*\r?$";

fn byline() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| Regex::new(BYLINE).unwrap())
}

/// Needs: `text`. Adds: `meta` (date, title, authors) and `boilerplate` spans.
pub fn detect(doc: &mut Document, boilerplate: &Boilerplate) {
    let text = &doc.text;
    let mut cut: Vec<Span> = Vec::new();
    let mut body_start = 0;
    if let Some(c) = date_header().captures(text) {
        let whole = c.get(0).unwrap();
        doc.meta.date.get_or_insert_with(|| c[1].to_string());
        cut.push(Span::new(whole.start(), whole.end()));
        body_start = whole.end();
    }
    if boilerplate.any_at_all.is_match(text) {
        let found = boilerplate.set().matches(text);
        if found.matched(0) {
            for c in byline().captures_iter(text).take(2) {
                let whole = c.get(0).unwrap();
                let name = c.get(1).unwrap();
                doc.meta.authors.push((
                    name.as_str().to_string(),
                    Span::new(name.start(), name.end()),
                ));
                cut.push(Span::new(whole.start(), whole.end()));
            }
        }
        for (k, pattern) in boilerplate.patterns.iter().enumerate() {
            if !found.matched(k + 1) {
                continue;
            }
            // It compiles: it is part of `any_at_all`'s alternations, which did.
            let Ok(re) = pattern.compiled.get_or_init(|| Regex::new(&pattern.source)) else {
                continue;
            };
            for m in re.find_iter(text) {
                if !m.as_str().trim().is_empty() {
                    cut.push(Span::new(m.start(), m.end()));
                }
            }
        }
    }
    // A title: a short first line without final punctuation, followed by a blank line.
    let first_line_end = text[body_start..]
        .find('\n')
        .map_or(text.len(), |i| body_start + i);
    let first = text[body_start..first_line_end].trim();
    let blank_after = text[first_line_end..]
        .trim_start_matches([' ', '\t', '\r'])
        .starts_with("\n\n")
        || text[first_line_end..].starts_with("\n\r\n")
        || text[first_line_end..].starts_with("\n\n");
    if doc.meta.title.is_none()
        && blank_after
        && !first.is_empty()
        && first.len() < 200
        && !first.ends_with(['.', '”', '"'])
    {
        doc.meta.title = Some(first.to_string());
    }
    // A trailing author bio: a last paragraph that starts with the byline's name.
    for (author, _) in doc.meta.authors.clone() {
        if let Some(pos) = text.rfind(&format!("\n{author} ")) {
            let para_end = text[pos + 1..]
                .find("\n\n")
                .map_or(text.len(), |i| pos + 1 + i);
            if text[para_end..].trim().is_empty() {
                cut.push(Span::new(pos + 1, para_end));
            }
        }
    }
    cut.sort();
    doc.boilerplate = cut;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        let mut d = Document::new("t.txt", text);
        detect(&mut d, Boilerplate::builtin());
        d
    }

    #[test]
    fn date_header_and_signature_become_boilerplate() {
        let d =
            doc(" date 2017-11-03 BEIJING – A Chinese official spoke.\n\n“Yes,” Wei said. /kga");
        assert_eq!(d.meta.date.as_deref(), Some("2017-11-03"));
        let cut: Vec<&str> = d.boilerplate.iter().map(|s| d.slice(*s)).collect();
        assert_eq!(cut, vec![" date 2017-11-03 ", " /kga"]);
    }

    #[test]
    fn title_byline_policy_and_bio() {
        let text = "China Denies It\n\nBy Paul Gaita 11/07/17\n\nWei spoke.\n\nPlease read our comment policy. - The Fix\n\nPaul Gaita lives in Los Angeles.";
        let d = doc(text);
        assert_eq!(d.meta.title.as_deref(), Some("China Denies It"));
        assert_eq!(d.meta.authors[0].0, "Paul Gaita");
        let cut: Vec<&str> = d.boilerplate.iter().map(|s| d.slice(*s)).collect();
        assert_eq!(
            cut,
            vec![
                "By Paul Gaita 11/07/17",
                "Please read our comment policy. - The Fix",
                "Paul Gaita lives in Los Angeles."
            ]
        );
    }

    /// The line-start walk of [`AnyMatch`] says what the plain alternation of the same
    /// patterns says, for the built-in rows and for patterns at the edges of its
    /// reasoning (`\A`, empty matches, CRLF mode, word boundaries, matches across lines).
    #[test]
    fn any_match_equals_the_plain_alternation() {
        let builtin: Vec<String> = std::iter::once(BYLINE.to_string())
            .chain(
                Boilerplate::builtin()
                    .patterns
                    .iter()
                    .map(|p| p.source.clone()),
            )
            .collect();
        let sets: Vec<Vec<String>> = vec![
            builtin,
            vec![r"(?m)^$".into()],
            vec![r"(?m)^\Afoo".into(), r"(?m)^b".into()],
            vec![r"(?m)^\bx".into(), r"(?m)^\Bx".into()],
            vec![r"(?Rm)^x".into(), r"(?m)^(?:a|\s*b)".into()],
            vec![r"(?m)^\s*x$".into(), r"(?m)^.*\z".into()],
            vec![r"(?m)(?:^a|b)".into(), r"(?m)^[^a]a".into()],
            vec![r"(?m)^(?i)k\b".into(), r"(?m)$\n^x".into()],
        ];
        let fragments = [
            "",
            "\n",
            "\r\n",
            "\r",
            " ",
            "\t",
            "By Wei Li",
            "x",
            "foo",
            "a",
            "b",
            "k",
            "\u{212A}",
            "please read our comment policy",
            "CLIC\u{212A} HERE TO READ",
            " /kga",
            "©2017",
            "é",
        ];
        let mut texts = Vec::new();
        for a in fragments {
            for b in fragments {
                for c in fragments {
                    texts.push(format!("{a}{b}{c}"));
                }
            }
        }
        for set in &sets {
            let srcs: Vec<&str> = set.iter().map(String::as_str).collect();
            let fast = AnyMatch::new(&srcs).unwrap();
            let plain = Regex::new(&alternation(srcs.iter().copied())).unwrap();
            for text in &texts {
                assert_eq!(
                    fast.is_match(text),
                    plain.is_match(text),
                    "{srcs:?} on {text:?}"
                );
            }
        }
    }

    #[test]
    fn next_newline_finds_every_newline_in_order() {
        let text = format!(
            "{}\n\nab\n{}\n{}",
            "x".repeat(40),
            "y".repeat(15),
            "z".repeat(16)
        );
        let bytes = text.as_bytes();
        for from in 0..=bytes.len() {
            let expected = bytes[from..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|k| from + k);
            assert_eq!(next_newline(bytes, from), expected, "from {from}");
        }
    }

    #[test]
    fn a_bad_boilerplate_row_is_reported_with_its_line() {
        let err = Boilerplate::parse("# comment\nok\t^x$\nbad\t(unclosed\n")
            .err()
            .expect("a syntax error");
        assert!(err.to_string().starts_with("boilerplate.tsv:3:"), "{err}");
        assert!(Boilerplate::parse("no tab here\n").is_err());
    }
}
