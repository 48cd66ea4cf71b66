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
//! ## The API
//!
//! In the spirit of compile once, execute many times:
//!
//! | step | entry point | gives |
//! | --- | --- | --- |
//! | parse | [`parse`] | [`Parsed`]: the syntax [`Diagnostic`]s |
//! | check | [`check()`] | [`Analysis`]: every [`Diagnostic`] (with its [`Code`], [`Severity`], [`Label`]s and [`Fix`]) and the user variables |
//! | format | [`format()`] | the canonical layout, or why not ([`FormatError`]) |
//! | compile | [`Formula::compile`] | a [`Formula`], or a [`CompileError`] with the analysis |
//! | evaluate | [`Formula::evaluate`] in an [`EvalContext`] | an [`Evaluation`]: its `outcome` is `Ok(`[`AppliedTargets`]`)` or `Err(`[`EvalError`]`)`, its [`run`](Evaluation::run) the service's [`AutoScaleRun`] |
//! | all at once | [`evaluate_source`] | the [`AutoScaleRun`] the service's evaluate API answers, compile errors included (D26) |
//!
//! A context is the time, the [`PoolState`] and a [`MetricStore`] of [`MetricHistory`]s (built
//! sample by sample), or the JSON [`ContextSpec`] of the conformance cases and `--context`
//! files. Positions are byte [`Span`]s; a [`LineIndex`] turns them into lines and columns
//! ([`LineCol`]) or LSP positions ([`Utf16Position`]). Times are [`Timestamp`]s and
//! [`TimeInterval`]s in 100 ns ticks, with `Display`, `FromStr` and conversions to and from
//! [`std::time::SystemTime`] and [`std::time::Duration`].
//!
//! For tool authors, [`builtins`] is the read-only table of every built-in name and [`hosts`]
//! finds formulas in the files that hold them (pool JSON, ARM, Bicep, Terraform, …). With
//! features: [`load_metrics`], [`parse_csv`] and [`load_context`] read files (`data`),
//! `whatif` replays and simulates, `lsp` is the language server.
//!
//! ## Cargo features
//!
//! The default features are `cli`, `lsp` and `whatif`. With `default-features = false` the
//! library is the language core alone (parse, check, format, compile, evaluate) and depends
//! only on logos, chumsky, thiserror and serde.
//!
//! | feature | adds | dependencies |
//! | --- | --- | --- |
//! | `data` | [`load_metrics`], [`parse_csv`], [`parse_json`], [`load_context`]: metric and context files | csv, serde_json |
//! | `whatif` | `whatif`: replay, simulation, variants (implies `data`) | rayon |
//! | `lsp` | `lsp`: the language server | lsp-server, lsp-types, serde_json |
//! | `cli` | the `batch-autoscale` binary (implies `lsp` and `whatif`) | clap, ariadne, indicatif, jiff (with its time zone database) |
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
//!     evaluation.run().results,
//!     "$TargetDedicatedNodes=8;$TargetLowPriorityNodes=0;$NodeDeallocationOption=taskcompletion;$samples=10;$tasks=8"
//! );
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The command-line tool (`cli`) lives in this crate so that it can use the crate's internals
// (as `crate::…`) without making them public.

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

