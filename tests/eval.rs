//! Scoring arithmetic of the evaluators, on tiny hand-written gold (no shared data).

use claimgraph::eval::gold::{self, GoldFile, Prf};
use claimgraph::eval::polnear::{self, GoldAttr, PredAttr};
use claimgraph::graph::{CharSpan, Graph, MentionRef, Node, NodeType, Provenance};
use claimgraph::{Lexicon, Pipeline};

const GOLD_JSON: &str = r#"{
  "entities": [
    {"name": "Wei Xiaojun", "type": "Person", "aliases": ["Wei Xiaojun", "Wei"], "required": true, "articles": ["a.txt"]},
    {"name": "China", "type": "Country", "aliases": ["China"], "required": true, "articles": ["a.txt"]},
    {"name": "Lance Ho", "type": "Person", "aliases": ["Lance Ho"], "required": true, "articles": ["a.txt"]},
    {"name": "Paul Gaita", "type": "Person", "aliases": ["Paul Gaita"], "required": false, "articles": ["a.txt"]}
  ],
  "statements": [
    {"id": "S1", "article": "a.txt", "speaker": "Wei Xiaojun", "kind": "direct", "text": "s1", "start": 10, "end": 30, "byte_start": 10, "byte_end": 30, "cluster": null},
    {"id": "S2", "article": "a.txt", "speaker": "Wei Xiaojun", "kind": "indirect", "text": "s2", "start": 50, "end": 60, "byte_start": 50, "byte_end": 60, "cluster": "C1"},
    {"id": "S3", "article": "b.txt", "speaker": "Wei Xiaojun", "kind": "indirect", "text": "s3", "start": 0, "end": 20, "byte_start": 0, "byte_end": 20, "cluster": "C1"},
    {"id": "S4", "article": "a.txt", "speaker": "Wei Xiaojun", "kind": "direct", "text": "s4", "start": 400, "end": 500, "byte_start": 400, "byte_end": 500, "cluster": null}
  ],
  "edges": [
    {"subject": "Wei Xiaojun", "predicate": "affiliated_with", "object": "China", "articles": ["a.txt"], "required": true},
    {"subject": "Wei Xiaojun", "predicate": "disputes", "object": "claim:C1", "articles": ["a.txt"], "required": true},
    {"subject": "China", "predicate": "regulates", "object": "Fentanyl", "articles": ["a.txt"], "required": false}
  ]
}"#;

fn entity(g: &mut Graph, id: &str, t: NodeType, label: &str) -> petgraph::stable_graph::NodeIndex {
    g.upsert(id, || Node::new(id.to_string(), t, label.to_string()))
}

fn statement(
    g: &mut Graph,
    id: &str,
    speaker: Option<&str>,
    mentions: &[(&str, usize, usize)],
) -> petgraph::stable_graph::NodeIndex {
    let n = g.upsert(id, || {
        let mut n = Node::new(id.to_string(), NodeType::Statement, id.to_string());
        n.speaker = speaker.map(str::to_string);
        n.kind = Some("indirect");
        n
    });
    for &(a, s, e) in mentions {
        g.g[n].add_mention(MentionRef {
            article: a.into(),
            start: s,
            end: e,
        });
    }
    n
}

fn prov(article: &str, content: Option<(usize, usize)>) -> Option<Provenance> {
    Some(Provenance {
        article: article.into(),
        start: 0,
        end: 1,
        evidence: "".into(),
        rule: "test".into(),
        confidence: 1.0,
        content: content.map(|(start, end)| CharSpan { start, end }),
        cue: None,
        speaker: None,
        title: None,
    })
}

