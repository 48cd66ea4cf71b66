//! Closed-loop simulation: every evaluation is the evaluation of the simulated state, the pool
//! follows the formula's targets and deallocation option, the same seed gives the same run, and
//! the shipped examples show what they claim.

use std::path::Path;
use std::str::FromStr;

use batch_autoscale::builtins::{Deallocation, Metric};
use batch_autoscale::whatif::{
    load_workload, run_variants, simulate, sweep_variants, ErrorCode, Parameter, PoolSettings, ReplayError, Scenario, Simulation,
    SimulationConfig, SimulationError, Task, Workload, WorkloadSpec,
};
use batch_autoscale::{EvalContext, Formula, MetricHistory, RandomSource, TimeInterval, Timestamp};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn formula(path: &str) -> Formula {
    Formula::compile(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

fn spec(path: &str) -> WorkloadSpec {
    load_workload(&root().join(path)).unwrap()
}

fn minutes(m: f64) -> TimeInterval {
    TimeInterval::MINUTE.checked_mul_f64(m).unwrap()
}

fn at(s: &str) -> Timestamp {
    Timestamp::from_str(s).unwrap()
}

/// The burst example: 500 tasks at 10:00 on 4-slot nodes, evaluated every 5 minutes.
fn burst(seed: u64) -> (Workload, SimulationConfig) {
    let s = spec("examples/simulate/burst.json");
    let mut c = SimulationConfig::new(s.start, s.end);
    c.pool = s.pool.clone().unwrap();
    c.interval = minutes(5.0);
    c.seed = seed;
    (s.generate(seed).unwrap(), c)
}

/// Tasks of `duration` minutes submitted at `start`.
fn tasks(start: Timestamp, n: usize, duration: f64) -> Workload {
    Workload::new(vec![
        Task {
            submit: start,
            duration: minutes(duration),
            slots: 1,
        };
        n
    ])
    .unwrap()
}

#[test]
fn a_simulated_evaluation_is_the_evaluation_of_the_simulated_state() {
    let (workload, mut c) = burst(3);
    c.full_results = true;
    c.pool.low_priority_quota = Some(6);
    c.pool.preemption_rate = 1.0;
    let sources = [
        "examples/task-based.formula",
        "examples/simulate/docs-task-based.formula",
        "examples/whatif/fresh-pool.formula",
        "examples/time-based.formula",
    ];
    for source in sources {
        // A low-priority target too, so that preemption and $CurrentLowPriorityNodes matter.
        let text = std::fs::read_to_string(root().join(source)).unwrap()
            + "\n$TargetLowPriorityNodes = min(10, $PreemptedNodeCount.GetSample(1) + $RunningTasks.GetSample(1) / 8 + rand());";
        let f = Formula::compile(&text).unwrap();
        let sim = simulate(&f, &workload, &c).unwrap();
        assert_eq!(sim.rows.len(), 49);
        for (k, row) in sim.rows.iter().enumerate() {
            let r = &row.evaluation;
            let mut ctx = EvalContext::new(r.time, &sim.metrics);
            ctx.publication_delay = TimeInterval::SECOND.checked_mul_f64(30.0).unwrap();
            ctx.random = RandomSource::Seeded(c.seed + k as u64);
            let (d, l) = match k {
                0 => (0, 0),
                _ => (
                    sim.rows[k - 1].evaluation.target_dedicated,
                    sim.rows[k - 1].evaluation.target_low_priority,
                ),
            };
            ctx.pool.target_dedicated_nodes = d as f64;
            ctx.pool.target_low_priority_nodes = l as f64;
            ctx.pool.current_dedicated_nodes = r.current_dedicated;
            ctx.pool.current_low_priority_nodes = r.current_low_priority;
            ctx.pool.task_slots_per_node = 4.0;
            ctx.pool.usable_node_count = row.usable_nodes as f64;
            let single = f.evaluate(&ctx);
            let at = r.time.format_results();
            assert_eq!(r.results.as_deref(), Some(single.run().results.as_str()), "{source} at {at}");
            assert_eq!(
                r.error.map(|code| code.as_str()),
                single.run().error.as_ref().map(|e| e.code.as_str()),
                "{source} at {at}"
            );
            // A failed evaluation leaves the targets unchanged (§7.4).
            if r.error.is_some() {
                assert_eq!((r.target_dedicated, r.target_low_priority), (d, l), "{source} at {at}");
            }
        }
    }
}

#[test]
fn samples_are_the_pool_every_thirty_seconds_from_thirty_seconds_after_the_start() {
    let (workload, c) = burst(0);
    let sim = simulate(&formula("examples/task-based.formula"), &workload, &c).unwrap();
    let pending = sim.metrics.history(Metric::PendingTasks);
    assert_eq!(pending.len() as i64, (c.end.0 - c.start.0) / 300_000_000);
    assert_eq!(pending.first_time(), Some(c.start.0 + 300_000_000));
    assert!(pending.times().collect::<Vec<_>>().windows(2).all(|w| w[1] - w[0] == 300_000_000));
    for m in [
        Metric::ActiveTasks,
        Metric::RunningTasks,
        Metric::SucceededTasks,
        Metric::FailedTasks,
        Metric::CpuPercent,
        Metric::PreemptedNodeCount,
    ] {
        assert_eq!(sim.metrics.history(m).len(), pending.len(), "{m:?}");
    }
    assert!(
        sim.metrics.history(Metric::WallClockSeconds).is_empty(),
        "retired metrics get no samples (D32)"
    );
    let (active, running) = (sim.metrics.history(Metric::ActiveTasks), sim.metrics.history(Metric::RunningTasks));
    for i in 0..pending.len() {
        assert_eq!(pending.values()[i], active.values()[i] + running.values()[i]);
    }
    // 20 nodes × 4 slots: at most 80 running, and the CPU is their busy share.
    assert_eq!(running.values().iter().copied().fold(0.0, f64::max), 80.0);
    assert!(sim.metrics.history(Metric::CpuPercent).values().contains(&100.0));
    assert_eq!(*sim.metrics.history(Metric::SucceededTasks).values().last().unwrap(), 500.0);
}

#[test]
fn the_task_based_formula_drains_the_burst_and_scales_back_to_zero() {
    let (workload, c) = burst(0);
    let sim = simulate(&formula("examples/task-based.formula"), &workload, &c).unwrap();
    let s = &sim.summary;
    assert_eq!((s.tasks.submitted, s.tasks.completed, s.tasks.unfinished), (500, 500, 0));
    assert!(s.targets.failures.is_empty());
    assert_eq!(
        (s.targets.dedicated.max, s.peak_dedicated_nodes),
        (20, 20),
        "capped at maxNodes = 20"
    );
    let last = &sim.rows.last().unwrap().evaluation;
    assert_eq!((last.target_dedicated, last.current_dedicated), (0, 0.0));
    let back_to_zero = sim.rows.iter().rposition(|r| r.evaluation.current_dedicated > 0.0).unwrap();
    assert!(back_to_zero < sim.rows.len() - 10, "back to zero well before the end");
    // taskcompletion: nothing is lost or rerun on the way down.
    assert_eq!(s.tasks.requeued_by_scale_down + s.tasks.lost_by_scale_down, 0);
    assert!(s.makespan.is_some() && s.wait.unwrap().p99 > minutes(30.0));
    assert!((s.cost.total - s.targets.dedicated_node_hours * 0.4).abs() < 1e-9);
    assert!(s.idle_node_hours > 0.0 && s.idle_node_hours < s.targets.dedicated_node_hours);
    assert!(s.utilisation > 0.5 && s.utilisation <= 1.0);
}

#[test]
fn the_shorter_window_scales_down_sooner_in_the_compare_example() {
    let s = spec("examples/simulate/workday.json");
    let mut c = SimulationConfig::new(s.start, s.end);
    c.pool = s.pool.clone().unwrap();
    c.interval = minutes(5.0);
    let workload = s.generate(0).unwrap();
    let docs = simulate(&formula("examples/simulate/docs-task-based.formula"), &workload, &c).unwrap();
    let short = simulate(&formula("examples/simulate/short-window.formula"), &workload, &c).unwrap();
    assert!(workload.len() > 1000);
    assert!(short.summary.targets.dedicated_node_hours < docs.summary.targets.dedicated_node_hours);
    assert!(short.summary.idle_node_hours < docs.summary.idle_node_hours);
    assert!(short.summary.cost.total < docs.summary.cost.total);
}

#[test]
fn the_same_seed_gives_the_same_run_and_another_seed_another() {
    let run = |seed: u64| {
        let text = r#"{"start": "2026-11-23T00:00:00Z", "end": "2026-11-23T12:00:00Z",
            "generators": [{"kind": "poisson", "ratePerHour": 120, "duration": {"exponential": "PT20M"}}],
            "pool": {"taskSlotsPerNode": 2, "preemptionRate": 0.5, "lowPriorityPrice": 0.1}}"#;
        let s = batch_autoscale::whatif::parse_workload_json(text, "w.json", Path::new(".")).unwrap();
        let mut c = SimulationConfig::new(s.start, s.end);
        c.pool = s.pool.clone().unwrap();
        c.seed = seed;
        let f = Formula::compile("$TargetLowPriorityNodes = min(30, max(0, $PendingTasks.GetSample(1)) / 2 + 2 * rand());").unwrap();
        simulate(&f, &s.generate(seed).unwrap(), &c).unwrap()
    };
    let (a, b, other) = (run(11), run(11), run(12));
    assert_eq!(a.summary, b.summary);
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.metrics, b.metrics);
    assert!(a.summary.preemptions > 0);
    assert_ne!(a.summary, other.summary);
    assert_ne!(a.summary.tasks.submitted, 0);
}

