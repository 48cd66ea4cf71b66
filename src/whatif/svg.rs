//! An SVG picture of a replay or a simulation: demand (pending, active and running tasks, from
//! the samples), both targets and the current nodes over time, failed evaluations marked in
//! red. Hand-written SVG: no fonts or rendering libraries needed, and the file opens in any
//! browser (and sits inline in the HTML report).

use std::fmt::Write;

use crate::builtins::Metric;
#[cfg(feature = "cli")]
use crate::data::MetricData;
use crate::eval::MetricStore;

use crate::time::Timestamp;

#[cfg(feature = "cli")]
use super::replay::Replay;
use super::replay::ReplayRow;
#[cfg(feature = "cli")]
use super::simulate::Simulation;

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 50.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 80.0;

/// Draw the replay (and the demand in `data`) as an SVG document titled `title`.
#[cfg(feature = "cli")]
pub fn timeline_svg(replay: &Replay, data: &MetricData, title: &str) -> String {
    match &replay.plot {
        Some(plot) => plot.svg(&data.metrics, title),
        None => plot_rows(replay.rows.iter()).svg(&data.metrics, title),
    }
}

/// Draw the simulation (its sampled demand, targets and nodes) as an SVG document.
#[cfg(feature = "cli")]
pub fn simulation_svg(simulation: &Simulation, title: &str) -> String {
    match &simulation.plot {
        Some(plot) => plot.svg(&simulation.metrics, title),
        None => plot_rows(simulation.rows.iter().map(|r| &r.evaluation)).svg(&simulation.metrics, title),
    }
}

#[cfg(feature = "cli")]
fn plot_rows<'a>(rows: impl Iterator<Item = &'a ReplayRow> + Clone) -> TimelinePlot {
    let mut times = rows.clone().map(|r| r.time);
    let first = times.next();
    let last = times.last().or(first);
    let mut plot = TimelinePlot::new(first.unwrap_or(Timestamp(0)), last.unwrap_or(Timestamp(0)));
    for r in rows {
        plot.add(r);
    }
    plot
}

/// The plotted series of a row: both targets and both current node counts.
const SERIES: usize = 4;

fn series(r: &ReplayRow) -> [f64; SERIES] {
    [
        r.target_dedicated as f64,
        r.target_low_priority as f64,
        r.current_dedicated,
        r.current_low_priority,
    ]
}

/// The evaluations that fall in one pixel column of the plot.
#[derive(Debug, Clone)]
struct Bucket {
    index: usize,
    first_time: f64,
    last_time: f64,
    rows: u64,
    /// The values of the row before the bucket's first one (the step up or down into it).
    before: Option<[f64; SERIES]>,
    first: [f64; SERIES],
    min: [f64; SERIES],
    max: [f64; SERIES],
    last: [f64; SERIES],
    failures: u64,
    first_failure: Option<(Timestamp, String)>,
    last_failure: Option<Timestamp>,
}

/// A timeline plot built one evaluation at a time, in constant memory: per pixel column it
/// keeps the first, smallest, largest and last value of each line and the failures, so a
/// replay of millions of evaluations draws the same picture as the rows would, without
/// holding them. Rows come in time order, between the first and last times the plot was
/// made for.
#[derive(Debug, Clone)]
pub struct TimelinePlot {
    t0: f64,
    t1: f64,
    buckets: Vec<Bucket>,
    previous: Option<[f64; SERIES]>,
    nodes_max: f64,
    show_low_current: bool,
}

impl TimelinePlot {
    /// A plot of evaluations from `first` to `last`.
    pub(crate) fn new(first: Timestamp, last: Timestamp) -> TimelinePlot {
        let t0 = first.0 as f64;
        TimelinePlot {
            t0,
            t1: (last.0 as f64).max(t0 + 1.0),
            buckets: Vec::new(),
            previous: None,
            nodes_max: 1.0,
            show_low_current: false,
        }
    }

