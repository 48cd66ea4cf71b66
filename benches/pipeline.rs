//! The whole replay pipeline on a year of 30-second samples in a CSV file (1,051,200 rows,
//! written by `benches/year_csv.py` into Cargo's bench scratch directory on first run):
//!
//! - `ingest/…`: reading the file (`read`), parsing it (`parse-wide`, `parse-long`) and both
//!   (`load-wide`), in bytes per second;
//! - `replay/evaluate`: the 105,120 evaluations at `PT5M` on the parsed data, rows dropped;
//! - `cli/…`: the command end to end, `batch-autoscale replay examples/task-based.formula -m
//!   year-wide.csv --interval PT5M --format json > /dev/null` (and the long form, CSV output,
//!   and one evaluation only, which is the command's ingest).
//!
//! Run: `cargo bench --bench pipeline` (needs `python3`).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use batch_autoscale::whatif::{replay_streaming, ReplayConfig};
use batch_autoscale::Formula;
use batch_autoscale::{load_metrics, parse_csv, read_text, TimeInterval, Timestamp};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The directory holding `year-wide.csv` and `year-long.csv`, written when missing.
fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("year-csv");
    if !dir.join("year-long.csv").exists() {
        let status = Command::new("python3")
            .arg(Path::new(ROOT).join("benches/year_csv.py"))
            .arg(&dir)
            .status()
            .expect("python3 runs");
        assert!(status.success(), "benches/year_csv.py failed");
    }
    dir
}

fn ingest(c: &mut Criterion) {
    let dir = data_dir();
    let (wide, long) = (dir.join("year-wide.csv"), dir.join("year-long.csv"));
    let wide_text = read_text(&wide).unwrap();
    let long_text = read_text(&long).unwrap();
    assert_eq!(
        parse_csv(&wide_text, "w").unwrap().metrics,
        parse_csv(&long_text, "l").unwrap().metrics
    );
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(wide_text.len() as u64));
    g.bench_function("read", |b| b.iter(|| read_text(black_box(&wide)).unwrap()));
    g.bench_function("parse-wide", |b| b.iter(|| parse_csv(black_box(&wide_text), "w").unwrap()));
    g.bench_function("load-wide", |b| b.iter(|| load_metrics(black_box(&wide)).unwrap()));
    g.throughput(Throughput::Bytes(long_text.len() as u64));
    g.bench_function("parse-long", |b| b.iter(|| parse_csv(black_box(&long_text), "l").unwrap()));
    g.finish();
}

fn evaluate(c: &mut Criterion) {
    let data = load_metrics(&data_dir().join("year-wide.csv")).unwrap();
    let formula = Formula::compile(&std::fs::read_to_string(Path::new(ROOT).join("examples/task-based.formula")).unwrap()).unwrap();
    let mut config = ReplayConfig::new(data.first.unwrap(), data.last.unwrap());
    config.interval = "PT5M".parse::<TimeInterval>().unwrap();
    let mut g = c.benchmark_group("replay");
    g.sample_size(10);
    g.throughput(Throughput::Elements(105_120));
    g.bench_function("evaluate", |b| {
        b.iter(|| {
            let mut rows = 0u64;
            let r = replay_streaming(&formula, black_box(&data), &config, &mut |row| rows += row.target_dedicated).unwrap();
            assert_eq!(r.summary.evaluations, 105_120);
            rows
        })
    });
    g.finish();
}

/// `batch-autoscale replay examples/task-based.formula -m FILE --interval PT5M` and `extra`,
/// its output dropped.
fn command(file: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_batch-autoscale"));
    cmd.current_dir(ROOT)
        .args(["replay", "examples/task-based.formula", "-m"])
        .arg(file)
        .args(["--interval", "PT5M"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn cli(c: &mut Criterion) {
    let dir = data_dir();
    let (wide, long) = (dir.join("year-wide.csv"), dir.join("year-long.csv"));
    let start = "2025-01-01T00:00:00Z".parse::<Timestamp>().unwrap().format_results();
    let mut g = c.benchmark_group("cli");
    g.sample_size(10);
    for (name, file, extra) in [
        ("replay-year-wide-json", &wide, vec!["--format", "json"]),
        ("replay-year-long-json", &long, vec!["--format", "json"]),
        ("replay-year-wide-csv", &wide, vec!["--format", "csv"]),
        (
            "ingest-year-wide",
            &wide,
            vec!["--format", "json", "--start", &start, "--end", &start],
        ),
    ] {
        let mut cmd = command(file, &extra);
        assert!(cmd.status().unwrap().success(), "{name}");
        g.bench_function(name, |b| b.iter(|| assert!(cmd.status().unwrap().success())));
    }
    g.finish();
}

criterion_group!(benches, ingest, evaluate, cli);
criterion_main!(benches);
