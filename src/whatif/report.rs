//! Reports for people: a summary as labelled lines (one column per formula or variant when
//! several are compared; the command line's), and a timeline as a table (CSV, HTML).

#[cfg(feature = "cli")]
use crate::builtins::Target;
#[cfg(feature = "cli")]
use crate::time::{TimeInterval, Timestamp};

use super::simulate::SimulationSummary;
use super::table::Table;
use super::timeline::ReplaySummary;

/// One line of a summary.
#[cfg(feature = "cli")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    /// What it is, e.g. `idle node-hours`.
    pub label: String,
    /// Its value as text, e.g. `12.5`.
    pub value: String,
}

/// One number of a summary, for a program or a spreadsheet: `dedicatedNodeHours` 22.58,
/// `waitP95Seconds` 3100.13 (`None` when there is none: no task waited, never non-zero).
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The column name, in camelCase as in JSON; durations in seconds end in `Seconds`.
    pub name: String,
    /// The value.
    pub value: Option<f64>,
}

/// A summary: a title (the formula or variant), labelled values for people and the same
/// figures as plain numbers (one CSV column each).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The column title.
    pub title: String,
    /// The lines, in order.
    pub lines: Vec<ReportLine>,
    /// The figures as numbers, in order.
    pub figures: Vec<Figure>,
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

fn seconds(i: TimeInterval) -> f64 {
    super::durations::seconds(i)
}

impl Report {
    fn line(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.lines.push(ReportLine {
            label: label.into(),
            value: value.into(),
        });
    }

    fn figure(&mut self, name: impl Into<String>, value: impl Into<Option<f64>>) {
        self.figures.push(Figure {
            name: name.into(),
            value: value.into(),
        });
    }

    /// A report titled `title` with no line yet.
    fn titled(title: &str) -> Report {
        Report {
            title: title.to_string(),
            lines: Vec::new(),
            figures: Vec::new(),
        }
    }

    /// The summary of a replay.
    pub fn replay(title: &str, s: &ReplaySummary) -> Report {
        let mut r = Report::titled(title);
        r.evaluations(s);
        r.node_hours(s);
        r
    }

    fn node_hours(&mut self, s: &ReplaySummary) {
        self.line("dedicated node-hours", format!("{:.1}", s.dedicated_node_hours));
        self.line("low-priority node-hours", format!("{:.1}", s.low_priority_node_hours));
        self.figure("dedicatedNodeHours", s.dedicated_node_hours);
        self.figure("lowPriorityNodeHours", s.low_priority_node_hours);
    }

