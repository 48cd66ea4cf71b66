//! What every reader target checks: a [`DataError`] names the file and points inside it.
#![allow(dead_code)] // each target uses one of the column kinds

use batch_autoscale::DataError;

/// How an error's column counts: characters of the line (JSON), or CSV fields.
#[derive(Clone, Copy)]
pub enum Columns {
    /// 1-based character column within the line (one past its end allowed).
    Characters,
    /// 1-based field number (a record may continue on later lines inside quotes).
    Fields,
}

/// Panic unless `error` names `path` and its line and column are inside `text`.
pub fn check_error(error: &DataError, text: &str, path: &str, columns: Columns) {
    let message = error.to_string();
    assert!(message.starts_with(path), "{message}");
    let DataError::At { line, column, .. } = error else {
        return;
    };
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(*line >= 1 && *line as usize <= lines.len(), "line {line} of {}: {message}", lines.len());
    assert!(*column >= 1, "{message}");
    match columns {
        Columns::Characters => {
            let width = lines[*line as usize - 1].chars().count() as u64;
            assert!(*column <= width + 1, "column {column} of a {width}-character line: {message}");
        }
        Columns::Fields => {
            let fields = text.matches(',').count() as u64 + 1;
            assert!(*column <= fields + 1, "field {column} of at most {fields}: {message}");
        }
    }
}
