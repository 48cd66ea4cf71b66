//! The bindings' logic in plain Rust (testable natively): JSON-ready results of check,
//! evaluate and replay.

use batch_autoscale::builtins::{self, Metric};
use batch_autoscale::{
    check as check_source, AppliedTargets, AutoScaleRun, ContextSpec, EvalContext, Formula, LineIndex, MetricStore, Severity, TimeInterval,
    Timestamp, TraceEvent,
};
use serde::Serialize;

/// Ticks (100 ns) per millisecond.
const TICKS_PER_MS: i64 = 10_000;

/// Serialize `value`; the values here always serialize, the fallback only keeps this total.
pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\":{}}}", serde_json::Value::from(e.to_string())))
}

/// Byte offsets to UTF-16 offsets of one text.
struct Utf16Map {
    /// (byte offset, UTF-16 offset) at every character start, and at the end.
    starts: Vec<(usize, usize)>,
}

impl Utf16Map {
    fn new(src: &str) -> Utf16Map {
        let mut starts = Vec::with_capacity(src.len() + 1);
        let mut u = 0;
        for (b, c) in src.char_indices() {
            starts.push((b, u));
            u += c.len_utf16();
        }
        starts.push((src.len(), u));
        Utf16Map { starts }
    }

    /// The UTF-16 offset of byte `b` (a byte inside a character maps to the character's start).
    fn at(&self, b: usize) -> usize {
        match self.starts.binary_search_by_key(&b, |&(byte, _)| byte) {
            Ok(i) => self.starts[i].1,
            Err(i) => self.starts[i.saturating_sub(1)].1,
        }
    }
}

/// A suggested edit, in UTF-16 offsets.
#[derive(Debug, Serialize)]
pub struct JsEdit {
    /// First code unit replaced.
    pub from: usize,
    /// One past the last code unit replaced.
    pub to: usize,
    /// The new text.
    pub insert: String,
}

/// A fix: its message and edits.
#[derive(Debug, Serialize)]
pub struct JsFix {
    /// What it does.
    pub message: String,
    /// The edits.
    pub edits: Vec<JsEdit>,
}

/// One diagnostic for the browser.
#[derive(Debug, Serialize)]
pub struct JsDiagnostic {
    /// `E210`.
    pub code: &'static str,
    /// `case-mismatch`.
    pub name: &'static str,
    /// `error`, `warning` or `note`.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// First UTF-16 code unit.
    pub from: usize,
    /// One past the last.
    pub to: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based character column.
    pub column: u32,
    /// Notes.
    pub notes: Vec<String>,
    /// The suggested fix.
    pub fix: Option<JsFix>,
}

/// Every diagnostic of `src`, in source order.
pub fn check(src: &str) -> Vec<JsDiagnostic> {
    let analysis = check_source(src);
    let map = Utf16Map::new(src);
    let index = LineIndex::new(src);
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            let lc = index.line_col(d.span.start as usize);
            JsDiagnostic {
                code: d.code.as_str(),
                name: d.code.name(),
                severity: d.severity,
                message: d.message.clone(),
                from: map.at(d.span.start as usize),
                to: map.at(d.span.end as usize),
                line: lc.line,
                column: lc.column,
                notes: d.notes.clone(),
                fix: d.fix.as_ref().map(|f| JsFix {
                    message: f.message.clone(),
                    edits: f
                        .edits
                        .iter()
                        .map(|e| JsEdit {
                            from: map.at(e.span.start as usize),
                            to: map.at(e.span.end as usize),
                            insert: e.replacement.clone(),
                        })
                        .collect(),
                }),
            }
        })
        .collect()
}

/// One entry of the built-ins table.
#[derive(Debug, Serialize)]
pub struct JsBuiltin {
    /// The name as written in formulas.
    pub name: &'static str,
    /// `variable`, `function`, `method`, `field`, `constant` or `keyword`.
    pub kind: &'static str,
    /// The signatures (functions and methods).
    pub signatures: Vec<&'static str>,
    /// One-line documentation.
    pub doc: &'static str,
    /// Whether formulas may assign it (variables).
    pub writable: bool,
    /// A sampled metric (has the sample methods).
    pub metric: bool,
}

