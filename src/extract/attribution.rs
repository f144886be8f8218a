//! Who said what: attributions (speaker mention, cue, content) from direct quotes,
//! reported speech, beliefs, "according to" and claims named as someone's.
//!
//! Works per sentence around each cue from schema/cues.tsv:
//! - speaker before the cue ("Wei said", "Wei Xiaojun, the deputy ..., said", "he added"),
//!   content after it (a quote, or the clause, "that" dropped) or, when nothing follows,
//!   before it ("..., Wei said.");
//! - speaker after the cue ("“...,” said Wei"), content before it;
//! - "according to X" with the content on the other side of its comma;
//! - nominal cues ("Trump's claim that ...", "allegations that ...") as claims;
//! - quotes with no cue of their own take the speaker of the attribution just before them
//!   in the same or the previous paragraph ("follow-on quotes").
//!
//! Speakers then resolve to entity mentions: names directly, pronouns and nominals ("he",
//! "the official") to the most recent fitting speaker. No speaker is invented.

use crate::document::{
    Attribution, Document, EntityMention, EntityType, Response, StatementKind, TokenKind,
};
use crate::extract::quotes::{self, InQuote, Quote};
use crate::lexicon::{Cue, CueClass, FunctionClass, Lexicon};
use crate::span::Span;
use std::cell::Cell;

pub const RULE_SPEAKER_CUE: &str = "speaker_cue_content";
pub const RULE_CONTENT_SPEAKER_CUE: &str = "content_speaker_cue";
pub const RULE_CONTENT_CUE_SPEAKER: &str = "content_cue_speaker";
pub const RULE_ACCORDING_TO: &str = "according_to";
/// "In a CNN national poll, Clinton held a 24-point lead": the source opens the sentence.
pub const RULE_IN_SOURCE: &str = "in_source";
pub const RULE_NOMINAL_CLAIM: &str = "nominal_claim";
pub const RULE_PARTICIPLE: &str = "participle_cue";
pub const RULE_COLON: &str = "speaker_colon";
/// A quote with no cue of its own continuing the attribution before it.
pub const RULE_FOLLOW_ON: &str = "follow_on_quote";

struct Ctx<'d> {
    doc: &'d Document,
    lex: &'d Lexicon,
    quotes: Vec<Quote>,
    inside: Vec<InQuote>,
    /// Per token: part of an entity mention ("States" in "the United States" is no cue).
    in_mention: Vec<bool>,
    /// Per token: its function word class once asked (`None`: not yet). `is_helper`,
    /// `np_left` and `content_after` ask about the same tokens again and again, and a word
    /// whose shape passes the filter costs a hash lookup each time.
    classes: Vec<Cell<Option<Option<FunctionClass>>>>,
    /// Byte length of the document's longest mention (bounds [`Ctx::mentions_near`]).
    longest_mention: usize,
}

impl<'d> Ctx<'d> {
    fn lower(&self, i: usize) -> &str {
        self.doc.token_lower(i)
    }
    fn text(&self, i: usize) -> &str {
        self.doc.token_text(i)
    }
    /// [`Ctx::lower`] as bytes (the sentence loop asks this of every token).
    fn lower_bytes(&self, i: usize) -> &[u8] {
        self.doc.token_lower_bytes(i)
    }
    fn text_bytes(&self, i: usize) -> &[u8] {
        self.doc.token_bytes(i)
    }
    /// The function word class of the token: its shape rules out most content words
    /// before the word is hashed.
    fn class(&self, i: usize) -> Option<FunctionClass> {
        if let Some(class) = self.classes[i].get() {
            return class;
        }
        let class = self.lex.token_class(&self.doc.tokens[i], &self.doc.lower);
        self.classes[i].set(Some(class));
        class
    }
    fn is_punct(&self, i: usize) -> bool {
        matches!(self.doc.tokens[i].kind, TokenKind::Punct | TokenKind::Quote)
    }
    fn span(&self, a: usize, b: usize) -> Span {
        Span::new(
            self.doc.tokens[a].span.start,
            self.doc.tokens[b - 1].span.end,
        )
    }
    /// A verb cue at token `i`; never a word inside a name ("States").
    fn cue_at(&self, i: usize, end: usize) -> Option<(usize, &Cue)> {
        // The shape test first: most tokens start no cue, and this answers for them
        // without setting up the phrase search.
        if i >= end || self.in_mention[i] || !self.lex.cues.may_start(&self.doc.tokens[i]) {
            return None;
        }
        self.lex
            .cues
            .longest_at(&self.doc.lower, &self.doc.tokens, i, end)
    }
    /// The mentions that may overlap `span`, in document order: mentions are sorted by
    /// start, so only those starting before its end and no further before its start than
    /// the longest mention is long (not every mention of a long article per question).
    fn mentions_near(&self, span: Span) -> &'d [EntityMention] {
        let ms = &self.doc.mentions;
        let last = ms.partition_point(|m| m.span.start < span.end);
        let first =
            ms[..last].partition_point(|m| m.span.start + self.longest_mention < span.start);
        &ms[first..last]
    }
    /// The mentions that `span` may contain, in document order (those starting inside it).
    fn mentions_within(&self, span: Span) -> &'d [EntityMention] {
        let ms = &self.doc.mentions;
        let first = ms.partition_point(|m| m.span.start < span.start);
        let last = first + ms[first..].partition_point(|m| m.span.start <= span.end);
        &ms[first..last]
    }
    fn nominal_cue_at(&self, i: usize, end: usize) -> Option<&Cue> {
        self.lex
            .nominal_cues
            .longest_at(&self.doc.lower, &self.doc.tokens, i, end)
            .filter(|(n, _)| *n == 1)
            .map(|(_, c)| c)
    }
}

/// Needs: tokens, sentences, mentions. Adds: attributions.
pub fn extract(doc: &mut Document, lex: &Lexicon) {
    let (quotes, inside) = quotes::find(doc);
    let in_mention = mention_tokens(doc);
    let c = Ctx {
        doc,
        lex,
        quotes,
        inside,
        in_mention,
        classes: vec![Cell::new(None); doc.tokens.len()],
        longest_mention: longest_mention(doc),
    };
    let mut out: Vec<Attribution> = Vec::new();
    for s in 0..doc.sentences.len() {
        sentence(&c, s, &mut out);
    }
    colon_speakers(&c, &mut out);
    follow_on_quotes(&c, &mut out);
    out.sort_by_key(|a| (a.content.start, a.cue.start));
    out.dedup_by(|b, a| a.content.overlaps(b.content) && a.cue == b.cue);
    resolve_speakers(doc, lex, &mut out);
    doc.attributions = out;
}

/// Byte length of the document's longest mention.
fn longest_mention(doc: &Document) -> usize {
    doc.mentions.iter().map(|m| m.span.len()).max().unwrap_or(0)
}

/// Per token: whether it lies inside an entity mention, i.e. in
/// `[token_at_or_after(m.start), token_at_or_after(m.end))` of some mention `m`.
/// Mentions are sorted by start, so both bounds are found by walking forward from the
/// previous mention's first token instead of two binary searches per mention.
fn mention_tokens(doc: &Document) -> Vec<bool> {
    let tokens = &doc.tokens;
    let mut in_mention = vec![false; tokens.len()];
    let mut first = 0;
    for m in &doc.mentions {
        // Mentions are sorted by start: this one's first token is at or after the
        // previous one's. Tokens are sorted by start too: found by binary search, in the
        // next 16 tokens first (most mentions are a few tokens apart), rather than
        // stepping over every token of the document.
        let rest = &tokens[first..];
        let near = rest.len().min(16);
        let before = |t: &crate::document::Token| t.span.start < m.span.start;
        first += match rest[..near].partition_point(before) {
            k if k < near => k,
            _ => near + rest[near..].partition_point(before),
        };
        let mut k = first;
        while k < tokens.len() && tokens[k].span.start < m.span.end {
            in_mention[k] = true;
            k += 1;
        }
    }
    in_mention
}

fn sentence(c: &Ctx, s: usize, out: &mut Vec<Attribution>) {
    let sent = c.doc.sentences[s];
    let (a, b) = sent.tokens;
    let mut i = a;
    let start_len = out.len();
    // A disputing cue with no clause of its own ("Wei disputed Trump's claim that ..."):
    // the next nominal claim in the sentence is what it responds to.
    let mut pending: Option<Response> = None;
    // Counted only for the rare capitalized cue inside a sentence, the one question it
    // answers (two passes over every sentence otherwise).
    let headline = || {
        let words = (a..b)
            .filter(|&k| c.doc.tokens[k].kind == TokenKind::Word)
            .count();
        let capitalized = (a..b).filter(|&k| c.doc.tokens[k].capitalized).count();
        words >= 3 && capitalized * 10 >= words * 7
    };
    while i < b {
        if c.inside[i].is_some() {
            i += 1;
            continue;
        }
        // Nominal cues: "Trump's claim that ...", "allegations that ...".
        // The cheap test first: few tokens stand before "that", and only those are looked up.
        if i + 1 < b && c.lower_bytes(i + 1) == b"that" && c.inside[i + 1].is_none() {
            if let Some(cue) = c.nominal_cue_at(i, b) {
                if let Some(mut att) = nominal(c, i, cue, a, b) {
                    att.response = pending.take();
                    let end = c.doc.token_at_or_after(att.content.end);
                    out.push(att);
                    i = end.max(i + 2);
                    continue;
                }
            }
        }
        let Some((n, cue)) = c.cue_at(i, b) else {
            i += 1;
            continue;
        };
        // A capitalized cue inside a sentence is part of a name, unless the sentence is a
        // title-case headline ("Bush Says We Should Pay Attention").
        if i > a && c.doc.tokens[i].capitalized && !headline() {
            i += n;
            continue;
        }
        // "the swing states", "his plans": forms that are also nouns need a pronoun or a
        // name right before them (or before a parenthetical: "A poll, conducted ..., shows").
        let left = LeftOfCue::at(c, i, a);
        let subject_end = left.end;
        if cue.noun_too && !noun_form_is_verb(c, i, n, subject_end, a, b) {
            i += n;
            continue;
        }
        // Not the verb of saying: a participle before its agent ("rebel groups backed by
        // Ankara") or a phrasal verb ("backed off", "called off").
        let next = if i + n < b { c.lower(i + n) } else { "" };
        let passive_participle = next == "by" && c.lower(i + n - 1).ends_with("ed");
        let phrasal = matches!(next, "off" | "away");
        if passive_participle || phrasal {
            i += n;
            continue;
        }
        // "claims"/"report" after a determiner or possessive is a noun, not a verb.
        if i > a
            && (matches!(c.class(i - 1), Some(FunctionClass::Det))
                || matches!(c.lower(i - 1), "’s" | "'s"))
            && cue.class != CueClass::Source
        {
            i += n;
            continue;
        }
        let att = match cue.class {
            CueClass::Source => according_to(c, i, n, cue, a, b),
            CueClass::Speech | CueClass::Belief => {
                verb(c, i, n, cue, a, b, &out[start_len..], left)
            }
            CueClass::Nominal => None,
        };
        // "At a press conference highlighting joint efforts ..., Wei said that ...": a
        // participle whose content holds a finite attribution with a subject of its own
        // modifies a noun; the inner attribution is the one said.
        let att = att.filter(|att| !participle_around_attribution(c, i, att, a, b));
        match att {
            Some(mut att) => {
                // One token belongs to one attribution: cues inside this content are
                // part of what was said, not new attributions.
                let skip_to = if att.content.start > att.cue.start {
                    // "China noted the announcement and “B,” Wei said.": the quote is
                    // Wei's; this content ends before it.
                    let first = c.doc.token_at_or_after(att.content.start);
                    let cut = quote_with_own_speaker(c, att.content, b)
                        .and_then(|open| Some((open, content_span(c, first, open)?)));
                    match cut {
                        Some((open, cut)) => {
                            att.content = cut;
                            open
                        }
                        None => c.doc.token_at_or_after(att.content.end),
                    }
                } else {
                    // "Trump assured them it would work, Jones said": the earlier cue is
                    // part of what Jones said.
                    let content = att.content;
                    let mut idx = 0;
                    out.retain(|e| {
                        idx += 1;
                        idx <= start_len || !content.contains(e.cue)
                    });
                    i + n
                };
                out.push(att);
                i = skip_to.max(i + n);
            }
            None => {
                if cue.edge != "says" && cue.class == CueClass::Speech {
                    if let Some((s0, s1, _)) = np_left_quantity(c, left.helpers_start, a)
                        .filter(|&(x, y, quantity)| plausible_speaker_given(c, x, y, quantity))
                    {
                        pending = Some(Response {
                            speaker: c.span(s0, s1),
                            speaker_entity: None,
                            cue: c.span(i, i + n),
                            edge: cue.edge.clone(),
                        });
                    }
                }
                i += n;
            }
        }
    }
    if out.len() == start_len {
        out.extend(in_source(c, a, b));
    }
}

