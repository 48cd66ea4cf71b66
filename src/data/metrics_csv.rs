//! CSV metric files, long form (`timestamp,metric,value`) or wide (one column per metric), read
//! into [`MetricData`] with errors at their line and field.

use std::collections::BTreeMap;

use super::history::MetricData;
use super::location::DataError;
use super::timestamp::TimestampReader;
use crate::builtins::{self, Metric, VariableKind};
use crate::eval::{MetricHistory, MetricStore};
use crate::time::Timestamp;

mod lines;

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

/// A CSV reader with a header row, fixed field counts and trimmed fields.
#[cfg(any(feature = "whatif", test))]
pub(crate) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

/// Read CSV metric data, long or wide (see the module docs).
///
/// Files whose samples are in time order for each metric (nearly all) are read in one pass
/// straight into the histories; a file with a sample earlier than one before it is read again
/// and sorted. Files without quotes (and without a carriage return that does not end a line)
/// are split by hand; others go through the `csv` crate. Both give the same records, lines and
/// errors as the `csv` crate reading the file with a header row, fixed field counts and trimmed
/// fields (`tests` below checks it on random files).
pub fn parse_csv(text: &str, path: &str) -> Result<MetricData, DataError> {
    let plain = is_plain(text.as_bytes());
    parse_with(text, path, plain)
}

fn parse_with(text: &str, path: &str, plain: bool) -> Result<MetricData, DataError> {
    let rows = count_lines(text.as_bytes()) + 1;
    match ingest(text, path, plain, InOrder::new(rows)) {
        Ok(data) => Ok(data),
        Err(Stop::Error(e)) => Err(e),
        Err(Stop::OutOfOrder) => ingest(text, path, plain, Sorting::default()).map_err(|stop| match stop {
            Stop::Error(e) => e,
            Stop::OutOfOrder => DataError::Io {
                path: path.into(),
                message: "internal error: sorted samples out of order".into(),
            },
        }),
    }
}

/// The line feeds in `b`, counted in blocks of 128 bytes (a fixed-length loop compiles to
/// vector compares: about a quarter of an instruction a byte).
fn count_lines(b: &[u8]) -> usize {
    let mut blocks = b.chunks_exact(128);
    let mut n = 0;
    for block in &mut blocks {
        n += usize::from(block.iter().fold(0u8, |k, &c| k + u8::from(c == b'\n')));
    }
    n + blocks.remainder().iter().filter(|&&c| c == b'\n').count()
}

/// Whether `text` can be split by hand: no quote, and every carriage return ends a line.
fn is_plain(text: &[u8]) -> bool {
    memchr::memchr(b'"', text).is_none() && memchr::memchr_iter(b'\r', text).all(|i| text.get(i + 1) == Some(&b'\n'))
}

/// Why reading stopped.
enum Stop {
    /// A problem with the file.
    Error(DataError),
    /// A metric's samples are not in time order: read again with [`Sorting`].
    OutOfOrder,
}

impl From<DataError> for Stop {
    fn from(e: DataError) -> Stop {
        Stop::Error(e)
    }
}

/// Errors at a place in the file.
#[derive(Clone, Copy)]
struct Place<'p>(&'p str);

impl Place<'_> {
    fn at(self, line: u64, column: u64, message: String) -> DataError {
        DataError::At {
            path: self.0.into(),
            line,
            column,
            message,
        }
    }
}

/// The fields of the current record, trimmed.
enum Fields<'a> {
    /// Fields split by hand, already trimmed.
    Plain(std::slice::Iter<'a, &'a str>),
    /// Fields the `csv` crate read.
    Csv(csv::ByteRecordIter<'a>),
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        match self {
            Fields::Plain(cells) => cells.next().copied(),
            Fields::Csv(cells) => cells.next().map(|f| std::str::from_utf8(f).unwrap_or("\u{fffd}").trim()),
        }
    }
}

/// `text` without surrounding white space, as `str::trim` gives it (quickly when it has none).
#[inline]
fn trim(text: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x80);
    if plain(text.as_bytes().first()) && plain(text.as_bytes().last()) {
        text
    } else {
        text.trim()
    }
}

