//! Python bindings of batch-autoscale: the extension module `batch_autoscale._native`, which
//! the package `batch_autoscale` (`python/batch_autoscale/__init__.py`) re-exports.
//!
//! Every result is plain Python data made from the library's own serde serialisation: the value
//! is written as JSON by `serde_json` (exactly what the CLI prints with `--format json`) and read
//! back by Python's `json.loads`, so the two shapes cannot drift apart. Inputs from Python
//! (a context or a workload as a dict) go the other way, through `json.dumps` and the
//! library's `Deserialize` implementations. Bad input raises `ValueError` with the CLI's
//! message; a formula with errors raises `FormulaError` (a `ValueError`) carrying the
//! diagnostics.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::str::FromStr;

use batch_autoscale::hosts::{find_formulas, HostKind, Vars};
use batch_autoscale::whatif::{
    load_pool_settings, load_workload, parse_trace_csv, workload_from_tasks, Generator, NodeFill, PoolSettings, ReplayConfig,
    SimulationConfig, WorkloadSpec,
};
use batch_autoscale::whatif::{parse_task_list, TaskList};
use batch_autoscale::{check as analyse, evaluate_source, ContextSpec, Diagnostic, Formula, LineIndex, Severity, TimeInterval, Timestamp};
use batch_autoscale::{load_context, load_metrics, parse_csv, DataError, MetricData};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping, PySequence, PyString, PyTuple};
use serde::Serialize;

pyo3::create_exception!(
    batch_autoscale,
    FormulaError,
    PyValueError,
    "The formula has errors. `str(e)` lists them as the CLI's `check` heads them \
     (`[E102 missing-semicolon] Error: … (at <formula>:3:1)`); `e.diagnostics` holds them \
     as `check()` returns them."
);

/// The name the messages give a formula passed as text (the CLI writes the file's path).
const FORMULA_NAME: &str = "<formula>";

fn value_error(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// A serialisable library value as plain Python data, via the JSON the CLI prints.
fn to_python<'py>(py: Python<'py>, value: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// Plain Python data (a dict of str, numbers, lists, None) as JSON, for the library's
/// `Deserialize` implementations; `what` names the argument in errors.
fn from_python(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<serde_json::Value> {
    let py = obj.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("allow_nan", false)?;
    let text: String = py
        .import("json")?
        .call_method("dumps", (obj,), Some(&kwargs))
        .map_err(|e| value_error(format!("{what}: {}", e.value(py))))?
        .extract()?;
    serde_json::from_str(&text).map_err(|e| value_error(format!("{what}: {e}")))
}

/// What a file-or-data argument holds.
enum Input<'py> {
    /// A path (`str` or `os.PathLike`).
    Path(PathBuf),
    /// A mapping (a dict).
    Mapping(Bound<'py, PyAny>),
    /// A list or tuple.
    Sequence(Bound<'py, PyAny>),
}

fn classify<'py>(obj: &Bound<'py, PyAny>, what: &str, expected: &str) -> PyResult<Input<'py>> {
    if obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")? {
        let path: PathBuf = obj.extract()?;
        return Ok(Input::Path(path));
    }
    if obj.cast::<PyMapping>().is_ok() {
        return Ok(Input::Mapping(obj.clone()));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return Ok(Input::Sequence(obj.clone()));
    }
    let type_name = obj.get_type().name()?;
    Err(PyTypeError::new_err(format!("{what}: expected {expected}, not {type_name}")))
}

