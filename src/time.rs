//! Timestamps and time intervals as 100 ns ticks (D10), civil fields, parsing and formatting.

/// Ticks per second.
pub const TICKS_PER_SECOND: i64 = 10_000_000;

/// A point in time: 100 ns ticks since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// A signed duration in 100 ns ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeInterval(pub i64);

const MIN_TICKS: i64 = -62_135_596_800 * TICKS_PER_SECOND;
const MAX_TICKS: i64 = 253_402_300_800 * TICKS_PER_SECOND - 1;

impl TimeInterval {
    /// Zero.
    pub const ZERO: TimeInterval = TimeInterval(0);
    /// 100 ns.
    pub const TICK: TimeInterval = TimeInterval(1);
    /// 1 µs.
    pub const MICROSECOND: TimeInterval = TimeInterval(10);
    /// 1 ms.
    pub const MILLISECOND: TimeInterval = TimeInterval(10_000);
    /// 1 s.
    pub const SECOND: TimeInterval = TimeInterval(TICKS_PER_SECOND);
    /// 1 min.
    pub const MINUTE: TimeInterval = TimeInterval(60 * TICKS_PER_SECOND);
    /// 1 h.
    pub const HOUR: TimeInterval = TimeInterval(3600 * TICKS_PER_SECOND);
    /// 1 day.
    pub const DAY: TimeInterval = TimeInterval(86_400 * TICKS_PER_SECOND);
    /// 7 days.
    pub const WEEK: TimeInterval = TimeInterval(7 * 86_400 * TICKS_PER_SECOND);
    /// 365 days (D9).
    pub const YEAR: TimeInterval = TimeInterval(365 * 86_400 * TICKS_PER_SECOND);

    /// Sum, `None` on overflow.
    pub fn checked_add(self, o: TimeInterval) -> Option<TimeInterval> {
        self.0.checked_add(o.0).map(TimeInterval)
    }
    /// Difference, `None` on overflow.
    pub fn checked_sub(self, o: TimeInterval) -> Option<TimeInterval> {
        self.0.checked_sub(o.0).map(TimeInterval)
    }
    /// Negation, `None` on overflow.
    pub fn checked_neg(self) -> Option<TimeInterval> {
        self.0.checked_neg().map(TimeInterval)
    }
    /// Product with a double, rounded to the nearest tick, a half tick to the even
    /// neighbour (D10, as .NET `Math.Round`).
    pub fn checked_mul_f64(self, k: f64) -> Option<TimeInterval> {
        let v = (self.0 as f64 * k).round_ties_even();
        if v.is_finite() && v.abs() < 9.2e18 {
            Some(TimeInterval(v as i64))
        } else {
            None
        }
    }
    /// Quotient by a double, rounded to the nearest tick, a half tick to the even
    /// neighbour (D10).
    pub fn checked_div_f64(self, k: f64) -> Option<TimeInterval> {
        if k == 0.0 {
            return None;
        }
        let v = (self.0 as f64 / k).round_ties_even();
        if v.is_finite() && v.abs() < 9.2e18 {
            Some(TimeInterval(v as i64))
        } else {
            None
        }
    }
    /// ISO 8601 duration, as the REST API writes evaluation intervals: `PT5M`, `PT1H30M`,
    /// `P7D`, `PT0.5S`, `-PT1M`.
    pub fn format_iso8601(&self) -> String {
        let t = self.0.unsigned_abs();
        let tps = TICKS_PER_SECOND as u64;
        let (days, rem) = (t / (86_400 * tps), t % (86_400 * tps));
        let (h, m, s, f) = (rem / (3600 * tps), rem / (60 * tps) % 60, rem / tps % 60, rem % tps);
        let mut out = String::from(if self.0 < 0 { "-P" } else { "P" });
        if days > 0 {
            out.push_str(&format!("{days}D"));
        }
        if rem > 0 || days == 0 {
            out.push('T');
            if h > 0 {
                out.push_str(&format!("{h}H"));
            }
            if m > 0 {
                out.push_str(&format!("{m}M"));
            }
            if s > 0 || f > 0 || (h == 0 && m == 0) {
                out.push_str(&s.to_string());
                if f > 0 {
                    out.push_str(format!(".{f:07}").trim_end_matches('0'));
                }
                out.push('S');
            }
        }
        out
    }

