//! grammar/autoscale.ebnf and the parser agree: every `example:` in the EBNF parses without a
//! syntax error, and every `reject:` gives one.

use batch_autoscale::parse;

#[test]
fn ebnf_examples_and_rejections_agree_with_the_parser() {
    let ebnf = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/autoscale.ebnf")).unwrap();
    let (mut examples, mut rejections) = (0, 0);
    for line in ebnf.lines() {
        if let Some(src) = line.strip_prefix("example: ") {
            examples += 1;
            let parsed = parse(src);
            assert!(
                !parsed.has_errors(),
                "the EBNF example {src:?} should parse, got {:?}",
                parsed.diagnostics
            );
        } else if let Some(src) = line.strip_prefix("reject: ") {
            rejections += 1;
            assert!(parse(src).has_errors(), "the EBNF rejection {src:?} should not parse");
        }
    }
    assert!(
        examples >= 15 && rejections >= 15,
        "found {examples} examples and {rejections} rejections"
    );
}

#[test]
fn every_binary_operator_of_the_ebnf_is_accepted() {
    // The operator alternatives named in the EBNF's productions.
    let ebnf = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/autoscale.ebnf")).unwrap();
    for op in ["||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/"] {
        assert!(ebnf.contains(&format!("\"{op}\"")), "the EBNF does not mention {op}");
        let src = format!("$x = 1 {op} 2");
        assert!(!parse(&src).has_errors(), "{src}");
    }
}
