//! The `batch-autoscale` command-line tool: a thin layer over the library.
//!
//! Exit status: 0 success, 1 the formula has errors (or an evaluation failed), 2 usage or I/O
//! errors.

#![forbid(unsafe_code)]

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    cli::run(args)
}
