//! Terraform: `resource "azurerm_batch_pool" "NAME" { auto_scale { formula = …,
//! evaluation_interval = "PT15M" } }`. The formula is a quoted string (HCL escapes, `$${`), a
//! heredoc (`<<EOF`, or `<<-EOF` whose least indentation is removed from every line), or a
//! reference (`var.formula`, `local.formula`) that `--var` gives.

use super::map::{Quoting, SourceMap};
use super::{hosted, HostKind, HostedFormula, Located, Reference};
use crate::syntax::Span;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(Span),
    Str {
        span: Span,
        text: String,
        map: SourceMap,
    },
    Heredoc {
        span: Span,
        text: String,
        map: SourceMap,
        indent: Option<usize>,
    },
    Open,
    Close,
    Eq,
    Newline,
    Other(Span),
}

/// Every `azurerm_batch_pool` formula of a Terraform file.
pub(crate) fn find(src: &str) -> Result<Vec<HostedFormula>, (usize, String)> {
    let toks = tokens(src)?;
    let mut out = Vec::new();
    // Frames: the block kind and labels (`resource azurerm_batch_pool x`), or None for a value.
    let mut frames: Vec<Option<Vec<String>>> = Vec::new();
    let mut line: Vec<usize> = Vec::new(); // indices of the tokens on the current logical line
    let mut current: Option<usize> = None; // index into `out` of the pool being read
    let mut pool_depth = 0usize;
    // `variable "x" { default = … }`: the variable being read and its block's depth.
    let mut variable: Option<(String, usize)> = None;
    let mut defaults = std::collections::BTreeMap::new();
    for (i, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Open => {
                let header: Option<Vec<String>> = if line.iter().any(|&j| toks[j] == Tok::Eq) || line.is_empty() {
                    None
                } else {
                    Some(line.iter().filter_map(|&j| word_or_str(src, &toks[j])).collect())
                };
                if let Some(h) = &header {
                    if h.len() >= 3 && h[0] == "resource" && h[1] == "azurerm_batch_pool" {
                        let mut f = hosted(
                            HostKind::Terraform,
                            format!("azurerm_batch_pool.{}", h[2]),
                            String::new(),
                            SourceMap::default(),
                            Quoting::Hcl,
                            Span::empty(0),
                        );
                        f.span = Span::empty(usize::MAX);
                        out.push(f);
                        current = Some(out.len() - 1);
                        pool_depth = frames.len() + 1;
                    }
                    if h.len() == 2 && h[0] == "variable" && frames.is_empty() {
                        variable = Some((h[1].clone(), 1));
                    }
                    if h.first().map(String::as_str) == Some("fixed_scale") && frames.len() == pool_depth {
                        if let (Some(c), Some(&j)) = (current, line.first()) {
                            if let Tok::Word(span) = toks[j] {
                                out[c].fixed_scale = Some(span);
                            }
                        }
                    }
                }
                frames.push(header);
                line.clear();
            }
            Tok::Close => {
                if variable.as_ref().is_some_and(|(_, d)| *d == frames.len()) {
                    variable = None;
                }
                if frames.len() == pool_depth && current.is_some() {
                    current = None;
                }
                frames.pop();
                line.clear();
            }
            Tok::Newline => line.clear(),
            _ => {
                line.push(i);
                if let Some((name, depth)) = &variable {
                    if frames.len() == *depth
                        && line.len() == 3
                        && toks[line[1]] == Tok::Eq
                        && word_or_str(src, &toks[line[0]]).as_deref() == Some("default")
                    {
                        if let Some(value) = word_or_str(src, tok) {
                            defaults.insert(format!("var.{name}"), value);
                        }
                    }
                }
                // `name = value` inside `auto_scale` of the current pool.
                let in_auto_scale = frames.len() == pool_depth + 1
                    && frames.last().and_then(|f| f.as_ref()).and_then(|h| h.first()).map(String::as_str) == Some("auto_scale");
                if !in_auto_scale || line.len() != 3 || toks[line[1]] != Tok::Eq {
                    continue;
                }
                let (Some(c), Tok::Word(key)) = (current, &toks[line[0]]) else {
                    continue;
                };
                let f = &mut out[c];
                match (key.text(src), tok) {
                    ("formula", Tok::Str { span, text, map }) => {
                        f.text = text.clone();
                        f.map = map.clone();
                        f.span = *span;
                        f.quoting = Quoting::Hcl;
                    }
                    ("formula", Tok::Heredoc { span, text, map, indent }) => {
                        f.text = text.clone();
                        f.map = map.clone();
                        f.span = *span;
                        f.quoting = indent.map_or(Quoting::Raw, Quoting::Indented);
                    }
                    ("formula", Tok::Word(span) | Tok::Other(span)) => {
                        let end = src[span.start as usize..].find('\n').map_or(src.len(), |n| span.start as usize + n);
                        let written = src[span.start as usize..end].trim().trim_end_matches(',').to_string();
                        let name = written.rsplit('.').next().unwrap_or("formula").to_string();
                        let name = if name.contains('(') { "formula".to_string() } else { name };
                        f.span = Span::new(span.start as usize, span.start as usize + written.len());
                        f.reference = Some(Reference { name, written });
                    }
                    ("evaluation_interval", Tok::Str { span, text, .. }) => {
                        f.interval = Some(Located {
                            value: text.clone(),
                            span: *span,
                        });
                    }
                    _ => {}
                }
            }
        }
    }
    // Pools without an `auto_scale` formula have nothing to check.
    out.retain(|f| f.span.start != u32::MAX);
    for f in &mut out {
        f.defaults = defaults.clone();
    }
    Ok(out)
}