/// Four one-hour tasks on four nodes; at 10:20 the target drops to 0 with `option`.
fn scale_down(option: &str) -> Simulation {
    let start = at("2026-11-23T10:00:00Z");
    let workload = tasks(start, 4, 60.0);
    let mut c = SimulationConfig::new(start, at("2026-11-23T12:00:00Z"));
    c.interval = minutes(5.0);
    c.pool.allocation_latency = TimeInterval::ZERO;
    c.pool.task_retention = minutes(30.0);
    let f = Formula::compile(&format!(
        "$TargetDedicatedNodes = time() < time(\"2026-11-23T10:20:00Z\") ? 4 : 0;\n$NodeDeallocationOption = {option};"
    ))
    .unwrap();
    simulate(&f, &workload, &c).unwrap()
}

fn nodes_at(sim: &Simulation, time: &str) -> f64 {
    sim.rows
        .iter()
        .find(|r| r.evaluation.time == at(time))
        .unwrap()
        .evaluation
        .current_dedicated
}

#[test]
fn each_deallocation_option_does_what_it_says_on_scale_down() {
    let requeue = scale_down("requeue");
    assert_eq!(requeue.summary.tasks.requeued_by_scale_down, 4);
    assert_eq!((requeue.summary.tasks.completed, requeue.summary.tasks.unfinished), (0, 4));
    assert_eq!(nodes_at(&requeue, "2026-11-23T10:25:00Z"), 0.0);

    let terminate = scale_down("terminate");
    assert_eq!(terminate.summary.tasks.lost_by_scale_down, 4);
    assert_eq!((terminate.summary.tasks.completed, terminate.summary.tasks.unfinished), (0, 0));
    assert_eq!(terminate.rows.last().unwrap().failed_tasks, 4);
    assert_eq!(*terminate.metrics.history(Metric::FailedTasks).values().last().unwrap(), 4.0);

    let completion = scale_down("taskcompletion");
    assert_eq!(completion.summary.tasks.completed, 4);
    assert_eq!(nodes_at(&completion, "2026-11-23T10:55:00Z"), 4.0, "the nodes finish their tasks");
    assert_eq!(nodes_at(&completion, "2026-11-23T11:05:00Z"), 0.0);

    let retained = scale_down("retaineddata");
    assert_eq!(retained.summary.tasks.completed, 4);
    assert_eq!(nodes_at(&retained, "2026-11-23T11:25:00Z"), 4.0, "and keep the data 30 minutes");
    assert_eq!(nodes_at(&retained, "2026-11-23T11:35:00Z"), 0.0);
    assert!(retained.summary.idle_node_hours > completion.summary.idle_node_hours);
    for sim in [&requeue, &terminate, &completion, &retained] {
        assert_eq!(sim.rows.last().unwrap().evaluation.target_dedicated, 0);
    }
    assert_eq!(retained.rows[0].evaluation.deallocation, Deallocation::RetainedData);
}

