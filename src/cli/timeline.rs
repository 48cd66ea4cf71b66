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
    pub fn row(
        &mut self,
        outputs: &mut Outputs,
        cells: impl FnOnce() -> Vec<String>,
        json: &impl serde::Serialize,
        evaluation: &ReplayRow,
    ) {
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
            let mut serializer = serde_json::Serializer::with_formatter(
                &mut scratch,
                Indented {
                    depth: 2,
                    has_value: false,
                },
            );
            if json.serialize(&mut serializer).is_err() {
                scratch.truncate(if self.rows == 0 { 5 } else { 6 });
                scratch.extend_from_slice(b"null");
            }
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
