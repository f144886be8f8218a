//! Typed relations between entity mentions (and statements): roles and affiliations,
//! part-of from possessives and prefixes, and verbs from schema/relations.tsv.
//!
//! Patterns, each a rule name in provenance:
//! - `title_before_name`: "U.S. President Donald Trump", "Chinese President Xi" ->
//!   affiliated_with the country or agency right before the title;
//! - `appositive_role`: "Wei Xiaojun, (the) deputy secretary-general of China's National
//!   Narcotics Commission," / "Lance Ho, who heads the DEA's ..." / "Wei, an NCB official";
//! - `org_role_name`: "the DEA's representative in Beijing, Lance Ho";
//! - `possessive_part_of` / `prefix_part_of` / `of_part_of`: "the Ministry's Bureau",
//!   "US Postal Service", "Bureau of the Ministry";
//! - `verb_active` / `verb_passive`: subject and object mentions around a relation verb,
//!   lists and coordination giving one edge each; negated verbs give none;
//! - `stance_object`: a stance attribution whose content is a noun phrase opening with a
//!   name ("Ho, the DEA's man in Beijing, praised China's contribution") -> praises China.
//! - `results_line_member`: "Derbyshire 471 ( J. Adams 123 , K. Barnett 87 )" -> the
//!   players named in parentheses after a team's score are affiliated_with the team.

use crate::document::{Document, EntityMention, EntityType, Relation, Target, TokenKind};
use crate::extract::entities::{RULE_DEMONYM, RULE_TEAM};
use crate::lexicon::{FunctionClass, Lexicon};
use crate::span::Span;

const ACTOR: &[EntityType] = &[
    EntityType::Person,
    EntityType::Agency,
    EntityType::Organization,
    EntityType::Country,
];
const BODY: &[EntityType] = &[
    EntityType::Agency,
    EntityType::Organization,
    EntityType::Country,
];

/// Needs: tokens, sentences, mentions, attributions. Adds: relations.
pub fn extract(doc: &mut Document, lex: &Lexicon) {
    let mut out = Vec::new();
    roles(doc, lex, &mut out);
    part_of(doc, &mut out);
    verbs(doc, lex, &mut out);
    stance_objects(doc, &mut out);
    team_members(doc, &mut out);
    out.sort_by_key(|r: &Relation| (r.evidence.start, r.trigger.start, r.subject));
    out.dedup_by(|b, a| {
        a.subject == b.subject
            && a.object == b.object
            && a.edge == b.edge
            && a.evidence == b.evidence
    });
    doc.relations = out;
}

/// Attributions whose cue means more than "says" (praises, accuses, disputes ...) and whose
/// content is a noun phrase opening with an actor's name: the speaker acts on that actor.
/// A clause ("denied that China ...") is what was said, not whom it was said of.
fn stance_objects(doc: &Document, out: &mut Vec<Relation>) {
    for att in &doc.attributions {
        let Some(subject) = att.speaker_entity else {
            continue;
        };
        if att.edge == "says" || att.content.start < att.cue.end {
            continue;
        }
        let between = &doc.lower[att.cue.end..att.content.start];
        if between.split_whitespace().any(|w| w == "that") {
            continue;
        }
        let Some(object) = mentions_in(doc, att.content).next().filter(|&m| {
            let mention = &doc.mentions[m];
            mention.span.start == att.content.start
                && ACTOR.contains(&mention.etype)
                && mention.canonical != doc.mentions[subject].canonical
        }) else {
            continue;
        };
        out.push(Relation {
            subject,
            object: Target::Entity(object),
            edge: att.edge.clone(),
            title: None,
            evidence: att.evidence,
            trigger: att.cue,
            rule: "stance_object",
            confidence: att.confidence * 0.9,
        });
    }
}

fn sentence_of(doc: &Document, at: usize) -> Span {
    doc.sentence_at(at)
        .map_or(Span::new(at, at), |s| doc.sentences[s].span)
}

/// Mention indices in `[from, to)` byte range, in order.
///
/// Mentions are sorted by start (entities sorts them), so the first candidate is found by
/// binary search and the scan stops at the first mention starting past the range: the cost
/// is the number of mentions starting inside it, not all mentions of the document.
fn mentions_in(doc: &Document, range: Span) -> impl Iterator<Item = usize> + '_ {
    let ms = &doc.mentions;
    let first = ms.partition_point(|m| m.span.start < range.start);
    (first..ms.len())
        .take_while(move |&i| ms[i].span.start <= range.end)
        .filter(move |&i| range.contains(ms[i].span))
}

