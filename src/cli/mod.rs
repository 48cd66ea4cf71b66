//! Command-line interface: argument definitions and one module per subcommand.

/// `print!` that never panics: when standard output is a closed pipe (`… | head`), the rest of
/// the output is dropped and the command still ends with its own exit status.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `println!` that never panics (see [`out!`]).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprint!` that never panics when standard error is a closed pipe.
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// `eprintln!` that never panics when standard error is a closed pipe.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod check;
mod ci;
mod compare;
mod completions;
mod eval;
mod fix;
mod fmt;
mod history;
mod host;
mod lsp;
mod new;
mod output;
mod render;
mod replay;
mod scenario;
mod simulate;
mod sweep;
mod timeline;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Check, evaluate, format and simulate Azure Batch autoscale formulas offline.
#[derive(Debug, Parser)]
#[command(name = "batch-autoscale", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check formulas and report every diagnostic.
    Check(check::Args),
    /// Evaluate a formula once against a context (time, pool, samples).
    Eval(eval::Args),
    /// Format formulas in the canonical layout.
    Fmt(fmt::Args),
    /// Replay a formula over recorded metric history (open loop).
    Replay(replay::ReplayArgs),
    /// Simulate a pool and a workload in closed loop.
    Simulate(simulate::SimulateArgs),
    /// Compare formulas side by side on the same workload or history.
    Compare(compare::CompareArgs),
    /// Sweep a formula's parameter or the evaluation interval, every variant in parallel.
    Sweep(sweep::SweepArgs),
    /// Run the language server over stdio.
    Lsp(lsp::Args),
    /// Write the metric history a Batch task list implies, as CSV.
    History(history::HistoryArgs),
    /// Write a commented formula for a common need (task-based, time-of-day, …).
    New(new::NewArgs),
    /// Write the shell completion script for bash, zsh, fish, PowerShell or elvish.
    Completions(completions::CompletionsArgs),
    /// Write the manual page (roff) of the tool and its subcommands.
    Man(completions::ManArgs),
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(a) => check::run(a),
        Command::Eval(a) => eval::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Replay(a) => replay::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Lsp(a) => lsp::run(a),
        Command::History(a) => history::run(a),
        Command::New(a) => new::run(a),
        Command::Completions(a) => completions::run_completions(a),
        Command::Man(a) => completions::run_man(a),
    }
}

/// Value parser for amounts that cannot be negative (`--pool-dedicated 3`): a negative value is
/// refused with "must be at least 0" (with `allow_negative_numbers`, so clap does not take `-3`
/// for a flag).
pub(crate) fn non_negative(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim().parse().map_err(|_| "expected a number".to_string())?;
    crate::data::check_pool_value("targetDedicatedNodes", v).map(|()| v)
}

/// What to say when a run starts at `at` about a "first interval" branch on the time since a
/// fixed `time("…")` date that is already long past (W320): it can never run.
pub(crate) fn fixed_date_notes(source: &str, at: crate::Timestamp) -> Vec<String> {
    crate::check(source)
        .fixed_date_ages()
        .iter()
        .filter_map(|age| age.note_at(at))
        .collect()
}

/// Value parser for counts (`--initial-dedicated 3`, `--seed 7`): a whole number, at least 0;
/// `-3` is refused with "must be at least 0" (with `allow_negative_numbers`, so clap does not
/// take `-3` for a flag).
pub(crate) fn whole(s: &str) -> Result<u64, String> {
    let t = s.trim();
    if let Ok(v) = t.parse::<u64>() {
        return Ok(v);
    }
    match t.parse::<f64>() {
        Ok(v) if v < 0.0 => Err("must be at least 0".into()),
        Ok(v) if v.is_finite() && v.fract() != 0.0 => Err("expected a whole number".into()),
        Ok(v) if v.is_finite() => Err(format!("must be at most {}", u64::MAX)),
        _ => Err("expected a whole number".into()),
    }
}

/// [`whole`], at most `u32::MAX` (node quotas).
pub(crate) fn whole_u32(s: &str) -> Result<u32, String> {
    let v = whole(s)?;
    u32::try_from(v).map_err(|_| format!("must be at most {}", u32::MAX))
}

/// Value parser for `$TaskSlotsPerNode`: a whole number from 1 to 256, as `simulate --slots`.
pub(crate) fn task_slots(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| "expected a whole number of task slots, 1 to 256".to_string())?;
    crate::data::check_pool_value("taskSlotsPerNode", v).map(|()| v)
}

/// A number from a flag as the user would write it: `-1` for -1.0, `1e300` rather than its 301
/// digits, `0.5` as `0.5`.
pub(crate) fn shown_number(v: f64) -> String {
    if v.is_finite() && v == v.trunc() && v.abs() < 1e16 {
        format!("{v}")
    } else {
        format!("{v:?}")
    }
}

/// `n` and the noun, singular for 1 (`1 error`, `2 errors`); `noun` is the singular, and the
/// plural adds `s`.
pub(crate) fn counted(n: impl std::fmt::Display, noun: &str) -> String {
    let n = n.to_string();
    if n == "1" {
        format!("{n} {noun}")
    } else if noun.ends_with(['s', 'x']) || noun.ends_with("ch") || noun.ends_with("sh") {
        format!("{n} {noun}es")
    } else {
        format!("{n} {noun}s")
    }
}
