"""Where a dbt build's wall time goes, from its run_results.json and manifest.json.

Two figures explain a build's length better than the sum of its nodes:
- each worker thread's busy time (a thread idles when no node is ready: early in the build the
  chain staging -> features -> search runs alone);
- the critical chain: walking back from the node that finished last, each step goes to the
  dependency that finished last before it started. Along that chain the time splits into nodes
  running and nodes waiting for a free thread: dbt hands ready nodes out by depth in the DAG, not
  by what lies behind them, so a node of the longest chain can queue behind a shallower long one.

A node waits for its parents and for the data tests on its parents (`dbt build` runs a model only
after the tests of what it reads passed); a model's unit tests run in its own job, just before it,
and count as part of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Span:
    start: float
    end: float
    thread: str

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class ChainStep:
    node: str
    waited: float  # from the last of its dependencies finishing to its own start
    ran: float


@dataclass(frozen=True)
class Schedule:
    span: float  # first node's start to last node's end
    busy: dict[str, float]  # seconds each worker thread ran nodes
    chain: list[ChainStep]

    @property
    def chain_running(self) -> float:
        return sum(step.ran for step in self.chain)

    @property
    def chain_waiting(self) -> float:
        return sum(step.waited for step in self.chain)


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def node_spans(run_results: dict[str, Any]) -> dict[str, Span]:
    """Start, end and thread of every node that ran (hooks and nodes without timing left out); a
    model's span starts with its unit tests."""
    spans = {}
    for result in run_results["results"]:
        timing = result.get("timing") or []
        if not timing or result["unique_id"].startswith("operation."):
            continue
        spans[result["unique_id"]] = Span(
            min(_seconds(step["started_at"]) for step in timing),
            max(_seconds(step["completed_at"]) for step in timing),
            result.get("thread_id") or "?",
        )
    # dbt build runs a model's unit tests in the model's own job, just before it: one span.
    for node in [node for node in spans if node.startswith("unit_test.")]:
        unit_test = spans.pop(node)
        package, model = node.split(".")[1:3]  # unit_test.<package>.<model>.<test name>
        model_id = f"model.{package}.{model}"
        if model_id in spans:
            job = spans[model_id]
            spans[model_id] = Span(min(job.start, unit_test.start), job.end, job.thread)
    return spans


def dependencies(manifest: dict[str, Any], spans: dict[str, Span]) -> dict[str, set[str]]:
    """For every node that ran, the nodes that ran and had to finish before it could start.

    As dbt build orders them (dbt's compilation.add_test_edges): its parents and every data test
    on a parent whose inputs are all ancestors of the node.
    """
    parent_map = manifest["parent_map"]
    ancestors: dict[str, frozenset[str]] = {}

    def ancestors_of(node: str) -> frozenset[str]:
        if node not in ancestors:
            ancestors[node] = frozenset()  # (a DAG; this only guards against a bad manifest)
            found = set()
            for parent in parent_map.get(node, []):
                found |= {parent, *ancestors_of(parent)}
            ancestors[node] = frozenset(found)
        return ancestors[node]

    tests_on: dict[str, set[str]] = {}
    for node in spans:
        if node.startswith("test."):
            for parent in parent_map.get(node, []):
                tests_on.setdefault(parent, set()).add(node)
    needs = {}
    for node in spans:
        parents = set(parent_map.get(node, []))
        required = set(parents)
        if not node.startswith("test."):
            above = ancestors_of(node)
            for parent in parents:
                required |= {
                    test
                    for test in tests_on.get(parent, ())
                    if set(parent_map.get(test, [])) <= above
                }
        needs[node] = {dep for dep in required if dep in spans}
    return needs


def schedule(run_results: dict[str, Any], manifest: dict[str, Any]) -> Schedule:
    """Return the threads' busy time and the critical chain of one dbt build."""
    spans = node_spans(run_results)
    if not spans:
        return Schedule(0.0, {}, [])
    needs = dependencies(manifest, spans)
    first = min(span.start for span in spans.values())
    busy: dict[str, float] = {}
    for span in spans.values():
        busy[span.thread] = busy.get(span.thread, 0.0) + span.seconds
    node = max(spans, key=lambda name: spans[name].end)
    chain = []
    while True:
        done_before = [dep for dep in needs[node] if spans[dep].end <= spans[node].start + 1e-6]
        ready_at = max((spans[dep].end for dep in done_before), default=first)
        chain.append(ChainStep(node, spans[node].start - ready_at, spans[node].seconds))
        if not done_before:
            break
        node = max(done_before, key=lambda name: spans[name].end)
    chain.reverse()
    span = max(span.end for span in spans.values()) - first
    return Schedule(span, dict(sorted(busy.items())), chain)


def schedule_lines(
    result: Schedule, process_seconds: float, min_ran: float = 0.5, min_waited: float = 0.3
) -> list[str]:
    """Markdown: the process against dbt's run, the threads' busy time, the critical chain."""
    threads = ", ".join(
        f"{name.split(' ')[0]} {seconds:.1f} s" for name, seconds in result.busy.items()
    )
    lines = [
        f"The process took {process_seconds:.1f} s; dbt's nodes ran from the first start to the "
        f"last end in {result.span:.1f} s (the rest is starting dbt: imports, loading the saved "
        "parse, connecting; and finishing: artifacts, closing the DuckDB file). "
        f"Worker threads busy: {threads} of those {result.span:.1f} s.",
        "",
        f"The critical chain (walking back from the last node to finish, each time to the "
        f"dependency that finished last): its nodes ran {result.chain_running:.1f} s and waited "
        f"{result.chain_waiting:.1f} s for a free thread. dbt hands ready nodes out by depth in "
        "the DAG, not by the work behind them, so a node of this chain can queue behind "
        "shallower ones. While every thread is busy that wait is not idle time: with as many "
        "threads as cores, running the chain first would slow the nodes beside it as much "
        "(a third thread on two cores cut the waits from 11-12 s to 3-7 s and ran the chain's "
        "nodes 7-9 s longer, bench/history.md). Only less work, or a thread that idles "
        "beside the chain, shortens the build. Steps that ran at least "
        f"{min_ran:g} s or waited at least {min_waited:g} s:",
        "",
        "| node | waited (s) | ran (s) |",
        "| --- | ---: | ---: |",
    ]
    lines += [
        f"| {step.node.split('.', 2)[-1]} | {step.waited:.2f} | {step.ran:.2f} |"
        for step in result.chain
        if step.ran >= min_ran or step.waited >= min_waited
    ]
    return lines