fn seed_graph() -> Graph {
    let mut g = Graph::default();
    // Case and whitespace are folded: "WEI   xiaojun" matches the alias "Wei Xiaojun".
    let wei = entity(&mut g, "person-wei", NodeType::Person, "WEI   xiaojun");
    // A second node for the same gold entity: an unmerged duplicate, a false positive.
    let wei2 = entity(&mut g, "person-wei-2", NodeType::Person, "Wei");
    let china = entity(&mut g, "country-china", NodeType::Country, "China");
    // A non-required gold entity: a bonus, never a false positive, even twice.
    entity(&mut g, "person-paul", NodeType::Person, "Paul Gaita");
    entity(&mut g, "person-paul-2", NodeType::Person, "paul gaita");
    // Matches nothing: a false positive of a covered type.
    let nobody = entity(&mut g, "person-nobody", NodeType::Person, "Nobody");
    // Uncovered type: not judged.
    entity(&mut g, "place-beijing", NodeType::Place, "Beijing");
    // Right name, wrong type: not a match (and Organization is not covered).
    entity(&mut g, "org-china", NodeType::Organization, "China");

    // st1: S1 (overlap 15 of shorter 20), a spurious mention, and a near miss of S4
    // (overlap 40 < half of 100).
    let st1 = statement(
        &mut g,
        "st1",
        Some("person-wei"),
        &[("a.txt", 15, 40), ("a.txt", 100, 300), ("a.txt", 460, 700)],
    );
    // st2: S2 and S3 (same cluster), no speaker.
    let st2 = statement(&mut g, "st2", None, &[("a.txt", 50, 80), ("b.txt", 2, 18)]);

    g.add_edge(wei, st1, "says", prov("a.txt", Some((15, 40))));
    g.add_edge(wei, china, "affiliated_with", prov("a.txt", None));
    g.add_edge(wei2, china, "affiliated_with", prov("a.txt", None)); // same triple: counted once
    g.add_edge(wei, st2, "disputes", prov("a.txt", None)); // claim:C1
    g.add_edge(nobody, china, "affiliated_with", prov("a.txt", None)); // not judged
    g.add_edge(china, wei, "praises", prov("a.txt", None)); // judged, false positive
    g
}

#[test]
fn gold_entities_duplicates_bonus_and_folding() {
    let gold: GoldFile = serde_json::from_str(GOLD_JSON).unwrap();
    let s = gold::score(&gold, &seed_graph());
    // Required: Wei, China, Lance Ho (missed). Predicted: wei, china, paul (bonus) correct;
    // wei-2 (duplicate) and nobody wrong; paul-2 ignored.
    assert_eq!(
        s.entities,
        Prf {
            tp_pred: 3,
            pred: 5,
            tp_gold: 2,
            gold: 3
        }
    );
    assert_eq!(s.entity_bonus, 1);
    assert_eq!(s.missed_entities, vec!["Lance Ho".to_string()]);
    let dups: Vec<&str> = s
        .spurious_entities
        .iter()
        .filter(|e| e.3 == "duplicate")
        .map(|e| e.0.as_str())
        .collect();
    assert_eq!(dups, vec!["person-wei-2"]);
}

#[test]
fn gold_statements_overlap_rule_and_speaker() {
    let gold: GoldFile = serde_json::from_str(GOLD_JSON).unwrap();
    let s = gold::score(&gold, &seed_graph());
    assert_eq!(
        s.statements,
        Prf {
            tp_pred: 3,
            pred: 5,
            tp_gold: 3,
            gold: 4
        }
    );
    // Only S1 has the right speaker; st2 has none.
    assert_eq!(
        s.attributions,
        Prf {
            tp_pred: 1,
            pred: 5,
            tp_gold: 1,
            gold: 4
        }
    );
    assert_eq!(s.missed_statements, vec![3]);
    assert_eq!(s.wrong_speaker.len(), 2);
    // S2/S3: same cluster and same node.
    assert_eq!(
        s.clusters,
        Prf {
            tp_pred: 1,
            pred: 1,
            tp_gold: 1,
            gold: 1
        }
    );
    assert!((s.statements.f1() - 2.0 * 0.6 * 0.75 / 1.35).abs() < 1e-9);
}

