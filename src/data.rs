//! Metric history files: CSV (long or wide) and JSON, read into a [`MetricStore`] plus the
//! time series of the pool's scalar variables, with errors that name the file, line and column.
//!
//! CSV, long form (one sample per row, rows in any order):
//!
//! ```text
//! timestamp,metric,value
//! 2026-11-23T12:00:00Z,$PendingTasks,12
//! 2026-11-23T12:00:00Z,$ActiveTasks,8
//! ```
//!
//! CSV, wide form (one column per metric; an empty cell is a sample that was never recorded):
//!
//! ```text
//! timestamp,$PendingTasks,$ActiveTasks,$CurrentDedicatedNodes
//! 2026-11-23T12:00:00Z,12,8,2
//! ```
//!
//! Columns or rows may also name the scalar pool variables (`$CurrentDedicatedNodes`,
//! `$CurrentLowPriorityNodes`, `$TaskSlotsPerNode`, `$UsableNodeCount`): they become
//! [`ScalarSeries`] that replay reads as the pool's state over time. JSON has the shape of the
//! `metrics` object of a context file (`{"$PendingTasks": {"last": …, "values": […]}}`),
//! optionally wrapped as `{"metrics": {…}}`. A Batch task list (`az batch task list` output) is
//! read as the metric history it implies ([`tasks`]).

use std::collections::BTreeMap;
use std::path::Path;

pub mod tasks;

use crate::builtins::{self, Metric, PoolScalar, VariableKind};
use crate::eval::{ContextError, ContextSpec, MetricSpec, MetricStore, OwnedContext};
use crate::time::{parse_rfc3339, Timestamp};

/// A time series of one scalar pool variable: the value at a time is the last one at or
/// before it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScalarSeries {
    times: Vec<i64>,
    values: Vec<f64>,
}

impl ScalarSeries {
    /// The value in force at `t` (the last point at or before `t`).
    pub fn value_at(&self, t: Timestamp) -> Option<f64> {
        let i = self.times.partition_point(|&x| x <= t.0);
        (i > 0).then(|| self.values[i - 1])
    }

    /// Whether the series has no point.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.times.len()
    }
}

/// Everything read from a metric file.
#[derive(Debug, Clone, Default)]
pub struct MetricData {
    /// Sampled metrics.
    pub metrics: MetricStore,
    /// Scalar pool variables over time, where the file has them.
    pub scalars: BTreeMap<&'static str, ScalarSeries>,
    /// Earliest time in the file.
    pub first: Option<Timestamp>,
    /// Latest time in the file.
    pub last: Option<Timestamp>,
}

impl MetricData {
    /// The series of a scalar pool variable, if the file has one.
    pub fn scalar(&self, scalar: PoolScalar) -> Option<&ScalarSeries> {
        let name = builtins::VARIABLES
            .iter()
            .find(|v| v.kind == VariableKind::Scalar(scalar) && v.alias_of.is_none())?
            .name;
        self.scalars.get(name)
    }
}

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

enum Target {
    Metric(Metric),
    Scalar(&'static str),
}

impl Target {
    /// The variable's canonical name: two spellings of one variable have the same.
    fn name(&self) -> &'static str {
        match self {
            Target::Metric(m) => m.name(),
            Target::Scalar(name) => name,
        }
    }
}

fn resolve(name: &str) -> Result<Target, String> {
    let trimmed = name.trim();
    let with_dollar = if trimmed.starts_with('$') {
        trimmed.to_string()
    } else {
        format!("${trimmed}")
    };
    match builtins::lookup_variable(&with_dollar) {
        Some(v) => match v.kind {
            VariableKind::Metric(m) => Ok(Target::Metric(m)),
            VariableKind::Scalar(_) => {
                let canonical = v.alias_of.unwrap_or(v.name);
                let static_name = builtins::lookup_variable(canonical).map(|c| c.name).unwrap_or(v.name);
                Ok(Target::Scalar(static_name))
            }
            _ => Err(format!(
                "`{trimmed}` is a target the formula sets, not data; metric files hold sampled metrics and the scalar pool variables"
            )),
        },
        None => {
            let names = builtins::VARIABLES
                .iter()
                .filter(|v| matches!(v.kind, VariableKind::Metric(_) | VariableKind::Scalar(_)))
                .map(|v| v.name);
            let hint = builtins::closest(&with_dollar, names)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            Err(format!("`{trimmed}` is not a sampled metric or pool variable{hint}"))
        }
    }
}

