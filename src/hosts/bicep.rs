//! Bicep: `resource NAME 'Microsoft.Batch/batchAccounts/pools@…' = { properties: { scaleSettings:
//! { autoScale: { formula: …, evaluationInterval: 'PT5M' } } } }`, nested `pools` resources
//! included. The formula is a `'…'` string (escapes `\'`, `\\`, `\n`, `\$`; `${…}`
//! interpolations are placeholders), a `'''…'''` string (verbatim; a newline right after the
//! opening quotes is not part of it), or a `param`/`var` whose default the file gives.

use std::collections::HashMap;

use super::map::{Quoting, SourceMap};
use super::scan::{Decoder, Lexical, Scanned, Str, Token};
use super::{hosted, HostKind, HostedFormula, Located, Reference};
use crate::syntax::Span;

/// Bicep's tokens; a string's kind says whether it is a `'''…'''` (multi-line, verbatim) string.
type Tok = Token<bool>;

const LEXICAL: Lexical = Lexical {
    hash_comments: false,
    semicolon_ends_line: false,
    colon: true,
    dash_in_words: false,
};

#[derive(Debug)]
struct Frame {
    key: Option<String>,
    resource: Option<String>,
}

/// Every pool formula of a Bicep file.
pub(crate) fn find(src: &str) -> Result<Vec<HostedFormula>, (usize, String)> {
    let toks = super::scan::tokens(src, &LEXICAL, string_at)?;
    // `param NAME TYPE = 'text'` and `var NAME = 'text'`: defaults a formula may refer to.
    let mut defaults: HashMap<String, (Span, String, SourceMap, bool)> = HashMap::new();
    let mut scalars = std::collections::BTreeMap::new();
    for (i, t) in toks.iter().enumerate() {
        if let Tok::Word(w) = t {
            let kw = w.text(src);
            if kw != "param" && kw != "var" {
                continue;
            }
            if let Some(Tok::Word(name)) = toks.get(i + 1) {
                let rest = &toks[i + 2..toks.len().min(i + 5)];
                if let Some(pos) = rest.iter().position(|t| *t == Tok::Eq) {
                    match rest.get(pos + 1) {
                        Some(Tok::Str(Str {
                            span,
                            text,
                            map,
                            kind: multi,
                        })) => {
                            defaults.insert(name.text(src).to_string(), (*span, text.clone(), map.clone(), *multi));
                            scalars.insert(name.text(src).to_string(), text.clone());
                        }
                        Some(Tok::Word(w)) => {
                            scalars.insert(name.text(src).to_string(), w.text(src).to_string());
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    let mut out: Vec<HostedFormula> = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut line: Vec<usize> = Vec::new();
    for (i, tok) in toks.iter().enumerate() {
        match tok {
            Tok::Open => {
                let words: Vec<&Tok> = line.iter().map(|&j| &toks[j]).collect();
                let mut frame = Frame { key: None, resource: None };
                if let [Tok::Word(kw), Tok::Word(symbol), Tok::Str(Str { text: ty, .. }), ..] = words.as_slice() {
                    if kw.text(src) == "resource" {
                        let ty = ty.to_ascii_lowercase();
                        let base = ty.split('@').next().unwrap_or("");
                        if base.ends_with("batchaccounts/pools") || base == "pools" {
                            frame.resource = Some(symbol.text(src).to_string());
                        }
                    }
                } else if let [key, Tok::Colon, ..] = words.as_slice() {
                    frame.key = key.key_text(src);
                }
                frames.push(frame);
                line.clear();
            }
            Tok::Close => {
                frames.pop();
                line.clear();
            }
            Tok::Newline => line.clear(),
            _ => {
                line.push(i);
                if line.len() != 3 || toks[line[1]] != Tok::Colon {
                    continue;
                }
                let Some(r) = frames.iter().rposition(|f| f.resource.is_some()) else {
                    continue;
                };
                let keys: Vec<&str> = frames[r + 1..].iter().map(|f| f.key.as_deref().unwrap_or("")).collect();
                let Some(key) = toks[line[0]].key_text(src) else {
                    continue;
                };
                let symbol = frames[r].resource.clone().unwrap_or_default();
                if keys == ["properties", "scaleSettings"] && key == "fixedScale" {
                    if let Tok::Word(span) = &toks[line[0]] {
                        pool(&mut out, &symbol).fixed_scale = Some(*span);
                    }
                }
                if keys != ["properties", "scaleSettings", "autoScale"] {
                    continue;
                }
                match (key.as_str(), tok) {
                    (
                        "formula",
                        Tok::Str(Str {
                            span,
                            text,
                            map,
                            kind: multi,
                        }),
                    ) => {
                        let f = pool(&mut out, &symbol);
                        f.text = text.clone();
                        f.map = map.clone();
                        f.span = *span;
                        f.quoting = if *multi { Quoting::Raw } else { Quoting::BicepSingle };
                    }
                    ("formula", Tok::Word(span)) => {
                        let written = span.text(src).to_string();
                        let f = pool(&mut out, &symbol);
                        f.span = *span;
                        if let Some((_, text, map, multi)) = defaults.get(&written) {
                            f.text = text.clone();
                            f.map = map.clone();
                            f.quoting = if *multi { Quoting::Raw } else { Quoting::BicepSingle };
                        }
                        let name = if written.contains('(') {
                            "formula".to_string()
                        } else {
                            written.clone()
                        };
                        f.reference = Some(Reference { name, written });
                    }
                    ("evaluationInterval", Tok::Str(Str { span, text, .. })) => {
                        pool(&mut out, &symbol).interval = Some(Located {
                            value: text.clone(),
                            span: *span,
                        });
                    }
                    _ => {}
                }
            }
        }
    }
    out.retain(|f| !f.span.is_empty());
    // Bicep interpolates `${x}` in '…' strings (not in '''…''') with the parameter's value.
    for f in &mut out {
        if f.quoting == Quoting::BicepSingle {
            f.defaults = scalars.clone();
        }
    }
    Ok(out)
}

/// The formula of resource `symbol`, created on first use.
fn pool<'a>(out: &'a mut Vec<HostedFormula>, symbol: &str) -> &'a mut HostedFormula {
    let i = match out.iter().position(|f| f.name == symbol) {
        Some(i) => i,
        None => {
            out.push(hosted(
                HostKind::Bicep,
                symbol.to_string(),
                String::new(),
                SourceMap::default(),
                Quoting::BicepSingle,
                Span::empty(0),
            ));
            out.len() - 1
        }
    };
    &mut out[i]
}

/// A `'''…'''` or `'…'` string at `i`.
fn string_at(src: &str, i: usize) -> Option<Scanned<bool>> {
    if src[i..].starts_with("'''") {
        Some(multi(src, i))
    } else if src.as_bytes()[i] == b'\'' {
        Some(single(src, i))
    } else {
        None
    }
}

/// A `'''…'''` string at `open`: verbatim, without a line break right after the opening quotes.
fn multi(src: &str, open: usize) -> Scanned<bool> {
    let body = open + 3;
    let Some(n) = src[body..].find("'''") else {
        return Err((open, "unterminated `'''` string".into()));
    };
    let mut start = body;
    if src[start..].starts_with("\r\n") {
        start += 2;
    } else if src[start..].starts_with('\n') {
        start += 1;
    }
    let end = body + n;
    let start = start.min(end);
    let mut decoded = Decoder::default();
    decoded.verbatim_run(src, start, end - start);
    Ok(decoded.finish(open, end, end + 3, true))
}

/// A `'…'` string at `open`.
fn single(src: &str, open: usize) -> Scanned<bool> {
    let b = src.as_bytes();
    let mut decoded = Decoder::default();
    let mut i = open + 1;
    loop {
        let Some(&c) = b.get(i) else {
            return Err((open, "unterminated string".into()));
        };
        match c {
            b'\'' => {
                return Ok(decoded.finish(open, i, i + 1, false));
            }
            b'\n' => return Err((open, "unterminated string (use `'''` for a multi-line string)".into())),
            b'\\' => {
                let (ch, len) = match b.get(i + 1) {
                    Some(b'n') => ('\n', 2),
                    Some(b'r') => ('\r', 2),
                    Some(b't') => ('\t', 2),
                    Some(b'\'') => ('\'', 2),
                    Some(b'\\') => ('\\', 2),
                    Some(b'$') => ('$', 2),
                    Some(b'u') if b.get(i + 2) == Some(&b'{') => {
                        let close = src[i..]
                            .find('}')
                            .map(|n| i + n)
                            .ok_or((i, "invalid `\\u{…}` escape".to_string()))?;
                        let ch = u32::from_str_radix(&src[i + 3..close], 16)
                            .ok()
                            .and_then(char::from_u32)
                            .ok_or((i, "invalid `\\u{…}` escape".to_string()))?;
                        (ch, close + 1 - i)
                    }
                    _ => return Err((i, "invalid escape in a string".into())),
                };
                i = decoded.escape(i, len, Some(ch));
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
    fn pools_with_both_string_forms() {
        let src = "param f string = '$TargetDedicatedNodes = 2;'\nresource a 'Microsoft.Batch/batchAccounts/pools@2024-07-01' = {\n  properties: {\n    scaleSettings: {\n      autoScale: {\n        evaluationInterval: 'PT10M'\n        formula: '$x = \\'a\\';\\n$TargetDedicatedNodes = ${max};'\n      }\n    }\n  }\n}\nresource b 'Microsoft.Batch/batchAccounts/pools@2024-07-01' = {\n  properties: {\n    scaleSettings: {\n      autoScale: {\n        formula: '''\n$TargetDedicatedNodes = 1;\n'''\n      }\n    }\n  }\n}\nresource c 'Microsoft.Batch/batchAccounts/pools@2024-07-01' = {\n  properties: { scaleSettings: {\n      autoScale: {\n        formula: f\n      }\n  } }\n}\n";
        let found = find(src).unwrap();
        let names: Vec<_> = found.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(found[0].text, "$x = 'a';\n$TargetDedicatedNodes = ${max};");
        assert_eq!(found[0].interval.as_ref().unwrap().value, "PT10M");
        assert_eq!(found[0].map.to_host(found[0].text.find("${").unwrap()), src.find("${max}").unwrap());
        assert_eq!(found[1].text, "$TargetDedicatedNodes = 1;\n");
        assert_eq!(found[2].text, "$TargetDedicatedNodes = 2;");
        assert_eq!(found[2].reference.as_ref().unwrap().name, "f");
    }
}
