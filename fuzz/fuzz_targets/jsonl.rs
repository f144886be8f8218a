//! The JSONL reader on arbitrary bytes: never panics, every line is either a document or
//! one error naming its line number.
#![no_main]

use claimgraph::ingest;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let mut errors = Vec::new();
    let mut docs = 0usize;
    ingest::read_jsonl(data, Path::new("f.jsonl"), &mut errors, &mut |d| {
        assert!(!d.id.is_empty());
        docs += 1;
    });
    let lines = data.split(|&b| b == b'\n').count();
    assert!(docs + errors.len() <= lines);
    for e in &errors {
        assert!(e.to_string().starts_with("error: f.jsonl: line "), "{e}");
    }
});
