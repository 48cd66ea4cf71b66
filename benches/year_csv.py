#!/usr/bin/env python3
"""Write a year of 30-second samples of $PendingTasks as CSV, for the end-to-end replay
measurements in benches/README.md (the data is generated, not committed):

    python3 benches/year_csv.py DIR

writes DIR/year-wide.csv (`timestamp,$PendingTasks`, 1,051,200 rows, 25.1 MB) and
DIR/year-long.csv (`timestamp,metric,value`, the same 1,051,200 samples, 39.8 MB), from
2025-01-01T00:00:00Z: a daily cycle with noise, the shape of the `whatif` bench's year.
"""

import math
import os
import sys
from datetime import datetime, timedelta, timezone

ROWS = 365 * 24 * 120


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: year_csv.py DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    wide = open(os.path.join(out, "year-wide.csv"), "w", newline="\n")
    long = open(os.path.join(out, "year-long.csv"), "w", newline="\n")
    wide.write("timestamp,$PendingTasks\n")
    long.write("timestamp,metric,value\n")
    day = start
    for d in range(365):
        date = day.strftime("%Y-%m-%dT")
        w, l = [], []
        for s in range(2880):
            i = d * 2880 + s
            minute_of_day = (i // 2) % 1440
            value = round(math.sin(minute_of_day / 1440 * math.tau) * 40 + 40 + (i * 7919) % 13)
            stamp = f"{date}{s // 120:02}:{s // 2 % 60:02}:{s % 2 * 30:02}Z"
            w.append(f"{stamp},{value}\n")
            l.append(f"{stamp},$PendingTasks,{value}\n")
        wide.write("".join(w))
        long.write("".join(l))
        day += timedelta(days=1)
    wide.close()
    long.close()


if __name__ == "__main__":
    main()