#[test]
fn the_quota_caps_the_pool_and_allocation_takes_its_time() {
    let (workload, mut c) = burst(0);
    c.pool.dedicated_quota = Some(5);
    let sim = simulate(&formula("examples/task-based.formula"), &workload, &c).unwrap();
    assert_eq!(sim.summary.targets.dedicated.max, 20, "the target is not capped");
    assert_eq!(sim.summary.peak_dedicated_nodes, 5, "the pool is");
    assert!(sim.summary.quota_capped_evaluations > 5);
    // The burst example's nodes take 4 minutes: asked for at 10:05, usable by 10:10.
    let (workload, c) = burst(0);
    let sim = simulate(&formula("examples/task-based.formula"), &workload, &c).unwrap();
    let row = |t: &str| sim.rows.iter().find(|r| r.evaluation.time == at(t)).unwrap();
    assert_eq!(row("2026-11-23T10:05:00Z").evaluation.target_dedicated, 20);
    assert_eq!(row("2026-11-23T10:05:00Z").usable_nodes, 0);
    assert_eq!(row("2026-11-23T10:10:00Z").usable_nodes, 20);
}

#[test]
fn preempted_spot_nodes_requeue_their_tasks_and_are_reported() {
    let start = at("2026-11-23T10:00:00Z");
    let workload = tasks(start, 200, 45.0);
    let mut c = SimulationConfig::new(start, at("2026-11-23T20:00:00Z"));
    c.interval = minutes(5.0);
    c.pool.preemption_rate = 0.5;
    c.pool.low_priority_price = 0.1;
    // The docs' "preempted nodes" formula (§8.2): dedicated nodes replace preempted ones.
    let f = Formula::compile(
        "maxNumberofVMs = 25;\n$TargetDedicatedNodes = min(maxNumberofVMs, $PreemptedNodeCount.GetSample(1));\n$TargetLowPriorityNodes = min(maxNumberofVMs , maxNumberofVMs - $TargetDedicatedNodes);\n$NodeDeallocationOption = taskcompletion;",
    )
    .unwrap();
    let sim = simulate(&f, &workload, &c).unwrap();
    let s = &sim.summary;
    assert!(s.preemptions > 5, "{}", s.preemptions);
    assert!(s.tasks.requeued_by_preemption > 0);
    assert_eq!(s.tasks.completed, 200);
    assert!(s.targets.dedicated.max > 0, "dedicated nodes stood in for preempted ones");
    assert!(sim.metrics.history(Metric::PreemptedNodeCount).values().iter().any(|&v| v > 0.0));
    assert!(sim.rows.iter().any(|r| r.preempted_nodes > 0));
    assert!((s.cost.low_priority - s.targets.low_priority_node_hours * 0.1).abs() < 1e-9);
}

