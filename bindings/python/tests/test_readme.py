"""The README's Python examples, run as they are written there."""

import re

from conftest import ROOT


def _python_blocks():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_there_are_two_examples():
    blocks = _python_blocks()
    assert len(blocks) == 2
    assert len(blocks[0].strip().splitlines()) == 5


def test_the_five_line_example(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    exec(compile(_python_blocks()[0], "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "[]"
    assert printed[1].startswith("$TargetDedicatedNodes=17;")


def test_the_pytest_example():
    namespace = {}
    exec(compile(_python_blocks()[1], "README.md", "exec"), namespace)
    tests = [f for name, f in namespace.items() if name.startswith("test_")]
    assert len(tests) == 1
    for test in tests:
        test()


def test_the_pytest_example_can_fail():
    """The assertions bite: the same formula with a cap of 8 fails the peak check."""
    namespace = {}
    exec(compile(_python_blocks()[1], "README.md", "exec"), namespace)
    original = namespace["make_formula"]
    namespace["make_formula"] = lambda max_nodes, tasks_per_node: original(8, tasks_per_node)
    try:
        namespace["test_generated_formula_drains_a_burst_and_scales_back"]()
    except AssertionError:
        return
    raise AssertionError("the README's test passed for a formula it should reject")
