//! Replay: rows agree with single evaluations, and the shipped examples show what they claim.

use std::path::Path;
use std::str::FromStr;

use batch_autoscale::whatif::{replay, ReplayConfig, ReplayError};
use batch_autoscale::{load_metrics, MetricData};
use batch_autoscale::{EvalContext, Formula, RandomSource, TimeInterval};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn formula(path: &str) -> Formula {
    Formula::compile(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

fn data(path: &str) -> MetricData {
    load_metrics(&root().join(path)).unwrap()
}

fn config(data: &MetricData, interval: &str) -> ReplayConfig {
    let mut c = ReplayConfig::new(data.first.unwrap(), data.last.unwrap());
    c.interval = TimeInterval::from_str(interval).unwrap();
    c
}

#[test]
fn a_replay_row_is_the_evaluation_of_the_context_the_history_gives() {
    let burst = data("examples/whatif/burst.csv");
    let sources = [
        "examples/task-based.formula",
        "examples/time-based.formula",
        "examples/whatif/fresh-pool.formula",
        "examples/whatif/fresh-pool-guarded.formula",
    ];
    for source in sources {
        let f = formula(source);
        let mut c = config(&burst, "PT5M");
        c.full_results = true;
        c.initial_pool.target_dedicated_nodes = 2.0;
        c.seed = 7;
        let r = replay(&f, &burst, &c).unwrap();
        assert!(r.rows.len() > 40);
        for (k, row) in r.rows.iter().enumerate().step_by(5) {
            // The context at t: the targets of the previous row, the current nodes the row saw.
            let mut ctx = EvalContext::new(row.time, &burst.metrics);
            ctx.publication_delay = TimeInterval::SECOND.checked_mul_f64(30.0).unwrap();
            ctx.random = RandomSource::Seeded(7 + k as u64);
            let (d, l) = if k == 0 {
                (2.0, 0.0)
            } else {
                (r.rows[k - 1].target_dedicated as f64, r.rows[k - 1].target_low_priority as f64)
            };
            ctx.pool.target_dedicated_nodes = d;
            ctx.pool.target_low_priority_nodes = l;
            ctx.pool.current_dedicated_nodes = row.current_dedicated;
            ctx.pool.current_low_priority_nodes = row.current_low_priority;
            let single = f.evaluate(&ctx);
            assert_eq!(
                row.results.as_deref(),
                Some(single.run().results.as_str()),
                "{source} at {}",
                row.time.format_results()
            );
            assert_eq!(
                row.error.map(|code| code.as_str()),
                single.run().error.as_ref().map(|e| e.code.as_str()),
                "{source} at {}",
                row.time.format_results()
            );
        }
    }
}

#[test]
fn a_fresh_pool_stays_at_zero_until_the_window_has_seventy_percent() {
    let d = data("examples/whatif/fresh-pool.csv");
    let r = replay(&formula("examples/whatif/fresh-pool.formula"), &d, &config(&d, "PT5M")).unwrap();
    let failures = &r.summary.failures[&batch_autoscale::whatif::ErrorCode::InsufficientSampleData];
    assert_eq!(failures.count, 5);
    assert_eq!(
        r.summary.time_to_first_nonzero,
        Some(TimeInterval::MINUTE.checked_mul_f64(25.0).unwrap())
    );
    assert!(r.rows[..5].iter().all(|row| row.target_dedicated == 0));
    // The guarded formula scales at the second evaluation, once one sample is visible.
    let g = replay(&formula("examples/whatif/fresh-pool-guarded.formula"), &d, &config(&d, "PT5M")).unwrap();
    assert!(g.summary.failures.is_empty());
    assert_eq!(
        g.summary.time_to_first_nonzero,
        Some(TimeInterval::MINUTE.checked_mul_f64(5.0).unwrap())
    );
}

#[test]
fn the_time_based_formula_over_a_week() {
    let f = formula("examples/time-based.formula");
    let mut c = ReplayConfig::new(
        batch_autoscale::Timestamp::from_str("2026-11-16T00:00:00Z").unwrap(),
        batch_autoscale::Timestamp::from_str("2026-11-23T00:00:00Z").unwrap(),
    );
    c.interval = TimeInterval::from_str("PT15M").unwrap();
    let r = replay(&f, &MetricData::default(), &c).unwrap();
    assert_eq!(r.rows.len(), 7 * 96 + 1);
    let at = |t: &str| {
        r.rows
            .iter()
            .find(|row| row.time == batch_autoscale::Timestamp::from_str(t).unwrap())
            .unwrap()
    };
    assert_eq!(at("2026-11-16T09:00:00Z").target_dedicated, 12, "Monday 10:00 UTC+1");
    assert_eq!(at("2026-11-16T06:45:00Z").target_dedicated, 2, "Monday 07:45 UTC+1");
    assert_eq!(at("2026-11-20T16:45:00Z").target_dedicated, 12, "Friday 17:45 UTC+1");
    assert_eq!(at("2026-11-20T17:00:00Z").target_dedicated, 2, "Friday 18:00 UTC+1");
    assert_eq!(at("2026-11-21T10:00:00Z").target_dedicated, 2, "Saturday");
    assert_eq!(
        at("2026-11-21T19:00:00Z").target_low_priority,
        8,
        "Saturday 20:00 UTC+1, evening window"
    );
    // 5 weekdays × 10 hours × 4 evaluations at 12 nodes.
    assert_eq!(r.rows.iter().filter(|row| row.target_dedicated == 12).count(), 200);
}

#[test]
fn the_task_based_formula_drains_a_burst_and_returns_to_zero() {
    let d = data("examples/whatif/burst.csv");
    let mut c = config(&d, "PT5M");
    c.columns = vec!["$pending".into()];
    let r = replay(&formula("examples/task-based.formula"), &d, &c).unwrap();
    assert_eq!(r.summary.dedicated.max, 20, "capped at 20");
    let first_full = r.rows.iter().position(|row| row.target_dedicated == 20).unwrap();
    let back_to_zero = r.rows.iter().rposition(|row| row.target_dedicated > 0).unwrap() + 1;
    assert!(
        first_full < back_to_zero && back_to_zero < r.rows.len() - 10,
        "scales up, then back to zero and stays there"
    );
    assert!(r.rows[back_to_zero..]
        .iter()
        .all(|row| row.target_dedicated == 0 && row.columns[0].as_deref() == Some("0")));
    assert!(r.summary.failures.is_empty());
}

#[test]
fn bad_replay_settings_are_refused() {
    let d = data("examples/whatif/fresh-pool.csv");
    let f = formula("examples/whatif/fresh-pool.formula");
    let mut c = config(&d, "PT1M");
    assert!(matches!(replay(&f, &d, &c), Err(ReplayError::Interval(_))));
    c.interval = TimeInterval::from_str("P8D").unwrap();
    assert!(matches!(replay(&f, &d, &c), Err(ReplayError::Interval(_))));
    let mut c = config(&d, "PT5M");
    std::mem::swap(&mut c.start, &mut c.end);
    assert!(matches!(replay(&f, &d, &c), Err(ReplayError::EndBeforeStart { .. })));
    let mut c = config(&d, "PT5M");
    c.columns = vec!["$nope".into()];
    assert!(matches!(replay(&f, &d, &c), Err(ReplayError::UnknownColumn(..))));
    // Through the CLI: exit 2 with the reason.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_batch-autoscale"))
        .args([
            "replay",
            "examples/whatif/fresh-pool.formula",
            "--metrics",
            "examples/whatif/fresh-pool.csv",
            "--interval",
            "PT1M",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 5 minutes and 168 hours"));
}

#[test]
fn the_replay_plot_is_an_svg_with_the_series() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("burst.svg");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_batch-autoscale"))
        .args([
            "replay",
            "examples/task-based.formula",
            "--metrics",
            "examples/whatif/burst.csv",
            "--interval",
            "PT5M",
            "--svg",
        ])
        .arg(&path)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    for needle in ["$PendingTasks", "target dedicated", "<path"] {
        assert!(svg.contains(needle), "{needle}");
    }
}
