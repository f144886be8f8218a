//! Never crash, never lose data (issue 10): pathological inputs through the library and the
//! CLI, linear time on unbalanced quotes and long lines, escaping through every export,
//! deterministic and atomic output, and a small seeded mutation fuzzer that runs in `cargo
//! test` (the libFuzzer targets live in fuzz/).

use claimgraph::export::{self, Format};
use claimgraph::graph::{MentionRef, Node, NodeType, Provenance};
use claimgraph::ingest::{self, Input, InputError};
use claimgraph::{Document, Graph, Lexicon};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Quad, Term};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const GOOD: &str = "Lance Ho, who heads the Drug Enforcement Administration's office in Beijing, said the cooperation had generated good momentum.\n\n“Once China controls a substance, it has a dramatic effect,” Ho said.\n";

/// A fresh, empty folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "claimgraph-robustness-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn lex() -> Lexicon {
    Lexicon::builtin()
}

/// Every export of `g`, in memory, through the same writers `build` uses.
fn export_all_in_memory(g: &Graph) -> Vec<(Format, Vec<u8>)> {
    let opts = export::Options::default();
    let mut out = Vec::new();
    for f in Format::ALL {
        let mut buf = Vec::new();
        match f {
            Format::Json => export::json::write(g, &mut buf).unwrap(),
            Format::Dot => {
                buf = export::dot::to_dot_string(g, &Default::default())
                    .unwrap()
                    .into_bytes()
            }
            Format::Csv => {
                export::csv::write_nodes(g, &mut buf).unwrap();
                export::csv::write_edges(g, &mut buf).unwrap();
            }
            _ if export::rdf::rdf_format(f).is_some() => {
                export::rdf::write(g, f, &mut buf, &opts).unwrap()
            }
            // Formats added later (GraphML, ...): through the files `build` writes.
            _ => {
                let dir = temp_dir(&format!(
                    "mem-{}-{:?}",
                    f.name(),
                    std::thread::current().id()
                ));
                for file in export::write(g, f, &dir, &opts).unwrap() {
                    buf.extend(std::fs::read(file).unwrap());
                }
                std::fs::remove_dir_all(&dir).unwrap();
            }
        }
        out.push((f, buf));
    }
    out
}

fn parse_rdf(bytes: &[u8], f: Format) -> Vec<Quad> {
    let fmt: RdfFormat = export::rdf::rdf_format(f).unwrap();
    RdfParser::from_format(fmt)
        .for_reader(bytes)
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| {
            panic!(
                "{} does not parse back: {e}\n{}",
                f.name(),
                String::from_utf8_lossy(bytes)
            )
        })
}

/// Runs the whole pipeline on `text` and every export; returns the graph.
fn full_run(id: &str, text: &str) -> Graph {
    let g = claimgraph::build_graph(&[(id, text)], &lex());
    for (f, bytes) in export_all_in_memory(&g) {
        if export::rdf::rdf_format(f).is_some() {
            parse_rdf(&bytes, f);
        } else if f == Format::Json {
            serde_json::from_slice::<serde_json::Value>(&bytes).unwrap();
        }
    }
    g
}

// ---------------------------------------------------------------------------------------
// The library on pathological texts
// ---------------------------------------------------------------------------------------

