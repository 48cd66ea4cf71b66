//! Streaming a timeline as `replay` and `simulate` evaluate it: each row goes to its output
//! (standard output or an [`Outputs`] file, CSV or JSON) as soon as it exists, and only what
//! the pictures need is kept (a [`TimelinePlot`] and the first rows the HTML page shows), so
//! memory stays flat in the number of evaluations.

use std::io::Write as _;

use batch_autoscale::whatif::{csv_line, ReplayRow, Table, TimelinePlot, HTML_TIMELINE_ROWS};
use batch_autoscale::Timestamp;

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
}

/// Indent every line after the first of a pretty-printed JSON value by `depth` levels (JSON
/// strings hold no raw newline, so this only moves the layout).
fn indented(json: &str, depth: usize) -> String {
    json.replace('\n', &format!("\n{}", "  ".repeat(depth)))
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into())
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
        let stdout = matches!(destination, Destination::Stdout).then(|| std::io::BufWriter::new(std::io::stdout()));
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
        }
    }

    fn emit(&mut self, outputs: &mut Outputs, text: &str) {
        match self.destination {
            Destination::None => {}
            Destination::Stdout => {
                if let Some(w) = &mut self.stdout {
                    let _ = w.write_all(text.as_bytes());
                }
            }
            Destination::File(i) => outputs.file(i).write_str(text),
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

    /// Write one row: its CSV `cells`, its JSON form `json`, and `evaluation` for the plot.
    pub fn row(&mut self, outputs: &mut Outputs, cells: Vec<String>, json: &impl serde::Serialize, evaluation: &ReplayRow) {
        self.start(outputs);
        if let Some(plot) = &mut self.plot {
            plot.add(evaluation);
        }
        let text = if self.json {
            format!("{}\n    {}", if self.rows == 0 { "" } else { "," }, indented(&pretty(json), 2))
        } else {
            csv_line(&cells)
        };
        self.emit(outputs, &text);
        if let Some(kept) = &mut self.html_rows {
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
