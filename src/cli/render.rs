//! Rendering diagnostics for people (ariadne, with or without colour) and for machines (JSON).

use std::io::IsTerminal;

pub use crate::diagnostic::{bounded, json_diagnostic};
use crate::{Diagnostic, LineIndex, Severity};
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour standard error.
    pub fn stderr(self) -> bool {
        match self {
            ColorChoice::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            ColorChoice::Always => true,
            ColorChoice::Never => false,
        }
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Human,
    /// JSON for programs.
    Json,
}

/// At most this many diagnostics are rendered per file; the others are counted.
pub const MAX_RENDERED: usize = 200;

/// Source lines longer than this many bytes are shown as windows around the marked positions.
const MAX_LINE: usize = 160;

/// Bytes of a long line kept on each side of a marked position.
const WINDOW: usize = 40;

/// Render the diagnostics of one file: the first [`MAX_RENDERED`], then a line counting the
/// others. Output is bounded by the number of diagnostics shown, whatever the input.
pub fn render_diagnostics<'a>(path: &str, src: &str, diagnostics: impl IntoIterator<Item = &'a Diagnostic>, color: bool) -> String {
    let index = LineIndex::new(src);
    let mut out = String::new();
    let mut more = 0usize;
    for (i, d) in diagnostics.into_iter().enumerate() {
        if i < MAX_RENDERED {
            out.push_str(&render_with(&index, path, src, d, color));
        } else {
            more += 1;
        }
    }
    if more > 0 {
        let noun = if more == 1 { "diagnostic" } else { "diagnostics" };
        out.push_str(&format!("… and {more} more {noun} in {path}\n"));
    }
    out
}

/// Render one diagnostic like a compiler: `file:line:col`, the source line, the span underlined,
/// the message, notes and the fix.
pub fn render_diagnostic(path: &str, src: &str, d: &Diagnostic, color: bool) -> String {
    render_with(&LineIndex::new(src), path, src, d, color)
}

fn render_with(index: &LineIndex, path: &str, src: &str, d: &Diagnostic, color: bool) -> String {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
        Severity::Note => ReportKind::Advice,
    };
    let paint = match d.severity {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
        Severity::Note => Color::Cyan,
    };
    let range = clamp(src, d.span.start as usize, d.span.end as usize);
    let lc = index.line_col(range.start);
    let ranges: Vec<std::ops::Range<usize>> = std::iter::once(range.clone())
        .chain(d.labels.iter().map(|l| clamp(src, l.span.start as usize, l.span.end as usize)))
        .collect();
    let excerpt = Excerpt::new(src, &ranges);
    let at = |r: &std::ops::Range<usize>| excerpt.map(r.start)..excerpt.map(r.end);
    let message = bounded(&d.message);
    let mut report = Report::build(kind, (path.to_string(), at(&range)))
        .with_config(Config::default().with_index_type(IndexType::Byte).with_color(color))
        .with_code(format!("{} {}", d.code.as_str(), d.code.name()))
        .with_message(format!("{message} (at {path}:{}:{})", lc.line, lc.column))
        .with_label(Label::new((path.to_string(), at(&range))).with_message(&message).with_color(paint));
    for (l, r) in d.labels.iter().zip(&ranges[1..]) {
        report = report.with_label(
            Label::new((path.to_string(), at(r)))
                .with_message(bounded(&l.message))
                .with_color(Color::Blue),
        );
    }
    for n in &d.notes {
        report = report.with_note(bounded(n));
    }
    if let Some(fix) = &d.fix {
        report = report.with_help(bounded(&fix.message));
    }
    let mut out = Vec::new();
    if report
        .finish()
        .write((path.to_string(), Source::from(excerpt.text.as_ref())), &mut out)
        .is_err()
    {
        return format!("{path}:{}:{}: {message}\n", lc.line, lc.column);
    }
    let mut rendered = String::from_utf8_lossy(&out).into_owned();
    if excerpt.elided {
        // The header's column is counted in the excerpt; put the real one back.
        let column = |text: &str, offset: usize| {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            text[line_start..offset].chars().count() + 1
        };
        let shown = format!(" {path}:{}:{} ", lc.line, column(&excerpt.text, excerpt.map(range.start)));
        let real = format!(" {path}:{}:{} ", lc.line, column(src, range.start));
        rendered = rendered.replacen(&shown, &real, 1);
    }
    rendered
}

