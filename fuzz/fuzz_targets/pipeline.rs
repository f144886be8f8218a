//! The whole extraction on arbitrary bytes: lossy decode -> pipeline and resolution ->
//! every export into memory. Any panic, and any RDF or JSON export that does not parse
//! back, is a crash.
#![no_main]

use claimgraph::export::{self, Format};
use claimgraph::{ingest, Lexicon};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(Lexicon::builtin)
}

fuzz_target!(|data: &[u8]| {
    let mut errors = Vec::new();
    let Some(text) = ingest::decode(data.to_vec(), Path::new("f.txt"), &mut errors) else {
        return;
    };
    let g = claimgraph::build_graph(&[("f.txt", &text)], lexicon());
    let opts = export::Options::default();
    for f in Format::ALL {
        let mut buf = Vec::new();
        match f {
            Format::Json => {
                export::json::write(&g, &mut buf).unwrap();
                serde_json::from_slice::<serde_json::Value>(&buf).expect("JSON parses back");
            }
            Format::Dot => {
                export::dot::to_dot_string(&g, &Default::default()).unwrap();
            }
            Format::Csv => {
                export::csv::write_nodes(&g, &mut buf).unwrap();
                export::csv::write_edges(&g, &mut buf).unwrap();
            }
            Format::GraphMl => {
                export::graphml::write(&g, &mut buf).unwrap();
                std::str::from_utf8(&buf).expect("GraphML is UTF-8");
            }
            _ => {
                export::rdf::write(&g, f, &mut buf, &opts).unwrap();
                let fmt = export::rdf::rdf_format(f).unwrap();
                for q in oxigraph::io::RdfParser::from_format(fmt).for_reader(&buf[..]) {
                    q.expect("RDF export parses back");
                }
            }
        }
    }
});
