//! RDF exports through oxigraph (Turtle, N-Triples, N-Quads, TriG, JSON-LD).

use super::{Format, Options};
use crate::graph::Graph;
use anyhow::{bail, Result};
use std::io::Write;

pub fn write(graph: &Graph, format: Format, w: &mut dyn Write, opts: &Options) -> Result<()> {
    let _ = (graph, w, opts);
    bail!("RDF export {} not implemented yet", format.name())
}
