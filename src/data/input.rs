//! Bounded reading of input files and standard input: at most [`max_input_bytes`], directories
//! and devices refused, text checked to be UTF-8 at a line and column.

use std::path::Path;

use super::location::{line_column, DataError};

/// The largest input file read when `BATCH_AUTOSCALE_MAX_INPUT` is not set: 1 GiB.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 1 << 30;

/// The environment variable that sets the largest input file, in bytes, optionally with a
/// `K`, `M` or `G` suffix (powers of 1024), e.g. `BATCH_AUTOSCALE_MAX_INPUT=64M`.
pub const MAX_INPUT_VARIABLE: &str = "BATCH_AUTOSCALE_MAX_INPUT";

/// The largest input file (formula, metrics, context, workload, trace, pool settings, standard
/// input) any command reads: [`MAX_INPUT_VARIABLE`] if set, else [`DEFAULT_MAX_INPUT_BYTES`].
pub fn max_input_bytes() -> Result<u64, String> {
    match std::env::var(MAX_INPUT_VARIABLE) {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_MAX_INPUT_BYTES),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{MAX_INPUT_VARIABLE} is not a size such as 1048576, 64M or 2G")),
        Ok(text) => parse_size(&text).ok_or_else(|| format!("{MAX_INPUT_VARIABLE}={text:?} is not a size such as 1048576, 64M or 2G")),
    }
}

/// A byte count such as `1048576`, `64K`, `64M` or `2G` (powers of 1024), at least 1.
fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_uppercase()),
        _ => (t, 'B'),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let shift = match unit {
        'B' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        _ => return None,
    };
    let n: u64 = digits.parse().ok()?;
    let bytes = n.checked_mul(1u64 << shift)?;
    (bytes > 0).then_some(bytes)
}

/// Describe a byte count for people: `1 GiB`, `64 MiB`, `1000 bytes`.
fn describe_size(bytes: u64) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

/// Read at most `limit` bytes from `reader`; more is an error naming the limit.
fn read_bounded(reader: impl std::io::Read, limit: u64, capacity: u64) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let mut bytes = Vec::with_capacity(capacity.min(limit).min(1 << 26) as usize);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(too_big(limit));
    }
    Ok(bytes)
}

fn too_big(limit: u64) -> String {
    format!(
        "larger than the input limit of {} (set {MAX_INPUT_VARIABLE}, e.g. {MAX_INPUT_VARIABLE}=4G, to read more)",
        describe_size(limit)
    )
}

/// Read a whole file, at most [`max_input_bytes`] of it: a regular file larger than the limit
/// is refused before it is read; a pipe or other stream is read up to the limit; a directory or
/// a device (`/dev/zero`) is refused.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, DataError> {
    let display = path.display().to_string();
    let io = |message: String| DataError::Io {
        path: display.clone(),
        message,
    };
    let limit = max_input_bytes().map_err(&io)?;
    let file = std::fs::File::open(path).map_err(|e| io(e.to_string()))?;
    let meta = file.metadata().map_err(|e| io(e.to_string()))?;
    if meta.is_dir() {
        return Err(io("is a directory, not a file".into()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let kind = meta.file_type();
        if kind.is_char_device() || kind.is_block_device() || kind.is_socket() {
            return Err(io("is a device, not a file; give a file or a pipe".into()));
        }
    }
    if meta.is_file() && meta.len() > limit {
        return Err(io(format!("{} bytes, {}", meta.len(), too_big(limit))));
    }
    read_bounded(file, limit, meta.len()).map_err(io)
}

/// Bytes as UTF-8, or the line and column of the first byte that is not UTF-8.
fn utf8(bytes: Vec<u8>, display: &str) -> Result<String, DataError> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let (line, column) = line_column(&String::from_utf8_lossy(&e.into_bytes()[..offset]));
        DataError::At {
            path: display.into(),
            line,
            column,
            message: "the file is not valid UTF-8".into(),
        }
    })
}

/// Read a whole file as UTF-8 (bounded as [`read_bytes`] says), or say why not: a directory, a
/// device, a file that cannot be read or is too large, or the line and column of the first byte
/// that is not UTF-8. Every file the library and the command-line tool read goes through here.
pub fn read_text(path: &Path) -> Result<String, DataError> {
    let bytes = read_bytes(path)?;
    utf8(bytes, &path.display().to_string())
}

/// Read standard input as UTF-8, at most [`max_input_bytes`]; errors name `<stdin>`.
#[cfg(feature = "cli")]
pub fn read_stdin_text() -> Result<String, DataError> {
    let display = "<stdin>";
    let io = |message: String| DataError::Io {
        path: display.into(),
        message,
    };
    let limit = max_input_bytes().map_err(io)?;
    let bytes = read_bounded(std::io::stdin().lock(), limit, 0).map_err(io)?;
    utf8(bytes, display)
}
