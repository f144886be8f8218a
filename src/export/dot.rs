//! DOT export through petgraph (renders with Graphviz), and graph.svg when `dot` exists.

use super::Options;
use crate::graph::Graph;
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};

pub fn write_files(graph: &Graph, dir: &Path, opts: &Options) -> Result<Vec<PathBuf>> {
    let _ = (graph, dir, opts);
    bail!("DOT export not implemented yet")
}
