//! The worked scenarios in examples/scenarios: each formula is what `new` writes and each report
//! is what `simulate` or `compare` prints, so regenerating gives the same files. To regenerate
//! after a deliberate change: `BATCH_AUTOSCALE_REGENERATE=1 cargo test --test scenarios`.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_batch-autoscale"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

const DIR: &str = "examples/scenarios";

/// Each formula file and the `new` arguments that write it.
const FORMULAS: [(&str, &[&str]); 4] = [
    (
        "render-farm.formula",
        &["new", "spot", "--max-nodes", "200", "--min-dedicated", "20"],
    ),
    (
        "monte-carlo.formula",
        &["new", "slot-aware", "--max-nodes", "100", "--min-dedicated", "10"],
    ),
    (
        "image-pipeline-from-zero.formula",
        &["new", "task-based", "--max-nodes", "10", "--slots", "4"],
    ),
    (
        "image-pipeline-warm.formula",
        &["new", "task-based", "--max-nodes", "10", "--slots", "4", "--min-dedicated", "2"],
    ),
];

/// Each report and the command that prints it.
const REPORTS: [(&str, &[&str]); 3] = [
    (
        "render-farm.report.txt",
        &[
            "simulate",
            "examples/scenarios/render-farm.formula",
            "--workload",
            "examples/scenarios/render-farm.workload.json",
            "--interval",
            "PT5M",
        ],
    ),
    (
        "monte-carlo.report.txt",
        &[
            "simulate",
            "examples/scenarios/monte-carlo.formula",
            "--workload",
            "examples/scenarios/monte-carlo.workload.json",
            "--interval",
            "PT5M",
        ],
    ),
    (
        "image-pipeline.report.txt",
        &[
            "compare",
            "examples/scenarios/image-pipeline-from-zero.formula",
            "examples/scenarios/image-pipeline-warm.formula",
            "--workload",
            "examples/scenarios/image-pipeline.workload.json",
            "--interval",
            "PT5M",
        ],
    ),
];

fn same_or_regenerate(file: &str, made: &str) {
    let path = root().join(DIR).join(file);
    if std::env::var_os("BATCH_AUTOSCALE_REGENERATE").is_some() {
        std::fs::write(&path, made).unwrap();
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        stored, made,
        "{file} differs from what the command makes; see this file's docs to regenerate"
    );
}

#[test]
fn formulas_are_what_new_writes() {
    for (file, args) in FORMULAS {
        same_or_regenerate(file, &run(args));
    }
}

#[test]
fn reports_are_what_the_commands_print() {
    for (file, args) in REPORTS {
        same_or_regenerate(file, &run(args));
    }
}

#[test]
fn the_reports_say_what_each_scenario_is_about() {
    let read = |f: &str| std::fs::read_to_string(root().join(DIR).join(f)).unwrap();
    let row = |report: &str, name: &str| -> Vec<String> {
        let line = report
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in\n{report}"));
        line[name.len()..]
            .split("  ")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let render = read("render-farm.report.txt");
    assert_eq!(row(&render, "tasks completed/submitted"), ["14400/14400"]);
    assert_eq!(row(&render, "peak nodes (dedicated/low-priority)"), ["20/180"]);
    let mc = read("monte-carlo.report.txt");
    assert_eq!(row(&mc, "tasks completed/submitted"), ["10000/10000"]);
    assert_eq!(row(&mc, "$TargetDedicatedNodes")[0].split(',').next(), Some("10–100"));
    let images = read("image-pipeline.report.txt");
    let seconds = |t: &str| -> u64 { t.split(':').fold(0, |a, p| a * 60 + p.parse::<u64>().unwrap()) };
    let p95 = row(&images, "task wait p95");
    let (cold, warm) = (seconds(&p95[0]), seconds(&p95[1]));
    assert!(
        cold >= 5 * 60 && warm < 60,
        "from zero tasks wait for an allocation, warm they do not: {p95:?}"
    );
}