/// Mention indices in `range`, last first: the reverse of [`mentions_in`].
fn mentions_in_rev(doc: &Document, range: Span) -> impl Iterator<Item = usize> + '_ {
    let ms = &doc.mentions;
    let first = ms.partition_point(|m| m.span.start < range.start);
    let last = ms.partition_point(|m| m.span.start <= range.end);
    (first..last.max(first))
        .rev()
        .filter(move |&i| range.contains(ms[i].span))
}

/// Mention indices ordered by (end, index), for finding mentions that end in a range.
fn by_end(doc: &Document) -> Vec<usize> {
    let mut v: Vec<usize> = (0..doc.mentions.len()).collect();
    v.sort_by_key(|&i| (doc.mentions[i].span.end, i));
    v
}

/// The lowest byte offset `e` for which `doc.text[e..at].trim()` can be one of `allowed`
/// (so every `e` passing [`between_is`] with `b == at` is at or after it).
fn gap_floor(doc: &Document, at: usize, allowed: &[&str]) -> usize {
    let before = &doc.text[..at];
    let w0 = before.trim_end().len();
    let mut floor = w0;
    for s in allowed.iter().filter(|s| !s.is_empty()) {
        if before[..w0].ends_with(s) {
            floor = floor.min(before[..w0 - s.len()].trim_end().len());
        }
    }
    floor
}

fn between_is(doc: &Document, a: usize, b: usize, allowed: &[&str]) -> bool {
    if a > b {
        return false;
    }
    let gap = doc.text[a..b].trim();
    allowed.contains(&gap)
}