    fn evaluations(&mut self, s: &ReplaySummary) {
        self.line("evaluations", s.evaluations.to_string());
        let failed: u64 = s.failures.values().map(|f| f.count).sum();
        self.line("failed evaluations", failed.to_string());
        self.figure("evaluations", s.evaluations as f64);
        self.figure("failedEvaluations", failed as f64);
        for (code, f) in &s.failures {
            self.figure(format!("failures.{code}"), f.count as f64);
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
        self.figure("timeToFirstNonzeroSeconds", s.time_to_first_nonzero.map(seconds));
        for (name, key, t) in [
            (Target::Dedicated.name(), "dedicated", &s.dedicated),
            (Target::LowPriority.name(), "lowPriority", &s.low_priority),
        ] {
            self.line(name, format!("{}–{}, mean {:.2}", t.min, t.max, t.mean));
            self.figure(format!("{key}Min"), t.min as f64);
            self.figure(format!("{key}Max"), t.max as f64);
            self.figure(format!("{key}Mean"), t.mean);
        }
    }

    /// The summary of a simulation.
    pub fn simulation(title: &str, s: &SimulationSummary) -> Report {
        let mut r = Report::titled(title);
        r.evaluations(&s.targets);
        r.line(
            "peak nodes (dedicated/low-priority)",
            format!("{}/{}", s.peak_dedicated_nodes, s.peak_low_priority_nodes),
        );
        r.figure("peakDedicatedNodes", f64::from(s.peak_dedicated_nodes));
        r.figure("peakLowPriorityNodes", f64::from(s.peak_low_priority_nodes));
        r.node_hours(&s.targets);
        r.line("idle node-hours", format!("{:.1}", s.idle_node_hours));
        r.figure("idleNodeHours", s.idle_node_hours);
        r.line("slot utilisation", format!("{:.1} %", s.utilisation * 100.0));
        r.figure("utilisation", s.utilisation);
        r.line("cost", format!("{:.2}", s.cost.total));
        r.figure("cost", s.cost.total);
        let t = &s.tasks;
        r.line("tasks completed/submitted", format!("{}/{}", t.completed, t.submitted));
        r.line("tasks unfinished at the end", t.unfinished.to_string());
        if t.oversized > 0 {
            r.line("tasks needing more slots than a node has", t.oversized.to_string());
        }
        r.line("tasks requeued by scale-down", t.requeued_by_scale_down.to_string());
        r.line("tasks lost by scale-down", t.lost_by_scale_down.to_string());
        r.line("tasks requeued by preemption", t.requeued_by_preemption.to_string());
        r.line("preemptions", s.preemptions.to_string());
        r.line("quota-capped evaluations", s.quota_capped_evaluations.to_string());
        for (name, v) in [
            ("tasksCompleted", t.completed),
            ("tasksSubmitted", t.submitted),
            ("tasksUnfinished", t.unfinished),
            ("tasksOversized", t.oversized),
            ("tasksRequeuedByScaleDown", t.requeued_by_scale_down),
            ("tasksLostByScaleDown", t.lost_by_scale_down),
            ("tasksRequeuedByPreemption", t.requeued_by_preemption),
            ("preemptions", s.preemptions),
            ("quotaCappedEvaluations", s.quota_capped_evaluations),
        ] {
            r.figure(name, v as f64);
        }
        match &s.wait {
            Some(w) => {
                for (label, v) in [("p50", w.p50), ("p95", w.p95), ("p99", w.p99), ("max", w.max)] {
                    r.line(format!("task wait {label}"), interval(v));
                }
            }
            None => r.line("task wait", "no task"),
        }
        for (name, v) in [
            ("waitP50Seconds", s.wait.map(|w| w.p50)),
            ("waitP95Seconds", s.wait.map(|w| w.p95)),
            ("waitP99Seconds", s.wait.map(|w| w.p99)),
            ("waitMaxSeconds", s.wait.map(|w| w.max)),
            ("waitMeanSeconds", s.wait.map(|w| w.mean)),
        ] {
            r.figure(name, v.map(seconds));
        }
        r.line("makespan", s.makespan.map_or("unfinished".into(), interval));
        r.figure("makespanSeconds", s.makespan.map(seconds));
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

/// Reports as CSV for a spreadsheet: one row per report, the title (`variant`) and then one
/// numeric column per [`Figure`] (durations in seconds, utilisation as a fraction; an empty
/// cell where a report has no value: no wait, never non-zero, or a failure code it lacks).
pub fn reports_csv(reports: &[Report]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for r in reports {
        for (i, f) in r.figures.iter().enumerate() {
            if !names.contains(&f.name.as_str()) {
                // Keep a figure after the one it follows in its own report.
                let after = i.checked_sub(1).and_then(|j| names.iter().position(|n| *n == r.figures[j].name));
                match after {
                    Some(p) => names.insert(p + 1, &f.name),
                    None => names.push(&f.name),
                }
            }
        }
    }
    let table = Table {
        header: std::iter::once("variant".to_string())
            .chain(names.iter().map(|n| n.to_string()))
            .collect(),
        rows: reports
            .iter()
            .map(|r| {
                std::iter::once(r.title.clone())
                    .chain(names.iter().map(|n| {
                        r.figures
                            .iter()
                            .find(|f| f.name == *n)
                            .and_then(|f| f.value)
                            .filter(|v| v.is_finite())
                            .map_or_else(String::new, |v| format!("{v}"))
                    }))
                    .collect()
            })
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
            figures: Vec::new(),
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
    }

    #[test]
    fn csv_has_one_number_per_column_and_empty_cells_for_none() {
        let mut a = Report::titled("a.formula");
        a.figure("evaluations", 5.0);
        a.figure("waitP50Seconds", None);
        a.figure("cost", 1.0);
        let mut b = Report::titled("b");
        b.figure("evaluations", 12.0);
        b.figure("failures.InsufficientSampleData", 3.0);
        b.figure("waitP50Seconds", 3319.5);
        b.figure("cost", 10.5);
        assert_eq!(
            reports_csv(&[a, b]),
            "variant,evaluations,failures.InsufficientSampleData,waitP50Seconds,cost\na.formula,5,,,1\nb,12,3,3319.5,10.5\n"
        );
    }
}
