//! # batch-autoscale
//!
//! A faithful, offline implementation of the Azure Batch *autoscale formula language*: parse a
//! formula, check it the way the service would (and beyond), and evaluate it against pool state
//! and sampled metrics to get exactly the `AutoScaleRun` the service would answer.
//!
//! The language this crate implements is described in its reference, `docs/language.md` in
//! the repository: syntax, types, operators, built-ins, evaluation, the results string, and
//! every decision D1–D52, each marked as documented service behaviour, observed behaviour or
//! the project's own decision.
//!
//! ## Cargo features
//!
//! The default features are `cli`, `lsp` and `whatif`. With `default-features = false` the
//! library is the language core alone (parse, check, format, compile, evaluate) and depends
//! only on logos, chumsky, thiserror and serde.
//!
//! | feature | adds | dependencies |
//! | --- | --- | --- |
//! | `data` | `data`: metric and context files (CSV, JSON) | csv, serde_json |
//! | `whatif` | `whatif`: replay, simulation, variants (implies `data`) | rayon |
//! | `lsp` | `lsp`: the language server | lsp-server, lsp-types, serde_json |
//! | `cli` | the `batch-autoscale` binary (implies `lsp` and `whatif`) | clap, ariadne, indicatif |
//!
//! ```
//! use batch_autoscale::{check, ContextSpec, Formula};
//!
//! let src = "$samples = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 15);
//! $tasks = $samples < 70 ? max(0, $PendingTasks.GetSample(1)) : avg($PendingTasks.GetSample(TimeInterval_Minute * 15));
//! $TargetDedicatedNodes = min(20, $tasks);
//! $NodeDeallocationOption = taskcompletion;";
//!
//! // Check: no errors (warnings are fine).
//! assert!(!check(src).has_errors());
//!
//! // Evaluate against a context: the time, the pool and the samples.
//! let spec: ContextSpec = serde_json::from_str(r#"{
//!     "now": "2026-11-23T12:00:00Z",
//!     "metrics": { "$PendingTasks": { "last": "2026-11-23T12:00:00Z", "values": [3, 5, 8] } }
//! }"#).unwrap();
//! let context = spec.build(batch_autoscale::Timestamp(0)).unwrap();
//! let formula = Formula::compile(src).unwrap();
//! let evaluation = formula.evaluate(&context.as_context());
//! assert_eq!(
//!     evaluation.run.results,
//!     "$TargetDedicatedNodes=8;$TargetLowPriorityNodes=0;$NodeDeallocationOption=taskcompletion;$samples=10;$tasks=8"
//! );
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The command-line tool (`cli`) lives in this crate so that it can use the crate's internals
// without making them public; it names them `batch_autoscale::…` as it did when it was a
// separate crate.
#[cfg(feature = "cli")]
extern crate self as batch_autoscale;

pub mod builtins;
mod check;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
#[cfg(feature = "data")]
mod data;
mod deep;
mod diagnostic;
mod eval;
mod fmt;
mod format;
pub mod hosts;
mod limits;
#[cfg(feature = "lsp")]
pub mod lsp;
mod ops;
mod syntax;
#[cfg(test)]
mod tests;
mod time;
mod types;
#[cfg(feature = "whatif")]
pub mod whatif;

pub use check::{check, Analysis, Definition, VariableInfo};
#[cfg(feature = "data")]
pub use data::{load_context, load_metrics, parse_csv, parse_json, read_text, ContextFile, DataError, MetricData, ScalarSeries};
pub use diagnostic::{Code, Diagnostic, Edit, Fix, JsonDiagnostic, Label, ServiceErrorKind, Severity};
pub use eval::{
    evaluate_source, AppliedTargets, AutoScaleRun, AutoScaleRunError, CompileError, ContextError, ContextSpec, EvalContext, EvalError,
    EvalErrorKind, Evaluation, Formula, HistoryError, MetricHistory, MetricSpec, MetricStore, NameValuePair, OwnedContext, PoolState,
    RandomSource, TraceEvent, VariableValue,
};
pub use fmt::{format, FormatError};
pub use syntax::{parse, LineCol, LineIndex, Parsed, Span, Utf16Position};
pub use time::{TimeInterval, TimeParseError, TimeRangeError, Timestamp};

/// What the fuzz targets (`fuzz/`, built by `cargo fuzz` with `--cfg fuzzing`) reach inside
/// the crate for: the syntax tree and its printer.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::limits::MAX_FORMULA_LENGTH;
    pub use crate::syntax::line_index::utf16_len;
    pub use crate::syntax::printer::print_formula;

    /// The syntax tree of a parse.
    pub fn tree(parsed: &crate::Parsed) -> &crate::syntax::ast::Formula {
        &parsed.formula
    }

    /// The syntax tree the checker read.
    pub fn checked_tree(analysis: &crate::Analysis) -> &crate::syntax::ast::Formula {
        &analysis.formula
    }
}

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(all(doctest, feature = "whatif"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
