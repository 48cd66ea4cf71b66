//! The one table of built-ins: service variables, functions, sample methods, timestamp fields,
//! `TimeInterval_*` constants and deallocation keywords, each with its documentation.
//!
//! The checker, the evaluator, completion and hover all read these tables; nothing else lists
//! built-in names.

use serde::Serialize;

use crate::time::TimeInterval;

/// A sampled metric: a read-only service variable with sample methods (§5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub enum Metric {
    /// `$ActiveTasks`
    ActiveTasks,
    /// `$RunningTasks`
    RunningTasks,
    /// `$PendingTasks`
    PendingTasks,
    /// `$SucceededTasks`
    SucceededTasks,
    /// `$FailedTasks`
    FailedTasks,
    /// `$PreemptedNodeCount`
    PreemptedNodeCount,
    /// `$CPUPercent`
    CpuPercent,
    /// `$WallClockSeconds` (retired)
    WallClockSeconds,
    /// `$MemoryBytes` (retired)
    MemoryBytes,
    /// `$DiskBytes` (retired)
    DiskBytes,
    /// `$DiskReadBytes` (retired)
    DiskReadBytes,
    /// `$DiskWriteBytes` (retired)
    DiskWriteBytes,
    /// `$DiskReadOps` (retired)
    DiskReadOps,
    /// `$DiskWriteOps` (retired)
    DiskWriteOps,
    /// `$NetworkInBytes` (retired)
    NetworkInBytes,
    /// `$NetworkOutBytes` (retired)
    NetworkOutBytes,
    /// `$SampleNodeCount` (retired)
    SampleNodeCount,
}

impl Metric {
    /// Every metric, in table order; `metric as usize` indexes this array.
    pub const ALL: [Metric; 17] = [
        Metric::ActiveTasks,
        Metric::RunningTasks,
        Metric::PendingTasks,
        Metric::SucceededTasks,
        Metric::FailedTasks,
        Metric::PreemptedNodeCount,
        Metric::CpuPercent,
        Metric::WallClockSeconds,
        Metric::MemoryBytes,
        Metric::DiskBytes,
        Metric::DiskReadBytes,
        Metric::DiskWriteBytes,
        Metric::DiskReadOps,
        Metric::DiskWriteOps,
        Metric::NetworkInBytes,
        Metric::NetworkOutBytes,
        Metric::SampleNodeCount,
    ];

    /// The metrics the service still populates (not [retired](Metric::is_retired)), in table
    /// order: the first ones of [`ALL`](Metric::ALL).
    pub const LIVE: [Metric; 7] = {
        let mut live = [Metric::ActiveTasks; 7];
        let mut i = 0;
        while i < live.len() {
            live[i] = Metric::ALL[i];
            i += 1;
        }
        live
    };

    /// The variable name, `$` included.
    pub fn name(self) -> &'static str {
        match VARIABLES.iter().find(|v| v.kind == VariableKind::Metric(self)) {
            Some(v) => v.name,
            None => "$?",
        }
    }

    /// The metric named `name` (exact spelling, `$` included), if any.
    pub fn from_name(name: &str) -> Option<Metric> {
        match lookup_variable(name)?.kind {
            VariableKind::Metric(m) => Some(m),
            _ => None,
        }
    }

    /// Whether the service no longer populates this metric (D32).
    pub fn is_retired(self) -> bool {
        VARIABLES.iter().any(|v| v.kind == VariableKind::Metric(self) && v.retired)
    }
}

/// A read-only scalar pool variable (§5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PoolScalar {
    /// `$CurrentDedicatedNodes`
    CurrentDedicatedNodes,
    /// `$CurrentLowPriorityNodes`
    CurrentLowPriorityNodes,
    /// `$TaskSlotsPerNode`
    TaskSlotsPerNode,
    /// `$UsableNodeCount`
    UsableNodeCount,
}

/// One of the two node-count targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Target {
    /// `$TargetDedicatedNodes`
    Dedicated,
    /// `$TargetLowPriorityNodes`
    LowPriority,
}

