//! Entity mentions: people, agencies, organizations, countries, places and substances.
//!
//! Three sources, in order of trust: the gazetteers under schema/ (countries with their
//! aliases and demonyms, known agencies with acronyms, substances); capitalized phrases
//! classified by their head word ("... Administration", "Ministry of ...") or as names
//! when titled, followed by a cue or in an appositive; in lowercased text, names found
//! after a title ("president donald trump"), before an appositive ("wei xiaojun , the
//! ...") or before a cue ("ho said"). A final pass marks short names ("Wei") of people
//! already named in full in the same article.

use crate::document::{Document, EntityMention, EntityType, TokenKind};
use crate::lexicon::{CueClass, FunctionClass, GazKind, Lexicon};
use crate::span::Span;
use std::collections::HashMap;

/// Rule names, kept in provenance.
pub const RULE_GAZETTEER: &str = "gazetteer";
pub const RULE_DEMONYM: &str = "demonym";
pub const RULE_HEAD_WORD: &str = "org_head_word";
pub const RULE_TITLED_NAME: &str = "titled_name";
pub const RULE_NAME_SHAPE: &str = "capitalized_name";
pub const RULE_SPEAKER_NAME: &str = "name_before_cue";
pub const RULE_APPOSITIVE_NAME: &str = "name_before_appositive";
pub const RULE_SHORT_NAME: &str = "short_name";
pub const RULE_ACRONYM: &str = "declared_acronym";

/// Needs: tokens, sentences. Adds: mentions (sorted by position).
pub fn extract(doc: &mut Document, lex: &Lexicon) {
    let mut out = Vec::new();
    for s in 0..doc.sentences.len() {
        let (a, b) = doc.sentences[s].tokens;
        sentence(doc, lex, a, b, &mut out);
    }
    out.sort_by_key(|m: &EntityMention| (m.span.start, m.span.end));
    doc.mentions = out;
    declared_acronyms(doc);
    short_names(doc, lex);
}

struct Ctx<'d> {
    doc: &'d Document,
    lex: &'d Lexicon,
}

impl Ctx<'_> {
    fn lower(&self, i: usize) -> &str {
        self.doc.token_lower(i)
    }
    fn text(&self, i: usize) -> &str {
        self.doc.token_text(i)
    }
    fn is_word(&self, i: usize) -> bool {
        self.doc.tokens[i].kind == TokenKind::Word
    }
    fn class(&self, i: usize) -> Option<FunctionClass> {
        self.lex.function_class(self.lower(i))
    }
    /// A capitalized word that can be part of a name.
    fn is_cap(&self, i: usize) -> bool {
        let t = self.doc.tokens[i];
        t.capitalized && t.kind == TokenKind::Word && !self.text(i).starts_with("’")
    }
    fn is_cue_at(&self, i: usize, end: usize) -> bool {
        self.lex
            .cues
            .longest_at(&self.doc.lower, &self.doc.tokens, i, end)
            .is_some_and(|(_, c)| matches!(c.class, CueClass::Speech | CueClass::Belief))
    }
    /// Length of a title phrase at `i` ("deputy secretary-general", "President").
    fn title_at(&self, i: usize, end: usize) -> usize {
        let mut k = i;
        while k < end && self.lex.title_modifiers.contains(self.lower(k)) {
            k += 1;
        }
        match self
            .lex
            .titles
            .longest_at(&self.doc.lower, &self.doc.tokens, k, end)
        {
            Some((n, _)) => k + n - i,
            None if k > i && self.lex.titles.contains(self.lower(k - 1)) => k - i,
            None => 0,
        }
    }
    /// A token that may be part of a name in lowercased text.
    fn lower_name_token(&self, i: usize) -> bool {
        self.is_word(i)
            && self.class(i).is_none()
            && !self.lex.is_stopname(self.lower(i))
            && self.lower(i).chars().all(|c| c.is_alphabetic() || c == '-')
            && self.lower(i).len() > 1
    }
}

#[allow(clippy::too_many_arguments)]
fn mention(
    doc: &Document,
    first: usize,
    last: usize,
    etype: EntityType,
    canonical: Option<String>,
    key: Option<String>,
    rule: &'static str,
    confidence: f32,
) -> EntityMention {
    let span = Span::new(doc.tokens[first].span.start, doc.tokens[last - 1].span.end);
    EntityMention {
        span,
        etype,
        canonical: canonical.unwrap_or_else(|| tidy(doc.slice(span))),
        key,
        rule,
        confidence,
    }
}

