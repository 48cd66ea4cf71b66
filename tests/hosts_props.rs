//! The host readers never panic and never point outside the file, whatever the input: random
//! texts built from the fragments that matter to each reader (quotes, escapes, heredocs, block
//! scalars, braces, placeholders, multi-byte characters).

use batch_autoscale::hosts::{find_formulas, HostKind, Vars};
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "\\",
    "\\n",
    "\\u00e9",
    "\\u{1F600}",
    "\\'",
    "$${",
    "${",
    "}",
    "{",
    "{{",
    "}}",
    "[",
    "]",
    "\n",
    "\r\n",
    "  ",
    "\t",
    ":",
    "=",
    ",",
    "é",
    "😀",
    "#",
    "//",
    "/*",
    "*/",
    "<<EOF\n",
    "<<-EOT\n",
    "EOF\n",
    "    EOT\n",
    "|\n",
    "|-\n",
    ">+\n",
    "resource \"azurerm_batch_pool\" \"p\" {\n",
    "auto_scale {\n",
    "fixed_scale {\n",
    "formula = ",
    "evaluation_interval = \"PT5M\"\n",
    "variable \"x\" {\n default = 3\n}\n",
    "{\"autoScaleFormula\": \"",
    "\"autoScaleEvaluationInterval\": \"0:05:00\"",
    "\"scaleSettings\": {\"autoScale\": {\"formula\": \"",
    "[parameters('f')]",
    "[concat('$x = ', parameters('n'), ';')]",
    "[concat(variables('v'), ",
    "''",
    "\"parameters\": {\"f\": {\"defaultValue\": \"",
    "resource r 'Microsoft.Batch/batchAccounts/pools@1' = {\n",
    "properties: {\n",
    "scaleSettings: {\n",
    "autoScale: {\n",
    "formula: ",
    "param p int = 2\n",
    "pool_specification:\n",
    "  autoscale:\n",
    "    formula: ",
    "    evaluation_interval: 00:05:00\n",
    "azure.batch.pools.p.scaleFormula = ",
    "azure { batch { pools { q {\n",
    "autoScale = false\n",
    "scaleInterval = '5 min'\n",
    "$TargetDedicatedNodes = 1;",
    "Max(1, 2)",
    "$x",
    "{0}",
    "%(n)s",
    "$(v)",
    "{{ n }}",
    ";",
];

fn host_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn readers_never_panic_and_spans_stay_in_the_file(text in host_text(), kind in prop::sample::select(HostKind::ALL)) {
        let Ok(found) = find_formulas("f", &text, Some(kind)) else { return Ok(()); };
        let vars = Vars::parse(["x=1", "n=2", "v=3", "0=4", "f=$TargetDedicatedNodes = 5;"]).unwrap();
        for f in &found {
            prop_assert!(f.span.start <= f.span.end && f.span.end as usize <= text.len(), "{:?}", f.span);
            for vars in [Vars::default(), vars.clone()] {
                let report = f.check(&vars);
                for d in &report.diagnostics {
                    prop_assert!(d.span.start <= d.span.end, "{d:?}");
                    prop_assert!(d.span.end as usize <= text.len(), "{d:?} past the end of {} bytes", text.len());
                    if let Some(fix) = &d.fix {
                        for e in &fix.edits {
                            prop_assert!(e.span.end as usize <= text.len(), "{e:?}");
                            prop_assert!(text.is_char_boundary(e.span.start as usize) && text.is_char_boundary(e.span.end as usize), "{e:?}");
                        }
                    }
                }
                if let Some(r) = &report.resolved {
                    for offset in 0..=r.text.len() {
                        prop_assert!(r.map.to_host(offset) <= text.len());
                    }
                }
            }
        }
    }
}

/// Pieces of a JSON string's contents (escapes included) that make formulas, broken or not.
const JSON_STRING_PIECES: &[&str] = &[
    "$TargetDedicatedNodes",
    " = ",
    "Max(",
    "max(",
    "1",
    ", ",
    ")",
    ";",
    "\\n",
    "\\t",
    "\\\"",
    "\\\\",
    "\\u00e9",
    "\\ud83d\\ude00",
    "é",
    "😀",
    "$PendingTasks.GetSample(",
    "TimeInterval_Minute",
    " * ",
    "// c",
    "/* x */",
    "${var.n}",
    "{0}",
    "{{ n }}",
    "'",
    "''",
    "[",
    "]",
    "parameters('n')",
    "$x",
    "?",
    ":",
    "time(\\\"2026-01-01T00:00:00Z\\\")",
];

fn json_string() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(JSON_STRING_PIECES), 0..30).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Valid JSON (pool, ARM with a literal or a `concat`) around any formula string: every
    /// diagnostic lies in the string it came from, and every fix lands on character boundaries.
    #[test]
    fn json_formulas_map_into_their_string(body in json_string(), arm in 0..3usize) {
        let text = match arm {
            0 => format!("{{\"id\": \"p\", \"autoScaleFormula\": \"{body}\"}}"),
            1 => format!("{{\"resources\": [{{\"name\": \"a\", \"properties\": {{\"scaleSettings\": {{\"autoScale\": {{\"formula\": \"{body}\"}}}}}}}}]}}"),
            _ => format!("{{\"parameters\": {{\"n\": {{\"defaultValue\": 2}}}}, \"resources\": [{{\"name\": \"a\", \"properties\": {{\"scaleSettings\": {{\"autoScale\": {{\"formula\": \"[concat('{body}', parameters('n'))]\"}}}}}}}}]}}"),
        };
        let found = match find_formulas("t.json", &text, None) {
            Ok(f) => f,
            Err(e) => panic!("valid JSON refused: {e}\n{text}"),
        };
        prop_assert_eq!(found.len(), 1);
        let string = found[0].span;
        for d in found[0].check(&Vars::default()).diagnostics {
            prop_assert!(string.start <= d.span.start && d.span.end <= string.end, "{:?} outside {:?} in {}", d.span, string, text);
            for e in d.fix.iter().flat_map(|f| f.edits.iter()) {
                prop_assert!(string.start <= e.span.start && e.span.end <= string.end);
                prop_assert!(text.is_char_boundary(e.span.start as usize) && text.is_char_boundary(e.span.end as usize));
            }
        }
    }
}