/// A cue form that is also a noun ("states", "plans", "support") is the verb here: a
/// subject stands before it and it does not follow a place's name.
fn noun_form_is_verb(c: &Ctx, i: usize, n: usize, subject_end: usize, a: usize, b: usize) -> bool {
    // "New Hampshire state representative": after a place's name, a noun.
    if mention_type_ending_at(c, i) == Some(EntityType::Place) {
        return false;
    }
    // "Footage from the game shows that ...", "New filings show it has ...": a clause
    // opening after the form makes it a verb; not after a preposition or participle
    // ("following reports that ...").
    let clause_after = i + n < b
        && i > a
        && c.class(i - 1).is_none()
        && !c.lower(i - 1).ends_with("ing")
        && (c.lower_bytes(i + n) == b"that" || c.class(i + n) == Some(FunctionClass::Pron));
    // "Many Republicans ... support the bill", "party leaders see him as ...": a base
    // form agrees with a plural noun right before it.
    let plural_subject = subject_end > a && !c.lower(i).ends_with('s') && {
        let p = c.lower(subject_end - 1);
        p.len() > 3
            && p.ends_with('s')
            && !p.ends_with("ss")
            && c.class(subject_end - 1).is_none()
            && c.doc.tokens[subject_end - 1].kind == TokenKind::Word
    };
    subject_before(c, subject_end, a) || clause_after || plural_subject
}

/// "In a CNN national poll, Hillary Clinton held a 24-point lead ...": a sentence that
/// opens with "In" and a source (a phrase whose head is in schema/source_nouns.txt:
/// "poll", "survey", "report", "study") says what its main clause says. Tried only when
/// the sentence has no attribution of its own ("In a report, the agency said ...").
fn in_source(c: &Ctx, a: usize, b: usize) -> Option<Attribution> {
    let i = (a..b).find(|&j| !c.is_punct(j))?;
    if c.lower_bytes(i) != b"in" {
        return None;
    }
    let comma = (i + 1..(i + 14).min(b)).find(|&j| c.is_punct(j) && c.text_bytes(j) != b"/")?;
    // The source phrase holds a source noun ("a CNN national poll last month", "a Des
    // Moines Register poll released Saturday").
    let names_source =
        (i + 1..comma).any(|j| c.class(j).is_none() && c.lex.source_nouns.contains(c.lower(j)));
    if c.text_bytes(comma) != b"," || !names_source {
        return None;
    }
    // Not "Trump has a decisive lead in the polls": a source after the clause was right in
    // only a quarter of PolNeAR train's cases.
    let content = content_span(c, comma + 1, b)?;
    let words = (comma + 1..b).filter(|&j| !c.is_punct(j)).count();
    let cue = c.span(i, i + 1);
    (words >= 3).then(|| Attribution {
        speaker: Some(c.span(i + 1, comma)),
        speaker_entity: None,
        cue,
        content,
        kind: kind_of(c, content),
        edge: "says".to_string(),
        evidence: c.doc.sentences[c.doc.sentence_at(cue.start).unwrap_or(0)].span,
        rule: RULE_IN_SOURCE,
        confidence: 0.7,
        response: None,
        continuations: Vec::new(),
    })
}

/// The opening mark of the first quote inside `content` that is followed by an
/// attribution of its own: "“B,” Wei said" or "“B,” said the minister".
fn quote_with_own_speaker(c: &Ctx, content: Span, b: usize) -> Option<usize> {
    let first = c.doc.token_at_or_after(content.start);
    let last = c.doc.token_at_or_after(content.end).min(b);
    let speech_cue = |k: usize| {
        c.cue_at(k, b)
            .filter(|(_, cue)| cue.class == CueClass::Speech)
            .map(|(n, _)| n)
    };
    (first + 1..(last + 1).min(b)).find_map(|close| {
        let qi = c.inside[close - 1].index()?;
        let q = &c.quotes[qi];
        if q.close != Some(close) || q.open < first {
            return None;
        }
        // Past the closing mark (and a comma left outside it).
        let mut k = close + 1;
        while k < b && matches!(c.text(k), "," | "—" | "-") {
            k += 1;
        }
        let named_after = |k: usize| np_right(c, k, b).filter(|&(s, e)| is_named(c, s, e));
        let attributed = match speech_cue(k) {
            Some(n) => named_after(k + n).is_some(),
            None => named_after(k)
                .is_some_and(|(_, e)| speech_cue(skip_helpers_right(c, e, b)).is_some()),
        };
        attributed.then_some(q.open)
    })
}

/// Skips helpers right of a subject ("Wei also said"): the index of the first other token.
fn skip_helpers_right(c: &Ctx, mut k: usize, b: usize) -> usize {
    while k < b && is_helper(c, k) {
        k += 1;
    }
    k
}

/// The cue at `i` is a past participle after a form of "be" among its helpers ("has been
/// alleged", "was told", "is widely believed").
fn is_passive(c: &Ctx, helpers_start: usize, i: usize) -> bool {
    let w = c.lower(i);
    let past_participle = w.ends_with("ed")
        || matches!(
            w,
            "said" | "told" | "thought" | "known" | "held" | "seen" | "shown" | "heard" | "written"
        );
    past_participle && (helpers_start..i).any(|k| crate::text::is_form_of_be(c.lower(k)))
}

/// The cue at `i` is a participle ("highlighting") with an unnamed speaker, and its content
/// holds a speech cue with a subject of its own followed by "that" or a quote.
fn participle_around_attribution(c: &Ctx, i: usize, att: &Attribution, a: usize, b: usize) -> bool {
    if !c.lower(i).ends_with("ing") || att.content.start < att.cue.end {
        return false;
    }
    if att.speaker.is_some_and(|sp| span_is_named(c, sp)) {
        return false;
    }
    let first = c.doc.token_at_or_after(att.content.start);
    let last = c.doc.token_at_or_after(att.content.end).min(b);
    (first..last).any(|k| {
        c.cue_at(k, b).is_some_and(|(n, cue)| {
            cue.class == CueClass::Speech
                && k + n < b
                && (c.lower_bytes(k + n) == b"that" || c.doc.tokens[k + n].kind == TokenKind::Quote)
                && verb(c, k, n, cue, a, b, &[], LeftOfCue::at(c, k, a))
                    .is_some_and(|inner| inner.speaker.is_some_and(|sp| span_is_named(c, sp)))
        })
    })
}

/// Trims punctuation and quotation marks at both ends of the token range, returning a
/// span, or None if nothing is left.
fn content_span(c: &Ctx, mut a: usize, mut b: usize) -> Option<Span> {
    while a < b && (c.is_punct(a) || c.lower_bytes(a) == b"that") && !c.text(a).starts_with('(') {
        a += 1;
    }
    // Trailing punctuation, and a conjunction left dangling where a quote was cut off
    // ("noted the announcement and “...,” Wei said"); but not the closing mark of a quote
    // that opens inside the content ("China noted “the risk”").
    while b > a
        && ((c.is_punct(b - 1) && !c.text(b - 1).ends_with(')') && !closes_quote_from(c, a, b - 1))
            || matches!(c.lower_bytes(b - 1), b"and" | b"but" | b"or"))
    {
        b -= 1;
    }
    (b > a).then(|| c.span(a, b))
}

/// Token `close` is the closing mark of a quote that opens at or after token `a`.
fn closes_quote_from(c: &Ctx, a: usize, close: usize) -> bool {
    close > 0
        && c.inside[close - 1].index().is_some_and(|q| {
            let q = &c.quotes[q];
            q.close == Some(close) && q.open >= a
        })
}

/// The quote whose opening mark is at or just after token `i` (skipping ":" and ",").
fn quote_starting<'c>(c: &'c Ctx, mut i: usize, end: usize) -> Option<&'c Quote> {
    while i < end && matches!(c.text(i), ":" | "," | "—" | "-") {
        i += 1;
    }
    // "He said:" ending its sentence, the quote opening the next one (often the next
    // paragraph).
    let colon_end = i == end && i > 0 && c.text_bytes(i - 1) == b":" && i < c.doc.tokens.len();
    if (i < end || colon_end) && c.doc.tokens[i].kind == TokenKind::Quote {
        return c
            .inside
            .get(i + 1)
            .and_then(|slot| slot.index())
            .map(|q| &c.quotes[q]);
    }
    None
}

/// The quote whose closing mark is at or just before token `i` (skipping "," ).
fn quote_ending<'c>(c: &'c Ctx, i: usize, start: usize) -> Option<&'c Quote> {
    let mut k = i;
    while k > start && matches!(c.text(k - 1), "," | ":" | "—" | "-") {
        k -= 1;
    }
    if k > start && c.doc.tokens[k - 1].kind == TokenKind::Quote && k >= 2 {
        return c.inside[k - 2].index().map(|q| &c.quotes[q]);
    }
    None
}

/// The noun phrase ending at token `end` (exclusive), walking left: words, names,
/// determiners, possessives and "of"/"for"/"at" inside; stops at punctuation, verbs'
/// helpers, conjunctions and clause words. Returns `[start, end)`.
fn np_left(c: &Ctx, end: usize, limit: usize) -> Option<(usize, usize)> {
    np_left_quantity(c, end, limit).map(|(s, e, _)| (s, e))
}

/// [`np_left`], and whether the phrase is the quantity of [`quantity_left`]: what
/// [`plausible_speaker`] asks first, given here without a second search. With the
/// phrase's start `s` as limit, `quantity_left` answers the same: each of its tests only
/// gets stricter as the limit rises (so no quantity below `limit` means none below `s`),
/// and a quantity found starting at `s` passes them all again with limit `s` (pinned by
/// the test `quantity_left_answers_the_same_from_its_start`).
fn np_left_quantity(c: &Ctx, end: usize, limit: usize) -> Option<(usize, usize, bool)> {
    if end <= limit {
        return None;
    }
    if let Some(start) = quantity_left(c, end, limit) {
        return Some((start, end, true));
    }
    let last = end - 1;
    if c.is_punct(last) && !matches!(c.text_bytes(last), b")") {
        return None;
    }
    match c.class(last) {
        Some(FunctionClass::Pron) => return Some((last, end, false)),
        // "X, who said ...": the relative pronoun stands for X (resolved later).
        Some(FunctionClass::Wh) if c.lower_bytes(last) == b"who" => {
            return Some((last, end, false))
        }
        Some(
            FunctionClass::Det
            | FunctionClass::Prep
            | FunctionClass::Conj
            | FunctionClass::Aux
            | FunctionClass::Wh
            | FunctionClass::Neg
            | FunctionClass::Adv,
        ) => return None,
        _ => {}
    }
    if c.inside[last].is_some() || c.doc.tokens[last].kind == TokenKind::Number {
        return None;
    }
    let mut k = last;
    let floor = end.saturating_sub(9).max(limit);
    while k > floor {
        let p = k - 1;
        let t = c.text(p);
        if c.inside[p].is_some() {
            break;
        }
        // Names pass whole: "Centers for Disease Control and Prevention".
        if c.in_mention[p] && c.in_mention[k - 1 + (k - 1 < last) as usize] {
            k = p;
            continue;
        }
        if c.is_punct(p) {
            if matches!(t, "&") || (t == ")" && k > floor + 1) {
                k = p;
                continue;
            }
            break;
        }
        match c.class(p) {
            // "the leader of the group", "a spokesman for the company": the phrase goes
            // on before a determiner that follows "of" or "for".
            Some(FunctionClass::Det) => {
                k = p;
                if p > floor && matches!(c.lower_bytes(p - 1), b"of" | b"for") {
                    continue;
                }
                break;
            }
            Some(FunctionClass::Prep) if matches!(c.lower_bytes(p), b"of" | b"for" | b"at") => {
                k = p;
                continue;
            }
            Some(_) => break,
            None => {}
        }
        if c.cue_at(p, end).is_some() && !c.doc.tokens[p].capitalized {
            break;
        }
        k = p;
    }
    // Never start on a preposition.
    while k < end && matches!(c.class(k), Some(FunctionClass::Prep)) {
        k += 1;
    }
    (k < end).then_some((k, end, false))
}

