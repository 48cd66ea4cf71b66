//! The canonical layout of a formula (`batch-autoscale fmt`). Being written.

/// Format `src` in the canonical layout, or `None` when it has syntax errors.
pub fn format_source(src: &str) -> Option<String> {
    let parsed = crate::parse(src);
    if parsed.has_errors() {
        return None;
    }
    Some(crate::syntax::printer::print_formula(&parsed.formula, Some(src)))
}
