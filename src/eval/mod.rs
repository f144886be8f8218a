//! Evaluation against gold annotations: the seeds gold file and PolNeAR.

pub mod crossre;
pub mod gold;
pub mod polnear;
