"""The bench's account of a build's wall time (scripts/bench/critical_chain.py), on a small
hand-made run whose chain, waits and busy threads are worked out below."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench"
sys.path.insert(0, str(BENCH))
import critical_chain  # noqa: E402

T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def stamp(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def result(node: str, thread: str, start: float, end: float) -> dict:
    middle = (start + end) / 2  # compile, then execute: the node's span is both
    return {
        "unique_id": node,
        "thread_id": thread,
        "timing": [
            {"name": "compile", "started_at": stamp(start), "completed_at": stamp(middle)},
            {"name": "execute", "started_at": stamp(middle), "completed_at": stamp(end)},
        ],
    }


# a -> b -> d and a -> c; not_null_a on a, unique_b on b, a relationships test on b and c, a unit
# test of b run in b's job just before it, and the on-run-end hook.
RUN_RESULTS = {
    "results": [
        result("model.p.a", "Thread-1 (worker)", 0.0, 2.0),
        result("test.p.not_null_a", "Thread-1 (worker)", 2.0, 2.1),
        result("unit_test.p.b.b_is_right", "Thread-2 (worker)", 2.1, 2.3),
        result("model.p.b", "Thread-2 (worker)", 2.3, 5.0),
        result("model.p.c", "Thread-1 (worker)", 2.1, 5.1),
        result("test.p.unique_b", "Thread-2 (worker)", 5.0, 5.2),
        result("test.p.relationships_b_c", "Thread-1 (worker)", 5.2, 5.4),
        result("model.p.d", "Thread-2 (worker)", 5.5, 7.0),
        {"unique_id": "operation.p.on-run-end-0", "thread_id": "main", "timing": []},
    ]
}
MANIFEST = {
    "parent_map": {
        "model.p.a": [],
        "test.p.not_null_a": ["model.p.a"],
        "unit_test.p.b.b_is_right": ["model.p.b"],
        "model.p.b": ["model.p.a"],
        "model.p.c": ["model.p.a"],
        "test.p.unique_b": ["model.p.b"],
        "test.p.relationships_b_c": ["model.p.b", "model.p.c"],
        "model.p.d": ["model.p.b"],
    }
}


def test_the_chain_walks_back_through_what_each_node_waited_for():
    result = critical_chain.schedule(RUN_RESULTS, MANIFEST)
    steps = [(step.node, round(step.waited, 6), round(step.ran, 6)) for step in result.chain]
    # d waited for b and unique_b (a test on its parent), not for relationships_b_c: c is no
    # ancestor of d, so dbt does not hold d back for that test. b's job starts with its unit test.
    assert steps == [
        ("model.p.a", 0.0, 2.0),
        ("test.p.not_null_a", 0.0, 0.1),
        ("model.p.b", 0.0, 2.9),
        ("test.p.unique_b", 0.0, 0.2),
        ("model.p.d", 0.3, 1.5),
    ]
    assert result.chain_running == pytest.approx(6.7)
    assert result.chain_waiting == pytest.approx(0.3)
    assert result.span == pytest.approx(7.0)
    assert result.busy == pytest.approx({"Thread-1 (worker)": 5.3, "Thread-2 (worker)": 4.6})


def test_a_test_on_a_parent_holds_the_child_back():
    """unique_b ends at 5.2: without it d would have waited 0.5 s after b, not 0.3 s."""
    manifest = {"parent_map": {**MANIFEST["parent_map"], "test.p.unique_b": ["model.p.c"]}}
    last = critical_chain.schedule(RUN_RESULTS, manifest).chain[-1]
    assert (last.node, round(last.waited, 6)) == ("model.p.d", 0.5)


def test_the_report_lists_the_long_and_the_waiting_steps():
    lines = critical_chain.schedule_lines(
        critical_chain.schedule(RUN_RESULTS, MANIFEST), 9.5, min_ran=1.0, min_waited=0.3
    )
    text = "\n".join(lines)
    assert "The process took 9.5 s" in text and "in 7.0 s" in text
    assert "Thread-1 5.3 s, Thread-2 4.6 s" in text
    assert "ran 6.7 s and waited 0.3 s" in text
    rows = [line for line in lines if line.startswith("| ") and line[2:6] not in ("node", "--- ")]
    assert rows == ["| a | 0.00 | 2.00 |", "| b | 0.00 | 2.90 |", "| d | 0.30 | 1.50 |"]
