//! Workloads: the tasks a simulated pool is given, from a trace or from generators.
//!
//! A **trace** is CSV with a header; columns `submit` (RFC 3339 time; `time` and `timestamp`
//! are accepted names), `duration` (ISO 8601 such as `PT10M`, or seconds) and optionally
//! `slots` (task slots the task takes, default 1):
//!
//! ```text
//! submit,duration,slots
//! 2026-11-23T10:00:00Z,PT10M,1
//! 2026-11-23T10:00:05Z,600,2
//! ```
//!
//! A **workload file** is JSON: the simulated period, generators of tasks, and optionally the
//! pool's settings ([`PoolSettings`]). Times are RFC 3339, or ISO 8601 durations counted from
//! `start`; durations are ISO 8601 or seconds:
//!
//! ```json
//! {
//!   "start": "2026-11-23T00:00:00Z",
//!   "end": "2026-11-24T00:00:00Z",
//!   "generators": [
//!     { "kind": "constant", "every": "PT1M", "count": 2, "duration": "PT10M" },
//!     { "kind": "poisson", "ratePerHour": 60, "from": "PT8H", "until": "PT18H",
//!       "duration": { "exponential": "PT10M" } },
//!     { "kind": "burst", "at": "2026-11-23T10:00:00Z", "count": 500, "spread": "PT5M",
//!       "duration": { "uniform": ["PT5M", "PT15M"] }, "slots": 2 },
//!     { "kind": "daily", "ratePerHour": [0,0,0,0,0,0,0,10,40,60,60,60,60,60,60,60,60,40,10,0,0,0,0,0],
//!       "duration": { "lognormal": { "median": "PT8M", "sigma": 0.6 } } },
//!     { "kind": "trace", "file": "tasks.csv" }
//!   ],
//!   "pool": { "taskSlotsPerNode": 4, "allocationLatency": "PT4M" }
//! }
//! ```
//!
//! `constant` submits `count` tasks every `every`; `poisson` submits tasks at random with the
//! given mean rate; `burst` submits `count` tasks at `at`, evenly over `spread` (default at
//! once); `daily` is a Poisson process whose rate follows the 24 hourly rates of a UTC day;
//! `trace` reads a trace file (its path relative to the workload file). `from` and `until`
//! (default: `start` and `end`) bound the first four. A duration is a fixed value or a
//! distribution: `{"fixed": D}`, `{"uniform": [MIN, MAX]}`, `{"exponential": MEAN}`,
//! `{"lognormal": {"median": D, "sigma": S}}`; `slots` defaults to 1. The random draws come
//! from the seed (`--seed`), each generator from its own stream, so the same seed gives the
//! same tasks on every platform.

use std::path::Path;

use serde::de::{Deserializer, Error as _};
use serde::Deserialize;

use crate::data::DataError;
use crate::time::{parse_iso8601_duration, parse_rfc3339, TimeInterval, Timestamp, TICKS_PER_SECOND};

use super::fields;
use super::pool::PoolSettings;
use super::rng::{self, SplitMix64};

/// One task: when it is submitted, how long it runs, how many task slots it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    /// Submission time.
    pub submit: Timestamp,
    /// Run time once started (not negative).
    pub duration: TimeInterval,
    /// Task slots it occupies on its node (at least 1).
    pub slots: u32,
}

/// The tasks of a simulation, in submission order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workload {
    tasks: Vec<Task>,
}

/// The most tasks one workload may hold.
pub const MAX_TASKS: usize = 10_000_000;

/// Why a workload cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkloadError {
    /// A task with no slot, e.g. `Task { slots: 0, .. }`.
    #[error("task {index}: a task takes at least one task slot")]
    ZeroSlots {
        /// Position of the task in the list given.
        index: usize,
    },
    /// A task with a negative duration, e.g. `TimeInterval(-1)`.
    #[error("task {index}: the duration is negative")]
    NegativeDuration {
        /// Position of the task in the list given.
        index: usize,
    },
    /// A generator that cannot run, e.g. `"every": "PT0S"`.
    #[error("generators[{index}]: {message}")]
    Generator {
        /// Position of the generator in the file.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// More than [`MAX_TASKS`] tasks, e.g. a Poisson rate of a billion per hour.
    #[error("more than {MAX_TASKS} tasks; lower the rates or shorten the period")]
    TooManyTasks,
}

