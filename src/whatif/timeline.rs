//! The timeline of a replay or a simulation: one row per evaluation, its cells in the CSV
//! timeline, and the summary counted from the rows.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::builtins::Deallocation;
use crate::eval::EvalErrorKind;
use crate::time::{TimeInterval, Timestamp};

use super::table::Table;

/// The service's error code of a failed evaluation, as rows and summaries show it: it prints
/// and serialises as the code (`InsufficientSampleData`). Codes sort by their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ErrorCode {
    /// `AutoScalingFormulaEvaluationError`: any run-time error but too few samples.
    #[serde(rename = "AutoScalingFormulaEvaluationError")]
    Evaluation,
    /// `InsufficientSampleData`: a sample window held too few samples.
    InsufficientSampleData,
}

impl ErrorCode {
    /// The code as the service spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Evaluation => "AutoScalingFormulaEvaluationError",
            ErrorCode::InsufficientSampleData => "InsufficientSampleData",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<EvalErrorKind> for ErrorCode {
    fn from(kind: EvalErrorKind) -> ErrorCode {
        match kind {
            EvalErrorKind::InsufficientSampleData => ErrorCode::InsufficientSampleData,
            EvalErrorKind::Evaluation => ErrorCode::Evaluation,
        }
    }
}

/// One evaluation of the replay. In JSON the fields have the names of the CSV timeline's
/// columns (`targetDedicatedNodes`, `errorMessage`, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayRow {
    /// Evaluation time.
    pub time: Timestamp,
    /// `$TargetDedicatedNodes` after the evaluation (unchanged when it failed).
    #[serde(rename = "targetDedicatedNodes")]
    pub target_dedicated: u64,
    /// `$TargetLowPriorityNodes` after the evaluation.
    #[serde(rename = "targetLowPriorityNodes")]
    pub target_low_priority: u64,
    /// `$NodeDeallocationOption` of the last successful evaluation.
    #[serde(rename = "nodeDeallocationOption")]
    pub deallocation: Deallocation,
    /// `$CurrentDedicatedNodes` the formula saw.
    #[serde(rename = "currentDedicatedNodes")]
    pub current_dedicated: f64,
    /// `$CurrentLowPriorityNodes` the formula saw.
    #[serde(rename = "currentLowPriorityNodes")]
    pub current_low_priority: f64,
    /// The error code when the evaluation failed.
    pub error: Option<ErrorCode>,
    /// The error's `Line L, Col C: …` text.
    pub error_message: Option<String>,
    /// The requested user variables (`None` when not assigned or the evaluation failed).
    pub columns: Vec<Option<String>>,
    /// The full results string, when asked for.
    pub results: Option<String>,
}

/// Failures of one error code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureSummary {
    /// How many evaluations failed with it.
    pub count: u64,
    /// First failure.
    pub first: Timestamp,
    /// Last failure.
    pub last: Timestamp,
}

/// Min, max and mean of a target over the replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetStats {
    /// Smallest value.
    pub min: u64,
    /// Largest value.
    pub max: u64,
    /// Mean over evaluations.
    pub mean: f64,
}

/// The replay in numbers. In JSON the fields are in camelCase and a duration is given as text
/// and in seconds (`timeToFirstNonzero`, `timeToFirstNonzeroSeconds`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplaySummary {
    /// Number of evaluations.
    pub evaluations: u64,
    /// Failed evaluations by error code.
    pub failures: BTreeMap<ErrorCode, FailureSummary>,
    /// Time from the start to the first evaluation with a non-zero target (either kind).
    #[serde(flatten, serialize_with = "super::durations::time_to_first_nonzero")]
    pub time_to_first_nonzero: Option<TimeInterval>,
    /// `$TargetDedicatedNodes` statistics.
    pub dedicated: TargetStats,
    /// `$TargetLowPriorityNodes` statistics.
    pub low_priority: TargetStats,
    /// Dedicated node-hours implied by the current nodes between evaluations.
    pub dedicated_node_hours: f64,
    /// Low-priority node-hours implied by the current nodes between evaluations.
    pub low_priority_node_hours: f64,
}

impl ReplayRow {
    /// The cells of this row in the CSV timeline (see [`Replay::csv_header`]).
    pub fn cells(&self) -> Vec<String> {
        let mut cells = row_cells(self);
        cells.extend(self.columns.iter().map(|v| v.clone().unwrap_or_default()));
        cells
    }
}

/// The timeline columns every evaluation row has.
const TIMELINE_HEADER: [&str; 7] = [
    "time",
    "targetDedicatedNodes",
    "targetLowPriorityNodes",
    "nodeDeallocationOption",
    "currentDedicatedNodes",
    "currentLowPriorityNodes",
    "error",
];

