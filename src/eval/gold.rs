//! Scores a built graph against ../shared/gold/seeds.json (format in its README).

use crate::graph::Graph;
use anyhow::{bail, Result};
use std::path::Path;

/// Returns a printable report.
pub fn run(gold: &Path, graph: &Graph, verbose: bool) -> Result<String> {
    let _ = (gold, graph, verbose);
    bail!("gold eval not implemented yet")
}
