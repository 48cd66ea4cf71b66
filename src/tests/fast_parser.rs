//! The parser's hand-written fast path (`syntax::descent`) against chumsky alone: on every real
//! formula and on generated ones, `parse` gives exactly the `Parsed` (tree and diagnostics) that
//! `parse_with_chumsky_only` gives, and, statement by statement, the fast path accepts exactly
//! the statements chumsky's fast parser accepts, with the same tree and depth.

use std::path::Path;

use proptest::prelude::*;

use crate::syntax::parser::{fast_path_agreement, parse_with_chumsky_only, MAX_DEPTH, MAX_NESTING};
use crate::Parsed;

/// The two parses of `src` agree; returns how many statements the fast path took.
fn agree(src: &str) -> Result<usize, String> {
    let fast = crate::parse(src);
    let slow = parse_with_chumsky_only(src);
    if fast != slow {
        return Err(format!("{src:?}: Parsed differs\nfast: {}\nchumsky: {}", show(&fast), show(&slow)));
    }
    fast_path_agreement(src).map_err(|e| format!("{src:?}: {e}"))
}

fn show(p: &Parsed) -> String {
    format!("{:?}", p)
}

fn formulas_in(dir: &Path, ext: &str) -> Vec<(String, String)> {
    super::common::files_with_extension(dir, ext)
        .into_iter()
        .map(|f| (f.display().to_string(), std::fs::read_to_string(&f).unwrap()))
        .collect()
}

/// Check every formula; each must agree, and `min_taken` statements in all must take the fast path.
fn check_all(formulas: &[(String, String)], min_taken: usize) {
    let mut failures = Vec::new();
    let mut taken = 0;
    for (name, src) in formulas {
        match agree(src) {
            Ok(n) => taken += n,
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} disagree:\n{}",
        failures.len(),
        formulas.len(),
        failures.join("\n")
    );
    assert!(taken >= min_taken, "only {taken} statements took the fast path");
}

#[test]
fn shared_corpus_fast_path_matches_chumsky() {
    let Some(dir) = super::common::shared_dir("corpus") else { return };
    let formulas = formulas_in(&dir, "formula");
    assert!(formulas.len() >= 90);
    check_all(&formulas, 300);
}

#[test]
fn shared_conformance_fast_path_matches_chumsky() {
    let Some(dir) = super::common::shared_dir("conformance") else {
        return;
    };
    let formulas: Vec<(String, String)> = super::common::files_with_extension(&dir, "json")
        .into_iter()
        .filter_map(|f| {
            let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).ok()?;
            Some((f.display().to_string(), case["formula"].as_str()?.to_string()))
        })
        .collect();
    assert!(!formulas.is_empty());
    check_all(&formulas, formulas.len() / 2);
}

#[test]
fn conformance_cases_benches_and_examples_fast_path_matches_chumsky() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let conformance: Vec<(String, String)> = super::common::conformance_formulas()
        .into_iter()
        .enumerate()
        .map(|(i, f)| (format!("tests/conformance #{i}"), f))
        .collect();
    assert!(conformance.len() >= 100);
    check_all(&conformance, conformance.len() / 2);
    let benches = formulas_in(&root.join("benches/formulas"), "formula");
    assert_eq!(benches.len(), 3);
    check_all(&benches, 70);
    let examples = formulas_in(&root.join("examples"), "formula");
    assert!(examples.len() >= 3);
    check_all(&examples, 10);
}

#[test]
fn the_large_bench_formula_takes_the_fast_path_for_every_statement() {
    let src = include_str!("../../benches/formulas/large.formula");
    let statements = crate::parse(src).formula.statements.len();
    assert_eq!(fast_path_agreement(src), Ok(statements));
    assert!(statements >= 60, "{statements} statements");
}

