//! `fmt` on every real-world formula: the output re-checks clean, formatting is idempotent, and
//! the formatted formula evaluates exactly like the original; and on corpus formulas with
//! whitespace and comments scattered between their tokens: the same tree, every comment kept.

use crate::builtins::Metric;
use crate::fmt::format;
use crate::syntax::lexer::{lex, TokenKind};
use crate::{check, evaluate_source, parse, EvalContext, MetricStore, Timestamp};
use proptest::prelude::*;

fn format_source(src: &str) -> Option<String> {
    format(src).ok()
}

#[test]
fn shared_corpus_formatting_keeps_meaning_and_is_idempotent() {
    let Some(dir) = super::common::shared_dir("corpus") else { return };
    let now = crate::time::parse_rfc3339("2026-11-23T10:00:00Z").unwrap();
    let mut stores = [MetricStore::new(), MetricStore::new()];
    for metric in Metric::ALL {
        let h = stores[1].history_mut(metric);
        for i in (1..200i64).rev() {
            h.push(Timestamp(now.0 - i * 300_000_000), ((i * 5) % 11) as f64).unwrap();
        }
    }
    let mut formatted_count = 0;
    for file in super::common::files_with_extension(&dir, "formula") {
        let src = std::fs::read_to_string(&file).unwrap();
        let Some(formatted) = format_source(&src) else {
            assert!(crate::parse(&src).has_errors(), "{}: not formatted but parses", file.display());
            continue;
        };
        formatted_count += 1;
        assert_eq!(
            format_source(&formatted).as_deref(),
            Some(formatted.as_str()),
            "{}: not idempotent",
            file.display()
        );
        let before = check(&src);
        let after = check(&formatted);
        assert_eq!(before.has_errors(), after.has_errors(), "{}", file.display());
        let codes = |a: &crate::Analysis| {
            let mut codes = a.diagnostics.iter().map(|d| d.code.as_str()).collect::<Vec<_>>();
            codes.sort();
            codes
        };
        assert_eq!(codes(&before), codes(&after), "{}: diagnostics changed", file.display());
        assert_eq!(
            before.formula.comments.len(),
            after.formula.comments.len(),
            "{}: comments lost",
            file.display()
        );
        for (k, store) in stores.iter().enumerate() {
            for pool in [0.0, 3.0] {
                let mut ctx = EvalContext::new(now, store);
                ctx.pool.target_dedicated_nodes = pool;
                let a = evaluate_source(&src, &ctx);
                let b = evaluate_source(&formatted, &ctx);
                assert_eq!(a.results, b.results, "{} (store {k})", file.display());
                assert_eq!(
                    a.error.as_ref().map(|e| &e.code),
                    b.error.as_ref().map(|e| &e.code),
                    "{} (store {k})",
                    file.display()
                );
            }
        }
    }
    assert!(formatted_count >= 80, "only {formatted_count} corpus formulas were formatted");
}

/// The formulas that format (read once): the in-repository conformance cases' and, when
/// `../shared` is present, the corpus's.
fn formattable_corpus() -> &'static [String] {
    static CORPUS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut sources = super::common::conformance_formulas();
        if let Some(dir) = super::common::shared_dir("corpus") {
            sources.extend(
                super::common::files_with_extension(&dir, "formula")
                    .iter()
                    .map(|f| std::fs::read_to_string(f).unwrap()),
            );
        }
        sources.retain(|src| format_source(src).is_some());
        sources
    })
}

/// The comments of `src`, trimmed, in order.
fn comments(src: &str) -> Vec<String> {
    lex(src)
        .iter()
        .filter(|t| t.kind == TokenKind::Comment)
        .map(|t| t.span.text(src).trim_end().to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn comments_and_line_breaks_anywhere_keep_the_tree_and_every_comment(
        pick in any::<prop::sample::Index>(),
        separators in prop::collection::vec(0u8..6, 1..400),
    ) {
        let corpus = formattable_corpus();
        prop_assert!(corpus.len() >= 60, "only {} formulas to format", corpus.len());
        let src = pick.get(corpus);
        // The formula's tokens again, with a separator from the list after each one.
        let mut noisy = String::new();
        for (i, t) in lex(src).iter().enumerate() {
            noisy.push_str(t.span.text(src));
            if t.kind == TokenKind::Comment {
                noisy.push('\n');
                continue;
            }
            match separators[i % separators.len()] {
                0 => noisy.push(' '),
                1 => noisy.push('\n'),
                2 => noisy.push_str("\t "),
                3 => noisy.push_str(&format!(" // c{i} \"$x\"; = é\n")),
                4 => noisy.push_str("\r\n\r\n  "),
                _ => noisy.push_str(&format!("\n// line {i}\n")),
            }
        }
        if noisy.encode_utf16().count() > 8192 {
            return Ok(()); // over the size limit: not a formula any more
        }
        let formatted = format_source(&noisy);
        prop_assert!(formatted.is_some(), "does not format: {}", noisy);
        let formatted = formatted.unwrap();
        let again = format_source(&formatted);
        prop_assert_eq!(again.as_deref(), Some(formatted.as_str()), "not idempotent");
        prop_assert_eq!(
            super::common::strip_spans(&parse(&formatted).formula),
            super::common::strip_spans(&parse(src).formula),
            "the tree changed: {}",
            formatted
        );
        prop_assert_eq!(comments(&formatted), comments(&noisy), "comments lost or reordered: {}", formatted);
    }
}
