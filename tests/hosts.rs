//! Formulas kept in host files, checked through the built binary: every host kind with its
//! errors at their line and column in the host file, placeholders with and without `--var`,
//! intervals accepted and refused, several formulas per file, SARIF and GitHub output, `--fix`,
//! `--diff`, `--allow`/`--deny` and the inline allow comment, directory walks, and the other
//! commands reading a host file. Every host file here is written for the test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_batch-autoscale"));
    c.env("NO_COLOR", "1");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Write `content` as `name` in a fresh directory.
fn file(name: &str, content: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

/// 1-based line and character column of the first `needle` in `content`.
fn pos(content: &str, needle: &str) -> (u64, u64) {
    let at = content.find(needle).unwrap_or_else(|| panic!("{needle:?} not in the file"));
    let before = &content[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap().chars().count() as u64 + 1;
    (line, column)
}

/// One diagnostic of `check --format json`: formula name, code, line, column.
#[derive(Debug, PartialEq)]
struct Found {
    formula: String,
    code: String,
    line: u64,
    column: u64,
}

fn hit(formula: &str, code: &str, (line, column): (u64, u64)) -> Found {
    Found {
        formula: formula.into(),
        code: code.into(),
        line,
        column,
    }
}

fn found_at(formula: &str, code: &str, content: &str, needle: &str) -> Found {
    hit(formula, code, pos(content, needle))
}

/// `check --format json` on `path` with `extra` arguments: the exit code and every diagnostic.
fn check_json(path: &Path, extra: &[&str]) -> (i32, Vec<Found>, Value) {
    let mut args = vec!["check", path.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(&args);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    let mut all = Vec::new();
    for f in doc["files"].as_array().unwrap() {
        for d in f["diagnostics"].as_array().unwrap() {
            all.push(Found {
                formula: f["formula"].as_str().unwrap_or("").to_string(),
                code: d["code"].as_str().unwrap().to_string(),
                line: d["start"]["line"].as_u64().unwrap(),
                column: d["start"]["column"].as_u64().unwrap(),
            });
        }
    }
    (out.status.code().unwrap_or(-1), all, doc)
}

/// Only the errors of a check.
fn errors(found: Vec<Found>) -> Vec<Found> {
    found.into_iter().filter(|f| f.code.starts_with('E')).collect()
}

// ---------------------------------------------------------------- every host kind

#[test]
fn pool_json_positions_go_through_json_escapes() {
    let content = r#"{
  "id": "etl",
  "enableAutoScale": true,
  "autoScaleEvaluationInterval": "PT10M",
  "autoScaleFormula": "$note = \"\u00e9t\u00e9\";\t$TargetDedicatedNodes = Max(1, 2);\n$y = $PendingTasks.GetSample(1).Sum();"
}
"#;
    let (_d, path) = file("pool.json", content);
    let (code, found, doc) = check_json(&path, &[]);
    assert_eq!(code, 1);
    assert_eq!(doc["files"][0]["host"], "pool-json");
    let errs = errors(found);
    assert_eq!(errs[0], found_at("etl", "E210", content, "Max"));
    assert!(
        errs.iter().any(|f| f.code == "E203" && (f.line, f.column) == pos(content, "Sum")),
        "{errs:?}"
    );
}

#[test]
fn job_auto_pool_and_lists_of_pools_give_one_formula_each() {
    let content = r#"[
  { "id": "job-a", "poolInfo": { "autoPoolSpecification": { "pool": {
      "vmSize": "standard_d2s_v5",
      "enableAutoScale": true,
      "autoScaleFormula": "$TargetDedicatedNodes = $x;" } } } },
  { "id": "plain", "enableAutoScale": true, "autoScaleFormula": "$TargetDedicatedNodes = 1;" }
]
"#;
    let (_d, path) = file("jobs.json", content);
    let (code, found, doc) = check_json(&path, &[]);
    assert_eq!(code, 1);
    let names: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["formula"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["job-a: poolInfo.autoPoolSpecification.pool", "plain"]);
    assert_eq!(
        found,
        [found_at("job-a: poolInfo.autoPoolSpecification.pool", "E201", content, "$x")]
    );
}

#[test]
fn arm_template_reads_parameter_defaults_and_complex_expressions_need_a_value() {
    let content = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {
    "formula": { "type": "string", "defaultValue": "$TargetDedicatedNodes = min(2, $y);" }
  },
  "resources": [
    { "type": "Microsoft.Batch/batchAccounts/pools", "name": "[concat(parameters('acct'), '/a')]",
      "properties": { "scaleSettings": { "autoScale": { "formula": "[parameters('formula')]", "evaluationInterval": "PT5M" } } } },
    { "type": "Microsoft.Batch/batchAccounts/pools", "name": "b",
      "properties": { "scaleSettings": { "autoScale": { "formula": "[concat('$TargetDedicatedNodes = ', parameters('n'), ';')]" } } } },
    { "type": "Microsoft.Batch/batchAccounts/pools", "name": "c",
      "properties": { "scaleSettings": {
        "fixedScale": { "targetDedicatedNodes": 2 },
        "autoScale": { "formula": "$TargetDedicatedNodes = 1;", "evaluationInterval": "PT5M" } } } }
  ]
}
"#;
    let (_d, path) = file("azuredeploy.json", content);
    let (code, found, _) = check_json(&path, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            found_at("a", "E201", content, "$y"),
            found_at("b", "E501", content, "parameters('n')"),
            found_at("c", "W503", content, "{ \"targetDedicatedNodes\": 2 }"),
        ]
    );
    // `--var formula=…` replaces the parameter's default.
    let (_, found, _) = check_json(&path, &["--var", "formula=$TargetDedicatedNodes = 3;", "--select", "a"]);
    assert!(found.is_empty(), "{found:?}");
    // A `concat` of literals and parameters: the parameter is a placeholder, the literals map back.
    let (code, found, doc) = check_json(&path, &["--select", "b", "--var", "n=3"]);
    assert_eq!((code, found), (0, vec![]), "{doc}");
    let (_, found, _) = check_json(&path, &["--select", "b", "--var", "n=Max(1, 2)"]);
    assert_eq!(found, [found_at("b", "E210", content, "parameters('n')")]);
    let with_typo = content.replace("'$TargetDedicatedNodes = '", "'$TargetDedicatedNode = '");
    let (_d2, path) = file("typo.json", &with_typo);
    let (_, found, _) = check_json(&path, &["--select", "b", "--var", "n=3"]);
    let w318 = found.iter().find(|f| f.code == "W318").expect("W318 for the misspelt target");
    assert_eq!((w318.line, w318.column), pos(&with_typo, "$TargetDedicatedNode "));
}

