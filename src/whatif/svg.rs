//! An SVG picture of a replay: demand (pending, active and running tasks), both targets and
//! current dedicated nodes over time, failed evaluations marked in red. Hand-written SVG: no
//! fonts or rendering libraries needed, and the file opens in any browser.

use std::fmt::Write;

use crate::builtins::Metric;
use crate::data::MetricData;

use super::replay::Replay;

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;

/// Draw the replay (and the demand in `data`) as an SVG document titled `title`.
pub fn timeline_svg(replay: &Replay, data: &MetricData, title: &str) -> String {
    let mut svg = String::new();
    let (Some(first), Some(last)) = (replay.rows.first(), replay.rows.last()) else {
        return format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\"><text x=\"20\" y=\"40\">no evaluations</text></svg>\n");
    };
    let (t0, t1) = (first.time.0 as f64, (last.time.0 as f64).max(first.time.0 as f64 + 1.0));
    // Demand series sampled at the evaluation times (last visible sample).
    let demand: Vec<(&str, &str, Vec<f64>)> = [
        (Metric::PendingTasks, "#9e9e9e"),
        (Metric::ActiveTasks, "#ff9800"),
        (Metric::RunningTasks, "#8e24aa"),
    ]
    .iter()
    .filter(|(m, _)| !data.metrics.history(*m).is_empty())
    .map(|&(m, color)| {
        let h = data.metrics.history(m);
        let values = replay
            .rows
            .iter()
            .map(|r| {
                let n = h.visible_count(r.time.0);
                if n == 0 {
                    0.0
                } else {
                    h.values()[n - 1]
                }
            })
            .collect();
        (m.name(), color, values)
    })
    .collect();
    let mut y_max: f64 = 1.0;
    for r in &replay.rows {
        y_max = y_max
            .max(r.target_dedicated as f64)
            .max(r.target_low_priority as f64)
            .max(r.current_dedicated);
    }
    for (_, _, v) in &demand {
        y_max = v.iter().copied().fold(y_max, f64::max);
    }
    let y_max = nice(y_max);
    let x = |t: f64| LEFT + (t - t0) / (t1 - t0) * (WIDTH - LEFT - RIGHT);
    let y = |v: f64| HEIGHT - BOTTOM - v / y_max * (HEIGHT - TOP - BOTTOM);
    let _ = writeln!(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">");
    let _ = writeln!(svg, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    let _ = writeln!(svg, "<text x=\"{LEFT}\" y=\"22\" font-size=\"15\">{}</text>", escape(title));
    // Axes and grid.
    for k in 0..=4 {
        let v = y_max * k as f64 / 4.0;
        let _ = writeln!(svg, "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#eee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>", WIDTH - RIGHT, LEFT - 6.0, y(v) + 4.0, crate::format::format_double(v), y = y(v));
    }
    for k in 0..=6 {
        let t = t0 + (t1 - t0) * k as f64 / 6.0;
        let label = crate::time::Timestamp(t as i64).format_results();
        let label = format!("{} {}", &label[5..10], &label[11..16]);
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
            x(t),
            HEIGHT - BOTTOM + 18.0
        );
    }
    let path = |values: &mut dyn Iterator<Item = (f64, f64)>| {
        let mut d = String::new();
        for (i, (t, v)) in values.enumerate() {
            let _ = write!(d, "{}{:.1},{:.1} ", if i == 0 { "M" } else { "L" }, x(t), y(v));
        }
        d
    };
    let times: Vec<f64> = replay.rows.iter().map(|r| r.time.0 as f64).collect();
    for (_, color, values) in &demand {
        let d = path(&mut times.iter().copied().zip(values.iter().copied()));
        let _ = writeln!(svg, "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.2\"/>");
    }
    // Step lines for targets and current nodes.
    let steps = |f: &dyn Fn(&super::ReplayRow) -> f64| {
        let mut pts = Vec::new();
        for (i, r) in replay.rows.iter().enumerate() {
            if i > 0 {
                pts.push((r.time.0 as f64, f(&replay.rows[i - 1])));
            }
            pts.push((r.time.0 as f64, f(r)));
        }
        pts
    };
    for (f, color, dash) in [
        (
            &(|r: &super::ReplayRow| r.target_dedicated as f64) as &dyn Fn(&super::ReplayRow) -> f64,
            "#1565c0",
            "",
        ),
        (&|r: &super::ReplayRow| r.target_low_priority as f64, "#2e7d32", ""),
        (&|r: &super::ReplayRow| r.current_dedicated, "#1565c0", " stroke-dasharray=\"4 3\""),
    ] {
        let d = path(&mut steps(f).into_iter());
        let _ = writeln!(svg, "<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>");
    }
    for r in replay.rows.iter().filter(|r| r.error.is_some()) {
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#d32f2f\" stroke-width=\"2\"><title>{}</title></line>",
            HEIGHT - BOTTOM,
            HEIGHT - BOTTOM + 8.0,
            escape(r.error.as_deref().unwrap_or("")),
            x = x(r.time.0 as f64)
        );
    }
    // Legend.
    let mut lx = LEFT;
    let legend: Vec<(&str, &str)> = demand
        .iter()
        .map(|(n, c, _)| (*n, *c))
        .chain([
            ("target dedicated", "#1565c0"),
            ("target low-priority", "#2e7d32"),
            ("current dedicated (dashed)", "#1565c0"),
            ("failed evaluation", "#d32f2f"),
        ])
        .collect();
    for (name, color) in legend {
        let _ = writeln!(
            svg,
            "<rect x=\"{lx}\" y=\"{}\" width=\"12\" height=\"4\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            HEIGHT - 22.0,
            lx + 16.0,
            HEIGHT - 16.0,
            escape(name)
        );
        lx += 30.0 + name.len() as f64 * 6.5;
    }
    svg.push_str("</svg>\n");
    svg
}

fn nice(v: f64) -> f64 {
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|&c| c >= v).unwrap_or(v)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
