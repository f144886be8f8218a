//! DOT and CSV exports of a small hand-written article: labels, escaping, Graphviz
//! rendering (when `dot` is installed) and an RFC 4180 round trip of the CSV tables.

use claimgraph::export::{self, dot, Format};
use claimgraph::graph::{MentionRef, Node, NodeType, Provenance};
use claimgraph::{Graph, Lexicon};
use std::path::{Path, PathBuf};
use std::process::Command;

const TEXT: &str = "Lance Ho, who heads the Drug Enforcement Administration's office in Beijing, said the cooperation had generated good momentum.\n\n“Once China controls a substance, it has a dramatic effect,” Ho said.";

/// Text that needs escaping everywhere: quotes, backslashes, a line break, DOT record
/// and HTML characters, commas.
const NASTY: &str = "He said \"no\" \\ then \\\"yes\\\",\nand <b>{x}|y</b>, twice, ok";

fn sample() -> Graph {
    claimgraph::build_graph(&[("a.txt", TEXT)], &Lexicon::builtin())
}

/// A fresh, empty folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("claimgraph-dot-csv-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn has_dot() -> bool {
    Command::new("dot").arg("-V").output().is_ok()
}

/// Renders a DOT file with Graphviz and asserts it is accepted (notes a skip without it).
fn assert_renders(dot_file: &Path) {
    if !has_dot() {
        println!("note: Graphviz `dot` is not installed; skipping the rendering check");
        return;
    }
    let out = Command::new("dot")
        .arg("-Tsvg")
        .arg(dot_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dot -Tsvg failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "dot warned: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
}

/// A small RFC 4180 reader: records of fields; quoted fields may hold commas, doubled
/// quotes and line breaks; records end with LF or CRLF.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = s.chars().peekable();
    let mut quoted = false; // inside a quoted field
    let mut was_quoted = false; // the current field was quoted (nothing may follow the quote)
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(field.is_empty() && !was_quoted, "stray quote in {s:?}");
                quoted = true;
                was_quoted = true;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                was_quoted = false;
            }
            c => {
                assert!(!was_quoted, "text after a closing quote in {s:?}");
                field.push(c);
            }
        }
    }
    assert!(!quoted, "unterminated quoted field");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let rows = parse_csv(&std::fs::read_to_string(path).unwrap());
    let width = rows[0].len();
    for r in &rows {
        assert_eq!(r.len(), width, "row {r:?} of {}", path.display());
    }
    rows
}

/// The row whose first column is `id`.
fn row<'a>(rows: &'a [Vec<String>], id: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("no row {id} in {rows:?}"))
}

/// The DOT text with wrapped labels joined again.
fn unwrapped(dot: &str) -> String {
    dot.replace("\\n", " ")
}