impl Target {
    /// The variable name, `$` included (the canonical one, not the legacy alias).
    pub fn name(self) -> &'static str {
        variable_name(VariableKind::Target(self))
    }
}

/// What a service variable is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum VariableKind {
    /// A node-count target (read-write double).
    Target(Target),
    /// `$NodeDeallocationOption` (read-write keyword).
    DeallocationOption,
    /// A sampled metric (read-only, has sample methods).
    Metric(Metric),
    /// A read-only scalar double.
    Scalar(PoolScalar),
}

/// One service-defined variable.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ServiceVariable {
    /// The name, `$` included.
    pub name: &'static str,
    /// What it is.
    pub kind: VariableKind,
    /// Whether formulas may assign it.
    pub writable: bool,
    /// For a legacy alias, the canonical name (D15).
    pub alias_of: Option<&'static str>,
    /// Whether the service stopped populating it (D32).
    pub retired: bool,
    /// One-line documentation.
    pub doc: &'static str,
}

const fn var(name: &'static str, kind: VariableKind, writable: bool, doc: &'static str) -> ServiceVariable {
    ServiceVariable {
        name,
        kind,
        writable,
        alias_of: None,
        retired: false,
        doc,
    }
}

const fn alias(name: &'static str, kind: VariableKind, writable: bool, of: &'static str) -> ServiceVariable {
    ServiceVariable {
        name,
        kind,
        writable,
        alias_of: Some(of),
        retired: false,
        doc: "Legacy (pre-2017) alias; use the canonical name.",
    }
}

const fn retired(name: &'static str, metric: Metric, doc: &'static str) -> ServiceVariable {
    ServiceVariable {
        name,
        kind: VariableKind::Metric(metric),
        writable: false,
        alias_of: None,
        retired: true,
        doc,
    }
}

use VariableKind as VK;