/// Collapses inner whitespace (names broken over lines, NBSP).
fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Gazetteer match at `i`, honouring case: acronyms match only as written in cased
/// text, and in lowercased text only when they are not ordinary words ("us", "who").
fn gazetteer_at<'l>(
    c: &'l Ctx,
    i: usize,
    end: usize,
) -> Option<(usize, &'l crate::lexicon::GazEntry)> {
    c.lex
        .gazetteer
        .matches_at(&c.doc.lower, &c.doc.tokens, i, end)
        .find(|(n, e)| {
            let surface = c.doc.slice(Span::new(
                c.doc.tokens[i].span.start,
                c.doc.tokens[i + n - 1].span.end,
            ));
            if c.doc.lowercased {
                return !(e.case_sensitive
                    && (c
                        .lex
                        .function_class(&surface.to_ascii_lowercase())
                        .is_some()
                        || c.lex.is_stopname(&surface.to_ascii_lowercase())));
            }
            if e.case_sensitive {
                return surface
                    .chars()
                    .filter(|ch| ch.is_alphabetic())
                    .all(char::is_uppercase);
            }
            match e.kind {
                GazKind::Name(EntityType::Substance) => true,
                // Names are capitalized in cased text ("the States": any capital).
                _ => (i..i + n).any(|k| c.doc.tokens[k].capitalized),
            }
        })
}

fn sentence(doc: &Document, lex: &Lexicon, a: usize, b: usize, out: &mut Vec<EntityMention>) {
    let c = Ctx { doc, lex };
    let mut i = a;
    while i < b {
        let gaz = gazetteer_at(&c, i, b);
        let chunk = if doc.lowercased {
            0
        } else {
            cap_chunk(&c, i, b)
        };
        let gaz_len = gaz.map_or(0, |(n, _)| n);
        if chunk > gaz_len {
            if let Some(consumed) = classify_chunk(&c, i, i + chunk, b, out) {
                i = consumed;
                continue;
            }
        }
        if let Some((n, e)) = gaz {
            let (etype, rule, key) = match &e.kind {
                GazKind::Name(t) => (*t, RULE_GAZETTEER, Some(e.key.clone())),
                GazKind::Demonym => (EntityType::Country, RULE_DEMONYM, Some(e.key.clone())),
                // A place's key is the ISO code of its country (for located_in).
                GazKind::Capital => (EntityType::Place, RULE_GAZETTEER, e.country.clone()),
            };
            out.push(mention(
                doc,
                i,
                i + n,
                etype,
                Some(e.canonical.clone()),
                key,
                rule,
                0.95,
            ));
            i += n;
            continue;
        }
        if doc.lowercased {
            if let Some(next) = lowercase_name(&c, i, a, b, out) {
                i = next;
                continue;
            }
        }
        i += 1;
    }
}

/// Length of the capitalized phrase starting at `i`: capitalized words joined by "of",
/// "for", "and", "the", "on", "&" when a capitalized word follows. A sentence-initial
/// function word ("The", "But") does not start one.
fn cap_chunk(c: &Ctx, i: usize, end: usize) -> usize {
    if !c.is_cap(i) {
        return 0;
    }
    if c.lex.is_stopname(c.lower(i)) {
        return 0;
    }
    let mut k = i + 1;
    loop {
        if k < end && c.is_cap(k) && !c.lex.is_stopname(c.lower(k)) {
            k += 1;
            continue;
        }
        // Connectors: "of", "of the", "for", "and", "on".
        let mut j = k;
        while j < end
            && matches!(c.lower(j), "of" | "for" | "and" | "the" | "on" | "&")
            && j - k < 2
        {
            j += 1;
        }
        if j > k && j < end && c.is_cap(j) && !c.lex.is_stopname(c.lower(j)) {
            k = j + 1;
            continue;
        }
        break;
    }
    // A connector chunk must keep an org head; otherwise drop trailing connectors.
    k - i
}

