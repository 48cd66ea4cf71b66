//! Variants: several formulas, or one formula with a parameter swept, run on the same
//! workload (simulation) or history (replay), in parallel across cores, for `compare` and
//! `sweep`.
//!
//! A sweep substitutes the value of a top-level assignment of a number, `name = <number>;`
//! (e.g. `maxNumberofVMs = 25;` in the docs' formulas), and/or the evaluation interval; several
//! parameters give every combination.
//!
//! ```
//! use batch_autoscale::whatif::{run_variants, sweep_variants, Parameter, Scenario, SimulationConfig, Task, Workload};
//! use batch_autoscale::{Formula, TimeInterval, Timestamp};
//!
//! let start: Timestamp = "2026-11-23T10:00:00Z".parse()?;
//! let task = Task { submit: start, duration: TimeInterval::MINUTE.checked_mul_f64(30.0).unwrap(), slots: 1 };
//! let workload = Workload::new(vec![task; 60])?;
//! let config = SimulationConfig::new(start, start.checked_add(TimeInterval::DAY).unwrap());
//! let base = Formula::compile("cap = 10;\n$TargetDedicatedNodes = min(cap, max(0, $PendingTasks.GetSample(1)));")?;
//! let sweep = [Parameter { name: "cap".into(), values: vec![5.0, 20.0] }];
//! let variants = sweep_variants(&base, &sweep, &[])?;
//! assert_eq!(variants[1].label, "cap=20");
//! let outcomes = run_variants(&Scenario::Simulate { workload: &workload, config: &config }, &variants, false, &|| {});
//! let peak = |i: usize| outcomes[i].as_ref().unwrap().as_simulation().unwrap().summary.peak_dedicated_nodes;
//! assert_eq!((peak(0), peak(1)), (5, 20));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use rayon::prelude::*;

use crate::data::MetricData;
use crate::eval::{Formula, MetricStore};
use crate::syntax::ast::{StatementKind, UnaryOp, View};
use crate::time::TimeInterval;

use super::replay::{replay_streaming, Replay, ReplayConfig};
#[cfg(feature = "cli")]
use super::report::Report;
use super::schedule::ReplayError;
use super::simulate::{simulate_streaming, Simulation, SimulationConfig, SimulationError};
use super::svg::TimelinePlot;
use super::workload::Workload;

/// What every variant runs on.
#[derive(Debug, Clone, Copy)]
pub enum Scenario<'a> {
    /// A closed-loop simulation of this workload with these settings.
    Simulate {
        /// The tasks.
        workload: &'a Workload,
        /// The settings (a variant may change the interval).
        config: &'a SimulationConfig,
    },
    /// A replay of this history.
    Replay {
        /// The history.
        data: &'a MetricData,
        /// The settings (a variant may change the interval).
        config: &'a ReplayConfig,
    },
}

/// One variant: a label, a formula and maybe its own evaluation interval.
#[derive(Debug, Clone)]
pub struct Variant {
    /// How tables name it: the formula's file, or `maxNodes=20 interval=PT5M`.
    pub label: String,
    /// The formula.
    pub formula: Formula,
    /// The evaluation interval, when it differs from the scenario's.
    pub interval: Option<TimeInterval>,
    /// What a sweep set, as numbers for a spreadsheet: `("maxNodes", 20.0)`,
    /// `("intervalSeconds", 300.0)`; empty for a formula compared as it is.
    pub parameters: Vec<(String, f64)>,
}

/// The result of one variant.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A simulation.
    Simulation(Box<Simulation>),
    /// A replay.
    Replay(Replay),
}

impl Outcome {
    /// The summary for people, titled `title`.
    #[cfg(feature = "cli")]
    pub(crate) fn report(&self, title: &str) -> Report {
        match self {
            Outcome::Simulation(s) => Report::simulation(title, &s.summary),
            Outcome::Replay(r) => Report::replay(title, &r.summary),
        }
    }

    /// The simulation, if it is one.
    pub fn as_simulation(&self) -> Option<&Simulation> {
        match self {
            Outcome::Simulation(s) => Some(s),
            Outcome::Replay(_) => None,
        }
    }

    /// The replay, if it is one.
    pub fn as_replay(&self) -> Option<&Replay> {
        match self {
            Outcome::Replay(r) => Some(r),
            Outcome::Simulation(_) => None,
        }
    }
}

