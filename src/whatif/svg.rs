//! An SVG picture of a replay or a simulation: demand (pending, active and running tasks, from
//! the samples), both targets and the current nodes over time, failed evaluations marked in
//! red. Hand-written SVG: no fonts or rendering libraries needed, and the file opens in any
//! browser (and sits inline in the HTML report).

use std::fmt::Write;

use crate::builtins::Metric;
use crate::eval::MetricStore;

use crate::time::Timestamp;

use super::timeline::{ErrorCode, ReplayRow};

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 50.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 80.0;

/// The plot of these rows.
#[cfg(feature = "cli")]
pub(crate) fn plot_rows<'a>(rows: impl Iterator<Item = &'a ReplayRow> + Clone) -> TimelinePlot {
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
    first_failure: Option<(Timestamp, ErrorCode)>,
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
    show_low_target: bool,
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
            show_low_target: false,
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
        self.show_low_target |= r.target_low_priority > 0;
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
                    b.first_failure = Some((r.time, *code));
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

/// One legend entry: what, its colour and its dash pattern (a series' own).
struct Entry {
    name: &'static str,
    color: &'static str,
    dash: &'static str,
    /// A mark on the time axis (a failed evaluation) rather than a line.
    mark: bool,
}

const DASHED: &str = "4 3";
const DOTTED: &str = "1.5 2.5";

fn draw(plot: &TimelinePlot, metrics: &MetricStore, title: &str) -> String {
    let mut svg = String::new();
    match write_svg(&mut svg, plot, metrics, title) {
        Ok(()) => svg,
        // Writing into a String does not fail; should it, there is no half a picture.
        Err(std::fmt::Error) => String::new(),
    }
}

/// The SVG document of `plot`, written into `svg`.
fn write_svg(svg: &mut String, plot: &TimelinePlot, metrics: &MetricStore, title: &str) -> std::fmt::Result {
    if plot.buckets.is_empty() {
        return writeln!(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\"><text x=\"20\" y=\"40\">no evaluations</text></svg>");
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
    // Preempted nodes, when the data has any (the simulation samples them; a replay's history
    // may hold them).
    let preempted = self::demand(metrics, Metric::PreemptedNodeCount, t0, t1);
    let preempted = if preempted.iter().any(|p| p.1 > 0.0) {
        preempted
    } else {
        Vec::new()
    };
    let failures = plot.buckets.iter().any(|b| b.failures > 0);
    // Tasks on the left axis, nodes on the right one (hundreds of tasks would flatten a
    // few nodes); with no task series, nodes on the left. Both axes have whole-number ticks.
    let nodes_max = whole_axis(preempted.iter().map(|p| p.1).fold(plot.nodes_max, f64::max));
    let tasks_max = whole_axis(demand.iter().flat_map(|(_, _, p)| p.iter().map(|p| p.1)).fold(1.0, f64::max));
    let two_axes = !demand.is_empty();
    let x = |t: f64| LEFT + (t - t0) / (t1 - t0) * (WIDTH - LEFT - RIGHT);
    let y_at = |v: f64, max: f64| HEIGHT - BOTTOM - v / max * (HEIGHT - TOP - BOTTOM);
    let y_tasks = |v: f64| y_at(v, tasks_max);
    let y_nodes = |v: f64| y_at(v, nodes_max);
    writeln!(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">")?;
    writeln!(svg, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")?;
    writeln!(svg, "<text x=\"{LEFT}\" y=\"20\" font-size=\"15\">{}</text>", escape(title))?;
    // Axes and grid.
    let (left_max, left_name, left_color) = if two_axes {
        (tasks_max, "tasks", "#616161")
    } else {
        (nodes_max, "nodes", "#1565c0")
    };
    writeln!(
        svg,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{left_color}\">{left_name}</text>",
        LEFT - 6.0,
        TOP - 10.0
    )?;
    if two_axes {
        writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" fill=\"#1565c0\">nodes</text>",
            WIDTH - RIGHT + 6.0,
            TOP - 10.0
        )?;
    }
    for k in 0..=AXIS_STEPS {
        let v = left_max / AXIS_STEPS as f64 * k as f64;
        let y = y_at(v, left_max);
        writeln!(svg, "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#eee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{left_color}\">{}</text>", WIDTH - RIGHT, LEFT - 6.0, y + 4.0, crate::format::format_double(v))?;
        if two_axes {
            let n = nodes_max / AXIS_STEPS as f64 * k as f64;
            writeln!(
                svg,
                "<text x=\"{}\" y=\"{:.1}\" fill=\"#1565c0\">{}</text>",
                WIDTH - RIGHT + 6.0,
                y + 4.0,
                crate::format::format_double(n)
            )?;
        }
    }
    let (ticks, step) = time_ticks(t0, t1);
    let mut previous_day = String::new();
    for t in ticks {
        let text = Timestamp(t).format_results();
        let (day, clock) = (&text[5..10], &text[11..16]);
        let label = if step >= DAY {
            day.to_string()
        } else if day != previous_day {
            format!("{day} {clock}")
        } else {
            clock.to_string()
        };
        previous_day = day.to_string();
        let at = x(t as f64);
        let anchor = if at < LEFT + 30.0 {
            "start"
        } else if at > WIDTH - RIGHT - 30.0 {
            "end"
        } else {
            "middle"
        };
        writeln!(
            svg,
            "<line x1=\"{at:.1}\" x2=\"{at:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#bbb\"/><text x=\"{at:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{label}</text>",
            HEIGHT - BOTTOM,
            HEIGHT - BOTTOM + 4.0,
            HEIGHT - BOTTOM + 18.0
        )?;
    }
    let path = |values: &mut dyn Iterator<Item = (f64, f64)>, y: &dyn Fn(f64) -> f64| -> Result<String, std::fmt::Error> {
        let mut d = String::new();
        for (i, (t, v)) in values.enumerate() {
            write!(d, "{}{:.1},{:.1} ", if i == 0 { "M" } else { "L" }, x(t), y(v))?;
        }
        Ok(d)
    };
    let dash_attribute = |dash: &str| {
        if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        }
    };
    let mut legend: Vec<Entry> = Vec::new();
    for (name, color, points) in &demand {
        let d = path(&mut points.iter().copied(), &y_tasks)?;
        writeln!(svg, "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.2\"/>")?;
        legend.push(Entry {
            name,
            color,
            dash: "",
            mark: false,
        });
    }
    // Step lines for targets and current nodes, each drawn only when it says something.
    let lines = [
        (0, true, "target dedicated", "#1565c0", ""),
        (1, plot.show_low_target, "target low-priority", "#2e7d32", ""),
        (2, true, "current dedicated", "#1565c0", DASHED),
        (3, plot.show_low_current, "current low-priority", "#2e7d32", DASHED),
    ];
    for (k, shown, name, color, dash) in lines {
        if !shown {
            continue;
        }
        let d = path(&mut plot.steps(k).into_iter(), &y_nodes)?;
        writeln!(
            svg,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{}/>",
            dash_attribute(dash)
        )?;
        legend.push(Entry {
            name,
            color,
            dash,
            mark: false,
        });
    }
    if !preempted.is_empty() {
        // A step line: the count holds until the next sample.
        let mut steps = Vec::with_capacity(preempted.len() * 2);
        for (i, &(t, v)) in preempted.iter().enumerate() {
            if i > 0 {
                steps.push((t, preempted[i - 1].1));
            }
            steps.push((t, v));
        }
        let d = path(&mut steps.into_iter(), &y_nodes)?;
        writeln!(
            svg,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{PREEMPTED}\" stroke-width=\"2\"{}/>",
            dash_attribute(DOTTED)
        )?;
        legend.push(Entry {
            name: "preempted nodes",
            color: PREEMPTED,
            dash: DOTTED,
            mark: false,
        });
    }
    for b in &plot.buckets {
        let Some((time, code)) = &b.first_failure else {
            continue;
        };
        let what = match (b.failures, b.last_failure) {
            (1, _) | (_, None) => format!("{} {}", time.format_results(), escape(code.as_str())),
            (n, Some(last)) => format!(
                "{n} failed evaluations from {} to {} (first: {})",
                time.format_results(),
                last.format_results(),
                escape(code.as_str())
            ),
        };
        writeln!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"{FAILED}\" stroke-width=\"2\"><title>{what}</title></line>",
            HEIGHT - BOTTOM,
            HEIGHT - BOTTOM + 8.0,
            x = x(time.0 as f64)
        )?;
    }
    if failures {
        legend.push(Entry {
            name: "failed evaluation",
            color: FAILED,
            dash: "",
            mark: true,
        });
    }
    // Legend: only what is drawn, each swatch drawn as its series is.
    let mut lx = LEFT;
    let mut ly = HEIGHT - BOTTOM + 34.0;
    for e in legend {
        let width = 26.0 + e.name.chars().count() as f64 * 7.0;
        if lx + width > WIDTH - RIGHT {
            lx = LEFT;
            ly += 16.0;
        }
        let swatch = if e.mark {
            format!(
                "<line x1=\"{x}\" x2=\"{x}\" y1=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"/>",
                ly - 2.0,
                ly + 6.0,
                e.color,
                x = lx + 6.0
            )
        } else {
            format!(
                "<line x1=\"{lx}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{}\" stroke-width=\"2\"{}/>",
                lx + 14.0,
                e.color,
                dash_attribute(e.dash),
                y = ly + 2.0
            )
        };
        writeln!(
            svg,
            "<g class=\"legend\">{swatch}<text x=\"{}\" y=\"{}\">{}</text></g>",
            lx + 18.0,
            ly + 6.0,
            escape(e.name)
        )?;
        lx += width;
    }
    svg.push_str("</svg>\n");
    Ok(())
}

