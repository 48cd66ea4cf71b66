//! Batch Shipyard `pool.yaml`: `pool_specification: { id, autoscale: { evaluation_interval:
//! 00:05:00, formula: … } }`. A small indentation scanner for just this path (no YAML crate):
//! block scalars (`|`, `|-`, `|+`, `>`, with an indentation indicator or not), single- and
//! double-quoted scalars and plain one-line scalars, each mapped back line by line.

use super::map::{Quoting, SourceMap};
use super::{hosted, HostKind, HostedFormula, Located};
use crate::syntax::Span;

/// One `key: value` line.
struct Entry<'a> {
    indent: usize,
    key: &'a str,
    /// Offset of the value's first character (after `: `), and the rest of the line.
    value_at: usize,
    value: &'a str,
}

fn entry(src: &str, start: usize, end: usize) -> Option<Entry<'_>> {
    let line = &src[start..end];
    let body = line.trim_start_matches(' ');
    let indent = line.len() - body.len();
    if body.starts_with('#') || body.starts_with('-') || body.trim().is_empty() {
        return None;
    }
    let (key, after) = if let Some(q) = body.strip_prefix(['"', '\'']) {
        let quote = body.as_bytes()[0] as char;
        let close = q.find(quote)?;
        (&q[..close], q[close + 1..].strip_prefix(':')?)
    } else {
        let colon = body.find(": ").or_else(|| body.trim_end().strip_suffix(':').map(|k| k.len()))?;
        (&body[..colon], body.get(colon + 1..).unwrap_or(""))
    };
    let value = after.trim_start();
    let value_at = end - after.len() + (after.len() - value.len());
    Some(Entry {
        indent,
        key: key.trim(),
        value_at,
        value: value.trim_end_matches(['\r', ' ']),
    })
}

/// Line ranges (start, end without the line break).
fn lines(src: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for l in src.split_inclusive('\n') {
        let body = l.trim_end_matches('\n').trim_end_matches('\r');
        out.push((at, at + body.len()));
        at += l.len();
    }
    out
}

/// The formula of a Shipyard pool file, if it has one.
pub(crate) fn find(src: &str) -> Result<Vec<HostedFormula>, (usize, String)> {
    let lines = lines(src);
    let mut out = Vec::new();
    let mut path: Vec<(usize, String)> = Vec::new();
    let mut pool_id: Option<String> = None;
    let mut found: Option<HostedFormula> = None;
    let mut interval: Option<Located<String>> = None;
    let mut n = 0;
    while n < lines.len() {
        let (start, end) = lines[n];
        n += 1;
        if src[start..end].starts_with("---") {
            flush(&mut out, &mut found, &mut interval, &mut pool_id);
            path.clear();
            continue;
        }
        let Some(e) = entry(src, start, end) else {
            continue;
        };
        while path.last().is_some_and(|(indent, _)| *indent >= e.indent) {
            path.pop();
        }
        let keys: Vec<&str> = path.iter().map(|(_, k)| k.as_str()).collect();
        match (keys.as_slice(), e.key) {
            (["pool_specification"], "id") => pool_id = Some(scalar(&e)?.0),
            (["pool_specification", "autoscale"], "evaluation_interval") => {
                let (value, span) = scalar(&e)?;
                interval = Some(Located { value, span });
            }
            (["pool_specification", "autoscale"], "formula") => {
                let f = if e.value.starts_with(['|', '>']) {
                    let (f, next) = block(src, &lines, n, &e)?;
                    n = next;
                    f
                } else {
                    let (text, map, span, quoting) = inline(&e)?;
                    hosted(HostKind::Shipyard, String::new(), text, map, quoting, span)
                };
                found = Some(f);
            }
            _ => {}
        }
        if e.value.is_empty() || e.value.starts_with('#') {
            path.push((e.indent, e.key.to_string()));
        }
    }
    flush(&mut out, &mut found, &mut interval, &mut pool_id);
    Ok(out)
}

fn flush(out: &mut Vec<HostedFormula>, found: &mut Option<HostedFormula>, interval: &mut Option<Located<String>>, id: &mut Option<String>) {
    if let Some(mut f) = found.take() {
        f.name = id.take().unwrap_or_else(|| "pool_specification".to_string());
        f.interval = interval.take();
        out.push(f);
    }
    *interval = None;
    *id = None;
}

/// A one-line scalar's value and span.
fn scalar(e: &Entry) -> Result<(String, Span), (usize, String)> {
    let (text, _, span, _) = inline(e)?;
    Ok((text, span))
}