#[test]
fn supplied_samples_feed_metrics_the_simulation_does_not_produce() {
    let start = at("2026-11-23T10:00:00Z");
    let mut c = SimulationConfig::new(start, at("2026-11-23T11:00:00Z"));
    let mut h = MetricHistory::new();
    for i in 0..120 {
        h.push(Timestamp(start.0 + i * 300_000_000), 3.0).unwrap();
    }
    c.supplied_metrics.set_history(Metric::WallClockSeconds, h.clone());
    let f = Formula::compile("$TargetDedicatedNodes = max($WallClockSeconds.GetSample(1));").unwrap();
    let sim = simulate(&f, &tasks(start, 1, 1.0), &c).unwrap();
    assert_eq!(sim.rows[1].evaluation.target_dedicated, 3);
    c.supplied_metrics.set_history(Metric::PendingTasks, h);
    assert_eq!(
        simulate(&f, &tasks(start, 1, 1.0), &c).unwrap_err(),
        SimulationError::SimulatedMetricSupplied("$PendingTasks")
    );
}

#[test]
fn a_task_bigger_than_a_node_stays_pending_for_ever_while_the_pool_scales_up() {
    // As the service does: a task needing 2 slots on 1-slot nodes is never scheduled; it counts
    // in $ActiveTasks, so a task-based formula adds nodes for it, and they sit idle. The tasks
    // behind it still run.
    let start = at("2026-11-23T10:00:00Z");
    let mut all = vec![Task {
        submit: start,
        duration: minutes(1.0),
        slots: 2,
    }];
    all.extend((0..5).map(|_| Task {
        submit: start,
        duration: minutes(10.0),
        slots: 1,
    }));
    let w = Workload::new(all).unwrap();
    let mut c = SimulationConfig::new(start, at("2026-11-23T12:00:00Z"));
    c.interval = minutes(5.0);
    let f = Formula::compile("$TargetDedicatedNodes = max(0, $ActiveTasks.GetSample(1));").unwrap();
    let sim = simulate(&f, &w, &c).unwrap();
    let t = &sim.summary.tasks;
    assert_eq!((t.oversized, t.completed, t.unfinished), (1, 5, 1), "{t:?}");
    let last = sim.rows.last().unwrap();
    assert_eq!(last.active_tasks, 1, "the big task is still queued at the end");
    assert_eq!(last.evaluation.target_dedicated, 1, "the formula keeps a node for it");
    assert_eq!(last.running_tasks, 0);
    assert!(sim.summary.idle_node_hours > 1.0, "{}", sim.summary.idle_node_hours);
    assert_eq!(sim.summary.makespan, None);
}

