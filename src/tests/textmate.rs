//! The TextMate grammar: its word lists are exactly the built-in table, and run over every
//! corpus formula it finds `$` variables, strings and comments where the lexer does.

use crate::builtins;
use crate::syntax::lexer::{lex, TokenKind};
use regex::Regex;
use serde_json::Value;

fn grammar() -> Value {
    serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/batch-autoscale.tmLanguage.json")).unwrap())
        .unwrap()
}

/// The alternatives of the `(?:a|b|c)` group of a repository rule.
fn words(g: &Value, rule: &str) -> Vec<String> {
    let pattern = g["repository"][rule]["match"].as_str().unwrap();
    // The first group whose content is an alternation of words.
    let inner = pattern
        .match_indices('(')
        .map(|(i, _)| &pattern[i + 1..])
        .map(|rest| rest.strip_prefix("?:").unwrap_or(rest))
        .map(|rest| &rest[..rest.find(')').unwrap()])
        .find(|group| group.contains('|'))
        .unwrap();
    let mut w: Vec<String> = inner.split('|').map(str::to_string).collect();
    w.sort();
    w
}

fn sorted(names: impl Iterator<Item = &'static str>) -> Vec<String> {
    let mut v: Vec<String> = names.map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn word_lists_match_the_builtin_table() {
    let g = grammar();
    assert_eq!(words(&g, "function"), sorted(builtins::FUNCTIONS.iter().map(|f| f.name)));
    assert_eq!(words(&g, "method")[..], sorted(builtins::METHODS.iter().map(|m| m.name))[..]);
    assert_eq!(words(&g, "field"), sorted(builtins::FIELDS.iter().map(|f| f.name)));
    assert_eq!(words(&g, "constant"), sorted(builtins::CONSTANTS.iter().map(|c| c.name)));
    assert_eq!(words(&g, "keyword"), sorted(builtins::KEYWORDS.iter().map(|k| k.name)));
    let vars: Vec<String> = words(&g, "service-variable").into_iter().map(|v| format!("${v}")).collect();
    let mut vars = vars;
    vars.sort();
    assert_eq!(vars, sorted(builtins::VARIABLES.iter().map(|v| v.name)));
}

/// Scope of each byte of `line`, TextMate-style: at each position the pattern that matches
/// earliest wins, ties going to the pattern listed first.
fn scopes(rules: &[(String, Regex)], line: &str) -> Vec<Option<String>> {
    let mut out = vec![None; line.len()];
    let mut pos = 0;
    while pos < line.len() {
        let best = rules
            .iter()
            .filter_map(|(name, re)| re.find_at(line, pos).filter(|m| !m.is_empty()).map(|m| (m.start(), m.end(), name)))
            .min_by_key(|(start, _, _)| *start);
        let Some((start, end, name)) = best else { break };
        for slot in &mut out[start..end] {
            *slot = Some(name.clone());
        }
        pos = end;
    }
    out
}

#[test]
fn shared_corpus_grammar_agrees_with_the_lexer() {
    let Some(dir) = super::common::shared_dir("corpus") else { return };
    let g = grammar();
    let order: Vec<String> = g["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["include"].as_str().unwrap().trim_start_matches('#').to_string())
        .collect();
    let rules: Vec<(String, Regex)> = order
        .iter()
        .map(|name| {
            // The Rust regex crate has no look-ahead; the function rule's `(?=\s*\()` only
            // narrows which names count as functions, which this test does not look at.
            let pattern = g["repository"][name]["match"].as_str().unwrap().replace("(?=\\s*\\()", "");
            (name.clone(), Regex::new(&pattern).unwrap())
        })
        .collect();
    let mut checked = std::collections::BTreeMap::<&str, usize>::new();
    for file in super::common::files_with_extension(&dir, "formula") {
        let src = std::fs::read_to_string(&file).unwrap();
        let mut line_start = 0;
        for line in src.split('\n') {
            let s = scopes(&rules, line);
            let tokens = lex(line);
            for (k, t) in tokens.iter().enumerate() {
                let at = t.span.start as usize;
                let text = t.span.text(line);
                let after_dot = k > 0 && tokens[k - 1].kind == TokenKind::Dot;
                let before_paren = tokens.get(k + 1).is_some_and(|n| n.kind == TokenKind::LParen);
                let want = match t.kind {
                    TokenKind::Comment => "comment",
                    TokenKind::String => "string",
                    TokenKind::Ident if text.starts_with('$') => {
                        if builtins::lookup_variable(text).is_some() {
                            "service-variable"
                        } else {
                            "user-variable"
                        }
                    }
                    TokenKind::Ident if after_dot && builtins::lookup_method(text).is_some() => "method",
                    TokenKind::Ident if after_dot && builtins::lookup_field(text).is_some() => "field",
                    TokenKind::Ident if before_paren && builtins::lookup_function(text).is_some() => "function",
                    TokenKind::Ident if builtins::lookup_constant(text).is_some() => "constant",
                    TokenKind::Ident if builtins::lookup_keyword(text).is_some() => "keyword",
                    TokenKind::Number => "number",
                    _ => continue,
                };
                *checked.entry(want).or_default() += 1;
                assert_eq!(
                    s[at].as_deref(),
                    Some(want),
                    "{}: {:?} at byte {} of line {:?}",
                    file.display(),
                    text,
                    line_start + at,
                    line
                );
            }
            line_start += line.len() + 1;
        }
    }
    for category in [
        "comment",
        "string",
        "service-variable",
        "user-variable",
        "method",
        "field",
        "function",
        "constant",
        "keyword",
        "number",
    ] {
        assert!(checked.get(category).is_some_and(|&n| n >= 5), "{category}: only {checked:?}");
    }
    assert!(checked.values().sum::<usize>() > 1000, "checked {checked:?}");
}
