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
