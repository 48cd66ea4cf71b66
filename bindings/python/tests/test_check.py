import pytest

import batch_autoscale as ba
from conftest import FORMULAS, read

CLEAN = "$TargetDedicatedNodes = min(10, max(0, $PendingTasks.GetSample(1)));"


def test_examples_agree_with_the_cli(cli):
    assert len(FORMULAS) >= 6
    for path in FORMULAS:
        doc = cli.json("check", "--format", "json", path, codes=(0, 1))
        assert ba.check(read(path)) == doc["files"][0]["diagnostics"], path


def test_mistakes_are_found_with_codes_positions_and_fixes():
    diagnostics = ba.check(read("examples/mistakes.formula"))
    errors = [d for d in diagnostics if d["severity"] == "error"]
    assert [(d["code"], d["start"]["line"], d["start"]["column"]) for d in errors] == [
        ("E102", 3, 1),
        ("E210", 3, 10),
        ("E201", 4, 32),
        ("E210", 5, 27),
    ]
    case = errors[1]
    assert case["name"] == "case-mismatch"
    assert case["fix"]["message"] == "replace with `max`"
    assert case["serviceCode"] == "AutoScalingFormulaEvaluationError"
    assert set(case) >= {"code", "name", "severity", "message", "span", "start", "end", "notes", "fix"}


def test_a_clean_formula_has_no_error():
    assert [d for d in ba.check(CLEAN) if d["severity"] == "error"] == []


TERRAFORM = """resource "azurerm_batch_pool" "render" {
  name = "render"
  auto_scale {
    evaluation_interval = "PT5M"
    formula             = <<EOF
$TargetDedicatedNodes = Max(0, ${var.max_nodes});
EOF
  }
}
"""


def test_host_formula_is_the_default_and_unknown_hosts_name_the_kinds():
    assert ba.check(CLEAN, host="formula") == ba.check(CLEAN) == ba.check(CLEAN, host=None)
    with pytest.raises(ValueError, match='host "cobol": not a kind of file; one of formula, pool-json'):
        ba.check(CLEAN, host="cobol")
    with pytest.raises(TypeError):
        ba.check(CLEAN, host=3)


def test_host_files_report_at_host_positions_and_take_vars():
    placeholder = ba.check(TERRAFORM, host="terraform")
    assert [(d["code"], d["start"]["line"], d["formula"]) for d in placeholder] == [
        ("E501", 6, "azurerm_batch_pool.render")
    ]
    assert "--var max_nodes=" in placeholder[0]["message"]
    filled = ba.check(TERRAFORM, host="terraform", vars={"max_nodes": 10})
    case = [d for d in filled if d["code"] == "E210"]
    assert [(d["start"]["line"], d["start"]["column"]) for d in case] == [(6, 25)]


def test_vars_are_validated():
    assert ba.check(CLEAN, vars={"max_nodes": 10, "var.pool": "x", "f": 1.5}) == ba.check(CLEAN)
    with pytest.raises(ValueError, match="is not a placeholder name"):
        ba.check(CLEAN, vars={"1x": 1})
    with pytest.raises(ValueError, match="a placeholder name is a string"):
        ba.check(CLEAN, vars={1: 1})
    with pytest.raises(ValueError, match=r'vars\["n"\]: a value is a string or a finite number'):
        ba.check(CLEAN, vars={"n": [1]})
    with pytest.raises(ValueError, match="finite number"):
        ba.check(CLEAN, vars={"n": float("nan")})
    with pytest.raises(ValueError, match="finite number"):
        ba.check(CLEAN, vars={"n": True})
    with pytest.raises(TypeError, match="vars: expected a mapping"):
        ba.check(CLEAN, vars=["n"])


def test_source_must_be_text():
    with pytest.raises(TypeError):
        ba.check(b"$TargetDedicatedNodes = 1;")
    with pytest.raises(TypeError):
        ba.check(CLEAN, "formula")  # host is keyword-only
