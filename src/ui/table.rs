//! kubectl-style tables: no borders, padded columns, width adapted to the terminal.

use comfy_table::presets::NOTHING;
use comfy_table::{ContentArrangement, Table};

pub fn new<const N: usize>(header: [&str; N]) -> Table {
    let mut t = Table::new();
    t.load_style(NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header);
    t
}

/// The table as text, each line without the padding comfy-table leaves at the edges.
pub fn render(t: &Table) -> String {
    t.lines()
        .map(|l| {
            l.trim_end()
                .strip_prefix(' ')
                .unwrap_or(&l)
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
