//! The only place that prints: the [`Printer`] (quiet / normal / verbose, table / json /
//! yaml, colour) and the progress reporter.

pub mod plan;
pub mod printer;
pub mod progress;
pub mod table;

pub use printer::Printer;