    /// Add the next evaluation.
    pub(crate) fn add(&mut self, r: &ReplayRow) {
        let t = r.time.0 as f64;
        let v = series(r);
        let columns = (WIDTH - LEFT - RIGHT) as usize;
        let index = (((t - self.t0) / (self.t1 - self.t0)).clamp(0.0, 1.0) * columns as f64) as usize;
        self.nodes_max = v.iter().fold(self.nodes_max, |m, &x| m.max(x));
        self.show_low_current |= r.current_low_priority > 0.0;
        let fresh = self.buckets.last().is_none_or(|b| b.index != index);
        if fresh {
            self.buckets.push(Bucket {
                index,
                first_time: t,
                last_time: t,
                rows: 0,
                before: self.previous,
                first: v,
                min: v,
                max: v,
                last: v,
                failures: 0,
                first_failure: None,
                last_failure: None,
            });
        }
        if let Some(b) = self.buckets.last_mut() {
            b.rows += 1;
            b.last_time = t;
            b.last = v;
            for (k, &x) in v.iter().enumerate() {
                b.min[k] = b.min[k].min(x);
                b.max[k] = b.max[k].max(x);
            }
            if let Some(code) = &r.error {
                b.failures += 1;
                if b.first_failure.is_none() {
                    b.first_failure = Some((r.time, code.clone()));
                }
                b.last_failure = Some(r.time);
            }
        }
        self.previous = Some(v);
    }

    /// The step line of series `k`: the points the rows would give, at most five per column.
    fn steps(&self, k: usize) -> Vec<(f64, f64)> {
        let mut pts = Vec::with_capacity(self.buckets.len() * 2);
        for b in &self.buckets {
            if let Some(before) = b.before {
                pts.push((b.first_time, before[k]));
            }
            pts.push((b.first_time, b.first[k]));
            if b.rows > 1 {
                pts.push((b.first_time, b.min[k]));
                pts.push((b.first_time, b.max[k]));
                pts.push((b.last_time, b.last[k]));
            }
        }
        pts
    }

    /// The SVG document, with the demand drawn from `metrics`.
    pub fn svg(&self, metrics: &MetricStore, title: &str) -> String {
        draw(self, metrics, title)
    }
}

/// A demand series from the samples in `[t0, t1]`, at most one point (the largest value) per
/// pixel column so that a year of samples stays a small picture and no peak is lost.
fn demand(metrics: &MetricStore, metric: Metric, t0: f64, t1: f64) -> Vec<(f64, f64)> {
    let h = metrics.history(metric);
    let columns = (WIDTH - LEFT - RIGHT) as usize;
    let mut points: Vec<(f64, f64)> = Vec::new();
    let mut last_bucket = usize::MAX;
    for (t, &v) in h.times().zip(h.values()) {
        let t = t as f64;
        if t < t0 || t > t1 {
            continue;
        }
        let bucket = ((t - t0) / (t1 - t0) * columns as f64) as usize;
        match points.last_mut() {
            Some(p) if bucket == last_bucket => p.1 = p.1.max(v),
            _ => points.push((t, v)),
        }
        last_bucket = bucket;
    }
    points
}

/// A demand series: metric name, colour, points.
type Demand = (&'static str, &'static str, Vec<(f64, f64)>);

