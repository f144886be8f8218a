//! Evaluation against gold annotations: the seeds gold file and PolNeAR.

pub mod gold;
pub mod polnear;