/// Every service-defined variable (§5).
pub const VARIABLES: &[ServiceVariable] = &[
    var("$TargetDedicatedNodes", VK::Target(Target::Dedicated), true, "Target number of dedicated compute nodes for the pool. Starts at the pool's current dedicated target; fractional values are truncated when applied."),
    var("$TargetLowPriorityNodes", VK::Target(Target::LowPriority), true, "Target number of Spot/low-priority compute nodes for the pool. Starts at the pool's current low-priority target."),
    var("$NodeDeallocationOption", VK::DeallocationOption, true, "What happens to running tasks when nodes are removed: requeue (default), terminate, taskcompletion or retaineddata."),
    alias("$TargetDedicated", VK::Target(Target::Dedicated), true, "$TargetDedicatedNodes"),
    alias("$TargetLowPriority", VK::Target(Target::LowPriority), true, "$TargetLowPriorityNodes"),
    var("$CurrentDedicatedNodes", VK::Scalar(PoolScalar::CurrentDedicatedNodes), false, "Current number of dedicated compute nodes in the pool."),
    var("$CurrentLowPriorityNodes", VK::Scalar(PoolScalar::CurrentLowPriorityNodes), false, "Current number of Spot/low-priority compute nodes, including preempted ones."),
    alias("$CurrentDedicated", VK::Scalar(PoolScalar::CurrentDedicatedNodes), false, "$CurrentDedicatedNodes"),
    var("$TaskSlotsPerNode", VK::Scalar(PoolScalar::TaskSlotsPerNode), false, "Number of task slots per node configured on the pool."),
    var("$UsableNodeCount", VK::Scalar(PoolScalar::UsableNodeCount), false, "Number of usable compute nodes."),
    var("$ActiveTasks", VK::Metric(Metric::ActiveTasks), false, "Sampled: tasks ready to run but not yet running (active, dependencies satisfied)."),
    var("$RunningTasks", VK::Metric(Metric::RunningTasks), false, "Sampled: tasks in the running state."),
    var("$PendingTasks", VK::Metric(Metric::PendingTasks), false, "Sampled: $ActiveTasks + $RunningTasks."),
    var("$SucceededTasks", VK::Metric(Metric::SucceededTasks), false, "Sampled: tasks that finished successfully."),
    var("$FailedTasks", VK::Metric(Metric::FailedTasks), false, "Sampled: tasks that failed."),
    var("$PreemptedNodeCount", VK::Metric(Metric::PreemptedNodeCount), false, "Sampled: number of nodes in the preempted state."),
    var("$CPUPercent", VK::Metric(Metric::CpuPercent), false, "Sampled: average CPU usage percentage."),
    retired("$WallClockSeconds", Metric::WallClockSeconds, "Sampled: seconds consumed. Retired: no longer populated after 2024-03-31."),
    retired("$MemoryBytes", Metric::MemoryBytes, "Sampled: average megabytes used. Retired: no longer populated after 2024-03-31."),
    retired("$DiskBytes", Metric::DiskBytes, "Sampled: average gigabytes used on local disks. Retired: no longer populated after 2024-03-31."),
    retired("$DiskReadBytes", Metric::DiskReadBytes, "Sampled: bytes read. Retired: no longer populated after 2024-03-31."),
    retired("$DiskWriteBytes", Metric::DiskWriteBytes, "Sampled: bytes written. Retired: no longer populated after 2024-03-31."),
    retired("$DiskReadOps", Metric::DiskReadOps, "Sampled: read disk operations. Retired: no longer populated after 2024-03-31."),
    retired("$DiskWriteOps", Metric::DiskWriteOps, "Sampled: write disk operations. Retired: no longer populated after 2024-03-31."),
    retired("$NetworkInBytes", Metric::NetworkInBytes, "Sampled: inbound bytes. Retired: no longer populated after 2024-03-31."),
    retired("$NetworkOutBytes", Metric::NetworkOutBytes, "Sampled: outbound bytes. Retired: no longer populated after 2024-03-31."),
    retired("$SampleNodeCount", Metric::SampleNodeCount, "Sampled: count of compute nodes. Retired: no longer populated after 2024-03-31."),
];

/// A built-in function (§4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Function {
    /// `avg`
    Avg,
    /// `len`
    Len,
    /// `lg`
    Lg,
    /// `ln`
    Ln,
    /// `log`
    Log,
    /// `max`
    Max,
    /// `min`
    Min,
    /// `norm`
    Norm,
    /// `percentile`
    Percentile,
    /// `rand`
    Rand,
    /// `range`
    Range,
    /// `std`
    Std,
    /// `stop`
    Stop,
    /// `sum`
    Sum,
    /// `time`
    Time,
    /// `val`
    Val,
    /// `ceil`
    Ceil,
    /// `floor`
    Floor,
    /// `round`
    Round,
}

/// How a function takes its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Params {
    /// A `doubleVecList`: any number of doubles and vectors, flattened (§4.1); returns a double.
    VecListToDouble,
    /// One double → double, or a `doubleVecList` → element-wise doubleVec (§4.3).
    ElementWise,
    /// `(doubleVec v, double x)` → double.
    VecAndDouble,
    /// No arguments.
    None,
    /// `time([string])`.
    OptionalString,
}

/// One built-in function.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FunctionInfo {
    /// The name.
    pub name: &'static str,
    /// Which function.
    pub function: Function,
    /// How it takes arguments.
    pub params: Params,
    /// The overloads, as the docs write them.
    pub signatures: &'static [&'static str],
    /// One-line documentation.
    pub doc: &'static str,
    /// Whether it was added in late 2022 (older services do not know it).
    pub added_2022: bool,
}

const fn func(
    name: &'static str,
    function: Function,
    params: Params,
    signatures: &'static [&'static str],
    doc: &'static str,
) -> FunctionInfo {
    FunctionInfo {
        name,
        function,
        params,
        signatures,
        doc,
        added_2022: false,
    }
}

