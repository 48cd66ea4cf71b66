//! Reports for people: a summary as labelled lines (one column per formula or variant when
//! several are compared; the command line's), and a timeline as a table (CSV, HTML).

#[cfg(feature = "cli")]
use crate::builtins::Target;
#[cfg(feature = "cli")]
use crate::time::{TimeInterval, Timestamp};

#[cfg(feature = "cli")]
use super::replay::ReplaySummary;
#[cfg(feature = "cli")]
use super::simulate::SimulationSummary;

/// A table: a header and rows of cells (a timeline, one row per evaluation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// As CSV (RFC 4180 quoting where a cell needs it).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            out.push_str(&csv_line(row));
        }
        out
    }
}

/// One CSV line (with its newline) of these cells, RFC 4180 quoting where a cell needs it.
pub fn csv_line(cells: &[String]) -> String {
    let mut out = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push('\n');
    out
}

/// One line of a summary.
#[cfg(feature = "cli")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    /// What it is, e.g. `idle node-hours`.
    pub label: String,
    /// Its value as text, e.g. `12.5`.
    pub value: String,
}

/// A summary for people: a title (the formula or variant) and labelled values.
#[cfg(feature = "cli")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The column title.
    pub title: String,
    /// The lines, in order.
    pub lines: Vec<ReportLine>,
}

/// A time to the minute, `2026-11-23 10:05`.
#[cfg(feature = "cli")]
fn time(t: Timestamp) -> String {
    let s = t.format_results();
    format!("{} {}", &s[..10], &s[11..16])
}

/// An interval to the nearest second, as a `TimeSpan` (`1.02:03:04`).
#[cfg(feature = "cli")]
fn interval(i: TimeInterval) -> String {
    let second = TimeInterval::SECOND.0;
    TimeInterval((i.0 + second / 2).div_euclid(second) * second).format_results()
}

#[cfg(feature = "cli")]
impl Report {
    fn line(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.lines.push(ReportLine {
            label: label.into(),
            value: value.into(),
        });
    }

    /// The summary of a replay.
    pub fn replay(title: &str, s: &ReplaySummary) -> Report {
        let mut r = Report {
            title: title.to_string(),
            lines: Vec::new(),
        };
        r.evaluations(s);
        r.line("dedicated node-hours", format!("{:.1}", s.dedicated_node_hours));
        r.line("low-priority node-hours", format!("{:.1}", s.low_priority_node_hours));
        r
    }

    fn evaluations(&mut self, s: &ReplaySummary) {
        self.line("evaluations", s.evaluations.to_string());
        let failed: u64 = s.failures.values().map(|f| f.count).sum();
        self.line("failed evaluations", failed.to_string());
        for (code, f) in &s.failures {
            let when = if f.count == 1 {
                format!("at {}", time(f.first))
            } else {
                format!("{} … {}", time(f.first), time(f.last))
            };
            self.line(format!("  {code}"), format!("{} ({when})", f.count));
        }
        self.line(
            "first non-zero target after",
            s.time_to_first_nonzero.map_or("never".into(), interval),
        );
        for (name, t) in [
            (Target::Dedicated.name(), &s.dedicated),
            (Target::LowPriority.name(), &s.low_priority),
        ] {
            self.line(name, format!("{}–{}, mean {:.2}", t.min, t.max, t.mean));
        }
    }

    /// The summary of a simulation.
    pub fn simulation(title: &str, s: &SimulationSummary) -> Report {
        let mut r = Report {
            title: title.to_string(),
            lines: Vec::new(),
        };
        r.evaluations(&s.targets);
        r.line(
            "peak nodes (dedicated/low-priority)",
            format!("{}/{}", s.peak_dedicated_nodes, s.peak_low_priority_nodes),
        );
        r.line("dedicated node-hours", format!("{:.1}", s.targets.dedicated_node_hours));
        r.line("low-priority node-hours", format!("{:.1}", s.targets.low_priority_node_hours));
        r.line("idle node-hours", format!("{:.1}", s.idle_node_hours));
        r.line("slot utilisation", format!("{:.1} %", s.utilisation * 100.0));
        r.line("cost", format!("{:.2}", s.cost.total));
        let t = &s.tasks;
        r.line("tasks completed/submitted", format!("{}/{}", t.completed, t.submitted));
        r.line("tasks unfinished at the end", t.unfinished.to_string());
        r.line("tasks requeued by scale-down", t.requeued_by_scale_down.to_string());
        r.line("tasks lost by scale-down", t.lost_by_scale_down.to_string());
        r.line("tasks requeued by preemption", t.requeued_by_preemption.to_string());
        r.line("preemptions", s.preemptions.to_string());
        r.line("quota-capped evaluations", s.quota_capped_evaluations.to_string());
        match &s.wait {
            Some(w) => {
                for (label, v) in [("p50", w.p50), ("p95", w.p95), ("p99", w.p99), ("max", w.max)] {
                    r.line(format!("task wait {label}"), interval(v));
                }
            }
            None => r.line("task wait", "no task"),
        }
        r.line("makespan", s.makespan.map_or("unfinished".into(), interval));
        r
    }
}

