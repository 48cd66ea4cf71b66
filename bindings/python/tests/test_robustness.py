"""Hostile input: every function answers or raises ValueError/FormulaError, never anything else."""

import random

import pytest

import batch_autoscale as ba

TOKENS = ["$TargetDedicatedNodes", "$PendingTasks", ".GetSample(", "(", ")", "=", ";", "?", ":", "+", "*", "/", "-",
          "1", "0.5", '"x"', "TimeInterval_Minute", "max(", "avg(", ",", "\n", "//", "$a", "taskcompletion", "é", "\r\n"]
CONTEXT = {"now": "2026-11-23T12:00:00Z", "metrics": {"$PendingTasks": {"last": "2026-11-23T12:00:00Z", "values": [1, 2, 3]}}}


def test_random_token_soup():
    rng = random.Random(14)
    for _ in range(300):
        src = " ".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 30)))
        diagnostics = ba.check(src)
        has_errors = any(d["severity"] == "error" for d in diagnostics)
        run = ba.evaluate(src, CONTEXT)
        assert set(run) <= {"timestamp", "results", "error"}
        if has_errors:
            assert run["error"]["code"] in {"AutoScalingFormulaSyntaxError", "AutoScalingFormulaEvaluationError", "AutoScaleFormulaTooLong"}
        try:
            formatted = ba.format(src)
        except ba.FormulaError as e:
            assert e.diagnostics and all(d["severity"] == "error" for d in e.diagnostics)
        else:
            assert ba.format(formatted) == formatted


def test_limits():
    long = "$a = 1;" * 2000
    assert [d["code"] for d in ba.check(long) if d["severity"] == "error"][:1] != []
    assert ba.evaluate(long, CONTEXT)["error"]["code"] == "AutoScaleFormulaTooLong"
    deep = "$TargetDedicatedNodes = " + "(" * 5000 + "1" + ")" * 5000 + ";"
    assert any(d["severity"] == "error" for d in ba.check(deep))


def test_text_that_is_not_unicode_is_a_value_error():
    with pytest.raises(ValueError):  # UnicodeEncodeError
        ba.check("$a = \ud800;")
    with pytest.raises(ValueError):
        ba.evaluate("$TargetDedicatedNodes = 1;", {"now": "\ud800"})