/// A quantity speaking for a group ends at `end`: "47%", "26 percent", "six in 10",
/// "most of them" (schema/quantifiers.txt). Returns where it starts.
fn quantity_left(c: &Ctx, end: usize, limit: usize) -> Option<usize> {
    let last = end - 1;
    // "two-thirds", "three-quarters": the last part of a hyphenated word counts.
    let number = |k: usize| {
        let word = c.lower(k);
        let last_part = word.rsplit('-').next().unwrap_or(word);
        k >= limit
            && (c.doc.tokens[k].kind == TokenKind::Number
                || c.lex.quantifiers.contains(word)
                || c.lex.quantifiers.contains(last_part))
    };
    let at = |k: usize, word: &str| k >= limit && c.lower(k) == word;
    if matches!(c.lower_bytes(last), b"%" | b"percent") && last > limit && number(last - 1) {
        return Some(last - 1);
    }
    // "six in 10", "four in 10 voters", "nearly nine out of 10 Americans".
    for ten in (last.saturating_sub(3).max(limit + 2)..=last).rev() {
        if c.doc.tokens[ten].kind != TokenKind::Number {
            continue;
        }
        let of = at(ten - 1, "of") && ten >= limit + 3 && at(ten - 2, "out");
        let first = if of { ten - 3 } else { ten - 2 };
        if (of || at(ten - 1, "in")) && number(first) {
            return Some(first);
        }
    }
    // "About three-quarters support ...".
    // A byte search: '-' is ASCII, and str::contains(char) sets up memchr for a short word.
    if c.lower_bytes(last).contains(&b'-') && number(last) {
        return Some(last);
    }
    let group_pronoun = matches!(c.lower_bytes(last), b"them" | b"us" | b"those" | b"these");
    if group_pronoun && last >= limit + 2 && at(last - 1, "of") && number(last - 2) {
        return Some(last - 2);
    }
    None
}

/// The noun phrase starting at token `start`, up to a comma, clause word or sentence end.
fn np_right(c: &Ctx, start: usize, end: usize) -> Option<(usize, usize)> {
    let mut k = start;
    while k < end && k - start < 10 {
        if c.in_mention[k] && k > start && c.in_mention[k - 1] {
            k += 1;
            continue;
        }
        if c.is_punct(k) && !matches!(c.text_bytes(k), b"&") {
            break;
        }
        if k > start
            && matches!(
                c.class(k),
                Some(FunctionClass::Wh | FunctionClass::Conj | FunctionClass::Aux)
            )
        {
            break;
        }
        if k > start && c.cue_at(k, end).is_some() && !c.doc.tokens[k].capitalized {
            break;
        }
        k += 1;
    }
    (k > start
        && !matches!(
            c.class(start),
            Some(FunctionClass::Prep | FunctionClass::Conj | FunctionClass::Aux)
        ))
    .then_some((start, k))
}

/// The index of the opening mark of a parenthetical (in parentheses or between dashes)
/// ending right before token `k`, else `k`.
fn skip_parenthetical(c: &Ctx, k: usize, limit: usize) -> usize {
    if k <= limit {
        return k;
    }
    // The mark that opens what ends at k - 1, and how far back it may be: a parenthesis
    // holds a few words ("(D-Nev.)"), dashes a clause ("The justice -- who has been
    // involved in a scuffle with the nominee -- said").
    let (open, reach) = match c.text(k - 1) {
        ")" => ("(", 8),
        dash @ ("-" | "--" | "—" | "–") => (dash, 40),
        "," => return skip_participle_phrase(c, k, limit),
        _ => return k,
    };
    (k.saturating_sub(reach).max(limit)..k - 1)
        .rev()
        .find(|&j| c.text(j) == open)
        .filter(|&j| j > limit)
        .unwrap_or(k)
}

/// "A Fox News poll, conducted jointly with two firms, shows ...": the index of the comma
/// that opens a participle phrase ending with the comma right before token `k`, else `k`.
fn skip_participle_phrase(c: &Ctx, k: usize, limit: usize) -> usize {
    let Some(open) = (k.saturating_sub(15).max(limit + 1)..k - 1)
        .rev()
        .find(|&j| c.is_punct(j))
        .filter(|&j| c.text_bytes(j) == b",")
    else {
        return k;
    };
    let first = open + 1;
    let w = c.lower(first);
    let participle = first < k - 1
        && !c.doc.tokens[first].capitalized
        && (w.ends_with("ed") || w.ends_with("ing"))
        && c.cue_at(first, k).is_none();
    // "The former governor, who dropped his bid last September, noted": a relative
    // clause with no cue of its own; "Supporters, on the other hand, argued": a short
    // adverbial.
    let relative =
        matches!(w, "who" | "which") && !(first..k - 1).any(|j| c.cue_at(j, k - 1).is_some());
    let adverbial = k - 1 - first <= 4
        && matches!(
            c.class(first),
            Some(FunctionClass::Prep | FunctionClass::Adv)
        )
        && !(first..k - 1).any(|j| c.in_mention[j]);
    if participle || relative || adverbial {
        open
    } else {
        k
    }
}

/// Skips adverbs and auxiliaries left of a cue ("has also said", "had earlier denied").
fn skip_left_helpers(c: &Ctx, mut k: usize, limit: usize) -> usize {
    while k > limit && is_helper(c, k - 1) {
        k -= 1;
    }
    k
}

/// Words between a subject and its verb: auxiliaries, negation, adverbs (closed list or
/// "-ly" words: "basically said", "has long complained") and clitics ("he’s", "n’t").
fn is_helper(c: &Ctx, i: usize) -> bool {
    if matches!(
        c.class(i),
        Some(FunctionClass::Adv | FunctionClass::Aux | FunctionClass::Neg)
    ) {
        return true;
    }
    // "Trump at the time said", "who has in the past described".
    let time_phrase_from = |k: usize| {
        (k..(k + 3).min(c.doc.tokens.len()))
            .find(|&j| c.class(j) != Some(FunctionClass::Det))
            .is_some_and(|j| c.class(j) == Some(FunctionClass::Time))
    };
    match c.class(i) {
        Some(FunctionClass::Time) => return true,
        Some(FunctionClass::Prep | FunctionClass::Det) if time_phrase_from(i + 1) => return true,
        // "Beck last week said", "who earlier this month told".
        _ if matches!(
            c.lower_bytes(i),
            b"last" | b"next" | b"earlier" | b"later" | b"early" | b"late"
        ) && time_phrase_from(i + 1) =>
        {
            return true
        }
        _ => {}
    }
    let w = c.lower(i);
    let t = c.doc.tokens[i];
    // "X on Tuesday said".
    if w == "on" && i + 1 < c.doc.tokens.len() && c.class(i + 1) == Some(FunctionClass::Adv) {
        return true;
    }
    if matches!(
        w,
        "’s" | "'s" | "n’t" | "n't" | "long" | "now" | "all" | "but" | "first"
    ) {
        // "all but stopped", "has long complained"; a possessive never precedes a verb cue.
        return w != "but" || (i > 0 && c.lower_bytes(i - 1) == b"all");
    }
    t.kind == TokenKind::Word
        && !t.capitalized
        && w.len() > 4
        && w.ends_with("ly")
        && !c.in_mention[i]
}

/// Appositive before the cue: "Wei Xiaojun, the deputy director, said" -> the name.
fn appositive_speaker(c: &Ctx, comma: usize, limit: usize) -> Option<(usize, usize)> {
    // Appositives may hold commas themselves ("Jillian Chase, 27, a Tinder user in New
    // York, said"): try each earlier comma until a name ends right before one.
    // "The group’s executive director, Betty Bradley, said": a person's name set off by
    // commas right before the cue is the speaker.
    if let Some((s, e)) = person_ending_at(c, comma) {
        if s > limit && c.text_bytes(s - 1) == b"," {
            return Some((s, e));
        }
    }
    let mut k = comma;
    let floor = comma.saturating_sub(40).max(limit);
    // A person's name before an earlier comma wins over other capitalized phrases
    // ("Brianne Stone, 29, of Huntsville, Ala., says").
    let mut other = None;
    while k > floor {
        k -= 1;
        if c.text_bytes(k) == b"," {
            // "Sen. Claire McCaskill (D-Mo.), who endorsed Sanders, said": the name before
            // a party-and-state parenthetical.
            let end = if c.text_bytes(k - 1) == b")" {
                skip_parenthetical(c, k, limit)
            } else {
                k
            };
            if let Some(person) = person_ending_at(c, end) {
                return Some(person);
            }
            if let Some(np) = np_left(c, k, limit) {
                // The head is a name (or capitalized), not another clause.
                if (np.0..np.1).any(|t| c.in_mention[t]) || c.doc.tokens[np.1 - 1].capitalized {
                    other.get_or_insert(np);
                }
            }
            continue;
        }
        if c.inside[k].is_some()
            || (c.is_punct(k) && !matches!(c.text(k), "-" | "." | "’s" | "'s" | "(" | ")"))
        {
            break;
        }
    }
    other
}

/// The token range of a person mention ending right before token `k`.
fn person_ending_at(c: &Ctx, k: usize) -> Option<(usize, usize)> {
    mention_ending_at(c, k, Some(EntityType::Person))
        .map(|m| (c.doc.token_at_or_after(m.span.start), k))
}

/// The type of the mention ending right before token `k`.
fn mention_type_ending_at(c: &Ctx, k: usize) -> Option<EntityType> {
    mention_ending_at(c, k, None).map(|m| m.etype)
}

/// A mention (of type `etype`, when given) ending right before token `k`.
fn mention_ending_at<'c>(
    c: &'c Ctx,
    k: usize,
    etype: Option<EntityType>,
) -> Option<&'c EntityMention> {
    if k == 0 || !c.in_mention[k - 1] {
        return None;
    }
    let end = c.doc.tokens[k - 1].span.end;
    let ms = &c.doc.mentions;
    let after = ms.partition_point(|m| m.span.start < end);
    ms[..after]
        .iter()
        .rev()
        .take(4)
        .find(|m| m.span.end == end && etype.is_none_or(|t| m.etype == t))
}

/// What stands left of a verb cue at token `i`: where its helpers start ("has also
/// said") and where the subject ends, before a parenthetical after a name ("Sen. Bernie
/// Sanders (I-Vt.) said", "Reid (D-Nev.) also told": no part of the clause).
#[derive(Clone, Copy)]
struct LeftOfCue {
    helpers_start: usize,
    end: usize,
}