const fn func_2022(name: &'static str, function: Function, signatures: &'static [&'static str], doc: &'static str) -> FunctionInfo {
    FunctionInfo {
        name,
        function,
        params: Params::ElementWise,
        signatures,
        doc,
        added_2022: true,
    }
}

/// Every built-in function (§4.2).
pub const FUNCTIONS: &[FunctionInfo] = &[
    func(
        "avg",
        Function::Avg,
        Params::VecListToDouble,
        &["double avg(doubleVecList)"],
        "Average of all values in the doubleVecList. Fails on an empty list.",
    ),
    func(
        "len",
        Function::Len,
        Params::VecListToDouble,
        &["double len(doubleVecList)"],
        "Number of values in the doubleVecList.",
    ),
    func(
        "lg",
        Function::Lg,
        Params::ElementWise,
        &["double lg(double)", "doubleVec lg(doubleVecList)"],
        "Log base 2 (element-wise for a vector).",
    ),
    func(
        "ln",
        Function::Ln,
        Params::ElementWise,
        &["double ln(double)", "doubleVec ln(doubleVecList)"],
        "Natural logarithm (element-wise for a vector).",
    ),
    func(
        "log",
        Function::Log,
        Params::ElementWise,
        &["double log(double)", "doubleVec log(doubleVecList)"],
        "Log base 10 (element-wise for a vector).",
    ),
    func(
        "max",
        Function::Max,
        Params::VecListToDouble,
        &["double max(doubleVecList)"],
        "Largest value in the doubleVecList. Fails on an empty list.",
    ),
    func(
        "min",
        Function::Min,
        Params::VecListToDouble,
        &["double min(doubleVecList)"],
        "Smallest value in the doubleVecList. Fails on an empty list.",
    ),
    func(
        "norm",
        Function::Norm,
        Params::VecListToDouble,
        &["double norm(doubleVecList)"],
        "Euclidean norm: square root of the sum of squares.",
    ),
    func(
        "percentile",
        Function::Percentile,
        Params::VecAndDouble,
        &["double percentile(doubleVec v, double p)"],
        "The p-th percentile (p from 0 to 100, nearest rank) of v.",
    ),
    func(
        "rand",
        Function::Rand,
        Params::None,
        &["double rand()"],
        "A random number in [0, 1).",
    ),
    func(
        "range",
        Function::Range,
        Params::VecListToDouble,
        &["double range(doubleVecList)"],
        "Largest minus smallest value. Fails on an empty list.",
    ),
    func(
        "std",
        Function::Std,
        Params::VecListToDouble,
        &["double std(doubleVecList)"],
        "Sample standard deviation (n - 1 denominator). Needs at least two values.",
    ),
    func(
        "stop",
        Function::Stop,
        Params::None,
        &["stop()"],
        "Stops evaluating the formula; assignments made so far are applied.",
    ),
    func(
        "sum",
        Function::Sum,
        Params::VecListToDouble,
        &["double sum(doubleVecList)"],
        "Sum of all values in the doubleVecList.",
    ),
    func(
        "time",
        Function::Time,
        Params::OptionalString,
        &["timestamp time()", "timestamp time(string dateTime)"],
        "The evaluation time, or the time given as RFC 1123 or W3C-DTF (ISO 8601) text.",
    ),
    func(
        "val",
        Function::Val,
        Params::VecAndDouble,
        &["double val(doubleVec v, double i)"],
        "The element of v at zero-based index i (0 when out of range).",
    ),
    func_2022(
        "ceil",
        Function::Ceil,
        &["double ceil(double)", "doubleVec ceil(doubleVecList)"],
        "Smallest integer not less than the value (element-wise for a vector).",
    ),
    func_2022(
        "floor",
        Function::Floor,
        &["double floor(double)", "doubleVec floor(doubleVecList)"],
        "Largest integer not greater than the value (element-wise for a vector).",
    ),
    func_2022(
        "round",
        Function::Round,
        &["double round(double)", "doubleVec round(doubleVecList)"],
        "Nearest integer, halves away from zero (element-wise for a vector).",
    ),
];

/// A sample method of a metric (§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Method {
    /// `GetSample`
    GetSample,
    /// `GetSamplePercent`
    GetSamplePercent,
    /// `GetSamplePeriod`
    GetSamplePeriod,
    /// `Count`
    Count,
    /// `HistoryBeginTime`
    HistoryBeginTime,
}

