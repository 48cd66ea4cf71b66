import json
import csv
import datetime

import pytest

import batch_autoscale as ba
from conftest import ROOT, read

FRESH = "examples/whatif/fresh-pool.formula"


def test_agrees_with_the_cli(cli):
    cases = [
        (FRESH, "examples/whatif/fresh-pool.csv", ["--interval", "PT5M"], {"interval": "PT5M"}),
        (
            "examples/task-based.formula",
            "examples/whatif/burst.csv",
            ["--interval", "PT5M", "--columns", "$pending,$wanted", "--task-slots", "4", "--seed", "7"],
            {"interval": "PT5M", "columns": ["$pending", "$wanted"], "task_slots": 4, "seed": 7},
        ),
        (
            "examples/task-based.formula",
            "examples/metrics.csv",
            ["--delay", "0", "--allocation-delay", "PT10M", "--pool-dedicated", "3"],
            {"delay": 0, "allocation_delay": "PT10M", "pool_dedicated": 3},
        ),
    ]
    for formula, metrics, flags, options in cases:
        expected = cli.json("replay", formula, "--metrics", metrics, "--format", "json", *flags)
        assert ba.replay(read(formula), ROOT / metrics, **options) == expected, (formula, metrics)


def test_without_metrics_give_the_period(cli):
    flags = ["--start", "2026-11-16T00:00:00Z", "--end", "2026-11-23T00:00:00Z"]
    expected = cli.json("replay", "examples/time-based.formula", "--format", "json", *flags)
    got = ba.replay(read("examples/time-based.formula"), None, start=flags[1], end=flags[3])
    assert got == expected
    assert got["summary"]["evaluations"] == 673
    assert (got["summary"]["dedicated"]["min"], got["summary"]["dedicated"]["max"]) == (2, 12)
    with pytest.raises(ValueError, match="^start is needed: the data has no samples$"):
        ba.replay(read("examples/time-based.formula"), None)


def test_fresh_pool_shipyard_138():
    summary = ba.replay(read(FRESH), ROOT / "examples/whatif/fresh-pool.csv", "PT5M")["summary"]
    assert summary["failures"]["InsufficientSampleData"]["count"] == 5
    assert summary["timeToFirstNonzero"] == "00:25:00"
    assert summary["timeToFirstNonzeroSeconds"] == 1500


