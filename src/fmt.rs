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
//!
//! A formula over the size limits of the language (8192 characters, 100 statements; D3) is not
//! formatted, and neither is one whose formatted text would be over 8192 characters: the
//! formatter never turns a valid formula into one the service rejects ([`FormatError`]). A
//! leading byte order mark is kept, and so are CRLF line endings (when the first line ends in
//! CRLF, every line of the result does).

use crate::limits::{MAX_FORMULA_LENGTH, MAX_STATEMENTS};
use crate::syntax::line_index::utf16_len;
use crate::syntax::printer::print_statement_with;

/// How the lines of a statement broken by a comment are indented.
const CONTINUATION: &str = "    ";
use crate::syntax::Span;

/// Why a formula is left as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The formula does not parse (the checker's diagnostics say why).
    #[error("it has syntax errors")]
    Syntax,
    /// The formula is longer than the service accepts (D3); it is not parsed.
    #[error("it is {length} characters long, over the limit of {MAX_FORMULA_LENGTH} (counted in UTF-16 code units)")]
    TooLong {
        /// Its length in UTF-16 code units.
        length: usize,
    },
    /// The formula has more statements than the service accepts (D3).
    #[error("it has more than {MAX_STATEMENTS} statements")]
    TooManyStatements,
    /// Formatted, the formula would be longer than the service accepts: formatting it would
    /// turn a valid formula into an invalid one.
    #[error("its formatted text would be {length} characters long, over the limit of {MAX_FORMULA_LENGTH} (counted in UTF-16 code units)")]
    ResultTooLong {
        /// The length the formatted text would have, in UTF-16 code units.
        length: usize,
    },
}

/// Format `src` in the canonical layout, or say why it is left as it is: it has syntax
/// errors, it is over the size limits (D3), or its formatted text would be.
pub fn format(src: &str) -> Result<String, FormatError> {
    let (bom, body) = match src.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", src),
    };
    // Like `check`: a text over the limit is refused without being parsed (or even counted
    // exactly when it is far over).
    let length = if body.len() > MAX_FORMULA_LENGTH * 4 {
        body.len()
    } else {
        utf16_len(body)
    };
    if length > MAX_FORMULA_LENGTH {
        return Err(FormatError::TooLong { length });
    }
    let mut out = layout(body)?;
    // The file's line endings are kept: CRLF when its first line ends in CRLF (a formula's
    // strings and comments hold no line break, so this changes only the layout).
    if body.find('\n').is_some_and(|i| body[..i].ends_with('\r')) {
        out = out.replace('\n', "\r\n");
    }
    let length = utf16_len(&out);
    if length > MAX_FORMULA_LENGTH {
        return Err(FormatError::ResultTooLong { length });
    }
    Ok(format!("{bom}{out}"))
}

/// The canonical layout of a formula within the size limit.
fn layout(src: &str) -> Result<String, FormatError> {
    let parsed = crate::parse(src);
    if parsed.has_errors() {
        if parsed.diagnostics.iter().any(|d| d.code == crate::Code::TooManyStatements) {
            return Err(FormatError::TooManyStatements);
        }
        return Err(FormatError::Syntax);
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
        print_statement_with(&formula, statement, Some(src), &mut out, &mut |pos, out| {
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
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::format;

    fn format_source(src: &str) -> Option<String> {
        format(src).ok()
    }

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
            // Found by fuzzing: `10.x` would lex as the malformed number `10.`.
            ("$a = 10 . TimeInterval_Second;", "$a = 10 .TimeInterval_Second;\n"),
            ("$a = 1.5 .GetSample(1);", "$a = 1.5 .GetSample(1);\n"),
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
