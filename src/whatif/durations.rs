//! How the what-if summaries write durations in JSON: the `TimeSpan` text people read
//! (`"00:35:00"`) under the field's name and the same duration in seconds, a number a program
//! can use, beside it under `<name>Seconds` (`"timeToFirstNonzeroSeconds": 2100.0`).

use serde::ser::{SerializeMap, Serializer};

use crate::time::{TimeInterval, TICKS_PER_SECOND};

/// A duration in seconds (fractions kept).
pub(crate) fn seconds(i: TimeInterval) -> f64 {
    i.0 as f64 / TICKS_PER_SECOND as f64
}

/// Write `value` under `key` and its seconds under `seconds_key` (both `null` when absent)
/// into the map `serializer` (a flattened field's).
pub(crate) fn entries<S: Serializer>(serializer: S, pairs: &[(&str, &str, Option<TimeInterval>)]) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(pairs.len() * 2))?;
    for (key, seconds_key, value) in pairs {
        map.serialize_entry(key, value)?;
        map.serialize_entry(seconds_key, &value.map(seconds))?;
    }
    map.end()
}

/// `serialize_with` functions for flattened `Option<TimeInterval>` fields, one per name.
macro_rules! with_seconds {
    ($($function:ident => $key:literal),* $(,)?) => {$(
        #[doc = concat!("`", $key, "` and `", $key, "Seconds`.")]
        pub(crate) fn $function<S: Serializer>(value: &Option<TimeInterval>, serializer: S) -> Result<S::Ok, S::Error> {
            entries(serializer, &[($key, concat!($key, "Seconds"), *value)])
        }
    )*};
}

with_seconds!(time_to_first_nonzero => "timeToFirstNonzero", makespan => "makespan");

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Example {
        before: u8,
        #[serde(flatten, serialize_with = "makespan")]
        makespan: Option<TimeInterval>,
    }

    #[test]
    fn a_duration_is_written_as_text_and_as_seconds() {
        let some = Example {
            before: 1,
            makespan: Some(TimeInterval(90 * TICKS_PER_SECOND + TICKS_PER_SECOND / 2)),
        };
        assert_eq!(
            serde_json::to_string(&some).unwrap(),
            r#"{"before":1,"makespan":"00:01:30.5000000","makespanSeconds":90.5}"#
        );
        let none = Example { before: 1, makespan: None };
        assert_eq!(
            serde_json::to_string(&none).unwrap(),
            r#"{"before":1,"makespan":null,"makespanSeconds":null}"#
        );
    }
}
