"""Type stubs of the extension module (re-exported by ``batch_autoscale``)."""

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Optional, Union

__version__: str
__all__ = ["FormulaError", "__version__", "check", "evaluate", "format", "replay", "simulate"]

#: A path to a file: ``str`` or ``os.PathLike``.
_PathLike = Union[str, "os.PathLike[str]"]
#: One sample: (RFC 3339 time or zone-aware datetime, value or None for a missing sample).
_Sample = tuple[Union[str, datetime], Optional[float]]
#: Metric history in memory: metric name (``"$PendingTasks"``, or a scalar pool variable such
#: as ``"$CurrentDedicatedNodes"``) to its samples, in any order.
_Metrics = Mapping[str, Sequence[_Sample]]

class FormulaError(ValueError):
    """The formula has errors.

    ``str(e)`` lists them, one per line, as the CLI heads them
    (``[E102 missing-semicolon] Error: … (at <formula>:3:1)``); ``diagnostics`` holds them
    as :func:`check` returns them.
    """

    diagnostics: list[dict[str, Any]]

def check(
    source: str,
    *,
    host: Optional[str] = None,
    vars: Optional[Mapping[str, Union[str, int, float]]] = None,
) -> list[dict[str, Any]]:
    """Every diagnostic of a formula, as ``check --format json`` lists them for one file.

    Each is a dict: ``code`` (e.g. ``"E210"``), ``name`` (``"case-mismatch"``), ``severity``
    (``"error"``, ``"warning"``, ``"note"``), ``message``, ``span`` (byte offsets),
    ``start``/``end`` (1-based ``line`` and ``column``), ``notes``, and ``fix`` and
    ``serviceCode`` where there are some (keys are camelCase, as in
    the REST API).

    ``host`` is the kind of text ``source`` is, as ``check --host`` names it (``"terraform"``,
    ``"pool-json"``, ``"pool-show"``, ``"arm"``, ``"bicep"``, ``"shipyard"``, ``"nextflow"``);
    ``None`` (or ``"formula"``) reads it as a plain formula. In a host file every formula in it is
    checked, positions are in the host text, and each diagnostic names its ``formula``. ``vars``
    are template placeholder values (name to str or number), as ``--var NAME=VALUE`` gives them.
    """

def evaluate(source: str, context: Union[None, _PathLike, Mapping[str, Any]] = None) -> dict[str, Any]:
    """Evaluate once, as ``eval --format json``: the REST API's ``AutoScaleRun``.

    ``timestamp``, ``results`` and, when the formula has errors or the evaluation fails,
    ``error`` (``code``, ``message``, ``values``): a failing formula is an answer, not an
    exception. ``context`` is a context file's path or a dict of that shape (``now``,
    ``pool``, ``metrics``, ``samplePublicationDelaySeconds``, ``random``, ``seed``); without
    it, or without ``now``, the formula is evaluated at the current time.
    """

def format(source: str) -> str:
    """The canonical layout, as ``fmt`` writes it; ``FormulaError`` on syntax errors."""

def replay(
    source: str,
    metrics: Union[None, _PathLike, _Metrics, Sequence[Mapping[str, Any]]],
    interval: str = "PT15M",
    *,
    start: Optional[str] = None,
    end: Optional[str] = None,
    pool_dedicated: float = 0.0,
    pool_low_priority: float = 0.0,
    task_slots: float = 1.0,
    delay: float = 30.0,
    allocation_delay: str = "PT5M",
    seed: int = 0,
    columns: Optional[Sequence[str]] = None,
) -> dict[str, Any]:
    """Evaluate every ``interval`` over metric history, as ``replay --format json``.

    Returns ``columns``, ``rows`` (one per evaluation, keyed as the CSV timeline's columns:
    ``targetDedicatedNodes``, ``errorMessage``…) and ``summary`` (camelCase keys such as
    ``dedicatedNodeHours``; a duration as its TimeSpan text and in seconds beside it:
    ``timeToFirstNonzero``, ``timeToFirstNonzeroSeconds``). ``metrics`` is a metric
    file's path (CSV long or wide, or JSON) or a mapping of metric to (time, value) pairs
    (``None``: no samples; then give ``start`` and ``end``). The keywords are the CLI's flags.
    A list of Batch task dicts (``az batch task list`` output, as ``json.load`` reads it) is
    read as the metric history it implies, as ``replay --metrics TASKS.json`` reads the file.
    """

def simulate(
    source: str,
    workload: Union[_PathLike, Mapping[str, Any], Sequence[Mapping[str, Any]]],
    *,
    interval: str = "PT15M",
    pool: Union[None, _PathLike, Mapping[str, Any]] = None,
    slots: Optional[int] = None,
    allocation_latency: Optional[str] = None,
    preemption_rate: Optional[float] = None,
    preemption_recovery: Optional[str] = None,
    dedicated_quota: Optional[int] = None,
    low_priority_quota: Optional[int] = None,
    dedicated_price: Optional[float] = None,
    low_priority_price: Optional[float] = None,
    task_retention: Optional[str] = None,
    node_fill: Optional[Literal["spread", "pack"]] = None,
    cpu_scale: Optional[float] = None,
    initial_dedicated: int = 0,
    initial_low_priority: int = 0,
    start: Optional[str] = None,
    end: Optional[str] = None,
    seed: int = 0,
    extra_metrics: Union[None, _PathLike, _Metrics] = None,
    columns: Optional[Sequence[str]] = None,
) -> dict[str, Any]:
    """Simulate a pool and its job queue in closed loop, as ``simulate``.

    Returns ``columns``, ``rows`` and ``summary``, as ``--timeline FILE.json`` writes them
    (``summary`` is what ``--format json`` prints): camelCase keys (``peakDedicatedNodes``,
    ``tasks.oversized``: tasks needing more slots than a node has, which stay queued for ever),
    durations as TimeSpan text and in seconds (``makespan``, ``makespanSeconds``,
    ``wait.p95Seconds``). ``workload`` is a workload file's path
    (JSON generators, a CSV trace or a Batch task list), a dict in the workload-file shape, or a
    list of Batch task dicts; ``pool`` a pool settings file or dict; the keywords are the CLI's
    flags.
    """
