//! All API-server I/O, in one-way layers. Nothing here prints; progress goes through
//! [`Reporter`].
//!
//! The files at this level are the plumbing everything shares (connection, lock, inventory,
//! release records, apply, exec, tunnels, watches, readiness, waiting) and import none of the
//! folders below. `diagnose/`, `data/` and `adopt/` import only this level; `install/`
//! imports this level, `data/` and `adopt/` (README "Architecture"; tests/architecture.rs
//! checks it).

pub mod apply;
pub mod client;
pub mod conditions;
pub mod connection;
pub mod engine;
pub mod errors;
pub mod exec;
pub mod fence;
pub mod inventory;
pub mod lock;
pub mod release;
pub mod report;
pub mod tunnel;
pub mod upstream;
pub mod wait;
pub mod watch;

/// Adopting an installation made by upstream's install.sh or Helm chart.
pub mod adopt;
/// Backup and restore of the in-cluster PostgreSQL.
pub mod data;
/// Read-only explanations: check, status, verify, logs, support bundle.
pub mod diagnose;
/// The write pipeline: plan, deploy, uninstall.
pub mod install;

pub use connection::{Cluster, deadline_after};
pub use report::Reporter;
