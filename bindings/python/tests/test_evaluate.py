import datetime
import json

import pytest

import batch_autoscale as ba
from conftest import CONTEXTS, FORMULAS, ROOT, read


def test_examples_agree_with_the_cli(cli):
    assert CONTEXTS
    for formula in FORMULAS:
        for context in CONTEXTS:
            expected = cli.json("eval", formula, "--context", context, "--format", "json", codes=(0, 1))
            assert ba.evaluate(read(formula), ROOT / context) == expected, (formula, context)
            # The same context as a dict gives the same run.
            as_dict = json.loads(read(context))
            assert ba.evaluate(read(formula), as_dict) == expected, (formula, context)


def test_the_readme_run():
    run = ba.evaluate(read("examples/task-based.formula"), ROOT / "examples/task-based.context.json")
    assert run == {
        "timestamp": "2026-11-23T12:00:20.0000000Z",
        "results": "$TargetDedicatedNodes=17;$TargetLowPriorityNodes=0;$NodeDeallocationOption=taskcompletion;"
        "$pending=68;$percent=96.6667;$wanted=17.75;$window=00:15:00;maxNodes=20;tasksPerNode=4",
    }


def test_a_failed_evaluation_is_an_answer_with_an_error():
    run = ba.evaluate("$TargetDedicatedNodes = avg($PendingTasks.GetSample(TimeInterval_Minute * 5));", {"now": "2026-11-23T12:00:00Z"})
    assert run["error"]["code"] == "InsufficientSampleData"
    assert run["results"].startswith("$TargetDedicatedNodes=0;")
    syntax = ba.evaluate(read("examples/mistakes.formula"), {"now": "2026-11-23T12:00:00Z"})
    assert syntax["error"]["code"] == "AutoScalingFormulaSyntaxError"


def test_without_context_the_time_is_now():
    run = ba.evaluate("$TargetDedicatedNodes = 1;")
    stamp = datetime.datetime.strptime(run["timestamp"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - stamp).total_seconds()) < 120
    assert "error" not in run


def test_pool_state_and_random_come_from_the_context():
    run = ba.evaluate(
        "$TargetDedicatedNodes = $CurrentDedicatedNodes + 1; $r = rand();",
        {"now": "2026-11-23T12:00:00Z", "pool": {"currentDedicatedNodes": 4}, "random": [0.25]},
    )
    assert run["results"] == "$TargetDedicatedNodes=5;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$r=0.25"


def test_bad_context_files_give_the_cli_message(cli, tmp_path):
    cases = {
        "zone.json": '{\n  "now": "2026-11-23 12:00"\n}',
        "metric.json": '{"metrics": {\n  "$PendingTask": {"last": "2026-11-23T12:00:00Z", "values": [1]}}}',
        "syntax.json": '{"now": ',
        "array.json": "[1, 2]",
        "field.json": '{"pol": {}}',
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        expected = cli.error("eval", ROOT / "examples/task-based.formula", "--context", path, "--format", "json")
        with pytest.raises(ValueError) as caught:
            ba.evaluate("$TargetDedicatedNodes = 1;", path)
        assert str(caught.value) == expected, name
        assert str(path) in expected
    missing = tmp_path / "missing.json"
    expected = cli.error("eval", ROOT / "examples/task-based.formula", "--context", missing)
    with pytest.raises(ValueError, match="missing.json") as caught:
        ba.evaluate("$TargetDedicatedNodes = 1;", str(missing))
    assert str(caught.value) == expected


def test_bad_context_dicts_name_the_field():
    with pytest.raises(ValueError, match=r"^context: now: "):
        ba.evaluate("$TargetDedicatedNodes = 1;", {"now": "2026-11-23 12:00"})
    with pytest.raises(ValueError, match=r"context: metrics: `\$PendingTask` is not a sampled metric; did you mean `\$PendingTasks`\?"):
        ba.evaluate("$TargetDedicatedNodes = 1;", {"metrics": {"$PendingTask": {"last": "2026-11-23T12:00:00Z", "values": [1]}}})
    with pytest.raises(ValueError, match="context: unknown field `pol`"):
        ba.evaluate("$TargetDedicatedNodes = 1;", {"pol": {}})
    with pytest.raises(ValueError, match="^context: "):
        ba.evaluate("$TargetDedicatedNodes = 1;", {"pool": {"currentDedicatedNodes": float("nan")}})
    with pytest.raises(ValueError, match="^context: "):
        ba.evaluate("$TargetDedicatedNodes = 1;", {"now": datetime.datetime.now()})
    with pytest.raises(TypeError, match="context: expected a path"):
        ba.evaluate("$TargetDedicatedNodes = 1;", 42)
    with pytest.raises(TypeError):
        ba.evaluate("$TargetDedicatedNodes = 1;", [1])
