//! The `batch-autoscale` command-line tool: a thin layer over the library (its `cli` module).
//!
//! Exit status: 0 success, 1 the formula has errors (or an evaluation failed), 2 usage or I/O
//! errors.

#![forbid(unsafe_code)]

use clap::Parser;

fn main() -> std::process::ExitCode {
    batch_autoscale::cli::run(batch_autoscale::cli::Cli::parse())
}