fn roles(doc: &Document, lex: &Lexicon, out: &mut Vec<Relation>) {
    let ends = by_end(doc);
    for (pi, p) in doc.mentions.iter().enumerate() {
        if p.etype != EntityType::Person || p.rule == crate::extract::entities::RULE_SHORT_NAME {
            continue;
        }
        let evidence = sentence_of(doc, p.span.start);
        // Title right before the name, and a body right before the title.
        let ti = doc.token_at_or_after(p.span.start);
        let mut k = ti;
        while k > 0 && is_title_word(doc, lex, k - 1) {
            k -= 1;
        }
        if k < ti {
            let title_span = Span::new(doc.tokens[k].span.start, doc.tokens[ti - 1].span.end);
            let title = doc.slice(title_span).to_string();
            // The last mention (by index) that is a body ending right before the title:
            // only mentions ending in the gap's possible range are candidates.
            const GAP: &[&str] = &["", "’s", "'s", "s"];
            let floor = gap_floor(doc, title_span.start, GAP);
            let from = ends.partition_point(|&i| doc.mentions[i].span.end < floor);
            let body = ends[from..]
                .iter()
                .copied()
                .take_while(|&i| doc.mentions[i].span.end <= title_span.start)
                .filter(|&i| {
                    let m = &doc.mentions[i];
                    BODY.contains(&m.etype) && between_is(doc, m.span.end, title_span.start, GAP)
                })
                .max();
            if let Some(bi) = body {
                out.push(Relation {
                    subject: pi,
                    object: Target::Entity(bi),
                    edge: "affiliated_with".into(),
                    title: Some(title.to_ascii_lowercase()),
                    evidence,
                    trigger: title_span,
                    rule: "title_before_name",
                    confidence: 0.85,
                });
            }
        }
        // Appositive after the name, up to the next comma or sentence end.
        let after = p.span.end;
        let rest = &doc.text[after..evidence.end.max(after)];
        let Some(stripped) = rest.strip_prefix(',').or_else(|| rest.strip_prefix(" ,")) else {
            continue;
        };
        let app_start = after + (rest.len() - stripped.len());
        // The appositive runs to the next comma not inside a number.
        let app_end = stripped
            .char_indices()
            .find(|&(i, ch)| ch == ',' && i > 0 && !stripped[..i].ends_with(char::is_numeric))
            .map_or(evidence.end, |(i, _)| app_start + i);
        let app = Span::new(app_start, app_end.max(app_start));
        let app_text = doc.lower(app).trim_start();
        let relative = [
            "who heads",
            "who leads",
            "who runs",
            "who directs",
            "who chairs",
            "who works for",
            "who works at",
        ]
        .iter()
        .find(|w| app_text.starts_with(**w));
        let has_title = relative.is_some() || {
            let first = doc.token_at_or_after(app.start);
            (first..doc.token_at_or_after(app.end)).any(|t| is_title_word(doc, lex, t))
        };
        if !has_title {
            continue;
        }
        let org = mentions_in(doc, app)
            .find(|&m| {
                matches!(
                    doc.mentions[m].etype,
                    EntityType::Agency | EntityType::Organization
                )
            })
            .or_else(|| {
                mentions_in(doc, app).find(|&m| doc.mentions[m].etype == EntityType::Country)
            });
        if let Some(o) = org {
            let title = match relative {
                Some(_) => "head".to_string(),
                None => title_words(doc, lex, app),
            };
            out.push(Relation {
                subject: pi,
                object: Target::Entity(o),
                edge: "affiliated_with".into(),
                title: Some(title),
                evidence,
                trigger: app.trim(&doc.text),
                rule: "appositive_role",
                confidence: 0.85,
            });
        }
    }
    // "the DEA's representative in Beijing, Lance Ho"
    for (oi, o) in doc.mentions.iter().enumerate() {
        if !matches!(o.etype, EntityType::Agency | EntityType::Organization) {
            continue;
        }
        let rest = &doc.lower[o.span.end..];
        let Some(r) = rest
            .strip_prefix("’s ")
            .or_else(|| rest.strip_prefix("'s "))
            .or_else(|| rest.strip_prefix("’s ("))
        else {
            continue;
        };
        let start = o.span.end + (rest.len() - r.len());
        // Only a comma within 60 bytes counts: look no further than that.
        let mut window = r.len().min(64);
        while !r.is_char_boundary(window) {
            window += 1;
        }
        let Some(comma) = r[..window].find(", ").filter(|&c| c < 60) else {
            continue;
        };
        let role = Span::new(start, start + comma);
        let ti = doc.token_at_or_after(role.start);
        if !(ti..doc.token_at_or_after(role.end)).any(|t| is_title_word(doc, lex, t)) {
            continue;
        }
        let person_at = role.end + 2;
        let first = doc.mentions.partition_point(|m| m.span.start < person_at);
        if let Some(pi) = (first..doc.mentions.len())
            .take_while(|&i| doc.mentions[i].span.start == person_at)
            .find(|&i| doc.mentions[i].etype == EntityType::Person)
        {
            out.push(Relation {
                subject: pi,
                object: Target::Entity(oi),
                edge: "affiliated_with".into(),
                title: Some(title_words(doc, lex, role)),
                evidence: sentence_of(doc, o.span.start),
                trigger: role,
                rule: "org_role_name",
                confidence: 0.8,
            });
        }
    }
}

fn is_title_word(doc: &Document, lex: &Lexicon, t: usize) -> bool {
    let token = &doc.tokens[t];
    if token.kind != TokenKind::Word {
        return false;
    }
    let w = doc.token_lower(t);
    // A word of lowercase letters is a title only as a title's first word, which its shape
    // rules out for most words before the word is hashed (other words, "secretary-general",
    // take the full lookup).
    let plain = !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase());
    let title = if plain && !lex.titles.may_start(token) {
        false
    } else {
        lex.is_title_word(w)
    };
    title || lex.token_is_title_modifier(token, &doc.lower)
}

/// The title words of an appositive ("the deputy secretary-general of ..." -> "deputy
/// secretary-general").
fn title_words(doc: &Document, lex: &Lexicon, span: Span) -> String {
    let first = doc.token_at_or_after(span.start);
    let last = doc.token_at_or_after(span.end);
    let words: Vec<usize> = (first..last)
        .skip_while(|&t| !is_title_word(doc, lex, t))
        .take_while(|&t| is_title_word(doc, lex, t))
        .collect();
    match (words.first(), words.last()) {
        (Some(&a), Some(&b)) => doc
            .lower(Span::new(doc.tokens[a].span.start, doc.tokens[b].span.end))
            .to_string(),
        _ => String::new(),
    }
}

