"""The bench report states the host's speed: the same fixed work timed at the start and the end,
so figures from different runs on this shared host can be compared (scripts/bench/run.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench"
sys.path.insert(0, str(BENCH))
import run as bench  # noqa: E402


def test_the_report_names_the_host_speed_at_its_start_and_end(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(bench, "YARDSTICK_LOOP", 1_000_000)  # the same work, smaller, for a test
    monkeypatch.setattr(bench, "YARDSTICK_SQL", "select sum(hash(range)) from range(1_000_000)")
    report = bench.Report(tmp_path, "make bench")
    report.add(["## 1. A part", "", "figures"])
    text = (tmp_path / "results.md").read_text()
    start = re.search(
        r"at the start a 1M-step Python loop (\d+\.\d\d) s, DuckDB `.*` (\d+\.\d\d) s\.", text
    )
    assert start, text
    assert float(start.group(1)) > 0 and float(start.group(2)) >= 0
    assert "at the end" not in text  # not measured yet: a partial bench says only the start
    report.yardstick_at_end = bench.yardstick_text({"python_s": 1.5, "duckdb_s": 0.25})
    report.write()
    text = (tmp_path / "results.md").read_text()
    assert "; at the end a 1M-step Python loop 1.50 s, DuckDB" in text
    assert "## 1. A part" in text
