"""Run every benchmark in ``bench/``: ``make bench`` (``BENCH_ARGS="--scale 10000"`` for more)."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=2000, help="number of subjects (default: small)")
    parser.add_argument("--only", help="run only the benchmark module with this name")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ijinus_privacy.settings")
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(Path(__file__).parent)])
        if info.name.startswith("bench_") and (args.only is None or info.name == args.only)
    )
    if not names:
        print("No benchmarks yet.")
        return 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}: {module.__doc__.strip().splitlines()[0] if module.__doc__ else ''}")
        module.run(scale=args.scale)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