    /// .NET `TimeSpan` "c" format.
    pub fn format_results(&self) -> String {
        let mut s = String::new();
        self.write_results(&mut s);
        s
    }
    /// Append the .NET `TimeSpan` "c" format.
    pub fn write_results(&self, out: &mut String) {
        let t = self.0.unsigned_abs();
        if self.0 < 0 {
            out.push('-');
        }
        let tps = TICKS_PER_SECOND as u64;
        let days = t / (86_400 * tps);
        let rem = t % (86_400 * tps);
        let (h, m, s, f) = (rem / (3600 * tps), rem / (60 * tps) % 60, rem / tps % 60, rem % tps);
        if days > 0 {
            out.push_str(&format!("{days}."));
        }
        out.push_str(&format!("{h:02}:{m:02}:{s:02}"));
        if f > 0 {
            out.push_str(&format!(".{f:07}"));
        }
    }
}

/// Calendar fields of a timestamp (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilFields {
    /// Year.
    pub year: i32,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Sunday = 0 (D8).
    pub weekday: u8,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Fraction of the second in ticks.
    pub subsec_ticks: u32,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Timestamp {
    /// Earliest representable (0001-01-01).
    pub const MIN: Timestamp = Timestamp(MIN_TICKS);
    /// Latest representable (9999-12-31).
    pub const MAX: Timestamp = Timestamp(MAX_TICKS);

    /// Add an interval, `None` outside years 1–9999.
    pub fn checked_add(self, i: TimeInterval) -> Option<Timestamp> {
        let t = self.0.checked_add(i.0)?;
        (MIN_TICKS..=MAX_TICKS).contains(&t).then_some(Timestamp(t))
    }
    /// Difference of two timestamps.
    pub fn checked_sub(self, o: Timestamp) -> Option<TimeInterval> {
        self.0.checked_sub(o.0).map(TimeInterval)
    }
    /// Calendar fields.
    pub fn fields(&self) -> CivilFields {
        let days = self.0.div_euclid(86_400 * TICKS_PER_SECOND);
        let rem = self.0.rem_euclid(86_400 * TICKS_PER_SECOND);
        let (y, m, d) = civil_from_days(days);
        let secs = rem / TICKS_PER_SECOND;
        CivilFields {
            year: y as i32,
            month: m as u8,
            day: d as u8,
            weekday: (days + 4).rem_euclid(7) as u8,
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
            subsec_ticks: (rem % TICKS_PER_SECOND) as u32,
        }
    }
    /// From calendar fields.
    pub fn from_civil(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8, subsec_ticks: u32) -> Option<Timestamp> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day < 1
            || hour > 23
            || minute > 59
            || second > 59
            || subsec_ticks >= TICKS_PER_SECOND as u32
        {
            return None;
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let dim = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month as usize - 1];
        if day > dim {
            return None;
        }
        let days = days_from_civil(year as i64, month as i64, day as i64);
        Some(Timestamp(
            (days * 86_400 + hour as i64 * 3600 + minute as i64 * 60 + second as i64) * TICKS_PER_SECOND + subsec_ticks as i64,
        ))
    }
    /// `2016-10-13T19:18:47.805Z`.
    pub fn format_results(&self) -> String {
        let mut s = String::new();
        self.write_results(&mut s);
        s
    }
    /// Append `2016-10-13T19:18:47.805Z`.
    pub fn write_results(&self, out: &mut String) {
        match self.results_digits() {
            Some(b) => out.push_str(std::str::from_utf8(&b).unwrap_or_default()),
            None => {
                let c = self.fields();
                out.push_str(&format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                    c.year,
                    c.month,
                    c.day,
                    c.hour,
                    c.minute,
                    c.second,
                    c.subsec_ticks / 10_000
                ));
            }
        }
    }
    /// The text of [`write_results`](Timestamp::write_results) written digit by digit (it is
    /// written for every row of a timeline), for years 0–9999.
    fn results_digits(&self) -> Option<[u8; 24]> {
        let c = self.fields();
        if !(0..=9999).contains(&c.year) {
            return None;
        }
        let mut b = *b"0000-00-00T00:00:00.000Z";
        for (at, value, width) in [
            (0, c.year as u32, 4),
            (5, u32::from(c.month), 2),
            (8, u32::from(c.day), 2),
            (11, u32::from(c.hour), 2),
            (14, u32::from(c.minute), 2),
            (17, u32::from(c.second), 2),
            (20, c.subsec_ticks / 10_000, 3),
        ] {
            let mut v = value;
            for i in (at..at + width).rev() {
                b[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        }
        Some(b)
    }
    /// `2018-01-31T20:08:17.7098248Z`.
    pub fn format_rfc3339_7(&self) -> String {
        let c = self.fields();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second, c.subsec_ticks
        )
    }
}

