"""Run the project's dbt Python models outside dbt, on a built warehouse, to isolate their cost.

Reads target/manifest.json for the Python models (their files and their rendered `segmentation`
config), opens the warehouse read-only, and calls each model's `model(dbt, session)` in dependency
order with a small stand-in for dbt's `dbt` object (`config`, `config.get`, `ref(...)` as a DuckDB
relation, `this`). The returned frames are discarded: this measures the Python step (reading its
inputs into Python, the package calls), not dbt's writing of the result.

Prints one JSON line: {"models": {clustering model: seconds}, "seconds": their total,
"baseline_mib": RSS after imports, "peak_mib": peak RSS while they ran, and the same for the other
Python models (charts, campaign files) as "other_models", "other_seconds", "other_peak_mib"}.
The clustering models run first from the baseline; the peak is reset (VmHWM) before the others,
whose peak therefore includes what the first phase left allocated. DuckDB runs in this process, so
a peak includes the memory of the SQL a model sends.

Usage: python scripts/bench/python_step.py WAREHOUSE.duckdb TARGET_DIR PROJECT_DIR
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import duckdb
import polars  # noqa: F401  (imported before the baseline, as dbt-duckdb's Python models use it)
import sklearn  # noqa: F401


def _reset_peak() -> None:
    """Reset this process's peak RSS (VmHWM) so the next model's peak is its own (Linux >= 4.0)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class _Config:
    def __init__(self, config: dict[str, Any]):
        self._config = config

    def __call__(self, **_: Any) -> None:
        return None

    def get(self, key: str, default: Any = None) -> Any:
        return self._config.get(key, default)


class _This:
    def __init__(self, schema: str, identifier: str):
        self.schema, self.identifier = schema, identifier

    def __str__(self) -> str:
        return f'"{self.schema}"."{self.identifier}"'


class _Dbt:
    def __init__(
        self,
        node: dict[str, Any],
        session: duckdb.DuckDBPyConnection,
        relations: dict[str, str],
    ):
        self.config = _Config(node["config"])
        self.this = _This(node["schema"], node["alias"] or node["name"])
        self._session = session
        self._relations = relations
        self.is_incremental = False

    def ref(self, name: str, *_, **__) -> duckdb.DuckDBPyRelation:
        return self._session.table(self._relations.get(name, name))


def relation_names(manifest: dict[str, Any]) -> dict[str, str]:
    """Model and seed name -> "schema"."table" as built (layers live in their own schemas)."""
    return {
        node["name"]: f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }


def python_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The enabled Python model nodes, dependencies first."""
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node.get("language") == "python"
    }
    graph = {
        uid: [dep for dep in node["depends_on"]["nodes"] if dep in nodes]
        for uid, node in nodes.items()
    }
    return [nodes[uid] for uid in TopologicalSorter(graph).static_order()]


CLUSTERING = "python_models/clustering/"
"""The Python step issue 10 bounds: search, fit, PCA axes, t-SNE, dendrogram (and the Python
assignment of gmm / agglomerative / dbscan). Charts and campaign files are measured apart."""


def _run_phase(session, project, relations, nodes) -> tuple[dict[str, float], float]:
    """Run ``nodes`` in order; return (seconds per model, peak RSS in MiB during the phase)."""
    _reset_peak()
    timings: dict[str, float] = {}
    for node in nodes:
        spec = importlib.util.spec_from_file_location(
            node["name"], project / node["original_file_path"]
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        started = time.perf_counter()
        result = module.model(_Dbt(node, session, relations), session)
        timings[node["name"]] = round(time.perf_counter() - started, 3)
        del result
    return timings, round(_status_kib("VmHWM") / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    warehouse, target, project = (Path(arg) for arg in (argv or sys.argv[1:]))
    manifest = json.loads((target / "manifest.json").read_text())
    baseline = _status_kib("VmRSS")
    relations = relation_names(manifest)
    nodes = python_models(manifest)
    # Clustering first (none of them depends on the others' Python models), from a clean baseline.
    clustering = [n for n in nodes if n["original_file_path"].startswith(CLUSTERING)]
    others = [n for n in nodes if not n["original_file_path"].startswith(CLUSTERING)]
    with duckdb.connect(str(warehouse), read_only=True) as session:
        timings, peak = _run_phase(session, project, relations, clustering)
        other_timings, other_peak = _run_phase(session, project, relations, others)
    print(
        json.dumps(
            {
                "models": timings,
                "seconds": round(sum(timings.values()), 3),
                "baseline_mib": round(baseline / 1024, 1),
                "peak_mib": peak,
                "other_models": other_timings,
                "other_seconds": round(sum(other_timings.values()), 3),
                "other_peak_mib": other_peak,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