/// Hand-picked statements: each shape of the grammar, the places chumsky backtracks, and
/// mistakes right after a valid prefix.
#[test]
fn hand_picked_statements_agree() {
    let cases = [
        "a = 1",
        "a",
        "-a*b",
        "!a && !b || c",
        "a - -b",
        "a--b",
        "- - -1",
        "!!a",
        "1 - 2 - 3",
        "1 / 2 * 3",
        "1 + 2 * 3 - 4 / 5",
        "a < b == c > d",
        "a <= b != c >= d",
        "a || b && c",
        "a ? b : c ? d : e",
        "a ? b ? c : d : e",
        "(a ? b : c) ? d : e",
        "a || b ? c + 1 : d * 2",
        "-a ? b : c",
        "f()",
        "f(1)",
        "f(1, 2, g(3))",
        "f(a ? b : c, -d)",
        "$x.GetSample(1)",
        "$x.GetSample(TimeInterval_Minute * 5, 70)",
        "time().hour",
        "time().hour.x",
        "a.b.c(d).e",
        "(a).b",
        "(1)",
        "((1))",
        "\"s\"",
        "\"\"",
        "'q'",
        "\"unterminated\n",
        "\"x\" + 'y'",
        ".5 + 1e3",
        "0x1F",
        "1_000",
        "a = b = c",
        "a = ",
        "= 1",
        "a b",
        "f(1,)",
        "f(,1)",
        "f(1 2)",
        "f(",
        "f)",
        "(a",
        "a)",
        "a ?",
        "a ? b",
        "a ? b :",
        "a : b",
        "a.",
        "a.1",
        "a.(b)",
        "a..b",
        "1.2.3",
        "a + ",
        "a * * b",
        "a +* b",
        "!",
        "-",
        "a = -",
        "a = !b",
        "x = y ? 1 : 0",
        "$TargetDedicatedNodes = min(10, $PendingTasks.GetSample(1))",
        "a /* b */ + c",
        "a /* b",
        "a & b",
        "a | b",
        "a {b}",
        "a \\ b",
        "a ^ b",
        "a % b",
        "$ = 1",
        "a\u{1}b",
        "a\u{00a0}= 1",
        "a = 1 // c\n + 2",
        "a = 1 //",
        "// only a comment",
        "",
        ";",
        ";;",
        "a;b",
        "a=1;b=2;",
        "a=1\nb=2",
        "a=1 b=2",
        "f(x)(y)",
        "f(x) = 1",
        "a.b = 1",
        "(a) = 1",
        "1 = a",
        "a == = b",
        "a = (b",
        "a = b)",
        "\u{feff}a = 1",
    ];
    for src in cases {
        agree(src).unwrap_or_else(|e| panic!("{e}"));
        let with_semicolons = format!("{src};\n{src};");
        agree(&with_semicolons).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// The nesting and depth limits and their diagnostics: right below, at and above each.
#[test]
fn limits_agree_around_max_nesting_and_max_depth() {
    for k in MAX_NESTING - 3..=MAX_NESTING + 3 {
        let open = "(".repeat(k);
        let close = ")".repeat(k);
        for src in [
            format!("x = {open}1{close};"),
            format!("x = {}1;", "-".repeat(k)),
            format!("x = {}a;", "!".repeat(k)),
            format!("x = {}1{close};", "-(".repeat(k)),
            format!("x = {}1;", "a ? b : ".repeat(k)),
            format!("x = {}1{};", "f(".repeat(k), ")".repeat(k)),
            format!("x = {}1{};", "a.m(".repeat(k), ")".repeat(k)),
            format!("x = {}1{close};", "-(a ? b : ".repeat(k / 2)),
        ] {
            agree(&src).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // Left-nested chains: as deep as they are long (parse has no size limit; check does). The
    // derived comparison of two trees recurses once per level: run on a big stack.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(deep_chains_agree)
        .unwrap()
        .join()
        .unwrap();
}

fn deep_chains_agree() {
    for n in [MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 2] {
        for src in [
            format!("x = {}1;", "1+".repeat(n - 1)),
            format!("x = time(){};", ".hour".repeat(n - 2)),
            format!("{}1; y = 2;", "a*".repeat(n - 1)),
        ] {
            let fast = crate::parse(&src);
            let slow = parse_with_chumsky_only(&src);
            assert_eq!(fast.diagnostics, slow.diagnostics, "n = {n}");
            assert!(fast == slow, "n = {n}: trees differ");
            let taken = fast_path_agreement(&src).unwrap_or_else(|e| panic!("n = {n}: {e}"));
            assert!(taken > 0, "n = {n}");
        }
    }
    // Past the limit the statement is an error (the same for both parsers, compared above).
    let src = format!("x = {}1;", "1+".repeat(MAX_DEPTH));
    let parsed = crate::parse(&src);
    assert!(
        parsed.diagnostics.iter().any(|d| d.code == crate::Code::NestingTooDeep),
        "{:?}",
        parsed.diagnostics
    );
}

// ---- generated formulas ----

/// Tokens of every kind the lexer knows, including the ones the cleaner reports and replaces.
fn any_token() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "\\$?[a-zA-Z_][a-zA-Z0-9_]{0,4}",
        4 => "[0-9]{1,3}(\\.[0-9]{1,2})?",
        2 => "\"[a-z :,;]{0,4}\"",
        1 => Just("'s'".to_string()),
        1 => Just("\"open\n".to_string()),
        1 => prop_oneof![Just(".5"), Just("5."), Just("1e3"), Just("0x1F"), Just("1_0")].prop_map(String::from),
        12 => prop_oneof![
            Just("+"), Just("-"), Just("*"), Just("/"), Just("<"), Just("<="), Just(">"), Just(">="),
            Just("=="), Just("!="), Just("&&"), Just("||"), Just("!"), Just("="), Just("?"), Just(":"),
            Just("("), Just(")"), Just(","), Just("."), Just(";"),
        ]
        .prop_map(String::from),
        1 => prop_oneof![
            Just("// c\n"), Just("/* b */"), Just("/*"), Just("&"), Just("|"), Just("{"), Just("}"),
            Just("["), Just("%"), Just("^"), Just("$"), Just("\\"), Just("\u{a0}"), Just("é"), Just("\u{1}"),
        ]
        .prop_map(String::from),
    ]
}

/// What separates two tokens: usually a space, sometimes nothing, a line break or a comment.
fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![6 => Just(" "), 3 => Just(""), 1 => Just("\n"), 1 => Just("\t"), 1 => Just(" // note\n"), 1 => Just("\r\n")]
}

fn join(tokens: Vec<String>, separators: Vec<&'static str>) -> String {
    let mut out = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push_str(separators[i % separators.len().max(1)]);
        }
        out.push_str(t);
    }
    out
}