/// One sample method.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct MethodInfo {
    /// The name.
    pub name: &'static str,
    /// Which method.
    pub method: Method,
    /// The overloads, as the docs write them.
    pub signatures: &'static [&'static str],
    /// One-line documentation.
    pub doc: &'static str,
}

/// Every sample method (§6.1).
pub const METHODS: &[MethodInfo] = &[
    MethodInfo {
        name: "GetSample",
        method: Method::GetSample,
        signatures: &[
            "doubleVec GetSample(double count)",
            "doubleVec GetSample((timestamp | timeinterval) startTime)",
            "doubleVec GetSample((timestamp | timeinterval) startTime, double samplePercent)",
            "doubleVec GetSample((timestamp | timeinterval) startTime, (timestamp | timeinterval) endTime)",
            "doubleVec GetSample((timestamp | timeinterval) startTime, (timestamp | timeinterval) endTime, double samplePercent)",
        ],
        doc: "Samples oldest to newest: the `count` most recent ones, or those in a time window. A window fails the evaluation when fewer than samplePercent % (default 70) of the expected samples exist.",
    },
    MethodInfo {
        name: "GetSamplePercent",
        method: Method::GetSamplePercent,
        signatures: &[
            "double GetSamplePercent((timestamp | timeinterval) startTime)",
            "double GetSamplePercent((timestamp | timeinterval) startTime, (timestamp | timeinterval) endTime)",
        ],
        doc: "Percentage (0-100) of the expected samples that exist in the window. Never fails.",
    },
    MethodInfo {
        name: "GetSamplePeriod",
        method: Method::GetSamplePeriod,
        signatures: &["timeinterval GetSamplePeriod()"],
        doc: "The period between samples (30 seconds).",
    },
    MethodInfo {
        name: "Count",
        method: Method::Count,
        signatures: &["double Count()"],
        doc: "Number of samples in the metric's history.",
    },
    MethodInfo {
        name: "HistoryBeginTime",
        method: Method::HistoryBeginTime,
        signatures: &["timestamp HistoryBeginTime()"],
        doc: "Timestamp of the oldest sample in the metric's history. Fails when there is none.",
    },
];

/// A field of a timestamp (§2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TimestampField {
    /// `year`
    Year,
    /// `month`
    Month,
    /// `day`
    Day,
    /// `weekday`
    Weekday,
    /// `hour`
    Hour,
    /// `minute`
    Minute,
    /// `second`
    Second,
}

/// One timestamp field.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FieldInfo {
    /// The name.
    pub name: &'static str,
    /// Which field.
    pub field: TimestampField,
    /// One-line documentation.
    pub doc: &'static str,
}

/// Every timestamp field (§2.2).
pub const FIELDS: &[FieldInfo] = &[
    FieldInfo {
        name: "year",
        field: TimestampField::Year,
        doc: "Calendar year (UTC), e.g. 2026.",
    },
    FieldInfo {
        name: "month",
        field: TimestampField::Month,
        doc: "Month, 1-12 (UTC).",
    },
    FieldInfo {
        name: "day",
        field: TimestampField::Day,
        doc: "Day of the month, 1-31 (UTC).",
    },
    FieldInfo {
        name: "weekday",
        field: TimestampField::Weekday,
        doc: "Day of the week: Sunday = 0, Monday = 1 ... Saturday = 6 (UTC).",
    },
    FieldInfo {
        name: "hour",
        field: TimestampField::Hour,
        doc: "Hour, 0-23 (UTC).",
    },
    FieldInfo {
        name: "minute",
        field: TimestampField::Minute,
        doc: "Minute, 0-59.",
    },
    FieldInfo {
        name: "second",
        field: TimestampField::Second,
        doc: "Second, 0-59.",
    },
];

