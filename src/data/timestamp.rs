//! Timestamps of metric files, read fast: the fixed layout nearly every file uses
//! (`2026-11-23T12:00:00Z`, `…:00.123Z`, `…:00+01:00`) is read by position, without
//! allocating; any other text goes to the general RFC 3339 reader
//! ([`parse_rfc3339`](crate::time::parse_rfc3339)), which accepts or refuses it with its message.

use crate::time::{parse_rfc3339, TimeParseError, Timestamp, TICKS_PER_SECOND};

/// Read a timestamp as [`parse_rfc3339`] does (same result, same errors), fast on the fixed
/// layout.
#[cfg(test)]
pub(crate) fn parse_timestamp(text: &str) -> Result<Timestamp, TimeParseError> {
    TimestampReader::default().parse(text)
}

/// Reads timestamps as [`parse_rfc3339`] does, fast on the fixed layout, remembering the last
/// date read (consecutive samples nearly always share it).
#[derive(Debug, Default)]
pub(crate) struct TimestampReader {
    /// The last `YYYY-MM-DD` read on the fast path and its days since 1970-01-01, once there
    /// is one.
    date: Option<([u8; 10], i64)>,
}

const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;

/// Two ASCII digits as a number.
#[inline]
fn two(a: u8, b: u8) -> Option<u32> {
    let (x, y) = (a.wrapping_sub(b'0'), b.wrapping_sub(b'0'));
    (x < 10 && y < 10).then_some(u32::from(x) * 10 + u32::from(y))
}

impl TimestampReader {
    /// Read a timestamp (same result and errors as [`parse_rfc3339`]).
    #[inline]
    pub(crate) fn parse(&mut self, text: &str) -> Result<Timestamp, TimeParseError> {
        match self.fixed(text.as_bytes()) {
            Some(t) => Ok(t),
            None => parse_rfc3339(text),
        }
    }

    /// [`fixed`](TimestampReader::fixed) of `YYYY-MM-DDTHH:MM:SSZ` (the layout of nearly every
    /// metric file), on the date read last: only the time of day is read. Any other text goes
    /// to `fixed`.
    #[inline]
    pub(crate) fn fixed_utc(&mut self, b: &[u8; 20]) -> Option<Timestamp> {
        if let (Some((last, days)), Some((date, _))) = (self.date, b.split_first_chunk::<10>()) {
            if *date == last && b[10] == b'T' && b[13] == b':' && b[16] == b':' && b[19] == b'Z' {
                if let (Some(hour @ 0..=23), Some(minute @ 0..=59), Some(second @ 0..=59)) =
                    (two(b[11], b[12]), two(b[14], b[15]), two(b[17], b[18]))
                {
                    let t = days * TICKS_PER_DAY + i64::from(hour * 3600 + minute * 60 + second) * TICKS_PER_SECOND;
                    if (Timestamp::MIN.0..=Timestamp::MAX.0).contains(&t) {
                        return Some(Timestamp(t));
                    }
                }
            }
        }
        self.fixed(b)
    }

