//! Inline allow comments: `// batch-autoscale: allow(W316, unused-variable)` silences those
//! warnings and notes for the statement the comment precedes, or ends when it follows the
//! statement on the same line. Errors cannot be allowed: the service would still reject the
//! formula.

use crate::diagnostic::{Code, Diagnostic};
use crate::syntax::ast::Formula;
use crate::syntax::Span;

/// The marker the comment starts with.
const MARKER: &str = "batch-autoscale:";

/// One inline allow: the codes and the statement they cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineAllow {
    /// The comment.
    pub comment: Span,
    /// The statement it covers.
    pub statement: Span,
    /// The codes it names (unknown names are left out).
    pub codes: Vec<Code>,
}

/// The codes an allow comment's text names, if it is one.
fn parse_comment(text: &str) -> Option<Vec<Code>> {
    let body = text.trim_start_matches('/').trim();
    let rest = body.strip_prefix(MARKER)?.trim();
    let list = rest.strip_prefix("allow")?.trim().strip_prefix('(')?;
    let list = &list[..list.find(')')?];
    Some(list.split(',').filter_map(Code::lookup).collect())
}

/// Every allow comment of a parsed formula and the statement it covers.
pub fn inline_allows(src: &str, formula: &Formula) -> Vec<InlineAllow> {
    let mut out = Vec::new();
    for &comment in &formula.comments {
        let Some(codes) = parse_comment(comment.text(src)) else {
            continue;
        };
        let ends = formula
            .statements
            .iter()
            .rev()
            .find(|s| s.span.end <= comment.start)
            .filter(|s| !src.get(s.span.end as usize..comment.start as usize).unwrap_or("\n").contains('\n'));
        let target = ends.or_else(|| formula.statements.iter().find(|s| s.span.start >= comment.end));
        if let Some(statement) = target {
            out.push(InlineAllow {
                comment,
                statement: statement.span,
                codes,
            });
        }
    }
    out
}

/// Remove the warnings and notes that an allow comment of `src` silences.
pub fn apply_inline(src: &str, formula: &Formula, diagnostics: &mut Vec<Diagnostic>) {
    let allows = inline_allows(src, formula);
    if allows.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        d.is_error()
            || !allows
                .iter()
                .any(|a| a.codes.contains(&d.code) && a.statement.start <= d.span.start && d.span.start <= a.statement.end)
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;

    #[test]
    fn an_allow_comment_removes_the_warning_it_names() {
        let src = "$unused = 1; // batch-autoscale: allow(unused-variable)\n$TargetDedicatedNodes = 1;";
        let analysis = check(src);
        let mut diagnostics = analysis.diagnostics.clone();
        assert!(diagnostics.iter().any(|d| d.code.as_str() == "W316"));
        apply_inline(src, &analysis.formula, &mut diagnostics);
        assert!(!diagnostics.iter().any(|d| d.code.as_str() == "W316"));
    }

    fn remaining(src: &str) -> Vec<&'static str> {
        let analysis = check(src);
        let mut d = analysis.diagnostics.clone();
        apply_inline(src, &analysis.formula, &mut d);
        d.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn precedes_or_ends_one_statement() {
        let base = "$a = 1;\n$b = 2;\n$TargetDedicatedNodes = 1;";
        assert_eq!(remaining(base), ["W316", "W316"]);
        // Before `$a`: only `$a` is silenced.
        let before = "// batch-autoscale: allow(W316)\n$a = 1;\n$b = 2;\n$TargetDedicatedNodes = 1;";
        assert_eq!(remaining(before), ["W316"]);
        assert_eq!(check(before).diagnostics.iter().filter(|d| d.code.as_str() == "W316").count(), 2);
        // Ending `$b`'s line: only `$b`.
        let after = "$a = 1;\n$b = 2; // batch-autoscale: allow(unused-variable, W999)\n$TargetDedicatedNodes = 1;";
        let left = remaining(after);
        assert_eq!(left, ["W316"]);
        let analysis = check(after);
        let allows = inline_allows(after, &analysis.formula);
        assert_eq!(allows[0].statement.text(after), "$b = 2");
    }

    #[test]
    fn errors_cannot_be_allowed() {
        let src = "// batch-autoscale: allow(E210, case-mismatch)\n$TargetDedicatedNodes = Max(1, 2);";
        assert_eq!(remaining(src), ["E210"]);
    }
}