fn tok(s: &str) -> Vec<String> {
    vec![s.to_string()]
}

fn cat(parts: Vec<Vec<String>>) -> Vec<String> {
    parts.into_iter().flatten().collect()
}

/// The tokens of a valid expression (parenthesised where a generated operand needs it only
/// sometimes, so precedence and associativity are exercised both ways).
fn expr_tokens() -> impl Strategy<Value = Vec<String>> {
    let leaf = prop_oneof![
        "\\$?[a-zA-Z_][a-zA-Z0-9_]{0,5}".prop_map(|s| vec![s]),
        "[0-9]{1,4}(\\.[0-9]{1,3})?".prop_map(|s| vec![s]),
        "\"[a-zA-Z0-9 ,:]{0,6}\"".prop_map(|s| vec![s]),
        Just(tok("TimeInterval_Minute")),
        Just(vec!["time".into(), "(".into(), ")".into()]),
    ];
    let binary = prop_oneof![
        Just("+"),
        Just("-"),
        Just("*"),
        Just("/"),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">="),
        Just("=="),
        Just("!="),
        Just("&&"),
        Just("||"),
    ];
    leaf.prop_recursive(6, 64, 4, move |inner| {
        let args = prop::collection::vec(inner.clone(), 0..4).prop_map(|args| {
            let mut out = tok("(");
            for (i, a) in args.into_iter().enumerate() {
                if i > 0 {
                    out.push(",".into());
                }
                out.extend(a);
            }
            out.push(")".into());
            out
        });
        prop_oneof![
            1 => (prop_oneof![Just("-"), Just("!")], inner.clone()).prop_map(|(op, e)| cat(vec![tok(op), e])),
            3 => (inner.clone(), binary.clone(), inner.clone()).prop_map(|(l, op, r)| cat(vec![l, tok(op), r])),
            1 => (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| cat(vec![c, tok("?"), a, tok(":"), b])),
            1 => ("[a-zA-Z_][a-zA-Z0-9_]{0,5}", args.clone()).prop_map(|(f, a)| cat(vec![vec![f], a])),
            1 => (inner.clone(), "[a-zA-Z_][a-zA-Z0-9_]{0,5}").prop_map(|(o, m)| cat(vec![o, tok("."), vec![m]])),
            1 => (inner.clone(), "[a-zA-Z_][a-zA-Z0-9_]{0,5}", args).prop_map(|(o, m, a)| cat(vec![o, tok("."), vec![m], a])),
            2 => inner.prop_map(|e| cat(vec![tok("("), e, tok(")")])),
        ]
    })
}

