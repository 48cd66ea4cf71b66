//! Evaluation: compile once, evaluate many times (§7).

pub(crate) mod code;
pub mod compile;
pub mod context;
pub mod exec;
pub mod run;
pub mod value;

pub use compile::{CompileError, Formula};
pub use context::{
    ContextError, ContextSpec, EvalContext, HistoryError, MetricHistory, MetricSpec, MetricStore, OwnedContext, PoolState, RandomSource,
};
#[cfg(feature = "cli")]
pub(crate) use run::run_for_errors;
pub use run::{
    evaluate_source, AppliedTargets, AutoScaleRun, AutoScaleRunError, EvalError, EvalErrorKind, Evaluation, NameValuePair, TraceEvent,
    VariableValue,
};