/// Reports side by side: one label column, one value column per report (values aligned to
/// the right; a line one report lacks shows `-`).
#[cfg(feature = "cli")]
pub fn side_by_side(reports: &[Report]) -> String {
    let labels = labels(reports);
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let cells: Vec<Vec<String>> = reports.iter().map(|r| labels.iter().map(|l| value(r, l)).collect()).collect();
    let widths: Vec<usize> = reports
        .iter()
        .zip(&cells)
        .map(|(r, c)| {
            c.iter()
                .map(|v| v.chars().count())
                .chain([r.title.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let pad = |out: &mut String, s: &str, width: usize, right: bool| {
        let fill = " ".repeat(width.saturating_sub(s.chars().count()));
        if right {
            out.push_str(&fill);
            out.push_str(s);
        } else {
            out.push_str(s);
            out.push_str(&fill);
        }
    };
    pad(&mut out, "", label_width, false);
    for (r, w) in reports.iter().zip(&widths) {
        out.push_str("  ");
        pad(&mut out, &r.title, *w, true);
    }
    out.push('\n');
    for (i, label) in labels.iter().enumerate() {
        pad(&mut out, label, label_width, false);
        for (c, w) in cells.iter().zip(&widths) {
            out.push_str("  ");
            pad(&mut out, &c[i], *w, true);
        }
        out.push('\n');
    }
    out
}

/// Reports as CSV: one row per report, one column per line.
#[cfg(feature = "cli")]
pub fn reports_csv(reports: &[Report]) -> String {
    let labels = labels(reports);
    let table = Table {
        header: std::iter::once("variant".to_string())
            .chain(labels.iter().map(|l| l.trim().to_string()))
            .collect(),
        rows: reports
            .iter()
            .map(|r| std::iter::once(r.title.clone()).chain(labels.iter().map(|l| value(r, l))).collect())
            .collect(),
    };
    table.to_csv()
}

/// Every label, in the order of first appearance.
#[cfg(feature = "cli")]
pub(crate) fn labels(reports: &[Report]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for r in reports {
        for (i, line) in r.lines.iter().enumerate() {
            if !labels.contains(&line.label) {
                // Keep a label after the one it follows in its own report.
                let after = i.checked_sub(1).and_then(|j| labels.iter().position(|l| *l == r.lines[j].label));
                match after {
                    Some(p) => labels.insert(p + 1, line.label.clone()),
                    None => labels.push(line.label.clone()),
                }
            }
        }
    }
    labels
}

/// The value of `label` in `report`, `-` when it has none.
#[cfg(feature = "cli")]
pub(crate) fn value(report: &Report, label: &str) -> String {
    report
        .lines
        .iter()
        .find(|l| l.label == label)
        .map_or_else(|| "-".to_string(), |l| l.value.clone())
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    use super::*;

    fn report(title: &str, lines: &[(&str, &str)]) -> Report {
        Report {
            title: title.into(),
            lines: lines
                .iter()
                .map(|(l, v)| ReportLine {
                    label: l.to_string(),
                    value: v.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn reports_line_up_and_missing_lines_show_a_dash() {
        let a = report("a.formula", &[("evaluations", "5"), ("cost", "1.00")]);
        let b = report("b", &[("evaluations", "12"), ("  InsufficientSampleData", "3"), ("cost", "10.50")]);
        let text = side_by_side(&[a.clone(), b.clone()]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].ends_with("a.formula      b"), "{text}");
        assert!(lines[1].starts_with("evaluations ") && lines[1].ends_with("5     12"), "{text}");
        assert!(lines[2].contains("InsufficientSampleData") && lines[2].contains(" -  "), "{text}");
        assert!(lines[3].ends_with("1.00  10.50"), "{text}");
        assert_eq!(
            reports_csv(&[a, b]),
            "variant,evaluations,InsufficientSampleData,cost\na.formula,5,-,1.00\nb,12,3,10.50\n"
        );
    }

    #[test]
    fn csv_quotes_cells_that_need_it() {
        let t = Table {
            header: vec!["a".into(), "b".into()],
            rows: vec![vec!["x,y".into(), "say \"hi\"".into()]],
        };
        assert_eq!(t.to_csv(), "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n");
    }
}