impl LeftOfCue {
    fn at(c: &Ctx, i: usize, a: usize) -> LeftOfCue {
        let helpers_start = skip_left_helpers(c, i, a);
        LeftOfCue {
            helpers_start,
            end: skip_parenthetical(c, helpers_start, a),
        }
    }
}

/// `left` is `LeftOfCue::at(c, i, a)`: the sentence loop has it already (two walks over
/// the helpers and the parenthetical per cue otherwise).
#[allow(clippy::too_many_arguments)]
fn verb(
    c: &Ctx,
    i: usize,
    n: usize,
    cue: &Cue,
    a: usize,
    b: usize,
    earlier: &[Attribution],
    left: LeftOfCue,
) -> Option<Attribution> {
    let doc = c.doc;
    let cue_span = c.span(i, i + n);
    let LeftOfCue {
        helpers_start,
        end: left_end,
    } = left;
    let evidence = doc.sentences[doc.sentence_at(cue_span.start)?].span;
    let make = |speaker: Option<(usize, usize)>,
                content: Span,
                kind: StatementKind,
                rule: &'static str,
                conf: f32| Attribution {
        speaker: speaker.map(|(s, e)| c.span(s, e)),
        speaker_entity: None,
        cue: cue_span,
        content,
        kind,
        edge: cue.edge.clone(),
        evidence: evidence.cover(content),
        rule,
        confidence: conf,
        response: None,
        continuations: Vec::new(),
    };
    // Cues that take an object ("denied", "disputed") report a clause only with "that"
    // or a quote: "officials dispute these claims" is not speech.
    let clause_follows = || {
        (i + n..(i + n + 8).min(b)).any(|k| {
            (c.lower_bytes(k) == b"that" && c.nominal_cue_at(k - 1, b).is_none())
                || c.doc.tokens[k].kind == TokenKind::Quote
        })
    };
    // A stance verb followed by a named claim ("disputed Trump's claim that ...") leaves
    // the claim to the nominal rule, which records the response.
    let claim_follows = || {
        (i + n..(i + n + 8).min(b)).any(|k| {
            c.nominal_cue_at(k, b).is_some() && k + 1 < b && c.lower_bytes(k + 1) == b"that"
        })
    };
    // Both scans only for the cues they concern (most are "says": neither).
    if cue.edge != "says" && !clause_follows() && claim_follows() {
        return None;
    }
    let after_comma_or_quote = left_end > a
        && (matches!(c.text_bytes(left_end - 1), b"," | b":")
            || c.doc.tokens[left_end - 1].kind == TokenKind::Quote);
    // Appositive speaker: "Wei Xiaojun, the deputy ..., said".
    let appositive = if left_end > a && c.text_bytes(left_end - 1) == b"," {
        appositive_speaker(c, left_end - 1, a)
            .filter(|&(s, e)| plausible_speaker(c, s, e) && is_named(c, s, e))
    } else {
        None
    };
    // Inverted: "“...,” said Wei" / "..., said the official." The speaker phrase must end
    // the clause.
    if appositive.is_none()
        && after_comma_or_quote
        && cue.class == CueClass::Speech
        && !c.lower(i).ends_with("ing")
    {
        if let Some(sp) = np_right(c, i + n, b).filter(|&(_, e)| e >= b || c.is_punct(e)) {
            if let Some(q) = quote_ending(c, left_end, a) {
                return Some(make(
                    Some(sp),
                    q.content,
                    StatementKind::Direct,
                    RULE_CONTENT_CUE_SPEAKER,
                    0.9,
                ));
            }
            let content = content_span(c, a, left_end)?;
            return Some(make(
                Some(sp),
                content,
                kind_of(c, content),
                RULE_CONTENT_CUE_SPEAKER,
                0.75,
            ));
        }
    }
    // Participle after a comma: "..., saying ..." takes the sentence's earlier speaker.
    // Without one, the name right before the comma ("Rubio, arguing that ...") or the
    // first name of the sentence.
    // "She sent a tweet saying ...", "The town released a statement describing ...": the
    // message speaks for the subject of its clause.
    let participle = c.lower(i).ends_with("ing");
    let participle_speaker = if participle && appositive.is_none() && after_comma_or_quote {
        Some(clause_subject(c, a, i, earlier))
    } else if participle && left_end > a && c.lex.message_nouns.contains(c.lower(left_end - 1)) {
        Some(
            clause_subject(c, a, left_end - 1, earlier)
                .or_else(|| np_left(c, left_end, a))
                .or_else(|| clause_subject(c, a, i, earlier)),
        )
    } else {
        None
    };
    if let Some(speaker) = participle_speaker {
        let (s, e) = speaker?;
        let content = match quote_starting(c, i + n, b) {
            Some(q) => q.content,
            None => content_after(c, i + n, b, cue)?,
        };
        let mut att = make(None, content, kind_of(c, content), RULE_PARTICIPLE, 0.7);
        att.speaker = Some(c.span(s, e));
        return Some(att);
    }
    // "China has long been alleged as ...", "he was told that ...": in the passive the
    // subject is what is spoken of, or the listener, not the speaker.
    if is_passive(c, helpers_start, i) {
        return None;
    }
    // Speaker before the cue; a coordinated verb ("X ..., was present and suggested
    // that ...") shares the subject of its clause.
    // With whether the speaker is a quantity, when `np_left_quantity` found it.
    let speaker = match appositive {
        Some((s, e)) => Some((s, e, None)),
        None if left_end > a && c.text_bytes(left_end - 1) == b"," => None,
        None if left_end > a && matches!(c.lower_bytes(left_end - 1), b"and" | b"but") => {
            clause_subject(c, a, left_end - 1, earlier).map(|(s, e)| (s, e, None))
        }
        // "Sen. Marco Rubio, R-Fla., appearing on Fox News, said": past a participle
        // phrase (`left_end` is its opening comma), an appositive may end the subject.
        None => np_left_quantity(c, left_end, a)
            .map(|(s, e, quantity)| (s, e, Some(quantity)))
            .or_else(|| {
                (left_end < helpers_start && c.text_bytes(left_end) == b",")
                    .then(|| appositive_speaker(c, left_end, a))
                    .flatten()
                    .filter(|&(s, e)| is_named(c, s, e))
                    .map(|(s, e)| (s, e, None))
            }),
    };
    // A relative "who" speaks only through verbs of saying ("who said"), not through
    // beliefs or impressions ("who seemed", "who know").
    let speaker = speaker
        .filter(|&(s, e, quantity)| {
            let plausible = match quantity {
                Some(quantity) => plausible_speaker_given(c, s, e, quantity),
                None => plausible_speaker(c, s, e),
            };
            plausible && !(c.lower_bytes(s) == b"who" && cue.class == CueClass::Belief)
        })
        .map(|(s, e, _)| (s, e))?;
    if let Some(q) = quote_starting(c, i + n, b) {
        return Some(make(
            Some(speaker),
            q.content,
            StatementKind::Direct,
            RULE_SPEAKER_CUE,
            0.9,
        ));
    }
    // "CONTENT, Wei said (at a briefing)." The content comes before the speaker when the
    // speaker follows a comma or quote and what follows the cue is no clause.
    // "“...,” Representative Michele Bachmann, ... told": the quote ends before the title.
    let titled_start = (speaker.0.saturating_sub(3).max(a)..speaker.0)
        .find(|&t| (t..speaker.0).all(|x| c.doc.tokens[x].capitalized && c.inside[x].is_none()))
        .unwrap_or(speaker.0);
    let mut k = titled_start;
    while k > a
        && (matches!(c.text(k - 1), "," | "—" | "-" | ":")
            || c.doc.tokens[k - 1].kind == TokenKind::Quote)
    {
        k -= 1;
    }
    let before_words = (a..k).filter(|&j| !c.is_punct(j)).count();
    let after = i + n;
    let after_is_clause = after < b
        && !c.is_punct(after)
        && !matches!(
            c.class(after),
            Some(FunctionClass::Prep | FunctionClass::Adv)
        )
        || (after < b && c.lower_bytes(after) == b"that")
        // "said on Saturday that ...": an adverbial, then the clause.
        || (after..(after + 8).min(b))
            .take_while(|&j| !c.is_punct(j))
            .any(|j| c.lower_bytes(j) == b"that" && c.inside[j].is_none())
        // "sought to dismiss ...", "vowed to step up ...": an infinitive clause.
        || (after + 1 < b
            && c.lower_bytes(after) == b"to"
            && c.doc.tokens[after + 1].kind == TokenKind::Word
            && c.class(after + 1).is_none()
            && !c.doc.tokens[after + 1].capitalized);
    // The content before the speaker: the quote that ends there, or the clause.
    // Asked once: both the content before the speaker and the clause test below use it.
    let quote_ending_before = quote_ending(c, titled_start, a);
    let before = || match quote_ending_before {
        Some(q) => Some(make(
            Some(speaker),
            q.content,
            StatementKind::Direct,
            RULE_CONTENT_SPEAKER_CUE,
            0.9,
        )),
        None if fronted_adverbial(c, a, k) => None,
        None => content_span(c, a, k).map(|content| {
            make(
                Some(speaker),
                content,
                kind_of(c, content),
                RULE_CONTENT_SPEAKER_CUE,
                0.8,
            )
        }),
    };
    let quote_before = quote_ending_before.is_some();
    // "“...,” Clinton told Katherine O'Brien, a state representative.": after a quote
    // that the speaker closes, only "that" or a quote starts another content.
    let that_or_quote_after =
        after < b && (c.lower_bytes(after) == b"that" || quote_starting(c, after, b).is_some());
    let after_is_clause = after_is_clause && (that_or_quote_after || !quote_before);
    if k < speaker.0 && (before_words >= 3 || quote_before) && !after_is_clause {
        if let Some(att) = before() {
            return Some(att);
        }
    }
    if let Some(content) = content_after(c, after, b, cue) {
        let kind = kind_of(c, content);
        return Some(make(Some(speaker), content, kind, RULE_SPEAKER_CUE, 0.8));
    }
    if k == speaker.0 || k <= a {
        return None;
    }
    before()
}

/// Tokens `[a, k)` are a phrase set before the subject, not something said: a short
/// prepositional or subordinate opener ("In the end,", "As an immigrant,", "Shortly
/// after my sentence,") or a bare name or noun phrase of one or two words.
fn fronted_adverbial(c: &Ctx, a: usize, k: usize) -> bool {
    let words = (a..k).filter(|&j| !c.is_punct(j)).count();
    let Some(first) = (a..k).find(|&j| !c.is_punct(j)) else {
        return true;
    };
    let opener = matches!(
        c.class(first),
        Some(FunctionClass::Prep | FunctionClass::Adv | FunctionClass::Conj)
    ) || c.lex.subordinators.contains(c.lower(first));
    words <= 2 || (opener && words <= 8 && !(a..k).any(|j| c.inside[j].is_some()))
}

/// The subject a participle or a coordinated verb shares: the speaker of the sentence's
/// earlier attribution, else the sentence's first person or organization before `end`.
fn clause_subject(
    c: &Ctx,
    a: usize,
    end: usize,
    earlier: &[Attribution],
) -> Option<(usize, usize)> {
    let to_tokens = |sp: Span| {
        (
            c.doc.token_at_or_after(sp.start),
            c.doc.token_at_or_after(sp.end),
        )
    };
    if let Some(sp) = earlier.last().and_then(|p| p.speaker) {
        return Some(to_tokens(sp));
    }
    if end <= a {
        return None;
    }
    let sent = c.span(a, end);
    let first_mention = c
        .mentions_within(sent)
        .iter()
        .find(|m| {
            sent.contains(m.span)
                && matches!(
                    m.etype,
                    EntityType::Person | EntityType::Agency | EntityType::Organization
                )
        })
        .map(|m| to_tokens(m.span));
    // "He spoke for an hour in Iowa, saying ...": a subject pronoun before the first name.
    let first_pronoun = (a..first_mention.map_or(end, |m| m.0)).find(|&k| {
        c.class(k) == Some(FunctionClass::Pron) && !matches!(c.lower_bytes(k), b"it" | b"you")
    });
    first_pronoun.map(|k| (k, k + 1)).or(first_mention)
}

