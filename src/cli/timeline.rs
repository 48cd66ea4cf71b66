//! Streaming a timeline as `replay` and `simulate` evaluate it: each row goes to its output
//! (standard output or an [`Outputs`] file, CSV or JSON) as soon as it exists, and only what
//! the pictures need is kept (a [`TimelinePlot`] and the first rows the HTML page shows), so
//! memory stays flat in the number of evaluations. Rows are written through one buffer, each
//! JSON row serialized into a reused scratch buffer and CSV cells written as they are, so
//! writing allocates nothing per row beyond the cells the caller builds.

use std::io::Write as _;

use crate::whatif::{csv_line, ReplayRow, Table, TimelinePlot, HTML_TIMELINE_ROWS};

/// The buffer between the rows and standard output.
const STDOUT_BUFFER: usize = 1 << 16;
use crate::Timestamp;

use super::output::Outputs;

/// Where the rows go.
pub enum Destination {
    /// Nowhere (only the pictures and the summary are wanted).
    None,
    /// Standard output (a closed pipe drops the rest, as `out!` does).
    Stdout,
    /// An output file opened with [`Outputs::create`].
    File(usize),
}

/// A timeline being written.
pub struct TimelineWriter {
    destination: Destination,
    json: bool,
    header: Vec<String>,
    /// The JSON `columns` value.
    columns: Vec<String>,
    started: bool,
    rows: u64,
    stdout: Option<std::io::BufWriter<std::io::Stdout>>,
    /// The first rows, for the HTML page (when one is written).
    html_rows: Option<Vec<Vec<String>>>,
    /// The plot (when a picture is written).
    plot: Option<TimelinePlot>,
    /// One JSON row, reused from row to row.
    scratch: Vec<u8>,
    /// What the last JSON row leaves for the next.
    memo: RowMemo,
}

/// Indent every line after the first of a pretty-printed JSON value by `depth` levels (JSON
/// strings hold no raw newline, so this only moves the layout).
fn indented(json: &str, depth: usize) -> String {
    json.replace('\n', &format!("\n{}", "  ".repeat(depth)))
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
}

/// serde_json's pretty layout (two spaces a level) starting `depth` levels in: what
/// indenting every line of a pretty-printed value by `depth` levels gives, without a copy.
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    fn newline(&self, writer: &mut (impl std::io::Write + ?Sized), comma: bool) -> std::io::Result<()> {
        writer.write_all(if comma { b",\n" } else { b"\n" })?;
        for _ in 0..self.depth {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(writer, false)?;
        }
        writer.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        self.newline(writer, !first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(writer, false)?;
        }
        writer.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, first: bool) -> std::io::Result<()> {
        self.newline(writer, !first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _writer: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// A timeline row's JSON form, as serde_json pretty-prints it two levels in (an element of the
/// `rows` array).
pub trait RowJson: serde::Serialize {
    /// Append the row (`{` … `}`) to `out`, with what the rows before left in `memo`; the
    /// default serializes it with serde_json.
    fn write_row(&self, out: &mut Vec<u8>, _memo: &mut RowMemo) {
        serialized_row(self, out);
    }
}

/// `row` serialized by serde_json, pretty-printed two levels in (`null` if it cannot be).
fn serialized_row(row: &(impl serde::Serialize + ?Sized), out: &mut Vec<u8>) {
    let start = out.len();
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut *out,
        Indented {
            depth: 2,
            has_value: false,
        },
    );
    if row.serialize(&mut serializer).is_err() {
        out.truncate(start);
        out.extend_from_slice(b"null");
    }
}

impl RowJson for crate::whatif::SimulationRow {}

/// What one row's JSON leaves for the next: the day of the last time written and its text up
/// to the hour (`"2026-11-23T`), once a time has been written in the usual 24 characters.
#[derive(Debug, Default)]
pub struct RowMemo {
    date: Option<(i64, [u8; 12])>,
}

const TICKS_PER_DAY: i64 = 86_400 * crate::time::TICKS_PER_SECOND;

/// A time as serde_json writes it (`"2026-11-23T12:00:00.000Z"`): on the day of the time
/// before, only the time of day is formatted.
#[inline]
fn time(out: &mut Vec<u8>, time: crate::Timestamp, memo: &mut RowMemo) {
    let day = time.0.div_euclid(TICKS_PER_DAY);
    match memo.date {
        Some((last, prefix)) if last == day => {
            let ticks = time.0 - day * TICKS_PER_DAY;
            let (seconds, millis) = (
                ticks / crate::time::TICKS_PER_SECOND,
                ticks % crate::time::TICKS_PER_SECOND / 10_000,
            );
            let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
            let digit = |v: i64| b'0' + v as u8;
            out.extend_from_slice(&prefix);
            out.extend_from_slice(&[
                digit(h / 10),
                digit(h % 10),
                b':',
                digit(m / 10),
                digit(m % 10),
                b':',
                digit(s / 10),
                digit(s % 10),
                b'.',
                digit(millis / 100),
                digit(millis / 10 % 10),
                digit(millis % 10),
                b'Z',
                b'"',
            ]);
        }
        _ => {
            let start = out.len();
            scalar(out, &time);
            let text = &out[start..];
            memo.date = (text.len() == 26 && text[11] == b'T')
                .then(|| text[..12].try_into().ok().map(|prefix| (day, prefix)))
                .flatten();
        }
    }
}

/// A double as serde_json writes it: a whole number below 10⁹ as its digits and `.0`.
#[inline]
fn double(out: &mut Vec<u8>, value: f64) {
    if (0.0..1e9).contains(&value) && value.fract() == 0.0 && value.is_sign_positive() {
        scalar(out, &(value as u64));
        out.extend_from_slice(b".0");
    } else {
        scalar(out, &value);
    }
}

/// A scalar or a string as serde_json writes it (the same bytes compact or pretty).
#[inline]
fn scalar(out: &mut Vec<u8>, value: &impl serde::Serialize) {
    // Writing a scalar or a string into a vector cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// The replay row written field by field: the keys as fixed bytes (serde_json would check
/// each for characters to escape on every row), the values by serde_json; the same bytes as
/// the default (`tests` below compares them).
impl RowJson for ReplayRow {
    fn write_row(&self, out: &mut Vec<u8>, memo: &mut RowMemo) {
        out.extend_from_slice(b"{\n      \"time\": ");
        time(out, self.time, memo);
        out.extend_from_slice(b",\n      \"targetDedicatedNodes\": ");
        scalar(out, &self.target_dedicated);
        out.extend_from_slice(b",\n      \"targetLowPriorityNodes\": ");
        scalar(out, &self.target_low_priority);
        out.extend_from_slice(b",\n      \"nodeDeallocationOption\": \"");
        out.extend_from_slice(self.deallocation.name().as_bytes());
        out.extend_from_slice(b"\",\n      \"currentDedicatedNodes\": ");
        double(out, self.current_dedicated);
        out.extend_from_slice(b",\n      \"currentLowPriorityNodes\": ");
        double(out, self.current_low_priority);
        out.extend_from_slice(b",\n      \"error\": ");
        match self.error {
            Some(code) => {
                out.push(b'"');
                out.extend_from_slice(code.as_str().as_bytes());
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\n      \"errorMessage\": ");
        scalar(out, &self.error_message);
        out.extend_from_slice(b",\n      \"columns\": [");
        for (i, column) in self.columns.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"\n        " } else { b",\n        " });
            scalar(out, column);
        }
        if !self.columns.is_empty() {
            out.extend_from_slice(b"\n      ");
        }
        out.extend_from_slice(b"],\n      \"results\": ");
        scalar(out, &self.results);
        out.extend_from_slice(b"\n    }");
    }
}