/// Why a time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TimeParseError(pub String);

fn generic() -> TimeParseError {
    TimeParseError("expected a time such as \"2024-05-01T10:00:00Z\" or \"Mon, 06 Oct 2014 10:20:00 GMT\"".into())
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_iso(s: &str, max_fraction: usize, require_zone: bool) -> Result<Timestamp, TimeParseError> {
    if !s.is_ascii() {
        return Err(generic());
    }
    let (date, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let year = parts
        .first()
        .and_then(|p| (p.len() == 4).then(|| num(p)).flatten())
        .ok_or_else(generic)?;
    let month = match parts.get(1) {
        Some(p) if p.len() == 2 => num(p).ok_or_else(generic)?,
        None => 1,
        _ => return Err(generic()),
    };
    let day = match parts.get(2) {
        Some(p) if p.len() == 2 => num(p).ok_or_else(generic)?,
        None => 1,
        _ => return Err(generic()),
    };
    if parts.len() > 3 {
        return Err(generic());
    }
    let Some(rest) = rest else {
        if require_zone {
            return Err(TimeParseError(
                "a time with a zone is required, e.g. \"2026-11-23T12:00:00Z\" or \"…+01:00\"".into(),
            ));
        }
        return Timestamp::from_civil(year as i32, month as u8, day as u8, 0, 0, 0, 0).ok_or_else(generic);
    };
    let (clock, offset) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (c, z) = rest.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let hm: Vec<&str> = z[1..].split(':').collect();
        if hm.len() != 2 || hm[0].len() != 2 || hm[1].len() != 2 {
            return Err(generic());
        }
        let (h, m) = (num(hm[0]).ok_or_else(generic)?, num(hm[1]).ok_or_else(generic)?);
        if h > 23 || m > 59 {
            return Err(TimeParseError(format!(
                "the zone offset {z} is not a time offset: hours 00 to 23, minutes 00 to 59 (e.g. +01:00)"
            )));
        }
        (c, sign * (h as i64 * 3600 + m as i64 * 60))
    } else {
        return Err(TimeParseError(
            "a time with a zone is required, e.g. \"2026-11-23T12:00:00Z\" or \"…+01:00\"".into(),
        ));
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((a, f)) => (a, Some(f)),
        None => (clock, None),
    };
    let fields: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&fields.len()) || fields.iter().any(|f| f.len() != 2) {
        return Err(generic());
    }
    let h = num(fields[0]).ok_or_else(generic)?;
    let mi = num(fields[1]).ok_or_else(generic)?;
    let sec = fields.get(2).map(|f| num(f).ok_or_else(generic)).transpose()?.unwrap_or(0);
    let mut ticks = 0u32;
    if let Some(f) = fraction {
        if num(f).is_none() || fields.len() != 3 {
            return Err(generic());
        }
        if f.len() > max_fraction {
            return Err(TimeParseError(format!(
                "at most {max_fraction} fractional-second digits are accepted, found {}",
                f.len()
            )));
        }
        let digits: String = f.chars().take(7).collect();
        ticks = num(&format!("{digits:0<7}")).ok_or_else(generic)?;
    }
    let t = Timestamp::from_civil(year as i32, month as u8, day as u8, h as u8, mi as u8, sec as u8, ticks).ok_or_else(generic)?;
    t.checked_add(TimeInterval(-offset * TICKS_PER_SECOND)).ok_or_else(generic)
}

