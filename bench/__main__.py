"""Run every benchmark in ``bench/``: ``make bench`` (``BENCH_ARGS="--scale 10000"`` for more).

At the end the headline figures of every benchmark that ran are printed as one table (ours, the
stock way measured in the same run, the target) and saved to ``var/bench/<timestamp>.json``;
``--compare var/bench/<earlier>.json`` prints them beside an earlier run's.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=2000, help="number of subjects (default: small)")
    parser.add_argument("--only", help="run only the benchmark module(s) with this name (comma-separated)")
    parser.add_argument("--json", type=Path, help="where to write the results (default: var/bench/<timestamp>.json)")
    parser.add_argument("--compare", type=Path, help="an earlier run's JSON: print each figure beside it")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ijinus_privacy.settings")
    only = set(args.only.split(",")) if args.only else None
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if info.name.startswith("bench_") and (only is None or info.name in only)
    )
    if not names:
        print("No benchmarks yet.")
        return 0
    from bench import results

    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0] if module.__doc__ else ''}", flush=True)
        module.run(scale=args.scale)
    vendor = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    print(f"\n== summary at --scale {args.scale} on {vendor} (ours x: how many times better than the stock way)")
    print(results.table(results.RESULTS))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = results.save(
        results.RESULTS, path=args.json or ROOT / "var" / "bench" / f"{stamp}.json", scale=args.scale, vendor=vendor
    )
    print(f"\nresults written to {path}")
    if args.compare:
        earlier, old = results.load(args.compare)
        print(f"\n== compared with {args.compare} (--scale {earlier['scale']} on {earlier['database']})")
        print(results.compare(old, results.RESULTS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