/// The source as a snippet shows it: lines longer than [`MAX_LINE`] that hold a marked
/// position are cut to windows around those positions, the cuts marked `…`.
struct Excerpt<'a> {
    text: std::borrow::Cow<'a, str>,
    /// Kept pieces: (start in the source, end in the source, start in `text`), in order.
    pieces: Vec<(usize, usize, usize)>,
    elided: bool,
}

impl<'a> Excerpt<'a> {
    fn new(src: &'a str, ranges: &[std::ops::Range<usize>]) -> Excerpt<'a> {
        let line_of = |p: usize| {
            let start = src[..p].rfind('\n').map_or(0, |i| i + 1);
            let end = src[p..].find('\n').map_or(src.len(), |i| p + i);
            (start, end)
        };
        // Windows to keep, in long lines that hold a marked position.
        let mut keep: Vec<(usize, usize)> = Vec::new();
        for p in ranges.iter().flat_map(|r| [r.start, r.end]) {
            let (start, end) = line_of(p);
            if end - start > MAX_LINE {
                let mut from = p.saturating_sub(WINDOW).max(start);
                while !src.is_char_boundary(from) {
                    from -= 1;
                }
                let mut to = (p + WINDOW).min(end);
                while !src.is_char_boundary(to) {
                    to += 1;
                }
                keep.push((from, to));
                // The rest of the line is cut: remember its ends.
                keep.push((start, start));
                keep.push((end, end));
            }
        }
        if keep.is_empty() {
            return Excerpt {
                text: src.into(),
                pieces: vec![(0, src.len(), 0)],
                elided: false,
            };
        }
        keep.sort_unstable();
        // Pieces of the source to copy: everything outside the long lines, and the windows.
        let mut cuts: Vec<(usize, usize)> = Vec::new(); // (from, to) ranges removed
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for (from, to) in keep {
            match windows.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => windows.push((from, to)),
            }
        }
        // A cut lies between two windows of the same long line.
        for pair in windows.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if a.1 < b.0 && !src[a.1..b.0].contains('\n') {
                cuts.push((a.1, b.0));
            }
        }
        let mut text = String::with_capacity(src.len().min(1 << 16));
        let mut pieces = Vec::new();
        let mut at = 0usize;
        for (from, to) in cuts {
            pieces.push((at, from, text.len()));
            text.push_str(&src[at..from]);
            text.push('…');
            at = to;
        }
        pieces.push((at, src.len(), text.len()));
        text.push_str(&src[at..]);
        Excerpt {
            text: text.into(),
            pieces,
            elided: true,
        }
    }

    /// Where a source offset (at a kept position) is in the excerpt.
    fn map(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|&(start, _, _)| start <= offset).saturating_sub(1);
        let (start, end, new_start) = self.pieces[i];
        new_start + offset.clamp(start, end) - start
    }
}

/// A byte range within `src`, on character boundaries, never empty (ariadne needs a character
/// to point at; an empty span at the end of a line points at the line end).
fn clamp(src: &str, start: usize, end: usize) -> std::ops::Range<usize> {
    let mut start = start.min(src.len());
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = end.clamp(start, src.len());
    while !src.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Read a formula file (`-` is standard input) as UTF-8, or say why not. A leading byte order
/// mark is dropped, so that positions count from the first character an editor shows.
pub fn read_source(path: &str) -> Result<String, String> {
    read_source_bom(path).map(|(text, _)| text)
}

/// [`read_source`], also saying whether the file started with a byte order mark.
pub fn read_source_bom(path: &str) -> Result<(String, bool), String> {
    let text = read_source_raw(path)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest.to_string(), true),
        None => (text, false),
    })
}

/// The text of a formula file (`-` is standard input), bounded as
/// [`crate::data::read_bytes`] says.
fn read_source_raw(path: &str) -> Result<String, String> {
    if path == "-" {
        return crate::data::read_stdin_text().map_err(|e| e.to_string());
    }
    crate::data::read_text(std::path::Path::new(path)).map_err(|e| e.to_string())
}

/// The display name of a path (`<stdin>` for `-`).
pub fn display_name(path: &str) -> String {
    if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    }
}