/// A pronoun, a name, a capitalized word or a source noun (schema/source_nouns.txt: "polls",
/// "records") ends right before token `k`.
fn subject_before(c: &Ctx, k: usize, a: usize) -> bool {
    if k <= a {
        return false;
    }
    let p = k - 1;
    c.class(p) == Some(FunctionClass::Pron)
        || quantity_left(c, k, a).is_some()
        || c.in_mention[p]
        // A capitalized word that is no name and looks like an adjective is none:
        // "Democratic states", "American plans".
        || (c.doc.tokens[p].capitalized
            && c.doc.tokens[p].kind == TokenKind::Word
            && !["ic", "an", "ese", "ish", "ern"]
                .iter()
                .any(|suffix| c.lower(p).ends_with(suffix)))
        || c.lex.source_nouns.contains(c.lower(p))
}

/// [`is_named`] for a byte span.
fn span_is_named(c: &Ctx, sp: Span) -> bool {
    let (s, e) = (
        c.doc.token_at_or_after(sp.start),
        c.doc.token_at_or_after(sp.end),
    );
    s < e && is_named(c, s, e)
}

/// The phrase holds a name (an entity mention), a pronoun, or a capitalized head.
fn is_named(c: &Ctx, s: usize, e: usize) -> bool {
    let span = c.span(s, e);
    c.mentions_near(span).iter().any(|m| span.overlaps(m.span))
        || c.class(e - 1) == Some(FunctionClass::Pron)
        || c.doc.tokens[e - 1].capitalized
}

/// The content after a cue: skips "that", a listener after "told" and adverbials before
/// a "that"; runs to the end of the sentence.
fn content_after(c: &Ctx, mut k: usize, b: usize, cue: &Cue) -> Option<Span> {
    if cue.lemma == "tell" {
        // "told reporters (that) ...", "told the BBC, “...”": skip the listener, a
        // determiner and the words of one noun phrase, up to "that", punctuation or the
        // determiner or pronoun that starts the reported clause.
        let mut j = k;
        if j < b && c.class(j) == Some(FunctionClass::Det) {
            j += 1;
        }
        while j < b
            && j - k < 6
            && !c.is_punct(j)
            && c.lower_bytes(j) != b"that"
            && (c.class(j).is_none_or(|f| f == FunctionClass::Other)
                // "told the Times": a name, though "times" is a time noun.
                || (c.doc.tokens[j].capitalized && c.class(j) == Some(FunctionClass::Time)))
        {
            j += 1;
        }
        k = j;
    }
    // "said on Friday that ...": only an adverbial may stand before the "that".
    let adverbial = k < b
        && (matches!(c.class(k), Some(FunctionClass::Prep | FunctionClass::Adv))
            || matches!(
                c.lower_bytes(k),
                b"last" | b"this" | b"yesterday" | b"today" | b"earlier" | b"later"
            ));
    for j in k..(k + 10).min(b).max(k) {
        if !adverbial {
            break;
        }
        if c.lower_bytes(j) == b"that" && c.inside[j].is_none() {
            k = j + 1;
            break;
        }
        if c.is_punct(j) {
            break;
        }
    }
    // "“...,” he told advisers afterward, according to X": what follows the cue is the
    // source of the report (a source cue of the lexicon), not its content, which stands
    // before the speaker.
    let source_cue = |j: usize| {
        c.cue_at(j, b)
            .is_some_and(|(_, q)| q.class == CueClass::Source)
    };
    let adverbs_then_source = (k..(k + 3).min(b))
        .take_while(|&j| c.lower_bytes(j) != b"that")
        .any(|j| source_cue(j) || (c.text_bytes(j) == b"," && source_cue(j + 1)));
    if adverbs_then_source {
        return None;
    }
    // "told reporters: “...”"
    if let Some(q) = quote_starting(c, k, b) {
        return Some(q.content);
    }
    // What follows is an adverbial, not what was said: "testified before the panel",
    // "told the Times in February", "reported from Oakland" (but "pledged to step up").
    // (Counting the words stops at 7: only "at most 6" is asked.)
    if k < b && starts_adverbial(c, k, b) && (k..b).filter(|&j| !c.is_punct(j)).take(7).count() <= 6
    {
        return None;
    }
    // A stance verb's noun-phrase object ("proposed a safe zone, which ...") ends at the
    // first clause punctuation; clauses ("that ...") run to the sentence end.
    let np_object = cue.edge != "says" && c.lower(k.min(b.saturating_sub(1))) != "that";
    let b = if np_object {
        (k..b)
            .find(|&j| c.inside[j].is_none() && matches!(c.text(j), "," | ";" | "—" | "–" | ":"))
            .unwrap_or(b)
    } else {
        b
    };
    // A clause ends where the speaker goes on with a cue of their own: "denied that ...,
    // saying ...", "said ..., but it vowed ...", "..., and he added that ..."; in a fronted
    // subordinate clause, at its first comma ("While she never mentioned Sanders by name,
    // Clinton cast ...").
    // Whether `k` is in a fronted subordinate clause matters only at a comma: asked at
    // the first one (two binary searches and a set lookup per call otherwise, most
    // clauses having no comma outside quotes).
    let fronted = std::cell::OnceCell::new();
    let b = (k + 1..b)
        .find(|&j| {
            // Only a comma (1 byte) or "and"/"but" (3 bytes) ends the clause: the span's
            // length rules out the other tokens before their bytes are read.
            c.inside[j].is_none()
                && match c.doc.tokens[j].span.len() {
                    1 => {
                        c.text_bytes(j) == b","
                            && (*fronted.get_or_init(|| in_fronted_subordinate(c, k))
                                || speaker_goes_on(c, j + 1, b))
                    }
                    3 => coordinated_cue(c, j, b),
                    _ => false,
                }
        })
        .unwrap_or(b);
    let span = content_span(c, k, b)?;
    // Only compared with 3 at most below: counting stops at 4 words instead of walking
    // the rest of a long clause.
    let words = (k..b).filter(|&j| !c.is_punct(j)).take(4).count();
    // Verbs of saying report a clause; verbs of stance ("endorsed", "opposed") may take
    // a noun phrase, but not one that only points back ("these claims", "it").
    let min_words = if cue.edge == "says" && cue.class == CueClass::Speech {
        3
    } else {
        1
    };
    let anaphoric = words <= 3
        && matches!(
            c.lower_bytes(k),
            b"this" | b"these" | b"that" | b"those" | b"it" | b"such" | b"them"
        );
    (words >= min_words && !anaphoric).then_some(span)
}

/// Token `k` is in a clause that opens its sentence with a subordinator
/// (schema/subordinators.txt: "While", "After", ...) and has not yet reached its comma.
fn in_fronted_subordinate(c: &Ctx, k: usize) -> bool {
    let at = c.doc.tokens.get(k).or(c.doc.tokens.last());
    let Some(s) = at.and_then(|t| c.doc.sentence_at(t.span.start)) else {
        return false;
    };
    let first = c.doc.token_at_or_after(c.doc.sentences[s].span.start);
    let Some(word) = (first..k).find(|&j| !c.is_punct(j)) else {
        return false;
    };
    c.lex.subordinators.contains(c.lower(word))
        && !(word..k).any(|j| c.text_bytes(j) == b"," && c.inside[j].is_none())
}

/// A preposition opens the phrase at `k` ("in February", "as if", "by CNN"), other than
/// the "to" of an infinitive ("to step up").
fn starts_adverbial(c: &Ctx, k: usize, b: usize) -> bool {
    let infinitive = c.lower_bytes(k) == b"to"
        && k + 1 < b
        && c.doc.tokens[k + 1].kind == TokenKind::Word
        && c.class(k + 1).is_none()
        && !c.doc.tokens[k + 1].capitalized;
    c.inside[k].is_none() && c.class(k) == Some(FunctionClass::Prep) && !infinitive
}

/// At token `j`, after a comma: a participle cue ("saying", "adding") or a conjunction,
/// a pronoun and a cue ("but it vowed", "and he added").
fn speaker_goes_on(c: &Ctx, j: usize, b: usize) -> bool {
    let cue_at = |k: usize| c.cue_at(k, b).is_some();
    if j < b && c.lower(j).ends_with("ing") && cue_at(j) {
        return true;
    }
    let mut k = j;
    if k < b && matches!(c.lower_bytes(k), b"and" | b"but") {
        k += 1;
    }
    if k > j
        && k < b
        && matches!(
            c.lower_bytes(k),
            b"he" | b"she" | b"it" | b"they" | b"we" | b"i"
        )
        && cue_at(skip_helpers_right(c, k + 1, b))
    {
        return true;
    }
    // Another speaker's clause: "..., though Mrs. Fiorina said ...", "..., while Clinton
    // argued ...": a contrasting conjunction, a named subject of a few words, a verb cue.
    if j < b
        && matches!(
            c.lower_bytes(j),
            b"though" | b"although" | b"while" | b"whereas" | b"but"
        )
    {
        let k = j + 1;
        return (k + 1..(k + 6).min(b)).any(|t| {
            !(k..t).any(|x| c.is_punct(x))
                && c.doc.tokens[t - 1].capitalized
                && is_named(c, k, t)
                && c.cue_at(skip_helpers_right(c, t, b), b)
                    .is_some_and(|(_, cue)| !cue.noun_too && cue.class != CueClass::Nominal)
        });
    }
    false
}

/// At token `j`, "and"/"but" and a cue verb that shares the subject: "said the move was
/// made by Bratton and said, “...”", "noted that ... and added: ...". Not a form that is
/// also a noun ("and claims").
fn coordinated_cue(c: &Ctx, j: usize, b: usize) -> bool {
    if !matches!(c.lower_bytes(j), b"and" | b"but") {
        return false;
    }
    let k = skip_helpers_right(c, j + 1, b);
    c.cue_at(k, b).is_some_and(|(_, cue)| {
        !cue.noun_too && cue.class != CueClass::Nominal && c.inside[k].is_none()
    })
}

fn kind_of(c: &Ctx, content: Span) -> StatementKind {
    // Direct when one quote covers most of the content: look only at the quotes holding
    // the content's first and middle tokens (no scan over every quote).
    let first = c.doc.token_at_or_after(content.start);
    let mid = c.doc.token_at_or_after(content.start + content.len() / 2);
    let quoted = [first, mid]
        .iter()
        .filter_map(|&t| c.inside.get(t).and_then(|slot| slot.index()))
        .any(|q| c.quotes[q].content.overlap_len(content) * 2 > content.len());
    if quoted {
        StatementKind::Direct
    } else {
        StatementKind::Indirect
    }
}

/// A speaker is a name, a pronoun, or a noun phrase with a noun-like last word.
fn plausible_speaker(c: &Ctx, s: usize, e: usize) -> bool {
    plausible_speaker_given(c, s, e, quantity_left(c, e, s) == Some(s))
}

/// [`plausible_speaker`] given whether `[s, e)` is a quantity ("most of them").
fn plausible_speaker_given(c: &Ctx, s: usize, e: usize, quantity: bool) -> bool {
    let last = e - 1;
    if quantity {
        return true;
    }
    if c.lower_bytes(last) == b"who" {
        return e - s == 1;
    }
    if c.class(last) == Some(FunctionClass::Pron) {
        return !matches!(c.lower_bytes(last), b"it" | b"you") || e - s == 1;
    }
    if c.doc.tokens[last].kind != TokenKind::Word || c.class(last).is_some() {
        return false;
    }
    // "It is said": no speaker.
    !matches!(c.lower_bytes(s), b"it")
}

