"""`make bench`: run every workload and print one table.

Each workload measures the broker against a baseline in the same run, so the ratio means
something on a shared, noisy machine; absolute figures are shown for context only.
"""

import argparse
import sys
import time

from bench import audit, decisions, http, load, meetings, observations, scale, tokens
from bench.runner import Result, Workload, print_table

WORKLOADS = [Workload("tokens", tokens.run), Workload("decisions", decisions.run),
             Workload("decisions-http", http.run), Workload("observations", observations.run),
             Workload("meetings", meetings.run), Workload("load", load.run),
             Workload("audit", audit.run), Workload("scale", scale.run)]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="workloads to run (default: all)")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    chosen = [w for w in WORKLOADS if not args.names or w.name in args.names]
    if not chosen:
        print(f"no such workload; choose from {[w.name for w in WORKLOADS]}", file=sys.stderr)
        return 2
    results: list[Result] = []
    started = time.perf_counter()
    for workload in chosen:
        results.extend(workload.run(args.seconds))
    print_table(results)
    print(f"\n{len(results)} measurements in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
