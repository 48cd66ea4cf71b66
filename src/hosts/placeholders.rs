//! Template placeholders users leave in formulas kept in host files: `${var.x}` and `${x}`
//! (Terraform, Bicep, shell), `{0}` and `{name}` (format strings), `{{x}}` (Jinja, Mustache,
//! Helm), `$(x)` (Azure Pipelines), `%(x)s` (Python `%`). None of them is valid formula syntax,
//! so finding them never mistakes a formula for a template.

use super::map::SourceMap;
use super::{HostKind, Vars};
use crate::syntax::Span;

/// Longest placeholder recognised; a longer `{…` is left to the formula checker.
const MAX_LEN: usize = 200;

/// One placeholder in a formula's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Where it is in the formula text.
    pub span: Span,
    /// As written: `${var.max_nodes}`.
    pub raw: String,
    /// The name `--var` gives it by: `var.max_nodes` (also found as `max_nodes`).
    pub name: String,
}

/// Every placeholder of `text`, in order.
pub fn find_placeholders(text: &str, _kind: HostKind) -> Vec<Placeholder> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let found = match b[i] {
            b'$' if b.get(i + 1) == Some(&b'{') => balanced(text, i + 1, b'{', b'}').map(|end| (i + 2, end - 1, end)),
            b'$' if b.get(i + 1) == Some(&b'(') => balanced(text, i + 1, b'(', b')').map(|end| (i + 2, end - 1, end)),
            b'{' if b.get(i + 1) == Some(&b'{') => text[i + 2..]
                .find("}}")
                .filter(|&n| n <= MAX_LEN && !text[i + 2..i + 2 + n].contains('\n'))
                .map(|n| (i + 2, i + 2 + n, i + 4 + n)),
            b'{' => balanced(text, i, b'{', b'}').map(|end| {
                let inner = &text[i + 1..end - 1];
                let name_len = inner.find([':', '!']).unwrap_or(inner.len());
                (i + 1, i + 1 + name_len, end)
            }),
            b'%' if b.get(i + 1) == Some(&b'(') => balanced(text, i + 1, b'(', b')')
                .filter(|&end| b.get(end).is_some_and(u8::is_ascii_alphabetic))
                .map(|end| (i + 2, end - 1, end + 1)),
            _ => None,
        };
        match found {
            Some((name_start, name_end, end)) => {
                out.push(Placeholder {
                    span: Span::new(i, end),
                    raw: text[i..end].to_string(),
                    name: text[name_start..name_end].trim().to_string(),
                });
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

/// The end (one past the closing bracket) of a bracketed run starting at `open`, on one line
/// and at most [`MAX_LEN`] long.
fn balanced(text: &str, open: usize, left: u8, right: u8) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    for (j, &c) in b.iter().enumerate().skip(open).take(MAX_LEN) {
        if c == b'\n' {
            return None;
        }
        if c == left {
            depth += 1;
        } else if c == right {
            depth -= 1;
            if depth == 0 {
                return Some(j + 1);
            }
        }
    }
    None
}

/// `text` with every placeholder that `vars` gives a value substituted: the new text, the map
/// from it back to `text`, and the placeholders left without a value.
pub(crate) fn substitute<'p>(text: &str, found: &'p [Placeholder], vars: &Vars) -> (String, SourceMap, Vec<&'p Placeholder>) {
    let mut out = String::with_capacity(text.len());
    let mut map = SourceMap::default();
    let mut missing = Vec::new();
    let mut at = 0;
    for p in found {
        let start = p.span.start as usize;
        let end = p.span.end as usize;
        out.push_str(&text[at..start]);
        map.push(at, start - at, start - at, true);
        match vars.get(&p.name) {
            Some(value) => {
                out.push_str(value);
                map.push(start, end - start, value.len(), false);
            }
            None => {
                missing.push(p);
                out.push_str(&text[start..end]);
                map.push(start, end - start, end - start, true);
            }
        }
        at = end;
    }
    out.push_str(&text[at..]);
    map.push(at, text.len() - at, text.len() - at, true);
    map.set_end(text.len());
    (out, map, missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_syntax_is_found_in_order() {
        let found = find_placeholders("$a = ${var.max} + {0} + {{n}} + $(m) + %(k)s;", HostKind::Terraform);
        let names: Vec<_> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["var.max", "0", "n", "m", "k"]);
    }

    #[test]
    fn formulas_have_no_placeholders() {
        let src = "$x = time(\"2026-01-01T00:00:00Z\"); $TargetDedicatedNodes = $x.hour > 8 ? 1 : 0; // {not} closed";
        let found = find_placeholders(src, HostKind::PoolJson);
        assert_eq!(found.len(), 1, "only the comment's {{not}}: {found:?}");
        assert!(find_placeholders("$a = { unclosed", HostKind::PoolJson).is_empty());
        assert!(find_placeholders("$a = 5 % (2);", HostKind::PoolJson).is_empty());
    }

    #[test]
    fn substitution_keeps_positions() {
        let text = "$m = ${var.max};\n$n = {0};";
        let found = find_placeholders(text, HostKind::Terraform);
        let vars = Vars::parse(["max=10"]).unwrap();
        let (out, map, missing) = substitute(text, &found, &vars);
        assert_eq!(out, "$m = 10;\n$n = {0};");
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].raw, "{0}");
        assert_eq!(map.to_host(out.find("{0}").unwrap()), text.find("{0}").unwrap());
        assert_eq!(map.to_host(6), text.find("${").unwrap());
    }
}