def _as_mapping(path):
    """A wide CSV file as a mapping of metric to (time, value) pairs."""
    with open(ROOT / path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    return {name: [(row[0], float(row[i]) if row[i] else None) for row in body] for i, name in enumerate(header) if i > 0}


def test_a_mapping_replays_like_the_file():
    metrics = _as_mapping("examples/whatif/burst.csv")
    from_file = ba.replay(read("examples/task-based.formula"), str(ROOT / "examples/whatif/burst.csv"), "PT5M")
    assert ba.replay(read("examples/task-based.formula"), metrics, "PT5M") == from_file
    # Times may be zone-aware datetimes; pairs may be lists; None is a missing sample.
    as_datetimes = {
        name: [[datetime.datetime.fromisoformat(t.replace("Z", "+00:00")), v] for t, v in pairs] for name, pairs in metrics.items()
    }
    assert ba.replay(read("examples/task-based.formula"), as_datetimes, "PT5M") == from_file


def test_a_task_list_replays_like_the_file():
    path = ROOT / "tests/tasks/job-tasks.json"
    tasks = json.loads(path.read_text())
    formula = read("examples/task-based.formula")
    from_file = ba.replay(formula, str(path), "PT5M")
    from_list = ba.replay(formula, tasks, "PT5M")
    assert from_list["rows"] == from_file["rows"] and len(from_list["rows"]) > 2
    assert from_list["summary"] == from_file["summary"]


def test_scalar_pool_variables_in_a_mapping():
    metrics = {
        "$PendingTasks": [("2026-11-23T12:00:00Z", 4), ("2026-11-23T12:00:30Z", 8)],
        "$CurrentDedicatedNodes": [("2026-11-23T12:00:00Z", 2)],
    }
    result = ba.replay("$TargetDedicatedNodes = $CurrentDedicatedNodes + 1;", metrics, end="2026-11-23T13:00:00Z")
    assert [r["currentDedicatedNodes"] for r in result["rows"]] == [2, 2, 2, 2, 2]
    assert [r["targetDedicatedNodes"] for r in result["rows"]] == [3, 3, 3, 3, 3]


def test_bad_mappings_name_the_metric_and_the_pair():
    formula = "$TargetDedicatedNodes = 1;"
    t = "2026-11-23T12:00:00Z"
    cases = [
        ({"$PendingTask": [(t, 1)]}, r'^metrics\["\$PendingTask"\]\[0\]: `\$PendingTask` is not a sampled metric or pool variable; did you mean `\$PendingTasks`\?$'),
        ({"$PendingTasks": [(t, 1), ("2026-11-23 12:00", 2)]}, r'^metrics\["\$PendingTasks"\]\[1\] \(time\): bad timestamp "2026-11-23 12:00": '),
        ({"$PendingTasks": [(t, float("inf"))]}, r'^metrics\["\$PendingTasks"\]\[0\] \(value\): "inf" is not a finite number; use None'),
        ({"$PendingTasks": [(t, 1), (t, 2)]}, r'^metrics\["\$PendingTasks"\]\[1\] \(value\): a second sample at 2026-11-23T12:00:00.000Z'),
        ({"$PendingTasks": [(t, "x")]}, r'^metrics\["\$PendingTasks"\]\[0\]: the value is a number or None'),
        ({"$PendingTasks": [(12, 1)]}, r'^metrics\["\$PendingTasks"\]\[0\]: the time is an RFC 3339 string'),
        ({"$PendingTasks": [(t, 1, 2)]}, r'^metrics\["\$PendingTasks"\]\[0\]: expected a \(time, value\) pair'),
        ({"$PendingTasks": [t]}, r'^metrics\["\$PendingTasks"\]\[0\]: expected a \(time, value\) pair'),
        ({"$PendingTasks": 3}, r'^metrics\["\$PendingTasks"\]: expected a list of \(time, value\) pairs'),
        ({"$TargetDedicatedNodes": [(t, 1)]}, r"is a target the formula sets, not data"),
        ({1: [(t, 1)]}, r"^metrics: the keys are metric names"),
        ([{"id": "task-1"}], r"^metrics.*task 1"),
    ]
    for metrics, pattern in cases:
        with pytest.raises(ValueError, match=pattern):
            ba.replay(formula, metrics)
    with pytest.raises(TypeError, match="^metrics: expected a path"):
        ba.replay(formula, 3)


def test_bad_files_and_options_give_the_cli_message(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,$PendingTasks\n2026-11-23T12:00:00Z,1\n2026-11-23T12:00:30Z,abc\n")
    expected = cli.error("replay", FRESH, "--metrics", bad)
    assert expected.endswith(':3:2: "abc" is not a number')
    with pytest.raises(ValueError) as caught:
        ba.replay(read(FRESH), bad)
    assert str(caught.value) == expected
    missing = tmp_path / "missing.csv"
    with pytest.raises(ValueError) as caught:
        ba.replay(read(FRESH), missing)
    assert str(caught.value) == cli.error("replay", FRESH, "--metrics", missing)
    metrics = ROOT / "examples/whatif/fresh-pool.csv"
    # Out of range: the library's message, word for word.
    with pytest.raises(ValueError) as caught:
        ba.replay(read(FRESH), metrics, "PT1M")
    assert str(caught.value) == cli.error("replay", FRESH, "--metrics", metrics, "--interval", "PT1M")
    # Malformed options: the CLI's message with the keyword for the flag.
    for options, flag in [
        ({"interval": "5 minutes"}, ["--interval", "5 minutes"]),
        ({"start": "yesterday"}, ["--start", "yesterday"]),
        ({"allocation_delay": "5m"}, ["--allocation-delay", "5m"]),
    ]:
        with pytest.raises(ValueError) as caught:
            ba.replay(read(FRESH), metrics, **options)
        assert "--" + str(caught.value).replace("_", "-") == cli.error("replay", FRESH, "--metrics", metrics, *flag)
    for options, pattern in [
        ({"delay": -1}, "^delay -1: expected a finite number that is not negative$"),
        ({"task_slots": float("nan")}, "^task_slots NaN: "),
        ({"seed": -1}, "^seed -1: expected a whole number"),
    ]:
        with pytest.raises(ValueError, match=pattern):
            ba.replay(read(FRESH), metrics, **options)
    with pytest.raises(TypeError):
        ba.replay(read(FRESH), metrics, colour="red")


def test_a_formula_with_errors_raises_formula_error():
    with pytest.raises(ba.FormulaError) as caught:
        ba.replay(read("examples/mistakes.formula"), ROOT / "examples/metrics.csv")
    assert caught.value.diagnostics[0]["code"] == "E102"