/// Check a formula: every diagnostic the service would give (errors) and more (warnings and
/// notes), with the user variables an editor needs.
///
/// ```
/// use batch_autoscale::{check, Code, Severity};
/// let src = "$TargetDedicatedNodes = max($PendingTasks.GetSample(1)) +;";
/// let analysis = check(src);
/// assert!(analysis.has_errors());
/// let error = analysis.diagnostics.iter().find(|d| d.is_error()).unwrap();
/// assert_eq!((error.code, error.severity), (Code::UnexpectedToken, Severity::Error));
/// assert_eq!(error.span.text(src), ";");
///
/// let analysis = check("$unused = 1; $TargetDedicatedNodes = 2;");
/// assert!(!analysis.has_errors());
/// assert_eq!(analysis.diagnostics[0].code.name(), "unused-variable");
/// ```
pub use check::check;
pub use check::{Analysis, Definition, VariableInfo};
#[cfg(feature = "data")]
pub use data::{load_context, load_metrics, parse_csv, parse_json, read_text, ContextFile, DataError, MetricData, ScalarSeries};
pub use diagnostic::{Code, Diagnostic, Edit, Fix, JsonDiagnostic, Label, ServiceErrorKind, Severity};
/// Build one with [`EvalContext::new`] and set the fields that matter; every field is public.
///
/// ```
/// use batch_autoscale::{EvalContext, Formula, MetricStore, RandomSource, TimeInterval};
/// let metrics = MetricStore::new();
/// let mut context = EvalContext::new("2026-11-23T12:00:00Z".parse().unwrap(), &metrics);
/// context.pool.current_dedicated_nodes = 3.0;
/// context.publication_delay = TimeInterval::SECOND.checked_mul_f64(30.0).unwrap();
/// context.random = RandomSource::Sequence(vec![0.25]);
/// let formula = Formula::compile("$TargetDedicatedNodes = $CurrentDedicatedNodes + rand() * 4;").unwrap();
/// assert_eq!(formula.evaluate(&context).outcome.unwrap().dedicated, 4);
/// ```
pub use eval::EvalContext;
/// Build a history sample by sample (times strictly increasing, values finite), then put it
/// in a [`MetricStore`] for an [`EvalContext`].
///
/// ```
/// use batch_autoscale::builtins::Metric;
/// use batch_autoscale::{EvalContext, Formula, MetricHistory, MetricStore, TimeInterval, Timestamp};
/// let now: Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
/// let mut history = MetricHistory::with_capacity(30);
/// for k in (0..30).rev() {
///     // One sample every 30 s up to now: 29, 28, …, 0 pending tasks.
///     let at = now.checked_add(TimeInterval(-k * 300_000_000)).unwrap();
///     history.push(at, k as f64).unwrap();
/// }
/// assert!(history.push(now, 1.0).is_err()); // not after the last sample
/// let mut metrics = MetricStore::new();
/// metrics.set_history(Metric::PendingTasks, history);
/// let formula = Formula::compile("$TargetDedicatedNodes = max($PendingTasks.GetSample(TimeInterval_Minute * 5));").unwrap();
/// assert_eq!(formula.evaluate(&EvalContext::new(now, &metrics)).outcome.unwrap().dedicated, 9);
/// ```
pub use eval::MetricHistory;
/// One [`MetricHistory`] per [`builtins::Metric`]; [`MetricStore::history_mut`] adds samples
/// in place.
///
/// ```
/// use batch_autoscale::builtins::Metric;
/// use batch_autoscale::{MetricStore, Timestamp};
/// let mut metrics = MetricStore::new();
/// metrics.history_mut(Metric::CpuPercent).push(Timestamp(0), 55.0).unwrap();
/// assert_eq!(metrics.history(Metric::CpuPercent).values(), [55.0]);
/// assert!(metrics.history(Metric::PendingTasks).is_empty());
/// ```
pub use eval::MetricStore;
pub use eval::{
    evaluate_source, AppliedTargets, AutoScaleRun, AutoScaleRunError, CompileError, ContextError, ContextSpec, EvalError, EvalErrorKind,
    Evaluation, Formula, HistoryError, MetricSpec, NameValuePair, OwnedContext, PoolState, RandomSource, TraceEvent, VariableValue,
};
/// Format a formula in the canonical layout (`batch-autoscale fmt`), comments kept.
///
/// ```
/// use batch_autoscale::{format, FormatError};
/// assert_eq!(format("$x=1;// one\n$TargetDedicatedNodes=$x*2").unwrap(), "$x = 1; // one\n$TargetDedicatedNodes = $x * 2;\n");
/// assert!(matches!(format("$x = ;"), Err(FormatError::Syntax)));
/// ```
pub use fmt::format;
pub use fmt::FormatError;
/// Parse a formula without checking names and types: the syntax diagnostics only.
///
/// ```
/// use batch_autoscale::parse;
/// assert!(!parse("$x = $undefined + 1;").has_errors()); // names are the checker's business
/// let parsed = parse("$x = (1 + ;");
/// assert_eq!(parsed.diagnostics[0].code.as_str(), "E101");
/// ```
pub use syntax::parse;
/// Byte offsets into a text, to line and column (1-based, in characters) and to LSP positions
/// (0-based, in UTF-16 code units), and back.
///
/// ```
/// use batch_autoscale::{LineCol, LineIndex, Utf16Position};
/// let index = LineIndex::new("$a = 1;\n$b = \"é\" + 2;");
/// // `é` is bytes 14–15, one character, one UTF-16 code unit.
/// assert_eq!(index.line_col(16), LineCol { line: 2, column: 8 });
/// assert_eq!(index.utf16_position(16), Utf16Position { line: 1, character: 7 });
/// assert_eq!(index.offset_of_utf16(Utf16Position { line: 1, character: 7 }), 16);
/// ```
pub use syntax::LineIndex;
pub use syntax::Parsed;
pub use syntax::{LineCol, Span, Utf16Position};
pub use time::{CivilFields, TimeInterval, TimeParseError, TimeRangeError, Timestamp};

/// What the fuzz targets (`fuzz/`, built by `cargo fuzz` with `--cfg fuzzing`) reach inside
/// the crate for: the syntax tree and its printer.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    #[cfg(feature = "data")]
    pub use crate::data::parse_context_file;
    pub use crate::limits::MAX_FORMULA_LENGTH;
    pub use crate::syntax::line_index::utf16_len;
    pub use crate::syntax::printer::print_formula;

    /// The syntax tree of a parse.
    pub fn tree(parsed: &crate::Parsed) -> &crate::syntax::ast::Formula {
        &parsed.formula
    }

    /// Parse with the chumsky parsers only, without the hand-written fast path.
    pub fn parse_with_chumsky_only(src: &str) -> crate::Parsed {
        crate::syntax::parser::parse_with_chumsky_only(src)
    }

    /// Statement by statement, whether the fast path and chumsky accept the same statements
    /// with the same trees: how many the fast path took, or what differs.
    pub fn fast_path_agreement(src: &str) -> Result<usize, String> {
        crate::syntax::parser::fast_path_agreement(src)
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