/// The line (from 1) of the record that starts at or after byte `at` of `text`: line breaks and
/// blank lines before it are skipped (the `csv` crate places a record where it began reading,
/// which may be a blank line or the `\n` of the previous `\r\n`).
fn record_line(text: &str, at: usize, counted: &mut (usize, u64)) -> u64 {
    let b = text.as_bytes();
    let mut start = at.min(b.len());
    while start < b.len() && matches!(b[start], b'\r' | b'\n') {
        start += 1;
    }
    let (from, lines) = if counted.0 <= start { *counted } else { (0, 0) };
    let lines = lines + memchr::memchr_iter(b'\n', &b[from..start]).count() as u64;
    *counted = (start, lines);
    lines + 1
}

/// The records of a file, the header first, each with its line in the file.
enum Records<'t> {
    Plain {
        text: &'t str,
        /// Byte offset of the next line.
        pos: usize,
        /// Number of the next line, from 0.
        next_line: u64,
        /// The fields of the first record: every other must have as many.
        expected: Option<usize>,
        /// The current record's fields, trimmed.
        cells: Vec<&'t str>,
    },
    Csv {
        text: &'t str,
        reader: csv::Reader<&'t [u8]>,
        record: csv::ByteRecord,
        /// A byte offset and the line breaks before it, so that counting lines stays linear.
        counted: (usize, u64),
    },
}

/// A record that cannot be read.
enum RecordError {
    /// Its line, the first record's field count and its own.
    Unequal { line: u64, expected: usize, len: usize },
    /// Its line and what the `csv` crate says.
    Other(u64, String),
}

impl<'t> Records<'t> {
    fn new(text: &'t str, plain: bool) -> Records<'t> {
        if plain {
            Records::Plain {
                text,
                pos: 0,
                next_line: 0,
                expected: None,
                cells: Vec::new(),
            }
        } else {
            Records::Csv {
                text,
                counted: (0, 0),
                reader: csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(false)
                    .from_reader(text.as_bytes()),
                record: csv::ByteRecord::new(),
            }
        }
    }

    /// Move to the next record and give its line; `None` at the end.
    fn advance(&mut self) -> Result<Option<u64>, RecordError> {
        match self {
            Records::Plain {
                text,
                pos,
                next_line,
                expected,
                cells,
            } => loop {
                let text: &'t str = text;
                if *pos >= text.len() {
                    return Ok(None);
                }
                // Commas and the line end in one search.
                cells.clear();
                let (mut start, mut end, mut newline) = (*pos, text.len(), false);
                for i in memchr::memchr2_iter(b',', b'\n', &text.as_bytes()[*pos..]) {
                    let i = *pos + i;
                    if text.as_bytes()[i] == b'\n' {
                        (end, newline) = (i, true);
                        break;
                    }
                    cells.push(&text[start..i]);
                    start = i + 1;
                }
                let mut last = &text[start..end];
                if newline && last.ends_with('\r') {
                    last = &last[..last.len() - 1];
                }
                let this = *next_line;
                *pos = end + usize::from(newline);
                *next_line += 1;
                if cells.is_empty() && last.is_empty() {
                    continue; // blank lines are skipped
                }
                cells.push(last);
                for cell in cells.iter_mut() {
                    *cell = trim(cell);
                }
                let line = this + 1;
                let expected = *expected.get_or_insert(cells.len());
                if cells.len() != expected {
                    return Err(RecordError::Unequal {
                        line,
                        expected,
                        len: cells.len(),
                    });
                }
                return Ok(Some(line));
            },
            Records::Csv {
                text,
                reader,
                record,
                counted,
            } => match reader.read_byte_record(record) {
                Ok(false) => Ok(None),
                Ok(true) => Ok(Some(record.position().map_or(0, |p| record_line(text, p.byte() as usize, counted)))),
                Err(e) => {
                    let line = e.position().map_or(0, |p| record_line(text, p.byte() as usize, counted));
                    Err(match e.kind() {
                        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => RecordError::Unequal {
                            line,
                            expected: *expected_len as usize,
                            len: *len as usize,
                        },
                        _ => RecordError::Other(line, e.to_string()),
                    })
                }
            },
        }
    }

    /// The fields of the current record.
    fn fields(&self) -> Fields<'_> {
        match self {
            Records::Plain { cells, .. } => Fields::Plain(cells.iter()),
            Records::Csv { record, .. } => Fields::Csv(record.iter()),
        }
    }
}