struct Point {
    time: Timestamp,
    value: f64,
    line: u64,
    column: u64,
}

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

/// Read a whole file as UTF-8 (at most 1 GiB, or `BATCH_AUTOSCALE_MAX_INPUT`), or say why not: a directory, a
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

/// Read a metric file; the format is chosen by extension (`.json`, otherwise CSV).
pub fn load_metrics(path: &Path) -> Result<MetricData, DataError> {
    let display = path.display().to_string();
    let text = read_text(path)?;
    if tasks::is_task_list(&text) {
        let list = tasks::parse_task_list(&text, &display)?;
        return list.history(None).map_err(|message| DataError::Io { path: display, message });
    }
    if path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        parse_json(&text, &display)
    } else {
        parse_csv(&text, &display)
    }
}

/// A context file (`eval --context`): the `context` object of the conformance cases. The text
/// is kept so that a problem found while building the context (a time without a zone, an
/// unknown metric) is reported at its line and column.
#[derive(Debug, Clone, Default)]
pub struct ContextFile {
    /// The parsed context; callers may override fields before [`ContextFile::build`].
    pub spec: ContextSpec,
    path: String,
    text: String,
}

impl ContextFile {
    /// Build the context (see [`ContextSpec::build`]), with errors located in the file.
    pub fn build(&self, default_now: Timestamp) -> Result<OwnedContext, DataError> {
        self.spec
            .build(default_now)
            .map_err(|e| context_error_at(&self.text, &self.path, &e, true))
    }
}

/// Read a context file (see [`ContextFile`]).
pub fn load_context(path: &Path) -> Result<ContextFile, DataError> {
    let text = read_text(path)?;
    parse_context_file(text, &path.display().to_string())
}

/// A context file from its text (see [`ContextFile`]); `path` names it in errors.
pub fn parse_context_file(text: String, path: &str) -> Result<ContextFile, DataError> {
    let spec = parse_context(&text, path)?;
    Ok(ContextFile {
        spec,
        path: path.into(),
        text,
    })
}

/// Parse the text of a context file: a JSON object with `now`, `pool`, `metrics`,
/// `samplePublicationDelaySeconds`, `random` and `seed`, all optional.
pub fn parse_context(text: &str, path: &str) -> Result<ContextSpec, DataError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(path, text, &e))?;
    if !value.is_object() {
        let start = text.len() - text.trim_start().len();
        let (line, column) = line_column(&text[..start]);
        return Err(DataError::At {
            path: path.into(),
            line,
            column,
            message: "a context is a JSON object such as {\"now\": \"2026-11-23T12:00:00Z\", \"pool\": {\"targetDedicatedNodes\": 2}, \"metrics\": {…}}".into(),
        });
    }
    let spec: ContextSpec = serde_json::from_str(text).map_err(|e| json_error(path, text, &e))?;
    let at_key = |keys: &[&str], message: String| {
        let (line, column) = json_place(text, keys).map_or((1, 1), |(_, value)| line_column(&text[..value]));
        DataError::At {
            path: path.into(),
            line,
            column,
            message,
        }
    };
    let p = &spec.pool;
    for (field, value) in [
        ("targetDedicatedNodes", p.target_dedicated_nodes),
        ("targetLowPriorityNodes", p.target_low_priority_nodes),
        ("currentDedicatedNodes", p.current_dedicated_nodes),
        ("currentLowPriorityNodes", p.current_low_priority_nodes),
        ("taskSlotsPerNode", p.task_slots_per_node),
        ("usableNodeCount", p.usable_node_count),
    ] {
        check_pool_value(field, value).map_err(|m| at_key(&["pool", field], format!("pool.{field}: {value}: {m}")))?;
    }
    if let Some(d) = spec.sample_publication_delay_seconds {
        if !(0.0..=MAX_SECONDS_FIELD).contains(&d) {
            return Err(at_key(
                &["samplePublicationDelaySeconds"],
                format!("samplePublicationDelaySeconds: {d} is not a delay from 0 to {MAX_SECONDS_FIELD} seconds (a year)"),
            ));
        }
    }
    check_periods(text, path, &spec.metrics, true)?;
    if let Some(bad) = spec.random.iter().flatten().find(|r| !(0.0..1.0).contains(*r)) {
        return Err(at_key(
            &["random"],
            format!("random: {bad} is not a rand() value; each is at least 0 and less than 1"),
        ));
    }
    Ok(spec)
}

