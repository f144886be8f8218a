//! Scores attributions against a PolNeAR split (brat standoff; see its FORMAT.md).

use crate::pipeline::Pipeline;
use anyhow::{bail, Result};
use std::path::Path;

/// Returns a printable report.
pub fn run(dir: &Path, pipeline: &Pipeline, verbose: bool) -> Result<String> {
    let _ = (dir, pipeline, verbose);
    bail!("PolNeAR eval not implemented yet")
}
