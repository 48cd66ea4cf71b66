import json

import pytest

import batch_autoscale as ba
from conftest import ROOT, read

TASK_BASED = "examples/task-based.formula"
BURST = "examples/simulate/burst.json"


def _cli_simulation(cli, tmp_path, *args):
    timeline = tmp_path / "timeline.json"
    done = cli.run("simulate", *args, "--timeline", timeline)
    assert done.returncode == 0, done.stderr
    summary = cli.json("simulate", *args, "--format", "json")["summary"]
    result = json.loads(timeline.read_text())
    assert result["summary"] == summary
    return result


def test_agrees_with_the_cli(cli, tmp_path):
    cases = [
        ([TASK_BASED, "--workload", BURST, "--interval", "PT5M"], (TASK_BASED, BURST), {"interval": "PT5M"}),
        (
            ["examples/simulate/preempted-nodes.formula", "--workload", "examples/simulate/spot.json", "--pool", "examples/simulate/spot-pool.json"],
            ("examples/simulate/preempted-nodes.formula", "examples/simulate/spot.json"),
            {"pool": ROOT / "examples/simulate/spot-pool.json"},
        ),
        (
            [TASK_BASED, "--workload", "examples/simulate/trace.csv", "--slots", "2", "--seed", "3", "--columns", "$pending",
             "--dedicated-quota", "5", "--node-fill", "pack", "--initial-dedicated", "1", "--dedicated-price", "0.5"],
            (TASK_BASED, "examples/simulate/trace.csv"),
            {"slots": 2, "seed": 3, "columns": ["$pending"], "dedicated_quota": 5, "node_fill": "pack", "initial_dedicated": 1,
             "dedicated_price": 0.5},
        ),
    ]
    for args, (formula, workload), options in cases:
        expected = _cli_simulation(cli, tmp_path, *args)
        assert ba.simulate(read(formula), ROOT / workload, **options) == expected, args


def test_the_readme_burst():
    summary = ba.simulate(read(TASK_BASED), ROOT / BURST, interval="PT5M")["summary"]
    assert summary["tasks"]["completed"] == summary["tasks"]["submitted"] == 500
    assert summary["dedicated"]["max"] == 20


def test_a_dict_workload_and_pool_run_like_the_files():
    workload = json.loads(read(BURST))
    from_file = ba.simulate(read(TASK_BASED), str(ROOT / BURST), interval="PT5M")
    assert ba.simulate(read(TASK_BASED), workload, interval="PT5M") == from_file
    pool = workload.pop("pool")
    assert ba.simulate(read(TASK_BASED), workload, pool=pool, interval="PT5M") == from_file


def test_a_task_list_simulates_like_the_file():
    path = ROOT / "tests/tasks/job-tasks.json"
    from_file = ba.simulate(read(TASK_BASED), str(path), interval="PT5M", slots=2)
    from_list = ba.simulate(read(TASK_BASED), json.loads(path.read_text()), interval="PT5M", slots=2)
    assert from_list["rows"] == from_file["rows"]
    assert from_list["summary"]["tasks"] == from_file["summary"]["tasks"]
    assert from_list["summary"]["tasks"]["submitted"] == 40


def test_a_quota_caps_the_pool():
    result = ba.simulate(read(TASK_BASED), ROOT / BURST, dedicated_quota=6)
    assert result["summary"]["peakDedicatedNodes"] == 6
    assert max(r["currentDedicatedNodes"] for r in result["rows"]) == 6
    assert result["summary"]["quotaCappedEvaluations"] > 0


def test_a_task_bigger_than_a_node_stays_queued(tmp_path):
    # As the service does: the 8-slot task on 4-slot nodes is never scheduled, and is counted.
    trace = tmp_path / "trace.csv"
    trace.write_text("submit,duration,slots\n2026-11-23T10:00:00Z,600,1\n2026-11-23T10:00:00Z,600,8\n")
    result = ba.simulate(read(TASK_BASED), trace, interval="PT5M", slots=4, end="2026-11-23T12:00:00Z")
    tasks = result["summary"]["tasks"]
    assert (tasks["oversized"], tasks["completed"], tasks["unfinished"]) == (1, 1, 1)
    assert result["rows"][-1]["activeTasks"] == 1
    assert result["summary"]["makespan"] is None and result["summary"]["makespanSeconds"] is None


def test_durations_come_as_text_and_seconds():
    wait = ba.simulate(read(TASK_BASED), ROOT / BURST, interval="PT5M")["summary"]["wait"]
    hours, minutes, seconds = wait["p95"].split(":")
    assert abs(int(hours) * 3600 + int(minutes) * 60 + float(seconds) - wait["p95Seconds"]) < 1e-6


def test_bad_input(cli, tmp_path):
    formula = read(TASK_BASED)
    for options, pattern in [
        ({"slots": 0}, "^slots 0: a node has 1 to 256 task slots$"),
        ({"node_fill": "tight"}, '^node_fill "tight": expected "spread" or "pack"$'),
        ({"preemption_rate": -1.0}, "^preemption_rate -1: expected a finite number that is not negative$"),
        ({"allocation_latency": "5m"}, "^allocation_latency 5m: "),
        ({"dedicated_quota": -2}, "^dedicated_quota -2: expected a whole number"),
        ({"preemption_rate": 100.0}, "^pool settings: preemptionRate: 100 per node-hour is more than 60"),
        ({"pool": {"taskSlotsPerNode": 0}}, "^pool: "),
        ({"pool": {"slotsPerNode": 4}}, "^pool: unknown field `slotsPerNode`"),
        ({"extra_metrics": {"$PendingTasks": [("2026-11-23T09:30:00Z", 1)]}}, r"^\$PendingTasks is simulated"),
    ]:
        with pytest.raises(ValueError, match=pattern):
            ba.simulate(formula, ROOT / BURST, **options)
    with pytest.raises(ValueError, match="^workload: unknown field `generator`"):
        ba.simulate(formula, {"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z", "generator": []})
    with pytest.raises(ValueError, match="^workload.*task 1"):
        ba.simulate(formula, [{"submit": "2026-11-23T00:00:00Z", "duration": "PT1M"}])
    with pytest.raises(TypeError):
        ba.simulate(formula, 12)
    bad = tmp_path / "w.json"
    bad.write_text('{"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z",\n "generators": [{"kind": "constant", "every": "PT0S", "duration": "PT1M"}]}')
    with pytest.raises(ValueError) as caught:
        ba.simulate(formula, bad)
    assert str(caught.value) == cli.error("simulate", TASK_BASED, "--workload", bad)
    trace = tmp_path / "t.csv"
    trace.write_text("submit,duration\n2026-11-23T00:00:00Z,-5\n")
    with pytest.raises(ValueError) as caught:
        ba.simulate(formula, trace)
    assert str(caught.value) == cli.error("simulate", TASK_BASED, "--workload", trace)
    with pytest.raises(ba.FormulaError):
        ba.simulate("$TargetDedicatedNodes = ;", ROOT / BURST)