#[test]
fn gold_edges_claims_and_judged_set() {
    let gold: GoldFile = serde_json::from_str(GOLD_JSON).unwrap();
    let s = gold::score(&gold, &seed_graph());
    // Judged: Wei affiliated_with China (x2, one triple), Wei disputes claim:C1, China praises Wei.
    assert_eq!(
        s.edges,
        Prf {
            tp_pred: 2,
            pred: 3,
            tp_gold: 2,
            gold: 2
        }
    );
    assert_eq!(
        s.spurious_edges,
        vec![("China".into(), "praises".into(), "Wei Xiaojun".into())]
    );
    let r = gold::report(&gold, &s, true);
    assert!(r.contains("Lance Ho"), "{r}");
}

#[test]
fn gold_overlap_rule_boundaries() {
    assert!(gold::spans_match((0, 10), (5, 100))); // 5 of shorter 10
    assert!(!gold::spans_match((0, 10), (6, 100))); // 4 of 10
    assert!(!gold::spans_match((0, 10), (10, 20))); // touching
    assert!(!gold::spans_match((0, 0), (0, 10))); // empty
}

#[test]
fn polnear_parses_multiline_discontinuous_and_ignores_flags() {
    let ann = "T1\tSource 0 5\tSmith\nT2\tCue 6 10\tsaid\nT3\tContent 11 20;25 30\tfirst\n\nline\nT4\tAttribution 6 10\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\nT5\tDiscuss 40 45\tflag\nT6\tCue 50 55\tnoted\nT7\tContent 56 70\tx\nT8\tAttribution-no-source 50 55\tnoted\nE2\tAttribution-no-source:T8 Content:T7 Cue:T6\nE3\tAttribution:T9\n#1\tAnnotatorNotes T3\tnote\n";
    let g = polnear::parse_ann(ann);
    assert_eq!(g.len(), 2);
    assert_eq!(g[0].source, Some(vec![(0, 5)]));
    assert_eq!(g[0].cue, Some(vec![(6, 10)]));
    assert_eq!(g[0].content, vec![(11, 20), (25, 30)]);
    assert_eq!(g[1].source, None);
    assert_eq!(g[1].content, vec![(56, 70)]);
}

#[test]
fn polnear_scoring_discontinuous_speaker_and_one_to_one() {
    // Quotation marks make A1 a direct quote; code points, not bytes.
    let mut text: String = "x".repeat(200);
    text.replace_range(11..12, "\u{201c}");
    let gold = vec![
        GoldAttr {
            id: "E1".into(),
            source: Some(vec![(0, 5)]),
            cue: Some(vec![(6, 10)]),
            content: vec![(11, 40)],
        },
        GoldAttr {
            id: "E2".into(),
            source: None,
            cue: Some(vec![(45, 48)]),
            content: vec![(50, 60), (70, 80)],
        },
        GoldAttr {
            id: "E3".into(),
            source: Some(vec![(100, 105)]),
            cue: Some(vec![(106, 110)]),
            content: vec![(111, 140)],
        },
    ];
    let p = |speaker: Option<(usize, usize)>, cue, content| PredAttr {
        speaker,
        cue,
        content,
        rule: "t".into(),
    };
    let pred = vec![
        // E1: 19 of shorter 19, speaker overlaps.
        p(Some((2, 4)), (6, 9), (11, 30)),
        // A second prediction of E1's content: one-to-one, so spurious.
        p(Some((0, 5)), (30, 31), (12, 29)),
        // E2: inside the hull [50, 80) but overlaps the fragments by 2 + 2 of shorter 14.
        p(None, (45, 46), (58, 72)),
        // E3: content matches (20 of 20), speaker does not overlap the source.
        p(Some((141, 150)), (106, 110), (115, 135)),
    ];
    let (c, errors) = polnear::score_article(&text, &gold, &pred);
    assert_eq!(
        c.content,
        Prf {
            tp_pred: 2,
            pred: 4,
            tp_gold: 2,
            gold: 3
        }
    );
    assert_eq!(
        c.attribution,
        Prf {
            tp_pred: 1,
            pred: 4,
            tp_gold: 1,
            gold: 3
        }
    );
    assert_eq!(
        c.cue,
        Prf {
            tp_pred: 3,
            pred: 4,
            tp_gold: 3,
            gold: 3
        }
    );
    assert_eq!(c.direct, (1, 1, 1));
    assert_eq!(c.indirect, (2, 1, 0));
    assert_eq!(
        c.errors.get("content missed (partial overlap < half)"),
        Some(&1)
    );
    assert_eq!(c.errors.get("content found, speaker wrong"), Some(&1));
    assert_eq!(c.errors.get("spurious (overlaps a gold content)"), Some(&2));
    assert_eq!(errors.len(), 4);

    // The same prediction as E2's fragments' union counts: 10 + 5 of shorter 20.
    assert!(polnear::content_matches(&[(50, 60), (70, 80)], (50, 75)));
    assert!(!polnear::content_matches(&[(50, 60), (70, 80)], (58, 72)));
}

