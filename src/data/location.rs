//! Where a problem is in a data file: [`DataError`] with its file, line and column, and the
//! helpers that find a place in JSON text (columns count characters, not bytes).

/// A problem with a metric file, with its location.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A problem at a place in the file.
    #[error("{path}:{line}:{column}: {message}")]
    At {
        /// The file.
        path: String,
        /// 1-based line.
        line: u64,
        /// 1-based column (the field number in CSV).
        column: u64,
        /// What is wrong.
        message: String,
    },
}

/// A serde_json error at its line and column (serde_json says column 0 at the very start).
pub(crate) fn json_error(path: &str, text: &str, e: &serde_json::Error) -> DataError {
    let message = e.to_string();
    let location = format!(" at line {} column {}", e.line(), e.column());
    let column = json_column(text, e.line(), e.column());
    DataError::At {
        path: path.into(),
        line: e.line().max(1) as u64,
        column: column.max(1) as u64,
        message: plain_message(message.strip_suffix(&location).unwrap_or(&message)),
    }
}

/// serde_json counts columns in bytes; errors count characters. The character column of the
/// byte column `column` (1-based) of the 1-based `line` of `text`.
pub(crate) fn json_column(text: &str, line: usize, column: usize) -> usize {
    let Some(row) = text.split('\n').nth(line.saturating_sub(1)) else {
        return column;
    };
    let mut end = column.min(row.len());
    while !row.is_char_boundary(end) {
        end -= 1;
    }
    // A column inside a multi-byte character counts that character.
    row[..end].chars().count() + usize::from(end < column.min(row.len()))
}

/// serde's message in the user's terms: `invalid type: string "two", expected f64` becomes
/// `expected a number, found string "two"` (Rust type names never reach the user).
fn plain_message(message: &str) -> String {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    let Some((found, expected)) = rest.and_then(|r| r.rsplit_once(", expected ")) else {
        return message.to_string();
    };
    let expected = match expected {
        "f64" | "f32" => "a number",
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number",
        "a boolean" | "bool" => "true or false",
        "a sequence" => "a list",
        e if e.starts_with("struct ") || e == "a map" => "an object",
        e => e,
    };
    format!("expected {expected}, found {found}")
}

/// Byte offsets of the key and of the value at `keys` (a chain of object keys) in the JSON
/// `text`, which has already been parsed successfully.
pub(crate) fn json_place(text: &str, keys: &[&str]) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let skip_ws = |mut i: usize| {
        while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        i
    };
    // `i` at an opening quote; the offset after the closing one.
    let skip_string = |mut i: usize| -> Option<usize> {
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    };
    let skip_value = |i: usize| -> Option<usize> {
        match *b.get(i)? {
            b'"' => skip_string(i),
            b'{' | b'[' => {
                let (mut depth, mut j) = (0usize, i);
                while j < b.len() {
                    match b[j] {
                        b'"' => {
                            j = skip_string(j)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(j + 1);
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                None
            }
            _ => {
                let mut j = i;
                while j < b.len() && !matches!(b[j], b',' | b'}' | b']') && !b[j].is_ascii_whitespace() {
                    j += 1;
                }
                Some(j)
            }
        }
    };
    let (mut pos, mut key_at) = (0, 0);
    for key in keys {
        pos = skip_ws(pos);
        if b.get(pos) != Some(&b'{') {
            return None;
        }
        pos += 1;
        loop {
            pos = skip_ws(pos);
            if b.get(pos) != Some(&b'"') {
                return None;
            }
            let start = pos;
            pos = skip_string(pos)?;
            let name: String = serde_json::from_str(&text[start..pos]).ok()?;
            pos = skip_ws(pos);
            if b.get(pos) != Some(&b':') {
                return None;
            }
            pos = skip_ws(pos + 1);
            if name == *key {
                key_at = start;
                break;
            }
            pos = skip_ws(skip_value(pos)?);
            if b.get(pos) != Some(&b',') {
                return None;
            }
            pos += 1;
        }
    }
    Some((key_at, pos))
}

/// The 1-based line and column (in characters) just after `prefix`.
pub(crate) fn line_column(prefix: &str) -> (u64, u64) {
    let line = prefix.matches('\n').count() as u64 + 1;
    let column = prefix.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u64 + 1;
    (line, column)
}
