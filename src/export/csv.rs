//! CSV node and edge tables (neo4j-admin import headers).

use crate::graph::Graph;
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};

pub fn write_files(graph: &Graph, dir: &Path) -> Result<Vec<PathBuf>> {
    let _ = (graph, dir);
    bail!("CSV export not implemented yet")
}
