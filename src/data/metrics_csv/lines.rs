//! The common shapes of a metric file's rows read in one scan, without splitting them into
//! cells first: a wide row (`2026-11-23T12:00:00Z,3,,7`, every value digits alone or empty)
//! or a long row whose metric is the one of the row before (`…Z,$PendingTasks,3`). A row of
//! any other shape (white space to trim, a sign, a decimal point, a blank line, a field more or
//! less) is left to the general reader, which then reads it from its start; so these readers
//! only ever accept rows the general reader reads with the same fields and no error.

use super::super::timestamp::TimestampReader;
use crate::time::Timestamp;

/// The timestamp cell starting at byte `pos` of `b`, ended by a comma: its time and the byte
/// after the comma. Only a cell the fixed layout reads and with nothing to trim (it starts
/// with a digit; its last byte must be printable ASCII) is taken.
#[inline(always)]
pub(super) fn time_cell(b: &[u8], pos: usize, times: &mut TimestampReader) -> Option<(Timestamp, usize)> {
    // `2026-11-23T12:00:00Z,` by position, else up to the first comma on the line.
    if b.get(pos + 20) == Some(&b',') {
        let cell: &[u8; 20] = b.get(pos..pos + 20)?.try_into().ok()?;
        // Whatever `fixed` reads in 20 bytes ends in `Z` or `z`: nothing to trim.
        return times.fixed_utc(cell).map(|t| (t, pos + 21));
    }
    let end = {
        let mut i = pos;
        while i < b.len() && !matches!(b[i], b',' | b'\n' | b'\r') {
            i += 1;
        }
        if b.get(i) != Some(&b',') {
            return None;
        }
        i
    };
    let cell = b.get(pos..end)?;
    if !cell.last().is_some_and(|&c| c > b' ' && c < 0x80) {
        return None;
    }
    // The fixed layout has no comma, line break or white space at either end, and starts
    // with a digit.
    times.fixed(cell).map(|t| (t, end + 1))
}

/// The value cell at `pos`: digits alone (at most 15: the same double as Rust's float parser
/// gives) or nothing; its value, if any, and the byte that ends it.
#[inline(always)]
pub(super) fn value_cell(b: &[u8], pos: usize) -> Option<(Option<f64>, usize)> {
    let mut i = pos;
    let mut n = 0u64;
    while i - pos < 16 {
        let Some(d) = b.get(i).map(|c| c.wrapping_sub(b'0')).filter(|&d| d < 10) else {
            break;
        };
        n = n * 10 + u64::from(d);
        i += 1;
    }
    if i - pos > 15 {
        return None;
    }
    Some(((i > pos).then_some(n as f64), i))
}

/// The start of the next line when byte `at` ends this one (`\n`, `\r\n` or the end of the
/// text).
#[inline]
pub(super) fn line_end(b: &[u8], at: usize) -> Option<usize> {
    match b.get(at) {
        None => Some(at),
        Some(b'\n') => Some(at + 1),
        Some(b'\r') if b.get(at + 1) == Some(&b'\n') => Some(at + 2),
        _ => None,
    }
}

/// A wide row of `values.len()` value cells at `pos`: its time, its values (`None` for an
/// empty cell) in `values`, and the start of the next line.
#[inline]
pub(super) fn wide_row(b: &[u8], pos: usize, times: &mut TimestampReader, values: &mut [Option<f64>]) -> Option<(Timestamp, usize)> {
    let (time, mut at) = time_cell(b, pos, times)?;
    let last = values.len().checked_sub(1)?;
    for (i, slot) in values.iter_mut().enumerate() {
        let (value, end) = value_cell(b, at)?;
        *slot = value;
        if i < last {
            if b.get(end) != Some(&b',') {
                return None;
            }
            at = end + 1;
        } else {
            at = end;
        }
    }
    Some((time, line_end(b, at)?))
}

/// A long row at `pos` whose metric cell is `name` exactly: its time, its value (`None` when
/// empty) and the start of the next line.
#[inline]
pub(super) fn long_row(b: &[u8], pos: usize, times: &mut TimestampReader, name: &[u8]) -> Option<(Timestamp, Option<f64>, usize)> {
    let (time, at) = time_cell(b, pos, times)?;
    let after = at + name.len();
    if name.is_empty() || b.get(at..after) != Some(name) || b.get(after) != Some(&b',') {
        return None;
    }
    let (value, end) = value_cell(b, after + 1)?;
    Some((time, value, line_end(b, end)?))
}