#[test]
fn bad_settings_are_refused_with_the_reason() {
    let start = at("2026-11-23T10:00:00Z");
    let f = Formula::compile("$TargetDedicatedNodes = 1;").unwrap();
    let w = tasks(start, 1, 1.0);
    let ok = SimulationConfig::new(start, at("2026-11-23T11:00:00Z"));
    assert!(simulate(&f, &w, &ok).is_ok());
    let mut c = ok.clone();
    c.interval = TimeInterval::from_str("PT4M").unwrap();
    assert!(matches!(
        simulate(&f, &w, &c),
        Err(SimulationError::Schedule(ReplayError::Interval(_)))
    ));
    let mut c = ok.clone();
    c.end = at("2026-11-23T09:00:00Z");
    assert!(matches!(
        simulate(&f, &w, &c),
        Err(SimulationError::Schedule(ReplayError::EndBeforeStart { .. }))
    ));
    let mut c = ok.clone();
    c.pool = PoolSettings {
        dedicated_price: f64::NAN,
        ..PoolSettings::default()
    };
    assert!(matches!(simulate(&f, &w, &c), Err(SimulationError::Pool(m)) if m.contains("dedicatedPrice")));
    let mut c = ok.clone();
    c.pool.task_slots_per_node = 0;
    assert!(matches!(simulate(&f, &w, &c), Err(SimulationError::Pool(_))));
    let mut c = ok.clone();
    c.columns = vec!["$nope".into()];
    assert!(matches!(
        simulate(&f, &w, &c),
        Err(SimulationError::Schedule(ReplayError::UnknownColumn(..)))
    ));
    let mut c = ok;
    c.end = Timestamp(c.start.0 + 20 * 365 * 86_400 * 10_000_000);
    c.interval = TimeInterval::WEEK;
    assert_eq!(simulate(&f, &w, &c).unwrap_err(), SimulationError::TooLong);
}