/// A `TimeInterval_*` constant.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ConstantInfo {
    /// The name.
    pub name: &'static str,
    /// Its value.
    #[serde(skip)]
    pub value: TimeInterval,
    /// One-line documentation.
    pub doc: &'static str,
}

/// Every `TimeInterval_*` constant (§2.3, D9).
pub const CONSTANTS: &[ConstantInfo] = &[
    ConstantInfo {
        name: "TimeInterval_Zero",
        value: TimeInterval::ZERO,
        doc: "Zero time interval.",
    },
    ConstantInfo {
        name: "TimeInterval_100ns",
        value: TimeInterval::TICK,
        doc: "100 nanoseconds.",
    },
    ConstantInfo {
        name: "TimeInterval_Microsecond",
        value: TimeInterval::MICROSECOND,
        doc: "One microsecond.",
    },
    ConstantInfo {
        name: "TimeInterval_Millisecond",
        value: TimeInterval::MILLISECOND,
        doc: "One millisecond.",
    },
    ConstantInfo {
        name: "TimeInterval_Second",
        value: TimeInterval::SECOND,
        doc: "One second.",
    },
    ConstantInfo {
        name: "TimeInterval_Minute",
        value: TimeInterval::MINUTE,
        doc: "One minute.",
    },
    ConstantInfo {
        name: "TimeInterval_Hour",
        value: TimeInterval::HOUR,
        doc: "One hour.",
    },
    ConstantInfo {
        name: "TimeInterval_Day",
        value: TimeInterval::DAY,
        doc: "One day.",
    },
    ConstantInfo {
        name: "TimeInterval_Week",
        value: TimeInterval::WEEK,
        doc: "One week (7 days).",
    },
    ConstantInfo {
        name: "TimeInterval_Year",
        value: TimeInterval::YEAR,
        doc: "One year, taken as 365 days (undocumented; D9).",
    },
];

/// A `$NodeDeallocationOption` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Deallocation {
    /// `requeue` (the default)
    Requeue,
    /// `terminate`
    Terminate,
    /// `taskcompletion`
    TaskCompletion,
    /// `retaineddata`
    RetainedData,
}

impl Deallocation {
    /// The keyword as written.
    pub fn name(self) -> &'static str {
        match self {
            Deallocation::Requeue => "requeue",
            Deallocation::Terminate => "terminate",
            Deallocation::TaskCompletion => "taskcompletion",
            Deallocation::RetainedData => "retaineddata",
        }
    }
}

/// One deallocation keyword.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KeywordInfo {
    /// The keyword.
    pub name: &'static str,
    /// Its value.
    pub value: Deallocation,
    /// One-line documentation.
    pub doc: &'static str,
}

/// Every deallocation keyword (§5.1).
pub const KEYWORDS: &[KeywordInfo] = &[
    KeywordInfo {
        name: "requeue",
        value: Deallocation::Requeue,
        doc: "Default. Stop running tasks at once and put them back in the job queue.",
    },
    KeywordInfo {
        name: "terminate",
        value: Deallocation::Terminate,
        doc: "Stop running tasks at once and remove them from the job.",
    },
    KeywordInfo {
        name: "taskcompletion",
        value: Deallocation::TaskCompletion,
        doc: "Wait for running tasks to finish, then remove the node.",
    },
    KeywordInfo {
        name: "retaineddata",
        value: Deallocation::RetainedData,
        doc: "Wait until task-retained data is cleaned up, then remove the node.",
    },
];

/// The canonical name (not a legacy alias) of the service variable of `kind`, `$` included.
pub fn variable_name(kind: VariableKind) -> &'static str {
    match VARIABLES.iter().find(|v| v.kind == kind && v.alias_of.is_none()) {
        Some(v) => v.name,
        None => "$?",
    }
}

