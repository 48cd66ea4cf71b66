//! The canonical layout of a formula (`batch-autoscale fmt`, LSP formatting).
//!
//! One statement per line, single spaces around binary operators, `?` and `:`, `, ` between
//! arguments, `;` after every statement. Comments stay where they were: a comment on a line of
//! its own stays on a line of its own before the statement that follows it, a comment after a
//! statement on the same line stays at the end of that statement's line, and a comment inside a
//! multi-line statement stays inside it: the statement breaks there and goes on on the next
//! line, indented by four spaces (a comment on a line of its own keeps its own line; one at the
//! end of a line stays at the end of that line). A comment between the last operand and the
//! `;` goes after the statement. One blank line is kept where the source had blank lines.
//! Formatting never changes what a formula means and is idempotent.

use crate::syntax::printer::print_statement_with;

/// How the lines of a statement broken by a comment are indented.
const CONTINUATION: &str = "    ";
use crate::syntax::Span;

/// Format `src` in the canonical layout, or `None` when it has syntax errors (a formula that
/// does not parse is left as it is).
pub fn format_source(src: &str) -> Option<String> {
    let parsed = crate::parse(src);
    if parsed.has_errors() {
        return None;
    }
    let formula = parsed.formula;
    let mut out = String::with_capacity(src.len() + 16);
    let mut comments = formula.comments.iter().peekable();
    let mut previous_end: Option<usize> = None;
    let mut line_open = false; // the last line written has no newline yet

    let blank_between = |from: usize, to: usize| src.get(from..to).is_some_and(|t| t.matches('\n').count() >= 2);

    let emit_comment = |out: &mut String, c: Span, previous_end: &mut Option<usize>, line_open: &mut bool| {
        let text = c.text(src).trim_end();
        let same_line = previous_end.is_some_and(|end| !src.get(end..c.start as usize).unwrap_or("\n").contains('\n'));
        if same_line && *line_open {
            out.push(' ');
            out.push_str(text);
            out.push('\n');
            *line_open = false;
        } else {
            if *line_open {
                out.push('\n');
                *line_open = false;
            }
            if let Some(end) = *previous_end {
                if blank_between(end, c.start as usize) && !out.is_empty() {
                    out.push('\n');
                }
            }
            out.push_str(text);
            out.push('\n');
        }
        *previous_end = Some(c.end as usize);
    };

    for statement in &formula.statements {
        // Comments before the statement.
        while let Some(&&c) = comments.peek() {
            if c.start >= statement.span.start {
                break;
            }
            comments.next();
            emit_comment(&mut out, c, &mut previous_end, &mut line_open);
        }
        if line_open {
            out.push('\n');
        }
        if let Some(end) = previous_end {
            if blank_between(end, statement.span.start as usize) && !out.is_empty() {
                out.push('\n');
            }
        }
        // Comments inside the statement, each before the expression that follows it.
        print_statement_with(statement, Some(src), &mut out, &mut |pos, out| {
            while let Some(&&c) = comments.peek() {
                if c.start >= pos {
                    break;
                }
                comments.next();
                let line_start = src[..c.start as usize].rfind('\n').map_or(0, |i| i + 1);
                let own_line = src[line_start..c.start as usize].trim().is_empty();
                let kept = out.trim_end_matches([' ', '\t']).len();
                out.truncate(kept);
                if out.ends_with('\n') {
                    // Right after another comment: already on a new line.
                    out.push_str(CONTINUATION);
                } else if own_line {
                    out.push('\n');
                    out.push_str(CONTINUATION);
                } else {
                    out.push(' ');
                }
                out.push_str(c.text(src).trim_end());
                out.push('\n');
                out.push_str(CONTINUATION);
            }
        });
        out.push(';');
        line_open = true;
        // The end of the statement includes its `;` for the purpose of trailing comments.
        let mut end = statement.span.end as usize;
        let rest = src.get(end..).unwrap_or("");
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if trimmed.starts_with(';') {
            end += rest.len() - trimmed.len() + 1;
        }
        previous_end = Some(end);
    }
    for &c in comments {
        emit_comment(&mut out, c, &mut previous_end, &mut line_open);
    }
    if line_open {
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::format_source;

    #[test]
    fn layout_table() {
        let cases = [
            ("$a=1", "$a = 1;\n"),
            ("$a=1;$b=max(1,2)*3", "$a = 1;\n$b = max(1, 2) * 3;\n"),
            ("  $x = $c?20:10 ;;\n", "$x = $c ? 20 : 10;\n"),
            (
                "// head\n$a = 1; // tail\n\n\n// next\n$b = 2;",
                "// head\n$a = 1; // tail\n\n// next\n$b = 2;\n",
            ),
            ("$a = 1 +\n  // inside\n  2;\n// end", "$a = 1 +\n    // inside\n    2;\n// end\n"),
            ("$a = max(1, // one\n 2) ;", "$a = max(1, // one\n    2);\n"),
            ("$a = 1 // before the operator\n + 2;", "$a = 1 + // before the operator\n    2;\n"),
            ("// first\n$a =\n// value\n3;", "// first\n$a =\n    // value\n    3;\n"),
            (
                "$t = (time()).hour;$v=$X.GetSample( 1 );",
                "$t = (time()).hour;\n$v = $X.GetSample(1);\n",
            ),
            ("$n = -2 * !0 + 0.50;", "$n = -2 * !0 + 0.50;\n"),
            ("// only\n$a=1;\r\n// crlf\r\n$b=2;", "// only\n$a = 1;\n// crlf\n$b = 2;\n"),
        ];
        for (src, want) in cases {
            let got = format_source(src).unwrap();
            assert_eq!(got, want, "formatting {src:?}");
            assert_eq!(format_source(&got).unwrap(), got, "idempotent on {src:?}");
        }
    }

    #[test]
    fn formulas_with_syntax_errors_are_not_formatted() {
        assert_eq!(format_source("$a = ;"), None);
        assert_eq!(format_source("$a = 1\n$b = 2"), None);
    }
}