#[test]
fn a_sweep_of_the_cap_raises_the_peak_and_cuts_the_wait() {
    let (workload, c) = burst(0);
    let base = formula("examples/task-based.formula");
    let variants = sweep_variants(
        &base,
        &[Parameter {
            name: "maxNodes".into(),
            values: vec![5.0, 10.0, 40.0],
        }],
        &[minutes(5.0), minutes(15.0)],
    )
    .unwrap();
    let count = std::sync::atomic::AtomicUsize::new(0);
    let outcomes = run_variants(
        &Scenario::Simulate {
            workload: &workload,
            config: &c,
        },
        &variants,
        false,
        &|| {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        },
    );
    assert_eq!(count.into_inner(), 6);
    let summaries: Vec<_> = outcomes
        .iter()
        .map(|o| o.as_ref().unwrap().as_simulation().unwrap().summary.clone())
        .collect();
    assert_eq!(
        summaries.iter().map(|s| s.peak_dedicated_nodes).collect::<Vec<_>>(),
        [5, 5, 10, 10, 40, 40]
    );
    assert_eq!(summaries[0].targets.evaluations, 49);
    assert_eq!(summaries[1].targets.evaluations, 17);
    assert!(summaries[4].wait.unwrap().p50 < summaries[0].wait.unwrap().p50);
    // The same variant run alone gives the same summary.
    let mut alone = c.clone();
    alone.interval = minutes(15.0);
    let single = simulate(&variants[5].formula, &workload, &alone).unwrap();
    assert_eq!(single.summary, summaries[5]);
}