fn word_or_str(src: &str, tok: &Tok) -> Option<String> {
    match tok {
        Tok::Word(span) => Some(span.text(src).to_string()),
        Tok::Str { text, .. } => Some(text.clone()),
        _ => None,
    }
}

fn tokens(src: &str) -> Result<Vec<Tok>, (usize, String)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push(Tok::Newline);
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => i = line_end(src, i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = line_end(src, i),
            b'/' if b.get(i + 1) == Some(&b'*') => match src[i + 2..].find("*/") {
                Some(n) => {
                    out.extend(std::iter::repeat_n(Tok::Newline, src[i..i + n + 2].matches('\n').count()));
                    i += n + 4;
                }
                None => return Err((i, "unterminated `/*` comment".into())),
            },
            b'{' => {
                out.push(Tok::Open);
                i += 1;
            }
            b'}' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'=' if b.get(i + 1) != Some(&b'=') && b.get(i + 1) != Some(&b'>') => {
                out.push(Tok::Eq);
                i += 1;
            }
            b'"' => {
                let (tok, end) = quoted(src, i)?;
                out.push(tok);
                i = end;
            }
            b'<' if src[i..].starts_with("<<") && b.get(i + 2).is_some_and(|&c| c == b'-' || c.is_ascii_alphabetic()) => {
                let (tok, end) = heredoc(src, i)?;
                out.push(tok);
                out.push(Tok::Newline);
                i = end;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-' | b'.')) {
                    i += 1;
                }
                out.push(Tok::Word(Span::new(start, i)));
            }
            _ => {
                let c = src[i..].chars().next().map_or(1, char::len_utf8);
                out.push(Tok::Other(Span::new(i, i + c)));
                i += c;
            }
        }
    }
    Ok(out)
}

fn line_end(src: &str, i: usize) -> usize {
    src[i..].find('\n').map_or(src.len(), |n| i + n)
}

/// A quoted template string at `open`: the token and the offset after its closing quote.
fn quoted(src: &str, open: usize) -> Result<(Tok, usize), (usize, String)> {
    let b = src.as_bytes();
    let mut text = String::new();
    let mut map = SourceMap::default();
    let mut i = open + 1;
    loop {
        let Some(&c) = b.get(i) else {
            return Err((open, "unterminated string".into()));
        };
        match c {
            b'"' => {
                map.set_end(i);
                let tok = Tok::Str {
                    span: Span::new(open, i + 1),
                    text,
                    map,
                };
                return Ok((tok, i + 1));
            }
            b'\n' => return Err((open, "unterminated string (a quoted string ends on its line; use a heredoc)".into())),
            b'\\' => {
                let (ch, len) = match b.get(i + 1) {
                    Some(b'n') => ('\n', 2),
                    Some(b'r') => ('\r', 2),
                    Some(b't') => ('\t', 2),
                    Some(b'"') => ('"', 2),
                    Some(b'\\') => ('\\', 2),
                    Some(b'u') => (hex(src, i + 2, 4).ok_or((i, "invalid `\\u` escape".to_string()))?, 6),
                    Some(b'U') => (hex(src, i + 2, 8).ok_or((i, "invalid `\\U` escape".to_string()))?, 10),
                    _ => return Err((i, "invalid escape in a string".into())),
                };
                text.push(ch);
                map.push(i, len, ch.len_utf8(), false);
                i += len;
            }
            b'$' | b'%' if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&b'{') => {
                // `$${` is a literal `${`.
                text.push(c as char);
                map.push(i, 2, 1, false);
                i += 2;
            }
            b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                // An interpolation: kept as written (a placeholder), nested strings included.
                let end = interpolation_end(src, i + 1).ok_or((i, "unterminated `${` interpolation".to_string()))?;
                text.push_str(&src[i..end]);
                map.push(i, end - i, end - i, true);
                i = end;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
                text.push(ch);
                map.push(i, ch.len_utf8(), ch.len_utf8(), true);
                i += ch.len_utf8();
            }
        }
    }
}

