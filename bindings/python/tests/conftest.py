"""Shared fixtures: the repository's examples and the CLI binary built by cargo."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"


def _cli_path() -> pathlib.Path:
    given = os.environ.get("BATCH_AUTOSCALE_CLI")
    if given:
        return pathlib.Path(given)
    subprocess.run(
        ["cargo", "build", "--quiet", "--bin", "batch-autoscale"],
        cwd=ROOT,
        check=True,
    )
    meta = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    target = pathlib.Path(json.loads(meta.stdout)["target_directory"])
    return target / "debug" / ("batch-autoscale.exe" if os.name == "nt" else "batch-autoscale")


class Cli:
    """Runs the `batch-autoscale` binary in the repository root."""

    def __init__(self, path: pathlib.Path):
        self.path = path

    def run(self, *args, stdin=None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.path), *map(str, args)],
            cwd=ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def json(self, *args, codes=(0,)):
        done = self.run(*args)
        assert done.returncode in codes, (args, done.returncode, done.stderr)
        return json.loads(done.stdout)

    def error(self, *args) -> str:
        """The message of a bad-input run (exit 2): its `error: …` line without the prefix."""
        done = self.run(*args)
        assert done.returncode == 2, (args, done.returncode, done.stdout, done.stderr)
        line = done.stderr.strip().splitlines()[-1]
        assert line.startswith("error: "), done.stderr
        return line[len("error: ") :]


@pytest.fixture(scope="session")
def cli() -> Cli:
    path = _cli_path()
    assert path.is_file(), f"the CLI binary is not at {path}"
    return Cli(path)


def read(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


FORMULAS = sorted(str(p.relative_to(ROOT)) for p in EXAMPLES.rglob("*.formula"))
CONTEXTS = sorted(str(p.relative_to(ROOT)) for p in EXAMPLES.glob("*.context.json"))