fn draw(plot: &TimelinePlot, metrics: &MetricStore, title: &str) -> String {
    let mut svg = String::new();
    if plot.buckets.is_empty() {
        return format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\"><text x=\"20\" y=\"40\">no evaluations</text></svg>\n");
    }
    let (t0, t1) = (plot.t0, plot.t1);
    let demand: Vec<Demand> = [
        (Metric::PendingTasks, "#9e9e9e"),
        (Metric::ActiveTasks, "#ff9800"),
        (Metric::RunningTasks, "#8e24aa"),
    ]
    .iter()
    .map(|&(m, color)| (m.name(), color, demand(metrics, m, t0, t1)))
    .filter(|(_, _, points)| !points.is_empty())
    .collect();
    let show_low_current = plot.show_low_current;
    // Tasks on the left axis, nodes on the right one (hundreds of tasks would flatten a
    // few nodes); with no task series, nodes on the left.
    let nodes_max = nice(plot.nodes_max);
    let tasks_max = nice(demand.iter().flat_map(|(_, _, p)| p.iter().map(|p| p.1)).fold(1.0, f64::max));
    let two_axes = !demand.is_empty();
    let x = |t: f64| LEFT + (t - t0) / (t1 - t0) * (WIDTH - LEFT - RIGHT);
    let y_at = |v: f64, max: f64| HEIGHT - BOTTOM - v / max * (HEIGHT - TOP - BOTTOM);
    let y_tasks = |v: f64| y_at(v, tasks_max);
    let y_nodes = |v: f64| y_at(v, nodes_max);
    let _ = writeln!(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">");
    let _ = writeln!(svg, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    let _ = writeln!(svg, "<text x=\"{LEFT}\" y=\"20\" font-size=\"15\">{}</text>", escape(title));
    // Axes and grid.
    let (left_max, left_name, left_color) = if two_axes {
        (tasks_max, "tasks", "#616161")
    } else {
        (nodes_max, "nodes", "#1565c0")
    };
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{left_color}\">{left_name}</text>",
        LEFT - 6.0,
        TOP - 10.0
    );
    if two_axes {
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" fill=\"#1565c0\">nodes</text>",
            WIDTH - RIGHT + 6.0,
            TOP - 10.0
        );
    }
    for k in 0..=4 {
        let v = left_max * k as f64 / 4.0;
        let y = y_at(v, left_max);
        let _ = writeln!(svg, "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#eee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{left_color}\">{}</text>", WIDTH - RIGHT, LEFT - 6.0, y + 4.0, crate::format::format_double(v));
        if two_axes {
            let n = nodes_max * k as f64 / 4.0;
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{:.1}\" fill=\"#1565c0\">{}</text>",
                WIDTH - RIGHT + 6.0,
                y + 4.0,
                crate::format::format_double(n)
            );
        }
    }
    for k in 0..=6 {
        let t = t0 + (t1 - t0) * k as f64 / 6.0;
        let label = crate::time::Timestamp(t as i64).format_results();
        let label = format!("{} {}", &label[5..10], &label[11..16]);
        let anchor = match k {
            0 => "start",
            6 => "end",
            _ => "middle",
        };
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{label}</text>",
            x(t),
            HEIGHT - BOTTOM + 18.0
        );
    }
    let path = |values: &mut dyn Iterator<Item = (f64, f64)>, y: &dyn Fn(f64) -> f64| {
        let mut d = String::new();
        for (i, (t, v)) in values.enumerate() {
            let _ = write!(d, "{}{:.1},{:.1} ", if i == 0 { "M" } else { "L" }, x(t), y(v));
        }
        d
    };
    for (_, color, points) in &demand {
        let d = path(&mut points.iter().copied(), &y_tasks);
        let _ = writeln!(svg, "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.2\"/>");
    }
    // Step lines for targets and current nodes.
    let mut lines: Vec<(usize, &str, &str)> = vec![(0, "#1565c0", ""), (1, "#2e7d32", ""), (2, "#1565c0", " stroke-dasharray=\"4 3\"")];
    if show_low_current {
        lines.push((3, "#2e7d32", " stroke-dasharray=\"4 3\""));
    }
    for (k, color, dash) in lines {
        let d = path(&mut plot.steps(k).into_iter(), &y_nodes);
        let _ = writeln!(svg, "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>");
    }
    for b in &plot.buckets {
        let Some((time, code)) = &b.first_failure else {
            continue;
        };
        let what = match (b.failures, b.last_failure) {
            (1, _) | (_, None) => format!("{} {}", time.format_results(), escape(code)),
            (n, Some(last)) => format!(
                "{n} failed evaluations from {} to {} (first: {})",
                time.format_results(),
                last.format_results(),
                escape(code)
            ),
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#d32f2f\" stroke-width=\"2\"><title>{what}</title></line>",
            HEIGHT - BOTTOM,
            HEIGHT - BOTTOM + 8.0,
            x = x(time.0 as f64)
        );
    }
    // Legend.
    let mut lx = LEFT;
    let mut legend: Vec<(&str, &str)> = demand.iter().map(|(n, c, _)| (*n, *c)).collect();
    legend.extend([
        ("target dedicated", "#1565c0"),
        ("target low-priority", "#2e7d32"),
        ("current dedicated (dashed)", "#1565c0"),
    ]);
    if show_low_current {
        legend.push(("current low-priority (dashed)", "#2e7d32"));
    }
    legend.push(("failed evaluation", "#d32f2f"));
    let mut ly = HEIGHT - BOTTOM + 34.0;
    for (name, color) in legend {
        let width = 26.0 + name.chars().count() as f64 * 7.0;
        if lx + width > WIDTH - RIGHT {
            lx = LEFT;
            ly += 16.0;
        }
        let _ = writeln!(
            svg,
            "<rect x=\"{lx}\" y=\"{ly}\" width=\"12\" height=\"4\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            lx + 16.0,
            ly + 6.0,
            escape(name)
        );
        lx += width;
    }
    svg.push_str("</svg>\n");
    svg
}

fn nice(v: f64) -> f64 {
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|&c| c >= v).unwrap_or(v)
}

/// Escape text for XML and HTML.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
