import pathlib
import re

import batch_autoscale as ba
from conftest import ROOT


def test_version_is_the_crates():
    version = re.search(r'^version = "([^"]+)"', (ROOT / "Cargo.toml").read_text(), re.M).group(1)
    assert ba.__version__ == version
    binding = re.search(r'^version = "([^"]+)"', (ROOT / "bindings/python/Cargo.toml").read_text(), re.M).group(1)
    assert binding == version


def test_typed_package():
    package = pathlib.Path(ba.__file__).parent
    assert (package / "py.typed").is_file()
    stubs = (package / "_native.pyi").read_text()
    for name in ba.__all__:
        assert re.search(rf"^(def|class) {name}\b|^{name}:", stubs, re.M), name


def test_formula_error_is_a_value_error():
    assert issubclass(ba.FormulaError, ValueError)
    assert ba.FormulaError.__module__ == "batch_autoscale"


def test_the_stubs_match_the_module():
    """mypy's stubtest: every name, parameter and default of the stubs is the module's."""
    import subprocess
    import sys

    import pytest

    pytest.importorskip("mypy")
    done = subprocess.run([sys.executable, "-m", "mypy.stubtest", "batch_autoscale._native"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