/// The most seconds a delay or a sample period in a context or metric file may be: a year.
pub const MAX_SECONDS_FIELD: f64 = 31_536_000.0;

/// Check every metric's `periodSeconds` (more than 0, at most [`MAX_SECONDS_FIELD`]), at its
/// place in `text` (under `"metrics"` when `wrapped`).
fn check_periods(text: &str, path: &str, metrics: &BTreeMap<String, MetricSpec>, wrapped: bool) -> Result<(), DataError> {
    for (name, m) in metrics {
        if !(m.period_seconds > 0.0 && m.period_seconds <= MAX_SECONDS_FIELD) {
            let keys: Vec<&str> = if wrapped {
                vec!["metrics", name, "periodSeconds"]
            } else {
                vec![name, "periodSeconds"]
            };
            let (line, column) = json_place(text, &keys).map_or((1, 1), |(_, value)| line_column(&text[..value]));
            return Err(DataError::At {
                path: path.into(),
                line,
                column,
                message: format!(
                    "{name}.periodSeconds: {} is not a sample period; expected more than 0 and at most {MAX_SECONDS_FIELD} seconds (a year)",
                    m.period_seconds
                ),
            });
        }
    }
    Ok(())
}

/// Check a value of the pool's state (a context's `pool` field or the matching flag, named by
/// its camelCase `field`): `taskSlotsPerNode` is a whole number from 1 to 256 (the service's
/// limit), the node counts and targets are finite and not negative.
pub fn check_pool_value(field: &str, value: f64) -> Result<(), String> {
    if field == "taskSlotsPerNode" {
        if value.fract() != 0.0 || !value.is_finite() {
            return Err("expected a whole number of task slots, 1 to 256".into());
        }
        if !(1.0..=256.0).contains(&value) {
            return Err("a node has 1 to 256 task slots".into());
        }
        return Ok(());
    }
    if !value.is_finite() {
        return Err("expected a finite number".into());
    }
    if value < 0.0 {
        return Err("must be at least 0".into());
    }
    Ok(())
}