/// The `FormulaError` for a formula that does not compile: every error, headed as the CLI heads
/// its rendering, and the diagnostics as data.
fn formula_error(py: Python<'_>, src: &str, diagnostics: &[Diagnostic]) -> PyErr {
    let index = LineIndex::new(src);
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    let message = errors
        .iter()
        .map(|d| {
            let at = index.line_col(d.span.start as usize);
            format!(
                "[{} {}] Error: {} (at {FORMULA_NAME}:{}:{})",
                d.code.as_str(),
                d.code.name(),
                d.message,
                at.line,
                at.column
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let error = FormulaError::new_err(message);
    let json: Vec<_> = errors.iter().map(|d| d.to_json(&index)).collect();
    if let Ok(list) = to_python(py, &json) {
        // Setting an attribute on a fresh exception cannot fail in practice; without it the
        // message still says everything.
        let _ = error.value(py).setattr("diagnostics", list);
    }
    error
}

fn compile(py: Python<'_>, source: &str) -> PyResult<Formula> {
    Formula::compile(source).map_err(|e| formula_error(py, source, &e.analysis.diagnostics))
}

fn current_time() -> Timestamp {
    Timestamp::try_from(std::time::SystemTime::now()).unwrap_or(Timestamp(0))
}

fn duration(name: &str, text: &str) -> PyResult<TimeInterval> {
    TimeInterval::from_str(text).map_err(|e| value_error(format!("{name} {text}: {e}")))
}

fn time(name: &str, text: &str) -> PyResult<Timestamp> {
    Timestamp::from_str(text).map_err(|e| value_error(format!("{name} {text}: {e}")))
}

fn non_negative(name: &str, x: f64) -> PyResult<f64> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(value_error(format!("{name} {x}: expected a finite number that is not negative")))
    }
}

fn whole(name: &str, n: i128, max: u64) -> PyResult<u64> {
    u64::try_from(n)
        .ok()
        .filter(|&n| n <= max)
        .ok_or_else(|| value_error(format!("{name} {n}: expected a whole number from 0 to {max}")))
}

fn columns(columns: Option<Vec<String>>) -> Vec<String> {
    columns
        .unwrap_or_default()
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

/// The text of a time in a (time, value) pair: a string, or anything with `isoformat()` (a
/// `datetime.datetime`, which must carry a zone).
fn time_text(obj: &Bound<'_, PyAny>) -> Option<String> {
    if let Ok(s) = obj.extract::<String>() {
        return Some(s);
    }
    obj.call_method0("isoformat").ok()?.extract::<String>().ok()
}

/// Metric history given as a mapping of metric name to (time, value) pairs: written as the long
/// CSV form and read by the library's reader, so every rule (names, finite values, one sample
/// per time) is the same as for a file; errors name the metric and the pair.
fn metrics_from_mapping(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<MetricData> {
    let mapping = obj.cast::<PyMapping>().map_err(|e| PyTypeError::new_err(e.to_string()))?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    let csv_error = |e: csv::Error| PyRuntimeError::new_err(e.to_string());
    csv.write_record(["timestamp", "metric", "value"]).map_err(csv_error)?;
    // The place in the mapping of each data row (CSV line 2 onwards).
    let mut places: Vec<String> = Vec::new();
    for item in mapping.items()?.iter() {
        let (key, pairs): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let Ok(name) = key.extract::<String>() else {
            return Err(value_error(format!(
                "{what}: the keys are metric names such as \"$PendingTasks\", not {}",
                key.repr()?
            )));
        };
        if name.contains(['\n', '\r']) {
            return Err(value_error(format!("{what}: {name:?} is not a sampled metric or pool variable")));
        }
        let place = |i: usize| format!("{what}[{name:?}][{i}]");
        if pairs.is_instance_of::<PyString>() || pairs.cast::<PySequence>().is_err() {
            return Err(value_error(format!(
                "{what}[{name:?}]: expected a list of (time, value) pairs, not {}",
                pairs.get_type().name()?
            )));
        }
        for (i, pair) in pairs.try_iter()?.enumerate() {
            let pair = pair?;
            let items = match pair.cast::<PySequence>() {
                Ok(seq) if !pair.is_instance_of::<PyString>() && seq.len()? == 2 => (seq.get_item(0)?, seq.get_item(1)?),
                _ => {
                    return Err(value_error(format!(
                        "{}: expected a (time, value) pair, not {}",
                        place(i),
                        pair.repr()?
                    )))
                }
            };
            let Some(when) = time_text(&items.0).filter(|t| !t.contains(['\n', '\r'])) else {
                return Err(value_error(format!(
                    "{}: the time is an RFC 3339 string or a datetime with a zone, not {}",
                    place(i),
                    items.0.repr()?
                )));
            };
            let value = if items.1.is_none() {
                String::new() // a sample that was never recorded
            } else {
                match items.1.extract::<f64>() {
                    Ok(v) => v.to_string(),
                    Err(_) => {
                        return Err(value_error(format!(
                            "{}: the value is a number or None, not {}",
                            place(i),
                            items.1.repr()?
                        )))
                    }
                }
            };
            csv.write_record([when.as_str(), name.as_str(), value.as_str()])
                .map_err(csv_error)?;
            places.push(place(i));
        }
    }
    let bytes = csv.into_inner().map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    parse_csv(&text, what).map_err(|e| match e {
        DataError::At { line, column, message, .. } => {
            let place = usize::try_from(line).ok().and_then(|l| places.get(l.checked_sub(2)?));
            match place {
                Some(place) => {
                    let part = match column {
                        1 => " (time)",
                        3 => " (value)",
                        _ => "",
                    };
                    let message = message.replace("leave the cell empty for a missing sample", "use None for a missing sample");
                    value_error(format!("{place}{part}: {message}"))
                }
                None => value_error(format!("{what}: {message}")),
            }
        }
        other => value_error(other.to_string()),
    })
}

/// Metric history from a path (CSV or JSON, read as `--metrics` reads it) or a mapping.
fn metric_data(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<MetricData> {
    let expected = "a path to a metric file (CSV or JSON) or a mapping of metric name to a list of (time, value) pairs";
    match classify(obj, what, expected)? {
        Input::Path(path) => load_metrics(&path).map_err(|e| value_error(e.to_string())),
        Input::Mapping(m) => metrics_from_mapping(&m, what),
        Input::Sequence(list) => task_list(&list, what)?
            .history(None)
            .map_err(|m| value_error(format!("{what}: {m}"))),
    }
}

/// Check a formula: every diagnostic, as `check --format json` lists them for a file.
///
/// `host` names the kind of text `source` is (`"terraform"`, `"pool-json"`, `"bicep"`, … as
/// `check --host` takes them); `None` reads it as a plain formula. In a host file, each
/// diagnostic also names its `formula` (the pool or resource), and positions are in the host text.
#[pyfunction]
#[pyo3(signature = (source, *, host=None, vars=None))]
fn check<'py>(py: Python<'py>, source: String, host: Option<String>, vars: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let kind = match host.as_deref() {
        None => HostKind::Formula,
        Some(name) => HostKind::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = HostKind::ALL.iter().map(|k| k.name()).collect();
            value_error(format!("host {name:?}: not a kind of file; one of {}", names.join(", ")))
        })?,
    };
    let vars = match &vars {
        Some(vars) => host_vars(vars)?,
        None => Vars::default(),
    };
    let formulas = find_formulas("<source>", &source, Some(kind)).map_err(|e| value_error(e.to_string()))?;
    let index = LineIndex::new(&source);
    let mut out = Vec::new();
    for formula in &formulas {
        for d in formula.check(&vars).diagnostics {
            let mut entry = serde_json::to_value(d.to_json(&index)).map_err(|e| value_error(e.to_string()))?;
            if kind != HostKind::Formula {
                entry["formula"] = serde_json::Value::String(formula.name.clone());
            }
            out.push(entry);
        }
    }
    to_python(py, &out)
}

/// `vars`: a mapping of placeholder name to its value (str, int or float), as `--var NAME=VALUE`.
fn host_vars(vars: &Bound<'_, PyAny>) -> PyResult<Vars> {
    let mapping = vars.cast::<PyMapping>().map_err(|_| {
        PyTypeError::new_err(format!(
            "vars: expected a mapping of placeholder name to value, not {}",
            vars.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    let mut pairs = Vec::new();
    for item in mapping.items()?.iter() {
        let (key, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let Ok(name) = key.extract::<String>() else {
            return Err(value_error(format!("vars: a placeholder name is a string, not {}", key.repr()?)));
        };
        let well_formed = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !well_formed {
            return Err(value_error(format!(
                "vars: {name:?} is not a placeholder name (a letter or `_`, then letters, digits, `_`, `.` or `-`)"
            )));
        }
        let text = if let Ok(s) = value.extract::<String>() {
            s
        } else if !value.is_instance_of::<pyo3::types::PyBool>() && value.extract::<f64>().is_ok_and(f64::is_finite) {
            value.str()?.to_string()
        } else {
            return Err(value_error(format!(
                "vars[{name:?}]: a value is a string or a finite number, not {}",
                value.repr()?
            )));
        };
        pairs.push(format!("{name}={text}"));
    }
    Vars::parse(pairs.iter().map(String::as_str)).map_err(value_error)
}

/// Evaluate a formula once: the `AutoScaleRun` of `eval --format json`.
#[pyfunction]
#[pyo3(signature = (source, context=None))]
fn evaluate<'py>(py: Python<'py>, source: String, context: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let expected = "a path to a context file or a mapping in the context-file shape";
    let owned = match &context {
        None => ContextSpec::default()
            .build(current_time())
            .map_err(|e| value_error(e.to_string()))?,
        Some(obj) => match classify(obj, "context", expected)? {
            Input::Path(path) => load_context(&path)
                .and_then(|file| file.build(current_time()))
                .map_err(|e| value_error(e.to_string()))?,
            Input::Mapping(m) => {
                let value = from_python(&m, "context")?;
                let spec: ContextSpec = serde_json::from_value(value).map_err(|e| value_error(format!("context: {e}")))?;
                spec.build(current_time()).map_err(|e| value_error(format!("context: {e}")))?
            }
            Input::Sequence(_) => return Err(PyTypeError::new_err(format!("context: expected {expected}, not a list"))),
        },
    };
    let ctx = owned.as_context();
    let run = evaluate_source(&source, &ctx);
    to_python(py, &run)
}

/// The canonical layout of a formula, as `fmt` writes it.
#[pyfunction]
fn format(py: Python<'_>, source: String) -> PyResult<String> {
    match batch_autoscale::format(&source).ok() {
        Some(formatted) => Ok(formatted),
        None => Err(formula_error(py, &source, &analyse(&source).diagnostics)),
    }
}

/// Replay a formula over metric history: the summary and the rows of `replay --format json`.
#[pyfunction]
#[pyo3(signature = (
    source, metrics, interval="PT15M".to_string(), *, start=None, end=None, pool_dedicated=0.0,
    pool_low_priority=0.0, task_slots=1.0, delay=30.0, allocation_delay="PT5M".to_string(), seed=0,
    columns=None
))]
#[pyo3(
    text_signature = "(source, metrics, interval='PT15M', *, start=None, end=None, pool_dedicated=0.0, \
    pool_low_priority=0.0, task_slots=1.0, delay=30.0, allocation_delay='PT5M', seed=0, columns=None)"
)]
#[allow(clippy::too_many_arguments)]
fn replay<'py>(
    py: Python<'py>,
    source: String,
    metrics: Option<Bound<'py, PyAny>>,
    interval: String,
    start: Option<String>,
    end: Option<String>,
    pool_dedicated: f64,
    pool_low_priority: f64,
    task_slots: f64,
    delay: f64,
    allocation_delay: String,
    seed: i128,
    columns: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyAny>> {
    let formula = compile(py, &source)?;
    let data = match &metrics {
        Some(m) => metric_data(m, "metrics")?,
        None => MetricData::default(),
    };
    let bound = |name: &str, given: &Option<String>, default: Option<Timestamp>| match given {
        Some(s) => time(name, s),
        None => default.ok_or_else(|| value_error(format!("{name} is needed: the data has no samples"))),
    };
    let mut config = ReplayConfig::new(bound("start", &start, data.first)?, bound("end", &end, data.last)?);
    config.interval = duration("interval", &interval)?;
    config.allocation_delay = duration("allocation_delay", &allocation_delay)?;
    let delay = non_negative("delay", delay)?;
    config.publication_delay = TimeInterval((delay * 1e7).round() as i64);
    config.initial_pool.target_dedicated_nodes = non_negative("pool_dedicated", pool_dedicated)?;
    config.initial_pool.target_low_priority_nodes = non_negative("pool_low_priority", pool_low_priority)?;
    config.initial_pool.task_slots_per_node = non_negative("task_slots", task_slots)?;
    config.seed = whole("seed", seed, u64::MAX)?;
    config.columns = self::columns(columns);
    // The replay runs without the GIL, so other Python threads go on meanwhile.
    let result = py
        .detach(|| batch_autoscale::whatif::replay(&formula, &data, &config))
        .map_err(|e| value_error(e.to_string()))?;
    to_python(py, &result)
}