fn pathological_texts() -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = vec![
        ("empty", String::new()),
        ("spaces", " \n\n\t\r\n ".into()),
        (
            "bom-crlf-nbsp",
            format!(
                "\u{feff}date 2017-11-03\r\nTitle\r\n\r\n{}",
                GOOD.replace('\n', "\r\n").replace(' ', "\u{a0}")
            ),
        ),
        (
            "control",
            (0u8..32)
                .map(|b| b as char)
                .chain("Wei said \u{7f}\u{85}\u{2028}\u{2029} it.".chars())
                .collect(),
        ),
        ("lone-quotes", "\"".into()),
        ("only-punct", "“”‘’\"'«»„‟`.!?…—-()[]".repeat(50)),
        (
            "nested",
            format!("{}Wei said.{}", "“‘\"«„".repeat(300), "”’\"»‟".repeat(300)),
        ),
        (
            "nested-said",
            (0..500)
                .map(|i| format!("“Ho{i} said "))
                .collect::<String>()
                + "no"
                + &"”".repeat(500),
        ),
        ("unbalanced-straight", "He said \"no. ".repeat(300)),
        ("unbalanced-curly", "“Wei said it. ‘Ho denied ".repeat(300)),
        ("closing-only", "” Wei said. ’".repeat(300)),
        ("no-sentence-end", "Lance Ho said China ".repeat(200)),
        ("one-long-word", "A".repeat(20_000)),
        ("long-joined", "U.S-A.B-C".repeat(200)),
        ("periods", ". ".repeat(500)),
        ("dots", ".".repeat(20_000)),
        ("dashes", "-".repeat(20_000)),
        ("abbreviations", "Mr. U.S. Jan. ".repeat(200)),
        (
            "capitals",
            "Drug Enforcement Administration Beijing China ".repeat(500),
        ),
        ("by-lines", "By Paul Gaita\n".repeat(200)),
        ("dates", " date 2017-11-03 ".repeat(200)),
        ("newlines", "\n".repeat(10_000) + "Wei said."),
        ("crs", "\r".repeat(10_000) + "Wei said."),
        (
            "replacement",
            String::from_utf8_lossy(&[
                0xff, 0xfe, b'W', 0xc3, b' ', b's', b'a', b'i', b'd', 0xe2, 0x80,
            ])
            .into_owned(),
        ),
        (
            "combining",
            "Ho\u{301}\u{302}\u{303} said “e\u{301}\u{20dd}”.".repeat(500),
        ),
        ("emoji", "👩‍👩‍👧 said “🇨🇳 controls 💊.” ".repeat(500)),
        (
            "rtl",
            "\u{202e}Wei said \u{200f}“\u{200d}no\u{200c}”.".repeat(500),
        ),
        ("apostrophes", "didn't ’s 's n’t Americans’ ".repeat(200)),
        ("according", "according to according to ".repeat(500)),
    ];
    v.push(("seeds-reversed", GOOD.chars().rev().collect()));
    v
}

#[test]
fn library_survives_pathological_texts() {
    for (name, text) in pathological_texts() {
        let t = Instant::now();
        let g = std::panic::catch_unwind(|| full_run(name, &text))
            .unwrap_or_else(|_| panic!("pipeline panicked on {name}"));
        let _ = g;
        println!("{name}: {} bytes in {:.2?}", text.len(), t.elapsed());
    }
}

#[test]
fn many_articles_in_one_graph() {
    let texts = pathological_texts();
    let articles: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let g = claimgraph::build_graph(&articles, &lex());
    export_all_in_memory(&g);
}

// ---------------------------------------------------------------------------------------
// Ingest
// ---------------------------------------------------------------------------------------

#[test]
fn decode_edge_cases() {
    let p = Path::new("x.txt");
    let mut errors = Vec::new();
    // A BOM is kept (offsets stay those of the file), no warning.
    assert_eq!(
        ingest::decode(b"\xef\xbb\xbfWei".to_vec(), p, &mut errors).as_deref(),
        Some("\u{feff}Wei")
    );
    assert!(errors.is_empty());
    // Invalid UTF-8 anywhere: a warning naming the first bad byte, text decoded lossily.
    let s = ingest::decode(b"ok\xc3".to_vec(), p, &mut errors).unwrap();
    assert_eq!(s, "ok\u{fffd}");
    assert!(errors[0].message.contains("byte 2") && !errors[0].fatal);
    // UTF-16 text (NUL bytes) is refused as binary.
    let utf16: Vec<u8> = "Wei said"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert!(ingest::decode(utf16, p, &mut errors).is_none());
    assert!(errors[1].fatal && errors[1].message.contains("binary"));
    // Empty input decodes to an empty string (the reader skips it before).
    assert_eq!(
        ingest::decode(Vec::new(), p, &mut errors).as_deref(),
        Some("")
    );
}

fn jsonl(data: &[u8]) -> (Vec<Document>, Vec<InputError>) {
    let mut errors = Vec::new();
    let mut docs = Vec::new();
    ingest::read_jsonl(data, Path::new("in.jsonl"), &mut errors, &mut |d| {
        docs.push(d)
    });
    (docs, errors)
}

