//! exports/ holds the graph of seeds/ as `claimgraph build` writes it; this fails when
//! the committed exports are stale (rebuild with `cargo run --release -- build`).

use claimgraph::export::{self, Format};
use claimgraph::ingest;
use claimgraph::{Lexicon, Pipeline};
use std::path::Path;

#[test]
fn committed_exports_match_a_fresh_build_of_the_seeds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lex = Lexicon::builtin();
    let pipeline = Pipeline::new(lex.clone());
    let mut errors = Vec::new();
    let inputs = ingest::collect(&[root.join("seeds")], &mut errors);
    let mut findings = Vec::new();
    for input in &inputs {
        ingest::read(input, &mut errors, &mut |d| findings.push(pipeline.run(d)));
    }
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(findings.len(), 5);
    let graph = claimgraph::resolve::build(&findings, &lex);
    let dir = std::env::temp_dir().join(format!("cg-fresh-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let opts = export::Options::default();
    for f in [Format::Turtle, Format::NQuads, Format::Json] {
        export::write(&graph, f, &dir, &opts).unwrap();
        let name = f.file_name();
        let fresh = std::fs::read_to_string(dir.join(name)).unwrap();
        let committed =
            std::fs::read_to_string(root.join("exports").join(name)).unwrap_or_default();
        assert!(
            fresh == committed,
            "exports/{name} is stale: run `cargo run --release -- build` and commit exports/"
        );
    }
    let dot = claimgraph::export::dot::to_dot_string(&graph, &Default::default()).unwrap();
    let committed = std::fs::read_to_string(root.join("exports/graph.dot")).unwrap_or_default();
    assert!(
        dot == committed,
        "exports/graph.dot is stale: run `cargo run --release -- build`"
    );
    std::fs::remove_dir_all(&dir).ok();
}
