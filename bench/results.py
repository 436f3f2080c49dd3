"""What the benchmarks measured, gathered into one table at the end of ``make bench`` and saved as JSON.

Each benchmark calls ``record(...)`` for its headline figures: ours, the stock (or naive, or limit)
way measured in the same run, and the target. ``python -m bench`` prints them as one table, writes
them to ``var/bench/<timestamp>.json`` and, with ``--compare old.json``, prints each figure beside
the one of an earlier run.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

# Units where smaller is better; for the others (rows/s, subj/s) larger is better.
TIME_UNITS = {"s", "ms", "MB", "queries"}


@dataclass
class Result:
    bench: str
    name: str
    ours: float | None
    unit: str
    stock: float | None = None
    stock_label: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.bench}: {self.name}"

    def ratio(self) -> float | None:
        """How many times better ours is than the stock way (> 1: ours is better)."""
        if self.ours is None or self.stock is None or self.ours == 0 or self.stock == 0:
            return None
        return self.stock / self.ours if self.unit in TIME_UNITS else self.ours / self.stock


RESULTS: list[Result] = []


def record(bench: str, name: str, *, ours: float | None, unit: str, **kwargs) -> Result:
    result = Result(bench=bench, name=name, ours=ours, unit=unit, **kwargs)
    RESULTS.append(result)
    return result


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "yes/no":
        return "yes" if value else "no"
    if unit == "queries":
        return f"{value:.0f} q"
    if unit in {"rows/s", "subj/s"}:
        return f"{value:,.0f} {unit}"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "ms":
        return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"
    return f"{value:.2f} {unit}"


def _verdict(result: Result) -> str:
    if result.met is None:
        return result.target
    return f"{result.target}: {'met' if result.met else 'NOT MET'}"


def table(results: list[Result]) -> str:
    """The results as an aligned text table (one line per figure)."""
    header = ("benchmark", "figure", "ours", "stock way (same run)", "ours x", "target")
    rows = []
    for result in results:
        ratio = result.ratio()
        stock = _number(result.stock, result.unit) if result.stock is not None else ""
        if stock and result.stock_label:
            stock = f"{result.stock_label} {stock}"
        rows.append(
            (
                result.bench.removeprefix("bench_"),
                result.name + (f" ({result.note})" if result.note else ""),
                _number(result.ours, result.unit),
                stock,
                "" if ratio is None else (f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2f}x"),
                _verdict(result),
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def save(results: list[Result], *, path: Path, scale: int, vendor: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": scale,
        "database": vendor,
        "machine": {"python": platform.python_version(), "node": platform.node(), "cpus": _cpus()},
        "results": [asdict(result) for result in results],
    }
    path.write_text(json.dumps(payload, indent=2))
    return path


def _cpus() -> int | None:
    return os.cpu_count()


def load(path: Path) -> tuple[dict, list[Result]]:
    payload = json.loads(Path(path).read_text())
    return payload, [Result(**item) for item in payload["results"]]


def compare(old: list[Result], new: list[Result]) -> str:
    """Each figure of this run beside the earlier run's (``new / old``: below 1 is faster for times)."""
    before = {result.key: result for result in old}
    header = ("figure", "earlier run", "this run", "change")
    rows = []
    for result in new:
        earlier = before.get(result.key)
        if earlier is None or earlier.ours is None or result.ours is None:
            earlier_text = "-" if earlier is None else _number(earlier.ours, earlier.unit)
            rows.append((result.key, earlier_text, _number(result.ours, result.unit), "new" if earlier is None else ""))
            continue
        if result.unit == "yes/no":
            rows.append((result.key, _number(earlier.ours, "yes/no"), _number(result.ours, "yes/no"),
                         "" if bool(earlier.ours) == bool(result.ours) else "changed"))  # fmt: skip
            continue
        change = (result.ours - earlier.ours) / earlier.ours * 100 if earlier.ours else 0.0
        better = (change < 0) if result.unit in TIME_UNITS else (change > 0)
        rows.append(
            (
                result.key,
                _number(earlier.ours, earlier.unit),
                _number(result.ours, result.unit),
                f"{change:+.0f} %" + ("" if abs(change) < 15 else (" better" if better else " worse")),
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)
