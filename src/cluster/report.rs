//! The seam between the logic and the terminal: the logic reports progress through
//! [`Reporter`], which the UI implements.

/// How the logic reports progress. Implemented by the UI (indicatif on a terminal, plain
/// lines in logs); the logic never touches a terminal.
pub trait Reporter: Send + Sync {
    /// A plain status line ("applying stage 2: …").
    fn line(&self, text: &str);
    /// The latest state of one component while waiting (`ready`/`desired`, plus a note such
    /// as a pod's waiting reason).
    fn component(&self, name: &str, ready: i32, desired: i32, note: &str);
    /// A component reached its goal.
    fn component_done(&self, name: &str, summary: &str);
    /// Stops any live display (before printing a result).
    fn finish(&self);
    /// Bytes moved so far by a long transfer (`what`: "backup", "restore").
    fn bytes(&self, _what: &str, _n: u64) {}
}
