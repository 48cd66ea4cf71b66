import pytest

import batch_autoscale as ba
from conftest import FORMULAS, read


def test_examples_agree_with_the_cli(cli):
    for path in FORMULAS:
        done = cli.run("fmt", "--stdout", path)
        if done.returncode == 1:  # syntax errors: not formatted
            with pytest.raises(ba.FormulaError):
                ba.format(read(path))
            continue
        assert done.returncode == 0, done.stderr
        formatted = ba.format(read(path))
        assert formatted == done.stdout, path
        assert ba.format(formatted) == formatted


def test_layout():
    assert ba.format("$a=1;$TargetDedicatedNodes=$a*2// twice\n") == "$a = 1;\n$TargetDedicatedNodes = $a * 2; // twice\n"


def test_syntax_errors_raise_formula_error_with_the_cli_headlines(cli):
    src = read("examples/mistakes.formula")
    with pytest.raises(ValueError) as caught:
        ba.format(src)
    error = caught.value
    assert isinstance(error, ba.FormulaError)
    assert [d["code"] for d in error.diagnostics] == ["E102", "E210", "E201", "E210"]
    assert all(d["severity"] == "error" for d in error.diagnostics)
    rendered = cli.run("check", "--color", "never", "-", stdin=src).stderr
    headlines = [line for line in rendered.splitlines() if line.startswith("[E")]
    assert str(error).splitlines() == [h.replace("<stdin>", "<formula>") for h in headlines]