impl Workload {
    /// A workload of these tasks (sorted by submission; tasks submitted at the same time keep
    /// their order).
    pub fn new(mut tasks: Vec<Task>) -> Result<Workload, WorkloadError> {
        if tasks.len() > MAX_TASKS {
            return Err(WorkloadError::TooManyTasks);
        }
        for (index, t) in tasks.iter().enumerate() {
            if t.slots == 0 {
                return Err(WorkloadError::ZeroSlots { index });
            }
            if t.duration.0 < 0 {
                return Err(WorkloadError::NegativeDuration { index });
            }
        }
        tasks.sort_by_key(|t| t.submit);
        Ok(Workload { tasks })
    }

    /// The tasks, in submission order.
    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    /// Number of tasks.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether there is no task.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

/// A point in time in a workload file: absolute, or an offset from the workload's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// An RFC 3339 time, `"2026-11-23T10:00:00Z"`.
    At(Timestamp),
    /// An ISO 8601 duration after `start`, `"PT2H"`.
    After(TimeInterval),
}

impl TimeSpec {
    /// The time this means for a workload that starts at `start`.
    pub fn resolve(self, start: Timestamp) -> Timestamp {
        match self {
            TimeSpec::At(t) => t,
            TimeSpec::After(d) => start.checked_add(d).unwrap_or(Timestamp::MAX),
        }
    }
}

impl<'de> Deserialize<'de> for TimeSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TimeSpec, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim_start().starts_with(['P', 'p']) {
            parse_iso8601_duration(&s).map(TimeSpec::After).map_err(D::Error::custom)
        } else {
            parse_rfc3339(&s)
                .map(TimeSpec::At)
                .map_err(|e| D::Error::custom(format!("{s:?}: {e}; or give a duration after `start` such as \"PT2H\"")))
        }
    }
}

/// How long tasks run: a fixed duration or a distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DurationDist {
    /// Always this long: `"PT10M"`, `600` or `{"fixed": "PT10M"}`.
    Fixed(TimeInterval),
    /// Uniform between two durations: `{"uniform": ["PT5M", "PT15M"]}`.
    Uniform {
        /// Shortest.
        min: TimeInterval,
        /// Longest.
        max: TimeInterval,
    },
    /// Exponential with this mean: `{"exponential": "PT10M"}`.
    Exponential {
        /// The mean.
        mean: TimeInterval,
    },
    /// Log-normal: `{"lognormal": {"median": "PT10M", "sigma": 0.5}}`.
    LogNormal {
        /// The median.
        median: TimeInterval,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
}

impl DurationDist {
    fn draw(&self, g: &mut SplitMix64) -> TimeInterval {
        let ticks = |x: f64| TimeInterval(x.clamp(0.0, 9.0e18).round() as i64);
        match *self {
            DurationDist::Fixed(d) => d,
            DurationDist::Uniform { min, max } => ticks(min.0 as f64 + (max.0 - min.0) as f64 * g.uniform()),
            DurationDist::Exponential { mean } => ticks(g.exponential(mean.0 as f64)),
            DurationDist::LogNormal { median, sigma } => ticks(median.0 as f64 * rng::exp(sigma * g.normal())),
        }
    }
}

fn duration_value(v: &serde_json::Value) -> Result<TimeInterval, String> {
    match v {
        serde_json::Value::Number(n) => fields::seconds(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) if s.trim_start().starts_with('-') => Err(format!("{s:?}: a duration cannot be negative")),
        serde_json::Value::String(s) => parse_iso8601_duration(s).map_err(|e| e.to_string()),
        other => Err(format!(
            "expected a duration such as \"PT10M\" or a number of seconds, found {other}"
        )),
    }
}