/// Read the file into `collect`.
fn ingest(text: &str, path: &str, plain: bool, mut collect: impl Collect) -> Result<MetricData, Stop> {
    let place = Place(path);
    let at = |line: u64, column: u64, message: String| Stop::Error(place.at(line, column, message));
    let mut records = Records::new(text, plain);
    let headers: Vec<String> = match records.advance() {
        Ok(None) => Vec::new(),
        Ok(Some(_)) => records.fields().map(str::to_string).collect(),
        // The first record has nothing to be unequal to; no other error is possible in text.
        Err(_) => return Err(at(1, 1, "the header row cannot be read".into())),
    };
    if headers.is_empty() || !headers[0].eq_ignore_ascii_case("timestamp") && !headers[0].eq_ignore_ascii_case("time") {
        return Err(at(
            1,
            1,
            "the first column must be `timestamp`; then either `metric,value` (long form) or one column per metric (wide form)".into(),
        ));
    }
    let long = headers.len() == 3 && headers[1].eq_ignore_ascii_case("metric") && headers[2].eq_ignore_ascii_case("value");
    let mut targets: Vec<Target> = Vec::new();
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
        }
        collect.reserve_each(targets.len());
    }
    // Long form: the target of each spelling met so far, the last one first.
    let mut spellings: Vec<(String, usize)> = Vec::new();
    let mut times = TimestampReader::default();
    // The values of a wide row read by `lines::wide_row`.
    let mut values: Vec<Option<f64>> = vec![None; if long { 0 } else { targets.len() }];
    loop {
        // The common shapes in one scan (see `lines`); any other row, from its start, below.
        if let Records::Plain { text, pos, next_line, .. } = &mut records {
            let b = text.as_bytes();
            let line = *next_line + 1;
            if long {
                if let Some((name, index)) = spellings.first() {
                    if let Some((time, value, next)) = lines::long_row(b, *pos, &mut times, name.as_bytes()) {
                        (*pos, *next_line) = (next, line);
                        if let Some(value) = value {
                            collect.add(*index, &targets[*index], time, value, line, 3)?;
                        }
                        continue;
                    }
                }
            } else if let Some((time, next)) = lines::wide_row(b, *pos, &mut times, &mut values) {
                (*pos, *next_line) = (next, line);
                for (i, value) in values.iter().enumerate() {
                    if let Some(value) = *value {
                        collect.add(i, &targets[i], time, value, line, i as u64 + 2)?;
                    }
                }
                continue;
            }
        }
        let line = match records.advance() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(RecordError::Unequal { line, expected, len }) => {
                return Err(at(
                    line,
                    len.min(expected) as u64 + 1,
                    format!("this row has {len} fields but the header has {expected}"),
                ))
            }
            Err(RecordError::Other(line, message)) => return Err(at(line, 1, message)),
        };
        let mut cells = records.fields();
        let time_text = cells.next().unwrap_or("");
        let time = times
            .parse(time_text)
            .map_err(|e| at(line, 1, format!("bad timestamp {time_text:?}: {e}")))?;
        let mut add = |index: usize, targets: &[Target], text: &str, column: u64| -> Result<(), Stop> {
            if text.is_empty() {
                return Ok(()); // a sample that was never recorded
            }
            let value = number(text).ok_or_else(|| at(line, column, format!("{text:?} is not a number")))?;
            if !value.is_finite() {
                return Err(at(
                    line,
                    column,
                    format!("{text:?} is not a finite number; leave the cell empty for a missing sample"),
                ));
            }
            collect.add(index, &targets[index], time, value, line, column)
        };
        if long {
            let name = cells.next().unwrap_or("");
            let index = match spellings.iter().position(|(s, _)| s == name) {
                Some(0) => spellings[0].1,
                Some(i) => {
                    spellings.swap(0, i);
                    spellings[0].1
                }
                None => {
                    let t = resolve(name).map_err(|m| at(line, 2, m))?;
                    let index = match targets.iter().position(|u| u.name() == t.name()) {
                        Some(i) => i,
                        None => {
                            targets.push(t);
                            targets.len() - 1
                        }
                    };
                    spellings.insert(0, (name.to_string(), index));
                    index
                }
            };
            add(index, &targets, cells.next().unwrap_or(""), 3)?;
        } else {
            for (i, field) in cells.enumerate() {
                add(i, &targets, field, i as u64 + 2)?;
            }
        }
    }
    collect.finish(&targets, place).map_err(Stop::Error)
}