#[test]
fn jsonl_edge_cases() {
    // BOM on the first line, CRLF line ends, a line of invalid UTF-8, a truncated line,
    // wrong types, a missing text, an empty id, a huge id number, extra fields, a blank
    // line with spaces and a last line without a newline.
    let data = b"\xef\xbb\xbf{\"id\":\"a\",\"text\":\"Wei said so.\"}\r\n\
{\"id\":\"b\",\"text\":\"caf\xe9\"}\r\n\
{\"id\":\"c\",\"text\":\"trunc\r\n\
{\"id\":[1],\"text\":\"x\"}\n\
{\"id\":\"e\"}\n\
{\"id\":\"\",\"text\":\"x\"}\n\
{\"id\":1e400,\"text\":\"x\"}\n\
   \t \r\n\
{\"id\":\"h\",\"text\":\"x\",\"extra\":{\"deep\":[1,2]}}\n\
{\"id\":\"i\",\"text\":\"\\u0000\\ud800 nul\",\"title\":null}";
    let (docs, errors) = jsonl(data);
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a", "h"], "{errors:?}");
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    // Line 10 holds a lone surrogate escape, which serde_json refuses.
    for (k, line_no) in [2, 3, 4, 5, 6, 7, 10].iter().enumerate() {
        assert!(
            lines[k].starts_with(&format!("error: in.jsonl: line {line_no}: ")),
            "{lines:?}"
        );
    }
    assert_eq!(errors.len(), 7, "{lines:?}");
    assert!(errors.iter().all(|e| e.fatal));
}

#[test]
fn jsonl_deep_nesting_and_garbage_do_not_crash() {
    let mut data = Vec::new();
    data.extend_from_slice(&b"["[..].repeat(100_000));
    data.push(b'\n');
    data.extend_from_slice(b"{\"id\":\"x\",\"text\":\"");
    data.extend_from_slice(&b"{"[..].repeat(100_000));
    data.extend_from_slice(b"\"}\n");
    data.extend_from_slice(&[0xff, 0x00, b'\n', b'\r', b'"', b'\n']);
    let (docs, errors) = jsonl(&data);
    assert_eq!(docs.len(), 1);
    assert_eq!(errors.len(), 3, "{errors:?}");
}

