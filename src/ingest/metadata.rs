//! Article metadata and boilerplate: a leading " date YYYY-MM-DD" header, the title,
//! "By NAME" bylines, signatures ("/kga"), comment-policy lines and trailing author bios.
//! Nothing is deleted from the text: boilerplate becomes spans the text stage skips.

use crate::document::Document;
use crate::span::Span;
use regex::{Regex, RegexSet};
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
    /// The same patterns as one alternation: most articles match none of them, which a
    /// plain search (stopping at the first match) says in a fraction of the set's
    /// overlapping search.
    any_at_all: Regex,
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
        let any_at_all = Regex::new(
            &std::iter::once(BYLINE)
                .chain(patterns.iter().map(|p| p.source.as_str()))
                .map(|re| format!("(?:{re})"))
                .collect::<Vec<_>>()
                .join("|"),
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
            // Compiles: the alternation of the same patterns did.
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
            // It compiles: it is part of `any_at_all`, which did.
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

    #[test]
    fn a_bad_boilerplate_row_is_reported_with_its_line() {
        let err = Boilerplate::parse("# comment\nok\t^x$\nbad\t(unclosed\n")
            .err()
            .expect("a syntax error");
        assert!(err.to_string().starts_with("boilerplate.tsv:3:"), "{err}");
        assert!(Boilerplate::parse("no tab here\n").is_err());
    }
}