fn part_of(doc: &Document, out: &mut Vec<Relation>) {
    let ms = &doc.mentions;
    for w in 0..ms.len() {
        for v in w + 1..(w + 3).min(ms.len()) {
            let (a, b) = (&ms[w], &ms[v]);
            if !matches!(b.etype, EntityType::Agency | EntityType::Organization) {
                continue;
            }
            let whole = matches!(
                a.etype,
                EntityType::Agency | EntityType::Organization | EntityType::Country
            );
            if !whole {
                continue;
            }
            let gap_start = a.span.end;
            let (rule, subject, object) =
                if between_is(doc, gap_start, b.span.start, &["’s", "'s", "s"]) {
                    ("possessive_part_of", v, w)
                } else if between_is(doc, gap_start, b.span.start, &[""])
                    && a.etype == EntityType::Country
                {
                    ("prefix_part_of", v, w)
                } else if between_is(doc, gap_start, b.span.start, &["of the", "of"])
                    && a.etype != EntityType::Country
                {
                    ("of_part_of", w, v)
                } else {
                    continue;
                };
            if ms[subject].canonical == ms[object].canonical {
                continue;
            }
            out.push(Relation {
                subject,
                object: Target::Entity(object),
                edge: "part_of".into(),
                title: None,
                evidence: sentence_of(doc, a.span.start),
                trigger: Span::new(a.span.start, b.span.end),
                rule,
                confidence: 0.85,
            });
        }
    }
}

/// Players of a team in a results line: named in the parentheses after its score
/// ("Derbyshire 471 ( J. Adams 123 , K. Barnett 87 )"), or listed after a side that opens
/// the line ("Romania - Cosmin Contra ( 31st ) , Mihai Tararache ( 75th )").
fn team_members(doc: &Document, out: &mut Vec<Relation>) {
    for (ti, team) in doc.mentions.iter().enumerate() {
        let is_team = team.rule == RULE_TEAM;
        let is_country = team.etype == EntityType::Country && team.rule != RULE_DEMONYM;
        if !is_team && !is_country {
            continue;
        }
        let evidence = sentence_of(doc, team.span.start);
        let after = doc.token_at_or_after(team.span.end);
        let end = doc.token_at_or_after(evidence.end);
        let players = if after < end && doc.token_text(after) == "-" {
            scorer_list(doc, team.span.start, after + 1, end)
        } else if is_team {
            scored_parentheses(doc, after, end)
        } else {
            None
        };
        let Some(players) = players else {
            continue;
        };
        for pi in mentions_in(doc, players) {
            if doc.mentions[pi].etype != EntityType::Person {
                continue;
            }
            out.push(Relation {
                subject: pi,
                object: Target::Entity(ti),
                edge: "affiliated_with".into(),
                title: None,
                evidence,
                trigger: Span::new(team.span.start, players.end),
                rule: "results_line_member",
                confidence: 0.6,
            });
        }
    }
}

/// "471 ( J. Adams 123 , ... )" from token `k`: the span of the parentheses after scores.
fn scored_parentheses(doc: &Document, mut k: usize, end: usize) -> Option<Span> {
    let first = k;
    while k < end && (doc.tokens[k].kind == TokenKind::Number || doc.token_lower(k) == "and") {
        k += 1;
    }
    if k == first || k >= end || doc.token_text(k) != "(" {
        return None;
    }
    let close = (k + 1..end).find(|&e| matches!(doc.token_text(e), ")" | "("))?;
    (doc.token_text(close) == ")")
        .then(|| Span::new(doc.tokens[k].span.start, doc.tokens[close].span.end))
}

/// A side opening its line and followed by nothing but players, their minutes in
/// parentheses and commas ("- Cosmin Contra ( 31st ) , Mihai Tararache ( 75th )").
fn scorer_list(doc: &Document, side_start: usize, from: usize, end: usize) -> Option<Span> {
    let line_start = doc
        .sentence_at(side_start)
        .map(|s| doc.sentences[s].span.start);
    if line_start != Some(side_start) || from >= end {
        return None;
    }
    let mut depth = 0;
    let mut persons = 0;
    let mut k = from;
    while k < end {
        let t = doc.tokens[k];
        match doc.token_text(k) {
            "(" => depth += 1,
            ")" => depth -= 1,
            _ if depth > 0 || t.kind == TokenKind::Punct => {}
            _ => {
                // A word outside parentheses must be a person's name.
                let m = doc
                    .mentions
                    .partition_point(|m| m.span.start < t.span.start);
                let person = doc
                    .mentions
                    .get(m)
                    .filter(|m| m.span.start == t.span.start && m.etype == EntityType::Person)?;
                persons += 1;
                k = doc.token_at_or_after(person.span.end);
                continue;
            }
        }
        k += 1;
    }
    (persons > 0 && depth == 0)
        .then(|| Span::new(doc.tokens[from].span.start, doc.tokens[end - 1].span.end))
}