#[test]
fn collect_reports_missing_and_empty_and_survives_symlink_loops() {
    let dir = temp_dir("collect");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::create_dir_all(dir.join("docs/sub")).unwrap();
    std::fs::write(dir.join("docs/sub/b.txt"), GOOD).unwrap();
    std::fs::write(dir.join("docs/a.txt"), GOOD).unwrap();
    std::fs::write(dir.join("docs/c.jsonl"), "").unwrap();
    std::fs::write(dir.join("docs/ignored.md"), GOOD).unwrap();
    #[cfg(unix)]
    {
        // A loop back to the folder itself, and a dangling link.
        std::os::unix::fs::symlink(dir.join("docs"), dir.join("docs/sub/loop")).unwrap();
        std::os::unix::fs::symlink(dir.join("nowhere"), dir.join("docs/dangling.txt")).unwrap();
    }
    let mut errors = Vec::new();
    let inputs = ingest::collect(
        &[dir.join("docs"), dir.join("empty"), dir.join("missing.txt")],
        &mut errors,
    );
    let names: Vec<String> = inputs
        .iter()
        .map(|i| match i {
            Input::Text(p) | Input::Jsonl(p) => p.strip_prefix(&dir).unwrap().display().to_string(),
            Input::Stdin => "-".into(),
        })
        .collect();
    println!("{names:?} {errors:?}");
    assert!(names.contains(&"docs/a.txt".to_string()));
    assert!(names.contains(&"docs/sub/b.txt".to_string()));
    assert!(names.contains(&"docs/c.jsonl".to_string()));
    assert!(!names.iter().any(|n| n.ends_with(".md")));
    // Every file once, however many links lead to it.
    let mut dedup = names.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), names.len(), "{names:?}");
    let msgs: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("missing.txt") && m.contains("no such file")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("empty") && m.contains("no .txt")),
        "{msgs:?}"
    );
    // Reading the dangling link reports it and goes on.
    let mut docs = Vec::new();
    for i in &inputs {
        ingest::read(i, &mut errors, &mut |d| docs.push(d));
    }
    assert_eq!(docs.len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// chmod 000 does not stop root: true when this process can still read such a file.
#[cfg(unix)]
fn permissions_are_bypassed(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    std::fs::write(&probe, "x").unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
    let bypassed = std::fs::read(&probe).is_ok();
    std::fs::remove_file(&probe).unwrap();
    bypassed
}

// ---------------------------------------------------------------------------------------
// The CLI
// ---------------------------------------------------------------------------------------

fn claimgraph(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_claimgraph"))
        .args(args)
        .output()
        .unwrap()
}

fn build(inputs: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec!["build".as_ref()];
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    args.extend(["-o".as_ref(), out.as_os_str(), "-q".as_ref()]);
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    claimgraph(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn article_ids(out: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("graph.json")).unwrap()).unwrap();
    v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn cli_mixed_folder_builds_the_good_files_and_names_the_bad_ones() {
    let dir = temp_dir("cli-mixed");
    let inp = dir.join("in");
    std::fs::create_dir_all(inp.join("nested")).unwrap();
    std::fs::write(inp.join("good.txt"), GOOD).unwrap();
    std::fs::write(inp.join("nested/good2.txt"), GOOD.replace("Ho", "Wei")).unwrap();
    let mut latin1 = b"Caf\xe9 owner Lance Ho said so.".to_vec();
    latin1.extend_from_slice(GOOD.as_bytes());
    std::fs::write(inp.join("latin1.txt"), latin1).unwrap();
    std::fs::write(
        inp.join("binary.txt"),
        b"\x7fELF\x02\x01\x01\x00\x00\x00junk",
    )
    .unwrap();
    std::fs::write(inp.join("empty.txt"), "").unwrap();
    std::fs::write(inp.join("blank.txt"), " \r\n\t\n").unwrap();
    std::fs::write(
        inp.join("bom-crlf.txt"),
        format!(
            "\u{feff}{}",
            GOOD.replace('\n', "\r\n").replace(' ', "\u{a0}")
        ),
    )
    .unwrap();
    std::fs::write(
        inp.join("feed.jsonl"),
        "{\"id\":\"j1\",\"text\":\"Ho said yes.\"}\n{broken\n{\"id\":\"j3\",\"text\":\"Wei said no.\"}\n",
    )
    .unwrap();
    #[cfg(unix)]
    let unreadable = {
        use std::os::unix::fs::PermissionsExt;
        if permissions_are_bypassed(&dir) {
            println!("note: running as root, chmod 000 does not fail; skipping that case");
            false
        } else {
            let p = inp.join("secret.txt");
            std::fs::write(&p, GOOD).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
            true
        }
    };
    let out = dir.join("out");
    let o = build(&[&inp], &out, &["--format", "ttl,nq,json"]);
    let err = stderr(&o);
    println!("{err}");
    assert_eq!(o.status.code(), Some(1), "{err}");
    for (file, reason) in [
        ("latin1.txt", "invalid UTF-8 at byte 3"),
        ("binary.txt", "binary file"),
        ("empty.txt", "empty file"),
        ("blank.txt", "empty file"),
        ("feed.jsonl", "line 2: invalid record"),
    ] {
        assert!(
            err.lines().any(|l| l.contains(file) && l.contains(reason)),
            "no `{file}: {reason}` in {err}"
        );
    }
    #[cfg(unix)]
    if unreadable {
        assert!(err.contains("secret.txt: cannot read file"), "{err}");
    }
    assert!(
        !err.contains("good.txt") && !err.contains("bom-crlf.txt"),
        "{err}"
    );
    let ids = article_ids(&out);
    for id in [
        "good.txt",
        "good2.txt",
        "latin1.txt",
        "bom-crlf.txt",
        "j1",
        "j3",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id} missing from {ids:?}");
    }
    for f in ["graph.ttl", "graph.nq", "graph.json"] {
        assert!(out.join(f).exists());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_warnings_alone_exit_zero_and_missing_input_exits_one() {
    let dir = temp_dir("cli-warn");
    std::fs::write(dir.join("latin1.txt"), b"Caf\xe9 said Lance Ho.").unwrap();
    std::fs::write(dir.join("empty.txt"), b"").unwrap();
    let out = dir.join("out");
    let o = build(
        &[&dir.join("latin1.txt"), &dir.join("empty.txt")],
        &out,
        &["--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning: "), "{}", stderr(&o));
    let o = build(
        &[&dir.join("latin1.txt"), &dir.join("nope.txt")],
        &out,
        &["--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("nope.txt: no such file"),
        "{}",
        stderr(&o)
    );
    assert_eq!(article_ids(&out), ["latin1.txt"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Files in `dir` whose names start with '.' (the exporter's temporary files).
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.') || n.contains(".tmp"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn cli_output_errors_exit_two_without_partial_files() {
    let dir = temp_dir("cli-out");
    std::fs::write(dir.join("a.txt"), GOOD).unwrap();
    // The output "folder" is a file.
    let blocker = dir.join("blocker");
    std::fs::write(&blocker, "keep me").unwrap();
    let o = build(&[&dir.join("a.txt")], &blocker, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("claimgraph: error:") && stderr(&o).contains("blocker"));
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "keep me");
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    // One export's place is taken by a folder: that export fails, the temp file is gone,
    // an existing good export is not truncated.
    let out = dir.join("out");
    let o = build(&[&dir.join("a.txt")], &out, &["--format", "ttl,json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ttl = std::fs::read(out.join("graph.ttl")).unwrap();
    std::fs::remove_file(out.join("graph.json")).unwrap();
    std::fs::create_dir_all(out.join("graph.json")).unwrap();
    let o = build(&[&dir.join("a.txt")], &out, &["--format", "ttl,json"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("graph.json"), "{err}");
    assert!(leftovers(&out).is_empty(), "{:?}", leftovers(&out));
    assert_eq!(std::fs::read(out.join("graph.ttl")).unwrap(), ttl);
    // A bad base IRI is an output error, not a crash, and leaves nothing behind.
    let out2 = dir.join("out2");
    let o = build(
        &[&dir.join("a.txt")],
        &out2,
        &["--format", "ttl", "--base", "http://x/a b<>/"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("IRI"), "{}", stderr(&o));
    assert!(!out2.join("graph.ttl").exists());
    assert!(leftovers(&out2).is_empty(), "{:?}", leftovers(&out2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_is_deterministic_across_threads_and_file_order() {
    let dir = temp_dir("cli-det");
    let texts: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("art{i:02}.txt"),
                format!(
                    "Lance Ho{} said China{} had helped. “We agree,” Wei Xiaojun said.\n\nThe Drug Enforcement Administration denied it, officials in Beijing said.\n",
                    if i % 2 == 0 { "" } else { " Jr" },
                    if i % 3 == 0 { "" } else { "'s agency" },
                ),
            )
        })
        .collect();
    let forward = dir.join("forward/in");
    let backward = dir.join("backward/in");
    std::fs::create_dir_all(forward.join("z")).unwrap();
    std::fs::create_dir_all(backward.join("z")).unwrap();
    let place = |base: &Path, (i, (n, t)): (usize, &(String, String))| {
        let sub = if i % 4 == 0 {
            base.join("z")
        } else {
            base.to_path_buf()
        };
        std::fs::write(sub.join(n), t).unwrap();
    };
    texts.iter().enumerate().for_each(|x| place(&forward, x));
    texts
        .iter()
        .enumerate()
        .rev()
        .for_each(|x| place(&backward, x));
    let formats = ["graph.ttl", "graph.nq", "graph.json"];
    let mut runs = Vec::new();
    for (inp, j) in [
        (&forward, "1"),
        (&forward, "2"),
        (&backward, "2"),
        (&backward, "1"),
    ] {
        let out = dir.join(format!("out-{}-{j}", runs.len()));
        let o = build(&[inp], &out, &["--format", "ttl,nq,json", "-j", j]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        runs.push(formats.map(|f| std::fs::read(out.join(f)).unwrap()));
    }
    for r in &runs[1..] {
        for (k, f) in formats.iter().enumerate() {
            assert!(r[k] == runs[0][k], "{f} differs between runs");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------
// Time: linear in the input size
// ---------------------------------------------------------------------------------------

fn time_pipeline(text: &str) -> Duration {
    let t = Instant::now();
    let g = claimgraph::build_graph(&[("t.txt", text)], &lex());
    std::hint::black_box(g);
    t.elapsed()
}

/// `unit` repeated to about `bytes` bytes.
fn repeat_to(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes / unit.len() + 1)
}

fn assert_linear(name: &str, unit: &str) {
    // 256 KB and 1 MB: the test profile is unoptimized and the machine shared.
    let small = repeat_to(unit, 256 << 10);
    let large = repeat_to(unit, 1 << 20);
    // Warm up lazies and the allocator.
    time_pipeline(&small[..small.len().min(4096)]);
    let t1 = time_pipeline(&small);
    let t4 = time_pipeline(&large);
    println!(
        "timing {name}: 256 KB {:.2?}, 1 MB {:.2?}, ratio {:.1}",
        t1,
        t4,
        t4.as_secs_f64() / t1.as_secs_f64().max(1e-3)
    );
    assert!(
        t4 < t1 * 10 + Duration::from_millis(200),
        "{name}: 1 MB took {t4:.2?}, 256 KB {t1:.2?}: not linear"
    );
    assert!(t4 < Duration::from_secs(20), "{name}: 1 MB took {t4:.2?}");
}

/// Regression: one paragraph of `He said "no ` repeated (no sentence end) was quadratic
/// (release: 25 KB 0.6 s, 100 KB 8.7 s): every speakerless attribution copied the whole
/// sentence as its evidence.
#[test]
fn time_is_linear_in_unbalanced_straight_quotes() {
    assert_linear("straight quotes", "He said \"no ");
}

#[test]
fn time_is_linear_in_unbalanced_curly_quotes() {
    assert_linear("curly quotes", "Wei said “no ‘Ho ");
}

/// Regression: a single line without sentence end was quadratic in relations (clause
/// scans per trigger over the whole sentence; release: 25 KB 18 ms, 100 KB 364 ms).
#[test]
fn time_is_linear_in_a_line_without_sentence_end() {
    // A single 2 MB line with no sentence end, and no paragraph breaks either.
    let line = repeat_to(
        "the officials said that “the cooperation had \"grown ",
        2 << 20,
    );
    let t = time_pipeline(&line);
    println!("timing 2 MB single line: {t:.2?}");
    assert!(t < Duration::from_secs(20), "2 MB line took {t:.2?}");
    assert_linear(
        "long line",
        "Lance Ho said China Drug Enforcement officials ",
    );
}

/// Regression: time was quadratic in the number of repeated relations between the same
/// two people (release: 100 KB 0.2 s, 400 KB 3.2 s, 1.6 MB 37 s): relations scanned every
/// mention per trigger, and `Graph::add_edge` searched a Vec of occurrences.
#[test]
fn time_is_linear_in_repeated_denials() {
    assert_linear("repeated denials", "“Wei said it. ‘Ho denied ");
}

#[test]
fn cli_handles_a_multi_megabyte_file_with_one_long_line() {
    let dir = temp_dir("cli-big");
    let mut text = String::new();
    for _ in 0..200 {
        text.push_str(GOOD);
        text.push('\n');
    }
    text.push_str(&repeat_to("“the agency said \"it ", 2 << 20));
    text.push('\n');
    std::fs::write(dir.join("big.txt"), &text).unwrap();
    let t = Instant::now();
    let o = build(
        &[&dir.join("big.txt")],
        &dir.join("out"),
        &["--format", "json"],
    );
    println!(
        "timing CLI {} MB file: {:.2?}",
        text.len() >> 20,
        t.elapsed()
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(article_ids(&dir.join("out")), ["big.txt"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------
// Escaping through every export
// ---------------------------------------------------------------------------------------

const NASTY: &str = "a <b> \"c\" {d} |e| ^f^ `g` \\h\\ i\tj\nk\r\nl 'm' “n” ,o; #p @q %20 \u{0}\u{1f}\u{7f}\u{85}\u{2028} end";

fn nasty_graph() -> Graph {
    let text = format!(
        "“{}” Lance Ho said.\n\nWei Xiaojun said “{}”.\n",
        NASTY.replace(['\n', '\r'], " "),
        "<x>{y}|z^`\\\"w\""
    );
    let mut g = claimgraph::build_graph(&[("a <b>\"{c}|^`\\ d.txt", &text)], &lex());
    let ho = g
        .sorted_nodes()
        .into_iter()
        .find(|&n| g.g[n].ntype == NodeType::Person)
        .expect("a person");
    let id = claimgraph::graph::slug(NASTY);
    let s = g.upsert(&format!("statement-{id}"), || {
        let mut n = Node::new(format!("statement-{id}"), NodeType::Statement, NASTY.into());
        n.kind = Some("direct");
        n.text = Some(NASTY.into());
        n.aliases.insert(NASTY.into());
        n.add_mention(MentionRef {
            article: "a <b>\"{c}|^`\\ d.txt".into(),
            start: 0,
            end: 3,
        });
        n
    });
    let o = g.upsert("organization-nasty", || {
        let mut n = Node::new(
            "organization-nasty".into(),
            NodeType::Organization,
            NASTY.into(),
        );
        n.aliases.insert(format!("{NASTY};x"));
        n
    });
    let prov = |start| Provenance {
        article: "a <b>\"{c}|^`\\ d.txt".into(),
        start,
        end: start + 5,
        evidence: NASTY.into(),
        rule: NASTY.into(),
        confidence: 0.5,
        content: None,
        cue: None,
        speaker: None,
        title: Some(NASTY.into()),
    };
    g.add_edge(ho, s, "says", Some(prov(0)));
    g.add_edge(ho, o, "affiliated_with", Some(prov(3)));
    g
}

fn literal_values(quads: &[Quad]) -> Vec<String> {
    quads
        .iter()
        .filter_map(|q| match &q.object {
            Term::Literal(l) => Some(l.value().to_string()),
            _ => None,
        })
        .collect()
}

/// A small RFC 4180 reader (quoted fields with commas, doubled quotes and line breaks).
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let mut chars = s.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => {
                assert!(field.is_empty(), "stray quote after {field:?}");
                quoted = true;
            }
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted field");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

#[test]
fn nasty_text_round_trips_through_every_export() {
    let g = nasty_graph();
    let exports = export_all_in_memory(&g);
    for (f, bytes) in &exports {
        let text = String::from_utf8(bytes.clone()).expect("exports are UTF-8");
        match f {
            Format::Json => {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                let nodes = v["nodes"].as_array().unwrap();
                let org = nodes
                    .iter()
                    .find(|n| n["id"] == "organization-nasty")
                    .unwrap();
                assert_eq!(org["label"], NASTY);
                let st = nodes
                    .iter()
                    .find(|n| n["text"] == NASTY)
                    .expect("statement text");
                assert_eq!(st["type"], "Statement");
                assert!(
                    text.contains("<x>{y}|z^`\\\\\\\"w\\\""),
                    "quote content in JSON"
                );
            }
            Format::Csv => {
                // nodes.csv and edges.csv, one after the other.
                let rows = parse_csv(&text);
                assert!(
                    rows.iter()
                        .any(|r| r.len() > 2 && r[0] == "organization-nasty" && r[2] == NASTY),
                    "{rows:?}"
                );
                assert!(rows.iter().any(|r| r.iter().any(|c| c == NASTY)));
            }
            Format::Dot => {
                for line in text.lines() {
                    assert!(!line.contains('\r'), "raw CR in DOT line {line:?}");
                }
            }
            // Formats without a parser here (GraphML, ...): raw markup never leaks.
            _ if export::rdf::rdf_format(*f).is_none() => {
                assert!(!text.contains("<b>"), "{} leaks raw markup", f.name());
            }
            _ => {
                let quads = parse_rdf(bytes, *f);
                let lits = literal_values(&quads);
                assert!(
                    lits.iter().any(|l| l == NASTY),
                    "{} lost the nasty label",
                    f.name()
                );
                assert!(
                    lits.iter().any(|l| l.contains("<x>{y}|z^`\\\"w\"")),
                    "{} lost the quote content",
                    f.name()
                );
                // The article with an awkward file name has a valid IRI.
                assert!(quads
                    .iter()
                    .any(|q| q.subject.to_string().contains("article-")));
            }
        }
    }
    // Graphviz accepts the DOT file.
    if Command::new("dot").arg("-V").output().is_ok() {
        let dir = temp_dir("nasty-dot");
        let files = export::write(&g, Format::Dot, &dir, &Default::default()).unwrap();
        let o = Command::new("dot")
            .arg("-Tsvg")
            .arg(&files[0])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "dot: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    } else {
        println!("note: Graphviz `dot` is not installed; skipping the rendering check");
    }
    // The files `build` writes are the in-memory bytes, with no temporary files left.
    let dir = temp_dir("nasty-files");
    for f in Format::ALL {
        export::write(&g, f, &dir, &Default::default()).unwrap();
    }
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    for (f, bytes) in &exports {
        if export::rdf::rdf_format(*f).is_some() || *f == Format::Json {
            assert_eq!(&std::fs::read(dir.join(f.file_name())).unwrap(), bytes);
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------------------
// A seeded mutation fuzzer (a few seconds; the long runs use cargo-fuzz in fuzz/)
// ---------------------------------------------------------------------------------------

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const DICTIONARY: &[&str] = &[
    "“",
    "”",
    "‘",
    "’",
    "\"",
    "'",
    "«",
    "»",
    ".",
    "!",
    "?",
    "…",
    "\n\n",
    "\r\n",
    "\u{a0}",
    "\u{feff}",
    " said",
    " told",
    "according to ",
    "Mr. ",
    "U.S. ",
    "Lance Ho",
    "Wei Xiaojun",
    "China",
    "Drug Enforcement Administration",
    "By Paul Gaita\n",
    " date 2017-11-03 ",
    "/kga",
    "didn't",
    "’s",
    " who heads the ",
    ", ",
    " denied ",
    " accused ",
    "(",
    ")",
    "—",
    "\u{0}",
    "\u{fffd}",
];

/// One mutation of `data`: byte flips, inserted dictionary words, deleted or duplicated
/// ranges, splices from another seed.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    let len = data.len();
    match rng.below(6) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 => {
            let w = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
            let i = rng.below(len + 1);
            data.splice(i..i, w.iter().copied());
        }
        2 if len > 0 => {
            let i = rng.below(len);
            let j = (i + rng.below(64)).min(len);
            data.drain(i..j);
        }
        3 if len > 0 => {
            let i = rng.below(len);
            let j = (i + rng.below(256)).min(len);
            let piece = data[i..j].to_vec();
            let k = rng.below(len + 1);
            data.splice(k..k, piece);
        }
        4 => {
            let other = &seeds[rng.below(seeds.len())];
            if !other.is_empty() {
                let i = rng.below(other.len());
                let j = (i + rng.below(512)).min(other.len());
                let k = rng.below(len + 1);
                data.splice(k..k, other[i..j].iter().copied());
            }
        }
        _ => {
            let i = rng.below(len + 1);
            data.insert(i, rng.next() as u8);
        }
    }
    data.truncate(64 * 1024);
}

fn fuzz_seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&root)
        .map(|rd| {
            let mut paths: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
            paths.sort();
            paths
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .map(|p| std::fs::read(p).unwrap())
                .collect()
        })
        .unwrap_or_default();
    seeds.push(GOOD.as_bytes().to_vec());
    seeds
}

#[test]
fn seeded_mutation_fuzz_of_the_whole_pipeline_and_jsonl() {
    let seeds = fuzz_seeds();
    let lex = lex();
    let budget = Duration::from_secs(
        std::env::var("CLAIMGRAPH_FUZZ_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(4),
    );
    let started = Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut runs = 0u64;
    while started.elapsed() < budget {
        let mut data = seeds[rng.below(seeds.len())].clone();
        if rng.below(4) == 0 {
            let i = rng.below(data.len());
            data.truncate(i + rng.below(2000));
        }
        for _ in 0..1 + rng.below(16) {
            mutate(&mut rng, &mut data, &seeds);
        }
        let input = data.clone();
        let result = std::panic::catch_unwind(|| {
            let mut errors = Vec::new();
            if let Some(text) = ingest::decode(data.clone(), Path::new("f.txt"), &mut errors) {
                let g = claimgraph::build_graph(&[("f.txt", &text)], &lex);
                export_all_in_memory(&g);
            }
            // The same bytes as a JSONL file, and wrapped in one valid record.
            ingest::read_jsonl(&data[..], Path::new("f.jsonl"), &mut errors, &mut |_| {});
            let rec = serde_json::json!({"id": "r", "text": String::from_utf8_lossy(&data)});
            let mut docs = Vec::new();
            ingest::read_jsonl(
                rec.to_string().as_bytes(),
                Path::new("r.jsonl"),
                &mut errors,
                &mut |d| docs.push(d),
            );
            assert_eq!(docs.len(), 1);
        });
        if result.is_err() {
            let path = std::env::temp_dir().join(format!("claimgraph-crash-{runs}.bin"));
            std::fs::write(&path, &input).unwrap();
            panic!("crash on input saved to {}", path.display());
        }
        runs += 1;
    }
    println!("fuzz: {runs} inputs in {:.2?}, no crash", started.elapsed());
    assert!(runs > 0);
}
