//! Local time for what-if reports (`--tz ZONE`). The service evaluates `time()` in UTC; a
//! [`Zone`] shows report times in a pool owner's local time and finds the daylight-saving
//! changes that move a UTC hour window against local time. The time zone database ships
//! inside the binary (jiff's bundled copy of the IANA database), so this works offline.

use crate::diagnostic::Code;
use crate::time::{Timestamp, TICKS_PER_SECOND};

/// An IANA time zone such as `Europe/London`.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: jiff::tz::TimeZone,
}

/// A change of a zone's UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// When it happens.
    pub at: Timestamp,
    /// The offset before, in seconds east of UTC.
    pub before: i32,
    /// The offset after, in seconds east of UTC.
    pub after: i32,
}

fn jiff_time(t: Timestamp) -> Option<jiff::Timestamp> {
    let ticks = t.0 as i128;
    jiff::Timestamp::from_nanosecond(ticks * 100).ok()
}

fn from_jiff(t: jiff::Timestamp) -> Timestamp {
    Timestamp((t.as_nanosecond() / 100) as i64)
}

/// `+01:00`, `-04:00`, `+05:30`.
pub fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", s / 3600, s / 60 % 60)
}

impl Zone {
    /// The zone with this IANA name (`America/New_York`, `UTC`).
    pub fn new(name: &str) -> Result<Zone, String> {
        jiff::tz::TimeZone::get(name)
            .map(|tz| Zone {
                name: name.to_string(),
                tz,
            })
            .map_err(|_| format!("{name:?} is not a time zone of the IANA database (e.g. Europe/London, America/New_York)"))
    }

    /// The name given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The UTC offset at `t`, in seconds east of UTC.
    pub fn offset_at(&self, t: Timestamp) -> i32 {
        jiff_time(t).map_or(0, |j| self.tz.to_offset(j).seconds())
    }

    /// `t` in local time, RFC 3339 with its offset: `2026-03-29T02:30:00+01:00`.
    pub fn format(&self, t: Timestamp) -> String {
        let offset = self.offset_at(t);
        let local = Timestamp(t.0 + offset as i64 * TICKS_PER_SECOND).fields();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
            local.year,
            local.month,
            local.day,
            local.hour,
            local.minute,
            local.second,
            format_offset(offset)
        )
    }

    /// The offset changes after `start` and at or before `end`.
    pub fn transitions(&self, start: Timestamp, end: Timestamp) -> Vec<Transition> {
        let Some(from) = jiff_time(start) else { return Vec::new() };
        let mut before = self.offset_at(start);
        let mut out = Vec::new();
        for tr in self.tz.following(from) {
            let at = from_jiff(tr.timestamp());
            if at > end || out.len() >= 1000 {
                break;
            }
            let after = tr.offset().seconds();
            if after != before {
                out.push(Transition { at, before, after });
            }
            before = after;
        }
        out
    }

    /// A timeline row's first cell, an RFC 3339 time, in local time (other cells unchanged).
    pub fn localize_first_cell(&self, cells: &mut [String]) {
        if let Some(first) = cells.first_mut() {
            if let Ok(t) = crate::time::parse_rfc3339(first) {
                *first = self.format(t);
            }
        }
    }

    /// Warnings for a formula that compares `.hour` (UTC) when the zone's offset changes
    /// between `start` and `end`: from then on its hour window falls at another local hour.
    pub fn hour_window_warnings(&self, source: &str, start: Timestamp, end: Timestamp) -> Vec<String> {
        let analysis = crate::check(source);
        let hours: Vec<&str> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::UtcTimeComparison)
            .map(|d| d.span.text(source))
            .filter(|t| t.trim_end().ends_with("hour"))
            .collect();
        let Some(example) = hours.first() else { return Vec::new() };
        self.transitions(start, end)
            .iter()
            .map(|tr| {
                let shift = (tr.after - tr.before) as f64 / 3600.0;
                let direction = if shift > 0.0 { "later" } else { "earlier" };
                format!(
                    "{} changes from UTC{} to UTC{} at {} ({} local): the formula's `{example}` comparisons follow UTC (plus any fixed offset the formula adds), so from then on its hour window falls {} hour{} {direction} in local time",
                    self.name,
                    format_offset(tr.before),
                    format_offset(tr.after),
                    tr.at.format_results(),
                    self.format(tr.at),
                    crate::format::format_double(shift.abs()),
                    if shift.abs() == 1.0 { "" } else { "s" },
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;

    #[test]
    fn london_across_the_spring_change() {
        let z = Zone::new("Europe/London").unwrap();
        let before = parse_rfc3339("2026-03-29T00:30:00Z").unwrap();
        let after = parse_rfc3339("2026-03-29T01:30:00Z").unwrap();
        assert_eq!(z.format(before), "2026-03-29T00:30:00+00:00");
        assert_eq!(z.format(after), "2026-03-29T02:30:00+01:00");
        let t = z.transitions(
            parse_rfc3339("2026-03-20T00:00:00Z").unwrap(),
            parse_rfc3339("2026-04-05T00:00:00Z").unwrap(),
        );
        assert_eq!(
            t,
            vec![Transition {
                at: parse_rfc3339("2026-03-29T01:00:00Z").unwrap(),
                before: 0,
                after: 3600
            }]
        );
        let w = z.hour_window_warnings(
            "$TargetDedicatedNodes = (time().hour >= 8 && time().hour < 18) ? 5 : 0;",
            parse_rfc3339("2026-03-20T00:00:00Z").unwrap(),
            parse_rfc3339("2026-04-05T00:00:00Z").unwrap(),
        );
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("1 hour later"), "{}", w[0]);
        assert!(z
            .hour_window_warnings(
                "$TargetDedicatedNodes = 1;",
                before,
                after.checked_add(crate::TimeInterval::WEEK).unwrap()
            )
            .is_empty());
        assert!(Zone::new("Mars/Olympus").is_err());
    }

    #[test]
    fn first_cell_in_local_time() {
        let z = Zone::new("America/New_York").unwrap();
        let mut row = vec!["2026-11-23T15:00:00.000Z".to_string(), "2".to_string()];
        z.localize_first_cell(&mut row);
        assert_eq!(row, ["2026-11-23T10:00:00-05:00", "2"]);
    }
}
