#!/usr/bin/env python3
"""Generate the what-if example data (run from this folder: python3 generate.py)."""
import datetime

def write(path, start, minutes, columns):
    t0 = datetime.datetime.fromisoformat(start)
    rows = ["timestamp," + ",".join(name for name, _ in columns)]
    for i in range(minutes * 2):
        t = t0 + datetime.timedelta(seconds=30 * i)
        rows.append(t.strftime("%Y-%m-%dT%H:%M:%SZ") + "," + ",".join(str(f(i / 2.0)) for _, f in columns))
    open(path, "w").write("\n".join(rows) + "\n")

# A pool created at 10:00 with 20 tasks already queued; samples start when the pool does.
write("fresh-pool.csv", "2026-11-23T10:00:00", 60, [("$PendingTasks", lambda m: 20)])

# 500 tasks arrive at 10:00, are worked off over two hours, then nothing for two hours.
def pending(m):
    if m < 30:
        return 0
    left = 500 - (m - 30) * 500 / 120
    return max(0, int(left))
def running(m):
    return min(pending(m), 80)
write("burst.csv", "2026-11-23T09:30:00", 270, [("$PendingTasks", pending), ("$RunningTasks", running), ("$ActiveTasks", lambda m: pending(m) - running(m))])
