//! Tables of cells (timelines, reports) and their CSV form.

/// A table: a header and rows of cells (a timeline, one row per evaluation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// As CSV (RFC 4180 quoting where a cell needs it).
    pub fn to_csv(&self) -> String {
        std::iter::once(&self.header).chain(&self.rows).map(|row| csv_line(row)).collect()
    }
}

/// One CSV line (with its newline) of these cells, RFC 4180 quoting where a cell needs it.
/// No cell, or one empty cell, is an empty line (the `csv` crate would write `""`).
pub fn csv_line(cells: &[String]) -> String {
    if let [] | [_] = cells {
        if cells.iter().all(String::is_empty) {
            return "\n".into();
        }
    }
    let mut out = Vec::with_capacity(cells.iter().map(|c| c.len() + 1).sum::<usize>() + 2);
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .buffer_capacity(256)
            .from_writer(&mut out);
        // Into memory, one record per writer: nothing can fail.
        if writer.write_record(cells).and_then(|()| Ok(writer.flush()?)).is_err() {
            return String::new();
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each case and the line it must give (what the hand-written writer before the `csv`
    /// crate gave: quotes exactly around cells with a comma, a quote or a line break).
    #[test]
    fn csv_lines_are_as_before() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "\n"),
            (&[""], "\n"),
            (&["", ""], ",\n"),
            (&["a"], "a\n"),
            (&[" a ", "\tb", "#c", "'d'", "é€"], " a ,\tb,#c,'d',é€\n"),
            (
                &["x,y", "say \"hi\"", "two\nlines", "cr\r", "\"", ","],
                "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\"\"\"\",\",\"\n",
            ),
            (
                &["2026-11-23T10:00:00.000Z", "3", "", "AutoScalingFormulaEvaluationError"],
                "2026-11-23T10:00:00.000Z,3,,AutoScalingFormulaEvaluationError\n",
            ),
        ];
        for (cells, want) in cases {
            let cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
            assert_eq!(csv_line(&cells), *want, "{cells:?}");
        }
        let ragged = Table {
            header: vec!["a".into(), "b".into()],
            rows: vec![vec!["1".into()], vec![String::new()], vec!["1".into(), "2".into(), "3".into()]],
        };
        assert_eq!(ragged.to_csv(), "a,b\n1\n\n1,2,3\n");
    }

    #[test]
    fn csv_quotes_cells_that_need_it() {
        let t = Table {
            header: vec!["a".into(), "b".into()],
            rows: vec![vec!["x,y".into(), "say \"hi\"".into()]],
        };
        assert_eq!(t.to_csv(), "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n");
    }
}
