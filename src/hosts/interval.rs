//! Evaluation intervals as each host writes them, and the service's bounds (5 minutes to 168
//! hours).

use super::HostKind;
use crate::time::{parse_iso8601_duration, TimeInterval, TICKS_PER_SECOND};

/// The shortest evaluation interval the service accepts: 5 minutes.
pub const MIN_INTERVAL: TimeInterval = TimeInterval(5 * 60 * TICKS_PER_SECOND);
/// The longest evaluation interval the service accepts: 168 hours.
pub const MAX_INTERVAL: TimeInterval = TimeInterval(168 * 3600 * TICKS_PER_SECOND);

/// Read an evaluation interval written in `kind`'s own form and check it lies within the
/// service's bounds.
///
/// ISO 8601 (`PT15M`) everywhere but Nextflow; `0:05:00` (`[d.]h:mm:ss`, and `1 day, 0:00:00`)
/// in `az batch pool show` output and Shipyard; Nextflow durations (`5 min`, `1h`, `90s`).
pub fn parse_interval(text: &str, kind: HostKind) -> Result<TimeInterval, String> {
    let t = text.trim();
    let value = match kind {
        HostKind::Nextflow => nextflow_duration(t).or_else(|| parse_iso8601_duration(t).ok()),
        HostKind::PoolShow | HostKind::Shipyard => clock(t).or_else(|| parse_iso8601_duration(t).ok()),
        _ => parse_iso8601_duration(t).ok(),
    };
    let form = match kind {
        HostKind::Nextflow => "a duration such as '5 min' or '1h'",
        HostKind::PoolShow | HostKind::Shipyard => "a duration such as 00:15:00 or PT15M",
        _ => "an ISO 8601 duration such as PT15M",
    };
    let Some(value) = value else {
        return Err(format!("evaluation interval `{t}` is not {form}"));
    };
    if value < MIN_INTERVAL {
        return Err(format!(
            "evaluation interval `{t}` is too short: the service accepts at least 5 minutes (PT5M)"
        ));
    }
    if value > MAX_INTERVAL {
        return Err(format!(
            "evaluation interval `{t}` is too long: the service accepts at most 168 hours (PT168H)"
        ));
    }
    Ok(value)
}

/// `[d.]h:mm:ss[.fff]` (the .NET and Shipyard form) or `N day[s], h:mm:ss` (Python's).
fn clock(t: &str) -> Option<TimeInterval> {
    let (days, rest) = if let Some((d, rest)) = t.split_once(',') {
        let d = d.trim();
        let n = d.strip_suffix("days").or_else(|| d.strip_suffix("day"))?.trim();
        (n.parse::<u32>().ok()?, rest.trim())
    } else {
        match t.split_once('.') {
            Some((d, rest)) if rest.contains(':') => (d.parse::<u32>().ok()?, rest),
            _ => (0, t),
        }
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let [h, m, s] = parts.as_slice() else {
        return None;
    };
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) || m.len() != 2 {
        return None;
    }
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if !digits(whole) || whole.len() != 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: f64 = h.parse().ok()?;
    let m: f64 = m.parse().ok()?;
    let sec: f64 = s.parse().ok()?;
    if m >= 60.0 || sec >= 60.0 {
        return None;
    }
    let total = f64::from(days) * 86_400.0 + h * 3600.0 + m * 60.0 + sec;
    Some(TimeInterval((total * TICKS_PER_SECOND as f64).round() as i64))
}

/// Nextflow's duration strings: `5 min`, `5m`, `1h 30m`, `300s`, `2 hours`, `1d`.
fn nextflow_duration(t: &str) -> Option<TimeInterval> {
    let mut total = 0f64;
    let mut rest = t.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let n: f64 = rest[..n_end].parse().ok()?;
        rest = rest[n_end..].trim_start();
        let u_end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let unit = &rest[..u_end];
        rest = rest[u_end..].trim_start();
        let seconds = match unit {
            "ms" | "milli" | "millis" => 0.001,
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            _ => return None,
        };
        total += n * seconds;
    }
    Some(TimeInterval((total * TICKS_PER_SECOND as f64).round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_reads_its_own_form_within_the_bounds() {
        assert!(parse_interval("PT15M", HostKind::Terraform).is_ok());
        assert!(parse_interval("0:05:00", HostKind::PoolShow).is_ok());
        assert!(parse_interval("PT1M", HostKind::PoolJson)
            .unwrap_err()
            .contains("at least 5 minutes"));
        assert!(parse_interval("0:05:00", HostKind::Terraform).is_err());
    }

    fn minutes(i: TimeInterval) -> f64 {
        i.0 as f64 / (60.0 * TICKS_PER_SECOND as f64)
    }

    #[test]
    fn forms_by_host() {
        let ok = [
            ("PT5M", HostKind::PoolJson, 5.0),
            ("P7D", HostKind::Arm, 7.0 * 24.0 * 60.0),
            ("0:15:00", HostKind::PoolShow, 15.0),
            ("1 day, 0:00:00", HostKind::PoolShow, 1440.0),
            ("00:05:00", HostKind::Shipyard, 5.0),
            ("1.00:00:00", HostKind::Shipyard, 1440.0),
            ("5 min", HostKind::Nextflow, 5.0),
            ("1h 30m", HostKind::Nextflow, 90.0),
            ("168h", HostKind::Nextflow, 168.0 * 60.0),
        ];
        for (text, kind, expected) in ok {
            assert_eq!(minutes(parse_interval(text, kind).unwrap()), expected, "{text}");
        }
        let refused = [
            ("PT4M59S", HostKind::PoolJson, "too short"),
            ("PT168H1S", HostKind::Terraform, "too long"),
            ("0:05:00", HostKind::Bicep, "not an ISO 8601"),
            ("00:61:00", HostKind::Shipyard, "not a duration"),
            ("5 fortnights", HostKind::Nextflow, "not a duration"),
            ("", HostKind::Arm, "not an ISO 8601"),
        ];
        for (text, kind, message) in refused {
            let e = parse_interval(text, kind).unwrap_err();
            assert!(e.contains(message), "{text}: {e}");
        }
    }
}