impl<'de> Deserialize<'de> for DurationDist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DurationDist, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let shapes = "a duration (\"PT10M\" or seconds) or one of {\"fixed\": D}, {\"uniform\": [MIN, MAX]}, {\"exponential\": MEAN}, {\"lognormal\": {\"median\": D, \"sigma\": S}}";
        let dist = match &v {
            serde_json::Value::Object(map) if map.len() == 1 => {
                let (key, inner) = map.iter().next().ok_or_else(|| D::Error::custom(shapes))?;
                match key.as_str() {
                    "fixed" => duration_value(inner).map(DurationDist::Fixed),
                    "exponential" => duration_value(inner).map(|mean| DurationDist::Exponential { mean }),
                    "uniform" => match inner.as_array().map(Vec::as_slice) {
                        Some([a, b]) => {
                            let (min, max) = (
                                duration_value(a).map_err(D::Error::custom)?,
                                duration_value(b).map_err(D::Error::custom)?,
                            );
                            if max < min {
                                Err("uniform: the second duration is shorter than the first".to_string())
                            } else {
                                Ok(DurationDist::Uniform { min, max })
                            }
                        }
                        _ => Err("uniform: expected two durations, [MIN, MAX]".to_string()),
                    },
                    "lognormal" => {
                        let median = inner
                            .get("median")
                            .ok_or("lognormal: `median` is missing")
                            .map_err(D::Error::custom)
                            .and_then(|m| duration_value(m).map_err(D::Error::custom))?;
                        let sigma = inner.get("sigma").and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN);
                        let known = inner.as_object().is_some_and(|o| o.keys().all(|k| k == "median" || k == "sigma"));
                        if !(known && sigma.is_finite() && (0.0..=10.0).contains(&sigma)) {
                            Err("lognormal: expected {\"median\": D, \"sigma\": S} with 0 ≤ S ≤ 10".to_string())
                        } else {
                            Ok(DurationDist::LogNormal { median, sigma })
                        }
                    }
                    other => Err(format!("unknown distribution `{other}`; expected {shapes}")),
                }
            }
            serde_json::Value::Object(_) => Err(format!("expected {shapes}")),
            plain => duration_value(plain).map(DurationDist::Fixed),
        };
        dist.map_err(D::Error::custom)
    }
}

fn hourly_rates<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let rates = Vec::<f64>::deserialize(d)?;
    if rates.len() != 24 || rates.iter().any(|r| !r.is_finite() || *r < 0.0) {
        return Err(D::Error::custom(format!(
            "expected 24 hourly rates (tasks per hour from 00:00 to 23:00 UTC), none negative; found {} values",
            rates.len()
        )));
    }
    Ok(rates)
}

fn one() -> u32 {
    1
}

fn no_time() -> TimeInterval {
    TimeInterval::ZERO
}

