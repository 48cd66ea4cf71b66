//! What a metric file holds: the sampled metrics and the time series of the pool's scalar
//! variables ([`MetricData`], [`ScalarSeries`]).

use std::collections::BTreeMap;

use crate::builtins::{self, PoolScalar, VariableKind};
use crate::eval::MetricStore;
use crate::time::Timestamp;

/// A time series of one scalar pool variable: the value at a time is the last one at or
/// before it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScalarSeries {
    pub(super) times: Vec<i64>,
    pub(super) values: Vec<f64>,
}

impl ScalarSeries {
    /// The value in force at `t` (the last point at or before `t`).
    pub fn value_at(&self, t: Timestamp) -> Option<f64> {
        let i = self.times.partition_point(|&x| x <= t.0);
        (i > 0).then(|| self.values[i - 1])
    }

    /// Whether the series has no point.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.times.len()
    }
}

/// Everything read from a metric file.
#[derive(Debug, Clone, Default)]
pub struct MetricData {
    /// Sampled metrics.
    pub metrics: MetricStore,
    /// Scalar pool variables over time, where the file has them.
    pub scalars: BTreeMap<&'static str, ScalarSeries>,
    /// Earliest time in the file.
    pub first: Option<Timestamp>,
    /// Latest time in the file.
    pub last: Option<Timestamp>,
}

impl MetricData {
    /// The series of a scalar pool variable, if the file has one.
    pub fn scalar(&self, scalar: PoolScalar) -> Option<&ScalarSeries> {
        let name = builtins::VARIABLES
            .iter()
            .find(|v| v.kind == VariableKind::Scalar(scalar) && v.alias_of.is_none())?
            .name;
        self.scalars.get(name)
    }
}