impl TimelineWriter {
    /// A writer of rows with this CSV `header` and JSON `columns` (the user variables); keep
    /// the first rows for an HTML page when `html`, and plot from `first` to `last` when
    /// `plot`.
    pub fn new(
        destination: Destination,
        json: bool,
        header: Vec<String>,
        columns: Vec<String>,
        html: bool,
        plot: Option<(Timestamp, Timestamp)>,
    ) -> TimelineWriter {
        let stdout =
            matches!(destination, Destination::Stdout).then(|| std::io::BufWriter::with_capacity(STDOUT_BUFFER, std::io::stdout()));
        TimelineWriter {
            destination,
            json,
            header,
            columns,
            started: false,
            rows: 0,
            stdout,
            html_rows: html.then(Vec::new),
            plot: plot.map(|(first, last)| TimelinePlot::new(first, last)),
            scratch: Vec::new(),
            memo: RowMemo::default(),
        }
    }

    fn emit(&mut self, outputs: &mut Outputs, text: &str) {
        self.emit_bytes(outputs, text.as_bytes());
    }

    fn emit_bytes(&mut self, outputs: &mut Outputs, bytes: &[u8]) {
        match self.destination {
            Destination::None => {}
            Destination::Stdout => {
                if let Some(w) = &mut self.stdout {
                    let _ = w.write_all(bytes);
                }
            }
            Destination::File(i) => outputs.file(i).write_bytes(bytes),
        }
    }

    fn start(&mut self, outputs: &mut Outputs) {
        if self.started {
            return;
        }
        self.started = true;
        let head = if self.json {
            format!("{{\n  \"columns\": {},\n  \"rows\": [", indented(&pretty(&self.columns), 1))
        } else {
            csv_line(&self.header)
        };
        self.emit(outputs, &head);
    }