/// A source of tasks in a workload file (see the module docs for the JSON).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Generator {
    /// `count` tasks every `every`.
    Constant {
        /// Time between submissions (positive).
        #[serde(deserialize_with = "fields::duration")]
        every: TimeInterval,
        /// Tasks per submission (default 1).
        #[serde(default = "one")]
        count: u32,
        /// First submission (default: the workload's start).
        #[serde(default)]
        from: Option<TimeSpec>,
        /// No submission at or after this (default: the workload's end).
        #[serde(default)]
        until: Option<TimeSpec>,
        /// Run time of each task.
        duration: DurationDist,
        /// Slots of each task (default 1).
        #[serde(default = "one", deserialize_with = "fields::slots")]
        slots: u32,
    },
    /// Tasks at random times, `rate_per_hour` on average (a Poisson process).
    Poisson {
        /// Mean tasks per hour.
        #[serde(deserialize_with = "fields::non_negative")]
        rate_per_hour: f64,
        /// Start (default: the workload's start).
        #[serde(default)]
        from: Option<TimeSpec>,
        /// End (default: the workload's end).
        #[serde(default)]
        until: Option<TimeSpec>,
        /// Run time of each task.
        duration: DurationDist,
        /// Slots of each task (default 1).
        #[serde(default = "one", deserialize_with = "fields::slots")]
        slots: u32,
    },
    /// `count` tasks at once (or evenly over `spread`).
    Burst {
        /// When.
        at: TimeSpec,
        /// How many tasks.
        count: u32,
        /// Submissions spread evenly over this long (default 0: all at once).
        #[serde(default = "no_time", deserialize_with = "fields::duration")]
        spread: TimeInterval,
        /// Run time of each task.
        duration: DurationDist,
        /// Slots of each task (default 1).
        #[serde(default = "one", deserialize_with = "fields::slots")]
        slots: u32,
    },
    /// A Poisson process whose rate follows the hour of the day (UTC).
    Daily {
        /// 24 mean rates, tasks per hour, for 00:00–00:59 … 23:00–23:59 UTC.
        #[serde(deserialize_with = "hourly_rates")]
        rate_per_hour: Vec<f64>,
        /// Start (default: the workload's start).
        #[serde(default)]
        from: Option<TimeSpec>,
        /// End (default: the workload's end).
        #[serde(default)]
        until: Option<TimeSpec>,
        /// Run time of each task.
        duration: DurationDist,
        /// Slots of each task (default 1).
        #[serde(default = "one", deserialize_with = "fields::slots")]
        slots: u32,
    },
    /// The tasks of a trace file.
    Trace {
        /// The trace's path, relative to the workload file.
        file: String,
        /// The tasks, filled in when the file is read.
        #[serde(skip)]
        tasks: Vec<Task>,
    },
}

/// A workload file: the simulated period, the generators and the pool's settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Start of the simulated period (first evaluation).
    #[serde(deserialize_with = "fields::timestamp")]
    pub start: Timestamp,
    /// End of the simulated period.
    #[serde(deserialize_with = "fields::timestamp")]
    pub end: Timestamp,
    /// Where the tasks come from.
    pub generators: Vec<Generator>,
    /// The pool's settings, if the file gives them.
    #[serde(default)]
    pub pool: Option<PoolSettings>,
}

impl WorkloadSpec {
    /// A spec for a trace: from its first submission to a day after the last task could end
    /// (the last submission plus the longest duration).
    pub fn from_trace(tasks: Vec<Task>) -> Option<WorkloadSpec> {
        let start = tasks.iter().map(|t| t.submit).min()?;
        let last = tasks.iter().map(|t| t.submit).max()?;
        let longest = tasks.iter().map(|t| t.duration).max()?;
        let end = last
            .checked_add(longest)
            .and_then(|t| t.checked_add(TimeInterval::DAY))
            .unwrap_or(Timestamp::MAX);
        Some(WorkloadSpec {
            start,
            end,
            generators: vec![Generator::Trace {
                file: String::new(),
                tasks,
            }],
            pool: None,
        })
    }

