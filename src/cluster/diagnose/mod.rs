//! Read-only explanations of an installation: the pre-flight check, status, verify, logs
//! and the support bundle. Nothing here writes to the cluster.

pub mod bundle;
pub mod check;
pub mod logs;
pub mod secrets;
pub mod status;
pub mod verify;
