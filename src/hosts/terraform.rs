//! Terraform: `resource "azurerm_batch_pool" "NAME" { auto_scale { formula = …,
//! evaluation_interval = "PT15M" } }`. The formula is a quoted string (HCL escapes, `$${`), a
//! heredoc (`<<EOF`, or `<<-EOF` whose least indentation is removed from every line), or a
//! reference (`var.formula`, `local.formula`) that `--var` gives.

use super::map::{Quoting, SourceMap};
use super::scan::{line_end, Decoder, Lexical, Scanned, Str, Token};
use super::{hosted, HostKind, HostedFormula, Located, Reference};
use crate::syntax::Span;

/// The form of an HCL string: quoted, or a heredoc (with the indentation `<<-` removes).
#[derive(Debug, Clone, PartialEq)]
enum Form {
    Quoted,
    Heredoc { indent: Option<usize> },
}

/// Terraform's tokens.
type Tok = Token<Form>;

const LEXICAL: Lexical = Lexical {
    hash_comments: true,
    semicolon_ends_line: false,
    colon: false,
    dash_in_words: true,
};

/// Every `azurerm_batch_pool` formula of a Terraform file.
pub(crate) fn find(src: &str) -> Result<Vec<HostedFormula>, (usize, String)> {
    let toks = super::scan::tokens(src, &LEXICAL, string_at)?;
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
                    Some(line.iter().filter_map(|&j| toks[j].key_text(src)).collect())
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
                        && toks[line[0]].key_text(src).as_deref() == Some("default")
                    {
                        if let Some(value) = tok.key_text(src) {
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
                    (
                        "formula",
                        Tok::Str(Str {
                            span,
                            text,
                            map,
                            kind: Form::Quoted,
                        }),
                    ) => {
                        f.text = text.clone();
                        f.map = map.clone();
                        f.span = *span;
                        f.quoting = Quoting::Hcl;
                    }
                    (
                        "formula",
                        Tok::Str(Str {
                            span,
                            text,
                            map,
                            kind: Form::Heredoc { indent },
                        }),
                    ) => {
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
                    (
                        "evaluation_interval",
                        Tok::Str(Str {
                            span,
                            text,
                            kind: Form::Quoted,
                            ..
                        }),
                    ) => {
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

/// A quoted string or a heredoc at `i`.
fn string_at(src: &str, i: usize) -> Option<Scanned<Form>> {
    let b = src.as_bytes();
    match b[i] {
        b'"' => Some(quoted(src, i)),
        b'<' if src[i..].starts_with("<<") && b.get(i + 2).is_some_and(|&c| c == b'-' || c.is_ascii_alphabetic()) => Some(heredoc(src, i)),
        _ => None,
    }
}

/// A quoted template string at `open`: the token and the offset after its closing quote.
fn quoted(src: &str, open: usize) -> Scanned<Form> {
    let b = src.as_bytes();
    let mut decoded = Decoder::default();
    let mut i = open + 1;
    loop {
        let Some(&c) = b.get(i) else {
            return Err((open, "unterminated string".into()));
        };
        match c {
            b'"' => {
                return Ok(decoded.finish(open, i, i + 1, Form::Quoted));
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
                i = decoded.escape(i, len, Some(ch));
            }
            b'$' | b'%' if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&b'{') => {
                // `$${` is a literal `${`.
                i = decoded.escape(i, 2, Some(c as char));
            }
            b'$' | b'%' if b.get(i + 1) == Some(&b'{') => {
                // An interpolation: kept as written (a placeholder), nested strings included.
                let end = interpolation_end(src, i + 1).ok_or((i, "unterminated `${` interpolation".to_string()))?;
                i = decoded.verbatim_run(src, i, end - i);
            }
            _ => {
                i = decoded.verbatim(src, i);
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
fn heredoc(src: &str, start: usize) -> Scanned<Form> {
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
    let mut decoded = Decoder::default();
    for &(s, e) in &lines {
        let skip = indent.min(src[s..e].len() - src[s..e].trim_start_matches([' ', '\t']).len());
        let body = s + skip;
        let mut i = body;
        while i < e {
            let rest = &src[i..e];
            if rest.starts_with("$${") || rest.starts_with("%%{") {
                i = decoded.escape(i, 2, Some(rest.as_bytes()[0] as char));
            } else {
                let n = rest.find(['$', '%']).map_or(rest.len(), |n| n.max(1));
                i = decoded.verbatim_run(src, i, n);
            }
        }
    }
    let body_end = lines.last().map_or(header_end + 1, |l| l.1);
    let indent = if strip && indent > 0 { Some(indent) } else { None };
    Ok(decoded.finish(start, body_end, close, Form::Heredoc { indent }))
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