/// Read a `time("…")` literal: RFC 1123 or W3C-DTF (D31).
pub fn parse_time_literal(s: &str) -> Result<Timestamp, TimeParseError> {
    if s.len() == 29 && s.ends_with(" GMT") && s.is_ascii() {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        let day = num(&s[5..7]).ok_or_else(generic)?;
        let month = months.iter().position(|m| *m == &s[8..11]).ok_or_else(generic)? as u8 + 1;
        let year = num(&s[12..16]).ok_or_else(generic)?;
        let (h, m, sec) = (
            num(&s[17..19]).ok_or_else(generic)?,
            num(&s[20..22]).ok_or_else(generic)?,
            num(&s[23..25]).ok_or_else(generic)?,
        );
        if &s[3..5] != ", " || &s[7..8] != " " || &s[11..12] != " " || &s[16..17] != " " || &s[19..20] != ":" || &s[22..23] != ":" {
            return Err(generic());
        }
        let t = Timestamp::from_civil(year as i32, month, day as u8, h as u8, m as u8, sec as u8, 0).ok_or_else(generic)?;
        if days[t.fields().weekday as usize] != &s[0..3] {
            return Err(TimeParseError("the day of the week does not match the date".into()));
        }
        return Ok(t);
    }
    if looks_like_rfc1123(s) {
        return Err(TimeParseError(
            "an RFC 1123 time must end in `GMT`, as in \"Mon, 06 Oct 2014 10:20:00 GMT\" (`UTC`, `UT` and numeric zones are not accepted)"
                .into(),
        ));
    }
    if s.contains([' ', 't', 'z']) {
        return Err(generic());
    }
    parse_iso(s, 7, false)
}

/// `ddd, dd MMM yyyy HH:mm:ss` followed by a zone other than `GMT` (D31 rejects it).
fn looks_like_rfc1123(s: &str) -> bool {
    s.len() > 26 && s.is_ascii() && &s[3..5] == ", " && s.as_bytes()[25] == b' ' && !s.ends_with(" GMT")
}

/// Read an RFC 3339 time with a zone (data files, CLI options).
pub fn parse_rfc3339(s: &str) -> Result<Timestamp, TimeParseError> {
    if !s.contains(['T', 't', ' ']) {
        return Err(TimeParseError(format!("{s:?} is not a time such as \"2026-11-23T12:00:00Z\"")));
    }
    parse_iso(s.trim(), 9, true)
}

/// Read a time with a zone in either form the error messages name: RFC 3339
/// (`2026-11-23T12:00:00Z`) or the RFC 1123 form of D31 (`Mon, 06 Oct 2014 10:20:00 GMT`).
/// Used for evaluation times (`eval --now`, a context file's `now`).
pub fn parse_zoned_time(s: &str) -> Result<Timestamp, TimeParseError> {
    let t = s.trim();
    if t.ends_with(" GMT") || looks_like_rfc1123(t) {
        return parse_time_literal(t);
    }
    parse_rfc3339(s)
}

/// The longest duration read: about 29,000 years (well inside the range of a tick count).
const MAX_DURATION_SECONDS: f64 = 9.0e11;

