//! The parser's depth bound, seen in the tree.

use crate::syntax::parser::MAX_DEPTH;

#[test]
fn a_tree_at_the_depth_bound_is_kept_whole() {
    let src = format!("$x = {};", vec!["1"; MAX_DEPTH].join("+"));
    let parsed = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let parsed = crate::parse(&src);
            (parsed.has_errors(), parsed.formula.depth())
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(parsed, (false, MAX_DEPTH));
}
