//! Readers of the JSON fields of workload and pool files: times, durations and numbers that
//! are checked while the file is read, so that a bad value is reported at its line and column.

use serde::de::{Deserialize, Deserializer, Error};

use crate::data::DataError;
use crate::syntax::LineIndex;
use crate::time::{parse_iso8601_duration, parse_rfc3339, TimeInterval, Timestamp, TICKS_PER_SECOND};

/// A duration: an ISO 8601 string (`"PT10M"`) or a number of seconds; never negative.
pub(crate) fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<TimeInterval, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Seconds(f64),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Seconds(s) => seconds(s).map_err(D::Error::custom),
        Raw::Text(t) => {
            if t.trim_start().starts_with('-') {
                return Err(D::Error::custom(format!("{t:?}: a duration cannot be negative")));
            }
            parse_iso8601_duration(&t).map_err(D::Error::custom)
        }
    }
}

/// A number of seconds as an interval: finite, not negative, at most about 29,000 years.
pub(crate) fn seconds(s: f64) -> Result<TimeInterval, String> {
    if !s.is_finite() || s < 0.0 {
        return Err(format!("{s} seconds: a duration must be a finite number of seconds, not negative"));
    }
    if s > 9.0e11 {
        return Err(format!("{s} seconds is too long a duration"));
    }
    Ok(TimeInterval((s * TICKS_PER_SECOND as f64).round() as i64))
}

/// An RFC 3339 time with a zone.
pub(crate) fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let t = String::deserialize(d)?;
    parse_rfc3339(&t).map_err(|e| D::Error::custom(format!("{t:?}: {e}")))
}

/// A finite number, not negative.
pub(crate) fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = f64::deserialize(d)?;
    if !x.is_finite() || x < 0.0 {
        return Err(D::Error::custom(format!("{x}: expected a finite number that is not negative")));
    }
    Ok(x)
}

/// A whole number of task slots: 1 to 256 (the service's limit per node).
pub(crate) fn slots<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = u64::deserialize(d)?;
    check_slots(n).map_err(D::Error::custom)
}

/// Task slots must be 1 to 256.
pub(crate) fn check_slots(n: u64) -> Result<u32, String> {
    if n == 0 {
        return Err("0 task slots: a task or a node needs at least one slot".into());
    }
    if n > 256 {
        return Err(format!("{n} task slots: at most 256 slots per node"));
    }
    Ok(n as u32)
}

/// A node quota: a whole number up to [`MAX_POOL_NODES`](super::limits::MAX_POOL_NODES), or null.
pub(crate) fn quota<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match Option::<u64>::deserialize(d)? {
        Some(n) => check_quota(n).map(Some).map_err(D::Error::custom),
        None => Ok(None),
    }
}

/// A quota must be at most the largest pool the simulation models.
pub(crate) fn check_quota(n: u64) -> Result<u32, String> {
    let max = super::limits::MAX_POOL_NODES;
    if n > max as u64 {
        return Err(format!("{n} nodes is more than the largest pool simulated, {max} nodes of a kind"));
    }
    Ok(n as u32)
}

/// Read a JSON file's text into `T`, with errors at the file, line and column.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str, path: &str) -> Result<T, DataError> {
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the location goes in front instead.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        let (mut line, mut column) = (e.line(), crate::data::json_column(text, e.line(), e.column()));
        if e.classify() == serde_json::error::Category::Data {
            // A value was read and then refused: serde_json is past it, maybe on the next
            // line; point at the value's last character instead.
            (line, column) = last_token_before(text, line, column);
        }
        DataError::At {
            path: path.into(),
            line: line.max(1) as u64,
            column: column.max(1) as u64,
            message,
        }
    })
}

/// The line and column (1-based, in characters) of the last non-blank character before the
/// given 1-based line and column.
fn last_token_before(text: &str, line: usize, column: usize) -> (usize, usize) {
    let index = LineIndex::new(text);
    let start_of_line = index.line_range(line.saturating_sub(1)).start;
    let rest = &text[start_of_line..];
    let within = rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(i, _)| i);
    let before = text[..start_of_line + within].trim_end();
    // The position just after the last character, then that character's own column.
    let after = index.line_col(before.len());
    (after.line as usize, after.column as usize - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_token_before_a_position_is_found_across_lines_crlf_and_wide_characters() {
        let cases = [
            ("{\n  \"a\": 1,\n  \"b\": \"x\"\n}", 3, 12, (3, 10)),
            ("{\"a\": -1\n}", 2, 1, (1, 8)),
            ("é\r\n  \"ü\": 5  \r\n}", 3, 1, (2, 8)),
            ("", 1, 1, (1, 0)),
            ("{\n\n\n", 4, 1, (1, 1)),
            ("x", 9, 9, (1, 1)),
        ];
        for (text, line, column, want) in cases {
            assert_eq!(last_token_before(text, line, column), want, "{text:?} {line}:{column}");
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        #[serde(default = "zero", deserialize_with = "duration")]
        d: TimeInterval,
        #[serde(default = "one", deserialize_with = "slots")]
        s: u32,
        #[serde(default, deserialize_with = "non_negative")]
        x: f64,
    }

    fn zero() -> TimeInterval {
        TimeInterval::ZERO
    }

    fn one() -> u32 {
        1
    }

    #[test]
    fn values_are_checked_where_they_are() {
        let ok: Probe = from_json(r#"{"d": "PT1M30S", "s": 4, "x": 2.5}"#, "p.json").unwrap();
        assert_eq!((ok.d, ok.s, ok.x), (TimeInterval::SECOND.checked_mul_f64(90.0).unwrap(), 4, 2.5));
        let ok: Probe = from_json(r#"{"d": 12}"#, "p.json").unwrap();
        assert_eq!((ok.d, ok.s), (TimeInterval::SECOND.checked_mul_f64(12.0).unwrap(), 1));
        for (text, needle) in [
            ("{\n  \"d\": -5\n}", "p.json:2:9:"),
            ("{\"d\": \"-PT5M\"}", "negative"),
            ("{\"d\": \"5 minutes\"}", "PT5M"),
            ("{\"s\": 0}", "0 task slots"),
            ("{\"s\": 300}", "at most 256"),
            ("{\"x\": -1}", "not negative"),
            ("{\"x\": NaN}", "p.json:1:"),
            ("{\"y\": 1}", "unknown field"),
        ] {
            let e = from_json::<Probe>(text, "p.json").unwrap_err().to_string();
            assert!(e.contains(needle), "{text}: {e}");
            assert!(e.starts_with("p.json:"), "{e}");
            assert!(!e.contains(" at line "), "{e}");
        }
    }
}