#[test]
fn bicep_strings_both_forms() {
    let content = "param maxNodes int = 8\n\nresource q 'Microsoft.Batch/batchAccounts/pools@2024-07-01' = {\n  properties: {\n    scaleSettings: {\n      autoScale: {\n        evaluationInterval: 'PT10M'\n        formula: '$s = \\'x\\'; $TargetDedicatedNodes = min(${maxNodes}, $PendingTasks.getSample(1));'\n      }\n    }\n  }\n}\n\nresource n 'Microsoft.Batch/batchAccounts/pools@2024-07-01' = {\n  properties: {\n    scaleSettings: {\n      autoScale: {\n        formula: '''\n$TargetDedicatedNodes = ${maxNodes};\n$z = Max(1, 2);\n'''\n      }\n    }\n  }\n}\n";
    let (_d, path) = file("main.bicep", content);
    let (code, found, _) = check_json(&path, &[]);
    assert_eq!(code, 1);
    // In '…' Bicep fills `${maxNodes}` from the parameter's default; in '''…''' it does not,
    // and that one placeholder is the only error: no cascade over `Max`.
    let errs = errors(found);
    assert_eq!(errs[0], found_at("q", "E106", content, "\\'x\\'"));
    assert_eq!(
        errs[1..],
        [
            found_at("q", "E210", content, "getSample"),
            found_at("n", "E501", content, "${maxNodes};")
        ]
    );
    let (_, found, _) = check_json(&path, &["--var", "maxNodes=4"]);
    let errs = errors(found);
    assert_eq!(
        errs[1..],
        [found_at("q", "E210", content, "getSample"), found_at("n", "E210", content, "Max")]
    );
}

const TERRAFORM: &str = r#"variable "max_nodes" {
  type = number
}

resource "azurerm_batch_pool" "quoted" {
  name = "quoted"
  auto_scale {
    evaluation_interval = "PT15M"
    formula = "$a = 1;\n$TargetDedicatedNodes = min(${var.max_nodes}, $PendingTasks.GetSample(1) + $a)\n$NodeDeallocationOption = requeue;"
  }
}

resource "azurerm_batch_pool" "heredoc" {
  name = "heredoc"
  auto_scale {
    evaluation_interval = "PT5M"
    formula = <<EOF
$TargetDedicatedNodes = Max(1, 2);
EOF
  }
}

resource "azurerm_batch_pool" "indented" {
  name = "indented"
  fixed_scale {
    target_dedicated_nodes = 1
  }
  auto_scale {
    evaluation_interval = "PT5M"
    formula = <<-EOT
      $x = 1;
        $TargetDedicatedNodes = $x * 2 + TimeInterval_minute / TimeInterval_Minute;
    EOT
  }
}
"#;

