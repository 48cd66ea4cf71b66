"""Check, evaluate, format, replay and simulate Azure Batch autoscale formulas offline.

A faithful implementation of the Azure Batch autoscale formula language (the Rust library
``batch-autoscale``). Every function returns plain Python data with the same shapes and stable
codes as the command-line tool's ``--format json``; bad input raises ``ValueError`` with the
CLI's message (file, line and column where there are some), and a formula with errors raises
:class:`FormulaError` (a ``ValueError``) whose ``diagnostics`` are those of :func:`check`.
"""

from ._native import FormulaError, __version__, check, evaluate, format, replay, simulate

__all__ = ["FormulaError", "__version__", "check", "evaluate", "format", "replay", "simulate"]