fn is_subject(m: &EntityMention) -> bool {
    ACTOR.contains(&m.etype) && m.rule != RULE_DEMONYM
}

/// `prev[i]`: the last mention at or before index `i` that [`is_subject`], if any.
fn previous_subjects(doc: &Document) -> Vec<Option<usize>> {
    let mut last = None;
    doc.mentions
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if is_subject(m) {
                last = Some(i);
            }
            last
        })
        .collect()
}

/// `mentions_in_rev(doc, range).find(|&m| is_subject(&doc.mentions[m]))`, jumping from
/// subject to subject instead of visiting every mention of a long clause.
fn last_actor_in(doc: &Document, prev: &[Option<usize>], range: Span) -> Option<usize> {
    let ms = &doc.mentions;
    let last = ms.partition_point(|m| m.span.start <= range.end);
    let mut j = prev.get(last.checked_sub(1)?).copied().flatten();
    while let Some(i) = j {
        let m = &ms[i];
        if m.span.start < range.start {
            return None;
        }
        if m.span.end <= range.end {
            return Some(i);
        }
        j = prev.get(i.checked_sub(1)?).copied().flatten();
    }
    None
}

fn verbs(doc: &Document, lex: &Lexicon, out: &mut Vec<Relation>) {
    let prev_actor = previous_subjects(doc);
    for s in &doc.sentences {
        let (a, b) = s.tokens;
        // Clause breaks and hedges, tracked as `i` moves forward so that each trigger costs
        // the same in a long sentence as in a short one: `last_break` is the last break
        // token before `i` (tokens before `scanned` are accounted for), `next_break` the
        // first at or after some position, `first_hedge` the first hedge of the sentence.
        let is_break_before = |k: usize| matches!(doc.token_text(k), "," | ";" | ":" | "—");
        let is_break_after = |k: usize| matches!(doc.token_text(k), ";" | ":" | "—" | ".");
        // Looked for at the sentence's first relation: most sentences have none.
        let mut first_hedge: Option<usize> = None;
        let mut last_break: Option<usize> = None;
        let mut scanned = a;
        let mut next_break: Option<(usize, Option<usize>)> = None;
        let mut i = a;
        while i < b {
            // Most tokens start no relation verb, as their shape tells without setting up
            // the phrase search.
            if !lex.relations.may_start(&doc.tokens[i]) {
                i += 1;
                continue;
            }
            let Some((n, rv)) = lex.relations.longest_at(&doc.lower, &doc.tokens, i, b) else {
                i += 1;
                continue;
            };
            let trigger = Span::new(doc.tokens[i].span.start, doc.tokens[i + n - 1].span.end);
            // Negation and refusal: "did not deny", "declined to comment".
            let negated = (i.saturating_sub(3).max(a)..i).any(|k| {
                lex.function_class(doc.token_lower(k)) == Some(FunctionClass::Neg)
                    || matches!(doc.token_lower(k), "declined" | "refused" | "n't")
            });
            if negated {
                i += n;
                continue;
            }
            let passive = i > a && crate::text::is_form_of_be(doc.token_lower(i - 1));
            while scanned < i {
                if is_break_before(scanned) {
                    last_break = Some(scanned);
                }
                scanned += 1;
            }
            let clause_start = last_break.map_or(s.span.start, |k| doc.tokens[k].span.end);
            // The first break at or after i + n: reuse the last answer while it still holds.
            let from = i + n;
            let found = match next_break {
                Some((searched_from, hit))
                    if searched_from <= from && hit.is_none_or(|h| h >= from) =>
                {
                    hit
                }
                _ => {
                    let hit = (from..b).find(|&k| is_break_after(k));
                    next_break = Some((from, hit));
                    hit
                }
            };
            let clause_end = found.map_or(s.span.end, |k| doc.tokens[k].span.start);
            let left = Span::new(clause_start.min(trigger.start), trigger.start);
            let right: Vec<usize> =
                mentions_in(doc, Span::new(trigger.end, clause_end.max(trigger.end)))
                    .take_while(|&m| doc.mentions[m].span.start < trigger.end + 120)
                    .collect();
            let (subj, objs): (Option<usize>, Vec<usize>) = if passive {
                let by = right.iter().copied().find(|&m| {
                    doc.lower[trigger.end..doc.mentions[m].span.start]
                        .trim_end()
                        .ends_with("by")
                });
                (by, mentions_in_rev(doc, left).next().into_iter().collect())
            } else {
                let subj = last_actor_in(doc, &prev_actor, left);
                // The first object and those coordinated with it ("A and B", "A, B and C").
                let mut objs = Vec::new();
                for &m in &right {
                    // "cooperation with the US Drug Enforcement Administration": a country
                    // right before a body says whose body it is (part_of); the body is
                    // the object.
                    if objs.is_empty() && country_prefixing_body(doc, m) {
                        continue;
                    }
                    if let Some(&prev) = objs.last() {
                        let prev: usize = prev;
                        let gap = doc.lower
                            [doc.mentions[prev].span.end..doc.mentions[m].span.start]
                            .trim();
                        if !matches!(gap, "and" | "," | ", and" | "or" | "-" | "- ") {
                            break;
                        }
                    }
                    if doc.mentions[m].rule == RULE_DEMONYM {
                        if objs.is_empty() {
                            continue;
                        } else {
                            break;
                        }
                    }
                    objs.push(m);
                }
                (subj, objs)
            };
            let Some(subj) = subj else {
                i += n;
                continue;
            };
            for o in objs {
                if o == subj || doc.mentions[o].canonical == doc.mentions[subj].canonical {
                    continue;
                }
                if !fits(&rv.edge, doc.mentions[subj].etype, doc.mentions[o].etype) {
                    continue;
                }
                let hedge = *first_hedge.get_or_insert_with(|| {
                    (a..b)
                        .find(|&k| matches!(doc.token_lower(k), "reportedly" | "allegedly"))
                        .unwrap_or(b)
                });
                let hedged = hedge < i;
                out.push(Relation {
                    subject: subj,
                    object: Target::Entity(o),
                    edge: rv.edge.clone(),
                    title: None,
                    evidence: s.span,
                    trigger,
                    rule: if passive {
                        "verb_passive"
                    } else {
                        "verb_active"
                    },
                    confidence: if hedged { 0.5 } else { 0.75 },
                });
            }
            i += n;
        }
    }
}