fn entry(name: &'static str, kind: &'static str, doc: &'static str) -> JsBuiltin {
    JsBuiltin {
        name,
        kind,
        signatures: Vec::new(),
        doc,
        writable: false,
        metric: false,
    }
}

/// The whole built-ins table, flattened.
pub fn builtins() -> Vec<JsBuiltin> {
    let mut out = Vec::new();
    for v in builtins::VARIABLES {
        out.push(JsBuiltin {
            writable: v.writable,
            metric: Metric::from_name(v.name).is_some(),
            ..entry(v.name, "variable", v.doc)
        });
    }
    for f in builtins::FUNCTIONS {
        out.push(JsBuiltin {
            signatures: f.signatures.to_vec(),
            ..entry(f.name, "function", f.doc)
        });
    }
    for m in builtins::METHODS {
        out.push(JsBuiltin {
            signatures: m.signatures.to_vec(),
            ..entry(m.name, "method", m.doc)
        });
    }
    out.extend(builtins::FIELDS.iter().map(|f| entry(f.name, "field", f.doc)));
    out.extend(builtins::CONSTANTS.iter().map(|c| entry(c.name, "constant", c.doc)));
    out.extend(builtins::KEYWORDS.iter().map(|k| entry(k.name, "keyword", k.doc)));
    out
}

/// The targets an evaluation applied.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsApplied {
    /// Dedicated nodes.
    pub dedicated: u64,
    /// Spot/low-priority nodes.
    pub low_priority: u64,
    /// `$NodeDeallocationOption`.
    pub deallocation: &'static str,
}

fn applied(a: &AppliedTargets) -> JsApplied {
    JsApplied {
        dedicated: a.dedicated,
        low_priority: a.low_priority,
        deallocation: a.deallocation.name(),
    }
}

/// The outcome of one evaluation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsEvaluation {
    /// The `AutoScaleRun`, as the REST API returns it (absent when the context is bad).
    pub run: Option<AutoScaleRun>,
    /// The targets applied (absent when the evaluation failed).
    pub applied: Option<JsApplied>,
    /// User variables, `[name, value]`.
    pub variables: Vec<(String, String)>,
    /// The trace, one line per event, as `eval --trace` prints it.
    pub trace: Vec<String>,
    /// Why the context could not be used.
    pub context_error: Option<String>,
}

fn millis_to_timestamp(ms: f64) -> Timestamp {
    let ms = if ms.is_finite() { ms.clamp(-6.2e13, 2.5e14) } else { 0.0 };
    Timestamp((ms as i64).saturating_mul(TICKS_PER_MS))
}

fn parse_context(context_json: &str) -> Result<ContextSpec, String> {
    if context_json.trim().is_empty() {
        return Ok(ContextSpec::default());
    }
    serde_json::from_str(context_json).map_err(|e| format!("context: {e}"))
}

/// Compile and evaluate `src` in the context, tracing; a formula with errors gives the
/// service-shaped error run, as `eval` prints it.
pub fn evaluate(src: &str, context_json: &str, now_ms: f64) -> JsEvaluation {
    let failed = |message: String| JsEvaluation {
        run: None,
        applied: None,
        variables: Vec::new(),
        trace: Vec::new(),
        context_error: Some(message),
    };
    let spec = match parse_context(context_json) {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let owned = match spec.build(millis_to_timestamp(now_ms)) {
        Ok(c) => c,
        Err(e) => return failed(format!("context: {e}")),
    };
    let ctx = owned.as_context();
    match Formula::compile(src) {
        Ok(formula) => {
            let evaluation = formula.evaluate_traced(&ctx);
            JsEvaluation {
                trace: render_trace(src, &evaluation.trace),
                applied: evaluation.outcome.as_ref().ok().map(applied),
                variables: evaluation.variables.iter().map(|v| (v.name.clone(), v.value.clone())).collect(),
                run: Some(evaluation.into_run()),
                context_error: None,
            }
        }
        Err(_) => {
            // The service-shaped run for a formula with errors (D26), as `eval` prints it.
            let run = batch_autoscale::evaluate_source(src, &ctx);
            JsEvaluation {
                run: Some(run),
                applied: None,
                variables: Vec::new(),
                trace: Vec::new(),
                context_error: None,
            }
        }
    }
}

/// The trace as `eval --trace` prints it, one line per event.
pub fn render_trace(src: &str, trace: &[TraceEvent]) -> Vec<String> {
    let index = LineIndex::new(src);
    trace
        .iter()
        .map(|e| e.describe(src, |offset| index.line_col(offset)).replace('\n', "  "))
        .collect()
}

/// One evaluation of a replay.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsReplayRow {
    /// Milliseconds since 1970.
    pub time: f64,
    /// Dedicated target after the evaluation.
    pub dedicated: u64,
    /// Low-priority target after the evaluation.
    pub low_priority: u64,
    /// The evaluation's error message, if it failed (the targets stay as they were).
    pub error: Option<String>,
}