/// Why a variant could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum VariantError {
    /// The simulation refused its settings, e.g. an interval of `PT1M`.
    #[error(transparent)]
    Simulation(#[from] SimulationError),
    /// The replay refused its settings.
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

/// Run every variant on the scenario, in parallel; results in the order of `variants`.
/// No variant keeps its rows (they stream by): `details: true` keeps a plot of them
/// ([`Simulation::plot`], [`Replay::plot`]) and the simulation's samples, `details: false`
/// only the summaries, so a large sweep stays small in memory. `done` is called once per
/// finished variant (for a progress bar).
pub fn run_variants(
    scenario: &Scenario<'_>,
    variants: &[Variant],
    details: bool,
    done: &(dyn Fn() + Sync),
) -> Vec<Result<Outcome, VariantError>> {
    variants
        .par_iter()
        .map(|v| {
            let outcome = match *scenario {
                Scenario::Simulate { workload, config } => {
                    let mut config = config.clone();
                    config.interval = v.interval.unwrap_or(config.interval);
                    let mut plot = match details {
                        true => Some(TimelinePlot::new(config.start, config.schedule()?.1)),
                        false => None,
                    };
                    let mut s = simulate_streaming(&v.formula, workload, &config, &mut |row| {
                        if let Some(p) = &mut plot {
                            p.add(&row.evaluation);
                        }
                    })?;
                    if !details {
                        s.metrics = MetricStore::new();
                    }
                    s.plot = plot.map(Box::new);
                    Outcome::Simulation(Box::new(s))
                }
                Scenario::Replay { data, config } => {
                    let mut config = config.clone();
                    config.interval = v.interval.unwrap_or(config.interval);
                    let mut plot = match details {
                        true => Some(TimelinePlot::new(config.start, config.schedule()?.1)),
                        false => None,
                    };
                    let mut r = replay_streaming(&v.formula, data, &config, &mut |row| {
                        if let Some(p) = &mut plot {
                            p.add(&row);
                        }
                    })?;
                    r.plot = plot.map(Box::new);
                    Outcome::Replay(r)
                }
            };
            done();
            Ok(outcome)
        })
        .collect()
}

/// A swept parameter: a top-level `name = <number>;` of the formula and the values to try.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The assigned name (`maxNodes`, or `$cap`).
    pub name: String,
    /// The values.
    pub values: Vec<f64>,
}

/// Why a sweep cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// No top-level `name = <number>;`, e.g. `--set maxNode=5` for `maxNodes = 20;`.
    #[error("the formula has no top-level assignment `{name} = <number>;`{hint}")]
    NotAssigned {
        /// The name.
        name: String,
        /// ", did you mean …" or empty.
        hint: String,
    },
    /// The name is assigned something other than a number, e.g. `cap = 2 * 5;`.
    #[error("`{0}` is assigned an expression, not a number; only `{0} = <number>;` can be swept")]
    NotANumber(String),
    /// The name is assigned more than once, so which one to change is unclear.
    #[error("`{0}` is assigned more than once; a swept name must be assigned once")]
    AssignedTwice(String),
    /// A value that is not a finite number, e.g. `NaN`.
    #[error("{name}={value}: a swept value must be a finite number")]
    BadValue {
        /// The name.
        name: String,
        /// The value.
        value: f64,
    },
    /// More than [`MAX_VARIANTS`] combinations.
    #[error("{0} variants is too many for one sweep (at most {MAX_VARIANTS})")]
    TooMany(u64),
    /// The formula no longer compiles after the substitution (a bug if it ever happens).
    #[error("{0}")]
    Compile(String),
}

/// The most variants one sweep runs.
pub const MAX_VARIANTS: u64 = 10_000;

/// Replace the number of the top-level assignment `name = <number>;` (or `= -<number>`) in
/// `src` by `value`.
pub fn substitute(src: &str, name: &str, value: f64) -> Result<String, SweepError> {
    if !value.is_finite() {
        return Err(SweepError::BadValue { name: name.into(), value });
    }
    let parsed = crate::syntax::parse(src);
    let mut found = None;
    for statement in &parsed.formula.statements {
        let StatementKind::Assign { target, value } = &statement.kind else {
            continue;
        };
        let expr = parsed.formula.get(*value);
        if target.text != name {
            continue;
        }
        if found.is_some() {
            return Err(SweepError::AssignedTwice(name.into()));
        }
        let is_number = match expr.kind() {
            View::Number { .. } => true,
            View::Unary { op: UnaryOp::Neg, operand } => matches!(operand.kind(), View::Number { .. }),
            _ => false,
        };
        if !is_number {
            return Err(SweepError::NotANumber(name.into()));
        }
        found = Some(expr.span);
    }
    let Some(span) = found else {
        let assigned: Vec<&str> = parsed
            .formula
            .statements
            .iter()
            .filter_map(|s| match &s.kind {
                StatementKind::Assign { target, .. } => Some(target.text.as_str()),
                _ => None,
            })
            .collect();
        let hint = crate::builtins::closest(name, assigned)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(SweepError::NotAssigned { name: name.into(), hint });
    };
    // Rust prints doubles without an exponent, which is what a formula's literal needs (D34).
    Ok(format!("{}{}{}", &src[..span.start as usize], value, &src[span.end as usize..]))
}