fn hex(src: &str, at: usize, n: usize) -> Option<char> {
    let digits = src.get(at..at + n)?;
    char::from_u32(u32::from_str_radix(digits, 16).ok()?)
}

/// One past the `}` closing the interpolation whose `{` is at `open`.
fn interpolation_end(src: &str, open: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut depth = 0;
    let mut i = open;
    let mut in_str = false;
    while i < b.len() {
        match (b[i], in_str) {
            (b'\n', _) => return None,
            (b'\\', true) => i += 1,
            (b'"', _) => in_str = !in_str,
            (b'{', false) => depth += 1,
            (b'}', false) => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A heredoc at `start` (`<<EOF` or `<<-EOF`): the token and the offset after the closing
/// marker's line.
fn heredoc(src: &str, start: usize) -> Result<(Tok, usize), (usize, String)> {
    let strip = src[start + 2..].starts_with('-');
    let marker_start = start + 2 + usize::from(strip);
    let header_end = line_end(src, start);
    let marker = src[marker_start..header_end].trim_end();
    if marker.is_empty() || !marker.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        return Err((start, "a heredoc marker such as `<<EOF` must end its line".into()));
    }
    // The lines up to the one holding only the marker.
    let mut lines: Vec<(usize, usize)> = Vec::new(); // (start, end including '\n')
    let mut at = header_end + 1;
    let close = loop {
        if at > src.len() {
            return Err((
                start,
                format!(
                    "heredoc `<<{}{marker}` is never closed by a `{marker}` line",
                    if strip { "-" } else { "" }
                ),
            ));
        }
        let end = line_end(src, at);
        if src[at..end].trim() == marker {
            break end;
        }
        lines.push((at, (end + 1).min(src.len())));
        at = end + 1;
    };
    let indent = if strip {
        lines
            .iter()
            .filter(|(s, e)| !src[*s..*e].trim().is_empty())
            .map(|(s, e)| src[*s..*e].len() - src[*s..*e].trim_start_matches([' ', '\t']).len())
            .min()
            .unwrap_or(0)
    } else {
        0
    };
    let mut text = String::new();
    let mut map = SourceMap::default();
    for &(s, e) in &lines {
        let skip = indent.min(src[s..e].len() - src[s..e].trim_start_matches([' ', '\t']).len());
        let body = s + skip;
        let mut i = body;
        while i < e {
            let rest = &src[i..e];
            if rest.starts_with("$${") || rest.starts_with("%%{") {
                text.push(rest.as_bytes()[0] as char);
                map.push(i, 2, 1, false);
                i += 2;
            } else {
                let n = rest.find(['$', '%']).map_or(rest.len(), |n| n.max(1));
                text.push_str(&rest[..n]);
                map.push(i, n, n, true);
                i += n;
            }
        }
    }
    let body_end = lines.last().map_or(header_end + 1, |l| l.1);
    map.set_end(body_end);
    let span_end = close;
    let tok = Tok::Heredoc {
        span: Span::new(start, span_end),
        text,
        map,
        indent: if strip && indent > 0 { Some(indent) } else { None },
    };
    Ok((tok, close))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_heredoc_formulas_map_back() {
        let src = "resource \"azurerm_batch_pool\" \"a\" {\n  auto_scale {\n    evaluation_interval = \"PT5M\"\n    formula = \"$x = 1;\\n$TargetDedicatedNodes = $x;\"\n  }\n}\nresource \"azurerm_batch_pool\" \"b\" {\n  auto_scale {\n    formula = <<-EOF\n      $TargetDedicatedNodes = 1;\n        $y = 2;\n    EOF\n  }\n}\n";
        let found = find(src).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "azurerm_batch_pool.a");
        assert_eq!(found[0].text, "$x = 1;\n$TargetDedicatedNodes = $x;");
        assert_eq!(found[0].interval.as_ref().unwrap().value, "PT5M");
        let t = &found[0].text;
        assert_eq!(
            found[0].map.to_host(t.find("$Target").unwrap()),
            src.find("$TargetDedicatedNodes = $x").unwrap()
        );
        assert_eq!(found[1].text, "$TargetDedicatedNodes = 1;\n  $y = 2;\n");
        let t = &found[1].text;
        assert_eq!(found[1].map.to_host(t.find("$y").unwrap()), src.find("$y").unwrap());
        assert_eq!(found[1].quoting, Quoting::Indented(6));
    }

    #[test]
    fn unclosed_heredoc_is_an_error_at_its_start() {
        let src = "resource \"azurerm_batch_pool\" \"a\" {\n auto_scale {\n formula = <<EOF\n$x = 1;\n";
        let (offset, message) = find(src).unwrap_err();
        assert_eq!(offset, src.find("<<EOF").unwrap());
        assert!(message.contains("never closed"), "{message}");
    }
}
