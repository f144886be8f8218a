//! Extraction: entities, then quotes and attributions, then relations.

pub mod attribution;
pub mod entities;
pub mod quotes;
pub mod relations;