    /// Draw the tasks; the same seed gives the same tasks.
    pub fn generate(&self, seed: u64) -> Result<Workload, WorkloadError> {
        let mut tasks: Vec<Task> = Vec::new();
        for (index, g) in self.generators.iter().enumerate() {
            let mut rng = SplitMix64::new(seed, 1000 + index as u64);
            let bad = |message: String| WorkloadError::Generator { index, message };
            let span = |from: &Option<TimeSpec>, until: &Option<TimeSpec>| {
                let a = from.map_or(self.start, |f| f.resolve(self.start));
                let b = until.map_or(self.end, |u| u.resolve(self.start));
                if b < a {
                    Err(bad(format!(
                        "`until` ({}) is before `from` ({})",
                        b.format_results(),
                        a.format_results()
                    )))
                } else {
                    Ok((a.0, b.0))
                }
            };
            let mut emit = |t: i64, duration: &DurationDist, slots: u32, rng: &mut SplitMix64| {
                if tasks.len() >= MAX_TASKS {
                    return Err(WorkloadError::TooManyTasks);
                }
                tasks.push(Task {
                    submit: Timestamp(t),
                    duration: duration.draw(rng),
                    slots,
                });
                Ok(())
            };
            match g {
                Generator::Constant {
                    every,
                    count,
                    from,
                    until,
                    duration,
                    slots,
                } => {
                    if every.0 <= 0 {
                        return Err(bad("`every` must be longer than zero".into()));
                    }
                    let (mut t, b) = span(from, until)?;
                    if *count > 0 && too_many(((b - t) / every.0) as f64 * *count as f64) {
                        return Err(WorkloadError::TooManyTasks);
                    }
                    while *count > 0 && t < b {
                        for _ in 0..*count {
                            emit(t, duration, *slots, &mut rng)?;
                        }
                        t = t.saturating_add(every.0);
                    }
                }
                Generator::Poisson {
                    rate_per_hour,
                    from,
                    until,
                    duration,
                    slots,
                } => {
                    let (a, b) = span(from, until)?;
                    if too_many(rate_per_hour * hours(a, b)) {
                        return Err(WorkloadError::TooManyTasks);
                    }
                    if *rate_per_hour > 0.0 {
                        let mean_gap = 3600.0 * TICKS_PER_SECOND as f64 / rate_per_hour;
                        let mut t = a as f64;
                        loop {
                            t += rng.exponential(mean_gap);
                            if t >= b as f64 {
                                break;
                            }
                            emit(t as i64, duration, *slots, &mut rng)?;
                        }
                    }
                }
                Generator::Burst {
                    at,
                    count,
                    spread,
                    duration,
                    slots,
                } => {
                    let at = at.resolve(self.start).0;
                    if too_many(*count as f64) {
                        return Err(WorkloadError::TooManyTasks);
                    }
                    for i in 0..*count {
                        let offset = (spread.0 as i128 * i as i128 / (*count).max(1) as i128) as i64;
                        emit(at.saturating_add(offset), duration, *slots, &mut rng)?;
                    }
                }
                Generator::Daily {
                    rate_per_hour,
                    from,
                    until,
                    duration,
                    slots,
                } => {
                    let (a, b) = span(from, until)?;
                    let peak = rate_per_hour.iter().copied().fold(0.0, f64::max);
                    // Candidates come at the peak rate: bound those, not only the tasks kept.
                    if too_many(peak * hours(a, b)) {
                        return Err(WorkloadError::TooManyTasks);
                    }
                    if peak > 0.0 {
                        // Thinning: candidates at the peak rate, each kept with rate(t) / peak.
                        let mean_gap = 3600.0 * TICKS_PER_SECOND as f64 / peak;
                        let mut t = a as f64;
                        loop {
                            t += rng.exponential(mean_gap);
                            if t >= b as f64 {
                                break;
                            }
                            let hour = Timestamp(t as i64).fields().hour as usize;
                            if rng.uniform() * peak < rate_per_hour[hour] {
                                emit(t as i64, duration, *slots, &mut rng)?;
                            }
                        }
                    }
                }
                Generator::Trace { tasks: trace, .. } => {
                    if tasks.len() + trace.len() > MAX_TASKS {
                        return Err(WorkloadError::TooManyTasks);
                    }
                    tasks.extend_from_slice(trace);
                }
            }
        }
        Workload::new(tasks)
    }
}

/// Whether a generator would make more than [`MAX_TASKS`] tasks (checked before making them, so
/// that a silly rate fails at once instead of filling the memory).
fn too_many(expected: f64) -> bool {
    expected > MAX_TASKS as f64
}

fn hours(a: i64, b: i64) -> f64 {
    (b - a) as f64 / (3600.0 * TICKS_PER_SECOND as f64)
}

