//! The data of an installation's PostgreSQL: backup and restore through exec.

pub mod backup;
pub mod restore;