#[test]
fn sample_article_exports_dot() {
    let g = sample();
    println!("{:#}", export::json::to_value(&g));
    let dir = temp_dir("dot");
    let files = export::write(&g, Format::Dot, &dir, &Default::default()).unwrap();
    assert_eq!(files[0], dir.join("graph.dot"));
    let text = std::fs::read_to_string(dir.join("graph.dot")).unwrap();
    let flat = unwrapped(&text);
    assert!(text.starts_with("digraph"), "{text}");
    assert!(text.contains("rankdir=LR"));
    assert!(text.contains("cluster_legend"));
    for label in ["Lance Ho", "Drug Enforcement Administration"] {
        assert!(
            flat.contains(&format!("label=\"{label}\"")),
            "no node {label} in {text}"
        );
    }
    assert!(
        flat.contains("“the cooperation had generated good momentum”"),
        "{text}"
    );
    assert!(text.contains("label=\"says\""), "no says edge in {text}");
    assert!(text.contains("id=\"person-lance-ho\""));
    // Articles and mentions are left out by default.
    assert!(!text.contains("article-a-txt"));
    assert!(!text.contains("label=\"mentions\""));
    assert_renders(&dir.join("graph.dot"));
    if has_dot() {
        assert_eq!(files, vec![dir.join("graph.dot"), dir.join("graph.svg")]);
        let svg = std::fs::read_to_string(dir.join("graph.svg")).unwrap();
        assert!(svg.contains("Lance Ho") && svg.contains("says"));
    } else {
        assert_eq!(files.len(), 1);
    }
    // No temporary files are left behind.
    for f in std::fs::read_dir(&dir).unwrap() {
        let name = f.unwrap().file_name().into_string().unwrap();
        assert!(!name.starts_with('.'), "left over: {name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn dot_options_mentions_and_focus() {
    let g = sample();
    let all = dot::to_dot_string(
        &g,
        &dot::DotOptions {
            include_mentions: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(all.contains("id=\"article-a-txt\"") && all.contains("label=\"mentions\""));

    let near = dot::focus(&g, "LANCE HO", 1).unwrap();
    let ids: Vec<&str> = near.g.node_weights().map(|n| n.id.as_str()).collect();
    assert!(ids.contains(&"person-lance-ho"));
    assert!(ids.contains(&"agency-drug-enforcement-administration"));
    assert!(ids.iter().any(|i| i.starts_with("statement-")));
    assert!(!ids.contains(&"place-beijing"), "{ids:?}"); // only mentioned together
    assert!(!ids.contains(&"article-a-txt"));
    assert!(near.g.edge_count() >= 2);
    let alone = dot::focus(&g, "Ho", 0).unwrap(); // an alias
    assert_eq!(alone.g.node_count(), 1);

    let err = dot::focus(&g, "Nobody Atall", 2).unwrap_err().to_string();
    assert!(err.contains("Nobody Atall"), "{err}");
    let err = dot::focus(&g, "Lance", 2).unwrap_err().to_string();
    assert!(err.contains("did you mean Lance Ho"), "{err}");

    let focused = dot::to_dot_string(
        &g,
        &dot::DotOptions {
            focus: Some("lance ho".into()),
            depth: 1,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(focused.contains("label=\"Lance Ho\"") && !focused.contains("label=\"Beijing\""));
}

#[test]
fn sample_article_exports_csv() {
    let g = sample();
    let dir = temp_dir("csv");
    let files = export::write(&g, Format::Csv, &dir, &Default::default()).unwrap();
    assert_eq!(files, vec![dir.join("nodes.csv"), dir.join("edges.csv")]);

    let nodes = read_csv(&dir.join("nodes.csv"));
    assert_eq!(
        nodes[0],
        [
            "id:ID",
            ":LABEL",
            "label",
            "aliases:string[]",
            "kind",
            "text",
            "mentions:int"
        ]
    );
    let ho = row(&nodes, "person-lance-ho");
    assert_eq!(ho[1], "Person");
    assert_eq!(ho[2], "Lance Ho");
    assert!(ho[3].split(';').any(|a| a == "Ho"), "{ho:?}");
    assert!(ho[6].parse::<usize>().unwrap() >= 1);
    let statement = nodes
        .iter()
        .find(|r| r[1] == "Statement")
        .expect("a statement row");
    assert!(["direct", "indirect", "claim"].contains(&statement[4].as_str()));
    assert!(!statement[5].is_empty());
    assert_eq!(nodes.len(), g.g.node_count() + 1);

    let edges = read_csv(&dir.join("edges.csv"));
    assert_eq!(
        edges[0],
        [
            ":START_ID",
            ":END_ID",
            ":TYPE",
            "occurrences:int",
            "articles:string[]",
            "evidence",
            "rule",
            "confidence:float"
        ]
    );
    assert_eq!(edges.len(), g.g.edge_count() + 1);
    let ho_says: Vec<&Vec<String>> = edges
        .iter()
        .filter(|r| r[0] == "person-lance-ho" && r[2] == "says")
        .collect();
    // The reported speech and the direct quote ("..., Ho said") are both his.
    assert_eq!(ho_says.len(), 2, "{ho_says:?}");
    let says = ho_says
        .iter()
        .find(|r| r[5].contains("Lance Ho, who heads"))
        .expect("Lance Ho's reported speech");
    assert!(says[1].starts_with("statement-"));
    assert_eq!(says[3], "1");
    assert_eq!(says[4], "a.txt");
    assert!(says[5].contains("Lance Ho, who heads")); // evidence with commas survives
    assert!(!says[6].is_empty());
    let c: f32 = says[7].parse().unwrap();
    assert!(c > 0.0 && c <= 1.0);
    // Every id in edges.csv is a node.
    for r in &edges[1..] {
        row(&nodes, &r[0]);
        row(&nodes, &r[1]);
    }
    // Deterministic: the same graph writes the same bytes.
    let again = temp_dir("csv-again");
    export::write(&g, Format::Csv, &again, &Default::default()).unwrap();
    for f in ["nodes.csv", "edges.csv"] {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&again).unwrap();
}

/// The sample graph plus a statement, an organization and an edge whose texts need
/// escaping in both formats.
fn nasty_graph() -> Graph {
    let mut g = sample();
    let ho = g.node_index("person-lance-ho").expect("Lance Ho");
    let s = g.upsert("statement-nasty", || {
        let mut n = Node::new("statement-nasty".into(), NodeType::Statement, NASTY.into());
        n.kind = Some("direct");
        n.text = Some(NASTY.into());
        n.speaker = Some("person-lance-ho".into());
        n.add_mention(MentionRef {
            article: "a.txt".into(),
            start: 0,
            end: 10,
        });
        n
    });
    let o = g.upsert("organization-nasty", || {
        let mut n = Node::new(
            "organization-nasty".into(),
            NodeType::Organization,
            "The \"Quoted\" \\ Org,\nLtd <x>".into(),
        );
        n.aliases.insert("Q; \"Org\"".into());
        n
    });
    let prov = |start| Provenance {
        article: "a.txt".into(),
        start,
        end: start + 5,
        evidence: NASTY.into(),
        rule: "test_rule".into(),
        confidence: 0.5,
        content: None,
        cue: None,
        speaker: None,
        title: None,
    };
    g.add_edge(ho, s, "says", Some(prov(0)));
    g.add_edge(ho, o, "affiliated_with", Some(prov(0)));
    g.add_edge(ho, o, "affiliated_with", Some(prov(10)));
    g
}

#[test]
fn awkward_text_is_escaped_in_dot() {
    let g = nasty_graph();
    let dir = temp_dir("nasty-dot");
    export::write(&g, Format::Dot, &dir, &Default::default()).unwrap();
    let text = std::fs::read_to_string(dir.join("graph.dot")).unwrap();
    // The statement label: squashed to one line, quoted, cut to ~50 characters.
    assert!(
        unwrapped(&text).contains(r#"label="“He said \"no\" \\ then \\\"yes\\\", and"#),
        "{text}"
    );
    // The full text is in the tooltip, the organization keeps its line break.
    assert!(text.contains(r#"twice, ok""#), "{text}");
    assert!(
        text.contains(r#"label="The \"Quoted\" \\ Org,\nLtd <x>""#),
        "{text}"
    );
    assert!(text.contains("label=\"affiliated_with ×2\""), "{text}");
    // No raw line break inside any attribute list.
    for line in text.lines() {
        assert_eq!(
            line.matches('[').count(),
            line.matches(']').count(),
            "split line {line:?}"
        );
    }
    assert_renders(&dir.join("graph.dot"));
    if has_dot() {
        let svg = std::fs::read_to_string(dir.join("graph.svg")).unwrap();
        assert!(
            svg.contains("&quot;Quoted&quot;") || svg.contains("\"Quoted\""),
            "{svg}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn awkward_text_round_trips_through_csv() {
    let g = nasty_graph();
    let dir = temp_dir("nasty-csv");
    export::write(&g, Format::Csv, &dir, &Default::default()).unwrap();
    let nodes = read_csv(&dir.join("nodes.csv"));
    let s = row(&nodes, "statement-nasty");
    assert_eq!(s[1], "Statement");
    assert_eq!(s[2], NASTY);
    assert_eq!(s[4], "direct");
    assert_eq!(s[5], NASTY);
    assert_eq!(s[6], "1");
    let o = row(&nodes, "organization-nasty");
    assert_eq!(o[2], "The \"Quoted\" \\ Org,\nLtd <x>");
    assert_eq!(o[3], "Q, \"Org\""); // ';' would split the neo4j array
    assert_eq!(o[4], "");
    assert_eq!(o[5], "");

    let edges = read_csv(&dir.join("edges.csv"));
    let aff = edges
        .iter()
        .find(|r| r[0] == "person-lance-ho" && r[1] == "organization-nasty")
        .unwrap();
    assert_eq!(aff[2], "affiliated_with");
    assert_eq!(aff[3], "2");
    assert_eq!(aff[4], "a.txt");
    assert_eq!(aff[5], NASTY);
    assert_eq!(aff[6], "test_rule");
    assert_eq!(aff[7], "0.5");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn csv_reader_agrees_with_rfc_4180() {
    let rows = parse_csv("a,\"b,c\",\"d\"\"e\"\r\n\"x\ny\",,z\n");
    assert_eq!(rows, vec![vec!["a", "b,c", "d\"e"], vec!["x\ny", "", "z"]]);
}