/// Read a workload: a Batch task list (by content, see [`TaskList`](super::TaskList)), JSON (by the
/// `.json` extension) or a CSV trace.
pub fn load_workload(path: &Path) -> Result<WorkloadSpec, DataError> {
    let text = crate::data::read_text(path)?;
    let display = path.display().to_string();
    if crate::data::tasks::is_task_list(&text) {
        let list = crate::data::tasks::parse_task_list(&text, &display)?;
        return Ok(super::tasks::workload_from_tasks(&list));
    }
    if path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        parse_workload_json(&text, &display, path.parent().unwrap_or(Path::new(".")))
    } else {
        let tasks = parse_trace_csv(&text, &display)?;
        WorkloadSpec::from_trace(tasks).ok_or(DataError::At {
            path: display,
            line: 2,
            column: 1,
            message: "the trace has no task".into(),
        })
    }
}

/// Read a JSON workload file; trace files it names are read relative to `dir`.
pub fn parse_workload_json(text: &str, path: &str, dir: &Path) -> Result<WorkloadSpec, DataError> {
    let mut spec: WorkloadSpec = fields::from_json(text, path)?;
    for g in &mut spec.generators {
        if let Generator::Trace { file, tasks } = g {
            let trace = dir.join(&*file);
            *tasks = parse_trace_csv(&crate::data::read_text(&trace)?, &trace.display().to_string())?;
        }
    }
    Ok(spec)
}