const PREEMPTED: &str = "#d81b60";
const FAILED: &str = "#d32f2f";

/// Grid lines on each value axis, above zero.
const AXIS_STEPS: usize = 4;

/// The top of a value axis at or above `v` whose [`AXIS_STEPS`] ticks are whole numbers on a
/// round step (1, 2, 5, 10, 20, 25, 50, …): nodes and tasks come whole.
fn whole_axis(v: f64) -> f64 {
    let need = (v / AXIS_STEPS as f64).max(1.0);
    let mut p: f64 = 1.0;
    loop {
        for m in [1.0, 2.0, 2.5, 5.0] {
            let step = m * p;
            if step.fract() == 0.0 && step >= need {
                return step * AXIS_STEPS as f64;
            }
        }
        p *= 10.0;
        if !p.is_finite() {
            return v;
        }
    }
}

const MINUTE: f64 = 60.0 * crate::time::TICKS_PER_SECOND as f64;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;

/// Time-axis ticks between `t0` and `t1` (ticks of 100 ns, UTC) on round times: whole
/// minutes, hours or days (midnight UTC), at most about seven; and the step.
fn time_ticks(t0: f64, t1: f64) -> (Vec<i64>, f64) {
    let steps = [
        MINUTE,
        5.0 * MINUTE,
        10.0 * MINUTE,
        15.0 * MINUTE,
        30.0 * MINUTE,
        HOUR,
        2.0 * HOUR,
        3.0 * HOUR,
        6.0 * HOUR,
        12.0 * HOUR,
        DAY,
        2.0 * DAY,
        7.0 * DAY,
        14.0 * DAY,
    ];
    let span = t1 - t0;
    let step = steps
        .iter()
        .copied()
        .find(|s| span / s <= 7.0)
        .unwrap_or_else(|| (span / 7.0 / (28.0 * DAY)).ceil() * 28.0 * DAY);
    // In whole ticks: a double cannot hold today's tick count exactly, and 03:59:59.9999996
    // would be labelled 03:59.
    let (first, last, whole_step) = (t0.round() as i64, t1.round() as i64, step as i64);
    let mut ticks = Vec::new();
    let mut t = first.div_euclid(whole_step) * whole_step;
    if t < first {
        t += whole_step;
    }
    while t <= last && ticks.len() < 64 {
        ticks.push(t);
        t += whole_step;
    }
    (ticks, step)
}