    /// Write one row: its CSV `cells` (built only when the CSV form or the HTML page needs
    /// them), its JSON form `json`, and `evaluation` for the plot.
    pub fn row(&mut self, outputs: &mut Outputs, cells: impl FnOnce() -> Vec<String>, json: &impl RowJson, evaluation: &ReplayRow) {
        self.start(outputs);
        if let Some(plot) = &mut self.plot {
            plot.add(evaluation);
        }
        let keep = self.html_rows.as_ref().is_some_and(|kept| kept.len() < HTML_TIMELINE_ROWS);
        let cells = (!self.json || keep).then(cells);
        if self.json {
            // Pretty-printed as the whole document would be, two levels in.
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            scratch.extend_from_slice(if self.rows == 0 { b"\n    " } else { b",\n    " });
            json.write_row(&mut scratch, &mut self.memo);
            self.emit_bytes(outputs, &scratch);
            self.scratch = scratch;
        } else if let Some(cells) = &cells {
            // As `csv_line` writes them.
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    scratch.push(b',');
                }
                if cell.contains([',', '"', '\n', '\r']) {
                    scratch.push(b'"');
                    for &b in cell.as_bytes() {
                        scratch.extend_from_slice(if b == b'"' { b"\"\"" } else { std::slice::from_ref(&b) });
                    }
                    scratch.push(b'"');
                } else {
                    scratch.extend_from_slice(cell.as_bytes());
                }
            }
            scratch.push(b'\n');
            self.emit_bytes(outputs, &scratch);
            self.scratch = scratch;
        }
        if let (Some(kept), Some(cells)) = (&mut self.html_rows, cells) {
            if kept.len() < HTML_TIMELINE_ROWS {
                kept.push(cells);
            }
        }
        self.rows += 1;
    }

    /// End the timeline: the JSON form closes with the `summary`.
    pub fn finish(&mut self, outputs: &mut Outputs, summary: &impl serde::Serialize) {
        self.start(outputs);
        if self.json {
            let rows_end = if self.rows == 0 { "]" } else { "\n  ]" };
            let tail = format!("{rows_end},\n  \"summary\": {}\n}}\n", indented(&pretty(summary), 1));
            self.emit(outputs, &tail);
        }
        if let Some(w) = &mut self.stdout {
            let _ = w.flush();
        }
    }

    /// The plot, when one was asked for.
    pub fn plot(&self) -> Option<&TimelinePlot> {
        self.plot.as_ref()
    }

    /// The rows the HTML page shows (at most [`HTML_TIMELINE_ROWS`]) and how many there were.
    pub fn html_table(&mut self) -> (Table, u64) {
        let table = Table {
            header: self.header.clone(),
            rows: self.html_rows.take().unwrap_or_default(),
        };
        (table, self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::Deallocation;
    use crate::whatif::ErrorCode;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof!["[a-z0-9 ]{0,8}", "\\PC{0,12}", "[\"\\\\\n\t\u{1}\u{7f}é]{0,6}"]
    }

    fn row() -> impl Strategy<Value = ReplayRow> {
        (
            (
                crate::Timestamp::MIN.0..=crate::Timestamp::MAX.0,
                any::<u64>(),
                any::<u64>(),
                0usize..4,
            ),
            (
                prop_oneof![
                    any::<f64>(),
                    (0u32..100).prop_map(f64::from),
                    (0u64..1 << 40).prop_map(|v| v as f64),
                    (0i32..12).prop_map(|e| 10f64.powi(e)),
                    (0i32..12).prop_map(|e| 10f64.powi(e) - 1.0),
                    Just(f64::NAN),
                    Just(f64::INFINITY),
                    Just(-0.0),
                    Just(0.5),
                ],
                prop_oneof![any::<f64>(), Just(0.0), Just(3.0), Just(-2.0)],
            ),
            (
                proptest::option::of(any::<bool>()),
                proptest::option::of(text()),
                prop::collection::vec(proptest::option::of(text()), 0..3),
                proptest::option::of(text()),
            ),
        )
            .prop_map(
                |((time, dedicated, low, deallocation), (current, current_low), (error, message, columns, results))| ReplayRow {
                    time: crate::Timestamp(time),
                    target_dedicated: dedicated,
                    target_low_priority: low,
                    deallocation: [
                        Deallocation::Requeue,
                        Deallocation::Terminate,
                        Deallocation::TaskCompletion,
                        Deallocation::RetainedData,
                    ][deallocation],
                    current_dedicated: current,
                    current_low_priority: current_low,
                    error: error.map(|e| {
                        if e {
                            ErrorCode::Evaluation
                        } else {
                            ErrorCode::InsufficientSampleData
                        }
                    }),
                    error_message: message,
                    columns,
                    results,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The replay row written field by field is the row serde_json pretty-prints.
        #[test]
        fn replay_rows_are_written_as_serde_json_writes_them(
            rows in prop::collection::vec((row(), 0u8..3, -3_000_000_000i64..3_000_000_000), 1..8)
        ) {
            // One memo for all, as a timeline's rows are written: the next row is often on
            // the day of the one before (`step` 0), next to it (1) or anywhere (2).
            let mut memo = RowMemo::default();
            let mut last: Option<i64> = None;
            for (mut row, step, delta) in rows {
                if let (Some(t), 0 | 1) = (last, step) {
                    let moved = t.saturating_add(if step == 0 { delta / 10 } else { delta * 1000 });
                    row.time = crate::Timestamp(moved.clamp(crate::Timestamp::MIN.0, crate::Timestamp::MAX.0));
                }
                last = Some(row.time.0);
                let (mut fast, mut general) = (Vec::new(), Vec::new());
                row.write_row(&mut fast, &mut memo);
                serialized_row(&row, &mut general);
                prop_assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(general).unwrap());
            }
        }
    }
}
