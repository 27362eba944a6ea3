//! Printing results: a human table by default, JSON with `--json`.

use std::io::Write;

use serde::Serialize;

/// How to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Table,
    Json,
}

/// A table: a header and rows of cells.
#[derive(Debug, Default)]
pub(crate) struct Table {
    pub(crate) header: Vec<&'static str>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(header: &[&'static str]) -> Table {
        Table { header: header.to_vec(), rows: Vec::new() }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    fn render(&self) -> String {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.len()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell.chars().count());
                }
            }
        }
        let line = |cells: Vec<&str>| {
            let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            padded.join("  ").trim_end().to_owned()
        };
        let mut out = vec![line(self.header.clone())];
        out.extend(self.rows.iter().map(|r| line(r.iter().map(String::as_str).collect())));
        out.join("\n") + "\n"
    }
}

/// Prints `value` as JSON, or `table` for people. A closed stdout is ignored.
pub(crate) fn print<T: Serialize>(format: Format, value: &T, table: impl FnOnce() -> Table) {
    let text = match format {
        Format::Json => serde_json::to_string_pretty(value).unwrap_or_default() + "\n",
        Format::Table => table().render(),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// `-` for absent values.
pub(crate) fn opt<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned() {
        let mut table = Table::new(&["ID", "NAME"]);
        table.row(vec!["key_1".into(), "bot".into()]);
        table.row(vec!["key_12345".into(), "x".into()]);
        assert_eq!(table.render(), "ID         NAME\nkey_1      bot\nkey_12345  x\n");
    }
}
