//! The one document type every stage reads and adds to (as spaCy's `Doc`): it owns the
//! original text, and each stage appends spans into it without changing the text.

use crate::span::Span;
use serde::Serialize;

/// Article metadata found by ingest (or given in a JSONL record).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metadata {
    pub title: Option<String>,
    /// ISO date (YYYY-MM-DD) when the article states one.
    pub date: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    /// Bylines ("By Paul Gaita") as written, with their spans.
    pub authors: Vec<(String, Span)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TokenKind {
    Word,
    Number,
    /// A quotation mark (straight or curly, single or double).
    Quote,
    Punct,
}

/// A token: a view of the text by byte span. Filters never change offsets.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
    /// The first char is an uppercase letter.
    pub capitalized: bool,
    /// Whitespace precedes this token directly.
    pub space_before: bool,
    /// [`crate::text::tokens::word_shape`] of the token: read once here, so that phrase
    /// lookups rule out most tokens without reading the word.
    #[serde(skip)]
    pub shape: u16,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Sentence {
    pub span: Span,
    /// Token index range `[first, last)`.
    pub tokens: (usize, usize),
    /// Index of the paragraph the sentence lies in.
    pub paragraph: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum EntityType {
    Person,
    Agency,
    Organization,
    Country,
    Place,
    Substance,
}

impl EntityType {
    pub fn name(self) -> &'static str {
        match self {
            EntityType::Person => "Person",
            EntityType::Agency => "Agency",
            EntityType::Organization => "Organization",
            EntityType::Country => "Country",
            EntityType::Place => "Place",
            EntityType::Substance => "Substance",
        }
    }
}

/// A mention of an entity in the text.
#[derive(Debug, Clone, Serialize)]
pub struct EntityMention {
    pub span: Span,
    pub etype: EntityType,
    /// Canonical name when a gazetteer or an acronym declaration gives one, else the
    /// surface form tidied (`"donald trump"` stays as written; resolve decides).
    pub canonical: String,
    /// Stable key from the gazetteer (ISO code for countries), when known.
    pub key: Option<String>,
    /// How the mention was found (a rule name, kept in provenance).
    pub rule: &'static str,
    pub confidence: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum StatementKind {
    /// Inside quotation marks (partial quotes included).
    Direct,
    /// Reported speech or belief.
    Indirect,
    /// A proposition named as someone's claim ("Trump's claim that ...").
    Claim,
}

impl StatementKind {
    pub fn name(self) -> &'static str {
        match self {
            StatementKind::Direct => "direct",
            StatementKind::Indirect => "indirect",
            StatementKind::Claim => "claim",
        }
    }
}

/// Who said what: one attribution relation (speaker mention, cue, content).
#[derive(Debug, Clone, Serialize)]
pub struct Attribution {
    /// The speaker mention as written ("he", "Wei", "the official"); None when unknown.
    pub speaker: Option<Span>,
    /// Index into `Document::mentions` of the entity the speaker resolves to.
    pub speaker_entity: Option<usize>,
    pub cue: Span,
    /// The content, without quotation marks.
    pub content: Span,
    pub kind: StatementKind,
    /// Edge type the cue means ("says", "denies", "disputes", ...).
    pub edge: String,
    /// The sentence (or sentences) the attribution was read from.
    pub evidence: Span,
    pub rule: &'static str,
    pub confidence: f32,
    /// Follow-on quotes that continue this attribution with no cue of their own
    /// ("“X,” she said. “Y.”"), in order. Each becomes a statement of the same speaker;
    /// PolNeAR annotates the run as one discontinuous content (see [`Attribution::whole`]).
    pub continuations: Vec<Span>,
    /// Someone who disputes, denies or rejects this statement in the same sentence
    /// ("Wei disputed Trump's claim that ...").
    pub response: Option<Response>,
}

impl Attribution {
    /// The content with its continuations: one span from the first piece to the last.
    pub fn whole(&self) -> Span {
        self.continuations
            .iter()
            .fold(self.content, |whole, c| whole.cover(*c))
    }
}

/// A reaction to a statement: the responder's mention, the cue and its edge type.
#[derive(Debug, Clone, Serialize)]
pub struct Response {
    pub speaker: Span,
    pub speaker_entity: Option<usize>,
    pub cue: Span,
    pub edge: String,
}

/// What a relation points at: an entity mention or an attribution's statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Target {
    Entity(usize),
    Statement(usize),
}

/// A typed relation read from the text ("the DEA indicted X", "X of the Ministry").
#[derive(Debug, Clone, Serialize)]
pub struct Relation {
    pub subject: usize,
    pub object: Target,
    pub edge: String,
    /// Role title for affiliations ("deputy secretary-general").
    pub title: Option<String>,
    pub evidence: Span,
    /// The words that state the relation (verb, title, preposition).
    pub trigger: Span,
    pub rule: &'static str,
    pub confidence: f32,
}