/// Classifies the capitalized phrase `[i, j)`; pushes mentions and returns the token
/// index after what it consumed, or None to let the gazetteer handle position `i`.
fn classify_chunk(
    c: &Ctx,
    i: usize,
    j: usize,
    sent_end: usize,
    out: &mut Vec<EntityMention>,
) -> Option<usize> {
    let doc = c.doc;
    // Split "X Bureau of the Y Ministry" at "of" when the left side is complete.
    for k in i + 1..j {
        if c.lower(k) == "of" {
            let left_last = k - 1;
            if let Some(&(_, _, ends)) = c.lex.org_heads.get(c.text(left_last)) {
                if ends {
                    let l = classify_chunk(c, i, k, sent_end, out);
                    let mut r = k + 1;
                    if c.lower(r) == "the" {
                        r += 1;
                    }
                    if r < j {
                        // Let the caller's loop find the right side with gazetteer priority.
                        return l.map(|_| r);
                    }
                    return l;
                }
            }
        }
    }
    // Leading country or demonym ("US Drug Enforcement Administration", "Chinese ...").
    if let Some((n, e)) = gazetteer_at(c, i, j) {
        if matches!(
            e.kind,
            GazKind::Name(EntityType::Country) | GazKind::Demonym
        ) && n < j - i
            && head_type(c, i + n, j).is_some()
        {
            let rule = if e.kind == GazKind::Demonym {
                RULE_DEMONYM
            } else {
                RULE_GAZETTEER
            };
            out.push(mention(
                doc,
                i,
                i + n,
                EntityType::Country,
                Some(e.canonical.clone()),
                Some(e.key.clone()),
                rule,
                0.95,
            ));
            return classify_chunk(c, i + n, j, sent_end, out).or(Some(i + n));
        }
    }
    if let Some(t) = head_type(c, i, j) {
        // A known organization named in full keeps its canonical name.
        let known = gazetteer_at(c, i, j).filter(|(n, _)| *n == j - i);
        let (canonical, key) = match known {
            Some((_, e)) => (Some(e.canonical.clone()), Some(e.key.clone())),
            None => (None, None),
        };
        let rule = if known.is_some() {
            RULE_GAZETTEER
        } else {
            RULE_HEAD_WORD
        };
        out.push(mention(doc, i, j, t, canonical, key, rule, 0.85));
        return Some(j);
    }
    // Titles before a name: "President Donald Trump", "Deputy Director Wei".
    let title = c.title_at(i, j);
    let name_start = i + title;
    if title > 0 && name_start < j {
        if j - name_start > 3 {
            return None;
        }
        out.push(mention(
            doc,
            name_start,
            j,
            EntityType::Person,
            None,
            None,
            RULE_TITLED_NAME,
            0.9,
        ));
        return Some(j);
    }
    if title > 0 {
        return None;
    }
    let n = j - i;
    let all_names = (i..j)
        .all(|k| c.is_cap(k) && c.class(k).is_none() && c.text(k).chars().any(char::is_lowercase));
    let before_cue =
        j < sent_end && (c.is_cue_at(j, sent_end) || appositive_follows(c, j, sent_end));
    if all_names && (2..=4).contains(&n) && gazetteer_at(c, i, j).is_none() {
        let conf = if before_cue { 0.85 } else { 0.7 };
        out.push(mention(
            doc,
            i,
            j,
            EntityType::Person,
            None,
            None,
            RULE_NAME_SHAPE,
            conf,
        ));
        return Some(j);
    }
    if all_names && n == 1 && before_cue && gazetteer_at(c, i, j).is_none() {
        out.push(mention(
            doc,
            i,
            j,
            EntityType::Person,
            None,
            None,
            RULE_SPEAKER_NAME,
            0.7,
        ));
        return Some(j);
    }
    None
}

/// ", the deputy ...", ", who heads ...", ", 40," after a name.
fn appositive_follows(c: &Ctx, j: usize, end: usize) -> bool {
    if j + 1 >= end || c.text(j) != "," {
        return false;
    }
    let n = j + 1;
    matches!(c.lower(n), "who" | "the" | "a" | "an")
        || c.title_at(n, end) > 0
        || (c.doc.tokens[n].kind == TokenKind::Number && n + 1 < end && c.text(n + 1) == ",")
}

/// The entity type given by the phrase's head word, if any.
fn head_type(c: &Ctx, i: usize, j: usize) -> Option<EntityType> {
    let first = c.lex.org_heads.get(c.text(i));
    let last = c.lex.org_heads.get(c.text(j - 1));
    match (first, last) {
        (_, Some(&(t, _, true))) => Some(t),
        (Some(&(t, true, _)), _) if j - i > 1 => Some(t),
        _ => None,
    }
}

/// Names in lowercased text: after a title, before an appositive, or before a cue.
fn lowercase_name(
    c: &Ctx,
    i: usize,
    sent_start: usize,
    end: usize,
    out: &mut Vec<EntityMention>,
) -> Option<usize> {
    let doc = c.doc;
    let title = c.title_at(i, end);
    if title > 0 {
        let s = i + title;
        let mut k = s;
        while k < end
            && k - s < 3
            && c.lower_name_token(k)
            && !c.is_cue_at(k, end)
            && gazetteer_at(c, k, end).is_none()
        {
            k += 1;
        }
        if k - s >= 2 {
            out.push(mention(
                doc,
                s,
                k,
                EntityType::Person,
                None,
                None,
                RULE_TITLED_NAME,
                0.8,
            ));
            return Some(k);
        }
        return Some(s);
    }
    // At a clause start: "wei xiaojun , the ..." / "ho said".
    let clause_start =
        i == sent_start || matches!(c.text(i - 1), "," | "-" | "—" | "(" | "\"" | "“");
    if !clause_start {
        return None;
    }
    let mut k = i;
    while k < end
        && k - i < 3
        && c.lower_name_token(k)
        && !c.is_cue_at(k, end)
        && gazetteer_at(c, k, end).is_none()
    {
        k += 1;
    }
    if k == i || k >= end {
        return None;
    }
    if appositive_follows(c, k, end) && k - i >= 2 {
        out.push(mention(
            doc,
            i,
            k,
            EntityType::Person,
            None,
            None,
            RULE_APPOSITIVE_NAME,
            0.75,
        ));
        return Some(k);
    }
    if k - i <= 2 && c.is_cue_at(k, end) && i > sent_start {
        out.push(mention(
            doc,
            i,
            k,
            EntityType::Person,
            None,
            None,
            RULE_SPEAKER_NAME,
            0.7,
        ));
        return Some(k);
    }
    None
}