/// A sample value: digits alone (the common case) read directly, anything else as Rust reads
/// an `f64` (which gives the same double for digits alone).
fn number(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    if !b.is_empty() && b.len() <= 15 && b.iter().all(u8::is_ascii_digit) {
        let n = b.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
        return Some(n as f64);
    }
    text.parse().ok()
}

/// Where the samples go as they are read.
trait Collect {
    /// Make room for a file of one sample per row for each of `targets` (wide form).
    fn reserve_each(&mut self, targets: usize);
    /// One sample of target `index`.
    fn add(&mut self, index: usize, target: &Target, time: Timestamp, value: f64, line: u64, column: u64) -> Result<(), Stop>;
    /// The data, or the first problem with it (by target, then by time).
    fn finish(self, targets: &[Target], place: Place<'_>) -> Result<MetricData, DataError>;
}

/// Samples in time order, pushed straight into the histories; a problem (a second sample at
/// one time) is kept until the end, where the first is reported, as [`Sorting`] reports it.
struct InOrder {
    /// Rows in the file, at most.
    rows: usize,
    /// Whether each history is sized for every row (wide form).
    reserve: bool,
    tracks: Vec<Track>,
    data: MetricData,
    scalars: Vec<(Vec<i64>, Vec<f64>)>,
}

/// One target's samples so far.
#[derive(Default)]
struct Track {
    /// Time and line of the first sample and of the last.
    first: Option<(i64, u64)>,
    last: (i64, u64),
    /// The first second sample at a time: its line, column and time, and the first one's line.
    duplicate: Option<(u64, u64, Timestamp, u64)>,
    /// The first sample the history refused: line, column, why.
    refused: Option<(u64, u64, String)>,
}

impl InOrder {
    fn new(rows: usize) -> InOrder {
        InOrder {
            rows,
            reserve: false,
            tracks: Vec::new(),
            data: MetricData {
                metrics: MetricStore::new(),
                ..MetricData::default()
            },
            scalars: Vec::new(),
        }
    }
}

impl Collect for InOrder {
    fn reserve_each(&mut self, _targets: usize) {
        self.reserve = true;
    }

    #[inline]
    fn add(&mut self, index: usize, target: &Target, time: Timestamp, value: f64, line: u64, column: u64) -> Result<(), Stop> {
        // The usual case: a metric's sample later than its last one (finite: the reader
        // checked), which its history takes as it is.
        if let (Some(track), Target::Metric(m)) = (self.tracks.get_mut(index), target) {
            if track.first.is_some() && time.0 > track.last.0 && track.refused.is_none() {
                track.last = (time.0, line);
                self.data.metrics.history_mut(*m).push_later(time, value);
                return Ok(());
            }
        }
        self.add_other(index, target, time, value, line, column)
    }

    fn finish(self, targets: &[Target], place: Place<'_>) -> Result<MetricData, DataError> {
        self.finish_in_order(targets, place)
    }
}

impl InOrder {
    /// [`Collect::add`] in any case but the usual one.
    fn add_other(&mut self, index: usize, target: &Target, time: Timestamp, value: f64, line: u64, column: u64) -> Result<(), Stop> {
        if self.tracks.len() <= index {
            self.tracks.resize_with(index + 1, Track::default);
            self.scalars.resize_with(index + 1, Default::default);
        }
        let track = &mut self.tracks[index];
        match track.first {
            None => {
                track.first = Some((time.0, line));
                if let (Target::Metric(m), true) = (target, self.reserve) {
                    self.data.metrics.set_history(*m, MetricHistory::with_capacity(self.rows));
                }
            }
            Some(_) if time.0 < track.last.0 => return Err(Stop::OutOfOrder),
            Some(_) if time.0 == track.last.0 => {
                track.duplicate.get_or_insert((line, column, time, track.last.1));
                return Ok(());
            }
            Some(_) => {}
        }
        track.last = (time.0, line);
        match target {
            Target::Metric(m) => {
                if let Err(e) = self.data.metrics.history_mut(*m).push(time, value) {
                    track.refused.get_or_insert((line, column, e.to_string()));
                }
            }
            Target::Scalar(_) => {
                let (times, values) = &mut self.scalars[index];
                times.push(time.0);
                values.push(value);
            }
        }
        Ok(())
    }