fn according_to(c: &Ctx, i: usize, n: usize, cue: &Cue, a: usize, b: usize) -> Option<Attribution> {
    let sp = np_right(c, i + n, b)?;
    let cue_span = c.span(i, i + n);
    let evidence = c.doc.sentences[c.doc.sentence_at(cue_span.start)?].span;
    let content = if i == a || (i > a && c.text_bytes(i - 1) == b",") && i - a <= 3 {
        // "According to X, CONTENT."
        let mut k = sp.1;
        while k < b && c.text_bytes(k) != b"," {
            k += 1;
        }
        content_span(c, k + 1, b)?
    } else {
        // "CONTENT, according to X."
        let mut k = i;
        while k > a && matches!(c.text(k - 1), "," | "—" | "-") {
            k -= 1;
        }
        content_span(c, a, k)?
    };
    // "according to X’s ...": a clitic left over is no content.
    if c.doc.slice(content).split_whitespace().count() < 2 {
        return None;
    }
    Some(Attribution {
        speaker: Some(c.span(sp.0, sp.1)),
        speaker_entity: None,
        cue: cue_span,
        content,
        kind: kind_of(c, content),
        edge: cue.edge.clone(),
        evidence,
        rule: RULE_ACCORDING_TO,
        confidence: 0.8,
        response: None,
        continuations: Vec::new(),
    })
}

/// "X's claim that CONTENT": the owner is the possessive before the noun; the content
/// runs to the next comma that is followed by a clause, or the sentence end.
fn nominal(c: &Ctx, i: usize, cue: &Cue, a: usize, b: usize) -> Option<Attribution> {
    let cue_span = c.span(i, i + 1);
    let owner = if i > a + 1 && matches!(c.lower(i - 1), "’s" | "'s" | "s" | "’" | "'") {
        np_left(c, i - 1, a)
    } else {
        None
    };
    let start = i + 2;
    let mut end = start;
    while end < b
        && !(c.text_bytes(end) == b","
            && c.inside[end].is_none()
            && end - start > 3
            && (end + 1..(end + 5).min(b)).any(|k| c.cue_at(k, b).is_some()))
    {
        end += 1;
    }
    let content = content_span(c, start, end)?;
    let evidence = c.doc.sentences[c.doc.sentence_at(cue_span.start)?].span;
    Some(Attribution {
        speaker: owner.map(|(s, e)| c.span(s, e)),
        speaker_entity: None,
        cue: cue_span,
        content,
        kind: StatementKind::Claim,
        edge: cue.edge.clone(),
        evidence,
        rule: RULE_NOMINAL_CLAIM,
        confidence: if owner.is_some() { 0.8 } else { 0.6 },
        response: None,
        continuations: Vec::new(),
    })
}

/// Transcripts and headlines: "TAPPER: ...", "Pence: We will ..." — a name of one to
/// three words opening a paragraph, then a colon; the rest of the paragraph is what the
/// name said. Only names (entity mentions of people or organizations, or all-caps words)
/// qualify, so "Update: ..." is no speaker.
fn colon_speakers(c: &Ctx, out: &mut Vec<Attribution>) {
    let mut extra = Vec::new();
    let mut s = 0;
    while s < c.doc.sentences.len() {
        let sent = c.doc.sentences[s];
        let para = sent.paragraph;
        let first_of_para = s == 0 || c.doc.sentences[s - 1].paragraph != para;
        s += 1;
        if !first_of_para {
            continue;
        }
        let (a, b) = sent.tokens;
        let Some(colon) = (a + 1..(a + 5).min(b)).find(|&k| c.text_bytes(k) == b":") else {
            continue;
        };
        // "FALLIN: ...", and an interview's "Q: ..." / "A: ...".
        let min_letters = if colon == a + 1 { 1 } else { 2 };
        let all_caps = (a..colon).all(|k| {
            let t = c.text(k);
            t.chars().filter(|ch| ch.is_alphabetic()).count() >= min_letters
                && !t.chars().any(char::is_lowercase)
        });
        let person = (a..colon).all(|k| c.in_mention[k])
            && c.doc.mentions.iter().any(|m| {
                m.span.start == c.doc.tokens[a].span.start
                    && matches!(
                        m.etype,
                        EntityType::Person | EntityType::Organization | EntityType::Agency
                    )
            });
        // "Poll: ...", "Clinton camp: ...", "WSJ editorial: ...": a source or person noun
        // heads the phrase.
        let head = c.lower(colon - 1);
        // Not a message noun: "Editor's note: ..." introduces the paper's own words.
        let source = (a..colon).all(|k| c.doc.tokens[k].kind == TokenKind::Word)
            && (c.lex.source_nouns.contains(head) || c.lex.person_nouns.contains(head));
        if !(all_caps || person || source) {
            continue;
        }
        let para_span = c.doc.paragraphs[para];
        let start = c.doc.tokens[colon].span.end;
        let content = Span::new(start, para_span.end.max(start)).trim(&c.doc.text);
        let content = strip_marks(c, content);
        // A tally ("Clinton: 1,769.") is no statement.
        let words = c.doc.slice(content).split_whitespace().count();
        if words < 3 {
            continue;
        }
        // What the labelled speaker says holds the cues inside it ("FALLIN: Well, I think
        // ..."); an attribution reaching outside it wins instead.
        let inside = |x: &Attribution| content.contains(x.cue) && content.contains(x.content);
        let clash = out
            .iter()
            .any(|x| x.content.overlaps(content) && !inside(x));
        if clash {
            continue;
        }
        out.retain(|x| !inside(x));
        let cue = c.doc.tokens[colon].span;
        extra.push(Attribution {
            speaker: Some(c.span(a, colon)),
            speaker_entity: None,
            cue,
            content,
            kind: kind_of(c, content),
            edge: "says".to_string(),
            evidence: para_span,
            rule: RULE_COLON,
            confidence: 0.7,
            response: None,
            continuations: Vec::new(),
        });
    }
    out.extend(extra);
}

/// Drops quotation marks around a span.
fn strip_marks(c: &Ctx, span: Span) -> Span {
    let t = c.doc.slice(span);
    let lead = t.len() - t.trim_start_matches(['"', '“', '”', '\'', '‘', '’']).len();
    let trail = t.len() - t.trim_end_matches(['"', '“', '”', '\'', '‘', '’']).len();
    if lead + trail >= t.len() {
        return Span::new(span.start, span.start);
    }
    Span::new(span.start + lead, span.end - trail)
}

/// Quotes that no cue claimed take the speaker of the nearest attribution before them in
/// the same paragraph, or in the previous one when the quote opens its paragraph. Such a
/// quote continues that attribution ("“X,” she said. “Y.”", or a quote paragraph after
/// "he said that ...") and is kept as one of its continuations: its own statement of the
/// same speaker in the graph, one discontinuous content for PolNeAR.
fn follow_on_quotes(c: &Ctx, out: &mut [Attribution]) {
    out.sort_by_key(|a| a.content.start);
    // Overlap test in O(log n): contents sorted by start with a running maximum of ends.
    let starts: Vec<usize> = out.iter().map(|a| a.content.start).collect();
    let mut max_end = Vec::with_capacity(out.len());
    let mut m = 0;
    for a in out.iter() {
        m = m.max(a.content.end);
        max_end.push(m);
    }
    // Attributions with a speaker, by content end, for "the nearest before".
    let mut by_end: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].speaker.is_some())
        .collect();
    by_end.sort_by_key(|&i| out[i].content.end);
    let ends: Vec<usize> = by_end.iter().map(|&i| out[i].content.end).collect();
    for q in &c.quotes {
        let n = starts.partition_point(|&s| s < q.content.end);
        if n > 0 && max_end[n - 1] > q.content.start {
            continue;
        }
        let k = ends.partition_point(|&e| e <= q.content.start);
        if k == 0 {
            continue;
        }
        let pi = by_end[k - 1];
        let prev = &out[pi];
        let Some(prev_sent) = c.doc.sentence_at(prev.cue.start) else {
            continue;
        };
        let prev_para = c.doc.sentences[prev_sent].paragraph;
        // The opening mark is the paragraph's first token (“ is three bytes: compare
        // tokens, not offsets).
        let quote_opens_para =
            c.doc.token_at_or_after(c.doc.paragraphs[q.paragraph].start) == q.open;
        if !(prev_para == q.paragraph || (prev_para + 1 == q.paragraph && quote_opens_para)) {
            continue;
        }
        out[pi].continuations.push(q.content);
    }
}

/// Links each speaker mention to an entity mention: a name inside the speaker span; a
/// pronoun or a nominal ("the official") to the most recent speaker of a fitting type.
fn resolve_speakers(doc: &Document, lex: &Lexicon, atts: &mut [Attribution]) {
    atts.sort_by_key(|a| (a.speaker.map_or(a.cue.start, |s| s.start), a.cue.start));
    let mut recent = Recent {
        longest_mention: longest_mention(doc),
        ..Recent::default()
    };
    for att in atts.iter_mut() {
        if let Some(r) = att.response.as_mut() {
            r.speaker_entity = recent.resolve(doc, lex, r.speaker);
        }
        if let Some(sp) = att.speaker {
            att.speaker_entity = recent.resolve(doc, lex, sp);
        }
    }
    introduced_later(doc, lex, atts);
}

/// News leads describe a speaker before naming them: "A Chinese official disputed on
/// Friday ... . Wei Xiaojun, deputy director-general of ..., said ...". An unresolved
/// description of a person that is not anaphoric ("a"/"an" or a possessive, not "the")
/// takes the person who speaks first in the next sentence, if any.
fn introduced_later(doc: &Document, lex: &Lexicon, atts: &mut [Attribution]) {
    let sentence = |sp: Span| doc.sentence_at(sp.start).unwrap_or(usize::MAX);
    // (speaker start, sentence, person) of each attribution with a named person speaker.
    let named: Vec<(usize, usize, usize)> = atts
        .iter()
        .filter_map(|a| {
            let (sp, m) = (a.speaker?, a.speaker_entity?);
            (doc.mentions[m].etype == EntityType::Person).then(|| (sp.start, sentence(sp), m))
        })
        .collect();
    let introduced = |sp: Span| -> Option<usize> {
        // Only the first and last words matter: taken from both ends (no Vec of the
        // words per unresolved speaker).
        let mut words = doc.lower(sp).split_whitespace();
        let (first, last) = (words.next(), words.next_back());
        let describes = match (first, last) {
            (Some(first), Some(last)) => first != "the" && is_person_nominal(lex, last),
            _ => false,
        };
        if !describes {
            return None;
        }
        let s = sentence(sp);
        let k = named.partition_point(|&(start, _, _)| start < sp.end);
        named[k..]
            .iter()
            .take_while(|&&(_, ns, _)| ns <= s + 1)
            .find(|&&(_, ns, _)| ns == s + 1)
            .map(|&(_, _, m)| m)
    };
    for att in atts.iter_mut() {
        if let Some(r) = att.response.as_mut().filter(|r| r.speaker_entity.is_none()) {
            r.speaker_entity = introduced(r.speaker);
        }
        if let Some(sp) = att.speaker.filter(|_| att.speaker_entity.is_none()) {
            att.speaker_entity = introduced(sp);
        }
    }
}

/// A head noun that describes a person: a title (schema/titles.txt) or a person noun
/// (schema/person_nouns.txt).
fn is_person_nominal(lex: &Lexicon, head: &str) -> bool {
    lex.is_title_word(head) || lex.person_nouns.contains(head)
}

/// The most recent person and organization speakers, for pronouns and nominals.
#[derive(Default)]
struct Recent {
    person: Option<usize>,
    org: Option<usize>,
    /// Byte length of the document's longest mention (bounds the overlap search).
    longest_mention: usize,
}