/// A list of Batch task dicts (`az batch task list` output, as `json.loads` gives it), read as
/// the CLI reads such a file; errors name the task and field.
fn task_list(list: &Bound<'_, PyAny>, what: &str) -> PyResult<TaskList> {
    let text = from_python(list, what)?.to_string();
    parse_task_list(&text, what).map_err(|e| value_error(e.to_string()))
}

/// A workload from a path (as `--workload` reads it) or a mapping in the workload-file shape
/// (trace files it names are read relative to the working directory).
fn workload_spec(obj: &Bound<'_, PyAny>) -> PyResult<(WorkloadSpec, String)> {
    let expected = "a path to a workload file (JSON generators or a CSV trace) or a mapping in the workload-file shape";
    match classify(obj, "workload", expected)? {
        Input::Path(path) => Ok((
            load_workload(&path).map_err(|e| value_error(e.to_string()))?,
            path.display().to_string(),
        )),
        Input::Mapping(m) => {
            let value = from_python(&m, "workload")?;
            let mut spec: WorkloadSpec = serde_json::from_value(value).map_err(|e| value_error(format!("workload: {e}")))?;
            for g in &mut spec.generators {
                if let Generator::Trace { file, tasks } = g {
                    let path = PathBuf::from(&*file);
                    let text = batch_autoscale::read_text(&path).map_err(|e| value_error(e.to_string()))?;
                    *tasks = parse_trace_csv(&text, &path.display().to_string()).map_err(|e| value_error(e.to_string()))?;
                }
            }
            Ok((spec, "workload".to_string()))
        }
        Input::Sequence(list) => Ok((workload_from_tasks(&task_list(&list, "workload")?), "workload".to_string())),
    }
}