/// A serde_json error at its line and column (serde_json says column 0 at the very start).
fn json_error(path: &str, text: &str, e: &serde_json::Error) -> DataError {
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

/// Locate a [`ContextError`] in the JSON it came from: the key path it names, under
/// `"metrics"` when `wrapped` (a context file), at the top level otherwise (a bare metrics
/// object). Without a location the error still names the file.
fn context_error_at(text: &str, path: &str, e: &ContextError, wrapped: bool) -> DataError {
    let (mut keys, at_key): (Vec<&str>, bool) = match e {
        ContextError::BadTime { field, .. } if field == "now" => (vec!["now"], false),
        ContextError::BadTime { field, .. } => match field.strip_prefix("metrics.").and_then(|r| r.rsplit_once('.')) {
            Some((name, last)) => (vec!["metrics", name, last], false),
            None => (Vec::new(), false),
        },
        ContextError::UnknownMetric { name, .. } => (vec!["metrics", name], true),
        ContextError::BadPeriod { metric } => (vec!["metrics", metric, "periodSeconds"], false),
        ContextError::BadSamples { metric, .. } => (vec!["metrics", metric, "values"], false),
        ContextError::BadDelay => (vec!["samplePublicationDelaySeconds"], false),
    };
    if !wrapped && keys.first() == Some(&"metrics") {
        keys.remove(0);
    }
    let place = (!keys.is_empty()).then(|| json_place(text, &keys)).flatten();
    let message = e.to_string();
    // A bare metrics object has no `metrics` key to name.
    let message = match wrapped {
        true => message,
        false => message
            .strip_prefix("metrics.")
            .or_else(|| message.strip_prefix("metrics: "))
            .unwrap_or(&message)
            .to_string(),
    };
    match place {
        Some((key, value)) => {
            let (line, column) = line_column(&text[..if at_key { key } else { value }]);
            DataError::At {
                path: path.into(),
                line,
                column,
                message,
            }
        }
        None => DataError::Io {
            path: path.into(),
            message,
        },
    }
}

/// Byte offsets of the key and of the value at `keys` (a chain of object keys) in the JSON
/// `text`, which has already been parsed successfully.
fn json_place(text: &str, keys: &[&str]) -> Option<(usize, usize)> {
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

/// A CSV reader with a header row, fixed field counts and trimmed fields.
pub(crate) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

fn line_column(prefix: &str) -> (u64, u64) {
    let line = prefix.matches('\n').count() as u64 + 1;
    let column = prefix.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u64 + 1;
    (line, column)
}

/// Read JSON metric data (see the module docs).
pub fn parse_json(text: &str, path: &str) -> Result<MetricData, DataError> {
    /// A context-shaped file: its other fields (`now`, `pool`, …) are not metric data.
    #[derive(serde::Deserialize)]
    struct Wrapped {
        metrics: BTreeMap<String, MetricSpec>,
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(path, text, &e))?;
    let wrapped = value.get("metrics").is_some();
    let metrics = if wrapped {
        serde_json::from_str::<Wrapped>(text).map(|w| w.metrics)
    } else {
        serde_json::from_str::<BTreeMap<String, MetricSpec>>(text)
    }
    .map_err(|e| {
        let mut error = json_error(path, text, &e);
        if let DataError::At { message, .. } = &mut error {
            message.push_str(
                "; metric data is an object such as {\"$PendingTasks\": {\"last\": \"2026-11-23T12:00:00Z\", \"values\": [1, 2]}}",
            );
        }
        error
    })?;
    check_periods(text, path, &metrics, wrapped)?;
    let spec = ContextSpec {
        metrics,
        ..ContextSpec::default()
    };
    let built = spec.build(Timestamp(0)).map_err(|e| context_error_at(text, path, &e, wrapped))?;
    let mut data = MetricData {
        metrics: built.metrics,
        ..MetricData::default()
    };
    for m in Metric::ALL {
        let h = data.metrics.history(m);
        if let (Some(a), Some(b)) = (h.first_time(), h.last_time()) {
            data.first = Some(data.first.map_or(Timestamp(a), |f| f.min(Timestamp(a))));
            data.last = Some(data.last.map_or(Timestamp(b), |l| l.max(Timestamp(b))));
        }
    }
    Ok(data)
}

/// Read CSV metric data, long or wide (see the module docs).
pub fn parse_csv(text: &str, path: &str) -> Result<MetricData, DataError> {
    let at = |line: u64, column: u64, message: String| DataError::At {
        path: path.into(),
        line,
        column,
        message,
    };
    let mut reader = csv_reader(text);
    let headers = reader.headers().map_err(|e| at(1, 1, e.to_string()))?.clone();
    if headers.is_empty()
        || !headers
            .get(0)
            .is_some_and(|h| h.eq_ignore_ascii_case("timestamp") || h.eq_ignore_ascii_case("time"))
    {
        return Err(at(
            1,
            1,
            "the first column must be `timestamp`; then either `metric,value` (long form) or one column per metric (wide form)".into(),
        ));
    }
    let long = headers.len() == 3
        && headers.get(1).is_some_and(|h| h.eq_ignore_ascii_case("metric"))
        && headers.get(2).is_some_and(|h| h.eq_ignore_ascii_case("value"));
    let mut points: BTreeMap<usize, Vec<Point>> = BTreeMap::new();
    let mut targets: Vec<Target> = Vec::new();
    let mut column_target: Vec<usize> = Vec::new();
    if !long {
        let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
        for (i, h) in headers.iter().enumerate().skip(1) {
            let t = resolve(h).map_err(|m| at(1, i as u64 + 1, m))?;
            if let Some(first) = seen.insert(t.name(), i) {
                return Err(at(
                    1,
                    i as u64 + 1,
                    format!(
                        "the column `{}` appears twice (columns {} and {}); give each metric one column",
                        h.trim(),
                        first + 1,
                        i + 1
                    ),
                ));
            }
            targets.push(t);
            column_target.push(targets.len() - 1);
        }
    }
    // Long form: the target of each spelling, and of each canonical name.
    let mut name_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut canonical_index: BTreeMap<&'static str, usize> = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            match e.kind() {
                csv::ErrorKind::UnequalLengths { expected_len, len, .. } => at(
                    line,
                    (*len).min(*expected_len) + 1,
                    format!("this row has {len} fields but the header has {expected_len}"),
                ),
                _ => at(line, 1, e.to_string()),
            }
        })?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let time_text = record.get(0).unwrap_or("");
        let time = parse_rfc3339(time_text).map_err(|e| at(line, 1, format!("bad timestamp {time_text:?}: {e}")))?;
        let mut add = |target: usize, text: &str, column: u64| -> Result<(), DataError> {
            if text.is_empty() {
                return Ok(()); // a sample that was never recorded
            }
            let value: f64 = text.parse().map_err(|_| at(line, column, format!("{text:?} is not a number")))?;
            if !value.is_finite() {
                return Err(at(
                    line,
                    column,
                    format!("{text:?} is not a finite number; leave the cell empty for a missing sample"),
                ));
            }
            points.entry(target).or_default().push(Point { time, value, line, column });
            Ok(())
        };
        if long {
            let name = record.get(1).unwrap_or("");
            let index = match name_index.get(name) {
                Some(&i) => i,
                None => {
                    let t = resolve(name).map_err(|m| at(line, 2, m))?;
                    let index = match canonical_index.get(t.name()) {
                        Some(&i) => i,
                        None => {
                            canonical_index.insert(t.name(), targets.len());
                            targets.push(t);
                            targets.len() - 1
                        }
                    };
                    name_index.insert(name.to_string(), index);
                    index
                }
            };
            add(index, record.get(2).unwrap_or(""), 3)?;
        } else {
            for (i, field) in record.iter().enumerate().skip(1) {
                add(column_target[i - 1], field, i as u64 + 1)?;
            }
        }
    }
    let mut data = MetricData {
        metrics: MetricStore::new(),
        ..MetricData::default()
    };
    for (index, mut series) in points {
        series.sort_by_key(|p| p.time);
        for pair in series.windows(2) {
            if pair[0].time == pair[1].time {
                return Err(at(
                    pair[1].line,
                    pair[1].column,
                    format!(
                        "a second sample at {} (the first is on line {})",
                        pair[1].time.format_results(),
                        pair[0].line
                    ),
                ));
            }
        }
        if let (Some(a), Some(b)) = (series.first(), series.last()) {
            data.first = Some(data.first.map_or(a.time, |f| f.min(a.time)));
            data.last = Some(data.last.map_or(b.time, |l| l.max(b.time)));
        }
        match targets[index] {
            Target::Metric(m) => {
                let history = data.metrics.history_mut(m);
                for p in &series {
                    history.push(p.time, p.value).map_err(|e| at(p.line, p.column, e.to_string()))?;
                }
            }
            Target::Scalar(name) => {
                let s = data.scalars.entry(name).or_default();
                s.times = series.iter().map(|p| p.time.0).collect();
                s.values = series.iter().map(|p| p.value).collect();
            }
        }
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_wide_forms_give_the_same_samples() {
        let long = "timestamp,metric,value\n2026-11-23T12:00:30Z,$PendingTasks,5\n2026-11-23T12:00:00Z,$PendingTasks,3\n2026-11-23T12:00:00Z,ActiveTasks,1\n";
        let wide = "timestamp,$PendingTasks,$ActiveTasks\n2026-11-23T12:00:00Z,3,1\n2026-11-23T12:00:30Z,5,\n";
        let a = parse_csv(long, "long.csv").unwrap();
        let b = parse_csv(wide, "wide.csv").unwrap();
        assert_eq!(a.metrics, b.metrics);
        assert_eq!(a.metrics.history(Metric::PendingTasks).values(), &[3.0, 5.0]);
        assert_eq!(a.metrics.history(Metric::ActiveTasks).len(), 1);
    }

    #[test]
    fn errors_name_line_and_column() {
        let cases = [
            ("timestamp,$PendingTask\n", "x.csv:1:2:"),
            ("timestamp,$PendingTasks\n2026-11-23 12:00:00,1\n", "x.csv:2:1:"),
            ("timestamp,$PendingTasks\n2026-11-23T12:00:00Z,abc\n", "x.csv:2:2:"),
            ("timestamp,$PendingTasks\n2026-11-23T12:00:00Z,NaN\n", "x.csv:2:2:"),
            (
                "timestamp,metric,value\n2026-11-23T12:00:00Z,$PendingTasks,1\n2026-11-23T12:00:00Z,$PendingTasks,2\n",
                "x.csv:3:3:",
            ),
            ("timestamp,$TargetDedicatedNodes\n", "x.csv:1:2:"),
            (
                "timestamp,$PendingTasks,$ActiveTasks,PendingTasks\n2026-11-23T12:00:00Z,1,2,3\n",
                "x.csv:1:4: the column `PendingTasks` appears twice",
            ),
            ("timestamp,$PendingTasks\n2026-11-23T12:00:00+99:99,1\n", "x.csv:2:1:"),
            (
                "timestamp,metric,value\n2026-11-23T12:00:00Z,$PendingTasks,1\n2026-11-23T12:00:00Z,PendingTasks,2\n",
                "x.csv:3:3: a second sample",
            ),
        ];
        for (text, prefix) in cases {
            let e = parse_csv(text, "x.csv").unwrap_err().to_string();
            assert!(e.starts_with(prefix), "{text:?}: {e}");
        }
    }

    #[test]
    fn scalar_columns_become_series() {
        let wide = "timestamp,$CurrentDedicatedNodes\n2026-11-23T12:00:00Z,2\n2026-11-23T12:05:00Z,4\n";
        let d = parse_csv(wide, "w.csv").unwrap();
        let s = d.scalar(PoolScalar::CurrentDedicatedNodes).unwrap();
        assert_eq!(s.value_at(parse_rfc3339("2026-11-23T12:04:00Z").unwrap()), Some(2.0));
        assert_eq!(s.value_at(parse_rfc3339("2026-11-23T11:00:00Z").unwrap()), None);
    }

    #[test]
    fn json_reads_context_shaped_metrics() {
        let d = parse_json(
            r#"{"metrics": {"$ActiveTasks": {"last": "2026-11-23T12:00:00Z", "values": [1, null, 3]}}}"#,
            "m.json",
        )
        .unwrap();
        assert_eq!(d.metrics.history(Metric::ActiveTasks).values(), &[1.0, 3.0]);
        assert!(parse_json("{\"$Nope\": {\"last\": \"2026-11-23T12:00:00Z\", \"values\": []}}", "m.json").is_err());
        let e = parse_json("{\n  \"metrics\": [,]\n}", "m.json").unwrap_err().to_string();
        assert!(e.starts_with("m.json:2:"), "{e}");
        // Columns count characters, not the bytes serde_json counts (found by fuzzing).
        let e = parse_json("{\"é\": x}", "m.json").unwrap_err().to_string();
        assert!(e.starts_with("m.json:1:7:"), "{e}");
        let e = parse_context("{\n \"now\": \"ž\"a}", "c.json").unwrap_err().to_string();
        assert!(e.starts_with("c.json:2:12:"), "{e}");
    }
}