impl Recent {
    fn resolve(&mut self, doc: &Document, lex: &Lexicon, sp: Span) -> Option<usize> {
        // Mentions are sorted by start: only those starting before the speaker span ends
        // can overlap it, and none starts more than the longest mention before it.
        let last = doc.mentions.partition_point(|m| m.span.start < sp.end);
        let first = doc.mentions[..last]
            .partition_point(|m| m.span.start + self.longest_mention < sp.start);
        // The last person, body (agency or organization) and country among the mentions
        // overlapping the speaker, and whether all of them end before it does: one pass
        // over the few candidates (a pass per question otherwise, three or four per
        // speaker).
        let (mut person, mut body, mut country) = (None, None, None);
        let mut all_end_inside = true;
        for (i, m) in doc.mentions[first..last].iter().enumerate() {
            if !sp.overlaps(m.span) || m.rule == crate::extract::entities::RULE_DEMONYM {
                continue;
            }
            all_end_inside &= m.span.end < sp.end;
            match m.etype {
                EntityType::Person => person = Some(first + i),
                EntityType::Agency | EntityType::Organization => body = Some(first + i),
                EntityType::Country => country = Some(first + i),
                _ => {}
            }
        }
        let text = doc.lower(sp);
        // Only the first and last words are needed for most speakers (the whole list only
        // for a titled person): taken from both ends, without splitting the middle.
        let mut ends = text.split_whitespace();
        let first_word = ends.next();
        let last_word = ends.next_back();
        let several = last_word.is_some();
        let head = last_word.or(first_word).unwrap_or("");
        // Asked only on the paths that need them (a named speaker needs neither): each is
        // a hash lookup or two.
        let person_head = || is_person_nominal(lex, head);
        let org_head = || is_org_head(lex, head);
        // "Clinton supporters", "Trump aides": a plural head after the name is a group,
        // not the one named.
        let group = head.len() > 3
            && head.ends_with('s')
            && !head.ends_with("ss")
            && all_end_inside
            && doc.text[sp.start..sp.end]
                .rsplit(' ')
                .next()
                .is_some_and(|w| w.starts_with(|ch: char| ch.is_lowercase()));
        if group {
            return None;
        }
        // "The Supreme Court justice", "a White House spokesman": a body before a person's
        // nominal head says whom they work for; the person speaks.
        let body = body.filter(|&m| !(doc.mentions[m].span.end < sp.end && person_head()));
        let named = person.or(body).or_else(|| {
            // "China's drug control agency", "China's deputy secretary-general": the
            // country says whose it is; the nominal head is who speaks.
            let country = country?;
            let nominal =
                several && doc.mentions[country].span.end < sp.end && (person_head() || org_head());
            (!nominal).then_some(country)
        });
        // The one word of a single-word speaker.
        let single = if several { None } else { first_word };
        let resolved = named.or_else(|| match single {
            Some("he" | "she") => self
                .person
                .or_else(|| nearest_before(doc, sp.start, &[EntityType::Person])),
            Some("it") => self.org,
            // "Lance Ho, who heads ..., said": the name right before the relative clause.
            Some("who") => nearest_before(
                doc,
                sp.start,
                &[
                    EntityType::Person,
                    EntityType::Agency,
                    EntityType::Organization,
                ],
            )
            .filter(|&m| {
                // Or after a party-and-state parenthetical: "McCaskill (D-Mo.), who".
                let gap = doc.text[doc.mentions[m].span.end..sp.start].trim();
                gap == ","
                    || gap.len() <= 24
                        && gap.starts_with('(')
                        && gap.ends_with("),")
                        && gap.matches(')').count() == 1
            }),
            // "the deputy secretary-general": the one person the article gives that title,
            // else the person spoken of before.
            None if several && person_head() => {
                let words: Vec<&str> = text.split_whitespace().collect();
                titled_person(doc, sp, &words).or(self.person)
            }
            // An agency named only by its head ("the agency", "China's drug control
            // agency"): the one spoken of before; else the country's only agency in the
            // article; unknown otherwise (the first agency named later is too often
            // another one).
            None if several && org_head() => self.org.or_else(|| {
                let country = doc.mentions[country?].key.as_deref()?;
                sole_agency_of(doc, country)
            }),
            _ => None,
        });
        if let Some(m) = resolved {
            match doc.mentions[m].etype {
                EntityType::Person => self.person = Some(m),
                EntityType::Agency | EntityType::Organization => self.org = Some(m),
                _ => {}
            }
        }
        resolved
    }
}

/// The one person (by canonical name) the article gives the title a nominal speaker
/// names ("China's deputy secretary-general" -> "Wei Xiaojun, deputy secretary-general of
/// ..." or "Deputy Secretary-General Wei Xiaojun"): the first such mention, if only one
/// person carries it.
fn titled_person(doc: &Document, sp: Span, words: &[&str]) -> Option<usize> {
    // The title: the words after a determiner or possessive ("the", "China's").
    let from = words
        .iter()
        .rposition(|w| matches!(*w, "the" | "a" | "an") || w.ends_with("'s") || w.ends_with("’s"))
        .map_or(0, |k| k + 1);
    let title = words.get(from..).filter(|t| !t.is_empty())?.join(" ");
    let lower = doc.lower.as_str();
    let mut found: Option<usize> = None;
    for at in title_occurrences(doc, &title) {
        let end = at + title.len();
        let bounded = !lower[..at].ends_with(|ch: char| ch.is_alphanumeric())
            && !lower[end..].starts_with(|ch: char| ch.is_alphanumeric());
        if !bounded || sp.overlaps(Span::new(at, end)) {
            continue;
        }
        if let Some(m) = title_holder(doc, at, end) {
            match found {
                Some(f) if doc.mentions[f].canonical != doc.mentions[m].canonical => return None,
                Some(_) => {}
                None => found = Some(m),
            }
        }
    }
    found
}

/// The first person mention holding the title at `[at, end)`: "Name, [the|a] title" or
/// "Title Name" (or a titled name holding it).
fn title_holder(doc: &Document, at: usize, end: usize) -> Option<usize> {
    doc.mentions
        .iter()
        .enumerate()
        .filter(|(_, m)| m.etype == EntityType::Person)
        .find(|(_, m)| {
            let before = doc.text.get(m.span.end..at).map(str::trim_end);
            matches!(before, Some("," | ", the" | ", a" | ", an"))
                || (m.span.start <= at && end <= m.span.end)
                || doc.text.get(end..m.span.start) == Some(" ")
        })
        .map(|(m, _)| m)
}