/// Whether every overload in `signatures` (written `type name(…)`) returns a timestamp.
fn returns_timestamp(signatures: &[&str]) -> bool {
    !signatures.is_empty() && signatures.iter().all(|s| s.starts_with("timestamp "))
}

impl FunctionInfo {
    /// Whether the function returns a timestamp (every overload does).
    pub fn returns_timestamp(&self) -> bool {
        returns_timestamp(self.signatures)
    }
}

impl MethodInfo {
    /// Whether the method returns a timestamp (every overload does).
    pub fn returns_timestamp(&self) -> bool {
        returns_timestamp(self.signatures)
    }
}

/// The service variable spelled exactly `name`.
pub fn lookup_variable(name: &str) -> Option<&'static ServiceVariable> {
    VARIABLES.iter().find(|v| v.name == name)
}

/// The function spelled exactly `name`.
pub fn lookup_function(name: &str) -> Option<&'static FunctionInfo> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// The sample method spelled exactly `name`.
pub fn lookup_method(name: &str) -> Option<&'static MethodInfo> {
    METHODS.iter().find(|m| m.name == name)
}

/// The timestamp field spelled exactly `name`.
pub fn lookup_field(name: &str) -> Option<&'static FieldInfo> {
    FIELDS.iter().find(|f| f.name == name)
}

/// The constant spelled exactly `name`.
pub fn lookup_constant(name: &str) -> Option<&'static ConstantInfo> {
    CONSTANTS.iter().find(|c| c.name == name)
}

/// The keyword spelled exactly `name`.
pub fn lookup_keyword(name: &str) -> Option<&'static KeywordInfo> {
    KEYWORDS.iter().find(|k| k.name == name)
}

/// The function information of `function`.
pub fn function_info(function: Function) -> &'static FunctionInfo {
    FUNCTIONS.iter().find(|f| f.function == function).unwrap_or(&FUNCTIONS[0])
}

/// The most edits [`closest`] accepts (for names of 9 characters or more; fewer for shorter).
pub const MAX_SUGGESTION_EDITS: usize = 3;

/// The length of the shortest service variable's name: a name shorter by more than
/// [`MAX_SUGGESTION_EDITS`] can neither differ from one only in case nor be [`closest`] to one.
pub const SHORTEST_VARIABLE_NAME: usize = {
    let mut shortest = usize::MAX;
    let mut i = 0;
    while i < VARIABLES.len() {
        if VARIABLES[i].name.len() < shortest {
            shortest = VARIABLES[i].name.len();
        }
        i += 1;
    }
    shortest
};

/// The name among `candidates` closest to `name`: a case-only difference first, then the
/// smallest edit distance if it is small for the name's length.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    let length = char_count(name);
    let limit = (length / 3).clamp(1, MAX_SUGGESTION_EDITS);
    // Lowered only when a candidate is near enough in length to need the distance.
    let mut lower: Option<String> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        if candidate.eq_ignore_ascii_case(name) {
            return Some(candidate);
        }
        // The distance is at least the difference in length: such a candidate can be
        // neither within the limit nor the closest one within it.
        if length.abs_diff(char_count(candidate)) > limit {
            continue;
        }
        let lower = lower.get_or_insert_with(|| name.to_ascii_lowercase());
        let distance = edit_distance(lower, &candidate.to_ascii_lowercase());
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