/// One article and everything the pipeline found in it.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    /// The article's id: its file name, or the "id" of a JSONL record.
    pub id: String,
    pub text: String,
    /// ASCII-lowercased copy of `text`: same byte offsets, for case-insensitive matching.
    #[serde(skip)]
    pub lower: String,
    pub meta: Metadata,
    /// Spans excluded from extraction (byline, dateline header, signatures, comment
    /// policy lines, author bios); offsets still refer to the original text.
    pub boilerplate: Vec<Span>,
    /// The text is lowercased and tokenized ("china s", "( reuters )").
    pub lowercased: bool,
    pub paragraphs: Vec<Span>,
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    pub mentions: Vec<EntityMention>,
    pub attributions: Vec<Attribution>,
    pub relations: Vec<Relation>,
}

impl Document {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        let text = text.into();
        Document {
            id: id.into(),
            lower: text.to_ascii_lowercase(),
            text,
            meta: Metadata::default(),
            boilerplate: Vec::new(),
            lowercased: false,
            paragraphs: Vec::new(),
            tokens: Vec::new(),
            sentences: Vec::new(),
            mentions: Vec::new(),
            attributions: Vec::new(),
            relations: Vec::new(),
        }
    }

    pub fn slice(&self, span: Span) -> &str {
        span.slice(&self.text)
    }

    /// Lowercased text of a span (ASCII folding only, offsets unchanged).
    pub fn lower(&self, span: Span) -> &str {
        span.slice(&self.lower)
    }

    pub fn token_text(&self, i: usize) -> &str {
        self.slice(self.tokens[i].span)
    }

    pub fn token_lower(&self, i: usize) -> &str {
        self.lower(self.tokens[i].span)
    }

    /// [`Document::token_text`] as bytes: comparing with a word or a mark needs none of
    /// the char-boundary checks of `&str` slicing (a token's span lies on boundaries).
    /// The extractors ask this of most tokens.
    pub fn token_bytes(&self, i: usize) -> &[u8] {
        let span = self.tokens[i].span;
        &self.text.as_bytes()[span.start..span.end]
    }

    /// [`Document::token_lower`] as bytes (see [`Document::token_bytes`]).
    pub fn token_lower_bytes(&self, i: usize) -> &[u8] {
        let span = self.tokens[i].span;
        &self.lower.as_bytes()[span.start..span.end]
    }

    /// Index of the sentence holding byte offset `at`.
    pub fn sentence_at(&self, at: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.span.end <= at);
        (i < self.sentences.len() && self.sentences[i].span.start <= at).then_some(i)
    }

    /// Index of the first token starting at or after byte offset `at`.
    pub fn token_at_or_after(&self, at: usize) -> usize {
        self.tokens.partition_point(|t| t.span.start < at)
    }
}

/// A human-readable listing of what the pipeline found (for `claimgraph inspect`).
pub fn describe(doc: &Document, sentences: bool) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let q = |s: Span| {
        doc.slice(s)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = writeln!(
        o,
        "# {} (lowercased: {}, title: {:?}, date: {:?})",
        doc.id, doc.lowercased, doc.meta.title, doc.meta.date
    );
    for b in &doc.boilerplate {
        let _ = writeln!(o, "boilerplate {}..{}: {:?}", b.start, b.end, q(*b));
    }
    if sentences {
        for (i, s) in doc.sentences.iter().enumerate() {
            let _ = writeln!(o, "sentence {i} (paragraph {}): {}", s.paragraph, q(s.span));
        }
    }
    for m in &doc.mentions {
        let _ = writeln!(
            o,
            "mention {:?} {:?} -> {:?} [{}]",
            m.etype,
            q(m.span),
            m.canonical,
            m.rule
        );
    }
    for a in &doc.attributions {
        let who = a
            .speaker_entity
            .map(|m| doc.mentions[m].canonical.as_str())
            .unwrap_or("?");
        let _ = writeln!(
            o,
            "attribution [{}] {} speaker={:?} ({who}) cue={:?} {}={:?}",
            a.rule,
            a.edge,
            a.speaker.map(q),
            q(a.cue),
            a.kind.name(),
            q(a.content)
        );
        if let Some(r) = &a.response {
            let who = r
                .speaker_entity
                .map(|m| doc.mentions[m].canonical.as_str())
                .unwrap_or("?");
            let _ = writeln!(
                o,
                "  {} by {:?} ({who}) cue={:?}",
                r.edge,
                q(r.speaker),
                q(r.cue)
            );
        }
        for c in &a.continuations {
            let _ = writeln!(o, "  continued by quote {:?}", q(*c));
        }
    }
    for r in &doc.relations {
        let obj = match r.object {
            Target::Entity(m) => doc.mentions[m].canonical.clone(),
            Target::Statement(s) => format!("statement {s}"),
        };
        let _ = writeln!(
            o,
            "relation [{}] {} {} {} title={:?}",
            r.rule, doc.mentions[r.subject].canonical, r.edge, obj, r.title
        );
    }
    o
}