    fn finish_in_order(mut self, targets: &[Target], place: Place<'_>) -> Result<MetricData, DataError> {
        for (index, track) in self.tracks.iter_mut().enumerate() {
            let Some((first, _)) = track.first else { continue };
            if let Some((line, column, time, first_line)) = track.duplicate {
                return Err(place.at(line, column, duplicate(time, first_line)));
            }
            if let Some((line, column, message)) = track.refused.take() {
                return Err(place.at(line, column, message));
            }
            let (first, last) = (Timestamp(first), Timestamp(track.last.0));
            self.data.first = Some(self.data.first.map_or(first, |f| f.min(first)));
            self.data.last = Some(self.data.last.map_or(last, |l| l.max(last)));
            if let (Some(Target::Scalar(name)), Some((times, values))) = (targets.get(index), self.scalars.get_mut(index)) {
                let s = self.data.scalars.entry(name).or_default();
                s.times = std::mem::take(times);
                s.values = std::mem::take(values);
            }
        }
        Ok(self.data)
    }
}

/// The message of a second sample at `time`.
fn duplicate(time: Timestamp, first_line: u64) -> String {
    format!("a second sample at {} (the first is on line {first_line})", time.format_results())
}

/// A sample with its place in the file.
struct Point {
    time: Timestamp,
    value: f64,
    line: u64,
    column: u64,
}

/// Samples in any order: kept with their places, sorted by time at the end.
#[derive(Default)]
struct Sorting {
    points: Vec<Vec<Point>>,
}

impl Collect for Sorting {
    fn reserve_each(&mut self, _targets: usize) {}

    fn add(&mut self, index: usize, _target: &Target, time: Timestamp, value: f64, line: u64, column: u64) -> Result<(), Stop> {
        if self.points.len() <= index {
            self.points.resize_with(index + 1, Vec::new);
        }
        self.points[index].push(Point { time, value, line, column });
        Ok(())
    }