/// Read an ISO 8601 duration such as `PT5M`: `P`, then weeks, days, `T`, hours, minutes,
/// seconds, each at most once and in that order, at least one of them, and none after a
/// `T` that has no time part (`P1DT` is refused).
pub fn parse_iso8601_duration(s: &str) -> Result<TimeInterval, TimeParseError> {
    let bad = || TimeParseError(format!("{s:?} is not a duration such as PT5M, PT1H30M or P1D"));
    let up = s.trim().to_ascii_uppercase();
    let rest = up.strip_prefix('P').ok_or_else(bad)?;
    let mut total = 0f64;
    let mut in_time = false;
    let mut number = String::new();
    // Position of the last designator in W D H M S order, to refuse repeats and disorder.
    let mut last_rank = 0;
    let mut parts = 0;
    let mut time_parts = 0;
    for c in rest.chars() {
        match c {
            'T' if !in_time && number.is_empty() => in_time = true,
            '0'..='9' | '.' => number.push(c),
            'W' | 'D' | 'H' | 'M' | 'S' => {
                let v: f64 = number.parse().map_err(|_| bad())?;
                number.clear();
                let (rank, seconds) = match (c, in_time) {
                    ('W', false) => (1, 604_800.0),
                    ('D', false) => (2, 86_400.0),
                    ('H', true) => (3, 3600.0),
                    ('M', true) => (4, 60.0),
                    ('S', true) => (5, 1.0),
                    _ => return Err(bad()),
                };
                if rank <= last_rank || !v.is_finite() {
                    return Err(bad());
                }
                last_rank = rank;
                parts += 1;
                time_parts += in_time as u32;
                total += v * seconds;
            }
            _ => return Err(bad()),
        }
    }
    if !number.is_empty() || parts == 0 || (in_time && time_parts == 0) {
        return Err(bad());
    }
    if total > MAX_DURATION_SECONDS {
        return Err(TimeParseError(format!("{s:?} is too long a duration (at most about 29,000 years)")));
    }
    Ok(TimeInterval((total * TICKS_PER_SECOND as f64).round() as i64))
}

/// A time or duration outside what the other side can hold: a [`Timestamp`] is within years
/// 1–9999, a [`TimeInterval`] within ±29,000 years and a [`std::time::Duration`] is never
/// negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} is out of range")]
pub struct TimeRangeError(&'static str);

/// RFC 3339 in UTC with all seven fractional digits, e.g. `2026-11-23T12:00:00.0000000Z`
/// (what `AutoScaleRun.timestamp` holds); [`str::parse`] reads it back exactly.
///
/// ```
/// use batch_autoscale::Timestamp;
/// let t: Timestamp = "2026-11-23T13:00:00.5+01:00".parse().unwrap();
/// assert_eq!(t.to_string(), "2026-11-23T12:00:00.5000000Z");
/// assert_eq!(t.to_string().parse::<Timestamp>(), Ok(t));
/// ```
impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format_rfc3339_7())
    }
}

/// An RFC 3339 time with a zone (`Z` or `±hh:mm`), as data files and the command line take
/// it: at most nine fractional digits, kept to the tick (100 ns).
impl std::str::FromStr for Timestamp {
    type Err = TimeParseError;

    fn from_str(s: &str) -> Result<Timestamp, TimeParseError> {
        parse_rfc3339(s)
    }
}

/// An ISO 8601 duration as the REST API writes evaluation intervals: `PT5M`, `PT1H30M`, `P7D`,
/// `PT0.5S`; a negative interval is written `-PT1M`.
///
/// ```
/// use batch_autoscale::TimeInterval;
/// let i: TimeInterval = "PT1H30M".parse().unwrap();
/// assert_eq!(Some(i), TimeInterval::HOUR.checked_mul_f64(1.5));
/// assert_eq!(i.to_string(), "PT1H30M");
/// ```
impl std::fmt::Display for TimeInterval {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format_iso8601())
    }
}

/// A non-negative ISO 8601 duration: `P`, then weeks, days, `T`, hours, minutes, seconds
/// (each at most once, in that order, fractions allowed), rounded to the tick.
impl std::str::FromStr for TimeInterval {
    type Err = TimeParseError;

    fn from_str(s: &str) -> Result<TimeInterval, TimeParseError> {
        parse_iso8601_duration(s)
    }
}

/// Nanoseconds per tick.
const NANOS_PER_TICK: u32 = 100;