#[test]
fn a_trace_workload_runs_from_its_first_submission() {
    let start = at("2026-11-23T10:00:00Z");
    let trace = "submit,duration,slots\n2026-11-23T10:00:00Z,PT30M,1\n2026-11-23T10:10:00Z,600,2\n";
    let tasks = batch_autoscale::whatif::parse_trace_csv(trace, "t.csv").unwrap();
    let s = WorkloadSpec::from_trace(tasks).unwrap();
    assert_eq!(s.start, start);
    let mut c = SimulationConfig::new(s.start, s.end);
    c.pool.task_slots_per_node = 2;
    c.interval = minutes(5.0);
    let f = Formula::compile("$TargetDedicatedNodes = max(0, $PendingTasks.GetSample(1)) > 0 ? 2 : 0;").unwrap();
    let sim = simulate(&f, &s.generate(0).unwrap(), &c).unwrap();
    assert_eq!(sim.summary.tasks.completed, 2);
    assert_eq!(sim.summary.end, at("2026-11-24T10:40:00Z"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const OPTIONS: [&str; 4] = ["requeue", "terminate", "taskcompletion", "retaineddata"];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Any workload, pool and deallocation option: no panic, and the books balance.
        #[test]
        fn any_pool_keeps_its_books(
            raw in proptest::collection::vec((0i64..240, 0i64..120, 1u32..=4), 0..60),
            slots in 1u32..=4,
            latency in 0i64..15,
            rate in 0.0f64..3.0,
            quota in proptest::option::of(0u32..6),
            option in 0usize..4,
            seed in any::<u64>(),
        ) {
            let start = at("2026-11-23T10:00:00Z");
            let tasks: Vec<Task> = raw
                .iter()
                .map(|&(submit, duration, s)| Task {
                    submit: Timestamp(start.0 + (submit - 5) * 600_000_000), // some before the start
                    duration: minutes(duration as f64),
                    slots: s.min(slots),
                })
                .collect();
            let workload = Workload::new(tasks).unwrap();
            let mut c = SimulationConfig::new(start, at("2026-11-23T16:00:00Z"));
            c.interval = minutes(5.0);
            c.seed = seed;
            c.pool.task_slots_per_node = slots;
            c.pool.allocation_latency = minutes(latency as f64);
            c.pool.preemption_rate = rate;
            c.pool.dedicated_quota = quota;
            c.pool.low_priority_quota = quota;
            c.pool.task_retention = minutes(20.0);
            // Scale with the queue, then drop to nothing halfway with the chosen option.
            let f = Formula::compile(&format!(
                "$q = max(0, $PendingTasks.GetSample(1)) / {slots};\n$half = time() >= time(\"2026-11-23T13:00:00Z\") && time() < time(\"2026-11-23T13:30:00Z\");\n$TargetDedicatedNodes = $half ? 0 : $q;\n$TargetLowPriorityNodes = $half ? 0 : $q / 2;\n$NodeDeallocationOption = {};",
                OPTIONS[option]
            ))
            .unwrap();
            let sim = simulate(&f, &workload, &c).unwrap();
            let s = &sim.summary;
            let t = &s.tasks;
            prop_assert_eq!(t.completed + t.unfinished + t.lost_by_scale_down, t.submitted);
            prop_assert_eq!(t.submitted as usize, workload.len());
            prop_assert!(s.idle_node_hours <= s.targets.dedicated_node_hours + s.targets.low_priority_node_hours + 1e-9);
            prop_assert!((0.0..=1.0 + 1e-12).contains(&s.utilisation));
            prop_assert_eq!(sim.rows.len() as u64, s.targets.evaluations);
            if let Some(q) = quota {
                prop_assert!(s.peak_dedicated_nodes <= q && s.peak_low_priority_nodes <= q);
            }
            if option != 1 {
                prop_assert_eq!(t.lost_by_scale_down, 0);
            }
            if option >= 2 {
                prop_assert_eq!(t.requeued_by_scale_down, 0);
            }
            let (p, a, r) = (
                sim.metrics.history(Metric::PendingTasks),
                sim.metrics.history(Metric::ActiveTasks),
                sim.metrics.history(Metric::RunningTasks),
            );
            for i in 0..p.len() {
                prop_assert_eq!(p.values()[i], a.values()[i] + r.values()[i]);
            }
            for row in &sim.rows {
                prop_assert!(row.usable_nodes as f64 <= row.evaluation.current_dedicated + row.evaluation.current_low_priority);
                prop_assert!(row.running_tasks <= row.usable_nodes * slots);
            }
        }
    }
}

#[test]
fn the_spot_example_replaces_preempted_nodes_with_dedicated_ones() {
    let s = spec("examples/simulate/spot.json");
    let mut c = SimulationConfig::new(s.start, s.end);
    c.pool = batch_autoscale::whatif::load_pool_settings(&root().join("examples/simulate/spot-pool.json")).unwrap();
    let sim = simulate(&formula("examples/simulate/preempted-nodes.formula"), &s.generate(0).unwrap(), &c).unwrap();
    let summary = &sim.summary;
    // Only the first evaluation fails: its 3-minute window has no sample yet.
    let failures = &summary.targets.failures;
    assert_eq!(failures.len(), 1);
    assert_eq!(
        (
            failures[&ErrorCode::InsufficientSampleData].count,
            failures[&ErrorCode::InsufficientSampleData].first
        ),
        (1, s.start)
    );
    assert_eq!(summary.targets.low_priority.max, 25);
    assert!(summary.targets.dedicated.max > 0 && summary.preemptions > 10 && summary.tasks.requeued_by_preemption > 0);
    assert_eq!(summary.tasks.completed, summary.tasks.submitted);
    assert!(summary.cost.low_priority > 0.0 && summary.cost.dedicated > 0.0);
}