/// The outcome of a replay.
#[derive(Debug, Serialize, Default)]
pub struct JsReplay {
    /// One row per evaluation.
    pub rows: Vec<JsReplayRow>,
    /// Why the replay could not run.
    pub error: Option<String>,
}

/// At most this many evaluations in one replay (a year at 15 minutes is 35,040).
pub const MAX_REPLAY_ROWS: usize = 100_000;

/// Replay `src` over `history_json` (`{"$Metric": [[ms, value], ...]}`, times ascending).
pub fn replay(src: &str, context_json: &str, history_json: &str, interval_seconds: f64) -> JsReplay {
    let fail = |e: String| JsReplay {
        rows: Vec::new(),
        error: Some(e),
    };
    let formula = match Formula::compile(src) {
        Ok(f) => f,
        Err(err) => {
            let first = err.errors().next().map(|d| format!("{} {}", d.code.as_str(), d.message));
            return fail(format!("the formula has errors: {}", first.unwrap_or_default()));
        }
    };
    let spec = match parse_context(context_json) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let owned = match spec.build(Timestamp(0)) {
        Ok(c) => c,
        Err(e) => return fail(format!("context: {e}")),
    };
    let history: std::collections::BTreeMap<String, Vec<(f64, Option<f64>)>> = match serde_json::from_str(history_json) {
        Ok(h) => h,
        Err(e) => return fail(format!("history: {e}")),
    };
    let mut store = MetricStore::new();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for (name, samples) in &history {
        let Some(metric) = Metric::from_name(name) else {
            return fail(format!("history: `{name}` is not a sampled metric"));
        };
        let h = store.history_mut(metric);
        for &(ms, value) in samples {
            let t = millis_to_timestamp(ms);
            first = first.min(t.0);
            last = last.max(t.0);
            let Some(v) = value else { continue };
            if let Err(e) = h.push(t, v) {
                return fail(format!("history: {name} at {}: {e}", t.format_rfc3339_7()));
            }
        }
    }
    if first > last {
        return fail("history: no samples".to_string());
    }
    if !(interval_seconds.is_finite() && (300.0..=604_800.0).contains(&interval_seconds)) {
        return fail(format!("interval {interval_seconds} s: must be 5 minutes to 168 hours"));
    }
    let interval = TimeInterval((interval_seconds * 1e7) as i64);
    let steps = ((last - first) / interval.0) as usize + 1;
    if steps > MAX_REPLAY_ROWS {
        return fail(format!("{steps} evaluations: at most {MAX_REPLAY_ROWS}; use a longer interval"));
    }
    let base = owned.as_context();
    let mut pool = base.pool;
    let mut rows = Vec::with_capacity(steps);
    for k in 0..steps {
        let now = Timestamp(first + k as i64 * interval.0);
        let ctx = EvalContext {
            now,
            pool,
            metrics: &store,
            publication_delay: base.publication_delay,
            random: base.random.clone(),
        };
        let error = match formula.evaluate_targets(&ctx) {
            Ok(a) => {
                // The pool reaches the targets before the next evaluation (open loop).
                pool.target_dedicated_nodes = a.dedicated as f64;
                pool.target_low_priority_nodes = a.low_priority as f64;
                pool.current_dedicated_nodes = a.dedicated as f64;
                pool.current_low_priority_nodes = a.low_priority as f64;
                None
            }
            Err(e) => Some(e.message),
        };
        rows.push(JsReplayRow {
            time: (now.0 / TICKS_PER_MS) as f64,
            dedicated: pool.target_dedicated_nodes as u64,
            low_priority: pool.target_low_priority_nodes as u64,
            error,
        });
    }
    JsReplay { rows, error: None }
}