/// Where `title` occurs in the lowercased text, ascending: those of its occurrences a
/// person mention may hold by the tests of [`titled_person`] (inside the mention, right
/// before it past one space, right after it past ",", ", the", ", a" or ", an" and
/// whitespace). Read around the persons rather than by a search of the whole article for
/// each nominal speaker, which cost a third of the speaker resolution; an occurrence no
/// person holds changes nothing there. A title that may overlap itself ("a a") is searched
/// for in the whole text, as `str::match_indices` (which skips overlaps) finds it.
fn title_occurrences(doc: &Document, title: &str) -> Vec<usize> {
    let lower = doc.lower.as_str();
    let t = title.as_bytes();
    // Without a border (a proper prefix equal to a suffix) no two occurrences overlap:
    // each one near a person is one `match_indices` finds.
    if (1..t.len()).any(|k| t[..k] == t[t.len() - k..]) {
        return lower.match_indices(title).map(|(at, _)| at).collect();
    }
    // Compared as bytes: where the bytes of a string start, a character starts.
    let occurs = |at: usize| lower.as_bytes().get(at..at + t.len()) == Some(t);
    let mut found = Vec::new();
    for m in doc
        .mentions
        .iter()
        .filter(|m| m.etype == EntityType::Person)
    {
        // Inside the mention (a few bytes: no searcher to set up).
        let last = (m.span.end + 1).saturating_sub(t.len());
        found.extend((m.span.start..last).filter(|&at| occurs(at)));
        if let Some(at) = m.span.start.checked_sub(title.len() + 1) {
            if occurs(at) {
                found.push(at);
            }
        }
        // The title's first word is no whitespace: it starts after all of it.
        for sep in [",", ", the", ", a", ", an"] {
            let from = m.span.end + sep.len();
            if doc.text.get(m.span.end..from) == Some(sep) {
                let rest = &doc.text[from..];
                let at = from + (rest.len() - rest.trim_start().len());
                if occurs(at) {
                    found.push(at);
                }
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The article's only agency (by canonical name) of the country with ISO code `iso`, known
/// by the country named right before it ("China's National Narcotics Commission", "US
/// Postal Service", "the Chinese Ministry of ...").
fn sole_agency_of(doc: &Document, iso: &str) -> Option<usize> {
    let mut found: Option<usize> = None;
    for (i, m) in doc.mentions.iter().enumerate().skip(1) {
        let prev = &doc.mentions[i - 1];
        let of_country = m.etype == EntityType::Agency
            && prev.etype == EntityType::Country
            && prev.key.as_deref() == Some(iso)
            && matches!(
                doc.text.get(prev.span.end..m.span.start),
                Some("" | " " | "'s " | "’s ")
            );
        if !of_country {
            continue;
        }
        match found {
            Some(f) if doc.mentions[f].canonical != m.canonical => return None,
            Some(_) => {}
            None => found = Some(i),
        }
    }
    found
}

/// The word heads an agency or organization name ("agency", "ministry"), by
/// schema/org_heads.tsv.
fn is_org_head(lex: &Lexicon, head: &str) -> bool {
    // Most heads are short ASCII words: title-cased on the stack, not in a new String.
    let mut buf = [0u8; 24];
    let owned: String;
    let title = if head.is_ascii() && head.len() <= buf.len() {
        let word = &mut buf[..head.len()];
        word.copy_from_slice(head.as_bytes());
        word[..1.min(head.len())].make_ascii_uppercase();
        std::str::from_utf8(word).expect("ASCII bytes")
    } else {
        let mut chars = head.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        owned = first.to_uppercase().chain(chars).collect();
        owned.as_str()
    };
    if title.is_empty() {
        return false;
    }
    lex.org_heads
        .get(title)
        .is_some_and(|h| matches!(h.etype, EntityType::Agency | EntityType::Organization))
}

fn nearest_before(doc: &Document, at: usize, types: &[EntityType]) -> Option<usize> {
    // Mentions are sorted by start: none starting after `at` ends before it.
    let candidates = doc.mentions.partition_point(|m| m.span.start <= at);
    doc.mentions[..candidates]
        .iter()
        .enumerate()
        .rfind(|(_, m)| m.span.end <= at && types.contains(&m.etype))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A context with no quotes, its per-token tables read from `doc`.
    fn plain_ctx<'d>(doc: &'d Document, lex: &'d Lexicon) -> Ctx<'d> {
        Ctx {
            doc,
            lex,
            quotes: Vec::new(),
            inside: Vec::new(),
            in_mention: mention_tokens(doc),
            classes: vec![Cell::new(None); doc.tokens.len()],
            longest_mention: longest_mention(doc),
        }
    }

    fn person(doc: &Document, name: &str, nth: usize) -> EntityMention {
        let at = doc
            .text
            .match_indices(name)
            .nth(nth)
            .expect("name in text")
            .0;
        EntityMention {
            span: Span::new(at, at + name.len()),
            etype: EntityType::Person,
            canonical: name.to_string(),
            key: None,
            rule: "test",
            confidence: 1.0,
        }
    }

    /// The occurrences read around the persons are all those of a search of the whole
    /// text that a person holds, and no others.
    #[test]
    fn title_occurrences_equal_held_matches_of_a_full_search() {
        // (text, persons as (name, nth occurrence), titles)
        type Case<'a> = (&'a str, &'a [(&'a str, usize)], &'a [&'a str]);
        let cases: &[Case] = &[
            (
                "Wei Xiaojun, deputy secretary-general of the commission, spoke. The deputy \
                 secretary-general said so. Deputy Secretary-General Wei Xiaojun agreed.",
                &[
                    ("Wei Xiaojun", 0),
                    ("Deputy Secretary-General Wei Xiaojun", 0),
                ],
                &["deputy secretary-general", "secretary-general", "deputy"],
            ),
            (
                "Ho, the\u{a0}spokesman, said. Lee, a  \n spokesman for X. spokesman Kim. \
                 The spokesman Park and spokesmanship, Ho,spokesman, Lee ,spokesman.",
                &[
                    ("Ho", 0),
                    ("Lee", 0),
                    ("Kim", 0),
                    ("Park", 0),
                    ("Ho", 1),
                    ("Lee", 1),
                ],
                &["spokesman", "the spokesman", "a", "an"],
            ),
            (
                "Ann, a a a director. Bo, an aa aaa. Ça, l’été director Dé.",
                &[("Ann", 0), ("Bo", 0), ("Ça", 0), ("Dé", 0)],
                &["a a", "aa", "a", "director", "l’été director", "été"],
            ),
        ];
        for (text, persons, titles) in cases {
            let mut doc = Document::new("t", *text);
            let mut mentions: Vec<EntityMention> = persons
                .iter()
                .map(|(name, nth)| person(&doc, name, *nth))
                .collect();
            mentions.sort_by_key(|m| (m.span.start, m.span.end));
            doc.mentions = mentions;
            for title in *titles {
                let held: Vec<usize> = doc
                    .lower
                    .match_indices(title)
                    .map(|(at, _)| at)
                    .filter(|&at| title_holder(&doc, at, at + title.len()).is_some())
                    .collect();
                let fast: Vec<usize> = title_occurrences(&doc, title)
                    .into_iter()
                    .filter(|&at| title_holder(&doc, at, at + title.len()).is_some())
                    .collect();
                assert_eq!(fast, held, "{title:?} in {text:?}");
                let all: Vec<usize> = doc.lower.match_indices(title).map(|(at, _)| at).collect();
                assert!(
                    title_occurrences(&doc, title)
                        .iter()
                        .all(|at| all.contains(at)),
                    "{title:?} in {text:?}"
                );
            }
        }
    }

    /// The forward walk of `mention_tokens` flags the tokens the two binary searches per
    /// mention did: nested, overlapping, adjacent mentions, mentions ending inside a token
    /// or at the text's end, more than 16 tokens after the one before.
    #[test]
    fn mention_tokens_equal_binary_searched_ranges() {
        let lex = Lexicon::builtin();
        let text = "Wei Xiaojun, of the U.S. Drug Enforcement Administration, said “it’s over” \
                    to New York’s mayor Bill de Blasio in Washington, and then one two three \
                    four five six seven eight nine ten eleven twelve thirteen fourteen fifteen \
                    sixteen seventeen eighteen, in Washington";
        let mut doc = Document::new("t", text);
        crate::text::analyze(&mut doc, &lex);
        let len = text.len();
        let spans = [
            (0, 11),
            (0, 3),
            (4, 11),
            (20, 23),
            (20, 57),
            (24, 57),
            (25, 30),
            (57, 57),
            (90, 98),
            (98, 110),
            (101, 103),
            (len - 10, len),
        ];
        let mut mentions: Vec<EntityMention> = spans
            .iter()
            .filter(|&&(s, e)| text.is_char_boundary(s) && text.is_char_boundary(e))
            .map(|&(s, e)| EntityMention {
                span: Span::new(s, e),
                ..person(&doc, "Wei", 0)
            })
            .collect();
        mentions.sort_by_key(|m| (m.span.start, m.span.end));
        doc.mentions = mentions;
        let mut slow = vec![false; doc.tokens.len()];
        for m in &doc.mentions {
            let first = doc.token_at_or_after(m.span.start);
            for flag in &mut slow[first..doc.token_at_or_after(m.span.end)] {
                *flag = true;
            }
        }
        assert_eq!(mention_tokens(&doc), slow);
    }

    /// The byte views the comparisons use are the tokens' `&str` slices.
    #[test]
    fn token_bytes_equal_token_strs() {
        let lex = Lexicon::builtin();
        let mut doc = Document::new(
            "t",
            "“That,” İstanbul’s MAYOR said — and BUT that’s 47% of Ünïcode, “ok” ¿no?",
        );
        crate::text::analyze(&mut doc, &lex);
        let c = plain_ctx(&doc, &lex);
        for (i, t) in doc.tokens.iter().enumerate() {
            // Asked twice: the cached answer is the lexicon's.
            assert_eq!(c.class(i), lex.token_class(t, &doc.lower));
            assert_eq!(c.class(i), lex.token_class(t, &doc.lower));
        }
        for i in 0..doc.tokens.len() {
            assert_eq!(c.lower_bytes(i), c.lower(i).as_bytes());
            assert_eq!(c.text_bytes(i), c.text(i).as_bytes());
        }
    }

    /// What the clause-end scan of [`content_after`] relies on: only a 1-byte token can be
    /// a comma and only a 3-byte one "and"/"but" (the lowercase view has the token's span),
    /// so the span length filters the others out first.
    #[test]
    fn clause_end_tokens_have_the_lengths_the_scan_filters_on() {
        let lex = Lexicon::builtin();
        let mut doc = Document::new(
            "t",
            "He said, AND But and, but… ，and-but ANDY, “and” İ, said it, but BUT and.",
        );
        crate::text::analyze(&mut doc, &lex);
        let c = plain_ctx(&doc, &lex);
        for (i, t) in doc.tokens.iter().enumerate() {
            let len = t.span.len();
            if c.text_bytes(i) == b"," {
                assert_eq!(len, 1);
            }
            if matches!(c.lower_bytes(i), b"and" | b"but") {
                assert_eq!(len, 3);
            }
            // The filter never hides a token either test would take.
            let ends = c.text_bytes(i) == b"," || matches!(c.lower_bytes(i), b"and" | b"but");
            assert!(!ends || matches!(len, 1 | 3));
        }
    }

    /// What [`np_left_quantity`] relies on: [`quantity_left`] with a higher limit finds no
    /// quantity where it found none, and from the start of one it found, the same start;
    /// so its flag is [`plausible_speaker`]'s first test.
    #[test]
    fn quantity_left_answers_the_same_from_its_start() {
        let lex = Lexicon::builtin();
        let mut doc = Document::new(
            "t",
            "Polls say 47% back him, 26 percent said no, six in 10 voters and nearly nine \
             out of 10 Americans agreed; about three-quarters of them, most of them and two \
             of us said so. Of 10 out of 10 in 10 in of 3 4 percent % said two-thirds of \
             those these of them said he. \"Most of them,\" the Centers for Disease Control \
             and Prevention (CDC) official Wei Xiaojun of the group said.",
        );
        crate::text::analyze(&mut doc, &lex);
        crate::extract::entities::extract(&mut doc, &lex);
        let (quotes, inside) = quotes::find(&doc);
        let c = Ctx {
            quotes,
            inside,
            ..plain_ctx(&doc, &lex)
        };
        let n = doc.tokens.len();
        let mut found = 0;
        for end in 1..=n {
            for limit in 0..end {
                let q = quantity_left(&c, end, limit);
                if let Some(start) = q {
                    found += 1;
                    assert!(start >= limit);
                    assert_eq!(quantity_left(&c, end, start), Some(start), "{end} {limit}");
                }
                for higher in limit..end {
                    if q.is_none() {
                        assert_eq!(quantity_left(&c, end, higher), None, "{end} {higher}");
                    }
                }
                let slow = np_left(&c, end, limit).filter(|&(s, e)| plausible_speaker(&c, s, e));
                let fast = np_left_quantity(&c, end, limit)
                    .filter(|&(s, e, quantity)| plausible_speaker_given(&c, s, e, quantity))
                    .map(|(s, e, _)| (s, e));
                assert_eq!(fast, slow, "{end} {limit}");
            }
        }
        assert!(found >= 20, "the text holds quantities ({found})");
    }

    #[test]
    fn token_class_equals_function_class_of_the_lowercase_word() {
        let lex = Lexicon::builtin();
        let mut doc = Document::new(
            "t",
            "THE Minister, who Had NOT said so, told them: “It’s over” — but IN 2019 \
             they’d ALREADY left; Última hora, l’été, co-operation & the U.S.",
        );
        crate::text::analyze(&mut doc, &lex);
        for (i, t) in doc.tokens.iter().enumerate() {
            let word = doc.token_lower(i);
            assert_eq!(
                lex.token_class(t, &doc.lower),
                lex.function_class(word),
                "{word:?}"
            );
        }
    }

    #[test]
    fn org_head_title_cases_like_char_to_uppercase() {
        let lex = Lexicon::builtin();
        for head in [
            "agency", "ministry", "Ministry", "a", "", "bank", "école", "ßank",
        ] {
            let mut chars = head.chars();
            let slow = chars.next().is_some_and(|first| {
                let title: String = first.to_uppercase().chain(chars).collect();
                lex.org_heads.get(&title).is_some_and(|h| {
                    matches!(h.etype, EntityType::Agency | EntityType::Organization)
                })
            });
            assert_eq!(is_org_head(&lex, head), slow, "{head:?}");
        }
    }

    #[test]
    fn cue_at_shape_test_equals_the_phrase_search() {
        let lex = Lexicon::builtin();
        let mut doc = Document::new(
            "t",
            "The United States said that claims that Wei Xiaojun denied, according to \
             officials, were THAT false. “No,” he told reporters; She SAYS: the report that \
             it's over. According to polls that show Said Ali argued, insisted and thought.",
        );
        crate::text::analyze(&mut doc, &lex);
        crate::extract::entities::extract(&mut doc, &lex);
        let n = doc.tokens.len();
        let c = plain_ctx(&doc, &lex);
        let mut cues = 0;
        for end in [n, n / 2] {
            for i in 0..n {
                // The phrase search itself, without the shape test before it.
                let slow = (i < end && !c.in_mention[i])
                    .then(|| lex.cues.longest_at(&doc.lower, &doc.tokens, i, end))
                    .flatten();
                let fast = c.cue_at(i, end);
                assert_eq!(
                    fast.map(|(n, q)| (n, q as *const Cue)),
                    slow.map(|(n, q)| (n, q as *const Cue)),
                    "token {i}"
                );
                cues += fast.is_some() as usize;
            }
        }
        assert!(cues >= 6, "the text holds cues ({cues})");
    }

    #[test]
    fn mentions_near_and_within_hold_every_overlapping_and_contained_mention() {
        let lex = Lexicon::builtin();
        let mut doc = Document::new(
            "t",
            "The Centers for Disease Control and Prevention in Atlanta said Wei Xiaojun, \
             deputy director of China's National Narcotics Control Commission, met Trump.",
        );
        crate::text::analyze(&mut doc, &lex);
        crate::extract::entities::extract(&mut doc, &lex);
        assert!(doc.mentions.len() >= 4, "{:?}", doc.mentions);
        let c = plain_ctx(&doc, &lex);
        let ends: Vec<usize> = (0..=doc.text.len()).step_by(3).collect();
        for &a in &ends {
            for &b in ends.iter().filter(|&&b| b >= a) {
                let span = Span::new(a, b);
                let near = c.mentions_near(span);
                let within = c.mentions_within(span);
                // Every mention the full scans find is in the slices (which are in order).
                for m in &doc.mentions {
                    if span.overlaps(m.span) {
                        assert!(near.iter().any(|n| std::ptr::eq(n, m)), "{span:?} {m:?}");
                    }
                    if span.contains(m.span) {
                        assert!(within.iter().any(|n| std::ptr::eq(n, m)), "{span:?} {m:?}");
                    }
                }
            }
        }
    }
}