    /// `YYYY-MM-DD` `T` (or `t` or a space) `HH:MM:SS`, optionally `.` and 1 to 9 digits (the
    /// first 7 kept, as ticks), then `Z` (or `z`) or `±HH:MM`. `None` when the text has another
    /// layout or a field out of range (month 13, 30 February, offset +24:00, a year outside
    /// 1–9999 after the offset): [`parse_rfc3339`] then decides, so whatever this accepts,
    /// that accepts with the same value.
    pub(crate) fn fixed(&mut self, b: &[u8]) -> Option<Timestamp> {
        if b.len() < 20 || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
            return None;
        }
        // Compared as an array (a few word compares), not as a slice.
        let date: [u8; 10] = b[..10].try_into().ok()?;
        let days = match self.date {
            Some((last, days)) if date == last => days,
            _ => {
                let days = date_days(&date)?;
                self.date = Some((date, days));
                days
            }
        };
        let (hour, minute, second) = (two(b[11], b[12])?, two(b[14], b[15])?, two(b[17], b[18])?);
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let mut i = 19;
        let mut ticks = 0i64;
        if b[i] == b'.' {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 7 {
                    ticks = ticks * 10 + i64::from(b[i] - b'0');
                }
                i += 1;
            }
            let n = i - start;
            if n == 0 || n > 9 {
                return None;
            }
            for _ in n..7 {
                ticks *= 10;
            }
        }
        let offset_seconds = match &b[i..] {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let (h, m) = (two(*h1, *h2)?, two(*m1, *m2)?);
                if h > 23 || m > 59 {
                    return None;
                }
                let s = i64::from(h * 3600 + m * 60);
                if *sign == b'-' {
                    -s
                } else {
                    s
                }
            }
            _ => return None,
        };
        let seconds = i64::from(hour * 3600 + minute * 60 + second) - offset_seconds;
        let t = days * TICKS_PER_DAY + seconds * TICKS_PER_SECOND + ticks;
        (Timestamp::MIN.0..=Timestamp::MAX.0).contains(&t).then_some(Timestamp(t))
    }
}

/// Days since 1970-01-01 of a valid `YYYY-MM-DD` (years 1–9999), as [`Timestamp::from_civil`]
/// counts them.
fn date_days(b: &[u8]) -> Option<i64> {
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = two(b[0], b[1])? * 100 + two(b[2], b[3])?;
    let (month, day) = (two(b[5], b[6])?, two(b[8], b[9])?);
    let midnight = Timestamp::from_civil(year as i32, month as u8, day as u8, 0, 0, 0, 0)?;
    Some(midnight.0.div_euclid(TICKS_PER_DAY))
}

