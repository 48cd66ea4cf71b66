//! Nextflow config: `azure { batch { pools { NAME { autoScale = true; scaleFormula = '''…''';
//! scaleInterval = '5 min' } } } }`, in nested blocks, dotted names
//! (`azure.batch.pools.NAME.scaleFormula = …`) or a mix, inside `profiles { … }` too. Strings are
//! Groovy's: `'…'` and `'''…'''` (escapes, no interpolation), `"…"` and `"""…"""` (escapes and
//! `$name`/`${…}` interpolation — Groovy would replace a `$TargetDedicatedNodes` written there,
//! which is reported with a fix that escapes it). Nextflow fills `{{vmCount}}`, `{{maxVmCount}}`,
//! `{{scaleInterval}}` and `{{poolCreationTime}}` in the formula; the pool's own settings give
//! them here.

use super::map::{Quoting, SourceMap};
use super::scan::{Decoder, Lexical, Scanned, Str, Token};
use super::{hosted, HostKind, HostedFormula, Located};
use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::Span;

/// What a Groovy string is beyond its text.
#[derive(Debug, Clone, PartialEq)]
struct Form {
    /// `"…"` or `"""…"""`: Groovy interpolates it.
    double: bool,
    /// `$name` interpolations Groovy would make (host offsets of the `$`, and the name).
    interpolations: Vec<(usize, String)>,
}

/// Groovy's tokens, as far as a Nextflow config needs them.
type Tok = Token<Form>;

const LEXICAL: Lexical = Lexical {
    hash_comments: false,
    semicolon_ends_line: true,
    colon: false,
    dash_in_words: true,
};

/// Every pool formula of a Nextflow config.
pub(crate) fn find(src: &str) -> Result<Vec<HostedFormula>, (usize, String)> {
    let toks = super::scan::tokens(src, &LEXICAL, string_at)?;
    let mut out: Vec<HostedFormula> = Vec::new();
    let mut frames: Vec<Vec<String>> = Vec::new();
    let mut line: Vec<usize> = Vec::new();
    for (i, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Open => {
                let segs = match line.as_slice() {
                    [j] => segments(src, &toks[*j]),
                    _ => Vec::new(),
                };
                frames.push(segs);
                line.clear();
            }
            Tok::Close => {
                frames.pop();
                line.clear();
            }
            Tok::Newline => line.clear(),
            _ => {
                line.push(i);
                if line.len() != 3 || toks[line[1]] != Tok::Eq {
                    continue;
                }
                let mut path: Vec<String> = frames.iter().flatten().cloned().collect();
                path.extend(segments(src, &toks[line[0]]));
                let Some(p) = path.windows(3).position(|w| w == ["azure", "batch", "pools"]) else {
                    continue;
                };
                if path.len() != p + 5 {
                    continue;
                }
                let (pool, key) = (path[p + 3].clone(), path[p + 4].as_str());
                match (key, tok) {
                    (
                        "scaleFormula",
                        Tok::Str(Str {
                            span,
                            text,
                            map,
                            kind: Form { double, interpolations },
                        }),
                    ) => {
                        let f = entry(&mut out, &pool);
                        f.text = text.clone();
                        f.map = map.clone();
                        f.span = *span;
                        f.quoting = if *double { Quoting::GroovyDouble } else { Quoting::GroovySingle };
                        f.findings = interpolations
                            .iter()
                            .map(|(at, name)| {
                                Diagnostic::new(
                                    Code::TemplatePlaceholder,
                                    Span::new(*at, at + 1 + name.len()),
                                    format!("Groovy replaces `${name}` inside a double-quoted string, so the service never sees it"),
                                )
                                .with_fix(format!("escape it: `\\${name}`"), Span::empty(*at), "\\")
                                .with_note("or write the formula in a '''…''' string, which Groovy does not interpolate")
                            })
                            .collect();
                    }
                    ("scaleInterval", Tok::Str(Str { span, text, .. })) => {
                        entry(&mut out, &pool).interval = Some(Located {
                            value: text.clone(),
                            span: *span,
                        });
                    }
                    ("vmCount" | "maxVmCount", Tok::Word(span)) => {
                        let value = span.text(src).to_string();
                        if value.parse::<f64>().is_ok() {
                            entry(&mut out, &pool).defaults.insert(key.to_string(), value);
                        }
                    }
                    ("autoScale", Tok::Word(span)) => {
                        let value = match span.text(src) {
                            "true" => true,
                            "false" => false,
                            _ => continue,
                        };
                        entry(&mut out, &pool).autoscale = Some(Located { value, span: *span });
                    }
                    _ => {}
                }
            }
        }
    }
    out.retain(|f| !f.span.is_empty());
    // Nextflow renders the formula as a template: `{{vmCount}}`, `{{maxVmCount}}` and
    // `{{scaleInterval}}` (minutes) come from the pool's settings, `{{poolCreationTime}}` from
    // the pool (a fixed time here; give another with --var).
    for f in &mut out {
        if let Some(Ok(i)) = f.interval_value() {
            let minutes = i.0 as f64 / (60.0 * crate::time::TICKS_PER_SECOND as f64);
            f.defaults.insert("scaleInterval".into(), crate::format::format_double(minutes));
        }
        f.defaults
            .entry("poolCreationTime".into())
            .or_insert_with(|| POOL_CREATION_TIME.into());
    }
    Ok(out)
}