/// A few statements, each an assignment or a bare expression, `;`-separated (with
/// `sloppy`, sometimes `;;` or nothing between two).
fn statement_tokens(sloppy: bool) -> impl Strategy<Value = Vec<String>> {
    let end = if sloppy {
        prop_oneof![8 => Just(";"), 1 => Just(";;"), 1 => Just("")].boxed()
    } else {
        Just(";").boxed()
    };
    let statement = prop_oneof![
        ("\\$?[a-zA-Z_][a-zA-Z0-9_]{0,5}", expr_tokens()).prop_map(|(t, e)| cat(vec![vec![t], tok("="), e])),
        expr_tokens(),
    ];
    prop::collection::vec((statement, end), 1..4).prop_map(|s| {
        s.into_iter()
            .flat_map(|(mut t, end)| {
                if !end.is_empty() {
                    t.push(end.to_string());
                }
                t
            })
            .collect()
    })
}

/// Edits that make a valid formula almost valid: a token removed, replaced or inserted.
#[derive(Debug, Clone)]
enum Edit {
    Remove(usize),
    Replace(usize, String),
    Insert(usize, String),
}

fn apply(mut tokens: Vec<String>, edits: Vec<Edit>) -> Vec<String> {
    for e in edits {
        let n = tokens.len();
        match e {
            Edit::Remove(i) if n > 0 => {
                tokens.remove(i % n);
            }
            Edit::Replace(i, t) if n > 0 => tokens[i % n] = t,
            Edit::Insert(i, t) => tokens.insert(i % (n + 1), t),
            _ => {}
        }
    }
    tokens
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Remove),
        (any::<usize>(), any_token()).prop_map(|(i, t)| Edit::Replace(i, t)),
        (any::<usize>(), any_token()).prop_map(|(i, t)| Edit::Insert(i, t)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, .. ProptestConfig::default() })]

    #[test]
    fn random_token_sequences_agree(
        tokens in prop::collection::vec(any_token(), 0..40),
        separators in prop::collection::vec(separator(), 1..8),
    ) {
        let src = join(tokens, separators);
        agree(&src).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn generated_valid_formulas_agree_and_take_the_fast_path(
        tokens in statement_tokens(false),
        separators in prop::collection::vec(separator(), 1..8),
    ) {
        let src = join(tokens, separators);
        let taken = agree(&src).map_err(TestCaseError::fail)?;
        // (Joining tokens without a space can make another token, as `1` `.` `m` makes `1.`.)
        let slow = parse_with_chumsky_only(&src);
        if !slow.has_errors() {
            prop_assert_eq!(taken, slow.formula.statements.len(), "{:?}: not every statement took the fast path", src);
        }
    }

    #[test]
    fn almost_valid_formulas_agree(
        tokens in statement_tokens(true),
        edits in prop::collection::vec(edit(), 1..3),
        separators in prop::collection::vec(separator(), 1..8),
    ) {
        let src = join(apply(tokens, edits), separators);
        agree(&src).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn deep_nesting_near_the_limit_agrees(
        shape in prop::collection::vec(prop_oneof![Just("("), Just("-"), Just("!"), Just("f("), Just("a ? "), Just("a.m(")], 50..70),
        core in expr_tokens(),
        tail_edit in prop::option::of(edit()),
    ) {
        let mut tokens = vec!["x".to_string(), "=".to_string()];
        let mut closers = Vec::new();
        for s in &shape {
            tokens.push(s.to_string());
            match *s {
                "(" | "f(" | "a.m(" => closers.push(")"),
                "a ? " => closers.push(": b"),
                _ => {}
            }
        }
        tokens.extend(core);
        tokens.extend(closers.iter().rev().map(|c| c.to_string()));
        let tokens = match tail_edit {
            Some(e) => apply(tokens, vec![e]),
            None => tokens,
        };
        let src = join(tokens, vec![" "]);
        agree(&src).map_err(TestCaseError::fail)?;
    }
}