/// Mention `m` is a country directly followed by an agency or organization mention.
fn country_prefixing_body(doc: &Document, m: usize) -> bool {
    let ms = &doc.mentions;
    ms[m].etype == EntityType::Country
        && ms.get(m + 1).is_some_and(|next| {
            matches!(next.etype, EntityType::Agency | EntityType::Organization)
                && doc.text[ms[m].span.end..next.span.start].trim().is_empty()
        })
}

/// Type constraints: who can regulate, indict, meet whom.
fn fits(edge: &str, s: EntityType, o: EntityType) -> bool {
    use EntityType::*;
    let actor = ACTOR.contains(&s);
    match edge {
        "regulates" => matches!(s, Country | Agency) && o == Substance,
        "indicts" => matches!(s, Agency | Country) && o == Person,
        "meets" => s == Person && o == Person,
        _ => actor && ACTOR.contains(&o),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_word_shape_filter_equals_the_lexicon_lookups() {
        let lex = Lexicon::builtin();
        let mut doc = Document::new(
            "t",
            "Deputy Secretary-General Wei, the deputy director-general and former U.S. \
             President, told the chief executive's spokesman, a senior minister, and Gov. Ho.",
        );
        crate::text::analyze(&mut doc, &lex);
        let mut titles = 0;
        for t in 0..doc.tokens.len() {
            let w = doc.token_lower(t);
            let slow = doc.tokens[t].kind == TokenKind::Word
                && (lex.titles.contains(w) || lex.title_modifiers.contains(w));
            assert_eq!(is_title_word(&doc, &lex, t), slow, "{w:?}");
            titles += slow as usize;
        }
        assert!(titles >= 5, "the text holds titles ({titles})");
    }
}