/// A time from the system clock, truncated to the tick (100 ns); fails outside years 1–9999.
///
/// ```
/// use batch_autoscale::Timestamp;
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// let t = Timestamp::try_from(UNIX_EPOCH + Duration::from_nanos(1_234)).unwrap();
/// assert_eq!(t, Timestamp(12)); // 100 ns ticks since 1970, the last 34 ns dropped
/// assert_eq!(SystemTime::try_from(t), Ok(UNIX_EPOCH + Duration::from_nanos(1_200)));
/// assert!(Timestamp::try_from(SystemTime::now()).is_ok());
/// ```
impl TryFrom<std::time::SystemTime> for Timestamp {
    type Error = TimeRangeError;

    fn try_from(time: std::time::SystemTime) -> Result<Timestamp, TimeRangeError> {
        let out = TimeRangeError("the time");
        let ticks = match time.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => TimeInterval::try_from(after).map_err(|_| out)?.0,
            // Before 1970: round down to the tick, so that the tick holds the time.
            Err(before) => {
                let before = before.duration();
                let whole = TimeInterval::try_from(before).map_err(|_| out)?.0;
                let partial = before.subsec_nanos() % NANOS_PER_TICK != 0;
                -whole - i64::from(partial)
            }
        };
        Timestamp(0).checked_add(TimeInterval(ticks)).ok_or(out)
    }
}

/// The same instant as a `SystemTime`; fails only where the platform's clock cannot hold it
/// (e.g. before 1601 on Windows).
impl TryFrom<Timestamp> for std::time::SystemTime {
    type Error = TimeRangeError;

    fn try_from(t: Timestamp) -> Result<std::time::SystemTime, TimeRangeError> {
        let (ticks, tps) = (t.0.unsigned_abs(), TICKS_PER_SECOND as u64);
        let offset = std::time::Duration::new(ticks / tps, (ticks % tps) as u32 * NANOS_PER_TICK);
        let time = if t.0 >= 0 {
            std::time::UNIX_EPOCH.checked_add(offset)
        } else {
            std::time::UNIX_EPOCH.checked_sub(offset)
        };
        time.ok_or(TimeRangeError("the time"))
    }
}

/// A duration truncated to the tick (100 ns); fails beyond about 29,000 years.
///
/// ```
/// use batch_autoscale::TimeInterval;
/// use std::time::Duration;
/// assert_eq!(TimeInterval::try_from(Duration::from_secs(90)), Ok(TimeInterval(900_000_000)));
/// assert_eq!(Duration::try_from(TimeInterval::MINUTE), Ok(Duration::from_secs(60)));
/// assert!(Duration::try_from(TimeInterval(-1)).is_err()); // a Duration is never negative
/// ```
impl TryFrom<std::time::Duration> for TimeInterval {
    type Error = TimeRangeError;

    fn try_from(d: std::time::Duration) -> Result<TimeInterval, TimeRangeError> {
        let out = TimeRangeError("the duration");
        if d.as_secs_f64() > MAX_DURATION_SECONDS {
            return Err(out);
        }
        let seconds = i64::try_from(d.as_secs()).map_err(|_| out)?;
        Ok(TimeInterval(
            seconds * TICKS_PER_SECOND + i64::from(d.subsec_nanos() / NANOS_PER_TICK),
        ))
    }
}

/// The same length as a `Duration`; fails for a negative interval.
impl TryFrom<TimeInterval> for std::time::Duration {
    type Error = TimeRangeError;

    fn try_from(i: TimeInterval) -> Result<std::time::Duration, TimeRangeError> {
        let ticks = u64::try_from(i.0).map_err(|_| TimeRangeError("a negative interval"))?;
        let tps = TICKS_PER_SECOND as u64;
        Ok(std::time::Duration::new(ticks / tps, (ticks % tps) as u32 * NANOS_PER_TICK))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.results_digits() {
            Some(b) => serializer.serialize_str(std::str::from_utf8(&b).unwrap_or_default()),
            None => serializer.serialize_str(&self.format_results()),
        }
    }
}

