"""The benchmarks still run (at a toy scale): they are how T1, T2 and T6 are proven, so they must not rot.

Times are printed by ``make bench``, never asserted here.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bench(name: str, *options: str, json_path: Path | None = None) -> str:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    json_path = json_path or Path(tempfile.mkdtemp(prefix="bench-results-")) / "results.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--only", name, "--scale", "40", "--json", str(json_path), *options],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def retention_bench() -> str:
    """The retention benchmark's output: it runs once, every assertion about it reads the same run."""
    return run_bench("bench_retention")


def test_the_retention_benchmark_runs_and_ours_ends_in_the_same_state_as_raw_sql(retention_bench):
    out = retention_bench

    assert "ERROR" not in out, out
    assert "checked against the registered sources: same tables" in out, out
    assert out.count("ours = raw SQL final state: yes") == 2, out
    assert out.count("workers = raw SQL final state: yes") == 2, out  # the nightly configuration
    assert out.count("ours = raw SQL, one transaction, final state: yes") == 2, out
    assert out.count("final state exact: yes") == 1, out  # T2: killed (or not, at this scale) and run again


def test_the_retention_benchmark_sweeps_child_rows_too(retention_bench):
    out = retention_bench

    populated = next(line for line in out.splitlines() if line.strip().startswith("subjects 40/40 named"))
    assert "consentevent 80/80" in populated
    assert "invoice 20/20" in populated
    anonymised = next(line for line in out.splitlines() if "final state, rows/with personal values" in line)
    assert "consentevent 0/0" in anonymised
    assert "invoice 20/0" in anonymised


def test_the_export_benchmark_runs_with_a_flat_query_count():
    out = run_bench("bench_exports")

    counts = {line.split(":")[-1].strip() for line in out.splitlines() if "collection + Art. 15" in line}
    assert len(counts) == 1, out


def test_the_import_benchmark_adds_and_upserts_ours_beside_the_library_bulk_create_and_copy():
    out = run_bench("bench_imports")

    assert "ERROR" not in out, out
    assert "job done: 40 created, upload left on disk: False" in out, out
    assert "ratios: ours" in out, out
    assert "x COPY" in out, out
    assert "upsert of 40 people on file" in out, out
    assert "ours: 40 of 40 people changed on file" in out, out
    assert "upsert, rows/s against COPY" in out, out


def test_the_admin_benchmark_serves_ours_and_the_stock_admin_over_http(tmp_path):
    out = run_bench("bench_admin", json_path=tmp_path / "admin.json")

    assert "ERROR" not in out, out
    assert "populated in" in out, out
    assert "datasubject 40, subjectrole 55, consentevent 120, privacy_auditevent 80, dsar_request 20" in out, out
    assert "[T3] subjects list, 4 users: ours p50" in out, out
    exact = next(line for line in out.splitlines() if line.strip().startswith("search by exact e-mail"))
    assert "1 rows shown (stock 1)" in exact, out
    results = {item["name"]: item for item in json.loads((tmp_path / "admin.json").read_text())["results"]}
    assert results["subjects list, 4 users, p50"]["stock"] > 0  # the stock admin answered too
    assert results["dashboard, queries"]["ours"] > 0
    assert results["consent events list"]["note"].startswith("100 rows shown, stock 100")  # 120 events


def test_two_runs_are_compared_figure_by_figure(tmp_path):
    earlier = tmp_path / "earlier.json"
    run_bench("bench_exports", json_path=earlier)

    out = run_bench("bench_exports", "--compare", str(earlier), json_path=tmp_path / "later.json")

    summary = out.split("== summary")[1]
    assert "exports    JSON export" in summary, out
    compared = out.split("== compared with")[1]
    assert "bench_exports: PDF export" in compared, out
    assert "%" in compared, out