/// Nested gold ("X said Y believes Z"): the prediction of the inner layer overlaps the
/// outer content more, so the content matching pairs it with the outer gold; the
/// attribution matching, among speaker-correct pairs, still credits the inner one.
#[test]
fn polnear_attribution_matches_the_nested_layer_whose_speaker_overlaps() {
    let text = "x".repeat(120);
    let gold = vec![
        GoldAttr {
            id: "outer".into(),
            source: Some(vec![(0, 5)]),
            cue: Some(vec![(6, 10)]),
            content: vec![(11, 100)],
        },
        GoldAttr {
            id: "inner".into(),
            source: Some(vec![(20, 25)]),
            cue: Some(vec![(26, 29)]),
            content: vec![(30, 100)],
        },
    ];
    let pred = vec![PredAttr {
        speaker: Some((20, 25)),
        cue: (26, 29),
        content: (28, 100),
        rule: "t".into(),
    }];
    let (c, errors) = polnear::score_article(&text, &gold, &pred);
    assert_eq!((c.content.tp_gold, c.content.gold), (1, 2));
    assert_eq!((c.attribution.tp_gold, c.attribution.pred), (1, 1));
    // The outer layer is the one left missing, and no error is listed for the inner.
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].1, Some(0));
}

#[test]
fn polnear_run_reads_first_annotator_and_code_points() {
    let dir = std::env::temp_dir().join(format!("claimgraph-eval-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("text")).unwrap();
    std::fs::create_dir_all(dir.join("attributions")).unwrap();
    let text =
        "Budget talks\n\n\u{201c}We will not raise taxes,\u{201d} Senator Smith said on Tuesday.\n";
    std::fs::write(dir.join("text/art_one.txt"), text).unwrap();
    // Code point offsets: the content is inside the curly quotes.
    let cp = |s: &str| text.find(s).map(|b| text[..b].chars().count()).unwrap();
    let (c0, c1) = (cp("We will"), cp("taxes,") + 6);
    let (s0, s1) = (cp("Senator"), cp(" said"));
    let (q0, q1) = (cp("said"), cp("said") + 4);
    let ann_a = format!(
        "T1\tSource {s0} {s1}\tSenator Smith\nT2\tCue {q0} {q1}\tsaid\nT3\tContent {c0} {c1}\tWe will not\nraise taxes,\nT4\tAttribution {q0} {q1}\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\nT5\tContent 0 6\tBudget\nT6\tCue 7 12\ttalks\nT7\tAttribution-no-source 7 12\ttalks\nE2\tAttribution-no-source:T7 Content:T5 Cue:T6\n"
    );
    std::fs::write(dir.join("attributions/art_one_aaaa.ann"), ann_a).unwrap();
    std::fs::write(dir.join("attributions/art_one_bbbb.ann"), "").unwrap();
    let pipeline = Pipeline::new(Lexicon::builtin());
    let r = polnear::run(&dir, &pipeline, true).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(r.contains("1 articles"), "{r}");
    assert!(r.contains("2 gold attributions (1 without source)"), "{r}");
    // E2 can never be an attribution match, so recall is at most 1/2.
    assert!(r.contains("/2)"), "{r}");
}