/// Read a CSV trace (see the module docs).
pub fn parse_trace_csv(text: &str, path: &str) -> Result<Vec<Task>, DataError> {
    let at = |line: u64, column: usize, message: String| DataError::At {
        path: path.into(),
        line,
        column: column as u64 + 1,
        message,
    };
    let mut reader = crate::data::csv_reader(text);
    let headers = reader.headers().map_err(|e| at(1, 0, e.to_string()))?.clone();
    let (mut submit, mut duration, mut slots) = (None, None, None);
    for (i, h) in headers.iter().enumerate() {
        let slot = match h.to_ascii_lowercase().as_str() {
            "submit" | "time" | "timestamp" => &mut submit,
            "duration" => &mut duration,
            "slots" => &mut slots,
            _ => {
                return Err(at(
                    1,
                    i,
                    format!("unknown column `{h}`; a trace has the columns submit, duration and (optionally) slots"),
                ))
            }
        };
        if slot.replace(i).is_some() {
            return Err(at(1, i, format!("column `{h}` appears twice")));
        }
    }
    let (Some(submit), Some(duration)) = (submit, duration) else {
        return Err(at(
            1,
            0,
            "a trace needs the columns submit and duration (and optionally slots)".into(),
        ));
    };
    let mut tasks = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            at(line, 0, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let time = parse_rfc3339(field(submit)).map_err(|e| at(line, submit, format!("bad submit time {:?}: {e}", field(submit))))?;
        let d = field(duration);
        let run = match d.parse::<f64>() {
            Ok(seconds) => fields::seconds(seconds),
            Err(_) if d.starts_with('-') => Err(format!("{d:?}: a duration cannot be negative")),
            Err(_) => parse_iso8601_duration(d).map_err(|e| e.to_string()),
        }
        .map_err(|m| at(line, duration, m))?;
        let n = match slots {
            Some(i) if !field(i).is_empty() => {
                let n: u64 = field(i)
                    .parse()
                    .map_err(|_| at(line, i, format!("{:?} is not a whole number of slots", field(i))))?;
                fields::check_slots(n).map_err(|m| at(line, i, m))?
            }
            _ => 1,
        };
        if tasks.len() >= MAX_TASKS {
            return Err(at(line, 0, format!("more than {MAX_TASKS} tasks")));
        }
        tasks.push(Task {
            submit: time,
            duration: run,
            slots: n,
        });
    }
    Ok(tasks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        parse_rfc3339(s).unwrap()
    }

    fn spec(generators: &str) -> WorkloadSpec {
        let text = format!(r#"{{"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z", "generators": [{generators}]}}"#);
        parse_workload_json(&text, "w.json", Path::new(".")).unwrap()
    }

    #[test]
    fn traces_read_times_durations_and_slots() {
        let t = parse_trace_csv(
            "submit,duration,slots\n2026-11-23T10:00:00Z,PT10M,2\n2026-11-23T10:00:05Z,90.5,\n",
            "t.csv",
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].duration, t[0].slots),
            (TimeInterval::MINUTE.checked_mul_f64(10.0).unwrap(), 2)
        );
        assert_eq!((t[1].duration.0, t[1].slots), (905_000_000, 1));
        let s = WorkloadSpec::from_trace(t).unwrap();
        assert_eq!(s.start, ts("2026-11-23T10:00:00Z"));
        assert_eq!(s.end, ts("2026-11-24T10:10:05Z"));
    }

    #[test]
    fn trace_errors_name_the_line_and_column() {
        for (text, want) in [
            ("submit,duration\n2026-11-23T10:00:00Z,-5\n", "t.csv:2:2:"),
            ("submit,duration\n2026-11-23T10:00:00Z,-PT5M\n", "t.csv:2:2:"),
            ("submit,duration,slots\n2026-11-23T10:00:00Z,PT5M,0\n", "t.csv:2:3:"),
            ("submit,duration,slots\n2026-11-23T10:00:00Z,PT5M,x\n", "t.csv:2:3:"),
            ("submit,duration\n2026-11-23,PT5M\n", "t.csv:2:1:"),
            ("submit,duratoin\n", "t.csv:1:2:"),
            ("submit\n", "t.csv:1:1:"),
            ("submit,duration\n2026-11-23T10:00:00Z\n", "t.csv:2:"),
            ("submit,duration\n2026-11-23T10:00:00Z,NaN\n", "t.csv:2:2:"),
        ] {
            let e = parse_trace_csv(text, "t.csv").unwrap_err().to_string();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn generators_make_the_tasks_they_describe() {
        let w = spec(r#"{"kind": "constant", "every": "PT1H", "count": 2, "from": "PT1H", "until": "PT4H", "duration": 60}"#)
            .generate(0)
            .unwrap();
        let times: Vec<String> = w.tasks().iter().map(|t| t.submit.format_results()).collect();
        assert_eq!(times.len(), 6);
        assert_eq!(times[0], "2026-11-23T01:00:00.000Z");
        assert_eq!(times[5], "2026-11-23T03:00:00.000Z");
        let w = spec(r#"{"kind": "burst", "at": "2026-11-23T10:00:00Z", "count": 4, "spread": "PT4M", "duration": "PT1M", "slots": 2}"#)
            .generate(0)
            .unwrap();
        assert_eq!(w.tasks()[3].submit, ts("2026-11-23T10:03:00Z"));
        assert!(w.tasks().iter().all(|t| t.slots == 2));
        let w = spec(r#"{"kind": "poisson", "ratePerHour": 100, "duration": {"exponential": "PT10M"}}"#)
            .generate(1)
            .unwrap();
        assert!((2100..2700).contains(&w.len()), "{}", w.len());
        let mean = w.tasks().iter().map(|t| t.duration.0 as f64).sum::<f64>() / w.len() as f64 / 6e8;
        assert!((mean - 10.0).abs() < 1.0, "{mean}");
        let mut rates = vec![0.0; 24];
        rates[9] = 600.0;
        let daily =
            format!(r#"{{"kind": "daily", "ratePerHour": {rates:?}, "duration": {{"lognormal": {{"median": "PT5M", "sigma": 0.5}}}}}}"#);
        let w = spec(&daily).generate(1).unwrap();
        assert!(w.tasks().iter().all(|t| t.submit.fields().hour == 9));
        assert!((500..700).contains(&w.len()), "{}", w.len());
        let w = spec(r#"{"kind": "poisson", "ratePerHour": 10, "duration": {"uniform": ["PT1M", "PT2M"]}}"#)
            .generate(3)
            .unwrap();
        assert!(w.tasks().iter().all(|t| (600_000_000..=1_200_000_000).contains(&t.duration.0)));
    }

    #[test]
    fn the_same_seed_gives_the_same_tasks() {
        let s = spec(r#"{"kind": "poisson", "ratePerHour": 50, "duration": {"exponential": "PT10M"}}"#);
        assert_eq!(s.generate(5).unwrap(), s.generate(5).unwrap());
        assert_ne!(s.generate(5).unwrap(), s.generate(6).unwrap());
    }

    #[test]
    fn workload_file_errors_point_at_the_value() {
        let file =
            |g: &str| format!("{{\n\"start\": \"2026-11-23T00:00:00Z\",\n\"end\": \"2026-11-24T00:00:00Z\",\n\"generators\": [\n{g}\n]}}");
        for (g, want) in [
            (r#"{"kind": "constant", "every": "PT1M", "duration": "-PT5M"}"#, "w.json:5:"),
            (r#"{"kind": "constant", "every": "PT1M", "duration": -3}"#, "negative"),
            (
                r#"{"kind": "constant", "every": "PT1M", "duration": "PT5M", "slots": 0}"#,
                "0 task slots",
            ),
            (r#"{"kind": "poisson", "ratePerHour": -1, "duration": "PT5M"}"#, "not negative"),
            (r#"{"kind": "daily", "ratePerHour": [1, 2], "duration": "PT5M"}"#, "24 hourly rates"),
            (r#"{"kind": "burst", "at": "tomorrow", "count": 3, "duration": "PT5M"}"#, "PT2H"),
            (r#"{"kind": "constant", "evry": "PT1M", "duration": "PT5M"}"#, "unknown field"),
            (r#"{"kind": "sometimes", "duration": "PT5M"}"#, "unknown variant"),
            (
                r#"{"kind": "poisson", "ratePerHour": 1, "duration": {"gamma": 2}}"#,
                "unknown distribution",
            ),
            (
                r#"{"kind": "poisson", "ratePerHour": 1, "duration": {"uniform": ["PT5M", "PT1M"]}}"#,
                "shorter",
            ),
            (r#"{"kind": "trace", "file": "does-not-exist.csv"}"#, "does-not-exist.csv"),
        ] {
            let e = parse_workload_json(&file(g), "w.json", Path::new(".")).unwrap_err().to_string();
            assert!(e.contains(want), "{g}: {e}");
            // Serde reads a generator whole before it looks at its kind: the position is the
            // generator's closing brace.
            assert!(e.starts_with("w.json:5:") || e.contains("does-not-exist"), "{g}: {e}");
        }
        let e = spec(r#"{"kind": "constant", "every": "PT0S", "duration": "PT5M"}"#)
            .generate(0)
            .unwrap_err();
        assert!(matches!(e, WorkloadError::Generator { index: 0, .. }), "{e}");
        let e = spec(r#"{"kind": "poisson", "ratePerHour": 1, "from": "PT5H", "until": "PT1H", "duration": "PT5M"}"#)
            .generate(0)
            .unwrap_err();
        assert!(e.to_string().contains("before"), "{e}");
        let e = spec(r#"{"kind": "poisson", "ratePerHour": 1e12, "duration": "PT5M"}"#)
            .generate(0)
            .unwrap_err();
        assert_eq!(e, WorkloadError::TooManyTasks);
    }

    #[test]
    fn tasks_built_in_code_are_checked_and_sorted() {
        let t = |m: i64, d: i64, slots: u32| Task {
            submit: Timestamp(m),
            duration: TimeInterval(d),
            slots,
        };
        let w = Workload::new(vec![t(5, 1, 1), t(1, 1, 1)]).unwrap();
        assert_eq!(w.tasks()[0].submit, Timestamp(1));
        assert_eq!(Workload::new(vec![t(0, 1, 0)]), Err(WorkloadError::ZeroSlots { index: 0 }));
        assert_eq!(Workload::new(vec![t(0, -1, 1)]), Err(WorkloadError::NegativeDuration { index: 0 }));
    }
}