fn inline(e: &Entry) -> Result<(String, SourceMap, Span, Quoting), (usize, String)> {
    let at = e.value_at;
    let v = e.value;
    let mut map = SourceMap::default();
    let mut text = String::new();
    if let Some(body) = v.strip_prefix('"') {
        let mut i = 0;
        let b = body.as_bytes();
        loop {
            let Some(&c) = b.get(i) else {
                return Err((at, "unterminated double-quoted scalar (this reader takes one line)".into()));
            };
            match c {
                b'"' => break,
                b'\\' => {
                    let ch = match b.get(i + 1) {
                        Some(b'n') => '\n',
                        Some(b't') => '\t',
                        Some(b'r') => '\r',
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        _ => return Err((at + 1 + i, "escape this reader does not know".into())),
                    };
                    text.push(ch);
                    map.push(at + 1 + i, 2, 1, false);
                    i += 2;
                }
                _ => {
                    let ch = body[i..].chars().next().unwrap_or('\u{fffd}');
                    text.push(ch);
                    map.push(at + 1 + i, ch.len_utf8(), ch.len_utf8(), true);
                    i += ch.len_utf8();
                }
            }
        }
        map.set_end(at + 1 + i);
        return Ok((text, map, Span::new(at, at + i + 2), Quoting::YamlDouble));
    }
    if let Some(body) = v.strip_prefix('\'') {
        let mut i = 0;
        loop {
            let rest = &body[i..];
            if rest.is_empty() {
                return Err((at, "unterminated single-quoted scalar (this reader takes one line)".into()));
            }
            if rest.starts_with("''") {
                text.push('\'');
                map.push(at + 1 + i, 2, 1, false);
                i += 2;
            } else if rest.starts_with('\'') {
                break;
            } else {
                let ch = rest.chars().next().unwrap_or('\u{fffd}');
                text.push(ch);
                map.push(at + 1 + i, ch.len_utf8(), ch.len_utf8(), true);
                i += ch.len_utf8();
            }
        }
        map.set_end(at + 1 + i);
        return Ok((text, map, Span::new(at, at + i + 2), Quoting::YamlSingle));
    }
    // A plain scalar ends at ` #`.
    let body = v.find(" #").map_or(v, |n| &v[..n]).trim_end();
    map.push(at, body.len(), body.len(), true);
    map.set_end(at + body.len());
    Ok((body.to_string(), map, Span::new(at, at + body.len()), Quoting::Raw))
}

/// A block scalar whose header is `e.value`, its lines starting at line `n`: the formula and the
/// index of the first line after the block.
fn block(src: &str, lines: &[(usize, usize)], mut n: usize, e: &Entry) -> Result<(HostedFormula, usize), (usize, String)> {
    let header = e.value.split(" #").next().unwrap_or("").trim();
    let folded = header.starts_with('>');
    let mut chomp = ' ';
    let mut explicit: Option<usize> = None;
    for c in header[1..].chars() {
        match c {
            '-' | '+' => chomp = c,
            '1'..='9' => explicit = Some(e.indent + c as usize - '0' as usize),
            _ => return Err((e.value_at, format!("`{header}` is not a block scalar header"))),
        }
    }
    // The block's lines: blank ones and those indented more than the key.
    let first = n;
    while n < lines.len() {
        let (s, t) = lines[n];
        let line = &src[s..t];
        let indent = line.len() - line.trim_start_matches(' ').len();
        if !line.trim().is_empty() && indent <= e.indent {
            break;
        }
        n += 1;
    }
    let body = &lines[first..n];
    let indent = explicit.unwrap_or_else(|| {
        body.iter()
            .map(|&(s, t)| &src[s..t])
            .find(|l| !l.trim().is_empty())
            .map_or(e.indent + 1, |l| l.len() - l.trim_start_matches(' ').len())
    });
    let mut text = String::new();
    let mut map = SourceMap::default();
    let last_content = body.iter().rposition(|&(s, t)| !src[s..t].trim().is_empty());
    for (k, &(s, t)) in body.iter().enumerate() {
        let line = &src[s..t];
        let trailing = last_content.is_none_or(|last| k > last);
        if trailing && chomp != '+' {
            break;
        }
        let skip = indent.min(line.len() - line.trim_start_matches(' ').len());
        let content = s + skip;
        map.push(content, t - content, t - content, true);
        text.push_str(&src[content..t]);
        let is_last = Some(k) == last_content;
        if is_last && chomp == '-' {
            break;
        }
        // The line break: a newline, or a space in a folded scalar between two content lines.
        let next_blank = body.get(k + 1).is_none_or(|&(s2, t2)| src[s2..t2].trim().is_empty());
        let brk = if folded && !is_last && !next_blank && !line.trim().is_empty() {
            ' '
        } else {
            '\n'
        };
        text.push(brk);
        map.push(t, 1, 1, brk == '\n');
    }
    let end = body.last().map_or(e.value_at + e.value.len(), |&(_, t)| t);
    map.set_end(end);
    let quoting = if folded { Quoting::Raw } else { Quoting::Indented(indent) };
    let span = Span::new(e.value_at, end);
    Ok((hosted(HostKind::Shipyard, String::new(), text, map, quoting, span), n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_scalar_maps_back() {
        let src = "pool_specification:\n  id: render\n  autoscale:\n    evaluation_interval: 00:10:00\n    formula: |\n      $x = 1;\n        $TargetDedicatedNodes = $x;\n  other: 1\n";
        let found = find(src).unwrap();
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.name, "render");
        assert_eq!(f.text, "$x = 1;\n  $TargetDedicatedNodes = $x;\n");
        assert_eq!(f.interval.as_ref().unwrap().value, "00:10:00");
        assert_eq!(f.map.to_host(f.text.find("$T").unwrap()), src.find("$T").unwrap());
        assert_eq!(f.quoting, Quoting::Indented(6));
    }

    #[test]
    fn quoted_scalars() {
        let src = "pool_specification:\n  autoscale:\n    formula: \"$TargetDedicatedNodes = 1;\\n$y = 'a';\"\n";
        let f = &find(src).unwrap()[0];
        assert_eq!(f.text, "$TargetDedicatedNodes = 1;\n$y = 'a';");
        assert_eq!(f.map.to_host(f.text.find("$y").unwrap()), src.find("$y").unwrap());
        let src = "pool_specification:\n  autoscale:\n    formula: '$a = ''x'';'\n";
        assert_eq!(find(src).unwrap()[0].text, "$a = 'x';");
    }
}