impl serde::Serialize for TimeInterval {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.format_results())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The std conversions keep every tick, round a time before 1970 down to its tick, and
    /// refuse what the other side cannot hold.
    #[test]
    fn std_time_conversions_are_exact_to_the_tick_and_refuse_the_out_of_range() {
        use std::time::{Duration, SystemTime, UNIX_EPOCH};
        for t in [
            Timestamp(0),
            Timestamp(1),
            Timestamp(-1),
            Timestamp::MIN,
            Timestamp::MAX,
            Timestamp(17_000_000_000_000_123),
        ] {
            let system = SystemTime::try_from(t).unwrap();
            assert_eq!(Timestamp::try_from(system), Ok(t));
            assert_eq!(t.to_string().parse::<Timestamp>(), Ok(t));
        }
        assert_eq!(Timestamp::try_from(UNIX_EPOCH - Duration::from_nanos(1)), Ok(Timestamp(-1)));
        assert_eq!(Timestamp::try_from(UNIX_EPOCH - Duration::from_nanos(100)), Ok(Timestamp(-1)));
        assert_eq!(Timestamp::try_from(UNIX_EPOCH - Duration::from_nanos(101)), Ok(Timestamp(-2)));
        let year_10000 = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        assert!(Timestamp::try_from(year_10000).is_err());
        assert!(Timestamp::try_from(UNIX_EPOCH - Duration::from_secs(62_135_596_801)).is_err());
        assert_eq!(TimeInterval::try_from(Duration::new(1, 999)), Ok(TimeInterval(10_000_009)));
        assert!(TimeInterval::try_from(Duration::from_secs(u64::MAX)).is_err());
        assert_eq!(Duration::try_from(TimeInterval(10_000_009)), Ok(Duration::new(1, 900)));
        assert!(Duration::try_from(TimeInterval(-1)).is_err());
        for text in ["PT5M", "PT1H30M", "P7D", "PT0.5S", "P1DT0.0000001S"] {
            let i: TimeInterval = text.parse().unwrap();
            assert_eq!(i.to_string(), text);
        }
    }

    /// D10: a product or quotient lands on the nearest tick, a half tick on the even one.
    #[test]
    fn interval_arithmetic_rounds_half_ticks_to_even() {
        let tick = TimeInterval(1);
        assert_eq!(tick.checked_div_f64(2.0), Some(TimeInterval(0)));
        assert_eq!(tick.checked_mul_f64(1.5), Some(TimeInterval(2)));
        assert_eq!(tick.checked_mul_f64(2.5), Some(TimeInterval(2)));
        assert_eq!(tick.checked_mul_f64(3.5), Some(TimeInterval(4)));
        assert_eq!(tick.checked_mul_f64(-0.5), Some(TimeInterval(0)));
        assert_eq!(tick.checked_mul_f64(-1.5), Some(TimeInterval(-2)));
        assert_eq!(TimeInterval(3).checked_div_f64(2.0), Some(TimeInterval(2)));
        assert_eq!(TimeInterval(5).checked_div_f64(2.0), Some(TimeInterval(2)));
        assert_eq!(TimeInterval(1).checked_mul_f64(1e30), None);
        assert_eq!(TimeInterval(1).checked_div_f64(0.0), None);
    }

    /// The results form, written digit by digit, is the formatted one.
    #[test]
    fn results_times_print_as_formatted() {
        let mut t = Timestamp::MIN.0;
        while t < Timestamp::MAX.0 {
            let c = Timestamp(t).fields();
            let expected = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                c.year,
                c.month,
                c.day,
                c.hour,
                c.minute,
                c.second,
                c.subsec_ticks / 10_000
            );
            assert_eq!(Timestamp(t).format_results(), expected);
            assert_eq!(serde_json::to_string(&Timestamp(t)).unwrap(), format!("{expected:?}"));
            t += 7_777_777_777_777_777 / 3;
        }
        assert_eq!(Timestamp(Timestamp::MAX.0 + 1).format_results(), "10000-01-01T00:00:00.000Z");
    }

    /// Evaluation times take both forms the messages name.
    #[test]
    fn zoned_time_takes_rfc3339_and_rfc1123() {
        let a = parse_zoned_time("Mon, 06 Oct 2014 10:20:00 GMT").unwrap();
        assert_eq!(a, parse_zoned_time("2014-10-06T10:20:00Z").unwrap());
        assert_eq!(a, parse_zoned_time("2014-10-06T12:20:00+02:00").unwrap());
        assert!(parse_zoned_time("Tue, 06 Oct 2014 10:20:00 GMT").is_err());
        assert!(parse_zoned_time("Mon, 06 Oct 2014 10:20:00 UTC").is_err());
        assert!(parse_zoned_time("2014-10-06T10:20:00").is_err());
        assert!(parse_zoned_time("2014-10-06").is_err());
    }

    /// D31: RFC 1123 only as .NET writes it, with `GMT`.
    #[test]
    fn rfc1123_needs_gmt() {
        let gmt = parse_time_literal("Tue, 12 Aug 2025 17:56:45 GMT").unwrap();
        assert_eq!(gmt, parse_time_literal("2025-08-12T17:56:45Z").unwrap());
        for bad in [
            "Tue, 12 Aug 2025 17:56:45 UTC",
            "Tue, 12 Aug 2025 17:56:45 UT",
            "Tue, 12 Aug 2025 17:56:45 +0000",
            "Tue, 12 Aug 2025 17:56:45 Z",
            "Wed, 12 Aug 2025 17:56:45 GMT",
            "Tue, 2 Aug 2025 17:56:45 GMT",
        ] {
            assert!(parse_time_literal(bad).is_err(), "{bad}");
        }
        let e = parse_time_literal("Tue, 12 Aug 2025 17:56:45 UTC").unwrap_err();
        assert!(e.0.contains("GMT"), "{}", e.0);
    }

    #[test]
    fn zone_offsets_are_hours_and_minutes_of_a_real_offset() {
        assert!(parse_rfc3339("2026-11-23T12:00:00+23:59").is_ok());
        assert_eq!(
            parse_rfc3339("2026-11-23T12:00:00+01:30").unwrap(),
            parse_rfc3339("2026-11-23T10:30:00Z").unwrap()
        );
        for bad in [
            "2026-11-23T12:00:00+99:99",
            "2026-11-23T12:00:00+24:00",
            "2026-11-23T12:00:00-00:60",
        ] {
            let e = parse_rfc3339(bad).unwrap_err().to_string();
            assert!(e.contains("offset"), "{bad}: {e}");
        }
    }

    #[test]
    fn iso8601_durations_print_as_the_rest_api_writes_them_and_read_back() {
        let cases = [
            ("PT5M", 5 * 60),
            ("PT15M", 15 * 60),
            ("PT1H30M", 90 * 60),
            ("P7D", 7 * 86_400),
            ("P1DT2H", 26 * 3600),
            ("PT1M1S", 61),
            ("PT0S", 0),
        ];
        for (text, seconds) in cases {
            let interval = TimeInterval(seconds * TICKS_PER_SECOND);
            assert_eq!(interval.format_iso8601(), text);
            assert_eq!(parse_iso8601_duration(text).unwrap(), interval, "{text}");
        }
        assert_eq!(TimeInterval(TICKS_PER_SECOND / 2).format_iso8601(), "PT0.5S");
        for bad in [
            "P1DT",
            "P",
            "PT",
            "PT5M1H",
            "PT5M5M",
            "P1D2W",
            "PT1D",
            "P1H",
            "PTT1H",
            "P1DT1HT",
            "P1e3D",
            "P99999999999999D",
            "PT5",
        ] {
            assert!(parse_iso8601_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_iso8601_duration("P1W2DT3H4M5.5S").unwrap().0,
            ((9 * 86_400 + 3 * 3600 + 4 * 60) * 10 + 55) * TICKS_PER_SECOND / 10
        );
        assert_eq!(TimeInterval(-60 * TICKS_PER_SECOND).format_iso8601(), "-PT1M");
    }
}