/// [`TimestampReader::fixed`] with nothing remembered.
#[cfg(test)]
fn parse_fixed(b: &[u8]) -> Option<Timestamp> {
    TimestampReader::default().fixed(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_fixed_layout_reads_as_the_general_parser_reads_it() {
        for text in [
            "2026-11-23T12:00:00Z",
            "2026-11-23t12:00:00z",
            "2026-11-23 12:00:00Z",
            "2026-11-23T12:00:00.5Z",
            "2026-11-23T12:00:00.123456789Z",
            "2026-11-23T12:00:00.1234567+01:30",
            "2024-02-29T23:59:59-23:59",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.9999999Z",
        ] {
            assert_eq!(parse_fixed(text.as_bytes()), parse_rfc3339(text).ok(), "{text}");
            assert!(parse_fixed(text.as_bytes()).is_some(), "{text}");
        }
        // Other layouts and out-of-range fields go to the general parser.
        for text in [
            "2026-11-23T12:00Z",
            " 2026-11-23T12:00:00Z",
            "2026-11-23T12:00:00",
            "2026-11-23T12:00:00.Z",
            "2026-11-23T12:00:00.1234567890Z",
            "2026-13-23T12:00:00Z",
            "2025-02-29T12:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T12:00:60Z",
            "2026-11-23T12:00:00+24:00",
            "2026-11-23T12:00:00+01:60",
            "0000-01-01T00:00:00Z",
            "0001-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-00:01",
            "2026-11-23T12:00:00+0100",
            "2026-11-23T12:00:00ZZ",
            "2026-11-23T12:00:00+01:00Z",
            "２026-11-23T12:00:00Z",
        ] {
            assert_eq!(parse_fixed(text.as_bytes()), None, "{text}");
        }
    }

    /// A timestamp in the fixed layout from its fields (any of them may be out of range).
    fn layout() -> impl Strategy<Value = String> {
        (
            (0u32..10_000, 0u32..14, 0u32..33, 0u32..25, 0u32..61, 0u32..61),
            proptest::option::of("[0-9]{0,11}"),
            prop_oneof![
                Just("Z".to_string()),
                Just("z".to_string()),
                (prop_oneof![Just('+'), Just('-')], 0u32..26, 0u32..62).prop_map(|(s, h, m)| format!("{s}{h:02}:{m:02}")),
            ],
            prop_oneof![Just('T'), Just('t'), Just(' ')],
        )
            .prop_map(|((y, mo, d, h, mi, s), fraction, zone, sep)| {
                let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
                format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{fraction}{zone}")
            })
    }

    /// Timestamps around the end of February, so that rows often share a date.
    fn near() -> impl Strategy<Value = String> {
        (
            2023u32..2025,
            2u32..4,
            27u32..31,
            0u32..25,
            prop::sample::select(vec!["Z", "+01:00", ".5Z", "-23:59"]),
        )
            .prop_map(|(y, m, d, h, zone)| format!("{y:04}-{m:02}-{d:02}T{h:02}:30:00{zone}"))
    }

    /// A timestamp in the layout with one byte replaced, removed or inserted.
    fn mutated() -> impl Strategy<Value = String> {
        (
            layout(),
            any::<prop::sample::Index>(),
            0u8..3,
            prop::sample::select(b"0123456789-:.+TZtz \xc3\xa9x".to_vec()),
        )
            .prop_map(|(s, at, how, byte)| {
                let mut b = s.into_bytes();
                let i = at.index(b.len());
                match how {
                    0 => b[i] = byte,
                    1 => {
                        b.remove(i);
                    }
                    _ => b.insert(i, byte),
                }
                String::from_utf8_lossy(&b).into_owned()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever the fast reader accepts, the general one accepts with the same value; on
        /// the fixed layout with fields in range, the fast one accepts; and the combined reader
        /// gives exactly the general one's answer, errors included.
        #[test]
        fn fast_timestamps_agree_with_the_general_parser(texts in prop::collection::vec(prop_oneof![layout(), near(), mutated(), "\\PC{0,40}", "[\\x00]{10}T00:00:00Z"], 1..6)) {
            // One reader for all, as a file's rows are read, so remembered dates are tested too.
            let mut reader = TimestampReader::default();
            for text in &texts {
                let general = parse_rfc3339(text);
                if let Some(t) = parse_fixed(text.as_bytes()) {
                    prop_assert_eq!(Ok(t), general.clone());
                }
                prop_assert_eq!(parse_timestamp(text), general.clone());
                prop_assert_eq!(reader.parse(text), general);
            }
        }

        /// Every valid time written in the layout is read by the fast path.
        #[test]
        fn valid_layout_times_take_the_fast_path(
            ticks in Timestamp::MIN.0..=Timestamp::MAX.0,
            digits in 0usize..10,
            offset_minutes in -(23 * 60 + 59)..=(23 * 60 + 59i64),
        ) {
            let t = Timestamp(ticks);
            let local = Timestamp(ticks + offset_minutes * 60 * TICKS_PER_SECOND);
            prop_assume!((Timestamp::MIN..=Timestamp::MAX).contains(&local));
            let c = local.fields();
            let fraction = format!("{:07}00", c.subsec_ticks);
            let kept = if digits == 0 { String::new() } else { format!(".{}", &fraction[..digits]) };
            let zone = if offset_minutes == 0 {
                "Z".to_string()
            } else {
                let a = offset_minutes.abs();
                format!("{}{:02}:{:02}", if offset_minutes < 0 { '-' } else { '+' }, a / 60, a % 60)
            };
            let text = format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{kept}{zone}", c.year, c.month, c.day, c.hour, c.minute, c.second);
            let fast = parse_fixed(text.as_bytes());
            prop_assert!(fast.is_some(), "{}", text);
            prop_assert_eq!(fast.map(Ok), Some(parse_rfc3339(&text)));
            if digits >= 7 {
                prop_assert_eq!(fast, Some(t));
            }
        }
    }
}