/// The characters of `s`: its length when it is ASCII (names nearly always are), found
/// a word at a time instead of a character at a time.
fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Levenshtein distance (small strings only; bounded cost).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(64).collect();
    let b: Vec<char> = b.chars().take(64).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current[j + 1] = (previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Every name that is built in (for "did you mean" and completion).
pub fn all_names() -> impl Iterator<Item = &'static str> {
    VARIABLES
        .iter()
        .map(|v| v.name)
        .chain(FUNCTIONS.iter().map(|f| f.name))
        .chain(CONSTANTS.iter().map(|c| c.name))
        .chain(KEYWORDS.iter().map(|k| k.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_metrics_are_the_ones_not_retired() {
        let live: Vec<Metric> = Metric::ALL.into_iter().filter(|m| !m.is_retired()).collect();
        assert_eq!(live, Metric::LIVE);
    }

    #[test]
    fn canonical_variable_names() {
        assert_eq!(Target::Dedicated.name(), "$TargetDedicatedNodes");
        assert_eq!(Target::LowPriority.name(), "$TargetLowPriorityNodes");
        assert_eq!(variable_name(VariableKind::DeallocationOption), "$NodeDeallocationOption");
        assert_eq!(
            variable_name(VariableKind::Scalar(PoolScalar::CurrentDedicatedNodes)),
            "$CurrentDedicatedNodes"
        );
    }

    #[test]
    fn timestamp_returning_calls() {
        let functions: Vec<&str> = FUNCTIONS.iter().filter(|f| f.returns_timestamp()).map(|f| f.name).collect();
        let methods: Vec<&str> = METHODS.iter().filter(|m| m.returns_timestamp()).map(|m| m.name).collect();
        assert_eq!(functions, ["time"]);
        assert_eq!(methods, ["HistoryBeginTime"]);
    }

    #[test]
    fn every_metric_has_one_variable() {
        for (i, m) in Metric::ALL.iter().enumerate() {
            assert_eq!(*m as usize, i);
            assert_eq!(Metric::from_name(m.name()), Some(*m));
        }
    }

    #[test]
    fn aliases_point_at_canonical_names_of_the_same_kind() {
        for v in VARIABLES.iter().filter(|v| v.alias_of.is_some()) {
            let canonical = lookup_variable(v.alias_of.unwrap()).unwrap();
            assert_eq!(canonical.kind, v.kind);
            assert!(canonical.alias_of.is_none());
        }
    }

    #[test]
    fn characters_are_counted_as_chars_count_does() {
        for s in ["", "$TargetDedicatedNodes", "é", "$naïve_größe", "日本語", "a\u{0}b"] {
            assert_eq!(char_count(s), s.chars().count(), "{s:?}");
        }
    }

    #[test]
    fn closest_prefers_case_then_edits() {
        assert_eq!(closest("Max", FUNCTIONS.iter().map(|f| f.name)), Some("max"));
        assert_eq!(
            closest("$TargetDedicatedNode", VARIABLES.iter().map(|v| v.name)),
            Some("$TargetDedicatedNodes")
        );
        assert_eq!(closest("abs", FUNCTIONS.iter().map(|f| f.name)), None);
        assert_eq!(closest("GetSamples", METHODS.iter().map(|m| m.name)), Some("GetSample"));
    }

    /// The checker skips names shorter than this bound; no such name gets a suggestion or a
    /// case match from the service variables, not even a variable's own prefix.
    #[test]
    fn names_below_the_shortest_variable_bound_resemble_no_variable() {
        assert_eq!(Some(SHORTEST_VARIABLE_NAME), VARIABLES.iter().map(|v| v.name.len()).min());
        for v in VARIABLES {
            for len in 1..SHORTEST_VARIABLE_NAME - MAX_SUGGESTION_EDITS {
                for short in [&v.name[..len], &v.name[v.name.len() - len..]] {
                    assert_eq!(closest(short, VARIABLES.iter().map(|v| v.name)), None, "{short}");
                    assert!(!VARIABLES.iter().any(|v| v.name.eq_ignore_ascii_case(short)), "{short}");
                }
            }
        }
        // Above the bound, suggestions still come: the shortest names without their last letter.
        for v in VARIABLES.iter().filter(|v| v.name.len() == SHORTEST_VARIABLE_NAME) {
            let short = &v.name[..v.name.len() - 1];
            assert!(short.len() + MAX_SUGGESTION_EDITS >= SHORTEST_VARIABLE_NAME);
            assert_eq!(closest(short, VARIABLES.iter().map(|v| v.name)), Some(v.name), "{short}");
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = all_names().collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