#[test]
fn terraform_quoted_heredoc_and_indented_heredoc() {
    let (_d, path) = file("main.tf", TERRAFORM);
    let (code, found, _) = check_json(&path, &["--var", "max_nodes=10"]);
    assert_eq!(code, 1);
    let c = TERRAFORM;
    let expected = [
        hit("azurerm_batch_pool.quoted", "E102", pos(c, "$NodeDeallocationOption")),
        hit("azurerm_batch_pool.heredoc", "E210", pos(c, "Max")),
        hit("azurerm_batch_pool.indented", "W503", pos(c, "fixed_scale")),
        hit("azurerm_batch_pool.indented", "E210", pos(c, "TimeInterval_minute")),
    ];
    let got: Vec<Found> = found.into_iter().filter(|f| f.code != "W305" && f.code != "E206").collect();
    assert_eq!(got, expected);
}

#[test]
fn terraform_placeholder_without_value_is_one_error_not_a_cascade() {
    let content = "resource \"azurerm_batch_pool\" \"p\" {\n  auto_scale {\n    evaluation_interval = \"PT5M\"\n    formula = \"$TargetDedicatedNodes = min(${var.max}, ${var.max} + {{ extra }});\"\n  }\n}\n";
    let (_d, path) = file("p.tf", content);
    let (code, found, doc) = check_json(&path, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            hit("azurerm_batch_pool.p", "E501", pos(content, "${var.max}")),
            hit("azurerm_batch_pool.p", "E501", pos(content, "{{ extra }}")),
        ]
    );
    let message = doc["files"][0]["diagnostics"][0]["message"].as_str().unwrap();
    assert_eq!(message, "template placeholder `${var.max}`: give its value with --var max=…");
    let (code, found, _) = check_json(&path, &["--var", "max=10", "--var", "extra=2"]);
    assert_eq!((code, found), (0, vec![]));
    // A variable's default in the same file counts as its value.
    let with_default = format!("variable \"max\" {{\n  default = 4\n}}\n{content}");
    let (_d2, path) = file("d.tf", &with_default);
    let (_, found, _) = check_json(&path, &["--var", "extra=1"]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn shipyard_block_scalar_positions() {
    let content = "pool_specification:\n  id: ship\n  autoscale:\n    evaluation_interval: 00:05:00\n    formula: |\n      $q = max($PendingTasks.GetSample(1), 0);\n      $TargetLowPriorityNodes = min(20, $q)\n      $NodeDeallocationOption = requeue;\n";
    let (_d, path) = file("pool.yaml", content);
    let (code, found, _) = check_json(&path, &[]);
    assert_eq!(code, 1);
    assert_eq!(errors(found), [hit("ship", "E102", pos(content, "$NodeDeallocationOption"))]);
    let folded = "pool_specification:\n  autoscale:\n    formula: >-\n      $TargetDedicatedNodes =\n        Max(1, 2);\n";
    let (_d2, path) = file("folded.yml", folded);
    let (_, found, _) = check_json(&path, &[]);
    assert_eq!(errors(found), [hit("pool_specification", "E210", pos(folded, "Max"))]);
}

#[test]
fn nextflow_pools_nested_and_dotted() {
    let content = "azure {\n  batch {\n    pools {\n      small {\n        autoScale = true\n        scaleInterval = '5 min'\n        scaleFormula = '''\n          $TargetDedicatedNodes = min(4, $PendingTasks.GetSample(1)) + \\'x\\';\n        '''\n      }\n      off {\n        autoScale = false\n        scaleFormula = '$TargetDedicatedNodes = 1;'\n      }\n    }\n  }\n}\nazure.batch.pools.dq.scaleFormula = \"$TargetDedicatedNodes = 2;\"\n";
    let (_d, path) = file("nextflow.config", content);
    let (code, found, _) = check_json(&path, &[]);
    assert_eq!(code, 1);
    let got: Vec<Found> = found.into_iter().filter(|f| f.code != "W305").collect();
    assert_eq!(
        got,
        [
            hit("small", "E206", pos(content, "min(4")),
            hit("small", "E106", pos(content, "\\'x\\'")),
            hit("off", "W503", pos(content, "false")),
            hit("dq", "E501", pos(content, "$TargetDedicatedNodes = 2")),
        ]
    );
}

// ---------------------------------------------------------------- intervals

type Make = dyn Fn(&str) -> String;

#[test]
fn intervals_accepted_and_refused_in_each_host_form() {
    let json = |i: &str| {
        format!("{{\"id\": \"p\", \"autoScaleEvaluationInterval\": \"{i}\", \"autoScaleFormula\": \"$TargetDedicatedNodes = 1;\"}}")
    };
    let show = |i: &str| {
        format!("{{\"id\": \"p\", \"allocationState\": \"steady\", \"autoScaleEvaluationInterval\": \"{i}\", \"autoScaleFormula\": \"$TargetDedicatedNodes = 1;\"}}")
    };
    let ship =
        |i: &str| format!("pool_specification:\n  autoscale:\n    evaluation_interval: {i}\n    formula: $TargetDedicatedNodes = 1;\n");
    let nf =
        |i: &str| format!("azure.batch.pools.p.scaleInterval = '{i}'\nazure.batch.pools.p.scaleFormula = '$TargetDedicatedNodes = 1;'\n");
    let tf = |i: &str| {
        format!("resource \"azurerm_batch_pool\" \"p\" {{\n  auto_scale {{\n    evaluation_interval = \"{i}\"\n    formula = \"$TargetDedicatedNodes = 1;\"\n  }}\n}}\n")
    };
    let cases: [(&str, &Make, &[&str], &[&str]); 5] = [
        (
            "pool.json",
            &json,
            &["PT5M", "PT15M", "P7D", "PT168H"],
            &["PT4M", "PT169H", "0:15:00", "15 minutes"],
        ),
        (
            "show.json",
            &show,
            &["0:05:00", "PT1H", "1 day, 0:00:00"],
            &["0:04:59", "8 days, 0:00:00"],
        ),
        ("pool.yaml", &ship, &["00:05:00", "1.00:00:00", "PT10M"], &["00:01:00", "00:75:00"]),
        ("nextflow.config", &nf, &["5 min", "1h", "168h"], &["1 min", "2 weeks"]),
        ("main.tf", &tf, &["PT5M", "PT2H30M"], &["PT30S", "00:05:00"]),
    ];
    for (name, make, good, bad) in cases {
        for interval in good {
            let (_d, path) = file(name, &make(interval));
            let (code, found, _) = check_json(&path, &[]);
            assert_eq!((code, found), (0, vec![]), "{name} {interval}");
        }
        for interval in bad {
            let content = make(interval);
            let (_d, path) = file(name, &content);
            let (code, found, _) = check_json(&path, &[]);
            assert_eq!(code, 1, "{name} {interval}");
            assert_eq!(found.len(), 1, "{name} {interval}: {found:?}");
            assert_eq!(found[0].code, "E502");
            let at = pos(&content, interval);
            // The span covers the value and, where the host quotes it, its quotes.
            let got = (found[0].line, found[0].column);
            assert!(got == at || got == (at.0, at.1 - 1), "{name} {interval}: {got:?} vs {at:?}");
        }
    }
}

// ---------------------------------------------------------------- CI formats

#[test]
fn sarif_has_rules_and_results_at_host_positions() {
    let (_d, path) = file("main.tf", TERRAFORM);
    let out = run(&["check", path.to_str().unwrap(), "--var", "max_nodes=3", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let run0 = &doc["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "E210" && r["name"] == "case-mismatch"));
    let results = run0["results"].as_array().unwrap();
    let e210 = results.iter().find(|r| r["ruleId"] == "E210").unwrap();
    assert_eq!(e210["level"], "error");
    assert!(e210["message"]["text"].as_str().unwrap().contains("`Max`"));
    let region = &e210["locations"][0]["physicalLocation"]["region"];
    let (line, col) = pos(TERRAFORM, "Max");
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(line), Some(col))
    );
    let uri = e210["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.ends_with("main.tf"), "{uri}");
    let index = e210["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "E210");
    assert!(results.iter().any(|r| r["level"] == "warning"));
}

#[test]
fn github_workflow_commands() {
    let content = "{\"id\": \"p\", \"autoScaleFormula\": \"$TargetDedicatedNodes = Max(1, 2);\\n$unused = 1;\"}";
    let (_d, path) = file("pool.json", content);
    let p = path.to_str().unwrap();
    let out = run(&["check", p, "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let (line, col) = pos(content, "Max");
    assert_eq!(
        lines[0],
        format!(
            "::error file={p},line={line},col={col},endLine={line},endColumn={},title=E210 case-mismatch::there is no function `Max`; names are case-sensitive: did you mean `max`? (formula p)",
            col + 3
        )
    );
    assert!(
        lines[1].starts_with("::warning file=") && lines[1].contains("title=W316 unused-variable::"),
        "{stdout}"
    );
}

// ---------------------------------------------------------------- fixes

#[test]
fn fix_rewrites_host_files_in_place_and_diff_writes_nothing() {
    let (dir, path) = file("main.tf", TERRAFORM);
    let p = path.to_str().unwrap();
    let diff = run(&["check", p, "--var", "max_nodes=3", "--diff"]);
    let stdout = text(&diff.stdout);
    assert!(
        stdout.contains("-$TargetDedicatedNodes = Max(1, 2);\n+$TargetDedicatedNodes = max(1, 2);\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+        $TargetDedicatedNodes = $x * 2 + TimeInterval_Minute / TimeInterval_Minute;"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), TERRAFORM, "--diff wrote the file");
    let fixed = run(&["check", p, "--var", "max_nodes=3", "--fix"]);
    let after = std::fs::read_to_string(&path).unwrap();
    // The missing `;` goes inside the HCL string; the case fixes inside both heredocs.
    assert!(
        after.contains(r#"$PendingTasks.GetSample(1) + $a);\n$NodeDeallocationOption"#),
        "{after}"
    );
    assert!(after.contains("$TargetDedicatedNodes = max(1, 2);\nEOF"), "{after}");
    assert!(
        after.contains("        $TargetDedicatedNodes = $x * 2 + TimeInterval_Minute / TimeInterval_Minute;\n    EOT"),
        "{after}"
    );
    assert!(text(&fixed.stderr).contains("applied 3 fixes"), "{}", text(&fixed.stderr));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "a temporary file was left: {leftovers:?}");
}

#[test]
fn fix_inside_a_json_string_and_a_groovy_string() {
    let content = "{\"id\": \"p\", \"autoScaleFormula\": \"$a = 1\\n$TargetDedicatedNodes = $a;\"}\n";
    let (_d, path) = file("pool.json", content);
    let out = run(&["check", path.to_str().unwrap(), "--fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        "{\"id\": \"p\", \"autoScaleFormula\": \"$a = 1;\\n$TargetDedicatedNodes = $a;\"}\n"
    );
    let nf = "azure.batch.pools.p.scaleFormula = \"$TargetDedicatedNodes = 2;\"\n";
    let (_d2, path) = file("nextflow.config", nf);
    let out = run(&["check", path.to_str().unwrap(), "--fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "azure.batch.pools.p.scaleFormula = \"\\$TargetDedicatedNodes = 2;\"\n"
    );
}

// ---------------------------------------------------------------- allow / deny

#[test]
fn allow_warn_deny_and_the_inline_comment() {
    let content = "pool_specification:\n  autoscale:\n    formula: |\n      $a = 1;\n      $b = 2; // batch-autoscale: allow(W316)\n      // batch-autoscale: allow(unused-variable, E210)\n      $c = 3;\n      $TargetDedicatedNodes = Max(1, 2);\n";
    let (_d, path) = file("pool.yaml", content);
    let (code, found, _) = check_json(&path, &[]);
    assert_eq!(code, 1);
    // `$b` is silenced by the comment ending its line, `$c` by the one before it; the error
    // cannot be allowed.
    assert_eq!(
        found,
        [
            hit("pool_specification", "W316", pos(content, "$a")),
            hit("pool_specification", "E210", pos(content, "Max")),
        ]
    );
    let (_, found, _) = check_json(&path, &["--allow", "unused-variable"]);
    assert_eq!(found.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["E210"]);
    let (code, found, doc) = check_json(&path, &["--deny", "W316", "--allow", "W316"]);
    assert_eq!(code, 1);
    assert_eq!(doc["files"][0]["diagnostics"][0]["severity"], "error");
    assert_eq!(found[0].code, "W316");
    let out = run(&["check", path.to_str().unwrap(), "--allow", "E210"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("errors cannot be allowed"), "{}", text(&out.stderr));
    let out = run(&["check", path.to_str().unwrap(), "--allow", "W999"]);
    assert_eq!(out.status.code(), Some(2));
    // One warning, and `--allow` making it go away: exit 0 even with --deny-warnings.
    let clean = "{\"id\": \"p\", \"autoScaleFormula\": \"$unused = 1; $TargetDedicatedNodes = 1;\"}";
    let (_d2, path) = file("pool.json", clean);
    let p = path.to_str().unwrap();
    assert_eq!(run(&["check", p, "--deny-warnings"]).status.code(), Some(1));
    assert_eq!(run(&["check", p, "--deny-warnings", "--allow", "W316"]).status.code(), Some(0));
}

// ---------------------------------------------------------------- directories

#[test]
fn check_walks_a_directory_and_totals() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for sub in ["infra", ".git", "target", "node_modules"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    std::fs::write(d.join("infra/main.tf"), TERRAFORM).unwrap();
    std::fs::write(d.join("scale.formula"), "$TargetDedicatedNodes = 1;").unwrap();
    std::fs::write(d.join("package.json"), "{\"name\": \"x\"}").unwrap();
    std::fs::write(d.join("broken.json"), "{ not json").unwrap();
    std::fs::write(d.join("notes.txt"), "$x = {").unwrap();
    for skipped in [".git", "target", "node_modules"] {
        std::fs::write(d.join(skipped).join("bad.formula"), "$TargetDedicatedNodes = Max(1);").unwrap();
    }
    let out = run(&["check", d.to_str().unwrap(), "--var", "max_nodes=2"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        !stderr.contains("bad.formula") && !stderr.contains("package.json") && !stderr.contains("broken.json"),
        "{stderr}"
    );
    assert!(stderr.contains("scale.formula: ok (0 errors, 0 warnings)"), "{stderr}");
    assert!(stderr.contains("main.tf [azurerm_batch_pool.heredoc]: has errors"), "{stderr}");
    let last = stderr.lines().last().unwrap();
    assert!(last.starts_with("checked 4 formulas in 2 files: "), "{last}");
}

#[test]
fn a_broken_host_file_is_one_error_at_its_position() {
    let content = "{\n  \"id\": \"p\",\n  \"autoScaleFormula\": \"$TargetDedicatedNodes = 1;\"\n  \"vmSize\": \"x\"\n}\n";
    let (_d, path) = file("pool.json", content);
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("pool.json:4:3: expected `,` or `}` (reading the file as pool-json)"),
        "{stderr}"
    );
    let heredoc = "resource \"azurerm_batch_pool\" \"p\" {\n  auto_scale {\n    formula = <<EOF\n$TargetDedicatedNodes = 1;\n";
    let (_d2, path) = file("p.tf", heredoc);
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("p.tf:3:15: heredoc `<<EOF` is never closed"),
        "{}",
        text(&out.stderr)
    );
    // --host forces a kind: the same text as a plain formula is a syntax error.
    let out = run(&["check", path.to_str().unwrap(), "--host", "formula", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(run(&["check", path.to_str().unwrap(), "--host", "nonsense"]).status.code(), Some(2));
}

// ---------------------------------------------------------------- other commands

#[test]
fn eval_pool_show_uses_the_pools_own_state() {
    let content = r#"{
  "id": "farm",
  "allocationState": "steady",
  "enableAutoScale": true,
  "autoScaleEvaluationInterval": "0:15:00",
  "autoScaleFormula": "$TargetDedicatedNodes = $CurrentDedicatedNodes * $TaskSlotsPerNode + $TargetLowPriorityNodes;",
  "currentDedicatedNodes": 3,
  "targetDedicatedNodes": 3,
  "targetLowPriorityNodes": 2,
  "taskSlotsPerNode": 4
}
"#;
    let (_d, path) = file("show.json", content);
    let p = path.to_str().unwrap();
    let out = run(&["eval", p, "--now", "2026-11-23T12:00:00Z", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["results"].as_str().unwrap().starts_with("$TargetDedicatedNodes=14;"), "{doc}");
    // A flag still wins over the pool's state.
    let out = run(&["eval", p, "--now", "2026-11-23T12:00:00Z", "--format", "json", "--task-slots", "1"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["results"].as_str().unwrap().starts_with("$TargetDedicatedNodes=5;"), "{doc}");
}

#[test]
fn pool_show_output_is_a_context_for_any_formula() {
    let show = r#"{
  "id": "farm",
  "allocationState": "steady",
  "enableAutoScale": false,
  "currentDedicatedNodes": 3,
  "currentLowPriorityNodes": 1,
  "targetDedicatedNodes": 5,
  "targetLowPriorityNodes": 2,
  "maxTasksPerNode": 4
}
"#;
    let (dir, context) = file("show.json", show);
    let formula = dir.path().join("f.formula");
    std::fs::write(
        &formula,
        "$TargetDedicatedNodes = $CurrentDedicatedNodes * 100 + $CurrentLowPriorityNodes * 10 + $TaskSlotsPerNode;\n\
         $TargetLowPriorityNodes = $TargetLowPriorityNodes;",
    )
    .unwrap();
    let args = [
        "eval",
        formula.to_str().unwrap(),
        "--context",
        context.to_str().unwrap(),
        "--now",
        "2026-11-23T12:00:00Z",
        "--format",
        "json",
    ];
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["results"]
            .as_str()
            .unwrap()
            .starts_with("$TargetDedicatedNodes=314;$TargetLowPriorityNodes=2;"),
        "{doc}"
    );
    // A plain context file is still read as one, and a broken one names its position.
    let (_d2, plain) = file("ctx.json", r#"{"pool": {"currentDedicatedNodes": 7}}"#);
    let out = run(&[
        "eval",
        formula.to_str().unwrap(),
        "--context",
        plain.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["results"].as_str().unwrap().starts_with("$TargetDedicatedNodes=701;"), "{doc}");
    let (_d3, broken) = file("bad.json", "{\n  \"pool\": [}\n");
    let out = run(&["eval", formula.to_str().unwrap(), "--context", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("bad.json:2:"), "{}", text(&out.stderr));
}

#[test]
fn eval_errors_point_into_the_host_file_and_several_formulas_need_select() {
    let (_d, path) = file("main.tf", TERRAFORM);
    let p = path.to_str().unwrap();
    let out = run(&["eval", p, "--var", "max_nodes=3"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("the file has 3 formulas"), "{}", text(&out.stderr));
    let out = run(&["eval", p, "--select", "azurerm_batch_pool.heredoc"]);
    assert_eq!(out.status.code(), Some(1));
    let (line, col) = pos(TERRAFORM, "Max");
    assert!(
        text(&out.stderr).contains(&format!("main.tf:{line}:{col}")),
        "{}",
        text(&out.stderr)
    );
    let out = run(&["eval", p, "--select", "azurerm_batch_pool.quoted"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--var max_nodes=…"), "{}", text(&out.stderr));
    let good = "resource \"azurerm_batch_pool\" \"a\" {\n  auto_scale {\n    formula = \"$TargetDedicatedNodes = 1;\"\n  }\n}\nresource \"azurerm_batch_pool\" \"b\" {\n  auto_scale {\n    formula = \"$TargetDedicatedNodes = 2;\"\n  }\n}\n";
    let (_d2, path) = file("two.tf", good);
    let p = path.to_str().unwrap();
    let out = run(&["eval", p]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("pick one with --select NAME"), "{}", text(&out.stderr));
    let out = run(&["eval", p, "--select", "azurerm_batch_pool.b", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("$TargetDedicatedNodes=2;"));
    // The trace's lines are the host file's.
    let out = run(&["eval", p, "--select", "azurerm_batch_pool.b", "--trace"]);
    assert!(
        text(&out.stdout).contains("line   8  $TargetDedicatedNodes = 2"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn simulate_takes_the_host_files_interval() {
    let content = "resource \"azurerm_batch_pool\" \"p\" {\n  auto_scale {\n    evaluation_interval = \"PT20M\"\n    formula = \"$TargetDedicatedNodes = min(${var.max}, $PendingTasks.GetSample(1));\"\n  }\n}\n";
    let (_d, path) = file("p.tf", content);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workload = root.join("examples/simulate/burst.json");
    let args = [
        "simulate",
        path.to_str().unwrap(),
        "--var",
        "max=4",
        "--workload",
        workload.to_str().unwrap(),
    ];
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(all.contains("every PT20M"), "{all}");
    let mut with_flag = args.to_vec();
    with_flag.push("--interval=PT5M");
    let out = run(&with_flag);
    let all = text(&out.stdout) + &text(&out.stderr);
    assert!(all.contains("every PT5M") && !all.contains("PT20M"), "{all}");
}

#[test]
fn the_shipped_examples_check_as_the_readme_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = bin()
        .args(["check", "examples/hosts", "--color", "never"])
        .current_dir(root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.lines().last().unwrap().starts_with("checked 11 formulas in 7 files: "),
        "{stderr}"
    );
    let out = bin()
        .args(["check", "examples/hosts/main.tf", "--color", "never"])
        .current_dir(root)
        .output()
        .unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let shown = text(&out.stderr);
    assert!(
        readme.contains(shown.trim_end()),
        "README does not show today's output of check examples/hosts/main.tf:\n{shown}"
    );
}

// ---------------------------------------------------------------- language server

/// Run a language server session from a script of messages and return every message it sent.
fn lsp_session(messages: &[Value]) -> Vec<Value> {
    use std::io::Write as _;
    let mut input = Vec::new();
    for m in messages {
        let body = m.to_string();
        write!(input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    }
    let mut child = bin()
        .arg("lsp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    let mut rest = out.stdout.as_slice();
    let mut sent = Vec::new();
    while let Some(at) = rest.windows(4).position(|w| w == b"\r\n\r\n") {
        let header = String::from_utf8_lossy(&rest[..at]).into_owned();
        let length: usize = header.trim().trim_start_matches("Content-Length: ").parse().unwrap();
        let body = &rest[at + 4..at + 4 + length];
        sent.push(serde_json::from_slice(body).unwrap());
        rest = &rest[at + 4 + length..];
    }
    sent
}

#[test]
fn the_language_server_checks_formulas_in_host_documents() {
    let tf = "resource \"azurerm_batch_pool\" \"p\" {\n  auto_scale {\n    evaluation_interval = \"PT5M\"\n    formula = <<-EOF\n      $TargetDedicatedNodes = Max(1, 2);\n    EOF\n  }\n}\n";
    let edited = tf.replace("Max(1, 2)", "max(1, 2)").replace("PT5M", "PT1M");
    let uri = "file:///infra/main.tf";
    let sent = lsp_session(&[
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": null, "capabilities": {}}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "terraform", "version": 1, "text": tf}}}),
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/formatting", "params": {"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]}}),
        serde_json::json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": null}),
        serde_json::json!({"jsonrpc": "2.0", "method": "exit", "params": null}),
    ]);
    let published: Vec<&Value> = sent.iter().filter(|m| m["method"] == "textDocument/publishDiagnostics").collect();
    assert_eq!(published.len(), 2, "{sent:?}");
    let first = published[0]["params"]["diagnostics"].as_array().unwrap();
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["code"], "E210");
    let (line, col) = pos(tf, "Max");
    assert_eq!(
        first[0]["range"]["start"],
        serde_json::json!({"line": line - 1, "character": col - 1})
    );
    // The host language's formatter owns the file: no formula formatting of a Terraform file.
    let formatting = sent.iter().find(|m| m["id"] == 2).unwrap();
    assert!(formatting["result"].is_null(), "{formatting}");
    // After the edit the document is still read as Terraform.
    let second = published[1]["params"]["diagnostics"].as_array().unwrap();
    let codes: Vec<&str> = second.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["E502"]);
}

#[test]
fn compare_runs_every_formula_of_a_host_file_each_at_its_own_interval() {
    let content = "resource \"azurerm_batch_pool\" \"fast\" {\n  auto_scale {\n    evaluation_interval = \"PT5M\"\n    formula = \"$TargetDedicatedNodes = min(10, $PendingTasks.GetSample(1));\"\n  }\n}\nresource \"azurerm_batch_pool\" \"slow\" {\n  auto_scale {\n    evaluation_interval = \"PT30M\"\n    formula = \"$TargetDedicatedNodes = min(10, $PendingTasks.GetSample(1));\"\n  }\n}\n";
    let (_d, path) = file("two.tf", content);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workload = root.join("examples/simulate/burst.json");
    let out = run(&[
        "compare",
        path.to_str().unwrap(),
        "--workload",
        workload.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("[azurerm_batch_pool.fast]") && stdout.contains("[azurerm_batch_pool.slow]"),
        "{stdout}"
    );
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let evaluations: Vec<u64> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["summary"]["evaluations"].as_u64().unwrap())
        .collect();
    assert_eq!(evaluations.len(), 2, "{stdout}");
    assert!(
        evaluations[0] > 5 * evaluations[1] / 2,
        "PT5M evaluates more often than PT30M: {evaluations:?}"
    );
}

#[test]
fn format_string_placeholders_and_fix_of_a_plain_formula() {
    let content = "{\"id\": \"py\", \"autoScaleFormula\": \"$TargetDedicatedNodes = min({0}, %(cap)s);\"}";
    let (_d, path) = file("pool.json", content);
    let (code, found, _) = check_json(&path, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [hit("py", "E501", pos(content, "{0}")), hit("py", "E501", pos(content, "%(cap)s"))]
    );
    let (code, found, _) = check_json(&path, &["--var", "0=4", "--var", "cap=8"]);
    assert_eq!((code, found), (0, vec![]));
    let (_d2, path) = file(
        "plain.formula",
        "$TargetDedicatedNodes = Max(1, 2)\n$NodeDeallocationOption = requeue;\n",
    );
    let out = run(&["check", path.to_str().unwrap(), "--fix"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "$TargetDedicatedNodes = max(1, 2);\n$NodeDeallocationOption = requeue;\n"
    );
    // Standard input cannot be fixed in place.
    let mut child = bin()
        .args(["check", "-", "--fix"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"$TargetDedicatedNodes = Max(1, 2);")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("use --diff"), "{}", text(&out.stderr));
}

#[test]
fn a_plain_formula_file_stays_what_the_service_receives() {
    let content = "$TargetDedicatedNodes = min({max}, 4);";
    let (_d, path) = file("t.formula", content);
    let (code, found, _) = check_json(&path, &[]);
    assert_eq!(code, 1);
    assert_eq!(found[0], hit("", "E108", pos(content, "{")));
    let (code, found, _) = check_json(&path, &["--var", "max=3"]);
    assert_eq!((code, found), (0, vec![]));
}

#[test]
fn host_forces_pool_show_on_bare_pool_json() {
    let content = "{\"id\": \"p\", \"autoScaleEvaluationInterval\": \"0:10:00\", \"autoScaleFormula\": \"$TargetDedicatedNodes = $CurrentDedicatedNodes + 1;\", \"currentDedicatedNodes\": 2}";
    let (_d, path) = file("p.txt", content);
    // Detected by content as pool show output: the `0:10:00` form is accepted.
    let (code, found, doc) = check_json(&path, &[]);
    assert_eq!((code, found), (0, vec![]));
    assert_eq!(doc["files"][0]["host"], "pool-show");
    let bare = content.replace(", \"currentDedicatedNodes\": 2", "");
    let (_d2, path) = file("p.json", &bare);
    let (code, found, _) = check_json(&path, &[]);
    assert_eq!(code, 1);
    assert_eq!(found[0].code, "E502");
    let (code, found, doc) = check_json(&path, &["--host", "pool-show"]);
    assert_eq!((code, found), (0, vec![]));
    assert_eq!(doc["files"][0]["host"], "pool-show");
}

#[test]
fn nextflow_template_variables_come_from_the_pool_settings() {
    let content = r#"azure {
  batch {
    pools {
      auto {
        autoScale = true
        vmCount = 2
        maxVmCount = 20
        scaleInterval = '10 min'
        scaleFormula = '''
          lifespan = time() - time("{{poolCreationTime}}");
          interval = TimeInterval_Minute * {{scaleInterval}};
          $TargetDedicatedNodes = lifespan < interval ? {{vmCount}} : min({{maxVmCount}}, {{ extra }});
        '''
      }
    }
  }
}
"#;
    let (_d, path) = file("nextflow.config", content);
    let (code, found, _) = check_json(&path, &[]);
    assert_eq!(code, 1);
    assert_eq!(found, [hit("auto", "E501", pos(content, "{{ extra }}"))]);
    let (code, found, _) = check_json(&path, &["--var", "extra=3"]);
    assert_eq!((code, found), (0, vec![]));
}