/// The `{{poolCreationTime}}` a formula is checked with unless --var gives one.
const POOL_CREATION_TIME: &str = "2026-01-01T00:00:00Z";

fn entry<'a>(out: &'a mut Vec<HostedFormula>, pool: &str) -> &'a mut HostedFormula {
    let i = match out.iter().position(|f| f.name == pool) {
        Some(i) => i,
        None => {
            out.push(hosted(
                HostKind::Nextflow,
                pool.to_string(),
                String::new(),
                SourceMap::default(),
                Quoting::GroovySingle,
                Span::empty(0),
            ));
            out.len() - 1
        }
    };
    &mut out[i]
}

fn segments(src: &str, tok: &Tok) -> Vec<String> {
    match tok {
        Tok::Word(s) => s.text(src).split('.').map(str::to_string).collect(),
        Tok::Str(s) => vec![s.text.clone()],
        _ => Vec::new(),
    }
}

/// A Groovy string at `i`.
fn string_at(src: &str, i: usize) -> Option<Scanned<Form>> {
    match src.as_bytes()[i] {
        q @ (b'\'' | b'"') => Some(string(src, i, q)),
        _ => None,
    }
}

/// A Groovy string starting at `open` with quote `q` (single or tripled).
fn string(src: &str, open: usize, q: u8) -> Scanned<Form> {
    let b = src.as_bytes();
    let triple = b.get(open + 1) == Some(&q) && b.get(open + 2) == Some(&q);
    let double = q == b'"';
    let mut i = open + if triple { 3 } else { 1 };
    let mut decoded = Decoder::default();
    let mut interpolations = Vec::new();
    loop {
        let Some(&c) = b.get(i) else {
            return Err((open, "unterminated string".into()));
        };
        if c == q && (!triple || (b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q))) {
            let end = i + if triple { 3 } else { 1 };
            return Ok(decoded.finish(open, i, end, Form { double, interpolations }));
        }
        match c {
            b'\n' if !triple => return Err((open, "unterminated string (use ''' for a multi-line string)".into())),
            b'\\' => {
                let (ch, len) = match b.get(i + 1) {
                    Some(b'n') => (Some('\n'), 2),
                    Some(b'r') => (Some('\r'), 2),
                    Some(b't') => (Some('\t'), 2),
                    Some(b'b') => (Some('\u{8}'), 2),
                    Some(b'f') => (Some('\u{c}'), 2),
                    Some(b'\'') => (Some('\''), 2),
                    Some(b'"') => (Some('"'), 2),
                    Some(b'\\') => (Some('\\'), 2),
                    Some(b'$') => (Some('$'), 2),
                    Some(b'\n') if triple => (None, 2),
                    Some(b'u') => {
                        let ch = src
                            .get(i + 2..i + 6)
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .and_then(char::from_u32)
                            .ok_or((i, "invalid `\\u` escape".to_string()))?;
                        (Some(ch), 6)
                    }
                    _ => return Err((i, "invalid escape in a string".into())),
                };
                i = decoded.escape(i, len, ch);
            }
            b'$' if double && b.get(i + 1).is_some_and(|&n| n.is_ascii_alphabetic() || n == b'_') => {
                let name_end = src[i + 1..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .map_or(src.len(), |n| i + 1 + n);
                interpolations.push((i, src[i + 1..name_end].to_string()));
                i = decoded.verbatim_run(src, i, 1);
            }
            _ => {
                i = decoded.verbatim(src, i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_and_dotted_pools() {
        let src = "azure {\n  batch {\n    pools {\n      small {\n        autoScale = true\n        scaleInterval = '10 min'\n        scaleFormula = '''\n$TargetDedicatedNodes = 1;\n'''\n      }\n    }\n  }\n}\nazure.batch.pools.big.scaleFormula = \"$TargetDedicatedNodes = 2;\"\n";
        let found = find(src).unwrap();
        let names: Vec<_> = found.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["small", "big"]);
        assert_eq!(found[0].text, "\n$TargetDedicatedNodes = 1;\n");
        assert_eq!(found[0].interval.as_ref().unwrap().value, "10 min");
        assert!(found[0].autoscale.as_ref().unwrap().value);
        assert!(found[0].findings.is_empty());
        assert_eq!(found[1].findings.len(), 1);
        assert_eq!(found[1].findings[0].span.start as usize, src.rfind("$Target").unwrap());
    }
}