/// A timeline: [`TIMELINE_HEADER`], then `extra` columns, then the user variables `columns`;
/// each row with its cells for `extra`.
pub(crate) fn timeline_table<'a>(extra: &[&str], columns: &[String], rows: impl Iterator<Item = (&'a ReplayRow, Vec<String>)>) -> Table {
    Table {
        header: timeline_header(extra, columns),
        rows: rows
            .map(|(r, extra)| {
                let mut cells = row_cells(r);
                cells.extend(extra);
                cells.extend(r.columns.iter().map(|v| v.clone().unwrap_or_default()));
                cells
            })
            .collect(),
    }
}

/// [`TIMELINE_HEADER`], then `extra` columns, then the user variables `columns`.
pub(crate) fn timeline_header(extra: &[&str], columns: &[String]) -> Vec<String> {
    TIMELINE_HEADER
        .iter()
        .chain(extra)
        .map(|h| h.to_string())
        .chain(columns.iter().cloned())
        .collect()
}

/// The cells of [`TIMELINE_HEADER`] for one row.
pub(crate) fn row_cells(r: &ReplayRow) -> Vec<String> {
    vec![
        r.time.format_results(),
        r.target_dedicated.to_string(),
        r.target_low_priority.to_string(),
        r.deallocation.name().to_string(),
        crate::format::format_double(r.current_dedicated),
        crate::format::format_double(r.current_low_priority),
        r.error.map_or_else(String::new, |code| code.to_string()),
    ]
}

/// A [`ReplaySummary`] built one row at a time (constant memory: the rows need not be kept).
#[derive(Debug, Clone)]
pub(crate) struct SummaryBuilder {
    start: Timestamp,
    evaluations: u64,
    failures: BTreeMap<ErrorCode, FailureSummary>,
    first_nonzero: Option<TimeInterval>,
    sums: [f64; 2],
    stats: [TargetStats; 2],
}

impl SummaryBuilder {
    /// No evaluation yet, of a run that starts at `start`.
    pub(crate) fn new(start: Timestamp) -> SummaryBuilder {
        let zero = TargetStats {
            min: u64::MAX,
            max: 0,
            mean: 0.0,
        };
        SummaryBuilder {
            start,
            evaluations: 0,
            failures: BTreeMap::new(),
            first_nonzero: None,
            sums: [0.0; 2],
            stats: [zero.clone(), zero],
        }
    }

    /// Count one more evaluation.
    pub(crate) fn add(&mut self, r: &ReplayRow) {
        self.evaluations += 1;
        if let Some(code) = r.error {
            self.failures
                .entry(code)
                .and_modify(|f| {
                    f.count += 1;
                    f.last = r.time;
                })
                .or_insert(FailureSummary {
                    count: 1,
                    first: r.time,
                    last: r.time,
                });
        }
        if self.first_nonzero.is_none() && (r.target_dedicated > 0 || r.target_low_priority > 0) {
            self.first_nonzero = Some(TimeInterval(r.time.0 - self.start.0));
        }
        for (k, v) in [r.target_dedicated, r.target_low_priority].into_iter().enumerate() {
            let s = &mut self.stats[k];
            s.min = s.min.min(v);
            s.max = s.max.max(v);
            self.sums[k] += v as f64;
        }
    }

    /// The summary, with the given node-hours.
    pub(crate) fn finish(self, node_hours: (f64, f64)) -> ReplaySummary {
        let [mut dedicated, mut low_priority] = self.stats;
        for (s, sum) in [(&mut dedicated, self.sums[0]), (&mut low_priority, self.sums[1])] {
            if self.evaluations == 0 {
                s.min = 0;
            } else {
                s.mean = sum / self.evaluations as f64;
            }
        }
        ReplaySummary {
            evaluations: self.evaluations,
            failures: self.failures,
            time_to_first_nonzero: self.first_nonzero,
            dedicated,
            low_priority,
            dedicated_node_hours: node_hours.0,
            low_priority_node_hours: node_hours.1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_print_serialise_and_sort_as_the_service_codes() {
        let codes = [ErrorCode::InsufficientSampleData, ErrorCode::Evaluation];
        for code in codes {
            assert_eq!(code.to_string(), code.as_str());
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{}\"", code.as_str()));
        }
        let mut sorted = codes;
        sorted.sort();
        let mut by_text = codes.map(ErrorCode::as_str);
        by_text.sort();
        assert_eq!(sorted.map(ErrorCode::as_str), by_text);
        let failures: BTreeMap<ErrorCode, u32> = codes.into_iter().zip(1..).collect();
        assert_eq!(
            serde_json::to_string(&failures).unwrap(),
            r#"{"AutoScalingFormulaEvaluationError":2,"InsufficientSampleData":1}"#
        );
        assert_eq!(
            ErrorCode::from(EvalErrorKind::Evaluation).as_str(),
            EvalErrorKind::Evaluation.code()
        );
        assert_eq!(
            ErrorCode::from(EvalErrorKind::InsufficientSampleData).as_str(),
            EvalErrorKind::InsufficientSampleData.code()
        );
    }
}