/// Escape text for XML and HTML.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::Deallocation;
    use crate::time::parse_rfc3339;

    fn row(time: &str, dedicated: u64, current: f64, error: Option<ErrorCode>) -> ReplayRow {
        ReplayRow {
            time: parse_rfc3339(time).unwrap(),
            target_dedicated: dedicated,
            target_low_priority: 0,
            deallocation: Deallocation::Requeue,
            current_dedicated: current,
            current_low_priority: 0.0,
            error,
            error_message: None,
            columns: Vec::new(),
            results: None,
        }
    }

    /// Every 15 minutes from 03:59 to 10:14, the target rising to `peak`.
    fn plot(peak: u64, failure: bool) -> TimelinePlot {
        let start = parse_rfc3339("2026-11-17T03:59:00Z").unwrap();
        let rows: Vec<ReplayRow> = (0..26)
            .map(|k| {
                let t = Timestamp(start.0 + k * 15 * 60 * crate::time::TICKS_PER_SECOND).format_results();
                let error = (failure && k == 3).then_some(ErrorCode::InsufficientSampleData);
                row(&t, peak * k as u64 / 25, (peak * k as u64 / 25) as f64, error)
            })
            .collect();
        plot_rows(rows.iter())
    }

    /// The texts of `<text>` elements at this `y`.
    fn texts_at(svg: &str, y: &str) -> Vec<String> {
        svg.split("<text ")
            .skip(1)
            .filter(|t| t.contains(&format!("y=\"{y}\"")))
            .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.to_string()))
            .collect()
    }

    #[test]
    fn time_ticks_fall_on_round_hours_and_days() {
        let svg = plot(20, false).svg(&MetricStore::new(), "t");
        let labels = texts_at(&svg, "378");
        assert_eq!(
            labels,
            ["11-17 04:00", "05:00", "06:00", "07:00", "08:00", "09:00", "10:00"],
            "{svg}"
        );
        let day = 24.0 * 3600.0 * 1e7;
        let (ticks, step) = time_ticks(1.8e16 + 0.3 * day, 1.8e16 + 20.3 * day);
        assert_eq!(step, 7.0 * day);
        assert!(ticks.iter().all(|t| t % (day as i64) == 0), "{ticks:?}");
        let (ticks, step) = time_ticks(1.8e16 + 0.3 * day, 1.8e16 + 4.3 * day);
        assert_eq!((ticks.len(), step), (4, day));
    }

    #[test]
    fn node_ticks_are_whole_numbers() {
        for peak in [1, 3, 7, 10, 13, 25, 99, 120] {
            let svg = plot(peak, false).svg(&MetricStore::new(), "t");
            // Nodes on the left axis (no demand): labels end-anchored at x = LEFT - 6.
            let labels: Vec<String> = svg
                .split("<text ")
                .filter(|t| t.starts_with(&format!("x=\"{}\"", LEFT - 6.0)) && t.contains("text-anchor=\"end\" fill"))
                .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.to_string()))
                .filter(|l| l != "nodes")
                .collect();
            assert_eq!(labels.len(), AXIS_STEPS + 1, "{labels:?}");
            let values: Vec<f64> = labels.iter().map(|l| l.parse().unwrap()).collect();
            assert!(values.iter().all(|v| v.fract() == 0.0), "peak {peak}: {labels:?}");
            assert!(*values.last().unwrap() >= peak as f64, "peak {peak}: {labels:?}");
        }
        assert_eq!(whole_axis(25.0), 40.0);
        assert_eq!(whole_axis(20.0), 20.0);
        assert_eq!(whole_axis(3.0), 4.0);
    }

    #[test]
    fn the_legend_has_only_what_is_drawn_with_the_series_dashes() {
        let svg = plot(20, false).svg(&MetricStore::new(), "t");
        assert!(!svg.contains("failed evaluation"), "no failure, no entry");
        assert!(!svg.contains("low-priority"), "no low-priority line, no entry");
        assert!(!svg.contains("preempted"), "no preemption, no entry");
        let legend: Vec<&str> = svg.lines().filter(|l| l.starts_with("<g class=\"legend\">")).collect();
        assert_eq!(legend.len(), 2, "{legend:?}");
        let current = legend.iter().find(|l| l.contains(">current dedicated<")).unwrap();
        assert!(
            current.contains("stroke-dasharray=\"4 3\""),
            "dashed swatch for the dashed line: {current}"
        );
        let target = legend.iter().find(|l| l.contains(">target dedicated<")).unwrap();
        assert!(!target.contains("stroke-dasharray"), "{target}");

        let svg = plot(20, true).svg(&MetricStore::new(), "t");
        assert!(svg.contains(">failed evaluation</text>") && svg.contains("InsufficientSampleData"));
    }

    #[test]
    fn preemptions_are_marked_when_the_data_has_them() {
        let mut metrics = MetricStore::new();
        let start = parse_rfc3339("2026-11-17T05:00:00Z").unwrap().0;
        for k in 0..20 {
            let value = if (5..9).contains(&k) { 3.0 } else { 0.0 };
            metrics
                .history_mut(Metric::PreemptedNodeCount)
                .push(Timestamp(start + k * 30 * crate::time::TICKS_PER_SECOND), value)
                .unwrap();
        }
        let svg = plot(20, false).svg(&metrics, "t");
        assert!(svg.contains(">preempted nodes</text>"), "{svg}");
        assert!(svg.contains(&format!("stroke=\"{PREEMPTED}\" stroke-width=\"2\" stroke-dasharray")));
        // Only zeros: nothing drawn.
        let mut zeros = MetricStore::new();
        zeros.history_mut(Metric::PreemptedNodeCount).push(Timestamp(start), 0.0).unwrap();
        assert!(!plot(20, false).svg(&zeros, "t").contains("preempted"));
    }
}