/// Pool settings from a path (as `--pool` reads it) or a mapping in that shape.
fn pool_settings(obj: &Bound<'_, PyAny>) -> PyResult<PoolSettings> {
    let expected = "a path to a pool settings file or a mapping in its shape";
    match classify(obj, "pool", expected)? {
        Input::Path(path) => load_pool_settings(&path).map_err(|e| value_error(e.to_string())),
        Input::Mapping(m) => {
            let value = from_python(&m, "pool")?;
            serde_json::from_value(value).map_err(|e| value_error(format!("pool: {e}")))
        }
        Input::Sequence(_) => Err(PyTypeError::new_err(format!("pool: expected {expected}, not a list"))),
    }
}

/// Simulate a pool in closed loop: the summary and rows of `simulate --timeline FILE.json`
/// (`summary` is what `simulate --format json` prints).
#[pyfunction]
#[pyo3(signature = (
    source, workload, *, interval="PT15M".to_string(), pool=None, slots=None, allocation_latency=None,
    preemption_rate=None, preemption_recovery=None, dedicated_quota=None, low_priority_quota=None,
    dedicated_price=None, low_priority_price=None, task_retention=None, node_fill=None, cpu_scale=None,
    initial_dedicated=0, initial_low_priority=0, start=None, end=None, seed=0, extra_metrics=None, columns=None
))]
#[pyo3(
    text_signature = "(source, workload, *, interval='PT15M', pool=None, slots=None, allocation_latency=None, \
    preemption_rate=None, preemption_recovery=None, dedicated_quota=None, low_priority_quota=None, \
    dedicated_price=None, low_priority_price=None, task_retention=None, node_fill=None, cpu_scale=None, \
    initial_dedicated=0, initial_low_priority=0, start=None, end=None, seed=0, extra_metrics=None, columns=None)"
)]
#[allow(clippy::too_many_arguments)]
fn simulate<'py>(
    py: Python<'py>,
    source: String,
    workload: Bound<'py, PyAny>,
    interval: String,
    pool: Option<Bound<'py, PyAny>>,
    slots: Option<i128>,
    allocation_latency: Option<String>,
    preemption_rate: Option<f64>,
    preemption_recovery: Option<String>,
    dedicated_quota: Option<i128>,
    low_priority_quota: Option<i128>,
    dedicated_price: Option<f64>,
    low_priority_price: Option<f64>,
    task_retention: Option<String>,
    node_fill: Option<String>,
    cpu_scale: Option<f64>,
    initial_dedicated: i128,
    initial_low_priority: i128,
    start: Option<String>,
    end: Option<String>,
    seed: i128,
    extra_metrics: Option<Bound<'py, PyAny>>,
    columns: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyAny>> {
    let formula = compile(py, &source)?;
    let interval = duration("interval", &interval)?;
    let (spec, workload_name) = workload_spec(&workload)?;
    let mut settings = match &pool {
        Some(p) => pool_settings(p)?,
        None => spec.pool.clone().unwrap_or_default(),
    };
    if let Some(n) = slots {
        settings.task_slots_per_node = match n {
            1..=256 => n as u32,
            _ => return Err(value_error(format!("slots {n}: a node has 1 to 256 task slots"))),
        };
    }
    for (name, given, field) in [
        ("allocation_latency", &allocation_latency, &mut settings.allocation_latency),
        ("preemption_recovery", &preemption_recovery, &mut settings.preemption_recovery),
        ("task_retention", &task_retention, &mut settings.task_retention),
    ] {
        if let Some(d) = given {
            *field = duration(name, d)?;
        }
    }
    for (name, given, field) in [
        ("preemption_rate", preemption_rate, &mut settings.preemption_rate),
        ("dedicated_price", dedicated_price, &mut settings.dedicated_price),
        ("low_priority_price", low_priority_price, &mut settings.low_priority_price),
        ("cpu_scale", cpu_scale, &mut settings.cpu_percent_scale),
    ] {
        if let Some(x) = given {
            *field = non_negative(name, x)?;
        }
    }
    if let Some(n) = dedicated_quota {
        settings.dedicated_quota = Some(whole("dedicated_quota", n, u32::MAX.into())? as u32);
    }
    if let Some(n) = low_priority_quota {
        settings.low_priority_quota = Some(whole("low_priority_quota", n, u32::MAX.into())? as u32);
    }
    if let Some(fill) = node_fill {
        settings.node_fill = match fill.as_str() {
            "spread" => NodeFill::Spread,
            "pack" => NodeFill::Pack,
            other => return Err(value_error(format!("node_fill {other:?}: expected \"spread\" or \"pack\""))),
        };
    }
    let seed = whole("seed", seed, u64::MAX)?;
    let mut config = SimulationConfig::new(
        match &start {
            Some(s) => time("start", s)?,
            None => spec.start,
        },
        match &end {
            Some(s) => time("end", s)?,
            None => spec.end,
        },
    );
    let tasks = spec.generate(seed).map_err(|e| value_error(format!("{workload_name}: {e}")))?;
    config.interval = interval;
    config.pool = settings;
    config.seed = seed;
    config.initial_dedicated = whole("initial_dedicated", initial_dedicated, u32::MAX.into())? as u32;
    config.initial_low_priority = whole("initial_low_priority", initial_low_priority, u32::MAX.into())? as u32;
    if let Some(extra) = &extra_metrics {
        config.supplied_metrics = metric_data(extra, "extra_metrics")?.metrics;
    }
    config.columns = self::columns(columns);
    let sim = py
        .detach(|| batch_autoscale::whatif::simulate(&formula, &tasks, &config))
        .map_err(|e| value_error(e.to_string()))?;
    to_python(py, &sim)
}

/// Check, evaluate, format, replay and simulate Azure Batch autoscale formulas offline.
#[pymodule]
mod _native {
    use pyo3::prelude::*;

    #[pymodule_export]
    use super::{check, evaluate, format, replay, simulate, FormulaError};

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
