//! The write pipeline: plan, deploy (install, upgrade, rollback, adopt's takeover) and
//! uninstall, and the ownership rules they share.

pub mod deploy;
pub mod foreign;
pub mod model;
pub mod plan;
pub mod prepare;
pub mod rollout;
pub mod uninstall;