    fn finish(self, targets: &[Target], place: Place<'_>) -> Result<MetricData, DataError> {
        let mut data = MetricData {
            metrics: MetricStore::new(),
            ..MetricData::default()
        };
        for (index, mut series) in self.points.into_iter().enumerate() {
            if series.is_empty() {
                continue;
            }
            series.sort_by_key(|p| p.time);
            for pair in series.windows(2) {
                if pair[0].time == pair[1].time {
                    return Err(place.at(pair[1].line, pair[1].column, duplicate(pair[1].time, pair[0].line)));
                }
            }
            if let (Some(a), Some(b)) = (series.first(), series.last()) {
                data.first = Some(data.first.map_or(a.time, |f| f.min(a.time)));
                data.last = Some(data.last.map_or(b.time, |l| l.max(b.time)));
            }
            match targets.get(index) {
                Some(Target::Metric(m)) => {
                    let history = data.metrics.history_mut(*m);
                    for p in &series {
                        history
                            .push(p.time, p.value)
                            .map_err(|e| place.at(p.line, p.column, e.to_string()))?;
                    }
                }
                Some(Target::Scalar(name)) => {
                    let s = data.scalars.entry(name).or_default();
                    s.times = series.iter().map(|p| p.time.0).collect();
                    s.values = series.iter().map(|p| p.value).collect();
                }
                None => {}
            }
        }
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;
    use proptest::prelude::*;

    #[test]
    fn errors_name_the_line_after_blank_lines_and_in_crlf_files() {
        // (file, line of the bad cell); each also with a quoted header, which takes the csv
        // crate's path instead of the hand-split one.
        let table = [
            ("timestamp,$PendingTasks\n2026-11-23T12:00:00Z,1\n\n2026-11-23T12:00:30Z,x\n", 4),
            ("timestamp,$PendingTasks\n\n\n2026-11-23T12:00:00Z,x\n", 4),
            ("timestamp,$PendingTasks\r\n2026-11-23T12:00:00Z,1\r\n2026-11-23T12:00:30Z,x\r\n", 3),
            (
                "timestamp,$PendingTasks\r\n\r\n2026-11-23T12:00:00Z,1\r\n2026-11-23T12:00:30Z,x\r\n",
                4,
            ),
            ("timestamp,$PendingTasks\n2026-11-23T12:00:00Z,1,2\n", 2),
            ("timestamp,$PendingTasks\r\n\r\n2026-11-23T12:00:00Z,1,2\r\n", 3),
        ];
        for (text, want) in table {
            for text in [text.to_string(), text.replacen("$PendingTasks", "\"$PendingTasks\"", 1)] {
                match parse_csv(&text, "m.csv") {
                    Err(DataError::At { line, .. }) => assert_eq!(line, want, "{text:?}"),
                    other => panic!("{text:?}: {other:?}"),
                }
            }
        }
    }

    /// The reader before the fast paths (`csv` string records, every sample kept with its
    /// place and sorted), kept as the oracle the fast paths must agree with.
    fn reference(text: &str, path: &str) -> Result<MetricData, DataError> {
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
        let mut sorting = Sorting::default();
        let mut targets: Vec<Target> = Vec::new();
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
            }
        }
        let mut name_index: BTreeMap<String, usize> = BTreeMap::new();
        let mut canonical_index: BTreeMap<&'static str, usize> = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| record_line(text, p.byte() as usize, &mut (0, 0)));
                match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => at(
                        line,
                        (*len).min(*expected_len) + 1,
                        format!("this row has {len} fields but the header has {expected_len}"),
                    ),
                    _ => at(line, 1, e.to_string()),
                }
            })?;
            let line = record.position().map_or(0, |p| record_line(text, p.byte() as usize, &mut (0, 0)));
            let time_text = record.get(0).unwrap_or("");
            let time = parse_rfc3339(time_text).map_err(|e| at(line, 1, format!("bad timestamp {time_text:?}: {e}")))?;
            let mut add = |target: usize, targets: &[Target], text: &str, column: u64| -> Result<(), DataError> {
                if text.is_empty() {
                    return Ok(());
                }
                let value: f64 = text.parse().map_err(|_| at(line, column, format!("{text:?} is not a number")))?;
                if !value.is_finite() {
                    return Err(at(
                        line,
                        column,
                        format!("{text:?} is not a finite number; leave the cell empty for a missing sample"),
                    ));
                }
                let _ = sorting.add(target, &targets[target], time, value, line, column);
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
                add(index, &targets, record.get(2).unwrap_or(""), 3)?;
            } else {
                for (i, field) in record.iter().enumerate().skip(1) {
                    add(i - 1, &targets, field, i as u64 + 1)?;
                }
            }
        }
        sorting.finish(&targets, Place(path))
    }

    fn shown(r: Result<MetricData, DataError>) -> String {
        match r {
            Ok(d) => format!("{:?} {:?} {:?} {:?}", d.metrics, d.scalars, d.first, d.last),
            Err(e) => e.to_string(),
        }
    }

    /// Header cells, then cells and line ends of rows.
    const HEADERS: &[&str] = &[
        "timestamp",
        "time",
        "Timestamp ",
        "metric",
        "value",
        "$PendingTasks",
        " PendingTasks",
        "$ActiveTasks",
        "$CurrentDedicatedNodes",
        "$TaskSlotsPerNode",
        "$TargetDedicatedNodes",
        "$Nope",
        "",
    ];
    const CELLS: &[&str] = &[
        "2026-11-23T12:00:00Z",
        "2026-11-23T12:00:30Z",
        " 2026-11-23T12:01:00.5+00:00",
        "2026-11-23T11:59:30Z",
        "2026-11-23T12:00:00",
        "2026-11-23 12:02:00Z",
        "\u{a0}2026-11-23T12:00:00Z",
        "2026-11-23T12:01:00.5+00:00",
        "2026-11-23T12:02:00Z ",
        "2026-11-23T12:03:00.25Z",
        "2026-11-23t12:04:00z",
        "$PendingTasks",
        "PendingTasks",
        "$CurrentDedicatedNodes",
        "$Nope",
        "1",
        "12",
        "007",
        "123456789012345",
        "1234567890123456",
        "$PendingTasks ",
        " 3 ",
        "2.5",
        "-0",
        "1e3",
        "NaN",
        "inf",
        "x",
        "",
        "\"4\"",
        "\"a,b\"",
        "\u{a0}7",
    ];
    const ENDS: &[&str] = &["\n", "\n", "\n", "\r\n", "\n\n", "\r\n\r\n", "\r", " \n", ""];

    fn file() -> impl Strategy<Value = String> {
        let header = (
            prop::sample::select(&HEADERS[..3]),
            prop::collection::vec(prop::sample::select(&HEADERS[3..]), 0..4),
        )
            .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect::<Vec<_>>().join(","));
        let long = Just("timestamp,metric,value".to_string());
        let row = (prop::collection::vec(prop::sample::select(CELLS), 1..5), prop::sample::select(ENDS))
            .prop_map(|(cells, end)| format!("{}{end}", cells.join(",")));
        (
            prop_oneof![header, long],
            prop::sample::select(ENDS),
            prop::collection::vec(row, 0..8),
        )
            .prop_map(|(h, end, rows)| format!("{h}{end}{}", rows.concat()))
    }

    /// A well-formed file, wide or long, its rows shuffled now and then.
    fn well_formed() -> impl Strategy<Value = String> {
        (
            any::<bool>(),
            prop::collection::vec((0i64..40, 0u32..100, any::<bool>()), 0..30),
            any::<bool>(),
        )
            .prop_map(|(long, rows, crlf)| {
                let end = if crlf { "\r\n" } else { "\n" };
                let mut text = String::from(if long {
                    "timestamp,metric,value"
                } else {
                    "timestamp,$PendingTasks,$CurrentDedicatedNodes"
                });
                text.push_str(end);
                for (t, v, empty) in rows {
                    let time = Timestamp(1_700_000_000 * 10_000_000 + t * 300_000_000).format_results();
                    let cell = if empty { String::new() } else { v.to_string() };
                    if long {
                        text.push_str(&format!(
                            "{time},{},{cell}{end}",
                            if v % 2 == 0 { "$PendingTasks" } else { "CurrentDedicatedNodes" }
                        ));
                    } else {
                        text.push_str(&format!("{time},{cell},{v}{end}"));
                    }
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The fast reader (split by hand when it can, in one pass when the samples are in
        /// order) gives the same data and the same errors as the reader before it.
        #[test]
        fn fast_csv_reading_agrees_with_the_reference(text in prop_oneof![file(), well_formed()]) {
            let expected = shown(reference(&text, "x.csv"));
            prop_assert_eq!(shown(parse_csv(&text, "x.csv")), expected.clone());
            // Both splitters, whichever the file allows.
            prop_assert_eq!(shown(parse_with(&text, "x.csv", false)), expected.clone());
            if is_plain(text.as_bytes()) {
                prop_assert_eq!(shown(parse_with(&text, "x.csv", true)), expected);
            }
        }
    }

    #[test]
    fn lines_are_counted_as_the_csv_crate_counts_them() {
        for text in [
            "timestamp,$PendingTasks\n2026-11-23T12:00:00Z,abc\n",
            "timestamp,$PendingTasks\n\n\n2026-11-23T12:00:00Z,abc\n",
            "timestamp,$PendingTasks\r\n2026-11-23T12:00:00Z,1\r\n2026-11-23T12:00:30Z,abc\r\n",
            "timestamp,$PendingTasks\n2026-11-23T12:00:00Z,1\n\n2026-11-23T12:00:30Z,1,2\n",
            "timestamp,$PendingTasks\n2026-11-23T12:00:30Z,1\n2026-11-23T12:00:00Z,1\n2026-11-23T12:00:00Z,2\n",
        ] {
            let expected = shown(reference(text, "x.csv"));
            assert_eq!(shown(parse_with(text, "x.csv", true)), expected, "{text:?}");
            assert_eq!(shown(parse_with(text, "x.csv", false)), expected, "{text:?}");
        }
    }
}