/// "Narcotics Control Bureau (NCB)": the acronym names the same organization.
fn declared_acronyms(doc: &mut Document) {
    let mut extra = Vec::new();
    let mut known: HashMap<String, (String, EntityType)> = HashMap::new();
    for (idx, m) in doc.mentions.iter().enumerate() {
        if !matches!(m.etype, EntityType::Agency | EntityType::Organization) {
            continue;
        }
        let after = &doc.text[m.span.end..];
        let after_trim = after.trim_start_matches(['’', '\'', 's', ' ']);
        if let Some(rest) = after_trim.strip_prefix('(') {
            if let Some(close) = rest.find(')') {
                let acr = rest[..close].trim();
                if (2..=8).contains(&acr.len())
                    && acr.chars().all(|ch| ch.is_uppercase() || ch == '.')
                {
                    known.insert(acr.to_string(), (m.canonical.clone(), m.etype));
                }
            }
        }
        let _ = idx;
    }
    if known.is_empty() {
        return;
    }
    for t in &doc.tokens {
        let s = doc.slice(t.span);
        if let Some((canonical, etype)) = known.get(s) {
            if doc.mentions.iter().any(|m| m.span.overlaps(t.span)) {
                continue;
            }
            extra.push(EntityMention {
                span: t.span,
                etype: *etype,
                canonical: canonical.clone(),
                key: None,
                rule: RULE_ACRONYM,
                confidence: 0.9,
            });
        }
    }
    // Gazetteer acronyms that the article itself expands take the article's name.
    for m in doc.mentions.iter_mut() {
        if let Some((canonical, _)) = known.get(doc.text[m.span.start..m.span.end].trim()) {
            m.canonical = canonical.clone();
        }
    }
    doc.mentions.extend(extra);
    doc.mentions.sort_by_key(|m| (m.span.start, m.span.end));
}

/// "Wei" after "Wei Xiaojun", "Trump" after "Donald Trump": the same person.
fn short_names(doc: &mut Document, lex: &Lexicon) {
    let mut parts: HashMap<String, String> = HashMap::new();
    for m in &doc.mentions {
        if m.etype != EntityType::Person {
            continue;
        }
        let words: Vec<&str> = m.canonical.split_whitespace().collect();
        if words.len() >= 2 {
            for w in [words[0], words[words.len() - 1]] {
                parts
                    .entry(w.to_ascii_lowercase())
                    .or_insert_with(|| m.canonical.clone());
            }
        }
    }
    if parts.is_empty() {
        return;
    }
    // One-word names already found ("Wei said") take the full name too.
    for m in doc.mentions.iter_mut() {
        if m.etype == EntityType::Person && !m.canonical.contains(' ') {
            if let Some(full) = parts.get(&m.canonical.to_ascii_lowercase()) {
                m.canonical = full.clone();
            }
        }
    }
    let mut extra = Vec::new();
    let mut cursor = 0;
    for (ti, t) in doc.tokens.iter().enumerate() {
        if t.kind != TokenKind::Word || !(t.capitalized || doc.lowercased) {
            continue;
        }
        let lower = doc.token_lower(ti);
        if lex.function_class(lower).is_some() || lex.is_stopname(lower) {
            continue;
        }
        if let Some(full) = parts.get(lower) {
            while cursor < doc.mentions.len() && doc.mentions[cursor].span.end <= t.span.start {
                cursor += 1;
            }
            let covered = doc.mentions[cursor.saturating_sub(1)..]
                .iter()
                .take(3)
                .any(|m| m.span.overlaps(t.span));
            if !covered {
                extra.push(EntityMention {
                    span: t.span,
                    etype: EntityType::Person,
                    canonical: full.clone(),
                    key: None,
                    rule: RULE_SHORT_NAME,
                    confidence: 0.85,
                });
            }
        }
    }
    doc.mentions.extend(extra);
    doc.mentions.sort_by_key(|m| (m.span.start, m.span.end));
}