/// Every combination of the parameters' values and the intervals (none: the scenario's), as
/// variants of `formula` labelled `name=value … interval=PT5M`.
pub fn sweep_variants(formula: &Formula, parameters: &[Parameter], intervals: &[TimeInterval]) -> Result<Vec<Variant>, SweepError> {
    let count = parameters
        .iter()
        .map(|p| p.values.len() as u64)
        .chain([intervals.len().max(1) as u64])
        .try_fold(1u64, |a, n| a.checked_mul(n))
        .unwrap_or(u64::MAX);
    if count > MAX_VARIANTS {
        return Err(SweepError::TooMany(count));
    }
    // Check every name once, before making the combinations.
    for p in parameters {
        substitute(formula.source(), &p.name, p.values.first().copied().unwrap_or(0.0))?;
    }
    let mut variants = vec![(formula.source().to_string(), Vec::<String>::new(), Vec::<(String, f64)>::new())];
    for p in parameters {
        let mut next = Vec::with_capacity(variants.len() * p.values.len());
        for (src, labels, values) in &variants {
            for &v in &p.values {
                let mut labels = labels.clone();
                labels.push(format!("{}={v}", p.name));
                let mut values = values.clone();
                values.push((p.name.clone(), v));
                next.push((substitute(src, &p.name, v)?, labels, values));
            }
        }
        variants = next;
    }
    let intervals: Vec<Option<TimeInterval>> = if intervals.is_empty() {
        vec![None]
    } else {
        intervals.iter().copied().map(Some).collect()
    };
    let mut out = Vec::new();
    for (src, labels, values) in &variants {
        let compiled = Formula::compile(src).map_err(|e| SweepError::Compile(e.to_string()))?;
        for &interval in &intervals {
            let mut label = labels.clone();
            let mut parameters = values.clone();
            if let Some(i) = interval {
                label.push(format!("interval={}", iso8601(i)));
                parameters.push(("intervalSeconds".to_string(), super::durations::seconds(i)));
            }
            out.push(Variant {
                label: label.join(" "),
                formula: compiled.clone(),
                interval,
                parameters,
            });
        }
    }
    Ok(out)
}

/// An interval as an ISO 8601 duration (`PT5M`, `PT1H30M`, `P1DT2H`): [`TimeInterval::format_iso8601`].
pub fn iso8601(i: TimeInterval) -> String {
    i.format_iso8601()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_changes_only_the_number() {
        let src = "maxNodes = 20; // cap\n$x = maxNodes * 2;\n$neg = -3;";
        assert_eq!(
            substitute(src, "maxNodes", 40.0).unwrap(),
            "maxNodes = 40; // cap\n$x = maxNodes * 2;\n$neg = -3;"
        );
        assert_eq!(
            substitute(src, "maxNodes", 0.25).unwrap(),
            "maxNodes = 0.25; // cap\n$x = maxNodes * 2;\n$neg = -3;"
        );
        assert_eq!(
            substitute(src, "$neg", 5.0).unwrap(),
            "maxNodes = 20; // cap\n$x = maxNodes * 2;\n$neg = 5;"
        );
        assert_eq!(
            substitute(src, "maxNodes", -1.0).unwrap().lines().next(),
            Some("maxNodes = -1; // cap")
        );
        assert_eq!(
            substitute(src, "maxNodes", 1e20).unwrap().lines().next(),
            Some("maxNodes = 100000000000000000000; // cap")
        );
        assert!(matches!(substitute(src, "$x", 1.0), Err(SweepError::NotANumber(_))));
        let e = substitute(src, "maxNode", 1.0).unwrap_err();
        assert!(e.to_string().contains("did you mean `maxNodes`"), "{e}");
        assert!(matches!(substitute("a = 1; a = 2;", "a", 3.0), Err(SweepError::AssignedTwice(_))));
        assert!(matches!(substitute(src, "maxNodes", f64::NAN), Err(SweepError::BadValue { .. })));
    }

    #[test]
    fn a_sweep_is_every_combination() {
        let f = Formula::compile("a = 1;\nb = 2;\n$TargetDedicatedNodes = a + b;").unwrap();
        let params = [
            Parameter {
                name: "a".into(),
                values: vec![1.0, 2.0],
            },
            Parameter {
                name: "b".into(),
                values: vec![10.0, 20.0, 30.0],
            },
        ];
        let five = TimeInterval::MINUTE.checked_mul_f64(5.0).unwrap();
        let v = sweep_variants(&f, &params, &[five, TimeInterval::HOUR]).unwrap();
        assert_eq!(v.len(), 12);
        assert_eq!(v[0].label, "a=1 b=10 interval=PT5M");
        assert_eq!(v[11].label, "a=2 b=30 interval=PT1H");
        assert_eq!(v[11].formula.source(), "a = 2;\nb = 30;\n$TargetDedicatedNodes = a + b;");
        assert_eq!(v[11].interval, Some(TimeInterval::HOUR));
        let many = [Parameter {
            name: "a".into(),
            values: vec![0.0; 20_000],
        }];
        assert!(matches!(sweep_variants(&f, &many, &[]), Err(SweepError::TooMany(20_000))));
    }

    #[test]
    fn intervals_print_as_iso_8601() {
        let s = |x: f64| TimeInterval::SECOND.checked_mul_f64(x).unwrap();
        for (i, want) in [
            (s(300.0), "PT5M"),
            (s(5400.0), "PT1H30M"),
            (s(86_400.0 + 7200.0), "P1DT2H"),
            (s(7.0 * 86_400.0), "P7D"),
            (s(0.0), "PT0S"),
            (s(1.5), "PT1.5S"),
        ] {
            assert_eq!(iso8601(i), want);
        }
    }
}
