//! Rendering diagnostics for people (ariadne, with or without colour) and for machines (JSON).

use std::io::IsTerminal;

use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
pub use batch_autoscale::diagnostic::json_diagnostic;
use batch_autoscale::{Diagnostic, LineIndex, Severity};

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

/// Render one diagnostic like a compiler: `file:line:col`, the source line, the span underlined,
/// the message, notes and the fix.
pub fn render_diagnostic(path: &str, src: &str, d: &Diagnostic, color: bool) -> String {
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
    let index = LineIndex::new(src);
    let lc = index.line_col(range.start);
    let mut report = Report::build(kind, (path.to_string(), range.clone()))
        .with_config(Config::default().with_index_type(IndexType::Byte).with_color(color))
        .with_code(format!("{} {}", d.code.as_str(), d.code.name()))
        .with_message(format!("{} (at {path}:{}:{})", d.message, lc.line, lc.column))
        .with_label(Label::new((path.to_string(), range)).with_message(&d.message).with_color(paint));
    for l in &d.labels {
        let r = clamp(src, l.span.start as usize, l.span.end as usize);
        report = report.with_label(Label::new((path.to_string(), r)).with_message(&l.message).with_color(Color::Blue));
    }
    for n in &d.notes {
        report = report.with_note(n);
    }
    if let Some(fix) = &d.fix {
        report = report.with_help(&fix.message);
    }
    let mut out = Vec::new();
    if report.finish().write((path.to_string(), Source::from(src)), &mut out).is_err() {
        return format!("{path}:{}:{}: {}\n", lc.line, lc.column, d.message);
    }
    String::from_utf8_lossy(&out).into_owned()
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

/// Read a formula file (`-` is standard input) as UTF-8, or say why not (bounded as
/// [`batch_autoscale::data::read_bytes`] says).
pub fn read_source(path: &str) -> Result<String, String> {
    if path == "-" {
        return batch_autoscale::data::read_stdin_text().map_err(|e| e.to_string());
    }
    batch_autoscale::data::read_text(std::path::Path::new(path)).map_err(|e| e.to_string())
}

/// The display name of a path (`<stdin>` for `-`).
pub fn display_name(path: &str) -> String {
    if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    }
}
